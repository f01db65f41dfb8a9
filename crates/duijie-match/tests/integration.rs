//! Behaviour of ranking, explanations, priors and reverse recommendations on small hand-built
//! corpora.

use duijie_core::{Cancel, DemandStatus, EntityKind, Field};
use duijie_match::{
    CandidateKind, MatchConfig, MatchError, MatchInput, Matcher, ProfileDoc, Retriever,
    MAX_INPUT_CHARS,
};
use duijie_search::{FieldBoosts, Filter, IndexDoc, ScoredDoc, SearchIndex, WeightedTerm};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Unrelated documents, so that document frequencies look like a real catalogue's.
const FILLER: &[&str] = &[
    "水稻抗病基因的克隆与功能分析",
    "城市供水管网漏损智能监测",
    "桥梁结构健康监测传感网络",
    "中药材有效成分提取纯化工艺",
    "奶牛乳房炎快速诊断试剂盒",
    "煤矿井下瓦斯浓度预警系统",
    "纺织印染废水深度处理",
    "高速列车轮轨噪声控制",
    "茶叶加工机械自动化改造",
    "农村电商物流配送网络优化",
    "肝癌早期筛查分子标志物",
    "光纤陀螺温度漂移补偿",
    "玉米秸秆饲料化利用",
    "工业机器人视觉定位",
    "城市垃圾焚烧飞灰固化",
    "果蔬冷链保鲜包装材料",
    "风力发电机叶片除冰",
    "区块链供应链金融平台",
    "海水养殖病害防控",
    "高铁隧道衬砌裂缝检测",
    "人工智能辅助病理诊断",
    "钢铁冶金余热回收利用",
    "建筑垃圾再生骨料混凝土",
    "草莓组培快繁技术",
];

struct Corpus {
    docs: Vec<IndexDoc>,
}

impl Corpus {
    fn new() -> Self {
        let mut c = Corpus { docs: Vec::new() };
        for round in 0..2 {
            for (i, t) in FILLER.iter().enumerate() {
                let org = format!("org_filler{round}_{i}");
                c.achievement(&org, "某大学", t, &[], None, None);
            }
        }
        c
    }

    fn achievement(
        &mut self,
        org_id: &str,
        org_name: &str,
        title: &str,
        keywords: &[&str],
        leader: Option<&str>,
        field: Option<Field>,
    ) -> &mut IndexDoc {
        let id = format!("ach_{}", self.docs.len());
        self.docs.push(IndexDoc {
            keywords: keywords.iter().map(|k| k.to_string()).collect(),
            org_id: org_id.to_string(),
            org_name: org_name.to_string(),
            person: leader.map(str::to_string),
            field: field.map(|f| f.label().to_string()),
            more_fields: Vec::new(),
            ..IndexDoc::new(EntityKind::Achievement, &id, title)
        });
        self.docs.last_mut().expect("just pushed")
    }

    /// The production index (tantivy, in memory) over the documents, and a matcher on it.
    fn matcher(self, config: MatchConfig) -> Matcher {
        let index = SearchIndex::in_memory().expect("index");
        index.upsert(self.docs).expect("upsert");
        index.commit(1).expect("commit");
        Matcher::new(Arc::new(index)).with_config(config)
    }
}

fn lithium_corpus() -> Corpus {
    let mut c = Corpus::new();
    c.achievement(
        "org_strong",
        "中南大学",
        "高镍锂电池正极材料制备与改性",
        &["锂电池", "正极材料", "高镍"],
        Some("李明"),
        Some(Field::NewEnergy),
    );
    for t in [
        "电池回收企业管理模式",
        "电动自行车电池安全标准",
        "电池包装运输规范",
        "废旧电池社会回收网络",
        "电池产业园区规划",
        "电池行业人才培养",
    ] {
        c.achievement("org_many", "某某学院", t, &[], Some("王强"), None);
    }
    c
}

