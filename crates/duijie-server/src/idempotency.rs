//! `Idempotency-Key` on creating POSTs: the API's header, or the hidden `idempotency_key`
//! field every creating page form carries. The first request with a key runs; once it has
//! made something (a 2xx or 3xx answer) its answer is kept and every repeat with the same key
//! and the same request gets it again, also while the first is still running (a repeat waits
//! for it). The same key with another request is refused. Requests without a key pass as
//! they are. Routes whose bodies are read chunk by chunk (a message with files) are not under
//! the layer: their handlers read the form first, then run through [`once`] with a fingerprint
//! of what was read.

use crate::error::ApiError;
use crate::extract::Auth;
use crate::pages::Session;
use crate::AppState;
use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, FromRequestParts, Request, State};
use axum::http::header::{CONTENT_TYPE, LOCATION};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use duijie_app::{Caller, Claim, StoredResponse};
use duijie_core::{DomainError, ErrorCode};
use sha2::{Digest, Sha256};
use std::time::Duration;

/// The request header of the API.
pub const HEADER: &str = "idempotency-key";
/// The hidden field of the pages' creating forms.
pub const FIELD: &str = "idempotency_key";
/// How often a repeat looks whether the first request has answered.
const POLL: Duration = Duration::from_millis(50);
/// How long a repeat waits for the first request (which has at most the request timeout).
const WAIT: Duration = Duration::from_secs(30);

/// Where the key came from: the messages differ for a program and for a person.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Source {
    Header,
    Form,
}

/// `Idempotency-Key` as the API document describes it.
pub(crate) fn key_doc() -> String {
    format!(
        "a key of the caller's choosing per record to create, 1 to {} characters: a repeat with \
         the same key and body within {} hours (also while the first still runs) gets the first \
         answer and makes nothing new; the same key with another body is 409",
        duijie_app::MAX_IDEMPOTENCY_KEY,
        duijie_app::IDEMPOTENCY_KEEP_HOURS
    )
}

pub async fn layer(State(s): State<AppState>, req: Request, next: Next) -> Response {
    if req.method() != Method::POST {
        return next.run(req).await;
    }
    let (mut parts, body) = req.into_parts();
    // Read through the extractor so that the route's body limit still applies.
    let bytes = match Bytes::from_request(Request::from_parts(parts.clone(), body), &s).await {
        Ok(b) => b,
        Err(r) => {
            let code = if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ErrorCode::TooLarge
            } else {
                ErrorCode::InvalidInput
            };
            return ApiError::new(code, "请求体无法读取").into_response();
        }
    };
    let Some((key, source)) = key_of(&parts, &bytes) else {
        return next
            .run(Request::from_parts(parts, Body::from(bytes)))
            .await;
    };
    let caller = caller_of(&mut parts, &s).await;
    let fingerprint = fingerprint(&parts, &bytes);
    once(&s, &caller, &key, source, &fingerprint, || {
        next.run(Request::from_parts(parts, Body::from(bytes)))
    })
    .await
}

/// Runs `run` once per key: the first request with `key` runs and its answer is kept; a
/// repeat with the same `fingerprint` gets that answer (waiting while the first still runs),
/// another request with the key is refused.
pub(crate) async fn once<F, Fut>(
    s: &AppState,
    caller: &Caller,
    key: &str,
    source: Source,
    fingerprint: &str,
    run: F,
) -> Response
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Response>,
{
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        match s.app.claim_idempotency(caller, key, fingerprint).await {
            Err(e) => return ApiError(e).into_response(),
            // Anonymous: the handler refuses it as it would without a key.
            Ok(None) => return run().await,
            Ok(Some(Claim::New)) => {
                let resp = run().await;
                return keep(s, caller, key, resp).await;
            }
            Ok(Some(Claim::Done(stored))) => return replay(stored),
            Ok(Some(Claim::Mismatch)) => return refuse(source, mismatch(source)),
            Ok(Some(Claim::Running)) if tokio::time::Instant::now() < deadline => {
                tokio::time::sleep(POLL).await;
            }
            Ok(Some(Claim::Running)) => {
                return refuse(
                    source,
                    DomainError::new(
                        ErrorCode::Conflict,
                        "同一请求仍在处理中，请稍后查看结果，不要重复提交",
                    ),
                )
            }
        }
    }
}

