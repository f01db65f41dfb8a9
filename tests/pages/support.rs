//! Helpers of the page tests: a cookie-keeping HTTP client that fills forms the way a browser
//! does, fixtures through the app, and a headless Chromium driven through chromedriver.

use duijie_app::{App, Caller, DemandForm, ImportRequest, ReviewDecision};
use duijie_core::{Demand, RecordKind};
use reqwest::header::{HeaderMap, COOKIE, LOCATION, SET_COOKIE};
use reqwest::StatusCode;
use std::collections::BTreeMap;
use std::net::TcpListener;
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

pub use duijie_e2e::{Db, Smtp, TestServer, ENTERPRISE};

/// A server on a fresh SQLite file: the page tests need no second backend.
pub async fn server() -> TestServer {
    TestServer::start(Db::Sqlite).await.expect("sqlite server")
}

/// A page response.
#[derive(Debug)]
pub struct Page {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Page {
    pub fn location(&self) -> &str {
        self.headers
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    /// The value of the first input named `name` on the page (a hidden field, a checkbox).
    pub fn input(&self, name: &str) -> String {
        duijie_e2e::input_value(&self.body, name)
            .unwrap_or_else(|| panic!("no input {name} on the page"))
    }

    /// The `Set-Cookie` header that sets `name`.
    pub fn set_cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with(&format!("{name}=")))
            .map(str::to_string)
    }
}

/// A visitor with a cookie jar that does not follow redirects (tests look at them).
pub struct Visitor {
    base: String,
    client: reqwest::Client,
    cookies: BTreeMap<String, String>,
}

impl Visitor {
    pub fn new(base: &str) -> Visitor {
        Visitor {
            base: base.to_string(),
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("http client"),
            cookies: BTreeMap::new(),
        }
    }

    /// A visitor signed in as the account of a test token.
    pub async fn signed_in(base: &str, token: &str) -> Visitor {
        let mut v = Visitor::new(base);
        v.sign_in(token).await;
        v
    }

    /// Sets a cookie as another site (or a replayed request) could.
    pub fn set_cookie(&mut self, name: &str, value: &str) {
        self.cookies.insert(name.to_string(), value.to_string());
    }

    pub fn cookie(&self, name: &str) -> Option<&str> {
        self.cookies.get(name).map(String::as_str)
    }

    fn keep_cookies(&mut self, headers: &HeaderMap) {
        for v in headers
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
        {
            let pair = v.split(';').next().unwrap_or_default();
            if let Some((name, value)) = pair.split_once('=') {
                if value.is_empty() || v.contains("Max-Age=0") {
                    self.cookies.remove(name);
                } else {
                    self.cookies.insert(name.to_string(), value.to_string());
                }
            }
        }
    }

    async fn send(&mut self, req: reqwest::RequestBuilder) -> Page {
        let jar: Vec<String> = self
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        let req = if jar.is_empty() {
            req
        } else {
            req.header(COOKIE, jar.join("; "))
        };
        let resp = req.send().await.expect("request");
        let status = resp.status();
        let headers = resp.headers().clone();
        self.keep_cookies(&headers);
        let body = resp.text().await.unwrap_or_default();
        Page {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let req = self.client.get(format!("{}{path}", self.base));
        self.send(req).await
    }

    /// Posts a form as a browser would, with the CSRF token from the cookie.
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let csrf = self.cookie("dj_csrf").unwrap_or_default().to_string();
        let mut all: Vec<(&str, &str)> = vec![("csrf", &csrf)];
        all.extend_from_slice(fields);
        let req = self.client.post(format!("{}{path}", self.base)).form(&all);
        self.send(req).await
    }

    /// Posts a form exactly as given (no CSRF token added).
    pub async fn post_raw(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let req = self
            .client
            .post(format!("{}{path}", self.base))
            .form(fields);
        self.send(req).await
    }

