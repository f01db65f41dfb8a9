//! The technology market: shared instruments (科研仪器), trends (科技动态) and expert
//! committees (专家咨询委员会).

use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery, Auth};
use crate::precondition::{IfMatch, Tagged};
use crate::views::{CommitteeJson, InstrumentJson, Items, PageJson, TrendsJson};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use duijie_app::{CommitteeForm, CommitteePatch, InstrumentForm, SearchParams, TrendParams};

pub async fn create_instrument(
    State(s): State<AppState>,
    Auth(caller): Auth,
    ApiJson(form): ApiJson<InstrumentForm>,
) -> ApiResult<(StatusCode, Json<InstrumentJson>)> {
    let i = s.app.create_instrument(&caller, &form).await?;
    Ok((StatusCode::CREATED, Json(i.into())))
}

pub async fn search_instruments(
    State(s): State<AppState>,
    ApiQuery(p): ApiQuery<SearchParams>,
) -> ApiResult<Json<PageJson<InstrumentJson>>> {
    Ok(Json(PageJson::from_page(
        s.app.search_instruments(&p).await?,
    )))
}

pub async fn instrument(
    State(s): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Tagged<InstrumentJson>> {
    let i = s.app.instrument(&id).await?;
    Ok(Tagged(i.version, i.into()))
}

pub async fn trends(
    State(s): State<AppState>,
    ApiQuery(p): ApiQuery<TrendParams>,
) -> ApiResult<Json<TrendsJson>> {
    Ok(Json(s.app.trends(&p).await?.into()))
}

pub async fn propose_committee(
    State(s): State<AppState>,
    Auth(caller): Auth,
    ApiJson(form): ApiJson<CommitteeForm>,
) -> ApiResult<(StatusCode, Json<CommitteeJson>)> {
    let c = s.app.propose_committee(&caller, &form).await?;
    Ok((StatusCode::CREATED, Json(c.into())))
}

pub async fn committees(
    State(s): State<AppState>,
    Auth(caller): Auth,
) -> ApiResult<Json<Items<CommitteeJson>>> {
    Ok(Json(Items::of(s.app.committees(&caller).await?)))
}

pub async fn committee(
    State(s): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
) -> ApiResult<Tagged<CommitteeJson>> {
    let c = s.app.committee(&caller, &id).await?;
    Ok(Tagged(c.version, c.into()))
}

pub async fn update_committee(
    State(s): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
    IfMatch(version): IfMatch,
    ApiJson(patch): ApiJson<CommitteePatch>,
) -> ApiResult<Tagged<CommitteeJson>> {
    let c = s
        .app
        .update_committee(&caller, &id, &patch, version)
        .await?;
    Ok(Tagged(c.version, c.into()))
}
