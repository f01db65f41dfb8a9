//! The institution's workspace: its own achievements, experts and instruments (create, edit
//! with `If-Match`, delete), its records and expressions of interest (我的对接意向), and the
//! bureau's list of what institutions changed.

use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery, Auth};
use crate::precondition::{IfMatch, Tagged};
use crate::views::{
    AchievementJson, AuditPageJson, Deleted, ExpertJson, InstrumentJson, Items, MyInterestJson,
    OwnRecordJson, Paged,
};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use duijie_app::{record_version, AchievementForm, ExpertForm, InstrumentForm, Record};
use duijie_core::{DomainError, EntityKind, ErrorCode};
use serde::Deserialize;

/// The record as its kind's JSON with its version as the `ETag`.
fn tagged<T>(r: Record, into: impl FnOnce(Record) -> Option<T>) -> ApiResult<Tagged<T>> {
    let version = record_version(&r);
    into(r)
        .map(|j| Tagged(version, j))
        .ok_or_else(|| DomainError::new(ErrorCode::Internal, "记录类型不符").into())
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

pub async fn create_achievement(
    State(s): State<AppState>,
    Auth(caller): Auth,
    ApiJson(form): ApiJson<AchievementForm>,
) -> ApiResult<(StatusCode, Tagged<AchievementJson>)> {
    let r = s.app.create_achievement(&caller, &form).await?;
    Ok((StatusCode::CREATED, tagged(r, achievement_json)?))
}

pub async fn edit_achievement(
    State(s): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
    IfMatch(version): IfMatch,
    ApiJson(form): ApiJson<AchievementForm>,
) -> ApiResult<Tagged<AchievementJson>> {
    let r = s.app.edit_achievement(&caller, &id, &form, version).await?;
    tagged(r, achievement_json)
}

pub async fn delete_achievement(
    State(s): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
    IfMatch(version): IfMatch,
) -> ApiResult<Json<Deleted>> {
    s.app
        .delete_record(&caller, EntityKind::Achievement, &id, version)
        .await?;
    Ok(Json(Deleted::of(id)))
}

pub async fn create_expert(
    State(s): State<AppState>,
    Auth(caller): Auth,
    ApiJson(form): ApiJson<ExpertForm>,
) -> ApiResult<(StatusCode, Tagged<ExpertJson>)> {
    let r = s.app.create_expert(&caller, &form).await?;
    Ok((StatusCode::CREATED, tagged(r, expert_json)?))
}

pub async fn edit_expert(
    State(s): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
    IfMatch(version): IfMatch,
    ApiJson(form): ApiJson<ExpertForm>,
) -> ApiResult<Tagged<ExpertJson>> {
    let r = s.app.edit_expert(&caller, &id, &form, version).await?;
    tagged(r, expert_json)
}

pub async fn delete_expert(
    State(s): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
    IfMatch(version): IfMatch,
) -> ApiResult<Json<Deleted>> {
    s.app
        .delete_record(&caller, EntityKind::Expert, &id, version)
        .await?;
    Ok(Json(Deleted::of(id)))
}

pub async fn edit_instrument(
    State(s): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
    IfMatch(version): IfMatch,
    ApiJson(form): ApiJson<InstrumentForm>,
) -> ApiResult<Tagged<InstrumentJson>> {
    let r = s.app.edit_instrument(&caller, &id, &form, version).await?;
    tagged(r, instrument_json)
}

pub async fn delete_instrument(
    State(s): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
    IfMatch(version): IfMatch,
) -> ApiResult<Json<Deleted>> {
    s.app
        .delete_record(&caller, EntityKind::Instrument, &id, version)
        .await?;
    Ok(Json(Deleted::of(id)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MyRecordsQuery {
    /// `achievement` (default), `expert` or `instrument`.
    kind: Option<String>,
    q: Option<String>,
    page: Option<u32>,
}

pub async fn my_records(
    State(s): State<AppState>,
    Auth(caller): Auth,
    ApiQuery(p): ApiQuery<MyRecordsQuery>,
) -> ApiResult<Json<Paged<OwnRecordJson>>> {
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
    Ok(Json(Paged {
        total,
        page,
        per_page: duijie_app::RECORDS_PER_PAGE,
        items: items
            .into_iter()
            .filter_map(OwnRecordJson::from_record)
            .collect(),
    }))
}

pub async fn my_interests(
    State(s): State<AppState>,
    Auth(caller): Auth,
) -> ApiResult<Json<Items<MyInterestJson>>> {
    Ok(Json(Items::of(s.app.my_interests(&caller).await?)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    page: Option<u32>,
}

pub async fn record_changes(
    State(s): State<AppState>,
    Auth(caller): Auth,
    ApiQuery(p): ApiQuery<PageQuery>,
) -> ApiResult<Json<AuditPageJson>> {
    Ok(Json(
        s.app
            .record_changes(&caller, p.page.unwrap_or(1))
            .await?
            .into(),
    ))
}
