//! The search box and weighted retrieval.

use crate::common::*;
use duijie_core::EntityKind;
use duijie_search::{
    DemandRanges, FieldBoosts, Filter, IndexDoc, SearchIndex, SearchQuery, Sort, WeightedTerm,
};

/// Query terms of weighted retrieval.
fn weighted(pairs: &[(&str, f32)]) -> Vec<WeightedTerm> {
    pairs
        .iter()
        .map(|(term, weight)| WeightedTerm {
            term: term.to_string(),
            weight: *weight,
        })
        .collect()
}

fn text_query(kind: EntityKind, text: &str) -> SearchQuery {
    SearchQuery {
        text: Some(text.to_string()),
        ..SearchQuery::new(kind)
    }
}

fn indexed(docs: Vec<duijie_search::IndexDoc>) -> SearchIndex {
    let index = SearchIndex::in_memory().unwrap();
    index.upsert(docs).unwrap();
    index.commit(1).unwrap();
    index
}

fn find(index: &SearchIndex, text: &str) -> Vec<String> {
    let r = index
        .search(&text_query(EntityKind::Achievement, text))
        .unwrap();
    r.hits.into_iter().map(|h| h.id).collect()
}

#[test]
fn part_of_a_long_word_finds_the_word() {
    let index = indexed(vec![
        achievement("a1", "水稻耐盐性的遗传机制"),
        achievement("a2", "锂电池正极材料的制备方法"),
        achievement("a3", "玉米抗旱品种"),
    ]);
    assert_eq!(find(&index, "耐盐"), vec!["a1"]);
    assert_eq!(find(&index, "锂电池"), vec!["a2"]);
    assert_eq!(find(&index, "正极材料"), vec!["a2"]);
    assert_eq!(find(&index, "ＬＩ电池 正极"), Vec::<String>::new());
    assert_eq!(find(&index, "抗旱的玉米"), vec!["a3"]);
}

#[test]
fn whole_phrases_rank_above_scattered_words() {
    let index = indexed(vec![
        achievement("scattered", "图像采集与缺陷识别系统"),
        achievement("phrase", "工业图像识别系统"),
        achievement("other", "语音识别"),
    ]);
    let got = find(&index, "图像识别");
    assert_eq!(got.first().map(String::as_str), Some("phrase"));
    assert!(got.contains(&"scattered".to_string()));
}

#[test]
fn most_words_of_a_long_query_must_match() {
    let index = indexed(vec![
        achievement("all", "耐盐水稻新品种选育与推广"),
        achievement("one", "水稻病虫害防治"),
    ]);
    assert_eq!(find(&index, "耐盐 水稻 品种 选育"), vec!["all"]);
}

#[test]
fn people_are_found_by_their_whole_name() {
    let index = indexed(vec![
        achievement("a1", "应激颗粒组装机制").person("施蕴渝", "exp_1"),
        achievement("a2", "核糖开关结构").person("任艾明", "exp_2"),
    ]);
    assert_eq!(find(&index, "施蕴渝"), vec!["a1"]);
    assert_eq!(find(&index, " 任艾明 "), vec!["a2"]);
}

#[test]
fn a_name_finds_only_records_of_the_kind_searched() {
    let expert = duijie_search::IndexDoc {
        kind: EntityKind::Expert,
        ..achievement("exp_1", "蛋白质结构").person("施蕴渝", "exp_1")
    };
    let index = indexed(vec![
        achievement("a1", "应激颗粒组装机制").person("施蕴渝", "exp_1"),
        expert,
    ]);
    let r = index
        .search(&text_query(EntityKind::Achievement, "施蕴渝"))
        .unwrap();
    assert_eq!((r.total, ids(&r)), (1, vec!["a1"]));
    let r = index
        .search(&text_query(EntityKind::Expert, "施蕴渝"))
        .unwrap();
    assert_eq!((r.total, ids(&r)), (1, vec!["exp_1"]));
}

