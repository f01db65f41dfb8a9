//! One mapping from domain error codes to HTTP statuses and the JSON error body
//! `{"error": {"code": ..., "message": ..., "field": ..., "fields": [...]}}`; `fields` lists
//! every field's problem when a form has several.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use duijie_core::{DomainError, ErrorCode};
use serde_json::json;

/// An error as the API shows it.
#[derive(Debug)]
pub struct ApiError(pub DomainError);

impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> Self {
        ApiError(e)
    }
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError(DomainError::new(code, message))
    }
}

pub fn status_of(code: ErrorCode) -> StatusCode {
    match code {
        ErrorCode::InvalidInput | ErrorCode::UnreadableFile => StatusCode::BAD_REQUEST,
        ErrorCode::Unauthenticated => StatusCode::UNAUTHORIZED,
        ErrorCode::Forbidden => StatusCode::FORBIDDEN,
        ErrorCode::NotFound => StatusCode::NOT_FOUND,
        ErrorCode::Conflict => StatusCode::CONFLICT,
        ErrorCode::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
        ErrorCode::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        ErrorCode::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        ErrorCode::NotImplemented => StatusCode::NOT_IMPLEMENTED,
        ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        ErrorCode::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let e = self.0;
        let mut body = json!({"code": e.code.as_str(), "message": e.message});
        if let Some(field) = e.field {
            body["field"] = json!(field);
        }
        if !e.fields.is_empty() {
            body["fields"] = json!(e.fields);
        }
        let mut resp = (status_of(e.code), Json(json!({ "error": body }))).into_response();
        if e.code == ErrorCode::Unauthenticated {
            resp.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer"),
            );
        }
        resp
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
