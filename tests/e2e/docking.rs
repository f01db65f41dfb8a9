//! The rest of the docking loop (issue #19): the sign-in throttle shared by replicas, the
//! outgoing webhook to a real robot server, match notices that survive a stop right after
//! publishing, instruments cited in a 揭榜, and message POSTs under an `Idempotency-Key`.

use crate::interests::import_achievements;
use axum::extract::{Query, State};
use axum::routing::post;
use axum::{Json, Router};
use base64::Engine;
use duijie_app::{WebhookConfig, WebhookFormat, WebhookWorker};
use duijie_core::{NotificationKind, Role};
use duijie_e2e::{input_value, sign_in_limits, texts, Db, Parties, TestServer};
use duijie_store::{Actor, Audience, NewNotice};
use hmac::{Hmac, Mac};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub async fn sign_in_failures_are_counted_across_replicas() {
    let config = sign_in_limits(4, 100, Duration::from_secs(60));
    for db in [Db::Sqlite, Db::Postgres] {
        let Some(a) = TestServer::start_with(db, config.clone()).await else {
            continue;
        };
        let b = a.replica(config.clone()).await;
        let token = a.token("ent", Role::Enterprise, Some("甲公司")).await;
        // Two wrong passwords on each replica: four in all lock the account on both.
        let mut statuses = Vec::new();
        for s in [&a, &b, &a, &b] {
            statuses.push(s.sign_in("ent", "wrong-pass1").await.unwrap_err().status);
        }
        assert_eq!(
            statuses,
            [401, 401, 401, 429].map(|c| StatusCode::from_u16(c).unwrap()),
            "{db:?}"
        );
        for s in [&a, &b] {
            let locked = s.sign_in("ent", &token).await.unwrap_err();
            assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS, "{db:?}");
        }
        // What is stored names neither the account nor the address.
        let other = a.token("ok", Role::Enterprise, Some("乙公司")).await;
        assert!(b.sign_in("ok", &other).await.is_ok(), "{db:?}");
    }
}

type Hits = Arc<Mutex<Vec<(HashMap<String, String>, Value)>>>;

/// A group chat robot on the loopback: refuses the first post with 500, then checks each
/// post's DingTalk signature and answers `errcode` 0 (or 310000 for a bad signature).
async fn robot(secret: &'static str) -> (String, Hits) {
    async fn receive(
        State((hits, secret)): State<(Hits, &'static str)>,
        Query(q): Query<HashMap<String, String>>,
        Json(body): Json<Value>,
    ) -> (axum::http::StatusCode, Json<Value>) {
        let first = {
            let mut h = hits.lock().unwrap();
            h.push((q.clone(), body));
            h.len() == 1
        };
        if first {
            return (
                axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                Json(json!({})),
            );
        }
        let ts = q.get("timestamp").cloned().unwrap_or_default();
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(format!("{ts}\n{secret}").as_bytes());
        let expected =
            base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
        let code = if q.get("sign") == Some(&expected) {
            0
        } else {
            310_000
        };
        (axum::http::StatusCode::OK, Json(json!({"errcode": code})))
    }
    let hits: Hits = Arc::default();
    let app = Router::new()
        .route("/robot/send", post(receive))
        .with_state((hits.clone(), secret));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}/robot/send?access_token=t0k"), hits)
}

