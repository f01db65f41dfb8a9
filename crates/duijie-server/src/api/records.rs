//! Achievements, experts, organisations and recommendations.

use crate::error::ApiResult;
use crate::extract::{ApiQuery, Auth};
use crate::precondition::Tagged;
use crate::views::{
    AchievementJson, DemandMatchJson, ExpertJson, Items, OrganizationJson, PageJson,
};
use crate::AppState;
use axum::extract::{Path, State};
use axum::Json;
use duijie_app::SearchParams;
use serde::Deserialize;

pub async fn search_achievements(
    State(s): State<AppState>,
    ApiQuery(p): ApiQuery<SearchParams>,
) -> ApiResult<Json<PageJson<AchievementJson>>> {
    Ok(Json(PageJson::from_page(
        s.app.search_achievements(&p).await?,
    )))
}

pub async fn achievement(
    State(s): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Tagged<AchievementJson>> {
    let a = s.app.achievement(&id).await?;
    Ok(Tagged(a.version, a.into()))
}

pub async fn search_experts(
    State(s): State<AppState>,
    Auth(caller): Auth,
    ApiQuery(p): ApiQuery<SearchParams>,
) -> ApiResult<Json<PageJson<ExpertJson>>> {
    Ok(Json(PageJson::from_page(
        s.app.search_experts(&caller, &p).await?,
    )))
}

pub async fn expert(
    State(s): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
) -> ApiResult<Tagged<ExpertJson>> {
    let e = s.app.expert(&caller, &id).await?;
    Ok(Tagged(e.version, e.into()))
}

pub async fn organization(
    State(s): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<OrganizationJson>> {
    let (org, counts) = s.app.organization(&id).await?;
    Ok(Json(OrganizationJson::new(org, counts.into())))
}

#[derive(Debug, Deserialize)]
pub struct LimitParams {
    limit: Option<usize>,
}

pub async fn recommended_demands(
    State(s): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
    ApiQuery(p): ApiQuery<LimitParams>,
) -> ApiResult<Json<Items<DemandMatchJson>>> {
    Ok(Json(Items::of(
        s.app.recommended_demands(&caller, &id, p.limit).await?,
    )))
}
