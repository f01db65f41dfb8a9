//! A record's version on the wire: the `ETag` of every read and write of an editable record,
//! and the `If-Match` a write sends back so that it is refused (412) when someone else wrote
//! since.

use crate::error::ApiError;
use axum::http::header::{ETAG, IF_MATCH};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::Json;
use duijie_core::ErrorCode;
use serde::Serialize;

/// The version the caller read, from `If-Match: "<version>"`; absent or `*` sets no
/// condition.
pub struct IfMatch(pub Option<i64>);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for IfMatch {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let Some(value) = parts.headers.get(IF_MATCH) else {
            return Ok(IfMatch(None));
        };
        let value = value.to_str().unwrap_or_default().trim();
        if value == "*" {
            return Ok(IfMatch(None));
        }
        // Only the strong tags duijie hands out can match (a weak `W/"3"` never does).
        value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .and_then(|v| v.parse::<i64>().ok())
            .map(|v| IfMatch(Some(v)))
            .ok_or_else(|| {
                ApiError::new(
                    ErrorCode::PreconditionFailed,
                    "If-Match 须为读取该记录时得到的 ETag，如 \"3\"",
                )
            })
    }
}

/// `If-Match` as the API document describes it.
pub(crate) const IF_MATCH_DOC: &str = "the ETag read; a record written since answers 412 \
    precondition_failed. Without it the change applies to the current record (never over a \
    concurrent change)";

/// A JSON answer carrying the record's version as its strong `ETag`.
pub struct Tagged<T>(pub i64, pub T);

impl<T: Serialize> IntoResponse for Tagged<T> {
    fn into_response(self) -> Response {
        ([(ETAG, format!("\"{}\"", self.0))], Json(self.1)).into_response()
    }
}
