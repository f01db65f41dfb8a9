//! Notifications (通知) over HTTP: each event writes the right inbox rows for the right
//! accounts and none for others; unread counts, marking read, delivery choices; and the mail
//! worker against a real SMTP server (aiosmtpd, started on a loopback port) — delivery,
//! digests, retries after the relay was down, no duplicate after a crash between claim and
//! mark, two workers that never send one mail twice.

use duijie_app::{MailConfig, MailWorker};
use duijie_core::Role;
use duijie_e2e::{Smtp, TestServer, ENTERPRISE};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::time::Duration;

/// Each account's delivery choice per kind of notification.
const SETTINGS: &str = "/api/v1/notifications/settings";

/// The kinds in a caller's inbox, newest first.
async fn kinds(s: &TestServer, token: &str) -> Vec<String> {
    let r = s.get("/api/v1/notifications", Some(token)).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.items()
        .iter()
        .map(|n| n["kind"].as_str().unwrap().to_string())
        .collect()
}

async fn unread(s: &TestServer, token: &str) -> i64 {
    s.get("/api/v1/notifications?unread=true", Some(token))
        .await
        .body["unread"]
        .as_i64()
        .unwrap()
}

async fn user_id(s: &TestServer, name: &str) -> String {
    s.app
        .store()
        .list_users()
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.name == name)
        .unwrap()
        .id
}

/// A demand of `ent` taken to published through review and a catalogue edition.
async fn published_demand(s: &TestServer, ent: &str, bureau: &str, title: &str) -> String {
    s.published_demand(
        ent,
        bureau,
        json!({"title": title, "description": "需要优化高纯氧化铝粉体制备与煅烧工艺"}),
        "通知测试目录",
    )
    .await
}

