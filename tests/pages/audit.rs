//! The audit log page over HTTP: bureau and administrators only, in their navigation, a table
//! of who did what with filters and Chinese errors beside the field, and the CSV export.

use crate::support::{caller, demand_form, published_demand, Db, TestServer, Visitor};
use duijie_core::Role;
use reqwest::StatusCode;

const TITLE: &str = "锂电池正极材料烧结工艺改进";
const PHONE: &str = "13911112222";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bureau_reads_and_exports_the_audit_log_through_pages() {
    let s = TestServer::start(Db::Sqlite).await.expect("sqlite server");
    let ent_token = s
        .token("ent", Role::Enterprise, Some("灵宝锂电有限公司"))
        .await;
    let bureau_token = s.token("科员小李", Role::Bureau, None).await;
    let ent = caller(&s.app, &ent_token).await;
    let bureau = caller(&s.app, &bureau_token).await;
    published_demand(&s.app, &ent, &bureau, &demand_form(TITLE, PHONE)).await;

    let mut anon = Visitor::new(&s.base);
    let p = anon.get("/audit").await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert!(p.location().starts_with("/login?next="));
    let mut e = Visitor::signed_in(&s.base, &ent_token).await;
    let p = e.get("/audit").await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    assert!(
        !p.body.contains("审计日志</a>"),
        "no link for an enterprise"
    );
    assert_eq!(e.get("/audit/export").await.status, StatusCode::FORBIDDEN);

    let mut v = Visitor::signed_in(&s.base, &bureau_token).await;
    let p = v.get("/audit").await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(
        p.body.contains(">审计日志</a>"),
        "in the bureau's navigation"
    );
    assert!(
        p.body.contains("<div class=\"table\">"),
        "the table scrolls in its frame"
    );
    for text in [
        "科员小李",
        "科技局",
        "审核通过",
        "发布目录",
        "新建账号",
        TITLE,
    ] {
        assert!(p.body.contains(text), "{text} on the page");
    }
    assert!(!p.body.contains(PHONE), "no contact value on the page");

    let p = v.get("/audit?action=demand_approve").await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("审核通过") && !p.body.contains("<td>新建账号</td>"));
    assert!(
        p.body.contains("export?action=demand_approve\">导出 CSV"),
        "the export keeps the filters"
    );

    let p = v.get("/audit?from=2026-02-30").await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(p
        .body
        .contains("id=\"err-from\">开始日期应为 YYYY-MM-DD 格式的日期"));

    let p = v.get("/audit/export?action=demand_approve").await;
    assert_eq!(p.status, StatusCode::OK);
    let disposition = p
        .headers
        .get("content-disposition")
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    assert!(disposition.starts_with("attachment; filename=\"audit-"));
    assert!(p.body.contains("科员小李,科技局"), "{}", p.body);
    assert!(p.body.contains(TITLE) && !p.body.contains(PHONE));
}