    pub async fn post_multipart(&mut self, path: &str, form: reqwest::multipart::Form) -> Page {
        let req = self
            .client
            .post(format!("{}{path}", self.base))
            .multipart(form);
        self.send(req).await
    }

    /// Opens the sign-in page (for the CSRF cookie) and signs in as the account of a test
    /// token (whose password is the token, see `TestServer::token`).
    pub async fn sign_in(&mut self, token: &str) -> Page {
        let account = duijie_e2e::account_of(token).expect("a token made by TestServer::token");
        self.sign_in_as(&account, token).await
    }

    /// Opens the sign-in page (for the CSRF cookie) and signs in with a password.
    pub async fn sign_in_as(&mut self, account: &str, password: &str) -> Page {
        self.get("/login").await;
        self.post(
            "/login",
            &[("account", account), ("password", password), ("next", "")],
        )
        .await
    }
}

/// The caller a token stands for.
pub async fn caller(app: &App, token: &str) -> Caller {
    app.authenticate(Some(token)).await.expect("caller")
}

/// A demand body for fixtures.
pub fn demand_form(title: &str, phone: &str) -> DemandForm {
    DemandForm {
        title: Some(title.to_string()),
        description: Some(
            "我公司生产高纯氧化铝粉体，烧结活性不足，需要优化粉体制备与煅烧工艺，降低能耗并提高一致性。"
                .to_string(),
        ),
        goals: Some("纯度达到99.99%，粒径分布D50≤1μm".to_string()),
        field: Some("新材料".to_string()),
        modes: Some(vec!["合作开发".to_string()]),
        budget_wan: Some(50.0),
        region: Some("灵宝市".to_string()),
        contact_name: Some("张三".to_string()),
        contact_phone: Some(phone.to_string()),
        contact_email: Some("zhangsan@example.cn".to_string()),
        ..DemandForm::default()
    }
}

/// A demand written and submitted for review by the app.
pub async fn submitted_demand(app: &App, enterprise: &Caller, form: &DemandForm) -> Demand {
    let d = app.create_demand(enterprise, form).await.expect("create");
    app.submit_demand(enterprise, &d.id).await.expect("submit");
    d
}

/// A demand taken through the whole lifecycle by the app: written, submitted, approved, and
/// published in a catalogue edition.
pub async fn published_demand(
    app: &Arc<App>,
    enterprise: &Caller,
    bureau: &Caller,
    form: &DemandForm,
) -> String {
    let d = submitted_demand(app, enterprise, form).await;
    app.review_demand(bureau, &d.id, ReviewDecision::Approve, "", None)
        .await
        .expect("approve");
    publish(app, bureau, &d.id).await;
    d.id
}

/// Publishes an approved demand in a new catalogue edition and waits for the index.
pub async fn publish(app: &Arc<App>, bureau: &Caller, demand_id: &str) {
    let edition = app
        .create_catalogue(
            bureau,
            &duijie_app::CatalogueForm {
                title: format!("测试目录 {demand_id}"),
                period: None,
            },
        )
        .await
        .expect("catalogue");
    app.add_catalogue_items(bureau, &edition.id, &[demand_id.to_string()])
        .await
        .expect("items");
    app.publish_catalogue(bureau, &edition.id)
        .await
        .expect("publish");
    app.sync_index().await.expect("index");
}

/// Imports a catalogue file of `kind` as the bureau's upload would (the index is not awaited).
pub async fn import_file(app: &App, file_name: &str, bytes: &[u8], kind: RecordKind) {
    app.import_as(
        "test",
        ImportRequest {
            file_name: file_name.to_string(),
            bytes: bytes.to_vec(),
            kind: Some(kind),
        },
    )
    .await
    .expect("fixture import");
}

/// Imports achievements from CSV text (the institutions' catalogue of the tests).
pub async fn import_achievements(app: &App, csv: &str) {
    import_file(
        app,
        "achievements.csv",
        csv.as_bytes(),
        RecordKind::Achievements,
    )
    .await;
}

