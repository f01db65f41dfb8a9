//! Shared helpers of the end-to-end tests: a real server on `127.0.0.1:0` over a fresh
//! SQLite file or PostgreSQL schema, and a small HTTP client.

use duijie_app::{App, AppConfig, IndexMode};
use duijie_core::{DemandStatus, Draft, ImportReport, RecordKind, Role};
use duijie_store::ImportBatch;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// The enterprise of the 揭榜 scenarios (account `ent` of [`TestServer::parties`]).
pub const ENTERPRISE: &str = "灵宝金源矿业有限公司";

/// Which database a test server uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Db {
    Sqlite,
    Postgres,
}

/// The tokens of a 揭榜's three parties: the enterprise 灵宝金源矿业有限公司 (account `ent`),
/// the institution 郑州大学 (`zzu`) and the bureau (`bureau`).
pub struct Parties {
    pub ent: String,
    pub zzu: String,
    pub bureau: String,
}

/// A running server and what it needs to stay alive.
pub struct TestServer {
    pub app: Arc<App>,
    pub base: String,
    pub client: reqwest::Client,
    /// The database, for a second server on it ([`TestServer::replica`]).
    pub url: String,
    _dir: tempfile::TempDir,
    _task: tokio::task::JoinHandle<()>,
}

/// Server settings whose sign-in throttle locks an account after `account_failures` and a
/// client address after `address_failures` failures within a minute, for `lockout`.
pub fn sign_in_limits(
    account_failures: u32,
    address_failures: u32,
    lockout: std::time::Duration,
) -> duijie_server::ServerConfig {
    duijie_server::ServerConfig {
        sign_in: duijie_app::SignInPolicy {
            account_failures,
            address_failures,
            window: std::time::Duration::from_secs(60),
            lockout,
            session_ttl: std::time::Duration::from_secs(600),
        },
        ..Default::default()
    }
}

/// The account name each test token belongs to (its password is the token itself).
static ACCOUNTS: std::sync::LazyLock<std::sync::Mutex<std::collections::HashMap<String, String>>> =
    std::sync::LazyLock::new(Default::default);

/// The value of the first input named `name` in a page's HTML (a hidden field, a checkbox).
pub fn input_value(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker)? + marker.len();
    html[start..].split('"').next().map(str::to_string)
}

/// The text `field` of each entry of the JSON list `list`; panics, failing the test, when
/// `list` is no list or an entry has no such text.
pub fn texts<'a>(list: &'a Value, field: &str) -> Vec<&'a str> {
    let entries = list.as_array().unwrap_or_else(|| panic!("no list: {list}"));
    entries
        .iter()
        .map(|e| {
            e[field]
                .as_str()
                .unwrap_or_else(|| panic!("no {field} in {e}"))
        })
        .collect()
}

/// The account name of a token made by [`TestServer::token`].
pub fn account_of(token: &str) -> Option<String> {
    ACCOUNTS
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get(token)
        .cloned()
}

/// A signed-in API session.
#[derive(Debug, Clone)]
pub struct Session {
    /// The `dj_session` cookie's value.
    pub cookie: String,
    /// The session's CSRF token (`X-CSRF-Token`).
    pub csrf: String,
    pub account: Value,
}

/// A response: status and JSON body (Null when the body is not JSON).
#[derive(Debug)]
pub struct Resp {
    pub status: StatusCode,
    pub body: Value,
}

impl Resp {
    /// The body's `id` (the record a POST made); panics, failing the test, when there is none.
    pub fn id(&self) -> String {
        self.body["id"]
            .as_str()
            .unwrap_or_else(|| panic!("no id in {:?} {}", self.status, self.body))
            .to_string()
    }

    /// The error's message (`error.message`); panics, failing the test, when there is none.
    pub fn message(&self) -> &str {
        self.body["error"]["message"]
            .as_str()
            .unwrap_or_else(|| panic!("no error message in {:?} {}", self.status, self.body))
    }

    /// The records of a list (`items`); panics, failing the test, when the body has none.
    pub fn items(&self) -> &[Value] {
        self.body["items"]
            .as_array()
            .unwrap_or_else(|| panic!("no items in {:?} {}", self.status, self.body))
    }

