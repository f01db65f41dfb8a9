//! Demand endpoints: search, read, write, lifecycle, history, matches.

use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery, Auth};
use crate::precondition::{IfMatch, Tagged};
use crate::views::{Deleted, DemandEventJson, DemandJson, Items, PageJson, Paged, RankingJson};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use duijie_app::{DemandForm, ReviewDecision, SearchParams};
use duijie_core::{DemandStatus, DomainError};
use serde::Deserialize;

pub async fn search(
    State(s): State<AppState>,
    Auth(caller): Auth,
    ApiQuery(p): ApiQuery<SearchParams>,
) -> ApiResult<Json<PageJson<DemandJson>>> {
    let page = s.app.search_demands(&caller, &p).await?;
    Ok(Json(PageJson::from_page(page)))
}

pub async fn get(
    State(s): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
) -> ApiResult<Tagged<DemandJson>> {
    let d = s.app.demand(&caller, &id).await?;
    Ok(Tagged(d.version, d.into()))
}

pub async fn create(
    State(s): State<AppState>,
    Auth(caller): Auth,
    ApiJson(form): ApiJson<DemandForm>,
) -> ApiResult<(StatusCode, Tagged<DemandJson>)> {
    let d = s.app.create_demand(&caller, &form).await?;
    Ok((StatusCode::CREATED, Tagged(d.version, d.into())))
}

pub async fn edit(
    State(s): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
    IfMatch(version): IfMatch,
    ApiJson(form): ApiJson<DemandForm>,
) -> ApiResult<Tagged<DemandJson>> {
    let d = s.app.edit_demand(&caller, &id, &form, version).await?;
    Ok(Tagged(d.version, d.into()))
}

pub async fn submit(
    State(s): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<DemandJson>> {
    Ok(Json(s.app.submit_demand(&caller, &id).await?.into()))
}

pub async fn delete(
    State(s): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Deleted>> {
    s.app.delete_demand(&caller, &id).await?;
    Ok(Json(Deleted::of(id)))
}

pub async fn reopen(
    State(s): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<DemandJson>> {
    Ok(Json(s.app.reopen_demand(&caller, &id).await?.into()))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoteBody {
    #[serde(default)]
    note: String,
}

pub async fn withdraw(
    State(s): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> ApiResult<Json<DemandJson>> {
    // The note is optional, and so is the body.
    let note = if body.iter().all(u8::is_ascii_whitespace) {
        String::new()
    } else {
        serde_json::from_slice::<NoteBody>(&body)
            .map_err(|e| DomainError::invalid("note", format!("请求体无法解析: {e}")))?
            .note
    };
    Ok(Json(
        s.app.withdraw_demand(&caller, &id, &note).await?.into(),
    ))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewBody {
    decision: ReviewDecision,
    #[serde(default)]
    note: String,
}

pub async fn review(
    State(s): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
    IfMatch(version): IfMatch,
    ApiJson(body): ApiJson<ReviewBody>,
) -> ApiResult<Tagged<DemandJson>> {
    let d = s
        .app
        .review_demand(&caller, &id, body.decision, &body.note, version)
        .await?;
    Ok(Tagged(d.version, d.into()))
}

pub async fn history(
    State(s): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Items<DemandEventJson>>> {
    Ok(Json(Items::of(s.app.demand_history(&caller, &id).await?)))
}

#[derive(Debug, Deserialize)]
pub struct MatchParams {
    kind: Option<String>,
    limit: Option<usize>,
    semantic_ratio: Option<f32>,
}

pub async fn matches(
    State(s): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
    ApiQuery(p): ApiQuery<MatchParams>,
) -> ApiResult<Json<RankingJson>> {
    let ranking = s
        .app
        .match_demand(&caller, &id, p.kind.as_deref(), p.limit, p.semantic_ratio)
        .await?;
    Ok(Json(ranking.into()))
}

#[derive(Debug, Deserialize)]
pub struct MineParams {
    status: Option<String>,
    page: Option<u32>,
    per_page: Option<u32>,
}

/// The caller's own demands (enterprise) or every demand by status (bureau), from the store.
pub async fn mine(
    State(s): State<AppState>,
    Auth(caller): Auth,
    ApiQuery(p): ApiQuery<MineParams>,
) -> ApiResult<Json<Paged<DemandJson>>> {
    let statuses = match p.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(st) => Some(vec![DemandStatus::parse(st).ok_or_else(|| {
            DomainError::invalid("status", format!("未知状态“{st}”"))
        })?]),
        None => None,
    };
    let per_page = p
        .per_page
        .unwrap_or(20)
        .clamp(1, duijie_app::SEARCH_MAX_PER_PAGE);
    let page = p.page.unwrap_or(1).max(1);
    let (items, total) = s
        .app
        .list_demands(&caller, statuses, (page - 1) * per_page, per_page)
        .await?;
    Ok(Json(Paged {
        total,
        page,
        per_page,
        items: items.into_iter().map(Into::into).collect(),
    }))
}
