//! Issue #18 items 1–3 over HTTP: concurrent edits keep every change and a stale `If-Match`
//! is refused (412), an approval never covers text the reviewer did not see, and a retried
//! creating POST (also eight at once) makes one record.

use duijie_core::Role;
use duijie_e2e::TestServer;
use reqwest::header::{HeaderMap, ETAG, IF_MATCH};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// A response with its headers.
pub(crate) struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Answer {
    pub fn etag(&self) -> &str {
        self.headers
            .get(ETAG)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    /// The error's message (empty when there is none, which fails the test's check of it).
    pub fn message(&self) -> &str {
        self.body["error"]["message"].as_str().unwrap_or_default()
    }
}

/// A JSON request with extra headers.
pub(crate) async fn send(
    s: &TestServer,
    method: Method,
    path: &str,
    token: &str,
    body: Option<Value>,
    headers: &[(&str, &str)],
) -> Answer {
    let mut req = s
        .client
        .request(method, format!("{}{path}", s.base))
        .bearer_auth(token);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.expect("request");
    let status = resp.status();
    let headers = resp.headers().clone();
    let text = resp.text().await.unwrap_or_default();
    Answer {
        status,
        headers,
        body: serde_json::from_str(&text).unwrap_or(Value::Null),
    }
}

/// A PATCH that holds only while the record is at version `etag` (sent in `If-Match`).
pub(crate) async fn patch_if(
    s: &TestServer,
    path: &str,
    token: &str,
    body: Value,
    etag: &str,
) -> Answer {
    let if_match = [(IF_MATCH.as_str(), etag)];
    send(s, Method::PATCH, path, token, Some(body), &if_match).await
}

async fn new_demand(s: &TestServer, ent: &str, title: &str) -> String {
    s.draft_demand(
        ent,
        json!({"title": title, "description": "原始描述", "goals": "原始目标"}),
    )
    .await
}

pub async fn concurrent_edits_keep_every_change_and_stale_versions_get_412(s: TestServer) {
    let ent = s
        .token("ent", Role::Enterprise, Some("并发科技有限公司"))
        .await;
    for round in 0..20 {
        let id = new_demand(&s, &ent, &format!("并发修改{round}")).await;
        let path = format!("/api/v1/demands/{id}");
        let patch = |field: &'static str, text: &'static str| {
            send(
                &s,
                Method::PATCH,
                &path,
                &ent,
                Some(json!({ field: text })),
                &[],
            )
        };
        let (a, b) = tokio::join!(patch("description", "新描述"), patch("goals", "新目标"));
        assert_eq!((a.status, b.status), (StatusCode::OK, StatusCode::OK));
        let r = s.get(&path, Some(&ent)).await;
        assert_eq!(
            (r.body["description"].as_str(), r.body["goals"].as_str()),
            (Some("新描述"), Some("新目标")),
            "round {round}: an edit was lost"
        );
    }

    // The version is the ETag of the read and travels back in If-Match.
    let id = new_demand(&s, &ent, "版本号").await;
    let path = format!("/api/v1/demands/{id}");
    let read = send(&s, Method::GET, &path, &ent, None, &[]).await;
    let etag = read.etag().to_string();
    assert_eq!(
        etag,
        format!("\"{}\"", read.body["version"]),
        "{:?}",
        read.headers
    );
    let edit = json!({"description": "甲的修改"});
    let first = patch_if(&s, &path, &ent, edit, &etag).await;
    assert_eq!(first.status, StatusCode::OK, "{:?}", first.body);
    assert_ne!(first.etag(), etag);
    let edit = json!({"goals": "乙基于旧版本的修改"});
    let stale = patch_if(&s, &path, &ent, edit, &etag).await;
    assert_eq!(
        stale.status,
        StatusCode::PRECONDITION_FAILED,
        "{:?}",
        stale.body
    );
    assert_eq!(stale.body["error"]["code"], "precondition_failed");
    assert!(stale.message().contains("已被他人修改"));
    let r = s.get(&path, Some(&ent)).await;
    assert_eq!(
        (r.body["description"].as_str(), r.body["goals"].as_str()),
        (Some("甲的修改"), Some("原始目标"))
    );
    for bad in ["3", "W/\"2\"", "\"abc\""] {
        let r = patch_if(&s, &path, &ent, json!({}), bad).await;
        assert_eq!(r.status, StatusCode::PRECONDITION_FAILED, "{bad}");
    }
    let edit = json!({"goals": "任意版本"});
    let r = patch_if(&s, &path, &ent, edit, "*").await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
}

pub async fn an_approval_covers_only_the_text_reviewed(s: TestServer) {
    let ent = s
        .token("ent", Role::Enterprise, Some("竞态科技有限公司"))
        .await;
    let bureau = s.token("bureau", Role::Bureau, None).await;
    let mut outcomes = [0usize; 3];
    for round in 0..40 {
        let id = new_demand(&s, &ent, &format!("审核竞态{round}")).await;
        s.submit_demand(&ent, &id).await;
        // The reviewer reads the demand, then approves what it read while the owner edits.
        let path = format!("/api/v1/demands/{id}");
        let seen = send(&s, Method::GET, &path, &bureau, None, &[]).await;
        let etag = seen.etag().to_string();
        let review_path = format!("{path}/review");
        let seen_version = [("if-match", etag.as_str())];
        let (edit, review) = tokio::join!(
            send(
                &s,
                Method::PATCH,
                &path,
                &ent,
                Some(json!({"description": "审核之后的改动"})),
                &[]
            ),
            send(
                &s,
                Method::POST,
                &review_path,
                &bureau,
                Some(json!({"decision": "approve"})),
                &seen_version
            ),
        );
        assert!(
            !(edit.status.is_success() && review.status.is_success()),
            "round {round}: both the edit and the approval of the text before it went through"
        );
        let now = s.get(&path, Some(&bureau)).await;
        if now.body["status"] == "approved" {
            outcomes[0] += 1;
            assert_eq!(now.body["description"], "原始描述", "round {round}");
            assert_eq!(
                edit.status,
                StatusCode::CONFLICT,
                "round {round}: {:?}",
                edit.body
            );
        } else if review.status == StatusCode::PRECONDITION_FAILED {
            outcomes[1] += 1;
            assert_eq!(now.body["description"], "审核之后的改动", "round {round}");
        } else {
            outcomes[2] += 1;
        }
    }
    assert_eq!(outcomes[2], 0, "{outcomes:?}");
}

/// A published demand in docking with 郑州大学, over HTTP.
async fn docking_demand(s: &TestServer, ent: &str, bureau: &str, zzu: &str) -> String {
    let id = new_demand(s, ent, "重复登记").await;
    s.submit_demand(ent, &id).await;
    s.approve_demand(bureau, &id).await;
    s.publish_edition(bureau, "重复登记目录", &[&id]).await;
    let interest = s
        .propose(zzu, &id, json!({"message": "我校可以承担"}))
        .await;
    let accept_url = format!("/api/v1/interests/{interest}/accept");
    let r = s.post(&accept_url, Some(ent), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    id
}

pub async fn a_retried_post_makes_one_record(s: TestServer) {
    let ent = s
        .token("ent", Role::Enterprise, Some("重试科技有限公司"))
        .await;
    let bureau = s.token("bureau", Role::Bureau, None).await;
    let zzu = s.token("zzu", Role::Institution, Some("郑州大学")).await;
    let year = duijie_app::current_year();
    let id = docking_demand(&s, &ent, &bureau, &zzu).await;
    let project = json!({"demand_id": id, "institution": "郑州大学", "title": "联合攻关",
                         "amount_wan": 100.0, "signed_on": format!("{year}-03-01")});

    // Eight at once with one key: one project, and every answer names it.
    let post = |body: Value, key: &'static str| {
        let headers: Vec<(&str, &str)> = if key.is_empty() {
            vec![]
        } else {
            vec![("idempotency-key", key)]
        };
        let s = &s;
        let bureau = bureau.clone();
        async move {
            send(
                s,
                Method::POST,
                "/api/v1/projects",
                &bureau,
                Some(body),
                &headers,
            )
            .await
        }
    };
    let answers = futures::future::join_all((0..8).map(|_| post(project.clone(), "form-1"))).await;
    let ids: Vec<&str> = answers
        .iter()
        .map(|a| a.body["id"].as_str().unwrap_or_default())
        .collect();
    assert!(
        answers.iter().all(|a| a.status == StatusCode::CREATED),
        "{:?}",
        answers
            .iter()
            .map(|a| (a.status, &a.body))
            .collect::<Vec<_>>()
    );
    assert!(ids.iter().all(|i| !i.is_empty() && *i == ids[0]), "{ids:?}");
    // A retry later gets the same answer.
    let again = post(project.clone(), "form-1").await;
    assert_eq!(
        (again.status, again.body["id"].as_str()),
        (StatusCode::CREATED, Some(ids[0]))
    );
    // The same key with another body is refused, in Chinese.
    let mut other = project.clone();
    other["amount_wan"] = json!(90.0);
    let r = post(other, "form-1").await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{:?}", r.body);
    assert!(r.message().contains("另一份"));
    // Without a key the obvious duplicate is refused, naming the project recorded.
    let r = post(project.clone(), "").await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{:?}", r.body);
    assert!(r.message().contains("联合攻关"), "{:?}", r.body);

    let r = s.get("/api/v1/projects", Some(&bureau)).await;
    assert_eq!(r.items().len(), 1, "{:?}", r.body);
    // A project's version works as a demand's.
    let path = format!("/api/v1/projects/{}", ids[0]);
    let read = send(&s, Method::GET, &path, &bureau, None, &[]).await;
    let update = |etag: String| {
        let (s, path, bureau) = (&s, path.clone(), bureau.clone());
        async move {
            send(
                s,
                Method::PATCH,
                &path,
                &bureau,
                Some(json!({"notes": "进展"})),
                &[("if-match", &etag)],
            )
            .await
        }
    };
    assert_eq!(update(read.etag().to_string()).await.status, StatusCode::OK);
    assert_eq!(
        update(read.etag().to_string()).await.status,
        StatusCode::PRECONDITION_FAILED
    );
    let annual_url = format!("/api/v1/reports/annual?year={year}");
    let r = s.get(&annual_url, Some(&bureau)).await;
    assert_eq!(r.body["totals"]["projects"], 1);
    assert_eq!(r.body["totals"]["contract_value_wan"], 100.0);

    // Demands too: a repeated creating POST answers with the first demand.
    let body = json!({"title": "重试需求", "description": "只应有一条"});
    let demands = futures::future::join_all((0..8).map(|_| {
        send(
            &s,
            Method::POST,
            "/api/v1/demands",
            &ent,
            Some(body.clone()),
            &[("idempotency-key", "demand-1")],
        )
    }))
    .await;
    assert!(demands
        .iter()
        .all(|a| a.status == StatusCode::CREATED && a.body["id"] == demands[0].body["id"]));
    let mine = s.get("/api/v1/my/demands", Some(&ent)).await;
    let titled = mine
        .items()
        .iter()
        .filter(|d| d["title"] == "重试需求")
        .count();
    assert_eq!(titled, 1);
}
