//! duijie-server: the HTTP face of duijie. The axum router for the JSON API (`/api/v1`), the
//! error mapping, authentication from bearer tokens, the limits every request meets, and the
//! server-rendered pages in Chinese (`pages`).
//! Use cases and permissions live in `duijie-app`; this crate only translates.

mod api;
mod client;
mod conn;
mod error;
mod extract;
mod headers;
mod idempotency;
mod limits;
mod pages;
mod precondition;
mod uploads;
mod views;

pub use client::TrustedProxy;
pub use error::ApiError;

use axum::Router;
use duijie_app::App;
use std::sync::Arc;
use std::time::Duration;

/// Limits of the HTTP layer.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Largest JSON body.
    pub max_body_bytes: usize,
    /// Largest catalogue upload.
    pub max_upload_bytes: usize,
    /// Caps of attachments (per file, per demand).
    pub attachments: duijie_app::AttachmentLimits,
    /// Time from a request's head to its response, on every route.
    pub request_timeout: Duration,
    /// Time a client has to send a request head once the server waits for one; also how
    /// long an idle kept-alive connection stays open.
    pub header_read_timeout: Duration,
    /// Connections open at once; more are answered 503 and closed. Keep it below the
    /// process's open-file limit.
    pub max_connections: usize,
    /// Sustained anonymous requests per second per client address.
    pub anonymous_per_second: f64,
    /// Anonymous requests a client may send at once before the rate applies.
    pub anonymous_burst: f64,
    /// Reverse proxies whose `X-Forwarded-For` and `X-Forwarded-Proto` are believed.
    pub trusted_proxies: Vec<TrustedProxy>,
    /// The address users reach the service at (`https://kjj.example.gov.cn`); when it is
    /// https, every response carries HSTS.
    pub public_url: Option<String>,
    /// Change-log sequence numbers the search index may trail the database by before
    /// `/healthz` answers 503.
    pub max_index_lag: u64,
    /// Sign-in throttling, lock-out and session length.
    pub sign_in: duijie_app::SignInPolicy,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            max_body_bytes: 1024 * 1024,
            max_upload_bytes: 50 * 1024 * 1024,
            attachments: duijie_app::AttachmentLimits::default(),
            request_timeout: Duration::from_secs(30),
            header_read_timeout: Duration::from_secs(10),
            max_connections: 1_000,
            anonymous_per_second: 20.0,
            anonymous_burst: 100.0,
            trusted_proxies: Vec::new(),
            public_url: None,
            max_index_lag: 1_000,
            sign_in: duijie_app::SignInPolicy::default(),
        }
    }
}

impl ServerConfig {
    fn public_url_is_https(&self) -> bool {
        self.public_url
            .as_deref()
            .is_some_and(|u| u.trim().to_ascii_lowercase().starts_with("https://"))
    }
}

/// Shared state of every handler.
#[derive(Clone)]
pub struct AppState {
    pub app: Arc<App>,
    pub config: Arc<ServerConfig>,
    pub limiter: Arc<limits::RateLimiter>,
    /// Failed sign-ins per account name and client address.
    pub throttle: Arc<duijie_app::SignInThrottle>,
}

/// The whole router.
pub fn router(app: Arc<App>, config: ServerConfig) -> Router {
    let state = AppState {
        app,
        limiter: Arc::new(limits::RateLimiter::new(
            config.anonymous_per_second,
            config.anonymous_burst,
        )),
        throttle: Arc::new(duijie_app::SignInThrottle::new(config.sign_in.clone())),
        config: Arc::new(config),
    };
    api::routes(state.clone())
        .merge(pages::routes(state.clone()))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            headers::layer,
        ))
        .layer(axum::middleware::from_fn_with_state(state, client::resolve))
}

/// Serves until `shutdown` resolves, then finishes in-flight requests.
pub async fn serve(
    app: Arc<App>,
    config: ServerConfig,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let limits = conn::ConnLimits {
        header_read_timeout: config.header_read_timeout,
        max_connections: config.max_connections,
    };
    conn::serve(listener, router(app, config), limits, shutdown).await
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    fn sources(dir: &Path, out: &mut Vec<(String, String)>) {
        for entry in std::fs::read_dir(dir).expect("source folder") {
            let path = entry.expect("source entry").path();
            if path.is_dir() {
                sources(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).expect("source file");
                out.push((path.display().to_string(), text));
            }
        }
    }

    /// The caller-less use cases of the local commands (`duijie-app/src/local.rs`), which
    /// bypass the permission rules: every `pub fn` there.
    fn local_use_cases() -> Vec<String> {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../duijie-app/src/local.rs");
        let text = std::fs::read_to_string(&path).expect("duijie-app's local.rs");
        text.lines()
            .filter_map(|line| {
                let rest = line.trim_start().strip_prefix("pub ")?;
                let rest = rest.strip_prefix("async ").unwrap_or(rest);
                let name = rest.strip_prefix("fn ")?.split(['(', '<']).next()?;
                Some(name.to_string())
            })
            .collect()
    }

    /// Permissions hold because the server reaches records only through the app's use cases.
    /// `App`'s store, index and matcher are private to duijie-app, but the local commands'
    /// use cases (and, for the tests' fixtures, `App::store` and `App::index`) are public: this
    /// reads the server's sources to make sure it never calls them.
    #[test]
    fn the_server_reaches_records_only_through_use_cases() {
        let mut files = Vec::new();
        sources(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut files,
        );
        let local = local_use_cases();
        for name in ["store", "index", "matcher", "records_after", "import_batch"] {
            assert!(local.iter().any(|l| l == name), "{name} in {local:?}");
        }
        let mut found = Vec::new();
        for (path, text) in &files {
            // Without whitespace, so that a call chain broken over lines is seen as well.
            let text: String = text.chars().filter(|c| !c.is_whitespace()).collect();
            for field in &local {
                let needle = format!(".{field}");
                let hits = text.match_indices(&needle).filter(|(at, _)| {
                    let next = text[at + needle.len()..].chars().next();
                    !next.is_some_and(|c| c.is_alphanumeric() || c == '_')
                });
                if hits.count() > 0 {
                    found.push(format!("{path}: .{field}"));
                }
            }
        }
        assert!(files.len() > 10, "the server's sources were read");
        assert!(
            found.is_empty(),
            "the server bypasses the use cases: {found:?}"
        );
    }
}
