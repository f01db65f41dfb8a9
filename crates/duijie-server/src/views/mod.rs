//! The wire format of the JSON API: every response body is one of these types, owned by the
//! server and built from the engine's values (an engine type is not the wire format). Field
//! names and shapes are the contract of `api.md`.

mod accounts;
mod audit;
mod catalogues;
mod committees;
mod demands;
mod instruments;
mod ledger;
mod matching;
mod messages;
mod notifications;
mod records;
mod system;
mod trends;

pub use accounts::*;
pub use audit::*;
pub use catalogues::*;
pub use committees::*;
pub use demands::*;
pub use instruments::*;
pub use ledger::*;
pub use matching::*;
pub use messages::*;
pub use notifications::*;
pub use records::*;
pub use system::*;
pub use trends::*;

use serde::Serialize;
use utoipa::ToSchema;

/// An organisation named by a record.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrgRef {
    pub id: String,
    pub name: String,
}

impl OrgRef {
    pub fn new(id: String, name: String) -> Self {
        OrgRef { id, name }
    }
}

/// A list answer: `{"items": [...]}`.
#[derive(Debug, Serialize, ToSchema)]
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
#[derive(Debug, Serialize, ToSchema)]
pub struct Paged<T> {
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
    pub items: Vec<T>,
}

/// The answer of a delete that names what it deleted.
#[derive(Debug, Serialize, ToSchema)]
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
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Error)]
pub struct ErrorJson {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    #[schema(schema_with = duijie_app::openapi::error_code)]
    pub code: &'static str,
    pub message: String,
    /// The request field concerned.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub field: Option<String>,
    /// Every field's problem when a form has several.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldErrorJson>,
}

#[derive(Debug, Serialize, ToSchema)]
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, to_value};

    /// The enums the server mirrors go out with the names the engine's types had.
    #[test]
    fn mirrored_enums_keep_their_wire_names() {
        let names = [
            (to_value(CoverageJson::None), "none"),
            (to_value(CoverageJson::Good), "good"),
            (
                to_value(DuplicateReasonJson::NearIdenticalText),
                "near_identical_text",
            ),
            (
                to_value(InterestStateJson::DemandWithdrawn),
                "demand_withdrawn",
            ),
            // Capitalised, unlike every other status: kept as it went out.
            (to_value(OutboxStatusJson::Pending), "Pending"),
            (to_value(OutboxStatusJson::Failed), "Failed"),
        ];
        for (value, name) in names {
            assert_eq!(value.ok(), Some(json!(name)));
        }
    }

    #[test]
    fn an_error_names_its_fields_only_when_it_has_them() {
        let plain = ErrorJson::from(duijie_core::DomainError::new(
            duijie_core::ErrorCode::NotFound,
            "没有",
        ));
        assert_eq!(
            to_value(plain).ok(),
            Some(json!({"error": {"code": "not_found", "message": "没有"}}))
        );
        let one = ErrorJson::from(duijie_core::DomainError::invalid("title", "请填写"));
        assert_eq!(
            to_value(one).ok(),
            Some(
                json!({"error": {"code": "invalid_input", "message": "请填写", "field": "title"}})
            )
        );
    }
}
