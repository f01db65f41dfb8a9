//! User text against the index: the search box (`SearchIndex::search`, text and filters as a
//! caller could send them) and the matcher's query builder and ranking, over a small index in
//! memory. Any text must give a page of results (possibly empty), never an error or a panic.

use duijie_core::{EntityKind, Field};
use duijie_match::{CandidateKind, MatchInput, Matcher};
use duijie_search::{IndexDoc, SearchIndex, SearchQuery};
use std::sync::{Arc, OnceLock};

struct Fixture {
    index: Arc<SearchIndex>,
    matcher: Matcher,
}

fn doc(kind: EntityKind, n: usize, title: &str, keywords: &[&str], body: &str) -> IndexDoc {
    IndexDoc {
        kind,
        id: format!("{}-{n}", kind.as_str()),
        title: title.to_string(),
        keywords: keywords.iter().map(|k| k.to_string()).collect(),
        body: body.to_string(),
        org_id: format!("org-{}", n % 3),
        org_name: ["郑州大学", "河南大学", "灵宝金源矿业有限公司"][n % 3].to_string(),
        person: (kind != EntityKind::Demand).then(|| ["李四", "王五"][n % 2].to_string()),
        expert_id: (kind != EntityKind::Demand).then(|| format!("expert-{}", n % 2)),
        field: Some("新材料".to_string()),
        region: Some("郑州市".to_string()),
        status: (kind == EntityKind::Demand).then(|| "published".to_string()),
        modes: vec!["技术开发".to_string()],
        more_fields: Vec::new(),
        created_at: 1_700_000_000_000 + n as i64,
        year: Some(2020 + n as i64 % 5),
        deadline_day: None,
        budget_wan: None,
    }
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let texts: [(&str, &[&str], &str); 4] = [
            (
                "高纯氧化铝粉体制备技术",
                &["氧化铝", "粉体"],
                "优化粉体制备与煅烧工艺，降低杂质含量。",
            ),
            (
                "纳米材料煅烧工艺 <b>&amp;</b>",
                &["纳米", "煅烧"],
                "Nano powder calcination; 温度 1200℃, 收率 95%.",
            ),
            (
                "玉米秸秆综合利用",
                &["秸秆", "生物质"],
                "秸秆制备生物炭和有机肥的关键技术。",
            ),
            (
                "Deep learning 图像识别",
                &["AI"],
                "卷积神经网络 CNN 识别缺陷。",
            ),
        ];
        let mut docs = Vec::new();
        for kind in [
            EntityKind::Demand,
            EntityKind::Achievement,
            EntityKind::Expert,
        ] {
            for (n, (title, keywords, body)) in texts.iter().enumerate() {
                docs.push(doc(kind, n, title, keywords, body));
            }
        }
        let index = SearchIndex::in_memory().expect("an in-memory index opens");
        index.upsert(docs).expect("documents are added");
        index.commit(1).expect("the index commits");
        let index = Arc::new(index);
        let matcher = Matcher::new(index.clone());
        Fixture { index, matcher }
    })
}

/// The input as a caller's request: the first line is the search text, the next lines are
/// the field, region, cooperation mode and organisation filters; the first and last bytes
/// choose the page.
pub fn query(data: &[u8]) {
    let f = fixture();
    let text = String::from_utf8_lossy(data);
    let mut lines = text.split('\n');
    let q = lines.next().unwrap_or_default().to_string();
    let mut filter = || lines.next().map(str::to_string).filter(|s| !s.is_empty());
    let (field, region, mode, org_id) = (filter(), filter(), filter(), filter());
    let offset = usize::from(data.first().copied().unwrap_or(0)) * 40;
    let limit = usize::from(data.last().copied().unwrap_or(20));
    for kind in [
        EntityKind::Demand,
        EntityKind::Achievement,
        EntityKind::Expert,
    ] {
        let sq = SearchQuery {
            kind,
            text: Some(q.clone()),
            field: field.clone(),
            region: region.clone(),
            mode: mode.clone(),
            statuses: Some(vec!["published".to_string(), q.clone()]),
            org_id: org_id.clone(),
            // The same hostile text as an expert id: a filter value is never syntax.
            expert_id: Some(q.clone()),
            ranges: Default::default(),
            ids: None,
            sort: Default::default(),
            offset,
            limit,
        };
        let page = f
            .index
            .search(&sq)
            .unwrap_or_else(|e| panic!("search failed on user text: {e}"));
        assert!(page.hits.len() <= limit.max(1), "a page is at most `limit`");
        assert!(page.total >= page.hits.len().min(page.total));
        for hit in &page.hits {
            assert!(!hit.title_html.contains("<b>"), "titles are escaped");
        }
    }

    let inputs = [
        MatchInput::from_text(&text),
        MatchInput {
            title: q.clone(),
            description: text.to_string(),
            goals: field.clone().unwrap_or_default(),
            field: Field::from_label(region.as_deref().unwrap_or_default()),
            region,
        },
    ];
    for input in &inputs {
        let weighted = f.matcher.query(input);
        for t in &weighted.terms {
            assert!(
                t.weight.is_finite() && t.weight > 0.0,
                "weights are positive"
            );
        }
        for kind in [CandidateKind::Institution, CandidateKind::Expert] {
            let ranking = f
                .matcher
                .rank(input, kind, 10)
                .unwrap_or_else(|e| panic!("ranking failed on user text: {e}"));
            assert!(ranking.candidates.len() <= 10);
        }
    }
}