/// The key of a request whose body a handler read itself: the API's header, or the form's
/// field (as `form_key`).
pub(crate) fn key_from(
    headers: &axum::http::HeaderMap,
    form_key: Option<&str>,
) -> Option<(String, Source)> {
    if let Some(v) = headers.get(HEADER) {
        return Some((
            String::from_utf8_lossy(v.as_bytes()).trim().to_string(),
            Source::Header,
        ));
    }
    form_key
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .map(|k| (k.to_string(), Source::Form))
}

/// A fingerprint of a request a handler read itself: method, path and its parts in order.
pub(crate) fn fingerprint_of(path: &str, parts: &[&[u8]]) -> String {
    let mut h = Sha256::new();
    h.update("POST");
    h.update([0]);
    h.update(path);
    for p in parts {
        h.update([0]);
        h.update(Sha256::digest(p));
    }
    hex::encode(h.finalize())
}

fn key_of(parts: &Parts, body: &[u8]) -> Option<(String, Source)> {
    if let Some(v) = parts.headers.get(HEADER) {
        // A value that is not text is kept as it is so that the app refuses it.
        let key = String::from_utf8_lossy(v.as_bytes()).trim().to_string();
        return Some((key, Source::Header));
    }
    let form = parts
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !form {
        return None;
    }
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == FIELD)
        .map(|(_, v)| (v.trim().to_string(), Source::Form))
        .filter(|(v, _)| !v.is_empty())
}

/// The page's signed-in user, or the API's bearer token's (anonymous when it is not valid:
/// the handler then answers as it would without a key).
async fn caller_of(parts: &mut Parts, s: &AppState) -> Caller {
    if let Some(session) = parts.extensions.get::<Session>() {
        return session.caller.clone();
    }
    Auth::from_request_parts(parts, s)
        .await
        .map_or(Caller::Anonymous, |Auth(c)| c)
}

/// The request a key stands for: method, path and body.
fn fingerprint(parts: &Parts, body: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(parts.method.as_str());
    h.update([0]);
    h.update(parts.uri.path());
    h.update([0]);
    h.update(body);
    hex::encode(h.finalize())
}

/// Keeps an answer that made something; any other releases the key.
async fn keep(s: &AppState, caller: &Caller, key: &str, resp: Response) -> Response {
    let status = resp.status();
    let (head, body) = resp.into_parts();
    let made = status.is_success() || status.is_redirection();
    // Creating answers are small JSON bodies or redirects; a body that cannot be read whole
    // is passed on and not kept.
    let bytes = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(b) => b,
        Err(e) => {
            tracing::warn!(error = %e, "answer body unreadable");
            release(s, caller, key).await;
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let header = |name| {
        head.headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
            .map(str::to_string)
    };
    let stored = StoredResponse {
        status: status.as_u16(),
        content_type: header(CONTENT_TYPE),
        location: header(LOCATION),
        body: String::from_utf8_lossy(&bytes).into_owned(),
    };
    let outcome = if made {
        s.app.finish_idempotency(caller, key, Some(&stored)).await
    } else {
        s.app.finish_idempotency(caller, key, None).await
    };
    if let Err(e) = outcome {
        tracing::warn!(code = e.code.as_str(), "idempotency key not finished");
    }
    Response::from_parts(head, Body::from(bytes))
}

async fn release(s: &AppState, caller: &Caller, key: &str) {
    if let Err(e) = s.app.finish_idempotency(caller, key, None).await {
        tracing::warn!(code = e.code.as_str(), "idempotency key not released");
    }
}

fn replay(stored: StoredResponse) -> Response {
    let status = StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK);
    let mut resp = (status, stored.body).into_response();
    for (name, value) in [
        (CONTENT_TYPE, stored.content_type),
        (LOCATION, stored.location),
    ] {
        if let Some(v) = value.and_then(|v| HeaderValue::from_str(&v).ok()) {
            resp.headers_mut().insert(name, v);
        }
    }
    resp
}

fn mismatch(source: Source) -> DomainError {
    let message = match source {
        Source::Header => "该 Idempotency-Key 已用于另一份不同的请求；新的请求请使用新的键",
        Source::Form => "该表单已提交过另一份内容，请刷新页面后重新填写",
    };
    DomainError::new(ErrorCode::Conflict, message)
}

/// A refusal in the form of the request's side: the API's JSON error, or the site's page.
fn refuse(source: Source, e: DomainError) -> Response {
    match source {
        Source::Header => ApiError(e).into_response(),
        Source::Form => crate::pages::PageError(e).into_response(),
    }
}
