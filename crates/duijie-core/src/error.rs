//! Transport-neutral error codes. The server maps each code to an HTTP status; the CLI prints
//! the message.

use crate::wire::wire_enum;
use std::fmt;

wire_enum! {
    /// A stable, machine-readable error code (`snake_case` on the wire).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub enum ErrorCode {
        /// A field of a request or record is missing or malformed.
        InvalidInput => "invalid_input",
        /// The caller is not signed in.
        Unauthenticated => "unauthenticated",
        /// The caller is signed in but may not do this.
        Forbidden => "forbidden",
        NotFound => "not_found",
        /// The request conflicts with the current state (a lifecycle transition, a duplicate).
        Conflict => "conflict",
        /// The record changed since the version the caller read (`If-Match`, the form's version).
        PreconditionFailed => "precondition_failed",
        /// A body or file is larger than allowed.
        TooLarge => "too_large",
        RateLimited => "rate_limited",
        /// The file could not be read as a catalogue at all.
        UnreadableFile => "unreadable_file",
        /// Not built yet.
        NotImplemented => "not_implemented",
        /// Something failed on our side; details are logged, not sent.
        Internal => "internal",
        /// The server cannot take the request now (too many connections, a request over its
        /// time); trying again later may succeed.
        Unavailable => "unavailable",
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
    /// Every field's problem when a form has several, so that all are shown at once; the first
    /// is also in `field` and `message`.
    pub fields: Vec<FieldError>,
}

/// One field's problem in a form with several.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// Collects the problems of a form so that one answer lists them all.
#[derive(Debug, Default)]
pub struct FieldErrors(Vec<FieldError>);

impl FieldErrors {
    /// Keeps the value of `result`, or records its error (an invalid-input error with a field;
    /// any other error is recorded under no field).
    pub fn check<T>(&mut self, result: Result<T, DomainError>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(e) => {
                self.add(e);
                None
            }
        }
    }

    /// Records `e` and every field error it carries.
    pub fn add(&mut self, e: DomainError) {
        if e.fields.is_empty() {
            self.0.push(FieldError {
                field: e.field.unwrap_or_default(),
                message: e.message,
            });
        } else {
            self.0.extend(e.fields);
        }
    }

    /// Whether nothing has been recorded.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether `field` already has a problem recorded.
    pub fn has(&self, field: &str) -> bool {
        self.0.iter().any(|f| f.field == field)
    }

    /// `Ok` when nothing was recorded; otherwise one invalid-input error carrying all of them.
    pub fn finish(self) -> Result<(), DomainError> {
        let Some(first) = self.0.first().cloned() else {
            return Ok(());
        };
        let message = match self.0.len() {
            1 => first.message,
            n => format!("有 {n} 处需要修改：{}", first.message),
        };
        Err(DomainError {
            code: ErrorCode::InvalidInput,
            message,
            field: Some(first.field).filter(|f| !f.is_empty()),
            fields: self.0,
        })
    }
}

impl DomainError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        DomainError {
            code,
            message: message.into(),
            field: None,
            fields: Vec::new(),
        }
    }

    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        DomainError {
            code: ErrorCode::InvalidInput,
            message: message.into(),
            field: Some(field.to_string()),
            fields: Vec::new(),
        }
    }

    /// Names the kind of record, never its internal id: people read these messages.
    pub fn not_found(what: &str) -> Self {
        Self::new(ErrorCode::NotFound, format!("{what}不存在或已删除"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_errors_keep_every_problem_in_order() {
        let mut errs = FieldErrors::default();
        assert_eq!(errs.check::<u8>(Ok(1)), Some(1));
        assert_eq!(
            errs.check::<u8>(Err(DomainError::invalid("title", "请填写需求名称"))),
            None
        );
        errs.add(DomainError::invalid(
            "budget_wan",
            "预算须为不小于 0 的万元数",
        ));
        assert!(errs.has("title") && !errs.has("goals"));
        let e = errs.finish().unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidInput);
        assert_eq!(e.field.as_deref(), Some("title"));
        assert_eq!(e.message, "有 2 处需要修改：请填写需求名称");
        let fields: Vec<&str> = e.fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["title", "budget_wan"]);

        // Adding a multi-field error keeps its parts.
        let mut outer = FieldErrors::default();
        outer.add(e);
        assert_eq!(outer.finish().unwrap_err().fields.len(), 2);
        assert_eq!(FieldErrors::default().finish(), Ok(()));
    }
}
