//! Security headers of every response (API, documentation, exported documents, pages), set in
//! one layer so that no route can forget them.

use crate::client::Client;
use crate::AppState;
use axum::extract::{Request, State};
use axum::http::header::{
    CONTENT_SECURITY_POLICY, REFERRER_POLICY, STRICT_TRANSPORT_SECURITY, X_CONTENT_TYPE_OPTIONS,
    X_FRAME_OPTIONS,
};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine;
use sha2::{Digest, Sha256};
use std::sync::LazyLock;

/// One policy for every response: no script at all, styles from `/static` or the fixed
/// stylesheets that the self-contained documents (API docs, printable catalogue and annual
/// report) carry inline, allowed by their hashes rather than by `'unsafe-inline'`.
static CSP: LazyLock<HeaderValue> = LazyLock::new(|| {
    let hashes: Vec<String> = [
        crate::api::DOCS_CSS,
        duijie_app::export::PRINT_CSS,
        duijie_app::report::PRINT_CSS,
    ]
    .iter()
    .map(|css| {
        let digest = Sha256::digest(css.as_bytes());
        format!(
            "'sha256-{}'",
            base64::engine::general_purpose::STANDARD.encode(digest)
        )
    })
    .collect();
    let policy = format!(
        "default-src 'self'; img-src 'self' data:; style-src 'self' {}; script-src 'none'; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        hashes.join(" ")
    );
    // Base64 and ASCII text only: always a valid header value.
    HeaderValue::from_str(&policy)
        .unwrap_or_else(|_| HeaderValue::from_static("default-src 'none'"))
});

/// A year, without `includeSubDomains`: other hosts of the bureau's domain may not have TLS.
const HSTS: &str = "max-age=31536000";

pub async fn layer(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let https = state.config.public_url_is_https()
        || req
            .extensions()
            .get::<Client>()
            .is_some_and(|c| c.forwarded_https);
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    h.insert(CONTENT_SECURITY_POLICY, CSP.clone());
    h.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    if https {
        h.insert(STRICT_TRANSPORT_SECURITY, HeaderValue::from_static(HSTS));
    }
    resp
}
