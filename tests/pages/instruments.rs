//! The instrument pages over HTTP: the list with facets, the detail, the institution's form
//! with CSRF.

use crate::support::{server, Visitor, ENTERPRISE};
use duijie_core::Role;
use reqwest::StatusCode;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instruments_are_listed_found_and_added_by_institutions() {
    let s = server().await;
    let inst = s.token("zzu", Role::Institution, Some("郑州大学")).await;
    let ent = s.token("ent", Role::Enterprise, Some(ENTERPRISE)).await;
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
    let fields = [("name", "<b>衍射仪</b>"), ("fields", "火星科技")];
    let p = v.post("/instruments/new", &fields).await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(p.body.contains("未知领域"));
    assert!(p.body.contains("&lt;b&gt;衍射仪") && !p.body.contains("<b>衍射仪"));
    let fields = [
        ("name", "X射线衍射仪"),
        ("model", "D8 Advance"),
        ("fields", "新材料"),
        ("fields", "先进制造与自动化"),
        ("description", "粉体物相分析与晶粒尺寸测定"),
        ("location", "材料楼101"),
        ("booking_terms", "工作日预约，按机时收费"),
    ];
    let p = v.post("/instruments/new", &fields).await;
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
    let mut e = Visitor::signed_in(&s.base, &ent).await;
    let p = e.get("/instruments/new").await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
}
