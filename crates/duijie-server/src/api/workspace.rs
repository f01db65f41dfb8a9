//! The institution's workspace: its own achievements, experts and instruments (create, edit
//! with `If-Match`, delete), its records and expressions of interest (我的对接意向), and the
//! bureau's list of what institutions changed.

use super::errors;
use super::lists::{self, AuditPage, OwnRecordPage};
use super::params::IdempotencyKey;
use super::Call;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery};
use crate::precondition::{IfMatch, Tagged};
use crate::views::{
    AchievementJson, Deleted, ExpertJson, InstrumentJson, Items, MyInterestJson, OwnRecordJson,
};
use crate::AppState;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::Json;
use duijie_app::{record_version, AchievementForm, Caller, ExpertForm, InstrumentForm, Record};
use duijie_core::{DomainError, EntityKind, ErrorCode};
use serde::Deserialize;
use utoipa::IntoParams;

/// The record as its kind's JSON with its version as the `ETag`.
fn tagged<T>(r: Record, into: impl FnOnce(Record) -> Option<T>) -> ApiResult<Tagged<T>> {
    let version = record_version(&r);
    into(r)
        .map(|j| Tagged(version, j))
        .ok_or_else(|| DomainError::new(ErrorCode::Internal, "记录类型不符").into())
}

/// Deletes a record of `kind` the caller may edit, at `version` when given.
async fn delete(
    s: &AppState,
    caller: &Caller,
    kind: EntityKind,
    id: String,
    version: Option<i64>,
) -> ApiResult<Json<Deleted>> {
    s.app.delete_record(caller, kind, &id, version).await?;
    Ok(Json(Deleted::of(id)))
}

fn achievement_json(r: Record) -> Option<AchievementJson> {
    match r {
        Record::Achievement(a) => Some(a.into()),
        _ => None,
    }
}

fn expert_json(r: Record) -> Option<ExpertJson> {
    match r {
        Record::Expert(e) => Some(e.into()),
        _ => None,
    }
}

fn instrument_json(r: Record) -> Option<InstrumentJson> {
    match r {
        Record::Instrument(i) => Some(i.into()),
        _ => None,
    }
}

#[utoipa::path(
    post,
    path = "/api/v1/achievements",
    tag = "workspace",
    summary = "Record an achievement of the caller's institution; indexed and used by the ranking at once, recorded for the bureau",
    description = "Who: institution (its own).",
    params(IdempotencyKey),
    request_body = AchievementForm,
    responses(
        (status = 201, description = "success", body = AchievementJson, headers(("ETag" = String))),
        errors::Write
    )
)]
pub async fn create_achievement(
    Call(s, caller): Call,
    ApiJson(form): ApiJson<AchievementForm>,
) -> ApiResult<(StatusCode, Tagged<AchievementJson>)> {
    let r = s.app.create_achievement(&caller, &form).await?;
    Ok((StatusCode::CREATED, tagged(r, achievement_json)?))
}

#[utoipa::path(
    patch,
    path = "/api/v1/achievements/{id}",
    tag = "workspace",
    summary = "Replace an achievement's text",
    description = "Who: its institution, bureau/admin (another institution's record is 404).",
    params(("id" = String, Path, description = "achievement id"), IfMatch),
    request_body = AchievementForm,
    responses(
        (status = 200, description = "success", body = AchievementJson, headers(("ETag" = String))),
        errors::VersionedWrite
    )
)]
pub async fn edit_achievement(
    Call(s, caller): Call,
    Path(id): Path<String>,
    IfMatch(version): IfMatch,
    ApiJson(form): ApiJson<AchievementForm>,
) -> ApiResult<Tagged<AchievementJson>> {
    let r = s.app.edit_achievement(&caller, &id, &form, version).await?;
    tagged(r, achievement_json)
}

#[utoipa::path(
    delete,
    path = "/api/v1/achievements/{id}",
    tag = "workspace",
    summary = "Delete an achievement (leaves the index at once)",
    description = "Who: its institution, bureau/admin (another institution's record is 404).",
    params(("id" = String, Path, description = "achievement id"), IfMatch),
    responses(
        (status = 200, description = "success", body = Deleted),
        errors::VersionedWrite
    )
)]
pub async fn delete_achievement(
    Call(s, caller): Call,
    Path(id): Path<String>,
    IfMatch(version): IfMatch,
) -> ApiResult<Json<Deleted>> {
    delete(&s, &caller, EntityKind::Achievement, id, version).await
}

#[utoipa::path(
    post,
    path = "/api/v1/experts",
    tag = "workspace",
    summary = "Record an expert of the caller's institution (contact details are kept for the bureau only)",
    description = "Who: institution (its own).",
    params(IdempotencyKey),
    request_body = ExpertForm,
    responses(
        (status = 201, description = "success", body = ExpertJson, headers(("ETag" = String))),
        errors::Write
    )
)]
pub async fn create_expert(
    Call(s, caller): Call,
    ApiJson(form): ApiJson<ExpertForm>,
) -> ApiResult<(StatusCode, Tagged<ExpertJson>)> {
    let r = s.app.create_expert(&caller, &form).await?;
    Ok((StatusCode::CREATED, tagged(r, expert_json)?))
}

