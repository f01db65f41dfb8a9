//! The fixed sets of wire names as OpenAPI schemas, for the request forms here and the
//! server's views (`#[schema(schema_with = ...)]`). Each list is the engine type's own (`ALL`
//! and `as_str` or `label`), so the document names exactly what the code accepts and sends.

use duijie_core::curation::DoubtCode;
use duijie_core::{
    CatalogueStatus, CommitteeStatus, Delivery, DemandStatus, ErrorCode, InterestStatus, Maturity,
    NotificationKind, ProjectStatus,
};
use duijie_match::{CandidateKind, EvidenceKind, Tier};
use serde_json::Value;
use utoipa::openapi::schema::{ObjectBuilder, Schema, SchemaType, Type};
use utoipa::openapi::{Object, RefOr};

/// A string that is one of `values`.
pub fn one_of(values: impl IntoIterator<Item = &'static str>) -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(values))
        .build()
}

/// An optional string that is one of `values` or null.
pub fn one_of_or_null(values: impl IntoIterator<Item = &'static str>) -> Object {
    or_null(values).build()
}

fn or_null(values: impl IntoIterator<Item = &'static str>) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
        .enum_values(Some(
            values.into_iter().map(Value::from).chain([Value::Null]),
        ))
}

pub fn demand_status() -> Object {
    one_of(DemandStatus::ALL.map(DemandStatus::as_str))
}

/// `null` where a demand's history starts.
pub fn demand_status_or_null() -> Object {
    one_of_or_null(DemandStatus::ALL.map(DemandStatus::as_str))
}

pub fn project_status() -> Object {
    one_of(ProjectStatus::ALL.map(ProjectStatus::as_str))
}

pub fn project_status_or_null() -> Object {
    one_of_or_null(ProjectStatus::ALL.map(ProjectStatus::as_str))
}

pub fn committee_status() -> Object {
    one_of(CommitteeStatus::ALL.map(CommitteeStatus::as_str))
}

pub fn committee_status_or_null() -> Object {
    one_of_or_null(CommitteeStatus::ALL.map(CommitteeStatus::as_str))
}

pub fn catalogue_status() -> Object {
    one_of(CatalogueStatus::ALL.map(CatalogueStatus::as_str))
}

pub fn interest_status() -> Object {
    one_of(InterestStatus::ALL.map(InterestStatus::as_str))
}

/// How an institution's list names where its interest stands (`InterestState::label`).
pub fn interest_state_label() -> Object {
    one_of(crate::InterestState::ALL.map(crate::InterestState::label))
}

pub fn notification_kind() -> Object {
    one_of(NotificationKind::ALL.map(NotificationKind::as_str))
}

/// Every notification kind with its delivery.
pub fn delivery_settings() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::Object)
        .property_names(Some(notification_kind()))
        .additional_properties(Some(RefOr::<Schema>::from(one_of(
            Delivery::ALL.map(Delivery::as_str),
        ))))
        .build()
}

pub fn audit_action() -> Object {
    one_of(crate::AuditAction::ALL.map(crate::AuditAction::as_str))
}

pub fn audit_subject() -> Object {
    one_of(crate::AuditSubject::ALL.map(crate::AuditSubject::as_str))
}

/// 成熟度 as written (研发, 小试, 中试, 产业化), or null.
pub fn maturity_or_null() -> Object {
    one_of_or_null(Maturity::ALL.map(Maturity::label))
}

pub fn candidate_kind() -> Object {
    one_of(CandidateKind::ALL.map(CandidateKind::as_str))
}

/// What a ranking ranks; the default when absent.
pub fn candidate_kind_or_null() -> Object {
    or_null(CandidateKind::ALL.map(CandidateKind::as_str))
        .default(Some(CandidateKind::default().as_str().into()))
        .build()
}

pub fn evidence_kind() -> Object {
    one_of(EvidenceKind::ALL.map(EvidenceKind::as_str))
}

pub fn tier() -> Object {
    one_of(Tier::ALL.map(Tier::as_str))
}

pub fn error_code() -> Object {
    one_of(ErrorCode::ALL.map(ErrorCode::as_str))
}

pub fn doubt_code() -> Object {
    one_of(DoubtCode::ALL.map(DoubtCode::as_str))
}

pub fn readiness() -> Object {
    one_of(crate::Readiness::ALL.map(crate::Readiness::as_str))
}

pub fn trend_by() -> Object {
    one_of(crate::TREND_BY)
}

pub fn trend_period() -> Object {
    one_of(crate::TREND_PERIOD)
}