#[test]
fn filters_facets_paging_and_total() {
    let mut docs = Vec::new();
    for i in 0..30 {
        let (field, region) = match i % 3 {
            0 => ("新材料", "河南"),
            1 => ("新材料", "湖北"),
            _ => ("生物医药", "河南"),
        };
        let status = if i % 5 == 0 { "draft" } else { "published" };
        docs.push(
            demand(&format!("d{i:02}"), &format!("纳米涂层需求{i}"), status)
                .field(field)
                .region(region)
                .modes(if i % 2 == 0 {
                    &["技术转让"]
                } else {
                    &["合作开发"]
                })
                .org(if i < 10 { "org_a" } else { "org_b" }, "某公司")
                .created(1_000 + i),
        );
    }
    docs.push(achievement("x", "纳米涂层").field("新材料"));
    let index = indexed(docs);

    let all = index
        .search(&SearchQuery {
            limit: 7,
            ..text_query(EntityKind::Demand, "纳米涂层")
        })
        .unwrap();
    assert_eq!(all.total, 30, "the achievement is another kind");
    assert_eq!(all.hits.len(), 7);
    assert_eq!(
        all.facets.field,
        vec![("新材料".to_string(), 20), ("生物医药".to_string(), 10)]
    );
    assert_eq!(
        all.facets.region,
        vec![("河南".to_string(), 20), ("湖北".to_string(), 10)]
    );

    let filtered = index
        .search(&SearchQuery {
            field: Some("新材料".into()),
            region: Some("河南".into()),
            statuses: Some(vec!["published".into()]),
            ..text_query(EntityKind::Demand, "纳米涂层")
        })
        .unwrap();
    // i % 3 == 0 and i % 5 != 0: 3, 6, 9, 12, 18, 21, 24, 27.
    assert_eq!(filtered.total, 8);
    assert_eq!(filtered.facets.field, vec![("新材料".to_string(), 8)]);

    let by_mode = index
        .search(&SearchQuery {
            mode: Some("技术转让".into()),
            org_id: Some("org_a".into()),
            ..SearchQuery::new(EntityKind::Demand)
        })
        .unwrap();
    assert_eq!(ids(&by_mode), vec!["d08", "d06", "d04", "d02", "d00"]);

    let none = index
        .search(&SearchQuery {
            statuses: Some(vec![]),
            ..SearchQuery::new(EntityKind::Demand)
        })
        .unwrap();
    assert_eq!(none.total, 0);

    // Pages do not overlap and cover everything.
    let mut seen = Vec::new();
    for page in 0..4 {
        let r = index
            .search(&SearchQuery {
                ranges: Default::default(),
                sort: Default::default(),
                offset: page * 8,
                limit: 8,
                ..text_query(EntityKind::Demand, "纳米涂层")
            })
            .unwrap();
        assert_eq!(r.total, 30);
        seen.extend(r.hits.into_iter().map(|h| h.id));
    }
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 30);
}

#[test]
fn without_text_everything_is_listed_newest_first() {
    let index = indexed(vec![
        achievement("old", "甲").created(1_000),
        achievement("new", "乙").created(3_000),
        achievement("mid", "丙").created(2_000),
        demand("d", "丁", "published").created(9_000),
    ]);
    for text in [None, Some("   ".to_string())] {
        let r = index
            .search(&SearchQuery {
                text,
                ..SearchQuery::new(EntityKind::Achievement)
            })
            .unwrap();
        assert_eq!(r.total, 3);
        assert_eq!(ids(&r), vec!["new", "mid", "old"]);
        assert!(r.hits.iter().all(|h| h.score == 0.0));
    }
    let r = index
        .search(&SearchQuery {
            offset: 1,
            limit: 1,
            ..SearchQuery::new(EntityKind::Achievement)
        })
        .unwrap();
    assert_eq!((r.total, ids(&r)), (3, vec!["mid"]));
}