#[utoipa::path(
    patch,
    path = "/api/v1/experts/{id}",
    tag = "workspace",
    summary = "Replace an expert's profile; blank contact fields keep the stored ones",
    description = "Who: its institution, bureau/admin (another institution's record is 404).",
    params(("id" = String, Path, description = "expert id"), IfMatch),
    request_body = ExpertForm,
    responses(
        (status = 200, description = "success", body = ExpertJson, headers(("ETag" = String))),
        errors::VersionedWrite
    )
)]
pub async fn edit_expert(
    Call(s, caller): Call,
    Path(id): Path<String>,
    IfMatch(version): IfMatch,
    ApiJson(form): ApiJson<ExpertForm>,
) -> ApiResult<Tagged<ExpertJson>> {
    let r = s.app.edit_expert(&caller, &id, &form, version).await?;
    tagged(r, expert_json)
}

#[utoipa::path(
    delete,
    path = "/api/v1/experts/{id}",
    tag = "workspace",
    summary = "Delete an expert (its achievements stay, unlinked; an expert with a secondment is 409)",
    description = "Who: its institution, bureau/admin (another institution's record is 404).",
    params(("id" = String, Path, description = "expert id"), IfMatch),
    responses(
        (status = 200, description = "success", body = Deleted),
        errors::VersionedWrite
    )
)]
pub async fn delete_expert(
    Call(s, caller): Call,
    Path(id): Path<String>,
    IfMatch(version): IfMatch,
) -> ApiResult<Json<Deleted>> {
    delete(&s, &caller, EntityKind::Expert, id, version).await
}

#[utoipa::path(
    patch,
    path = "/api/v1/instruments/{id}",
    tag = "workspace",
    summary = "Replace an instrument's description",
    description = "Who: its institution, bureau/admin (another institution's record is 404).",
    params(("id" = String, Path, description = "instrument id"), IfMatch),
    request_body = InstrumentForm,
    responses(
        (status = 200, description = "success", body = InstrumentJson, headers(("ETag" = String))),
        errors::VersionedWrite
    )
)]
pub async fn edit_instrument(
    Call(s, caller): Call,
    Path(id): Path<String>,
    IfMatch(version): IfMatch,
    ApiJson(form): ApiJson<InstrumentForm>,
) -> ApiResult<Tagged<InstrumentJson>> {
    let r = s.app.edit_instrument(&caller, &id, &form, version).await?;
    tagged(r, instrument_json)
}

#[utoipa::path(
    delete,
    path = "/api/v1/instruments/{id}",
    tag = "workspace",
    summary = "Delete an instrument",
    description = "Who: its institution, bureau/admin (another institution's record is 404).",
    params(("id" = String, Path, description = "instrument id"), IfMatch),
    responses(
        (status = 200, description = "success", body = Deleted),
        errors::VersionedWrite
    )
)]
pub async fn delete_instrument(
    Call(s, caller): Call,
    Path(id): Path<String>,
    IfMatch(version): IfMatch,
) -> ApiResult<Json<Deleted>> {
    delete(&s, &caller, EntityKind::Instrument, id, version).await
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MyRecordsQuery {
    /// `achievement` (default), `expert` or `instrument`.
    kind: Option<String>,
    /// Search words.
    q: Option<String>,
    /// 1-based page.
    page: Option<u32>,
}

#[utoipa::path(
    get,
    path = "/api/v1/my/records",
    tag = "workspace",
    summary = "The caller's institution's own achievements, experts or instruments, latest change first, or those the search finds among them",
    description = "Who: institution.",
    params(MyRecordsQuery),
    responses(
        (status = 200, description = "success", body = OwnRecordPage),
        errors::RestrictedInput
    )
)]
pub async fn my_records(
    Call(s, caller): Call,
    ApiQuery(p): ApiQuery<MyRecordsQuery>,
) -> ApiResult<Json<OwnRecordPage>> {
    let kind = match p.kind.as_deref().map(str::trim) {
        None | Some("") | Some("achievement") => EntityKind::Achievement,
        Some("expert") => EntityKind::Expert,
        Some("instrument") => EntityKind::Instrument,
        Some(_) => {
            return Err(
                DomainError::invalid("kind", "类型应为 achievement、expert 或 instrument").into(),
            )
        }
    };
    let page = p.page.unwrap_or(1);
    let (items, total) = s
        .app
        .my_records(&caller, kind, p.q.as_deref(), page)
        .await?;
    let items = items.into_iter().filter_map(OwnRecordJson::from_record);
    let per_page = duijie_app::RECORDS_PER_PAGE;
    Ok(Json(OwnRecordPage(lists::paged(
        page,
        per_page,
        (items.collect(), total),
    ))))
}

#[utoipa::path(
    get,
    path = "/api/v1/my/interests",
    tag = "workspace",
    summary = "我的对接意向: every expression of interest of the caller's institution with its demand and state, newest first",
    description = "Who: institution.",
    responses(
        (status = 200, description = "success", body = Items<MyInterestJson>),
        errors::Restricted
    )
)]
pub async fn my_interests(Call(s, caller): Call) -> ApiResult<Json<Items<MyInterestJson>>> {
    Ok(Json(Items::of(s.app.my_interests(&caller).await?)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// 1-based page of 50.
    page: Option<u32>,
}

#[utoipa::path(
    get,
    path = "/api/v1/record-changes",
    tag = "workspace",
    summary = "Achievements, experts and instruments created, edited or deleted (who, when, which record), newest first; audit-log entries",
    description = "Who: bureau/admin.",
    params(PageQuery),
    responses(
        (status = 200, description = "success", body = AuditPage),
        errors::RestrictedInput
    )
)]
pub async fn record_changes(
    Call(s, caller): Call,
    ApiQuery(p): ApiQuery<PageQuery>,
) -> ApiResult<Json<AuditPage>> {
    let changes = s.app.record_changes(&caller, p.page.unwrap_or(1)).await?;
    Ok(Json(AuditPage(changes.into())))
}
