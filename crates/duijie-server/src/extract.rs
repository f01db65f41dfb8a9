//! Extractors whose rejections speak the API's JSON error format: the caller from the bearer
//! token, JSON bodies and query strings.

use crate::error::ApiError;
use crate::AppState;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use duijie_app::Caller;
use duijie_core::{DomainError, ErrorCode};
use serde::de::DeserializeOwned;

/// The authenticated caller: from the bearer token, else from the session cookie a browser
/// signed in with (`POST /api/v1/session`), else anonymous. A session cookie that names no live
/// session is refused (401), and a write through a session must carry the session's CSRF token
/// in `X-CSRF-Token` (a bearer token needs none: no browser sends it by itself).
pub struct Auth(pub Caller);

/// The request header a cookie-authenticated API write carries its CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";

async fn session_auth(parts: &Parts, state: &AppState, sid: &str) -> Result<Caller, ApiError> {
    let caller = state.app.session_caller(sid).await?;
    if caller.user().is_none() {
        return Err(ApiError::new(
            ErrorCode::Unauthenticated,
            "登录已失效或已退出，请重新登录",
        ));
    }
    let safe = matches!(
        parts.method,
        axum::http::Method::GET | axum::http::Method::HEAD | axum::http::Method::OPTIONS
    );
    let sent = parts
        .headers
        .get(CSRF_HEADER)
        .map(|v| v.as_bytes())
        .unwrap_or_default();
    if !safe && !crate::pages::same(sent, duijie_app::session_csrf(sid).as_bytes()) {
        return Err(ApiError::new(
            ErrorCode::Forbidden,
            "使用登录会话调用写操作时须在 X-CSRF-Token 中带上登录时返回的 csrf_token",
        ));
    }
    Ok(caller)
}

impl FromRequestParts<AppState> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = match parts.headers.get(axum::http::header::AUTHORIZATION) {
            None => None,
            Some(v) => {
                let v = v.to_str().unwrap_or_default();
                match v
                    .strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
                {
                    Some(t) => Some(t.to_string()),
                    None => {
                        return Err(ApiError::new(
                            ErrorCode::Unauthenticated,
                            "Authorization 须为 “Bearer <token>”",
                        ))
                    }
                }
            }
        };
        if token.is_none() {
            if let Some(sid) = crate::pages::session_cookie_of(&parts.headers) {
                return Ok(Auth(session_auth(parts, state, sid).await?));
            }
        }
        Ok(Auth(state.app.authenticate(token.as_deref()).await?))
    }
}

/// A JSON body; malformed or mistyped bodies get a 400 naming the problem.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

fn json_rejection(r: JsonRejection) -> ApiError {
    let (code, message) = match &r {
        JsonRejection::MissingJsonContentType(_) => (
            ErrorCode::InvalidInput,
            "请求体须为 JSON (Content-Type: application/json)".to_string(),
        ),
        JsonRejection::BytesRejection(_)
            if r.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE =>
        {
            (ErrorCode::TooLarge, "请求体过大".to_string())
        }
        _ => (
            ErrorCode::InvalidInput,
            format!("请求体无法解析: {}", r.body_text()),
        ),
    };
    ApiError(DomainError::new(code, message))
}

/// A query string; bad values get a 400 naming the parameter.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(ApiQuery(v)),
            Err(r) => Err(query_rejection(r)),
        }
    }
}

fn query_rejection(r: QueryRejection) -> ApiError {
    ApiError(DomainError::new(
        ErrorCode::InvalidInput,
        format!("查询参数无效: {}", r.body_text()),
    ))
}