pub async fn the_webhook_posts_signed_events_once(s: TestServer) {
    let secret = "SECdemo-secret";
    let (url, hits) = robot(secret).await;
    let mut config = WebhookConfig::new(
        &url,
        Some(secret.to_string()),
        vec![
            NotificationKind::InterestReceived,
            NotificationKind::MilestoneDue,
        ],
        "https://duijie.example.org",
    );
    config.pace.retry_base = Duration::ZERO;
    config.format = WebhookFormat::Markdown;
    let mut worker = WebhookWorker::new(s.app.clone(), config).unwrap();
    let bureau = s.token("bureau", Role::Bureau, None).await;
    let notice = |kind, key: &str| NewNotice {
        kind,
        audience: Audience::Bureau,
        title: "台账节点临近：高纯氧化铝粉体制备".into(),
        body: "联系人 张工 13800138000".into(),
        link: "/projects/p1".into(),
        key: Some(key.into()),
    };
    // The same notice written twice (a second replica, a retry) queues one event; a kind
    // not chosen queues none.
    s.app
        .store()
        .notify(&[notice(NotificationKind::MilestoneDue, "m1")])
        .await
        .unwrap();
    s.app
        .store()
        .notify(&[
            notice(NotificationKind::MilestoneDue, "m1"),
            notice(NotificationKind::DemandApproved, "a1"),
        ])
        .await
        .unwrap();
    assert!(!bureau.is_empty());

    let first = worker.round().await.unwrap();
    assert_eq!((first.sent, first.retried), (0, 1), "the robot failed once");
    let second = worker.round().await.unwrap();
    assert_eq!((second.sent, second.retried), (1, 0));
    let third = worker.round().await.unwrap();
    assert_eq!(third, duijie_app::OutboxRound::default(), "never twice");

    let hits = hits.lock().unwrap().clone();
    assert_eq!(hits.len(), 2, "one failed post and one delivered");
    let (q, body) = &hits[1];
    assert_eq!(q.get("access_token").map(String::as_str), Some("t0k"));
    assert!(q.contains_key("timestamp") && q.contains_key("sign"));
    assert_eq!(body["msgtype"], "markdown");
    let content = body["markdown"]["content"].as_str().unwrap();
    assert!(
        content.contains("台账节点临近：高纯氧化铝粉体制备"),
        "{content}"
    );
    assert!(
        content.contains("https://duijie.example.org/projects/p1"),
        "{content}"
    );
    // The notice's body (which may carry contact details) never reaches the chat.
    let text = body.to_string();
    assert!(
        !text.contains("13800138000") && !text.contains("张工"),
        "{text}"
    );
}

/// Two achievements of 李四 at 郑州大学 on alumina powder `(institution, title, leader)`.
const LI_SI_ALUMINA: [(&str, &str, &str); 2] = [
    ("郑州大学", "高纯氧化铝粉体制备技术", "李四"),
    ("郑州大学", "氧化铝粉体煅烧工艺优化", "李四"),
];