#[test]
fn one_strong_achievement_beats_many_weak_ones() {
    let m = lithium_corpus().matcher(MatchConfig::default());
    let input =
        MatchInput::from_text("锂电池正极材料的制备工艺优化。希望提高高镍正极材料的循环寿命");
    let r = m
        .rank(&input, CandidateKind::Institution, 10)
        .expect("rank");
    assert_eq!(r.candidates[0].id, "org_strong", "{r:#?}");
    assert_eq!(r.candidates[0].rank, 1);
    let many = r
        .candidates
        .iter()
        .find(|c| c.id == "org_many")
        .expect("the weak institution is ranked");
    assert!(many.rank > 1 && many.score < r.candidates[0].score);
    assert!(many.evidence.len() <= 3, "evidence is capped");
}

/// The index as ranking reads it, counting every question asked of it.
struct Counting {
    inner: SearchIndex,
    calls: AtomicUsize,
}

impl Retriever for Counting {
    fn doc_freq(&self, kind: EntityKind, term: &str) -> u64 {
        self.calls.fetch_add(1, Ordering::Relaxed);
        self.inner.doc_freq(kind, term)
    }
    fn num_docs(&self, kind: EntityKind) -> u64 {
        self.calls.fetch_add(1, Ordering::Relaxed);
        self.inner.num_docs(kind)
    }
    fn top(
        &self,
        kind: EntityKind,
        terms: &[WeightedTerm],
        filter: &Filter,
        boosts: &FieldBoosts,
        limit: usize,
    ) -> Result<Vec<ScoredDoc>, MatchError> {
        self.calls.fetch_add(1, Ordering::Relaxed);
        Retriever::top(&self.inner, kind, terms, filter, boosts, limit)
    }
    fn jieba(&self) -> Arc<duijie_search::Jieba> {
        self.inner.jieba()
    }
}

#[test]
fn a_ranking_past_its_deadline_stops_before_asking_the_index() {
    let index = SearchIndex::in_memory().expect("index");
    index.upsert(lithium_corpus().docs).expect("upsert");
    index.commit(1).expect("commit");
    let counting = Arc::new(Counting {
        inner: index,
        calls: AtomicUsize::new(0),
    });
    let m = Matcher::new(counting.clone());
    let input = MatchInput::from_text("锂电池正极材料的制备工艺优化");
    let expired = m.with_cancel(Cancel::until(Instant::now() - Duration::from_millis(1)));
    let err = expired
        .rank(&input, CandidateKind::Institution, 10)
        .expect_err("past its deadline");
    assert!(matches!(err, MatchError::Cancelled(_)), "{err:?}");
    assert_eq!(counting.calls.load(Ordering::Relaxed), 0);

    // Cancelled by its request: the same stop.
    let cancel = Cancel::never();
    let gone = m.with_cancel(cancel.clone());
    cancel.cancel();
    let err = gone
        .rank(&input, CandidateKind::Expert, 10)
        .expect_err("request gone");
    assert!(matches!(err, MatchError::Cancelled(_)), "{err:?}");
    assert_eq!(counting.calls.load(Ordering::Relaxed), 0);

    // The matcher it was cloned from is not stopped.
    let r = m
        .rank(&input, CandidateKind::Institution, 10)
        .expect("rank");
    assert_eq!(r.candidates[0].id, "org_strong");
}

#[test]
fn a_huge_description_ranks_as_its_capped_prefix() {
    let m = lithium_corpus().matcher(MatchConfig::default());
    // 15 million characters (an imported cell from before the import limits): the words
    // past the first MAX_INPUT_CHARS are not read, so the lithium words there find nothing.
    let filler = "城市供水管网漏损监测。";
    let head: String = filler.chars().cycle().take(MAX_INPUT_CHARS).collect();
    let mut description = head.clone();
    while description.len() < 45_000_000 {
        description.push_str("高镍锂电池正极材料制备与改性。");
    }
    let huge = MatchInput {
        title: "管网漏损".to_string(),
        description,
        ..MatchInput::default()
    };
    let capped = MatchInput {
        description: head,
        ..huge.clone()
    };
    let a = m.rank(&huge, CandidateKind::Institution, 10).expect("rank");
    let b = m
        .rank(&capped, CandidateKind::Institution, 10)
        .expect("rank");
    assert_eq!(a.candidates, b.candidates);
    assert!(a.candidates.iter().all(|c| c.id != "org_strong"), "{a:#?}");
    assert_eq!(m.query(&huge), m.query(&capped));
    assert_eq!(m.topic_terms(&huge), m.topic_terms(&capped));
}

