//! The institution's workspace through the pages: the record form shows every problem at
//! once beside its field, a saved record is listed, edited with the version it showed and
//! seen by the bureau; the 揭榜 form searches the institution's own records with nothing
//! pre-ticked; 我的对接意向 lists the proposal.

use crate::support::{
    caller, demand_form, import_achievements, published_demand, Db, TestServer, Visitor,
};
use duijie_core::Role;
use reqwest::StatusCode;

const ACHIEVEMENTS: &str = "成果名称,完成单位,负责人,关键词\n\
高纯氧化铝粉体低温煅烧与烧结活性调控技术,郑州大学,李四,氧化铝；煅烧；烧结活性\n\
小麦抗旱品种选育,河南大学,王五,小麦；抗旱\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn institutions_keep_records_and_cite_them_through_pages() {
    let s = TestServer::start(Db::Sqlite).await.expect("sqlite server");
    let zzu_token = s.token("zzu", Role::Institution, Some("郑州大学")).await;
    let bureau_token = s.token("bureau", Role::Bureau, None).await;
    let ent_token = s.token("ent", Role::Enterprise, Some("甲公司")).await;
    import_achievements(&s.app, ACHIEVEMENTS).await;
    let mut zzu = Visitor::signed_in(&s.base, &zzu_token).await;
    let p = zzu.get("/workspace").await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("本单位资料") && p.body.contains("我的对接意向"));
    assert!(
        p.body.contains("高纯氧化铝粉体低温煅烧"),
        "own imported record listed"
    );
    assert!(
        !p.body.contains("小麦抗旱"),
        "another institution's record is not"
    );

    // Every problem at once, each beside its field, what was typed kept.
    let p = zzu.get("/workspace/achievements/new").await;
    let key = p.input("idempotency_key");
    let entries: [(&str, &str); 5] = [
        ("idempotency_key", &key),
        ("title", ""),
        ("summary", ""),
        ("year", "明年"),
        ("region", "郑州"),
    ];
    let p = zzu.post("/workspace/achievements/new", &entries).await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST, "{}", p.body);
    for field in ["title", "summary", "year"] {
        assert!(
            p.body.contains(&format!("id=\"err-{field}\"")),
            "{field} error shown"
        );
    }
    assert!(p.body.contains("有 3 处需要修改"), "{}", p.body);
    assert!(p.body.contains("value=\"郑州\""), "typed values kept");

    let key = p.input("idempotency_key");
    let entries: [(&str, &str); 5] = [
        ("idempotency_key", &key),
        ("title", "稀土永磁电机控制技术"),
        ("summary", "高效永磁同步电机矢量控制"),
        ("keywords", "永磁电机，矢量控制"),
        ("field", "先进制造与自动化"),
    ];
    let p = zzu.post("/workspace/achievements/new", &entries).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let record = p.location().to_string();
    assert!(record.starts_with("/achievements/"), "{record}");
    let id = record.trim_start_matches("/achievements/").to_string();

    // Edited with the version the form showed; a second edit from the same form is stale.
    let edit = format!("/workspace/achievements/{id}/edit");
    let p = zzu.get(&edit).await;
    assert!(p.body.contains("稀土永磁电机控制技术"));
    let version = p.input("version");
    let fields = |title: &'static str| {
        vec![
            ("title", title),
            ("summary", "高效永磁同步电机矢量控制与弱磁扩速"),
        ]
    };
    let mut sent = fields("稀土永磁同步电机控制技术");
    sent.push(("version", &version));
    let p = zzu.post(&edit, &sent).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let p = zzu.post(&edit, &sent).await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST, "stale: {}", p.body);
    assert!(p.body.contains("已被修改"), "{}", p.body);

    // The bureau sees the change with a link to the record.
    let mut bureau = Visitor::signed_in(&s.base, &bureau_token).await;
    let p = bureau.get("/record-changes").await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("稀土永磁同步电机控制技术"), "{}", p.body);
    // minijinja escapes `/` in attributes.
    assert!(
        p.body.contains(&format!("achievements&#x2f;{id}\"")),
        "link to the record"
    );
    assert_eq!(
        zzu.get("/record-changes").await.status,
        StatusCode::FORBIDDEN
    );

    // The 揭榜 form: nothing ticked; the search finds the institution's own record.
    let ent = caller(&s.app, &ent_token).await;
    let bureau_caller = caller(&s.app, &bureau_token).await;
    let draft = demand_form("高纯氧化铝粉体烧结活性提升", "13912345678");
    let demand = published_demand(&s.app, &ent, &bureau_caller, &draft).await;
    let page = format!("/demands/{demand}");
    let p = zzu.get(&page).await;
    assert!(p.body.contains("提交对接意向"));
    assert!(p.body.contains("name=\"cite_q\""), "search box shown");
    assert!(
        !p.body.contains(" checked>"),
        "nothing pre-ticked: {}",
        p.body
    );
    let search_url = format!("{page}/interests/search");
    let entries = [
        ("message", "我校可承担电机控制部分"),
        ("cite_q", "永磁电机"),
    ];
    let p = zzu.post(&search_url, &entries).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(p.body.contains("我校可承担电机控制部分"), "message kept");
    assert!(p.body.contains("value=\"永磁电机\""), "query kept");
    let found = p.body.find("id=\"cite-found\"").expect("results shown");
    let results = &p.body[found..];
    assert!(results.contains(&format!("value=\"{id}\"")), "{results}");
    assert!(
        !p.body.contains(" checked>"),
        "nothing ticked by the search"
    );

    // Ticked records survive another search.
    let search_url = format!("{page}/interests/search");
    let entries: [(&str, &str); 3] = [
        ("message", "我校可承担电机控制部分"),
        ("cite_q", "不存在的词"),
        ("achievement_ids", &id),
    ];
    let p = zzu.post(&search_url, &entries).await;
    assert!(p.body.contains("没有与"), "{}", p.body);
    let kept = p.body.find("id=\"cite-kept\"").expect("ticked kept");
    assert!(p.body[kept..].contains(&format!("value=\"{id}\" checked")));

    let key = p.input("idempotency_key");
    let interests = format!("{page}/interests");
    let entries: [(&str, &str); 3] = [
        ("idempotency_key", &key),
        ("message", "我校可承担电机控制部分"),
        ("achievement_ids", &id),
    ];
    let p = zzu.post(&interests, &entries).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let p = zzu.get("/my/interests").await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("高纯氧化铝粉体烧结活性提升"));
    assert!(p.body.contains("待回复"));
    assert!(p
        .body
        .contains(&format!("demands&#x2f;{demand}#interests\"")));
}
