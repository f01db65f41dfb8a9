//! The request headers many operations share, stated once as `params(...)` entries of their
//! `#[utoipa::path]` (their descriptions are the server's constants, which the derive of
//! `IntoParams` cannot take).

use crate::precondition::IfMatch;
use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
use utoipa::openapi::Required;
use utoipa::IntoParams;

/// An optional string header, as utoipa states an `Option<String>` one.
fn optional_header(name: &str, description: String) -> Vec<Parameter> {
    let schema =
        ObjectBuilder::new().schema_type(SchemaType::from_iter([Type::String, Type::Null]));
    vec![ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Header)
        .description(Some(description))
        .required(Required::False)
        .schema(Some(schema))
        .build()]
}

/// The extractor documents the header it reads: an edit's `If-Match`.
impl IntoParams for IfMatch {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        optional_header("If-Match", crate::precondition::IF_MATCH_DOC.to_string())
    }
}

/// The `Idempotency-Key` of a creating request; the idempotency layer on its route reads it.
pub(crate) struct IdempotencyKey;

impl IntoParams for IdempotencyKey {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        optional_header("Idempotency-Key", crate::idempotency::key_doc())
    }
}
