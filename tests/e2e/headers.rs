//! Security headers on every kind of response, from one layer. Backend-independent, so these
//! run on SQLite only.

use base64::Engine;
use duijie_core::Role;
use duijie_e2e::{Db, TestServer};
use duijie_server::ServerConfig;
use reqwest::header::HeaderMap;
use serde_json::json;
use sha2::{Digest, Sha256};

async fn fetch(s: &TestServer, path: &str, headers: &[(&str, &str)]) -> (HeaderMap, String) {
    let mut req = s.client.get(format!("{}{path}", s.base));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = req.send().await.unwrap();
    let headers = resp.headers().clone();
    (headers, resp.text().await.unwrap_or_default())
}

fn header<'a>(h: &'a HeaderMap, name: &str) -> &'a str {
    h.get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

/// The CSP source that allows an inline `<style>` with this text.
fn style_hash(css: &str) -> String {
    let digest = Sha256::digest(css.as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let s = TestServer::start(Db::Sqlite).await.unwrap();
    let bureau = s.token("bureau", Role::Bureau, None).await;
    let auth = format!("Bearer {bureau}");
    let cookie = s.page_cookie(&bureau).await;
    let draft = json!({"title": "头部检查目录"});
    let r = s.post("/api/v1/catalogues", Some(&bureau), draft).await;
    let edition = r.id();
    let year = duijie_app::current_year();
    let responses = [
        ("/healthz", vec![]),
        ("/api/openapi.json", vec![]),
        ("/api/docs", vec![]),
        ("/api/v1/demands", vec![]),
        ("/api/v1/no-such-thing", vec![]),
        ("/api/v1/my/demands", vec![("authorization", auth.as_str())]),
        (
            &format!("/api/v1/reports/annual?year={year}&format=html") as &str,
            vec![("authorization", auth.as_str())],
        ),
        (
            &format!("/api/v1/catalogues/{edition}/export?format=html"),
            vec![("authorization", auth.as_str())],
        ),
        ("/", vec![]),
        ("/no-such-page", vec![]),
        ("/static/app.css", vec![]),
        (
            &format!("/reports/annual?year={year}"),
            vec![("cookie", cookie.as_str())],
        ),
    ];
    let mut styles = 0;
    for (path, headers) in &responses {
        let (h, body) = fetch(&s, path, headers).await;
        assert_eq!(header(&h, "x-content-type-options"), "nosniff", "{path}");
        assert_eq!(header(&h, "x-frame-options"), "DENY", "{path}");
        let csp = header(&h, "content-security-policy");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(csp.contains("default-src 'self'"), "{path}: {csp}");
        assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
        assert!(!h.contains_key("strict-transport-security"), "{path}");
        if path.starts_with("/api/v1/") {
            assert_eq!(header(&h, "cache-control"), "no-store", "{path}");
        }
        // Every inline stylesheet a document carries is allowed by its hash.
        for piece in body.split("<style>").skip(1) {
            let css = piece.split("</style>").next().unwrap_or_default();
            assert!(csp.contains(&style_hash(css)), "{path}: style not allowed");
            styles += 1;
        }
    }
    assert_eq!(styles, 3, "docs, annual report and catalogue print styles");
}

#[tokio::test]
async fn hsts_follows_the_public_url_or_a_trusted_proxy() {
    let https = ServerConfig {
        public_url: Some("https://kjj.example.gov.cn".into()),
        ..ServerConfig::default()
    };
    let s = TestServer::start_with(Db::Sqlite, https).await.unwrap();
    for path in ["/", "/healthz", "/api/v1/demands"] {
        let (h, _) = fetch(&s, path, &[]).await;
        assert!(
            header(&h, "strict-transport-security").starts_with("max-age="),
            "{path}"
        );
    }

    let proxied = ServerConfig {
        trusted_proxies: vec!["127.0.0.1".parse().unwrap()],
        ..ServerConfig::default()
    };
    let s = TestServer::start_with(Db::Sqlite, proxied).await.unwrap();
    let (h, _) = fetch(&s, "/", &[("x-forwarded-proto", "https")]).await;
    assert!(h.contains_key("strict-transport-security"));
    let (h, _) = fetch(&s, "/", &[("x-forwarded-proto", "http")]).await;
    assert!(!h.contains_key("strict-transport-security"));

    // From a peer that is not a trusted proxy the header proves nothing.
    let s = TestServer::start(Db::Sqlite).await.unwrap();
    let (h, _) = fetch(&s, "/", &[("x-forwarded-proto", "https")]).await;
    assert!(!h.contains_key("strict-transport-security"));
}