/// Demands sort by deadline (长期 last) or budget (面议 last), with text or without, and the
/// range filters treat 长期 and 面议 as documented.
#[test]
fn demands_sort_and_filter_by_deadline_and_budget() {
    let index = indexed(vec![
        demand("soon", "氧化铝焙烧", "published")
            .deadline(739_000)
            .budget(50.0)
            .created(1),
        demand("late", "氧化铝粉体", "published")
            .deadline(739_300)
            .budget(500.0)
            .created(2),
        demand("open", "氧化铝回收", "published")
            .budget(5.0)
            .created(3),
        demand("talk", "氧化铝提纯", "published")
            .deadline(739_100)
            .created(4),
        achievement("a", "氧化铝").created(5),
    ]);
    let run = |text: Option<&str>, sort: Sort, ranges: DemandRanges| {
        let r = index
            .search(&SearchQuery {
                text: text.map(str::to_string),
                sort,
                ranges,
                ..SearchQuery::new(EntityKind::Demand)
            })
            .unwrap();
        ids(&r).into_iter().map(str::to_string).collect::<Vec<_>>()
    };
    let none = DemandRanges::default();
    for text in [None, Some("氧化铝")] {
        assert_eq!(
            run(text, Sort::Deadline, none),
            ["soon", "talk", "late", "open"]
        );
        assert_eq!(
            run(text, Sort::Budget, none),
            ["late", "soon", "open", "talk"]
        );
        assert_eq!(
            run(text, Sort::Newest, none),
            ["talk", "open", "late", "soon"]
        );
    }
    let budget = |min, max| DemandRanges {
        budget_min: min,
        budget_max: max,
        ..DemandRanges::default()
    };
    assert_eq!(
        run(None, Sort::Budget, budget(Some(10.0), None)),
        ["late", "soon"]
    );
    assert_eq!(
        run(None, Sort::Budget, budget(None, Some(50.0))),
        ["soon", "open"]
    );
    let deadline = |from, to| DemandRanges {
        deadline_from: from,
        deadline_to: to,
        ..DemandRanges::default()
    };
    assert_eq!(
        run(None, Sort::Deadline, deadline(Some(739_050), None)),
        ["talk", "late", "open"],
        "长期 is after every date"
    );
    assert_eq!(
        run(None, Sort::Deadline, deadline(None, Some(739_100))),
        ["soon", "talk"],
        "长期 is never due by a date"
    );
}

#[test]
fn hostile_query_strings_never_error() {
    let index = indexed(vec![
        achievement("a1", "耐盐水稻 AND OR NOT").body("title:(x)")
    ]);
    let long = "耐盐水稻".repeat(1250);
    let control: String = (0u8..32).map(char::from).collect();
    let hostile = [
        "\"耐盐",
        "title:耐盐",
        "body:*",
        "(耐盐 OR",
        "[1 TO 2]",
        "耐盐 AND NOT 水稻",
        "NOT",
        "AND",
        "OR",
        "-耐盐",
        "+耐盐",
        "耐盐^10",
        "耐盐~2",
        "*",
        "?",
        "\\",
        "\"\"",
        "{}",
        "<script>",
        "'; DROP TABLE x; --",
        "😀",
        "\u{0}",
        "　",
        "",
        long.as_str(),
        control.as_str(),
        "ＡＮＤ：（）",
        "id:a1",
        "kind:achievement",
    ];
    for text in hostile {
        let r = index.search(&SearchQuery {
            text: Some(text.to_string()),
            limit: 10_000,
            ranges: Default::default(),
            sort: Default::default(),
            offset: usize::MAX,
            ..SearchQuery::new(EntityKind::Achievement)
        });
        assert!(r.is_ok(), "{text:?}: {r:?}");
        let r = index.top_weighted(
            EntityKind::Achievement,
            &weighted(&[(text, 1.0), (text, f32::NAN)]),
            &Filter::default(),
            10,
        );
        assert!(r.is_ok(), "{text:?}");
    }
    assert_eq!(find(&index, "耐盐 AND 水稻"), vec!["a1"]);
    assert_eq!(find(&index, "title:(x)"), vec!["a1"]);
}