#[test]
fn boilerplate_only_demand_matches_nothing() {
    let m = lithium_corpus().matcher(MatchConfig::default());
    let input = MatchInput::from_text(
        "我公司希望合作解决技术问题，提高企业研发水平，需求关键技术研究开发应用",
    );
    assert!(m.query(&input).is_empty(), "{:?}", m.query(&input));
    let r = m
        .rank(&input, CandidateKind::Institution, 10)
        .expect("rank");
    assert!(r.candidates.is_empty());
}

#[test]
fn evidence_matched_terms_and_reason() {
    let m = lithium_corpus().matcher(MatchConfig::default());
    let input = MatchInput::from_text("锂电池正极材料");
    let r = m
        .rank(&input, CandidateKind::Institution, 10)
        .expect("rank");
    let top = &r.candidates[0];
    assert_eq!(top.name, "中南大学");
    assert_eq!(top.institution, "中南大学");
    assert_eq!(top.evidence.len(), 1);
    let ev = &top.evidence[0];
    assert_eq!(ev.title, "高镍锂电池正极材料制备与改性");
    assert!(ev.matched_terms.contains(&"锂电池".to_string()), "{ev:?}");
    assert!(ev.matched_terms.contains(&"正极".to_string()), "{ev:?}");
    assert!(
        ev.matched_terms.iter().all(|t| !duijie_match::is_gram(t)),
        "bigrams stay internal: {ev:?}"
    );
    assert!(ev.score > 0.0);
    assert!(
        top.reason.starts_with("1 项相关成果，关键词："),
        "{}",
        top.reason
    );
    assert!(top.reason.contains("锂电池") && top.reason.contains("正极"));
    assert!(!top.reason.contains('~'));

    let json = serde_json::to_value(&r).expect("json");
    assert_eq!(json["kind"], "institution");
    assert_eq!(json["candidates"][0]["evidence"][0]["kind"], "achievement");
    assert!(json["took_ms"].is_number());
    for key in [
        "rank",
        "id",
        "name",
        "institution",
        "score",
        "strength",
        "tier",
        "reason",
        "evidence",
    ] {
        assert!(json["candidates"][0].get(key).is_some(), "missing {key}");
    }
}

#[test]
fn experts_are_leaders_grouped_by_institution_and_linked_to_records() {
    let mut c = lithium_corpus();
    // The same name at another institution is another person.
    c.achievement(
        "org_other",
        "湖南大学",
        "锂电池负极材料",
        &["锂电池"],
        Some("李明"),
        None,
    );
    // A linked expert record and one of their achievements.
    c.docs.push(IndexDoc {
        keywords: vec!["固态电解质".into(), "锂电池".into()],
        org_id: "org_third".into(),
        org_name: "厦门大学".into(),
        person: Some("赵华".into()),
        ..IndexDoc::new(EntityKind::Expert, "exp_zhao", "固态锂电池电解质界面")
    });
    c.achievement(
        "org_third",
        "厦门大学",
        "固态电解质离子传导",
        &[],
        Some("赵华"),
        None,
    )
    .expert_id = Some("exp_zhao".into());
    let m = c.matcher(MatchConfig::default());
    let r = m
        .rank(
            &MatchInput::from_text("锂电池正极材料与固态电解质"),
            CandidateKind::Expert,
            10,
        )
        .expect("rank");
    let ids: Vec<&str> = r.candidates.iter().map(|c| c.id.as_str()).collect();
    assert!(ids.contains(&"org_strong|李明"), "{ids:?}");
    assert!(ids.contains(&"org_other|李明"), "{ids:?}");
    let zhao = r
        .candidates
        .iter()
        .find(|c| c.id == "exp_zhao")
        .expect("expert record is the candidate id");
    assert_eq!(zhao.name, "赵华");
    assert_eq!(zhao.institution, "厦门大学");
    assert_eq!(zhao.evidence.len(), 2, "{zhao:?}");
    assert!(
        zhao.reason.contains("1 项相关成果") && zhao.reason.contains("研究方向相关"),
        "{zhao:?}"
    );
}

