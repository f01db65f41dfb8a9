//! The market pages over HTTP: instruments (list with facets, detail, the institution's form
//! with CSRF), trends (table and chart, text escaped) and the bureau's committees.

use crate::support::{caller, demand_form, published_demand, Db, TestServer, Visitor};
use duijie_core::{AchievementDraft, Draft, EntityKind, Role};
use duijie_store::Record;
use reqwest::StatusCode;

async fn server() -> TestServer {
    TestServer::start(Db::Sqlite).await.expect("sqlite server")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instruments_are_listed_found_and_added_by_institutions() {
    let s = server().await;
    let inst = s.token("zzu", Role::Institution, Some("郑州大学")).await;
    let ent = s
        .token("ent", Role::Enterprise, Some("灵宝金源矿业有限公司"))
        .await;
    let mut v = Visitor::new(&s.base);
    let p = v.get("/instruments").await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("科研仪器共享") && p.body.contains("仪器共享"));
    assert!(
        !p.body.contains("登记仪器"),
        "anonymous callers see no form link"
    );
    let p = v.get("/instruments/new").await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "sign in first");

    v.sign_in(&inst).await;
    let p = v.get("/instruments").await;
    assert!(p.body.contains("/instruments/new"));
    let p = v.get("/instruments/new").await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("name=\"csrf\"") && p.body.contains("新材料"));

    // Without the CSRF token nothing is written.
    let p = v
        .post_raw("/instruments/new", &[("name", "X射线衍射仪")])
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    // A bad field is named on the form, the input kept and escaped.
    let p = v
        .post(
            "/instruments/new",
            &[("name", "<b>衍射仪</b>"), ("fields", "火星科技")],
        )
        .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(p.body.contains("未知领域"));
    assert!(p.body.contains("&lt;b&gt;衍射仪") && !p.body.contains("<b>衍射仪"));
    let p = v
        .post(
            "/instruments/new",
            &[
                ("name", "X射线衍射仪"),
                ("model", "D8 Advance"),
                ("fields", "新材料"),
                ("fields", "先进制造与自动化"),
                ("description", "粉体物相分析与晶粒尺寸测定"),
                ("location", "材料楼101"),
                ("booking_terms", "工作日预约，按机时收费"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let detail = p.location().to_string();
    assert!(detail.starts_with("/instruments/ins"));
    let p = v.get(&detail).await;
    assert_eq!(p.status, StatusCode::OK);
    for text in [
        "X射线衍射仪",
        "D8 Advance",
        "郑州大学",
        "按机时收费",
        "先进制造与自动化",
    ] {
        assert!(p.body.contains(text), "{text}");
    }

    s.app.sync_index().await.expect("index");
    let mut anon = Visitor::new(&s.base);
    let p = anon.get("/instruments?q=衍射").await;
    assert!(p.body.contains("<em>衍射</em>") || p.body.contains("<em>"));
    assert!(p.body.contains(&detail));
    assert!(
        p.body.contains("field=%E6%96%B0%E6%9D%90%E6%96%99"),
        "facet link"
    );
    let p = anon.get("/instruments?field=新材料&page=2").await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(!p.body.contains(&detail), "one page only");

    // Enterprises may not list instruments.
    let mut e = Visitor::new(&s.base);
    e.sign_in(&ent).await;
    let p = e.get("/instruments/new").await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trends_page_shows_a_table_and_a_chart_of_public_demands() {
    let s = server().await;
    let ent = s
        .token("ent", Role::Enterprise, Some("灵宝金源矿业有限公司"))
        .await;
    let bureau = s.token("bureau", Role::Bureau, None).await;
    let (ec, bc) = (caller(&s.app, &ent).await, caller(&s.app, &bureau).await);
    published_demand(
        &s.app,
        &ec,
        &bc,
        &demand_form("高纯氧化铝粉体<script>", "13900000001"),
    )
    .await;
    published_demand(
        &s.app,
        &ec,
        &bc,
        &demand_form("氧化铝陶瓷烧结", "13900000002"),
    )
    .await;
    s.app
        .create_demand(&ec, &demand_form("石墨烯草稿", "13900000003"))
        .await
        .expect("draft");
    let mut v = Visitor::new(&s.base);
    let p = v.get("/trends?by=region&period=year").await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("<svg") && p.body.contains("<rect"));
    assert!(p.body.contains("灵宝市"));
    assert!(p.body.contains("上升热词"));
    assert!(p.body.contains("氧化铝"));
    assert!(!p.body.contains("石墨烯"), "drafts are not public");
    assert!(!p.body.contains("<script"), "no script, text escaped");
    let p = v.get("/trends?period=week").await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(p.body.contains("period"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bureau_proposes_adjusts_and_confirms_a_committee() {
    let s = server().await;
    let ent = s
        .token("ent", Role::Enterprise, Some("灵宝金源矿业有限公司"))
        .await;
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
    published_demand(
        &s.app,
        &ec,
        &bc,
        &demand_form("高纯氧化铝粉体提纯", "13900000001"),
    )
    .await;

    let mut i = Visitor::new(&s.base);
    i.sign_in(&inst).await;
    assert_eq!(i.get("/committees").await.status, StatusCode::FORBIDDEN);

    let mut v = Visitor::new(&s.base);
    v.sign_in(&bureau).await;
    let p = v.get("/committees").await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("专家委员会") && p.body.contains("生成推荐名单"));
    let p = v
        .post("/committees", &[("field", "新材料"), ("size", "abc")])
        .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    let p = v
        .post(
            "/committees",
            &[("field", "新材料"), ("size", "4"), ("name", "")],
        )
        .await;
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
    let p = v
        .post(
            &format!("{path}/members"),
            &[("add", &zz[0]), ("notes", "待确认")],
        )
        .await;
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