    /// The fields an error names, in order (`error.fields`; empty when there are none).
    pub fn error_fields(&self) -> Vec<String> {
        self.body["error"]["fields"]
            .as_array()
            .map(|all| {
                all.iter()
                    .filter_map(|f| f["field"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }
}

impl TestServer {
    /// Starts a server; `None` when PostgreSQL is asked for but not configured (outside CI).
    pub async fn start(db: Db) -> Option<TestServer> {
        Self::start_with(db, duijie_server::ServerConfig::default()).await
    }

    /// Starts a server with the given HTTP limits.
    pub async fn start_with(db: Db, config: duijie_server::ServerConfig) -> Option<TestServer> {
        Self::start_inner(db, config, true, None).await
    }

    /// Starts a server that keeps semantic vectors with its records (the bundled model) and
    /// ranks with `semantic` unless a request says otherwise.
    pub async fn start_semantic(
        db: Db,
        semantic: duijie_app::SemanticConfig,
    ) -> Option<TestServer> {
        Self::start_inner(
            db,
            duijie_server::ServerConfig::default(),
            true,
            Some(semantic),
        )
        .await
    }

    /// Starts a server whose index follows the change log only when the test calls
    /// [`TestServer::indexed`]: a stuck indexer, for health checks.
    pub async fn start_without_indexer(
        db: Db,
        config: duijie_server::ServerConfig,
    ) -> Option<TestServer> {
        Self::start_inner(db, config, false, None).await
    }

    async fn start_inner(
        db: Db,
        config: duijie_server::ServerConfig,
        indexer: bool,
        semantic: Option<duijie_app::SemanticConfig>,
    ) -> Option<TestServer> {
        let dir = tempfile::tempdir().expect("tempdir");
        let url = match db {
            Db::Sqlite => duijie_store::testing::sqlite_url(dir.path()),
            Db::Postgres => duijie_store::testing::postgres_url().await?,
        };
        Some(Self::launch(url, dir, config, indexer, semantic).await)
    }

    /// A second server on this one's database (another replica), with its own index.
    pub async fn replica(&self, config: duijie_server::ServerConfig) -> TestServer {
        let dir = tempfile::tempdir().expect("tempdir");
        Self::launch(self.url.clone(), dir, config, true, None).await
    }

    /// Opens an app on `url` with its index in `dir` and serves it on a loopback port.
    async fn launch(
        url: String,
        dir: tempfile::TempDir,
        config: duijie_server::ServerConfig,
        indexer: bool,
        semantic: Option<duijie_app::SemanticConfig>,
    ) -> TestServer {
        let app = App::open(&AppConfig {
            database_url: url.clone(),
            index: IndexMode::Dir(dir.path().join("index")),
            semantic,
        })
        .await
        .expect("app opens");
        if indexer {
            app.spawn_indexer();
        }
        app.spawn_embedder();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let server_app = app.clone();
        let task = tokio::spawn(async move {
            let _ =
                duijie_server::serve(server_app, config, listener, std::future::pending()).await;
        });
        TestServer {
            app,
            base: format!("http://{addr}"),
            client: reqwest::Client::new(),
            url,
            _dir: dir,
            _task: task,
        }
    }

    /// Creates an account and returns its token. The token is also the account's password
    /// (so page tests sign in with it, see [`account_of`]).
    pub async fn token(&self, name: &str, role: Role, org: Option<&str>) -> String {
        let (user, token) = self.app.add_user(name, role, org).await.expect("user");
        let hash = duijie_app::hash_password(&token).await.expect("hash");
        self.app
            .store()
            .set_password(&user.id, &hash)
            .await
            .expect("password");
        ACCOUNTS
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(token.clone(), user.name);
        token
    }

    /// The `Cookie` header of a page visit signed in as the account of a token made by
    /// [`TestServer::token`].
    /// The session is opened through the app, so no request of the test's client is spent on
    /// it (rate-limit tests count them).
    pub async fn page_cookie(&self, token: &str) -> String {
        let account = account_of(token).expect("a token made by TestServer::token");
        let throttle = duijie_app::SignInThrottle::new(duijie_app::SignInPolicy::default());
        let signed = self
            .app
            .sign_in(
                &throttle,
                &account,
                token,
                std::net::Ipv4Addr::LOCALHOST.into(),
            )
            .await
            .expect("sign-in");
        format!("dj_session={}", signed.session_id)
    }

    /// Signs in over the API; the session cookie's value and the session's CSRF token, or the
    /// refusal's status and body.
    pub async fn sign_in(&self, account: &str, password: &str) -> Result<Session, Resp> {
        self.sign_in_with_cookie(account, password, None).await
    }

    /// As [`TestServer::sign_in`], sending an earlier session cookie along.
    pub async fn sign_in_with_cookie(
        &self,
        account: &str,
        password: &str,
        old: Option<&str>,
    ) -> Result<Session, Resp> {
        let mut req = self
            .client
            .post(format!("{}/api/v1/session", self.base))
            .json(&json!({"account": account, "password": password}));
        if let Some(old) = old {
            req = req.header("cookie", format!("dj_session={old}"));
        }
        let resp = req.send().await.expect("request");
        let status = resp.status();
        let retry_after = resp
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let cookie = resp
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|v| v.strip_prefix("dj_session="))
            .map(|v| v.split(';').next().unwrap_or_default().to_string());
        let text = resp.text().await.unwrap_or_default();
        let mut body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        if status != StatusCode::OK {
            if let Some(r) = retry_after {
                body["retry_after"] = json!(r);
            }
            return Err(Resp { status, body });
        }
        Ok(Session {
            cookie: cookie.expect("a session cookie"),
            csrf: body["csrf_token"].as_str().unwrap_or_default().to_string(),
            account: body["account"].clone(),
        })
    }

    /// A call authenticated by a session cookie; `csrf` goes into `X-CSRF-Token`.
    pub async fn call_session(
        &self,
        method: Method,
        path: &str,
        cookie: &str,
        csrf: Option<&str>,
        body: Option<Value>,
    ) -> Resp {
        let mut req = self
            .client
            .request(method, format!("{}{path}", self.base))
            .header("cookie", format!("dj_session={cookie}"));
        if let Some(c) = csrf {
            req = req.header("x-csrf-token", c);
        }
        Self::send(req, body).await
    }

    /// A call within a signed-in session: its cookie, and its CSRF token in `X-CSRF-Token`.
    pub async fn session_call(
        &self,
        method: Method,
        path: &str,
        session: &Session,
        body: Option<Value>,
    ) -> Resp {
        let csrf = Some(session.csrf.as_str());
        self.call_session(method, path, &session.cookie, csrf, body)
            .await
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Resp {
        let mut req = self.client.request(method, format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        Self::send(req, body).await
    }

    /// POSTs a multipart form (an upload) as `token`.
    pub async fn upload(&self, path: &str, token: &str, form: reqwest::multipart::Form) -> Resp {
        let url = format!("{}{path}", self.base);
        let req = self.client.post(url).bearer_auth(token).multipart(form);
        Self::send(req, None).await
    }

    /// The HTML of the page at `path`, visited with the `Cookie` header `cookie` (see
    /// [`TestServer::page_cookie`]).
    pub async fn page(&self, path: &str, cookie: &str) -> String {
        let url = format!("{}{path}", self.base);
        let resp = self.client.get(url).header("cookie", cookie).send().await;
        resp.expect("request").text().await.expect("page text")
    }

    /// Sends a request with an optional JSON body; the answer's status and JSON body.
    async fn send(mut req: reqwest::RequestBuilder, body: Option<Value>) -> Resp {
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.expect("request");
        let status = resp.status();
        let text = resp.text().await.unwrap_or_default();
        Resp {
            status,
            body: serde_json::from_str(&text).unwrap_or(Value::Null),
        }
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Resp {
        self.call(Method::GET, path, token, None).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Resp {
        self.call(Method::POST, path, token, Some(body)).await
    }

    pub async fn patch(&self, path: &str, token: Option<&str>, body: Value) -> Resp {
        self.call(Method::PATCH, path, token, Some(body)).await
    }

    pub async fn put(&self, path: &str, token: Option<&str>, body: Value) -> Resp {
        self.call(Method::PUT, path, token, Some(body)).await
    }

    pub async fn delete(&self, path: &str, token: Option<&str>) -> Resp {
        self.call(Method::DELETE, path, token, None).await
    }

    /// `GET /api/v1/session` with a session cookie: whether (and as whom) that session is open.
    pub async fn whoami(&self, cookie: &str) -> Resp {
        self.call_session(Method::GET, "/api/v1/session", cookie, None, None)
            .await
    }

    /// The latest move in the status history of demand `id`, as `token` reads it.
    pub async fn last_move(&self, id: &str, token: &str) -> Value {
        let history = format!("/api/v1/demands/{id}/history");
        let r = self.get(&history, Some(token)).await;
        let last = r.items().last().cloned();
        last.unwrap_or_else(|| panic!("no history: {:?} {}", r.status, r.body))
    }

    /// Asserts that `path` answers 401 to an anonymous caller and 403 to `other`, signed in
    /// with a role that may not call it.
    pub async fn assert_guarded(
        &self,
        method: Method,
        path: &str,
        other: &str,
        body: Option<Value>,
    ) {
        let anonymous = self.call(method.clone(), path, None, body.clone()).await;
        let what = format!("{method} {path}");
        assert_eq!(
            anonymous.status,
            StatusCode::UNAUTHORIZED,
            "{what} anonymous"
        );
        let refused = self.call(method, path, Some(other), body).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{what} as {other}");
    }

    /// Accounts for the three parties of a 揭榜, created in this order: enterprise,
    /// institution, bureau.
    pub async fn parties(&self) -> Parties {
        Parties {
            ent: self.token("ent", Role::Enterprise, Some(ENTERPRISE)).await,
            zzu: self.token("zzu", Role::Institution, Some("郑州大学")).await,
            bureau: self.token("bureau", Role::Bureau, None).await,
        }
    }

    /// Writes a demand as `enterprise` (a draft); returns its id. Like the other demand
    /// fixtures below, panics (failing the test) unless every step succeeds.
    pub async fn draft_demand(&self, enterprise: &str, body: Value) -> String {
        let r = self.post("/api/v1/demands", Some(enterprise), body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        r.id()
    }

    /// The owner submits demand `id` for review.
    pub async fn submit_demand(&self, enterprise: &str, id: &str) {
        let submit = format!("/api/v1/demands/{id}/submit");
        let r = self.post(&submit, Some(enterprise), json!({})).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    }

    /// The bureau approves the submitted demand `id`.
    pub async fn approve_demand(&self, bureau: &str, id: &str) {
        let review = format!("/api/v1/demands/{id}/review");
        let approve = json!({"decision": "approve"});
        let r = self.post(&review, Some(bureau), approve).await;
        assert_eq!(r.body["status"], "approved", "{:?}", r.body);
    }

    /// A demand written and submitted by `enterprise`.
    pub async fn submitted_demand(&self, enterprise: &str, body: Value) -> String {
        let id = self.draft_demand(enterprise, body).await;
        self.submit_demand(enterprise, &id).await;
        id
    }

    /// A demand written and submitted by `enterprise`, approved by `bureau`.
    pub async fn approved_demand(&self, enterprise: &str, bureau: &str, body: Value) -> String {
        let id = self.submitted_demand(enterprise, body).await;
        self.approve_demand(bureau, &id).await;
        id
    }

    /// A demand taken to published, open to 揭榜: written, submitted, approved and published
    /// in a new edition titled `edition`.
    pub async fn published_demand(
        &self,
        enterprise: &str,
        bureau: &str,
        body: Value,
        edition: &str,
    ) -> String {
        let id = self.approved_demand(enterprise, bureau, body).await;
        self.publish_edition(bureau, edition, &[&id]).await;
        id
    }

    /// An institution's expression of interest (揭榜) in the demand `id`; returns its id.
    pub async fn propose(&self, institution: &str, id: &str, body: Value) -> String {
        let interests = format!("/api/v1/demands/{id}/interests");
        let r = self.post(&interests, Some(institution), body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        r.id()
    }

    /// Compiles a catalogue edition of the given demands and publishes it; panics (failing
    /// the test) unless every step succeeds. Returns the edition id.
    pub async fn publish_edition(&self, bureau: &str, title: &str, demand_ids: &[&str]) -> String {
        let title = json!({ "title": title });
        let r = self.post("/api/v1/catalogues", Some(bureau), title).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        let id = r.id();
        let items = format!("/api/v1/catalogues/{id}/items");
        let demands = json!({ "demand_ids": demand_ids });
        let r = self.post(&items, Some(bureau), demands).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        let publish = format!("/api/v1/catalogues/{id}/publish");
        let r = self.post(&publish, Some(bureau), json!({})).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        id
    }

    /// Stores achievement drafts as one import, as an uploaded listing would be, and waits
    /// for the index. Each call is a distinct file.
    pub async fn import_achievements(&self, records: Vec<Draft>) -> ImportReport {
        let report = self.store_achievements(records).await;
        self.indexed().await;
        report
    }

    /// Stores achievement drafts as one import without waking the indexer.
    pub async fn store_achievements(&self, records: Vec<Draft>) -> ImportReport {
        static FILES: AtomicU64 = AtomicU64::new(1);
        let n = FILES.fetch_add(1, Ordering::Relaxed);
        self.app
            .store()
            .import(ImportBatch {
                file: format!("成果{n}.csv"),
                sha256: format!("{n:064x}"),
                kind: RecordKind::Achievements,
                rows_total: u32::try_from(records.len()).unwrap_or(u32::MAX),
                rows_skipped: 0,
                errors: Vec::new(),
                records,
                demand_status: DemandStatus::Published,
                actor_name: "fixture".into(),
            })
            .await
            .expect("fixture import")
    }

    /// Waits until the index has applied every write so far.
    pub async fn indexed(&self) {
        self.app.sync_index().await.expect("index sync");
    }

    /// Ids of the stored experts of `org`, oldest id first. Read from the store: leaders known
    /// only by name (imported with their projects) have nothing to search on and are not in
    /// the index.
    pub async fn expert_ids_of(&self, org: &str) -> Vec<String> {
        let records = self
            .app
            .store()
            .scan(duijie_core::EntityKind::Expert, "", 1_000)
            .await
            .expect("scan experts");
        records
            .into_iter()
            .filter_map(|r| match r {
                duijie_store::Record::Expert(e) if e.org_name == org => Some(e.id),
                _ => None,
            })
            .collect()
    }
}

/// An aiosmtpd process on a loopback port writing every message into a Maildir.
pub struct Smtp {
    child: std::process::Child,
    pub port: u16,
    pub maildir: std::path::PathBuf,
}

impl Smtp {
    pub fn python() -> String {
        std::env::var("DUIJIE_TEST_PYTHON").unwrap_or_else(|_| "python3".into())
    }

    /// `None` (with a notice) when aiosmtpd is missing outside CI; under CI=true a failure.
    pub fn available() -> bool {
        let ok = std::process::Command::new(Self::python())
            .args(["-c", "import aiosmtpd"])
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "aiosmtpd is missing: run .ci/smtp-deps.sh (CI=true needs the real SMTP server)"
            );
            eprintln!("notice: aiosmtpd missing (.ci/smtp-deps.sh), SMTP test skipped");
        }
        ok
    }

    pub fn free_port() -> u16 {
        std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free loopback port")
            .port()
    }

    pub async fn start(port: u16, maildir: &std::path::Path) -> Smtp {
        let child = std::process::Command::new(Self::python())
            .args(["-m", "aiosmtpd", "-n", "-u", "-l"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(maildir)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("start aiosmtpd");
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        Smtp {
            child,
            port,
            maildir: maildir.to_path_buf(),
        }
    }

    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// A header of a raw message (its first line only).
    pub fn header<'a>(raw: &'a str, name: &str) -> Option<&'a str> {
        raw.lines()
            .find(|l| {
                l.to_ascii_lowercase()
                    .starts_with(&format!("{}:", name.to_ascii_lowercase()))
            })
            .map(|l| l[name.len() + 1..].trim())
    }

    /// The plain-text part of a raw message, decoded by Python's e-mail package.
    pub fn plain_text(raw: &str) -> String {
        let out = std::process::Command::new(Self::python())
            .args([
                "-c",
                "import email, email.policy, sys\n\
                 m = email.message_from_string(sys.stdin.read(), policy=email.policy.default)\n\
                 print(m.get_body(('plain',)).get_content())",
            ])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .and_then(|mut c| {
                use std::io::Write;
                c.stdin.take().expect("stdin").write_all(raw.as_bytes())?;
                c.wait_with_output()
            })
            .expect("python decodes the mail");
        String::from_utf8(out.stdout).expect("utf-8 text")
    }

    /// Every received message, raw.
    pub fn messages(&self) -> Vec<String> {
        let Ok(dir) = std::fs::read_dir(self.maildir.join("new")) else {
            return Vec::new();
        };
        dir.filter_map(Result::ok)
            .map(|e| std::fs::read_to_string(e.path()).expect("a received message"))
            .collect()
    }
}

impl Drop for Smtp {
    fn drop(&mut self) {
        self.stop();
    }
}