/// Two leaders with the same achievement; only 陈静's institution has colleagues working on
/// the same problem. The id order puts 刘洋 first on a tie.
fn group_corpus() -> Corpus {
    let mut c = Corpus::new();
    for (org, name, leader) in [("org_a", "甲大学", "刘洋"), ("org_b", "乙大学", "陈静")]
    {
        c.achievement(org, name, "盐碱地改良微生物菌剂", &[], Some(leader), None);
    }
    // Two colleagues' projects match strongly, one only by a word.
    for t in [
        "盐碱地改良微生物菌剂的田间应用",
        "盐碱地改良用复合微生物菌剂研制",
        "土壤微生物群落结构",
    ] {
        c.achievement("org_b", "乙大学", t, &[], Some("孙丽"), None);
    }
    c
}

#[test]
fn of_two_people_with_the_same_work_the_one_in_the_stronger_group_ranks_first() {
    let input = MatchInput::from_text("盐碱地改良用微生物菌剂");
    let r = group_corpus()
        .matcher(MatchConfig::default())
        .rank(&input, CandidateKind::Expert, 10)
        .expect("rank");
    let ids: Vec<&str> = r.candidates.iter().map(|c| c.id.as_str()).collect();
    let chen = ids.iter().position(|&i| i == "org_b|陈静").expect("陈静");
    let liu = ids.iter().position(|&i| i == "org_a|刘洋").expect("刘洋");
    assert!(chen < liu, "{ids:?}");
    assert!(
        r.candidates[chen]
            .reason
            .contains("所在单位另有 2 项相关工作"),
        "{}",
        r.candidates[chen].reason
    );
    assert!(!r.candidates[liu].reason.contains("所在单位"));

    // Without the organisation's share the two are tied on their own work.
    let own_only = MatchConfig {
        expert_org_weight: 0.0,
        ..MatchConfig::default()
    };
    let r = group_corpus()
        .matcher(own_only)
        .rank(&input, CandidateKind::Expert, 10)
        .expect("rank");
    let chen = r
        .candidates
        .iter()
        .find(|c| c.id == "org_b|陈静")
        .expect("陈静");
    let liu = r
        .candidates
        .iter()
        .find(|c| c.id == "org_a|刘洋")
        .expect("刘洋");
    assert!((chen.score - liu.score).abs() < 1e-6, "{chen:?} {liu:?}");
    assert!(!chen.reason.contains("所在单位"));
}

fn twin_corpus() -> Corpus {
    let mut c = Corpus::new();
    let title = "盐碱地改良微生物菌剂";
    c.achievement(
        "org_a",
        "甲大学",
        title,
        &[],
        None,
        Some(Field::ResourcesEnvironment),
    );
    c.achievement(
        "org_b",
        "乙大学",
        title,
        &[],
        None,
        Some(Field::ModernAgriculture),
    );
    c
}

