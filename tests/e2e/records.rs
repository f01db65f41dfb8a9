//! Achievements and demands stored directly for the scenarios (with a background of other
//! institutions' work), and leaders without text of their own: out of the index, ranked
//! through their projects.

use duijie_core::{DemandDraft, DemandStatus, EntityKind, Field, OrgKind};
use duijie_e2e::{TestServer, ENTERPRISE};
use duijie_store::Actor;
use reqwest::StatusCode;
use serde_json::{json, Value};

fn actor() -> Actor {
    Actor {
        id: None,
        name: "e2e".into(),
    }
}

/// Unrelated work of other institutions, so that the test's words are informative.
const BACKGROUND: [(&str, &str, &str); 10] = [
    ("浙江大学", "水稻抗病基因挖掘", "周一"),
    ("浙江大学", "茶园病虫害绿色防控", "周二"),
    ("西安交通大学", "高压直流输电绝缘监测", "吴一"),
    ("西安交通大学", "燃气轮机叶片冷却", "吴二"),
    ("华中科技大学", "工业机器人轨迹规划", "郑一"),
    ("华中科技大学", "激光焊接熔池监测", "郑二"),
    ("中国农业大学", "奶牛精准饲喂系统", "冯一"),
    ("中国农业大学", "果蔬冷链保鲜", "冯二"),
    ("北京理工大学", "无人机集群协同控制", "陈一"),
    ("北京理工大学", "含能材料安全评估", "陈二"),
];

/// Achievements `(institution, title, leader)` and the background; each leader becomes
/// an expert.
pub(crate) async fn import_achievements(s: &TestServer, rows: &[(&str, &str, &str)]) {
    let all: Vec<(&str, &str, &str)> = rows.iter().chain(&BACKGROUND).copied().collect();
    crate::interests::import_achievements(s, &all).await;
}

/// A demand with every field of the API's form filled in.
pub(crate) fn complete_demand(title: &str, description: &str, modes: &[&str]) -> Value {
    json!({
        "title": title,
        "description": description,
        "goals": "纯度达到99.99%，粒径分布D50≤1μm",
        "field": "新材料",
        "modes": modes,
        "budget_wan": 50,
        "region": "灵宝市",
        "deadline": "2027-06-30",
        "contact_name": "张三",
        "contact_phone": "13800000000",
        "contact_email": "a@b.cn"
    })
}

/// A demand of an enterprise stored directly in `status`.
pub(crate) async fn demand(
    s: &TestServer,
    title: &str,
    field: Field,
    region: Option<&str>,
    status: DemandStatus,
) -> String {
    let org = s
        .app
        .store()
        .ensure_organization(ENTERPRISE, OrgKind::Enterprise)
        .await
        .unwrap();
    let draft = DemandDraft {
        org_name: org.name.clone(),
        title: title.into(),
        description: format!("{title}，寻求合作。"),
        field: Some(field),
        region: region.map(str::to_string),
        ..DemandDraft::default()
    };
    s.app
        .store()
        .create_demand(&org.id, &draft, status, &actor())
        .await
        .unwrap()
        .id
}

/// NSFC-style leaders are experts with nothing to match on: they stay out of the index and of
/// every statistic, and are still ranked as experts through the projects they lead; every
/// candidate carries its tier and the ranking its coverage.
pub async fn leaders_without_text_stay_out_of_the_index(s: TestServer) {
    import_achievements(&s, &[("郑州大学", "高纯氧化铝粉体制备技术", "李四")]).await;
    s.indexed().await;
    assert_eq!(s.app.index().num_docs_in(EntityKind::Expert), 0);
    assert_eq!(
        s.app.index().num_docs_in(EntityKind::Achievement),
        BACKGROUND.len() as u64 + 1
    );
    let body = json!({"text": "高纯氧化铝粉体制备", "kind": "expert", "limit": 5});
    let r = s.post("/api/v1/match", None, body).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let top = &r.body["candidates"][0];
    assert_eq!(top["name"], "李四", "{}", r.body);
    assert_eq!(top["institution"], "郑州大学");
    assert_eq!(top["tier"], "strong", "{}", r.body);
    assert_eq!(r.body["coverage"], "good");
}
