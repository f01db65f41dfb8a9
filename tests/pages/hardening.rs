//! Issue #18 in the pages: the edit and review forms send the version they showed and say
//! 已被他人修改 with the newer content when it is stale; a creating form sent twice makes one
//! record.

use crate::support::{caller, demand_form, Db, TestServer, Visitor};
use duijie_core::Role;
use reqwest::StatusCode;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stale_forms_say_someone_else_changed_it_and_a_form_sent_twice_makes_one_demand() {
    let s = TestServer::start(Db::Sqlite).await.expect("sqlite server");
    let ent_token = s.token("ent", Role::Enterprise, Some("甲公司")).await;
    let bureau_token = s.token("bureau", Role::Bureau, None).await;
    let ent = caller(&s.app, &ent_token).await;
    let mut v = Visitor::signed_in(&s.base, &ent_token).await;

    // The new-demand form carries a key; sending it twice makes one demand.
    let form = v.get("/demands/new").await;
    let key = form.input("idempotency_key");
    assert!(key.len() >= 32, "{key}");
    let fields = [
        ("idempotency_key", key.as_str()),
        ("title", "双击提交的需求"),
        ("description", "只应保存一次"),
    ];
    let first = v.post("/demands/new", &fields).await;
    let second = v.post("/demands/new", &fields).await;
    assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.body);
    assert_eq!(
        (second.status, second.location()),
        (StatusCode::SEE_OTHER, first.location())
    );
    let (mine, total) = s.app.list_demands(&ent, None, 0, 10).await.expect("list");
    assert_eq!(total, 1, "{mine:?}");
    let id = mine[0].id.clone();
    // A fresh form has a fresh key.
    let again = v.get("/demands/new").await;
    assert_ne!(again.input("idempotency_key"), key);

    // The edit form shows version 1; a colleague saves first; saving the old form is refused
    // and the form now shows the colleague's text.
    let edit = v.get(&format!("/demands/{id}/edit")).await;
    let version = edit.input("version");
    let mut colleague = demand_form("双击提交的需求", "13912345678");
    colleague.description = Some("同事先保存的描述".into());
    s.app
        .edit_demand(&ent, &id, &colleague, None)
        .await
        .expect("colleague");
    let edit_url = format!("/demands/{id}/edit");
    let entries: [(&str, &str); 3] = [
        ("version", version.as_str()),
        ("title", "双击提交的需求"),
        ("description", "我基于旧内容的修改"),
    ];
    let p = v.post(&edit_url, &entries).await;
    assert_eq!(p.status, StatusCode::PRECONDITION_FAILED, "{}", p.body);
    assert!(p.body.contains("已被他人修改"), "{}", p.body);
    assert!(
        p.body.contains("同事先保存的描述"),
        "the newer content is shown"
    );
    assert_ne!(
        p.input("version"),
        version,
        "the form now carries the newer version"
    );
    let now = s.app.demand(&ent, &id).await.expect("demand");
    assert_eq!(now.body.description, "同事先保存的描述");
    // Saved on the newer version, the change goes through.
    let newer = p.input("version");
    let edit_url = format!("/demands/{id}/edit");
    let entries: [(&str, &str); 3] = [
        ("version", newer.as_str()),
        ("title", "双击提交的需求"),
        ("description", "在最新内容上的修改"),
    ];
    let p = v.post(&edit_url, &entries).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);

    // The reviewer's page shows a version; an edit after it makes the approval stale.
    s.app.submit_demand(&ent, &id).await.expect("submit");
    let mut b = Visitor::signed_in(&s.base, &bureau_token).await;
    let page = b.get(&format!("/demands/{id}")).await;
    let seen = page.input("version");
    let late = duijie_app::DemandForm {
        goals: Some("审核页面打开后才改的目标".into()),
        ..duijie_app::DemandForm::default()
    };
    s.app
        .edit_demand(&ent, &id, &late, None)
        .await
        .expect("late edit");
    let review = format!("/demands/{id}/review");
    let entries: [(&str, &str); 2] = [("version", seen.as_str()), ("decision", "approve")];
    let p = b.post(&review, &entries).await;
    assert_eq!(p.status, StatusCode::PRECONDITION_FAILED, "{}", p.body);
    assert!(p.body.contains("已被他人修改") && p.body.contains("审核页面打开后才改的目标"));
    let now = s.app.demand(&ent, &id).await.expect("demand");
    assert_eq!(now.status, duijie_core::DemandStatus::Submitted);
}
