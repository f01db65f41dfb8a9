//! HTTP limits: body caps, upload caps and per-client rate limits. Backend-independent, so
//! these run on SQLite only.

use duijie_core::Role;
use duijie_e2e::{Db, TestServer};
use duijie_server::ServerConfig;
use reqwest::StatusCode;
use serde_json::json;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

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
    let r = s.upload("/api/v1/imports", &bureau, form).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(r.body["error"]["code"], "too_large");
}

/// Reads what the server sends until it closes the connection (or resets it); `None` when it
/// is still open after `within`.
async fn read_until_closed(stream: &mut TcpStream, within: Duration) -> Option<String> {
    let mut buf = Vec::new();
    let read = tokio::time::timeout(within, stream.read_to_end(&mut buf)).await;
    read.ok()
        .map(|_| String::from_utf8_lossy(&buf).into_owned())
}

/// Reads a response's status line and headers.
async fn read_head(stream: &mut TcpStream) -> String {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 1024];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => break,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    String::from_utf8_lossy(&buf).into_owned()
}

fn addr_of(s: &TestServer) -> String {
    s.base.trim_start_matches("http://").to_string()
}

#[tokio::test]
async fn slow_and_idle_connections_are_closed_after_the_header_timeout() {
    let config = ServerConfig {
        header_read_timeout: Duration::from_millis(300),
        ..ServerConfig::default()
    };
    let s = TestServer::start_with(Db::Sqlite, config).await.unwrap();
    let addr = addr_of(&s);

    let mut half = TcpStream::connect(&addr).await.unwrap();
    half.write_all(b"GET /healthz HTTP/1.1\r\nHost: duijie\r\n")
        .await
        .unwrap();
    let started = Instant::now();
    let sent = read_until_closed(&mut half, Duration::from_secs(5)).await;
    assert!(sent.is_some(), "half a header kept the connection open");
    assert!(started.elapsed() >= Duration::from_millis(250));

    let mut silent = TcpStream::connect(&addr).await.unwrap();
    let sent = read_until_closed(&mut silent, Duration::from_secs(5)).await;
    assert_eq!(sent.as_deref(), Some(""), "a silent connection stayed open");

    // A kept-alive connection is answered, then closed once idle for as long.
    let mut idle = TcpStream::connect(&addr).await.unwrap();
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: duijie\r\n\r\n")
        .await
        .unwrap();
    let sent = read_until_closed(&mut idle, Duration::from_secs(5)).await;
    assert!(
        sent.as_deref()
            .is_some_and(|t| t.starts_with("HTTP/1.1 200")),
        "{sent:?}"
    );
}

/// Sends `head` (a request whose body never arrives) to a server with a 500 ms request timeout
/// and returns what comes back within 5 s: the answer read up to the end of its body (the
/// connection may stay open waiting for the rest of the request).
async fn stalled_request(head: &[u8]) -> String {
    let config = ServerConfig {
        request_timeout: Duration::from_millis(500),
        ..ServerConfig::default()
    };
    let s = TestServer::start_with(Db::Sqlite, config).await.unwrap();
    let mut slow = TcpStream::connect(addr_of(&s)).await.unwrap();
    slow.write_all(head).await.unwrap();
    let mut buf = Vec::new();
    let mut chunk = [0u8; 1024];
    let deadline = Instant::now() + Duration::from_secs(5);
    while !(buf.ends_with(b"}}") || buf.ends_with(b"</html>\n") || buf.ends_with(b"</html>"))
        && Instant::now() < deadline
    {
        match tokio::time::timeout(Duration::from_secs(5), slow.read(&mut chunk)).await {
            Ok(Ok(n)) if n > 0 => buf.extend_from_slice(&chunk[..n]),
            _ => break,
        }
    }
    String::from_utf8_lossy(&buf).into_owned()
}

#[tokio::test]
async fn a_page_request_slower_than_the_request_timeout_is_cut() {
    // The head arrives, the form body never does.
    let sent = stalled_request(
        b"POST /login HTTP/1.1\r\nHost: duijie\r\n\
          Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\ntoken=",
    )
    .await;
    assert!(sent.starts_with("HTTP/1.1 503"), "{sent}");
    assert!(
        sent.contains("请求处理超时"),
        "the site's error page: {sent}"
    );
}

#[tokio::test]
async fn an_api_request_slower_than_the_request_timeout_gets_the_error_body() {
    // The head arrives, the JSON body never does.
    let sent = stalled_request(
        b"POST /api/v1/match HTTP/1.1\r\nHost: duijie\r\n\
          Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"text\":",
    )
    .await;
    assert!(sent.starts_with("HTTP/1.1 503"), "{sent}");
    assert!(
        sent.to_ascii_lowercase().contains("retry-after: 1"),
        "{sent}"
    );
    assert!(sent.contains("\"code\":\"unavailable\""), "{sent}");
}

