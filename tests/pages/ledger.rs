//! The ledger pages over HTTP: bureau only, the project form with Chinese errors next to the
//! field and CSRF, progress updates, secondments, and the annual report with its charts and
//! downloads.

use crate::support::{
    caller, demand_form, import_file, published_demand, Db, Page, TestServer, Visitor, ENTERPRISE,
};
use duijie_app::{current_year, InterestForm};
use duijie_core::{EntityKind, RecordKind, Role};
use duijie_store::Record;
use reqwest::StatusCode;

const TITLE: &str = "高纯氧化铝粉体制备工艺优化";

fn refs<'a>(fields: &'a [(&'a str, String)]) -> Vec<(&'a str, &'a str)> {
    fields.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// Posts a form with the CSRF token, as a browser would.
async fn submit(v: &mut Visitor, path: &str, fields: &[(&str, String)]) -> Page {
    v.post(path, &refs(fields)).await
}

/// A demand of 灵宝市 published and accepted into docking with 郑州大学.
async fn docking_demand(s: &TestServer) -> String {
    let ent = caller(
        &s.app,
        &s.token("ent", Role::Enterprise, Some(ENTERPRISE)).await,
    )
    .await;
    let inst = caller(
        &s.app,
        &s.token("inst", Role::Institution, Some("郑州大学")).await,
    )
    .await;
    let bureau = caller(&s.app, &s.token("staff", Role::Bureau, None).await).await;
    let id = published_demand(&s.app, &ent, &bureau, &demand_form(TITLE, "13912345678")).await;
    let form = InterestForm {
        message: "我校有相关成果".into(),
        expert_ids: Vec::new(),
        achievement_ids: Vec::new(),
        instrument_ids: Vec::new(),
        contact_name: None,
        contact_phone: None,
        contact_email: None,
    };
    let interest = s
        .app
        .express_interest(&inst, &id, &form)
        .await
        .expect("interest");
    s.app
        .accept_interest(&ent, &interest.id)
        .await
        .expect("accept");
    id
}

/// An expert (the leader of an imported achievement).
async fn expert(s: &TestServer) -> String {
    let csv = "成果名称,完成单位,负责人\n苹果矮砧密植栽培技术,河南农业大学,王五\n";
    import_file(&s.app, "成果.csv", csv.as_bytes(), RecordKind::Achievements).await;
    match s
        .app
        .store()
        .scan(EntityKind::Expert, "", 10)
        .await
        .expect("scan")
        .pop()
    {
        Some(Record::Expert(e)) => e.id,
        other => panic!("no expert: {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bureau_keeps_the_ledger_and_reads_the_annual_report_through_pages() {
    let s = TestServer::start(Db::Sqlite).await.expect("sqlite server");
    let demand = docking_demand(&s).await;
    let expert = expert(&s).await;
    let year = current_year().to_string();

    // Only the bureau: anonymous readers are sent to sign in, other roles are refused.
    let mut anon = Visitor::new(&s.base);
    for path in ["/projects", "/secondments", "/reports/annual"] {
        let p = anon.get(path).await;
        assert_eq!(p.status, StatusCode::SEE_OTHER, "{path}");
        assert!(p.location().starts_with("/login?next="), "{path}");
    }
    let mut ent = Visitor::new(&s.base);
    ent.sign_in(&s.token("ent2", Role::Enterprise, Some("甲公司")).await)
        .await;
    let p = ent.get("/projects").await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    assert!(
        !p.body.contains("对接台账"),
        "no ledger link for an enterprise"
    );
    assert_eq!(
        ent.get("/reports/annual").await.status,
        StatusCode::FORBIDDEN
    );

    let mut v = Visitor::new(&s.base);
    v.sign_in(&s.token("bureau", Role::Bureau, None).await)
        .await;
    let p = v.get("/projects").await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(
        p.body.contains(">对接台账</a>"),
        "the bureau's navigation has the ledger"
    );
    assert!(
        p.body.contains(&format!("value=\"{demand}\"")),
        "the demand in docking is offered"
    );
    assert!(
        p.body.contains("已接受：郑州大学") && p.body.contains("<option value=\"郑州大学\">"),
        "the accepted institution is named and offered"
    );
    assert!(p.body.contains("没有符合条件的合作项目"));

    // Errors in Chinese next to the field, typed values kept; no CSRF token, no write.
    let signed = format!("{year}-03-01");
    let fields = |amount: &'static str| {
        vec![
            ("demand_id", demand.clone()),
            ("institution", "郑州大学".to_string()),
            ("title", "高纯氧化铝联合攻关".to_string()),
            ("amount_wan", amount.to_string()),
            ("signed_on", signed.clone()),
            ("key_project", "1".to_string()),
        ]
    };
    let p = submit(&mut v, "/projects", &(fields("很多"))).await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(p.body.contains("id=\"err-amount_wan\"") && p.body.contains("合同金额"));
    assert!(p.body.contains("value=\"郑州大学\""), "typed values kept");
    let p = submit(&mut v, "/projects", &(fields("-5"))).await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(p.body.contains("id=\"err-amount_wan\"") && p.body.contains("不小于 0"));
    let raw = fields("120");
    let p = v.post_raw("/projects", &refs(&raw)).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    assert!(p.body.contains("表单已失效"));

    let p = submit(&mut v, "/projects", &(fields("120.5"))).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let project = p.location().to_string();
    assert!(project.starts_with("/projects/prj_"), "{project}");
    let p = v.get(&project).await;
    assert!(p.body.contains("高纯氧化铝联合攻关") && p.body.contains("已签约"));
    assert!(
        p.body.contains("120.5 万元") && p.body.contains("灵宝市") && p.body.contains("重点项目")
    );
    let p = v.get(&format!("/demands/{demand}")).await;
    assert!(p.body.contains("已签约"), "the demand is contracted");

    // Progress: a bad milestone date is explained; a good update shows.
    let update = |date: &str| {
        vec![
            ("status", "in_progress".to_string()),
            ("new_date", date.to_string()),
            ("new_text", "完成小试".to_string()),
            ("notes", "企业追加投入<b>".to_string()),
        ]
    };
    let p = submit(&mut v, &project, &update("明年")).await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(p.body.contains("节点日期"), "{}", p.body);
    let p = submit(&mut v, &project, &update(&format!("{year}-06-30"))).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let p = v.get(p.location()).await;
    assert!(p.body.contains("修改已保存"));
    assert!(p.body.contains("实施中") && p.body.contains("完成小试"));
    assert!(
        p.body.contains("企业追加投入&lt;b&gt;"),
        "notes are escaped"
    );
    let p = v
        .get(&format!(
            "/projects?year={year}&key=true&region=%E7%81%B5%E5%AE%9D%E5%B8%82"
        ))
        .await;
    assert!(p.body.contains("高纯氧化铝联合攻关"));
    let p = v.get("/projects?year=abc").await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(p.body.contains("年份“abc”无效"), "{}", p.body);

    // Secondments: the expert is found by name and picked, not typed as an id.
    let p = v.get("/secondments?expert_q=王").await;
    assert!(
        p.body
            .contains(&format!("name=\"expert_id\" value=\"{expert}\""))
            && p.body.contains("<b>王五</b>"),
        "{}",
        p.body
    );
    assert!(!p.body.contains("exp_…"), "no id to copy by hand");
    let sec = |end: &str| {
        vec![
            ("expert_id", expert.clone()),
            ("host", "灵宝市人民政府".to_string()),
            ("post", "科技副市长".to_string()),
            ("start", format!("{year}-02-01")),
            ("end", end.to_string()),
        ]
    };
    let p = submit(&mut v, "/secondments", &sec(&format!("{year}-01-01"))).await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(p.body.contains("id=\"err-end\"") && p.body.contains("结束日期不能早于开始日期"));
    let p = submit(&mut v, "/secondments", &sec("")).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let p = v.get(p.location()).await;
    assert!(
        p.body.contains("王五") && p.body.contains("灵宝市人民政府") && p.body.contains("至今")
    );

    // The annual report: charts drawn on the server, tables, and downloads.
    let p = v.get(&format!("/reports/annual?year={year}")).await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("<svg") && p.body.contains("各县（市、区）合同金额"));
    assert!(p.body.contains("灵宝市") && p.body.contains("120.5") && p.body.contains("王五"));
    assert!(p.body.contains(&format!("year={year}&amp;format=xlsx")));
    let p = v
        .get(&format!("/reports/annual?year={year}&format=xlsx"))
        .await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.headers["content-type"]
        .to_str()
        .unwrap_or_default()
        .contains("spreadsheetml"));
    let p = v
        .get(&format!("/reports/annual?year={year}&format=json"))
        .await;
    assert!(
        p.body.contains("\"contract_value_wan\": 120.5"),
        "{}",
        p.body
    );
    let p = v.get("/reports/annual?year=abc").await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(p.body.contains("请求有误") && p.body.contains("年份“abc”无效"));
}