#[test]
fn field_prior_only_multiplies_matching_documents() {
    let input = MatchInput::from_text("盐碱地改良微生物菌剂");
    let plain = twin_corpus().matcher(MatchConfig::default());
    let r = plain
        .rank(&input, CandidateKind::Institution, 10)
        .expect("rank");
    // Equal scores: the tie is broken by id.
    assert_eq!(r.candidates[0].id, "org_a");
    assert_eq!(r.candidates[0].score, r.candidates[1].score);

    let farming = MatchInput {
        field: Some(Field::ModernAgriculture),
        ..input.clone()
    };
    let r = plain
        .rank(&farming, CandidateKind::Institution, 10)
        .expect("rank");
    assert_eq!(r.candidates[0].id, "org_b");
    let ratio = r.candidates[0].score / r.candidates[1].score;
    assert!(
        (ratio - 1.2).abs() < 1e-3,
        "boost is the documented 1.2: {ratio}"
    );

    let no_prior = twin_corpus().matcher(MatchConfig {
        field_boost: 1.0,
        ..MatchConfig::default()
    });
    let r = no_prior
        .rank(&farming, CandidateKind::Institution, 10)
        .expect("rank");
    assert_eq!(r.candidates[0].id, "org_a", "a boost of 1 changes nothing");
}

#[test]
fn companies_are_not_ranked_as_institutions() {
    let mut c = Corpus::new();
    c.achievement(
        "org_co",
        "某某新材料有限公司",
        "石墨烯导热膜",
        &[],
        None,
        None,
    );
    c.achievement("org_uni", "某某大学", "石墨烯导热膜", &[], None, None);
    let m = c.matcher(MatchConfig::default());
    let r = m
        .rank(
            &MatchInput::from_text("石墨烯导热膜"),
            CandidateKind::Institution,
            10,
        )
        .expect("rank");
    let ids: Vec<&str> = r.candidates.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, vec!["org_uni"]);
}

#[test]
fn plain_text_is_split_into_title_keywords_and_body() {
    let input = MatchInput::from_text("高纯氧化铝粉体制备。关键词：氧化铝；粉体");
    assert_eq!(input.title, "高纯氧化铝粉体制备");
    assert_eq!(input.description, "关键词：氧化铝；粉体");
    let m = lithium_corpus().matcher(MatchConfig::default());
    let q = m.query(&MatchInput::from_text("锂电池。关键词：正极材料"));
    let terms: Vec<&str> = q.terms.iter().map(|t| t.term.as_str()).collect();
    assert!(
        terms.contains(&"锂电池") && terms.contains(&"正极"),
        "{terms:?}"
    );
    assert!(!terms.contains(&"关键词"));
}

#[test]
fn published_demands_are_recommended_to_an_institution() {
    let mut c = Corpus::new();
    for (id, title, status) in [
        (
            "dem_pub",
            "锂电池正极材料循环寿命提升",
            DemandStatus::Published,
        ),
        ("dem_draft", "锂电池正极材料降本", DemandStatus::Draft),
        ("dem_other", "茶园病虫害绿色防控", DemandStatus::InDocking),
    ] {
        c.docs.push(IndexDoc {
            org_name: "某电池公司".into(),
            org_id: "org_ent".into(),
            status: Some(status.as_str().to_string()),
            ..IndexDoc::new(EntityKind::Demand, id, title)
        });
    }
    let m = c.matcher(MatchConfig::default());
    let profile = vec![ProfileDoc {
        title: "高镍锂电池正极材料制备与改性".into(),
        keywords: vec!["锂电池".into(), "正极材料".into()],
        body: String::new(),
    }];
    let recs = m.recommend_demands(&profile, 10).expect("recommend");
    let ids: Vec<&str> = recs.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, vec!["dem_pub"], "drafts are never recommended");
    assert_eq!(recs[0].rank, 1);
    assert_eq!(recs[0].enterprise, "某电池公司");
    assert!(recs[0].matched_terms.contains(&"正极".to_string()));
    assert!(m.recommend_demands(&[], 10).expect("empty").is_empty());
}