#[tokio::test]
async fn connections_beyond_the_limit_are_refused_with_503() {
    let config = ServerConfig {
        max_connections: 2,
        ..ServerConfig::default()
    };
    let s = TestServer::start_with(Db::Sqlite, config).await.unwrap();
    let addr = addr_of(&s);
    let request = b"GET /healthz HTTP/1.1\r\nHost: duijie\r\n\r\n";
    let mut held = Vec::new();
    for _ in 0..2 {
        let mut c = TcpStream::connect(&addr).await.unwrap();
        c.write_all(request).await.unwrap();
        assert!(read_head(&mut c).await.starts_with("HTTP/1.1 200"));
        held.push(c);
    }
    let mut third = TcpStream::connect(&addr).await.unwrap();
    third.write_all(request).await.unwrap();
    let sent = read_until_closed(&mut third, Duration::from_secs(5))
        .await
        .expect("a refused connection is closed at once");
    assert!(sent.starts_with("HTTP/1.1 503"), "{sent}");
    assert!(sent.contains("\"unavailable\""), "{sent}");

    // A freed place is taken again.
    drop(held.pop());
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let mut c = TcpStream::connect(&addr).await.unwrap();
        c.write_all(request).await.unwrap();
        if read_head(&mut c).await.starts_with("HTTP/1.1 200") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the freed connection was not reused"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn shutdown_finishes_the_request_in_flight_then_returns() {
    let dir = tempfile::tempdir().unwrap();
    let app = duijie_app::App::open(&duijie_app::AppConfig {
        database_url: duijie_store::testing::sqlite_url(dir.path()),
        index: duijie_app::IndexMode::Memory,
        semantic: None,
    })
    .await
    .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(duijie_server::serve(
        app,
        ServerConfig::default(),
        listener,
        async {
            let _ = stopped.await;
        },
    ));
    // A request whose body is still on its way when the server is told to stop.
    let mut c = TcpStream::connect(addr).await.unwrap();
    c.write_all(
        b"POST /api/v1/match HTTP/1.1\r\nHost: duijie\r\n\
          Content-Type: application/json\r\nContent-Length: 20\r\n\r\n{\"text\":",
    )
    .await
    .unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    stop.send(()).unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(!server.is_finished(), "stopped with a request in flight");
    c.write_all("\"锂电池\"}".as_bytes()).await.unwrap();
    let sent = read_until_closed(&mut c, Duration::from_secs(10))
        .await
        .unwrap();
    assert!(sent.starts_with("HTTP/1.1 200"), "{sent}");
    tokio::time::timeout(Duration::from_secs(10), server)
        .await
        .expect("serve returns after the last connection")
        .unwrap()
        .unwrap();
}

async fn status_of(s: &TestServer, path: &str, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut req = s.client.get(format!("{}{path}", s.base));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    req.send().await.unwrap()
}

#[tokio::test]
async fn anonymous_page_views_share_the_api_rate_limit() {
    let config = ServerConfig {
        anonymous_per_second: 0.5,
        anonymous_burst: 3.0,
        ..ServerConfig::default()
    };
    let s = TestServer::start_with(Db::Sqlite, config).await.unwrap();
    let enterprise = s.token("甲公司", Role::Enterprise, Some("甲公司")).await;
    for path in ["/", "/demands", "/experts"] {
        assert_eq!(status_of(&s, path, &[]).await.status(), StatusCode::OK);
    }
    let resp = status_of(&s, "/", &[]).await;
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(resp.headers().contains_key("retry-after"));
    assert!(resp.text().await.unwrap().contains("请求过于频繁"));
    // The same bucket as the API's.
    let r = s.get("/api/v1/demands", None).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    // A signed-in reader is not throttled as an anonymous one.
    let cookie = s.page_cookie(&enterprise).await;
    let resp = status_of(&s, "/", &[("cookie", &cookie)]).await;
    assert_eq!(resp.status(), StatusCode::OK);
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_forwarded_client_has_its_own_bucket() {
    let config = ServerConfig {
        anonymous_per_second: 0.5,
        anonymous_burst: 2.0,
        trusted_proxies: vec!["127.0.0.0/8".parse().unwrap()],
        ..ServerConfig::default()
    };
    let s = TestServer::start_with(Db::Sqlite, config).await.unwrap();
    // What the client wrote itself (left of the proxy's entry) is not believed.
    let a = [("x-forwarded-for", "6.6.6.6, 198.51.100.1")];
    let b = [("x-forwarded-for", "6.6.6.6, 198.51.100.2")];
    for _ in 0..2 {
        assert_eq!(status_of(&s, "/", &a).await.status(), StatusCode::OK);
    }
    assert_eq!(
        status_of(&s, "/api/v1/demands", &a).await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(status_of(&s, "/", &b).await.status(), StatusCode::OK);
    assert_eq!(
        status_of(&s, "/api/v1/demands", &b).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn forwarded_for_from_an_untrusted_peer_is_ignored() {
    let config = ServerConfig {
        anonymous_per_second: 0.5,
        anonymous_burst: 2.0,
        trusted_proxies: vec!["10.0.0.0/8".parse().unwrap()],
        ..ServerConfig::default()
    };
    let s = TestServer::start_with(Db::Sqlite, config).await.unwrap();
    for client in ["198.51.100.1", "198.51.100.2"] {
        let h = [("x-forwarded-for", client)];
        assert_eq!(status_of(&s, "/", &h).await.status(), StatusCode::OK);
    }
    let h = [("x-forwarded-for", "198.51.100.3")];
    assert_eq!(
        status_of(&s, "/", &h).await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[tokio::test]
async fn matches_cut_by_the_request_timeout_leave_no_work_running() {
    let config = ServerConfig {
        request_timeout: Duration::from_millis(1),
        ..ServerConfig::default()
    };
    let s = TestServer::start_with(Db::Sqlite, config).await.unwrap();
    // The endpoint's longest text, read by ranking on a blocking thread.
    let text: String = "高镍锂电池正极材料循环寿命与热稳定性改性研究。"
        .chars()
        .cycle()
        .take(5_000)
        .collect();
    let body = json!({ "text": text });
    let (a, b, c) = tokio::join!(
        s.post("/api/v1/match", None, body.clone()),
        s.post("/api/v1/match", None, body.clone()),
        s.post("/api/v1/match", None, body),
    );
    for r in [a, b, c] {
        assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{:?}", r.body);
    }
    let deadline = Instant::now() + Duration::from_secs(5);
    while s.app.running_jobs() > 0 {
        assert!(
            Instant::now() < deadline,
            "ranking went on after its request was cut"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