#[test]
fn highlights_wrap_matches_and_escape_html() {
    let index = indexed(vec![achievement("a1", "<script>alert(1)</script>耐盐水稻")
        .body("本项目研究<b>耐盐</b>水稻 & 盐碱地改良，培育耐盐性强的新品种。")]);
    let r = index
        .search(&text_query(EntityKind::Achievement, "耐盐"))
        .unwrap();
    let hit = &r.hits[0];
    assert_eq!(
        hit.title_html,
        "&lt;script&gt;alert(1)&lt;/script&gt;<em>耐盐</em>水稻"
    );
    assert!(
        hit.snippet_html.contains("<em>耐盐</em>"),
        "{}",
        hit.snippet_html
    );
    assert!(
        hit.snippet_html.contains("&lt;b&gt;"),
        "{}",
        hit.snippet_html
    );
    assert!(!hit.snippet_html.contains("<b>"));
    assert!(!hit.snippet_html.contains("<script"));
}

#[test]
fn highlights_use_original_offsets_of_full_width_text() {
    let index = indexed(vec![
        achievement("a1", "ＬＥＤ（高亮度）芯片").body("采用ＧａＮ基ＬＥＤ外延技术")
    ]);
    let r = index
        .search(&text_query(EntityKind::Achievement, "led"))
        .unwrap();
    assert_eq!(r.hits[0].title_html, "<em>ＬＥＤ</em>（高亮度）芯片");
    assert!(
        r.hits[0].snippet_html.contains("<em>ＬＥＤ</em>"),
        "{}",
        r.hits[0].snippet_html
    );
}

#[test]
fn a_hit_without_body_match_shows_the_start_of_the_body() {
    let body = "甲".repeat(300);
    let index = indexed(vec![achievement("a1", "耐盐水稻").body(&body)]);
    let r = index
        .search(&text_query(EntityKind::Achievement, "耐盐"))
        .unwrap();
    assert_eq!(r.hits[0].snippet_html, format!("{}…", "甲".repeat(120)));
}

#[test]
fn top_weighted_scores_filters_and_reports_matched_terms() {
    let index = indexed(vec![
        achievement("a1", "耐盐水稻品种选育")
            .keywords(&["耐盐", "水稻"])
            .field("现代农业")
            .org("org_1", "南京农业大学")
            .person("张三", "exp_1")
            .year(2020),
        achievement("a2", "水稻病虫害防治")
            .field("现代农业")
            .org("org_2", "华中农业大学"),
        achievement("a3", "锂电池正极材料").field("新材料"),
        demand("d1", "耐盐水稻需求", "published"),
    ]);
    let terms = weighted(&[("耐盐", 2.0), ("水稻", 1.0)]);
    let got = index
        .top_weighted(EntityKind::Achievement, &terms, &Filter::default(), 10)
        .unwrap();
    let ids: Vec<&str> = got.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, vec!["a1", "a2"]);
    let a1 = &got[0];
    assert_eq!(a1.kind, EntityKind::Achievement);
    assert_eq!(a1.title, "耐盐水稻品种选育");
    assert_eq!(a1.org_id, "org_1");
    assert_eq!(a1.org_name, "南京农业大学");
    assert_eq!(a1.person.as_deref(), Some("张三"));
    assert_eq!(a1.expert_id.as_deref(), Some("exp_1"));
    assert_eq!(a1.field.as_deref(), Some("现代农业"));
    assert_eq!(a1.year, Some(2020));
    assert_eq!(a1.matched_terms, vec!["耐盐", "水稻"]);
    assert_eq!(got[1].matched_terms, vec!["水稻"]);
    assert!(a1.score > got[1].score);

    // Weights scale scores linearly.
    let doubled = weighted(&[("耐盐", 4.0), ("水稻", 2.0)]);
    let again = index
        .top_weighted(EntityKind::Achievement, &doubled, &Filter::default(), 10)
        .unwrap();
    assert!((again[0].score - 2.0 * a1.score).abs() < 1e-3 * a1.score);

    // Filters restrict, and boosts of zero turn fields off.
    let filter = Filter {
        field: Some("新材料".into()),
        ..Filter::default()
    };
    assert!(index
        .top_weighted(EntityKind::Achievement, &terms, &filter, 10)
        .unwrap()
        .is_empty());
    let org_only = FieldBoosts {
        title: 0.0,
        keywords: 0.0,
        body: 0.0,
        org: 1.0,
        grams: 0.0,
    };
    let by_org = index
        .top_weighted_with(
            EntityKind::Achievement,
            &weighted(&[("华中", 1.0)]),
            &Filter::default(),
            &org_only,
            10,
        )
        .unwrap();
    assert_eq!(by_org.len(), 1);
    assert_eq!(by_org[0].id, "a2");

    // Documents found otherwise (by meaning) come as the words' hits do, score 0, no words,
    // in the order asked; an id of another kind or unknown is left out.
    let found = index
        .hits(EntityKind::Achievement, &["a3", "d1", "missing", "a1"])
        .unwrap();
    let ids: Vec<&str> = found.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, vec!["a3", "a1"]);
    assert_eq!(found[1].title, a1.title);
    assert_eq!(found[1].org_name, "南京农业大学");
    assert_eq!(found[1].expert_id.as_deref(), Some("exp_1"));
    assert_eq!(found[1].year, Some(2020));
    assert_eq!(found[1].score, 0.0);
    assert!(found[1].matched_terms.is_empty());
    assert_eq!(found[0].field.as_deref(), Some("新材料"));

    assert_eq!(index.num_docs_in(EntityKind::Achievement), 3);
    assert_eq!(index.num_docs_in(EntityKind::Demand), 1);
    assert_eq!(index.doc_freq_in(EntityKind::Achievement, "水稻"), 2);
    assert_eq!(index.doc_freq_in(EntityKind::Demand, "水稻"), 1);
    assert_eq!(index.doc_freq_in(EntityKind::Achievement, "不存在的词"), 0);
    assert!(index
        .top_weighted(EntityKind::Achievement, &[], &Filter::default(), 10)
        .unwrap()
        .is_empty());
}

