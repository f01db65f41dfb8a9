//! HTTP limits: body caps, upload caps and per-client rate limits. Backend-independent, so
//! these run on SQLite only.

use duijie_core::Role;
use duijie_e2e::{Db, TestServer};
use duijie_server::ServerConfig;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn anonymous_clients_are_rate_limited_with_retry_after() {
    let config = ServerConfig {
        anonymous_per_second: 0.5,
        anonymous_burst: 3.0,
        ..ServerConfig::default()
    };
    let s = TestServer::start_with(Db::Sqlite, config).await.unwrap();
    let bureau = s.token("bureau", Role::Bureau, None).await;
    for _ in 0..3 {
        let r = s
            .post("/api/v1/match", None, json!({"text": "锂电池"}))
            .await;
        assert_eq!(r.status, StatusCode::OK);
    }
    let resp = s
        .client
        .post(format!("{}/api/v1/match", s.base))
        .json(&json!({"text": "锂电池"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = resp.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=2).contains(&retry), "{retry}");
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], "rate_limited");
    // Signed-in callers are not throttled as anonymous ones.
    let r = s
        .post("/api/v1/match", Some(&bureau), json!({"text": "锂电池"}))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    // Health checks are not part of the API and never throttled.
    assert_eq!(s.get("/healthz", None).await.status, StatusCode::OK);
}

#[tokio::test]
async fn oversized_bodies_and_uploads_get_413() {
    let config = ServerConfig {
        max_body_bytes: 2_000,
        max_upload_bytes: 10_000,
        ..ServerConfig::default()
    };
    let s = TestServer::start_with(Db::Sqlite, config).await.unwrap();
    let bureau = s.token("bureau", Role::Bureau, None).await;
    let r = s
        .post("/api/v1/match", None, json!({"text": "锂".repeat(2_000)}))
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(r.body["error"]["code"], "too_large");
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(vec![b'a'; 20_000]).file_name("big.csv"),
    );
    let resp = s
        .client
        .post(format!("{}/api/v1/imports", s.base))
        .bearer_auth(&bureau)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], "too_large");
}