/// A demand the corpus serves gets a 强相关 partner and says `coverage: good`; a demand that
/// shares one generic word with the corpus gets only 弱相关 candidates, `coverage: none`, and
/// reasons that count no achievement.
#[test]
fn tiers_say_how_sure_a_match_is_and_coverage_says_when_nothing_fits() {
    let m = lithium_corpus().matcher(MatchConfig::default());
    let served = m
        .rank(
            &MatchInput::from_text("高镍锂电池正极材料循环寿命提升。我公司希望改进正极材料制备"),
            CandidateKind::Institution,
            10,
        )
        .expect("rank");
    assert_eq!(served.candidates[0].id, "org_strong");
    assert_eq!(served.candidates[0].tier, duijie_match::Tier::Strong);
    assert!(served.candidates[0].strength >= 0.6);
    assert_eq!(served.coverage, duijie_match::Coverage::Good);

    // 铸造 (casting) is nowhere in the corpus; only 电池 is shared, with a battery-recycling
    // management college.
    let unserved = m
        .rank(
            &MatchInput::from_text(
                "铝合金压铸件气孔缺陷控制。我公司生产电池壳体压铸件，气孔导致漏气，希望优化压铸工艺",
            ),
            CandidateKind::Institution,
            10,
        )
        .expect("rank");
    assert!(!unserved.candidates.is_empty(), "some word is shared");
    assert_eq!(
        unserved.coverage,
        duijie_match::Coverage::None,
        "{unserved:#?}"
    );
    for c in &unserved.candidates {
        assert_eq!(c.tier, duijie_match::Tier::Weak, "{c:#?}");
        assert!(
            c.reason.starts_with("证据较弱，仅共享词语："),
            "{}",
            c.reason
        );
        assert!(!c.reason.contains("项相关成果"), "{}", c.reason);
    }
    let json = serde_json::to_value(&unserved).expect("json");
    assert_eq!(json["coverage"], "none");
    assert_eq!(json["candidates"][0]["tier"], "weak");
}

/// A demand's topics are the technology its title names, not the generic words of the
/// description around it, even when research records use those words too.
#[test]
fn topic_terms_name_the_technology_not_the_generic_words() {
    let mut c = lithium_corpus();
    for t in [
        "高纯氧化铝粉体制备工艺",
        "区域创新路径优化研究",
        "本地产业集群分散布局的成因",
        "资源配置不足与优化路径",
    ] {
        c.achievement("org_x", "某某大学", t, &[], None, None);
    }
    let m = c.matcher(MatchConfig::default());
    let input = MatchInput {
        title: "高纯氧化铝粉体制备".into(),
        description: "现有工艺能力不足，本地配套企业分散，需要优化工艺路径".into(),
        ..MatchInput::default()
    };
    let topics = m.topic_terms(&input);
    assert!(
        topics.len() <= MatchConfig::default().core_terms,
        "{topics:?}"
    );
    assert!(topics.iter().any(|t| t == "氧化铝"), "{topics:?}");
    for generic in ["不足", "本地", "分散", "优化", "路径"] {
        assert!(
            !topics.iter().any(|t| t == generic),
            "{generic} in {topics:?}"
        );
    }
    assert!(
        !topics.iter().any(|t| t == "化铝" || t == "氧化"),
        "parts of a word are not topics: {topics:?}"
    );
    // With nothing to weigh against, the first topic words of the text stand in.
    let empty = Corpus { docs: Vec::new() }.matcher(MatchConfig::default());
    assert_eq!(empty.topic_terms(&input)[0], "高纯");
}

/// A sentence encoder stand-in: every query means the first axis.
struct AxisEncoder;

impl duijie_match::QueryEncoder for AxisEncoder {
    fn encode_query(&self, _text: &str) -> Option<Vec<f32>> {
        Some(vec![1.0, 0.0, 0.0])
    }
}

fn unit(v: [f32; 3]) -> Vec<f32> {
    let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    v.iter().map(|x| x / n).collect()
}

