//! Expert committees (专家咨询委员会): proposed by the bureau, edited and confirmed.

use crate::error::ApiResult;
use crate::extract::{ApiJson, Auth};
use crate::precondition::{IfMatch, Tagged};
use crate::views::{CommitteeJson, Items};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use duijie_app::{CommitteeForm, CommitteePatch};

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