pub async fn events_notify_the_right_accounts(s: TestServer) {
    let ent = s.token("ent", Role::Enterprise, Some(ENTERPRISE)).await;
    let ent2 = s.token("ent-b", Role::Enterprise, Some(ENTERPRISE)).await;
    let other = s.token("other", Role::Enterprise, Some("别的公司")).await;
    let zzu = s.token("zzu", Role::Institution, Some("郑州大学")).await;
    let hnu = s.token("hnu", Role::Institution, Some("河南大学")).await;
    let bureau = s.token("bureau", Role::Bureau, None).await;
    let admin = s.token("admin", Role::Admin, None).await;

    // Returned, then approved, then published: the enterprise's two accounts hear each.
    let body = json!({"title": "高纯氧化铝粉体制备", "description": "需要优化粉体制备与煅烧工艺"});
    let id = s.submitted_demand(&ent, body).await;
    let review_url = format!("/api/v1/demands/{id}/review");
    let body = json!({"decision": "request_changes", "note": "请补充技术指标"});
    let r = s.post(&review_url, Some(&bureau), body).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(kinds(&s, &ent).await, ["demand_returned"]);
    assert_eq!(kinds(&s, &ent2).await, ["demand_returned"]);
    let r = s.get("/api/v1/notifications", Some(&ent)).await;
    assert!(r.body["items"][0]["body"]
        .as_str()
        .unwrap()
        .contains("请补充技术指标"));
    assert_eq!(r.body["items"][0]["link"], format!("/demands/{id}"));
    s.submit_demand(&ent, &id).await;
    s.approve_demand(&bureau, &id).await;
    s.publish_edition(&bureau, "2026 第一批", &[&id]).await;
    assert_eq!(
        kinds(&s, &ent).await,
        ["demand_published", "demand_approved", "demand_returned"]
    );
    // Nobody else heard of the enterprise's demand moving.
    for t in [&other, &zzu, &hnu, &bureau, &admin] {
        let k = kinds(&s, t).await;
        assert!(k.iter().all(|k| k == "demand_matched"), "{k:?}");
    }

    // 揭榜: the enterprise hears; answers go to the institution that proposed.
    let propose = json!({"message": "我校有相关成果"});
    let zzu_interest = s.propose(&zzu, &id, propose.clone()).await;
    assert_eq!(kinds(&s, &ent).await[0], "interest_received");
    assert_eq!(kinds(&s, &ent2).await[0], "interest_received");
    let hnu_interest = s.propose(&hnu, &id, propose).await;
    let decline_url = format!("/api/v1/interests/{zzu_interest}/decline");
    s.post(&decline_url, Some(&ent), json!({"reason": "方向不符"}))
        .await;
    let accept_url = format!("/api/v1/interests/{hnu_interest}/accept");
    s.post(&accept_url, Some(&ent), json!({})).await;
    for (institution, answer) in [(&zzu, "interest_declined"), (&hnu, "interest_accepted")] {
        let mut heard = kinds(&s, institution).await;
        heard.retain(|k| k != "demand_matched");
        assert_eq!(heard, [answer]);
    }

    // The bureau changes the demand: both institutions that answered hear it, once each.
    let demand_url = format!("/api/v1/demands/{id}");
    let goals = json!({"goals": "纯度达到 99.99%"});
    let r = s.patch(&demand_url, Some(&bureau), goals).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    for t in [&zzu, &hnu] {
        let k = kinds(&s, t).await;
        assert_eq!(k[0], "demand_changed");
        assert_eq!(k.iter().filter(|k| *k == "demand_changed").count(), 1);
    }
    assert!(!kinds(&s, &other)
        .await
        .contains(&"demand_changed".to_string()));

    // Unread count, one read, all read; another account's notification is not found.
    let before = unread(&s, &ent).await;
    // Returned, approved, published and two 揭榜.
    assert_eq!(before, 5);
    let r = s.get("/api/v1/notifications?unread=true", Some(&ent)).await;
    let first = r.body["items"][0]["id"].as_str().unwrap().to_string();
    let read_url = format!("/api/v1/notifications/{first}/read");
    let r = s.post(&read_url, Some(&other), json!({})).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = s.post(&read_url, Some(&ent), json!({})).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(unread(&s, &ent).await, before - 1);
    assert_eq!(
        unread(&s, &ent2).await,
        before,
        "each account reads its own"
    );
    // The header of every page shows the count.
    let page = s.page("/demands", &s.page_cookie(&ent2).await).await;
    assert!(
        page.contains(&format!("{before} 条未读")),
        "header count missing"
    );
    let r = s
        .post("/api/v1/notifications/read-all", Some(&ent), json!({}))
        .await;
    assert_eq!(r.body["marked"], before - 1);
    assert_eq!(unread(&s, &ent).await, 0);

    // A milestone coming due reaches the bureau and admin once, however often it is checked.
    let r = s
        .post(
            "/api/v1/projects",
            Some(&bureau),
            json!({"demand_id": id, "institution": "河南大学", "amount_wan": 10,
                   "signed_on": "2026-03-01"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let project = r.id();
    let today = duijie_core::time::china_today();
    let due = (today + chrono::Duration::days(3)).to_string();
    let far = (today + chrono::Duration::days(60)).to_string();
    let project_url = format!("/api/v1/projects/{project}");
    let milestones =
        json!({"milestones": [{"date": due, "text": "中期检查"}, {"date": far, "text": "结题"}]});
    let r = s.patch(&project_url, Some(&bureau), milestones).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(s.app.check_milestones(today).await.unwrap(), 2);
    assert_eq!(s.app.check_milestones(today).await.unwrap(), 0);
    for t in [&bureau, &admin] {
        let k = kinds(&s, t).await;
        assert_eq!(k, ["milestone_due"]);
    }
    assert!(!kinds(&s, &ent).await.contains(&"milestone_due".to_string()));

    // Withdrawn: the institution that answered hears it; the one that did not, nothing.
    let id2 = published_demand(&s, &ent, &bureau, "尾矿综合利用").await;
    let interests_url = format!("/api/v1/demands/{id2}/interests");
    s.post(&interests_url, Some(&zzu), json!({"message": "可合作"}))
        .await;
    let hnu_before = kinds(&s, &hnu).await.len();
    let withdraw_url = format!("/api/v1/demands/{id2}/withdraw");
    let r = s
        .post(&withdraw_url, Some(&ent), json!({"note": "项目调整"}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let r = s.get("/api/v1/notifications", Some(&zzu)).await;
    assert_eq!(r.body["items"][0]["kind"], "demand_changed");
    assert!(r.body["items"][0]["title"]
        .as_str()
        .unwrap()
        .contains("已被撤回"));
    assert_eq!(r.body["items"][0]["link"], format!("/demands/{id2}"));
    assert_eq!(kinds(&s, &hnu).await.len(), hnu_before);

    // Delivery choices: every wrong entry named; a good one kept.
    let choice = json!({"interest_received": "weekly", "nonsense": "off"});
    let r = s.put(SETTINGS, Some(&ent), choice).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let mut fields = r.error_fields();
    fields.sort();
    assert_eq!(fields, ["interest_received", "nonsense"]);
    let choice = json!({"interest_received": "digest"});
    let r = s.put(SETTINGS, Some(&ent), choice).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["settings"]["interest_received"], "digest");
    assert_eq!(r.body["settings"]["demand_approved"], "immediate");
    // Anonymous callers have no inbox.
    assert_eq!(
        s.get("/api/v1/notifications", None).await.status,
        StatusCode::UNAUTHORIZED
    );
}

fn config(port: u16) -> MailConfig {
    let mut c = MailConfig::plain(
        "127.0.0.1",
        port,
        "对接平台 <noreply@duijie.test>",
        "https://duijie.test",
    );
    c.pace.retry_base = Duration::from_millis(200);
    c.pace.lease = Duration::from_millis(800);
    c.pace.max_attempts = 3;
    // Digests only when the test queues them, whatever the hour it runs at.
    c.digest_hour = 24;
    c
}

pub async fn mail_reaches_a_real_smtp_server(s: TestServer) {
    if !Smtp::available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let port = Smtp::free_port();
    let mut smtp = Smtp::start(port, &dir.path().join("maildir")).await;

    let ent = s.token("ent", Role::Enterprise, Some(ENTERPRISE)).await;
    let ent2 = s.token("ent-b", Role::Enterprise, Some(ENTERPRISE)).await;
    let zzu = s.token("zzu", Role::Institution, Some("郑州大学")).await;
    let bureau = s.token("bureau", Role::Bureau, None).await;
    for (name, email) in [
        ("ent", "ent@example.org"),
        ("ent-b", "entb@example.org"),
        ("zzu", "zzu@example.org"),
    ] {
        let id = user_id(&s, name).await;
        assert!(s
            .app
            .store()
            .set_user_contact(&id, Some(email), None)
            .await
            .unwrap());
    }
    // ent: immediate (the default); ent-b: no mail; zzu: the daily digest.
    let no_mail =
        json!({"interest_received": "off", "demand_approved": "off", "demand_published": "off"});
    let digest = json!({
        "interest_declined": "digest",
        "demand_changed": "digest",
        "demand_matched": "digest"
    });
    for (token, choice) in [(&ent2, no_mail), (&zzu, digest)] {
        s.put(SETTINGS, Some(token.as_str()), choice).await;
    }
    let id = published_demand(&s, &ent, &bureau, "高纯氧化铝粉体制备").await;
    let interest = s
        .propose(&zzu, &id, json!({"message": "我校有相关成果"}))
        .await;
    let decline_url = format!("/api/v1/interests/{interest}/decline");
    s.post(&decline_url, Some(&ent), json!({"reason": "方向不符"}))
        .await;
    let demand_url = format!("/api/v1/demands/{id}");
    let goals = json!({"goals": "纯度达到 99.99%"});
    s.patch(&demand_url, Some(&bureau), goals).await;

    let mut worker = MailWorker::new(s.app.clone(), config(smtp.port)).unwrap();
    let round = worker.round().await.unwrap();
    // ent: approved, published, 揭榜 received — three mails of their own; nothing for ent-b.
    assert_eq!(round.sent, 3, "{round:?}");
    let mails = smtp.messages();
    assert_eq!(mails.len(), 3);
    assert!(mails
        .iter()
        .all(|m| Smtp::header(m, "To").unwrap().contains("ent@example.org")));
    let text: Vec<String> = mails.iter().map(|m| Smtp::plain_text(m)).collect();
    assert!(text.iter().any(|t| t.contains("收到新的揭榜")), "{text:?}");
    assert!(text
        .iter()
        .all(|t| t.contains(&format!("https://duijie.test/demands/{id}"))));

    // zzu's digest: one mail with both of its items, queued once a day.
    assert_eq!(
        worker
            .queue_digests(duijie_core::time::china_today())
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        worker
            .queue_digests(duijie_core::time::china_today())
            .await
            .unwrap(),
        0
    );
    assert_eq!(worker.round().await.unwrap().sent, 1);
    let digest: Vec<String> = smtp
        .messages()
        .into_iter()
        .filter(|m| Smtp::header(m, "To").unwrap().contains("zzu@example.org"))
        .collect();
    assert_eq!(digest.len(), 1);
    let body = Smtp::plain_text(&digest[0]);
    assert!(
        body.contains("未被接受") && body.contains("有更新"),
        "{body}"
    );

    // The relay is down: the mail is retried later, then sent once it is back.
    smtp.stop();
    let goals = json!({"goals": "纯度达到 99.999%"});
    s.patch(&demand_url, Some(&bureau), goals).await;
    let choice = json!({"demand_changed": "immediate"});
    s.put(SETTINGS, Some(&zzu), choice).await;
    let goals = json!({"goals": "纯度达到 99.9999%"});
    s.patch(&demand_url, Some(&bureau), goals).await;
    let round = worker.round().await.unwrap();
    assert_eq!((round.sent, round.retried), (0, 1), "{round:?}");
    let o = s
        .app
        .mail_outbox(&admin_caller(&s).await, false)
        .await
        .unwrap();
    assert_eq!(o.pending, 1);
    assert!(o
        .items
        .iter()
        .any(|m| m.last_error.is_some() && m.attempts == 1));
    let before = smtp.messages().len();
    let mut smtp = Smtp::start(port, &smtp.maildir.clone()).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(worker.round().await.unwrap().sent, 1);
    assert_eq!(smtp.messages().len(), before + 1);

    // A worker that crashed between claim and mark: its lease runs out, another sends once.
    s.patch(&demand_url, Some(&bureau), json!({"goals": "纯度 5N"}))
        .await;
    let now = chrono::Utc::now().timestamp_millis();
    let ghost = s
        .app
        .store()
        .claim_outbox::<duijie_store::OutboxMail>("crashed", now, 500, 10)
        .await
        .unwrap();
    assert_eq!(ghost.len(), 1);
    assert_eq!(
        worker.round().await.unwrap().sent,
        0,
        "held by the crashed worker"
    );
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(worker.round().await.unwrap().sent, 1);
    let ids: Vec<String> = smtp
        .messages()
        .iter()
        .map(|m| Smtp::header(m, "Message-ID").unwrap().to_string())
        .collect();
    assert!(ids.contains(&format!("<{}@duijie.test>", ghost[0].id)));
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "no mail twice");
    // The crashed worker's late outcome is not recorded over the real one.
    assert!(!s
        .app
        .store()
        .finish_outbox::<duijie_store::OutboxMail>(
            &ghost[0].id,
            "crashed",
            duijie_store::OutboxOutcome::Sent,
        )
        .await
        .unwrap());

    // Two workers at once never send one mail twice.
    let before = smtp.messages().len();
    for n in 0..12 {
        let goals = json!({"goals": format!("目标 {n}")});
        s.patch(&demand_url, Some(&bureau), goals).await;
    }
    let mut other = MailWorker::new(s.app.clone(), config(smtp.port)).unwrap();
    let mut sent = 0;
    for _ in 0..5 {
        let (a, b) = tokio::join!(worker.round(), other.round());
        sent += a.unwrap().sent + b.unwrap().sent;
    }
    assert_eq!(sent, 12);
    let all = smtp.messages();
    assert_eq!(all.len(), before + 12);
    let mut ids: Vec<&str> = all
        .iter()
        .map(|m| Smtp::header(m, "Message-ID").unwrap())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), all.len(), "no mail twice");

    // Permanent failure after the last attempt: shown to the bureau as failed.
    smtp.stop();
    s.patch(&demand_url, Some(&bureau), json!({"goals": "最终目标"}))
        .await;
    for _ in 0..3 {
        worker.round().await.unwrap();
        tokio::time::sleep(Duration::from_millis(900)).await;
    }
    let r = s
        .get("/api/v1/notifications/outbox?failed=true", Some(&bureau))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["failed"], 1, "{:?}", r.body);
    let shown: Value = r.body["items"][0].clone();
    assert_eq!(shown["attempts"], 3);
    assert!(
        !shown.to_string().contains("@example.org"),
        "no address shown"
    );
}

async fn admin_caller(s: &TestServer) -> duijie_app::Caller {
    let token = s.token("admin-outbox", Role::Admin, None).await;
    s.app.authenticate(Some(&token)).await.unwrap()
}