#[test]
fn matched_terms_are_right_across_segments() {
    let index = SearchIndex::in_memory().unwrap();
    for batch in 0..4 {
        let docs = (0..50)
            .map(|i| {
                let title = if i % 2 == 0 {
                    "耐盐水稻"
                } else {
                    "抗旱玉米"
                };
                achievement(&format!("a{batch}_{i}"), title)
            })
            .collect();
        index.upsert(docs).unwrap();
        index.commit(batch).unwrap();
    }
    let terms = weighted(&[("耐盐", 1.0), ("玉米", 1.0)]);
    let got = index
        .top_weighted(EntityKind::Achievement, &terms, &Filter::default(), 1000)
        .unwrap();
    assert_eq!(got.len(), 200);
    for d in got {
        let even = d.id.rsplit('_').next().unwrap().parse::<u32>().unwrap() % 2 == 0;
        let want = if even { "耐盐" } else { "玉米" };
        assert_eq!(d.matched_terms, vec![want], "{}", d.id);
    }
}

#[test]
fn snippets_of_long_bodies_with_overlapping_terms_are_well_formed() {
    let body = "本项目以耐盐性水稻为对象，研究盐胁迫下耐盐基因的表达调控，\
                筛选耐盐性强的种质资源并建立分子标记辅助育种体系。"
        .repeat(12);
    let index = indexed(vec![achievement("a1", "耐盐性水稻").body(&body)]);
    for q in [
        "耐盐性",
        "耐盐 盐性",
        "盐胁迫 耐盐基因",
        "分子标记辅助育种",
        "水稻 耐盐性 种质资源",
    ] {
        let r = index
            .search(&text_query(EntityKind::Achievement, q))
            .unwrap();
        let snippet = &r.hits[0].snippet_html;
        assert!(snippet.contains("<em>"), "{q}: {snippet}");
        assert_eq!(
            snippet.matches("<em>").count(),
            snippet.matches("</em>").count()
        );
        let plain = snippet.replace("<em>", "").replace("</em>", "");
        assert!(plain.chars().count() <= 120, "{q}: {snippet}");
        assert!(body.contains(&plain), "{q}: {snippet}");
    }
}