#[test]
fn a_document_found_only_by_meaning_is_fused_in_and_marked_semantic() {
    use duijie_match::{Fusion, Semantic, VectorSet};
    let mut c = lithium_corpus();
    let sem_id = c
        .achievement(
            "org_sem",
            "清华大学",
            "动力储能单元阴极涂层工艺",
            &[],
            None,
            None,
        )
        .id
        .clone();
    let second_id = c
        .achievement(
            "org_sem2",
            "北京大学",
            "储能器件界面稳定性研究",
            &[],
            None,
            None,
        )
        .id
        .clone();
    let vectors = VectorSet::new(3);
    for d in &c.docs {
        let v = if d.id == sem_id {
            [1.0, 0.0, 0.0]
        } else if d.id == second_id {
            [0.9, 0.1, 0.0]
        } else if d.org_id == "org_strong" {
            [0.8, 0.6, 0.0]
        } else if d.org_id == "org_many" {
            [0.3, 1.0, 0.0]
        } else {
            [0.0, 0.2, 1.0]
        };
        vectors.insert(d.kind, &d.id, &unit(v));
    }
    let semantic = Semantic {
        encoder: Arc::new(AxisEncoder),
        vectors: Arc::new(vectors),
    };
    let input = MatchInput::from_text("锂电池正极材料");
    let names = |m: &Matcher| -> Vec<String> {
        m.rank(&input, CandidateKind::Institution, 10)
            .expect("rank")
            .candidates
            .into_iter()
            .map(|c| c.name)
            .collect()
    };
    let config = |ratio: f32, fusion: Fusion| MatchConfig {
        semantic_ratio: ratio,
        fusion,
        ..MatchConfig::default()
    };
    let docs = c.docs.clone();
    let corpus = || Corpus { docs: docs.clone() };

    // Words only: the document sharing no word with the demand is not found.
    let words = names(
        &corpus()
            .matcher(config(0.0, Fusion::Normalised))
            .with_semantic(semantic.clone()),
    );
    assert_eq!(words[0], "中南大学");
    assert!(!words.contains(&"清华大学".to_string()), "{words:?}");
    // A ratio without vectors attached is words only too.
    assert_eq!(
        names(&corpus().matcher(config(0.5, Fusion::Normalised))),
        words
    );

    for fusion in [Fusion::Normalised, Fusion::Rrf] {
        let m = corpus()
            .matcher(config(0.5, fusion))
            .with_semantic(semantic.clone());
        let r = m
            .rank(&input, CandidateKind::Institution, 10)
            .expect("rank");
        // Normalised scores keep BM25's margins: the document found both ways leads. (Rank
        // fusion flattens them, so six weak documents of one institution can sum past it.)
        if fusion == Fusion::Normalised {
            assert_eq!(r.candidates[0].name, "中南大学");
        }
        let lexical = r
            .candidates
            .iter()
            .find(|c| c.name == "中南大学")
            .expect("the lexical match stays");
        assert!(!lexical.evidence[0].semantic);
        let json = serde_json::to_value(lexical).expect("json");
        assert!(json["evidence"][0].get("semantic").is_none());
        let sem = r
            .candidates
            .iter()
            .find(|c| c.name == "清华大学")
            .unwrap_or_else(|| panic!("{fusion:?}: the meaning-only document is fused in"));
        let ev = &sem.evidence[0];
        assert!(ev.semantic && ev.matched_terms.is_empty(), "{ev:?}");
        let json = serde_json::to_value(sem).expect("json");
        assert_eq!(json["evidence"][0]["semantic"], true);
    }
    // Meaning only: the nearest document's institution leads.
    let dense = names(
        &corpus()
            .matcher(config(1.0, Fusion::Normalised))
            .with_semantic(semantic.clone()),
    );
    assert_eq!(dense[0], "清华大学", "{dense:?}");
    assert!(dense.contains(&"北京大学".to_string()), "{dense:?}");
    // One dense candidate per kind: only the nearest document is added by meaning.
    let one = names(
        &corpus()
            .matcher(MatchConfig {
                dense_limit: 1,
                ..config(1.0, Fusion::Normalised)
            })
            .with_semantic(semantic),
    );
    assert_eq!(one[0], "清华大学", "{one:?}");
    assert!(!one.contains(&"北京大学".to_string()), "{one:?}");
}
