//! The wire format of the JSON API: every response body is one of these types, owned by the
//! server and built from the engine's values (an engine type is not the wire format). Field
//! names and shapes are the contract of `api.md`.

mod accounts;
mod audit;
mod catalogues;
mod demands;
mod ledger;
mod market;
mod matching;
mod messages;
mod notifications;
mod records;
mod system;

pub use accounts::*;
pub use audit::*;
pub use catalogues::*;
pub use demands::*;
pub use ledger::*;
pub use market::*;
pub use matching::*;
pub use messages::*;
pub use notifications::*;
pub use records::*;
pub use system::*;

use serde::Serialize;

/// An organisation named by a record.
#[derive(Debug, Serialize)]
pub struct OrgRef {
    pub id: String,
    pub name: String,
}

/// A list answer: `{"items": [...]}`.
#[derive(Debug, Serialize)]
pub struct Items<T> {
    pub items: Vec<T>,
}

impl<T> Items<T> {
    /// The engine's values, each as its view.
    pub fn of<R>(records: impl IntoIterator<Item = R>) -> Self
    where
        T: From<R>,
    {
        Items {
            items: records.into_iter().map(T::from).collect(),
        }
    }
}

/// A page of a list read from the database: `total` over every page.
#[derive(Debug, Serialize)]
pub struct Paged<T> {
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
    pub items: Vec<T>,
}

/// The answer of a delete that names what it deleted.
#[derive(Debug, Serialize)]
pub struct Deleted {
    pub id: String,
    pub deleted: bool,
}

impl Deleted {
    pub fn of(id: String) -> Self {
        Deleted { id, deleted: true }
    }
}

/// The body of every error: `{"error": {"code", "message", "field"?, "fields"?}}`.
#[derive(Debug, Serialize)]
pub struct ErrorJson {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize)]
pub struct ErrorDetail {
    /// A snake_case code, e.g. `invalid_input`.
    pub code: &'static str,
    pub message: String,
    /// The request field concerned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Every field's problem when a form has several.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldErrorJson>,
}

#[derive(Debug, Serialize)]
pub struct FieldErrorJson {
    pub field: String,
    pub message: String,
}

impl From<duijie_core::DomainError> for ErrorJson {
    fn from(e: duijie_core::DomainError) -> Self {
        ErrorJson {
            error: ErrorDetail {
                code: e.code.as_str(),
                message: e.message,
                field: e.field,
                fields: e
                    .fields
                    .into_iter()
                    .map(|f| FieldErrorJson {
                        field: f.field,
                        message: f.message,
                    })
                    .collect(),
            },
        }
    }
}
