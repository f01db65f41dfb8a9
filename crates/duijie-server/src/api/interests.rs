//! Expressions of interest (揭榜 / 对接意向): institutions propose, the demand's owner answers.

use crate::error::ApiResult;
use crate::extract::{ApiJson, Auth};
use crate::views::{InterestJson, Items};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use duijie_app::InterestForm;
use serde::Deserialize;

pub async fn create(
    State(s): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
    ApiJson(form): ApiJson<InterestForm>,
) -> ApiResult<(StatusCode, Json<InterestJson>)> {
    let i = s.app.express_interest(&caller, &id, &form).await?;
    Ok((StatusCode::CREATED, Json(i.into())))
}

pub async fn list(
    State(s): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Items<InterestJson>>> {
    Ok(Json(Items::of(s.app.interests(&caller, &id).await?)))
}

pub async fn accept(
    State(s): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<InterestJson>> {
    Ok(Json(s.app.accept_interest(&caller, &id).await?.into()))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeclineBody {
    reason: String,
}

pub async fn decline(
    State(s): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<DeclineBody>,
) -> ApiResult<Json<InterestJson>> {
    Ok(Json(
        s.app
            .decline_interest(&caller, &id, &body.reason)
            .await?
            .into(),
    ))
}
