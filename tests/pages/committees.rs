//! The bureau's committee pages over HTTP.

use crate::support::{caller, demand_form, published_demand, server, Visitor, ENTERPRISE};
use duijie_core::{AchievementDraft, Draft, EntityKind, Role};
use duijie_store::Record;
use reqwest::StatusCode;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bureau_proposes_adjusts_and_confirms_a_committee() {
    let s = server().await;
    let ent = s.token("ent", Role::Enterprise, Some(ENTERPRISE)).await;
    let bureau = s.token("bureau", Role::Bureau, None).await;
    let inst = s.token("zzu", Role::Institution, Some("郑州大学")).await;
    let records: Vec<Draft> = [
        ("郑州大学", "高纯氧化铝粉体制备", "李一"),
        ("郑州大学", "氧化铝粉体表面改性", "李二"),
        ("郑州大学", "氧化铝粉体粒度控制", "李三"),
        ("河南大学", "氧化铝陶瓷烧结", "王五"),
        ("浙江大学", "水稻抗病基因挖掘", "周一"),
        ("西安交通大学", "高压直流输电绝缘监测", "吴一"),
        ("华中科技大学", "工业机器人轨迹规划", "郑一"),
        ("中国农业大学", "奶牛精准饲喂系统", "冯一"),
    ]
    .iter()
    .map(|(org, title, leader)| {
        Draft::Achievement(AchievementDraft {
            org_name: (*org).into(),
            title: (*title).into(),
            summary: format!("{title}研究"),
            leader: Some((*leader).into()),
            ..Default::default()
        })
    })
    .collect();
    s.import_achievements(records).await;
    let (ec, bc) = (caller(&s.app, &ent).await, caller(&s.app, &bureau).await);
    let draft = demand_form("高纯氧化铝粉体提纯", "13900000001");
    published_demand(&s.app, &ec, &bc, &draft).await;

    let mut i = Visitor::signed_in(&s.base, &inst).await;
    assert_eq!(i.get("/committees").await.status, StatusCode::FORBIDDEN);

    let mut v = Visitor::signed_in(&s.base, &bureau).await;
    let p = v.get("/committees").await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("专家委员会") && p.body.contains("生成推荐名单"));
    let p = v
        .post("/committees", &[("field", "新材料"), ("size", "abc")])
        .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    let form = [("field", "新材料"), ("size", "4"), ("name", "")];
    let p = v.post("/committees", &form).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let path = p.location().to_string();
    let p = v.get(&path).await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("新材料专家咨询委员会"));
    assert!(p.body.contains("覆盖子议题"));
    let zzu_members = p.body.matches("<td>郑州大学</td>").count();
    assert!(
        (1..=2).contains(&zzu_members),
        "two per institution at most"
    );

    // Keep nobody but add three 郑州大学 experts: refused, named on the page. (The leaders
    // have no text of their own, so they are not in the search index: read them from the
    // store.)
    let experts = s
        .app
        .store()
        .scan(EntityKind::Expert, "", 100)
        .await
        .expect("experts");
    let zz: Vec<String> = experts
        .iter()
        .filter_map(|r| match r {
            Record::Expert(e) if e.org_name == "郑州大学" => Some(e.id.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(zz.len(), 3);
    // The experts to add are found by name on the page, not typed as ids.
    let p = v.get(&format!("{path}?add_q=李")).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    for id in &zz {
        assert!(
            p.body.contains(&format!("name=\"keep\" value=\"{id}\""))
                || p.body.contains(&format!("name=\"add\" value=\"{id}\"")),
            "{id} is a member or offered by name"
        );
    }
    assert!(p.body.contains("<b>李一</b>") || p.body.contains(">李一</a>"));
    let p = v
        .post(
            &format!("{path}/members"),
            &zz.iter().map(|id| ("add", id.as_str())).collect::<Vec<_>>(),
        )
        .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(p.body.contains("同一单位最多 2 名委员"));
    let members = format!("{path}/members");
    let form: [(&str, &str); 2] = [("add", &zz[0]), ("notes", "待确认")];
    let p = v.post(&members, &form).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    let p = v.get(&path).await;
    assert_eq!(p.body.matches("name=\"keep\"").count(), 1);
    assert!(p.body.contains("待确认"));
    let p = v
        .post(&format!("{path}/status"), &[("status", "confirmed")])
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    let p = v.get(&path).await;
    assert!(p.body.contains("已确认") && p.body.contains("改回草案"));
    assert!(!p.body.contains("name=\"keep\""));
}
