//! Per-client rate limiting of anonymous API calls and page views: a token bucket per IP
//! address (the client's, through trusted proxies), shared by both. Signed-in
//! callers are accounted by their role's own limits elsewhere (none yet): a token identifies
//! them, and a bureau importing or an institution browsing should not be throttled like a
//! scraper.

use crate::client::Client;
use crate::error::ApiError;
use crate::pages::{PageError, Session};
use crate::AppState;
use axum::extract::{Request, State};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use duijie_app::Caller;
use duijie_core::{DomainError, ErrorCode};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Instant;

/// Buckets kept before idle ones are dropped.
const MAX_CLIENTS: usize = 10_000;

/// Token buckets per client address.
pub struct RateLimiter {
    per_second: f64,
    burst: f64,
    buckets: Mutex<HashMap<IpAddr, (f64, Instant)>>,
}

impl RateLimiter {
    pub fn new(per_second: f64, burst: f64) -> Self {
        RateLimiter {
            per_second,
            burst,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one token for `ip`; when none is left, the seconds until one is.
    pub fn check(&self, ip: IpAddr) -> Result<(), u64> {
        let now = Instant::now();
        let mut buckets = match self.buckets.lock() {
            Ok(b) => b,
            Err(poisoned) => poisoned.into_inner(),
        };
        if buckets.len() >= MAX_CLIENTS {
            let (rate, burst) = (self.per_second, self.burst);
            buckets.retain(|_, (tokens, at)| {
                *tokens + now.duration_since(*at).as_secs_f64() * rate < burst
            });
        }
        let (tokens, at) = buckets.entry(ip).or_insert((self.burst, now));
        let refilled =
            (*tokens + now.duration_since(*at).as_secs_f64() * self.per_second).min(self.burst);
        if refilled >= 1.0 {
            *tokens = refilled - 1.0;
            *at = now;
            Ok(())
        } else {
            *tokens = refilled;
            *at = now;
            Err(((1.0 - refilled) / self.per_second).ceil().max(1.0) as u64)
        }
    }
}

/// Middleware of the API: anonymous requests (no bearer token) spend a token of their
/// client's bucket.
pub async fn limit_anonymous(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let anonymous = !request
        .headers()
        .contains_key(axum::http::header::AUTHORIZATION);
    if anonymous {
        if let Err(retry_after) = state.limiter.check(client_ip(&request)) {
            let mut resp = ApiError::new(ErrorCode::RateLimited, TOO_MANY).into_response();
            set_retry_after(&mut resp, retry_after);
            return resp;
        }
    }
    next.run(request).await
}

/// Middleware of the pages, inside the session layer: anonymous readers spend a token of the
/// same bucket as their API calls, and get the site's error page when it is empty.
pub async fn limit_anonymous_pages(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let anonymous = request
        .extensions()
        .get::<Session>()
        .is_none_or(|s| matches!(s.caller, Caller::Anonymous));
    if anonymous {
        if let Err(retry_after) = state.limiter.check(client_ip(&request)) {
            let mut resp =
                PageError(DomainError::new(ErrorCode::RateLimited, TOO_MANY)).into_response();
            set_retry_after(&mut resp, retry_after);
            return resp;
        }
    }
    next.run(request).await
}

const TOO_MANY: &str = "请求过于频繁，请稍后再试。";

/// Middleware of the API: a request that takes longer than `request_timeout` (a body that
/// never arrives, a stuck use case) is answered 503 `unavailable` with the error body.
pub async fn deadline_api(State(state): State<AppState>, request: Request, next: Next) -> Response {
    within(&state, request, next, |e| ApiError(e).into_response()).await
}

/// Middleware of the pages: as [`deadline_api`], with the site's error page.
pub async fn deadline_pages(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    within(&state, request, next, |e| PageError(e).into_response()).await
}

async fn within(
    state: &AppState,
    request: Request,
    next: Next,
    answer: fn(DomainError) -> Response,
) -> Response {
    match tokio::time::timeout(state.config.request_timeout, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            let mut resp = answer(DomainError::new(ErrorCode::Unavailable, TOO_SLOW));
            set_retry_after(&mut resp, 1);
            resp
        }
    }
}

const TOO_SLOW: &str = "请求处理超时，请稍后再试。";

/// The client address the `client` layer resolved (through trusted proxies).
fn client_ip(request: &Request) -> IpAddr {
    request
        .extensions()
        .get::<Client>()
        .map_or(IpAddr::from([127, 0, 0, 1]), |c| c.ip)
}

pub(crate) fn set_retry_after(resp: &mut Response, seconds: u64) {
    if let Ok(v) = HeaderValue::from_str(&seconds.to_string()) {
        resp.headers_mut()
            .insert(axum::http::header::RETRY_AFTER, v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_gets_its_burst_then_waits() {
        let limiter = RateLimiter::new(1.0, 3.0);
        let a: IpAddr = [127, 0, 0, 1].into();
        let b: IpAddr = [127, 0, 0, 2].into();
        for _ in 0..3 {
            assert_eq!(limiter.check(a), Ok(()));
        }
        assert_eq!(limiter.check(a), Err(1));
        assert_eq!(limiter.check(b), Ok(()), "clients have their own buckets");
    }
}
