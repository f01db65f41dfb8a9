//! The trends page over HTTP: table and chart, text escaped.

use crate::support::{caller, demand_form, published_demand, server, Visitor, ENTERPRISE};
use duijie_core::Role;
use reqwest::StatusCode;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trends_page_shows_a_table_and_a_chart_of_public_demands() {
    let s = server().await;
    let ent = s.token("ent", Role::Enterprise, Some(ENTERPRISE)).await;
    let bureau = s.token("bureau", Role::Bureau, None).await;
    let (ec, bc) = (caller(&s.app, &ent).await, caller(&s.app, &bureau).await);
    let form = demand_form("高纯氧化铝粉体<script>", "13900000001");
    published_demand(&s.app, &ec, &bc, &form).await;
    let form = demand_form("氧化铝陶瓷烧结", "13900000002");
    published_demand(&s.app, &ec, &bc, &form).await;
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