#[test]
fn a_filter_every_document_passes_changes_no_score() {
    // Filter clauses only restrict: scores are the text clauses' alone. Several segments,
    // terms present in some of them only, org names without any term.
    let index = SearchIndex::in_memory().unwrap();
    let titles = [
        "耐盐水稻",
        "抗旱玉米",
        "锂电池正极",
        "水稻育种",
        "玉米品种",
        "盐碱地改良",
    ];
    for (batch, chunk) in titles.chunks(2).enumerate() {
        let docs = (0..40)
            .map(|i| {
                let title = format!("{}研究{}", chunk[i % 2], "的".repeat(i % 7));
                achievement(&format!("a{batch}_{i}"), &title).org("org_all", "某大学")
            })
            .collect();
        index.upsert(docs).unwrap();
        index.commit(batch as i64).unwrap();
    }
    let terms = weighted(&[("耐盐", 2.0), ("水稻", 1.0), ("玉米", 0.7), ("不存在", 5.0)]);
    let unfiltered = index
        .top_weighted(EntityKind::Achievement, &terms, &Filter::default(), 15)
        .unwrap();
    let everything = Filter {
        org_id: Some("org_all".into()),
        ..Filter::default()
    };
    let filtered = index
        .top_weighted(EntityKind::Achievement, &terms, &everything, 15)
        .unwrap();
    assert_eq!(unfiltered.len(), 15);
    let scores = |v: &[duijie_search::ScoredDoc]| v.iter().map(|d| d.score).collect::<Vec<_>>();
    assert_eq!(scores(&unfiltered), scores(&filtered));
    // Terms in no document match nothing, on either path.
    let absent = weighted(&[("不存在", 5.0), ("也没有", 1.0)]);
    for f in [&Filter::default(), &everything] {
        let none = index
            .top_weighted(EntityKind::Achievement, &absent, f, 15)
            .unwrap();
        assert!(none.is_empty());
    }
}

#[test]
fn bigram_terms_are_looked_up_in_the_bigram_field_only() {
    let index = indexed(vec![
        achievement("a1", "高镍三元正极材料").keywords(&["锂电池"]),
        achievement("a2", "镍氢电池回收").body("正极材料"),
    ]);
    let kind = EntityKind::Achievement;
    // Title and keywords count, the body does not; a title and a keyword do not pair up.
    assert_eq!(index.doc_freq_in(kind, "~正极"), 1);
    assert_eq!(index.doc_freq_in(kind, "~电池"), 2);
    assert_eq!(index.doc_freq_in(kind, "~料锂"), 0);
    // The word is in a1's title and a2's body: the largest per-field count.
    assert_eq!(index.doc_freq_in(kind, "正极"), 1);
    let terms = weighted(&[("~正极", 1.0), ("~电池", 0.1)]);
    let got = index
        .top_weighted(kind, &terms, &Filter::default(), 10)
        .unwrap();
    let ids: Vec<&str> = got.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, vec!["a1", "a2"]);
    assert!(got[0].matched_terms.is_empty(), "bigrams are not shown");
    let words_only = FieldBoosts {
        grams: 0.0,
        ..FieldBoosts::default()
    };
    assert!(index
        .top_weighted_with(kind, &terms, &Filter::default(), &words_only, 10)
        .unwrap()
        .is_empty());
}

#[test]
fn term_statistics_follow_every_commit() {
    let rice = |index: &SearchIndex| {
        index
            .top_weighted(
                EntityKind::Achievement,
                &weighted(&[("水稻", 1.0)]),
                &Filter::default(),
                10,
            )
            .unwrap()
    };
    let index = SearchIndex::in_memory().unwrap();
    index
        .upsert(vec![achievement("a1", "耐盐水稻育种")])
        .unwrap();
    index.commit(1).unwrap();
    assert_eq!(index.doc_freq_in(EntityKind::Achievement, "水稻"), 1);
    let first = rice(&index);

    // Counts remembered for one generation must not outlive it.
    index
        .upsert(vec![
            achievement("a2", "水稻病害防控"),
            achievement("a3", "玉米育种"),
        ])
        .unwrap();
    index.commit(2).unwrap();
    assert_eq!(index.doc_freq_in(EntityKind::Achievement, "水稻"), 2);
    let second = rice(&index);
    assert_eq!(second.len(), 2);
    // The same scores as an index that never saw the first generation.
    let fresh = indexed(vec![
        achievement("a1", "耐盐水稻育种"),
        achievement("a2", "水稻病害防控"),
        achievement("a3", "玉米育种"),
    ]);
    let expected = rice(&fresh);
    let score = |docs: &[duijie_search::ScoredDoc], id: &str| {
        docs.iter().find(|d| d.id == id).map(|d| d.score)
    };
    assert_eq!(score(&second, "a1"), score(&expected, "a1"));
    assert_ne!(score(&second, "a1"), Some(first[0].score));

    index.delete("a2").unwrap();
    index.commit(3).unwrap();
    assert_eq!(rice(&index).len(), 1);
}

