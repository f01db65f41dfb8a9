//! The error answers operations share, named: each status refers to the one error answer,
//! `#/components/responses/Error`. A handler names its set in `responses(...)` beside its
//! success; a rare combination stays a list of `(status = ..., response = errors::Error)`.

use crate::views::ErrorJson;
use std::collections::BTreeMap;
use utoipa::openapi::response::Response;
use utoipa::openapi::{Ref, RefOr};
use utoipa::{IntoResponses, ToResponse};

/// The one error answer, the error body, under the name the document gave it before it was
/// derived (a response is named after its type, which `as` does not rename).
#[derive(ToResponse)]
#[response(description = "error")]
#[expect(
    dead_code,
    reason = "never built: it only names the document's error answer"
)]
pub(crate) struct Error(#[to_schema] ErrorJson);

/// Each status of `statuses` answered with the error body.
fn error_responses(statuses: &[u16]) -> BTreeMap<String, RefOr<Response>> {
    statuses
        .iter()
        .map(|status| {
            (
                status.to_string(),
                RefOr::Ref(Ref::from_response_name("Error")),
            )
        })
        .collect()
}

macro_rules! error_set {
    ($(#[doc = $doc:literal])* $name:ident = [$($status:literal),+]) => {
        $(#[doc = $doc])*
        pub(crate) struct $name;

        impl IntoResponses for $name {
            fn responses() -> BTreeMap<String, RefOr<Response>> {
                error_responses(&[$($status),+])
            }
        }
    };
}

error_set! {
    /// A signed-in caller's change to records: a bad field (400), no valid credentials (401),
    /// a role or owner that may not (403), a record named that does not exist (404), or a
    /// record whose state does not allow it (409).
    Write = [400, 401, 403, 404, 409]
}

error_set! {
    /// [`Write`] on a record the caller read first: its `If-Match` (or form version) no longer
    /// matches (412).
    VersionedWrite = [400, 401, 403, 404, 409, 412]
}

error_set! {
    /// A change that names no existing record but may clash with one (409).
    Create = [400, 401, 403, 409]
}

error_set! {
    /// An operation of some roles only, with fields or query parameters to check.
    RestrictedInput = [400, 401, 403]
}

error_set! {
    /// An operation of some roles only, without input.
    Restricted = [401, 403]
}

error_set! {
    /// One record that only some callers may see.
    RestrictedRecord = [401, 403, 404]
}

error_set! {
    /// One record read with query parameters; any credentials sent must be valid.
    RecordQuery = [400, 401, 404]
}

error_set! {
    /// A list read with query parameters; any credentials sent must be valid.
    ListQuery = [400, 401]
}

error_set! {
    /// No valid credentials where the operation needs them, or sent ones that are not valid.
    Credentials = [401]
}

error_set! {
    /// One record anyone may read.
    PublicRecord = [404]
}

error_set! {
    /// A read anyone may make, with query parameters to check.
    PublicQuery = [400]
}

error_set! {
    /// One record of a caller's own (others' are 404), or one whose readers any credentials
    /// sent must be valid for.
    CallerRecord = [401, 404]
}
