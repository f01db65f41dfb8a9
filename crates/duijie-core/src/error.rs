//! Transport-neutral error codes. The server maps each code to an HTTP status; the CLI prints
//! the message.

use std::fmt;

/// A stable, machine-readable error code (`snake_case` on the wire).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// A field of a request or record is missing or malformed.
    InvalidInput,
    /// The caller is not signed in.
    Unauthenticated,
    /// The caller is signed in but may not do this.
    Forbidden,
    NotFound,
    /// The request conflicts with the current state (a lifecycle transition, a duplicate).
    Conflict,
    /// A body or file is larger than allowed.
    TooLarge,
    RateLimited,
    /// The file could not be read as a catalogue at all.
    UnreadableFile,
    /// Not built yet.
    NotImplemented,
    /// Something failed on our side; details are logged, not sent.
    Internal,
    /// The server cannot take the request now (too many connections, a request over its
    /// time); trying again later may succeed.
    Unavailable,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidInput => "invalid_input",
            ErrorCode::Unauthenticated => "unauthenticated",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::NotFound => "not_found",
            ErrorCode::Conflict => "conflict",
            ErrorCode::TooLarge => "too_large",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::UnreadableFile => "unreadable_file",
            ErrorCode::NotImplemented => "not_implemented",
            ErrorCode::Internal => "internal",
            ErrorCode::Unavailable => "unavailable",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error a user can act on: a code, a clear message, and the field it concerns.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct DomainError {
    pub code: ErrorCode,
    pub message: String,
    /// The request field (or catalogue column) the error is about.
    pub field: Option<String>,
}

impl DomainError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        DomainError {
            code,
            message: message.into(),
            field: None,
        }
    }

    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        DomainError {
            code: ErrorCode::InvalidInput,
            message: message.into(),
            field: Some(field.to_string()),
        }
    }

    pub fn not_found(what: &str, id: &str) -> Self {
        Self::new(
            ErrorCode::NotFound,
            format!("{what} {id} 不存在 (not found)"),
        )
    }
}