/// BM25 statistics are per kind: 10,000 documents of one kind (demands, then achievements)
/// change no score of another kind, although they share every query word.
#[test]
fn adding_documents_of_one_kind_moves_no_score_of_another() {
    let expert = |id: &str, areas: &str, bio: &str| IndexDoc {
        kind: EntityKind::Expert,
        ..achievement(id, areas).body(bio)
    };
    let index = indexed(vec![
        achievement("a1", "气体传感器敏感材料制备").keywords(&["气体传感器"]),
        achievement("a2", "传感器网络数据管理"),
        expert(
            "e1",
            "气体传感器；红外光谱",
            "长期从事气体传感器制备与红外光学检测研究",
        ),
        expert("e2", "无线传感器网络", "研究传感器网络协议"),
    ]);
    let terms = weighted(&[("气体传感器", 1.0), ("传感器", 0.25), ("红外", 0.6)]);
    let scores = |index: &SearchIndex, kind: EntityKind| -> Vec<(String, f32)> {
        index
            .top_weighted(kind, &terms, &Filter::default(), 10)
            .unwrap()
            .into_iter()
            .map(|d| (d.id, d.score))
            .collect()
    };
    let achievements = scores(&index, EntityKind::Achievement);
    let experts = scores(&index, EntityKind::Expert);
    assert_eq!(achievements.len(), 2);
    assert_eq!(experts.len(), 2);
    assert_eq!(experts[0].0, "e1");

    let crowd = |kind: EntityKind, prefix: &str| -> Vec<IndexDoc> {
        (0..10_000)
            .map(|i| IndexDoc {
                kind,
                ..achievement(&format!("{prefix}{i}"), "红外气体传感器需求")
                    .body("传感器传感器传感器，长期稳定运行，检测精度与成本")
            })
            .collect()
    };
    index.upsert(crowd(EntityKind::Demand, "d")).unwrap();
    index.commit(2).unwrap();
    assert_eq!(index.num_docs_in(EntityKind::Demand), 10_000);
    assert_eq!(scores(&index, EntityKind::Achievement), achievements);
    assert_eq!(scores(&index, EntityKind::Expert), experts);

    index.upsert(crowd(EntityKind::Achievement, "x")).unwrap();
    index.commit(3).unwrap();
    assert_eq!(scores(&index, EntityKind::Expert), experts);
    // The achievements' own statistics did move: the same words are now common among them.
    let crowded = scores(&index, EntityKind::Achievement);
    let a1 = crowded.iter().find(|(id, _)| id == "a1").map(|(_, s)| *s);
    assert!(a1.is_none_or(|s| s < achievements[0].1));
}

/// One Han character is found inside longer words: 铝 finds the demands about 氧化铝 and
/// 铝合金, and nothing without it.
#[test]
fn a_single_character_finds_the_words_that_contain_it() {
    let index = indexed(vec![
        demand("d1", "高纯氧化铝粉体烧结", "published"),
        demand("d2", "铝合金压铸件气孔控制", "published"),
        demand("d3", "苹果冷链保鲜", "published"),
    ]);
    let mut q = text_query(EntityKind::Demand, "铝");
    q.statuses = Some(vec!["published".to_string()]);
    let r = index.search(&q).unwrap();
    let mut found = ids(&r);
    found.sort_unstable();
    assert_eq!(found, vec!["d1", "d2"]);
    // A character that is a word of its own still matches as before, and punctuation or a
    // Latin letter never becomes a pattern.
    for text in ["*", "a", "."] {
        assert!(index.search(&text_query(EntityKind::Demand, text)).is_ok());
    }
}