/// The sample catalogues of `serve --demo`.
pub async fn load_demo(app: &App) {
    let files: [(&str, &[u8], RecordKind); 2] = [
        (
            "achievements-nsfc-mgmt.csv",
            include_bytes!("../../data/demo/achievements-nsfc-mgmt.csv"),
            RecordKind::Achievements,
        ),
        (
            "demands.csv",
            include_bytes!("../../data/demo/demands.csv"),
            RecordKind::Demands,
        ),
    ];
    for (name, bytes, kind) in files {
        import_file(app, name, bytes, kind).await;
    }
    app.sync_index().await.expect("index");
}

/// The mail worker's settings for a test relay on a loopback port: plain SMTP, a quick pace,
/// and no daily digests (only immediate notices go out).
pub fn mail_config(port: u16) -> duijie_app::MailConfig {
    let mut config = duijie_app::MailConfig::plain(
        "127.0.0.1",
        port,
        "对接平台 <noreply@duijie.test>",
        "https://duijie.test",
    );
    config.digest_hour = 24;
    config.pace.poll = Duration::from_millis(200);
    config
}

/// The first message the SMTP server received that `wanted` accepts (raw), waiting up to
/// 10 s for it.
pub async fn received_mail(smtp: &Smtp, wanted: impl Fn(&str) -> bool) -> Option<String> {
    for _ in 0..100 {
        if let Some(found) = smtp.messages().into_iter().find(|m| wanted(m)) {
            return Some(found);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    None
}

/// A chromedriver started for one test, stopped when dropped.
pub struct Driver {
    pub url: String,
    child: tokio::process::Child,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

fn find_chromedriver() -> Option<String> {
    if let Ok(path) = std::env::var("CHROMEDRIVER") {
        return Some(path);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join("chromedriver"))
        .find(|p| p.is_file())
        .map(|p| p.to_string_lossy().into_owned())
}

impl Driver {
    /// Starts chromedriver on a free port. Without one: `None` and a notice, except on CI
    /// (`CI=true`), where the browser tests must run.
    pub async fn start() -> Option<Driver> {
        let Some(binary) = find_chromedriver() else {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("chromedriver not found on CI: run .ci/browser-deps.sh");
            }
            eprintln!("notice: chromedriver not found (install chromium and chromium-driver, or set CHROMEDRIVER); browser test skipped");
            return None;
        };
        let port = free_port();
        let child = tokio::process::Command::new(&binary)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("chromedriver starts");
        let url = format!("http://127.0.0.1:{port}");
        let probe = reqwest::Client::new();
        for _ in 0..100 {
            if probe.get(format!("{url}/status")).send().await.is_ok() {
                return Some(Driver { url, child });
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("chromedriver did not answer on {url}");
    }

    /// A new headless Chromium session.
    pub async fn browser(&self, width: u32, height: u32) -> fantoccini::Client {
        let mut args = vec![
            "--headless".to_string(),
            "--no-sandbox".to_string(),
            "--disable-gpu".to_string(),
            "--disable-dev-shm-usage".to_string(),
            "--disable-background-networking".to_string(),
            "--disable-component-update".to_string(),
            "--disable-sync".to_string(),
            "--no-first-run".to_string(),
            "--hide-scrollbars".to_string(),
            "--lang=zh-CN".to_string(),
            format!("--window-size={width},{height}"),
        ];
        if let Ok(extra) = std::env::var("CHROMIUM_ARGS") {
            args.extend(extra.split_whitespace().map(str::to_string));
        }
        let mut options = serde_json::json!({ "args": args });
        if let Ok(bin) = std::env::var("CHROMIUM_BIN") {
            options["binary"] = serde_json::json!(bin);
        }
        let mut caps = serde_json::Map::new();
        caps.insert("goog:chromeOptions".to_string(), options);
        fantoccini::ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&self.url)
            .await
            .expect("webdriver session")
    }
}