pub async fn match_notices_survive_a_stop_right_after_publishing(s: TestServer) {
    let Parties { ent, zzu, bureau } = s.parties().await;
    import_achievements(&s, &LI_SI_ALUMINA).await;
    let demand = json!({
        "title": "高纯氧化铝粉体制备",
        "description": "需要优化高纯氧化铝粉体制备与煅烧工艺"
    });
    let id = s.approved_demand(&ent, &bureau, demand).await;
    let draft = json!({"title": "第一批"});
    let r = s.post("/api/v1/catalogues", Some(&bureau), draft).await;
    let cat = r.id();
    let items_url = format!("/api/v1/catalogues/{cat}/items");
    s.post(&items_url, Some(&bureau), json!({"demand_ids": [id]}))
        .await;
    // The publication commits and the process stops before writing the match notices.
    let actor = Actor {
        id: None,
        name: "bureau".into(),
    };
    s.app
        .store()
        .publish_catalogue(&cat, &actor, &[])
        .await
        .unwrap();
    // A process started afterwards (or this one's loop) finds the job and writes them, once.
    s.indexed().await;
    let mut done = 0;
    for _ in 0..50 {
        done += s.app.run_match_jobs().await.unwrap();
        if matched(&s, &zzu).await > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(done <= 1, "one job");
    assert_eq!(matched(&s, &zzu).await, 1, "the institution is told");
    assert_eq!(s.app.run_match_jobs().await.unwrap(), 0, "the job is gone");
    assert_eq!(matched(&s, &zzu).await, 1, "never twice");
}

async fn matched(s: &TestServer, token: &str) -> usize {
    let r = s.get("/api/v1/notifications", Some(token)).await;
    r.items()
        .iter()
        .filter(|n| n["kind"] == "demand_matched")
        .count()
}

pub async fn instruments_are_cited_in_an_interest(s: TestServer) {
    let Parties { ent, zzu, bureau } = s.parties().await;
    let hnu = s.token("hnu", Role::Institution, Some("河南大学")).await;
    let instrument = |name: &str| {
        json!({"name": name, "fields": ["新材料"], "description": "用于氧化铝粉体的物相分析",
               "location": "材料楼101", "booking_terms": "工作日预约"})
    };
    let r = s
        .post("/api/v1/instruments", Some(&zzu), instrument("X射线衍射仪"))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let xrd = r.id();
    let r = s
        .post(
            "/api/v1/instruments",
            Some(&hnu),
            instrument("扫描电子显微镜"),
        )
        .await;
    let theirs = r.id();
    s.indexed().await;
    // The citation search finds the institution's own instruments.
    let r = s
        .get("/api/v1/my/records?kind=instrument&q=物相分析", Some(&zzu))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let found: Vec<&str> = texts(&r.body["items"], "id");
    assert_eq!(found, [xrd.as_str()]);
    let caller = s
        .app
        .session_caller(s.page_cookie(&zzu).await.trim_start_matches("dj_session="))
        .await
        .unwrap();
    let candidates = s.app.cite_candidates(&caller, "物相分析").await.unwrap();
    assert_eq!(candidates.instruments.len(), 1);
    assert_eq!(candidates.instruments[0].0, xrd);

    let body = json!({"title": "氧化铝粉体物相分析", "description": "需要分析粉体物相"});
    let id = s.published_demand(&ent, &bureau, body, "第一批").await;
    // Another institution's instrument is refused; its own is kept with the 揭榜.
    let interests_url = format!("/api/v1/demands/{id}/interests");
    let body = json!({"message": "我校可做物相分析", "instrument_ids": [theirs]});
    let r = s.post(&interests_url, Some(&zzu), body).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{:?}", r.body);
    let body = json!({"message": "我校可做物相分析", "instrument_ids": [xrd]});
    let r = s.post(&interests_url, Some(&zzu), body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(r.body["instrument_ids"], json!([xrd]));
    // The demand page names the cited instrument with a link to it.
    let cookie = s.page_cookie(&ent).await;
    let page = s.page(&format!("/demands/{id}"), &cookie).await;
    // Attribute values are escaped (`/` as `&#x2f;`).
    let href = format!("/instruments/{xrd}").replace('/', "&#x2f;");
    assert!(page.contains(&href), "cited instrument linked");
    assert!(page.contains("X射线衍射仪"));
}

pub async fn a_repeated_message_post_makes_one_message(s: TestServer) {
    let Parties { ent, zzu, bureau } = s.parties().await;
    let payload = json!({"title": "高纯氧化铝粉体制备", "description": "需要优化粉体制备"});
    let id = s.published_demand(&ent, &bureau, payload, "第一批").await;
    let interest = s.propose(&zzu, &id, json!({"message": "我校可合作"})).await;
    let path = format!("{}/api/v1/interests/{interest}/messages", s.base);
    let post = |key: &str, body: &str| {
        s.client
            .post(&path)
            .bearer_auth(&zzu)
            .header("idempotency-key", key)
            .json(&json!({"body": body}))
            .send()
    };
    let a = post("msg-1", "您好，我们可以先交流方案").await.unwrap();
    assert_eq!(a.status(), StatusCode::CREATED);
    let a: Value = a.json().await.unwrap();
    let b = post("msg-1", "您好，我们可以先交流方案").await.unwrap();
    assert_eq!(b.status(), StatusCode::CREATED);
    let b: Value = b.json().await.unwrap();
    assert_eq!(a["id"], b["id"], "the repeat gets the first answer");
    let other = post("msg-1", "另一条消息").await.unwrap();
    assert_eq!(other.status(), StatusCode::CONFLICT);
    let messages_url = format!("/api/v1/interests/{interest}/messages");
    let list = s.get(&messages_url, Some(&ent)).await;
    assert_eq!(list.items().len(), 1);

    // The page's form carries a fresh key: sent twice, it posts one message.
    let cookie = s.page_cookie(&zzu).await;
    let page = s.page(&format!("/interests/{interest}"), &cookie).await;
    let field = |name: &str| input_value(&page, name).expect("a field of the form");
    let (csrf, key) = (field("csrf"), field("idempotency_key"));
    assert!(!key.is_empty());
    for _ in 0..2 {
        let form = reqwest::multipart::Form::new()
            .text("csrf", csrf.clone())
            .text("idempotency_key", key.clone())
            .text("body", "页面发来的消息");
        let r = s
            .client
            .post(format!("{}/interests/{interest}/messages", s.base))
            .header("cookie", &cookie)
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert!(
            r.status().is_success() || r.status().is_redirection(),
            "{}",
            r.status()
        );
    }
    let list = s.get(&messages_url, Some(&ent)).await;
    assert_eq!(list.items().len(), 2);
}
