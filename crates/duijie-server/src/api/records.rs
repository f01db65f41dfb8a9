//! Achievements, experts, organisations and recommendations.

use super::errors;
use super::Call;
use crate::error::ApiResult;
use crate::extract::ApiQuery;
use crate::precondition::Tagged;
use crate::views::{
    AchievementJson, DemandMatchJson, ExpertJson, Items, OrganizationJson, PageJson,
};
use crate::AppState;
use axum::extract::{Path, State};
use axum::Json;
use duijie_app::SearchParams;
use serde::Deserialize;
use utoipa::IntoParams;

#[utoipa::path(
    get,
    path = "/api/v1/achievements",
    tag = "records",
    summary = "Search achievements (科技成果)",
    description = "Who: anyone.",
    params(SearchParams),
    responses(
        (status = 200, description = "success", body = PageJson<AchievementJson>),
        errors::PublicQuery
    ),
    security(())
)]
pub async fn search_achievements(
    State(s): State<AppState>,
    ApiQuery(p): ApiQuery<SearchParams>,
) -> ApiResult<Json<PageJson<AchievementJson>>> {
    Ok(Json(PageJson::from_page(
        s.app.search_achievements(&p).await?,
    )))
}

#[utoipa::path(
    get,
    path = "/api/v1/achievements/{id}",
    tag = "records",
    summary = "One achievement",
    description = "Who: anyone.",
    params(("id" = String, Path, description = "achievement id")),
    responses(
        (status = 200, description = "success", body = AchievementJson, headers(("ETag" = String))),
        errors::PublicRecord
    ),
    security(())
)]
pub async fn achievement(
    State(s): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Tagged<AchievementJson>> {
    let a = s.app.achievement(&id).await?;
    Ok(Tagged(a.version, a.into()))
}

#[utoipa::path(
    get,
    path = "/api/v1/experts",
    tag = "records",
    summary = "Search experts (contact details for the bureau only)",
    description = "Who: anyone.",
    params(SearchParams),
    responses(
        (status = 200, description = "success", body = PageJson<ExpertJson>),
        errors::ListQuery
    ),
    security((), ("bearerAuth" = []), ("session" = []))
)]
pub async fn search_experts(
    Call(s, caller): Call,
    ApiQuery(p): ApiQuery<SearchParams>,
) -> ApiResult<Json<PageJson<ExpertJson>>> {
    Ok(Json(PageJson::from_page(
        s.app.search_experts(&caller, &p).await?,
    )))
}

#[utoipa::path(
    get,
    path = "/api/v1/experts/{id}",
    tag = "records",
    summary = "One expert",
    description = "Who: anyone.",
    params(("id" = String, Path, description = "expert id")),
    responses(
        (status = 200, description = "success", body = ExpertJson, headers(("ETag" = String))),
        errors::CallerRecord
    ),
    security((), ("bearerAuth" = []), ("session" = []))
)]
pub async fn expert(
    Call(s, caller): Call,
    Path(id): Path<String>,
) -> ApiResult<Tagged<ExpertJson>> {
    let e = s.app.expert(&caller, &id).await?;
    Ok(Tagged(e.version, e.into()))
}

#[utoipa::path(
    get,
    path = "/api/v1/organizations/{id}",
    tag = "records",
    summary = "An organisation's profile with counts",
    description = "Who: anyone.",
    params(("id" = String, Path, description = "organization id")),
    responses(
        (status = 200, description = "success", body = OrganizationJson),
        errors::PublicRecord
    ),
    security(())
)]
pub async fn organization(
    State(s): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<OrganizationJson>> {
    let (org, counts) = s.app.organization(&id).await?;
    Ok(Json(OrganizationJson::new(org, counts.into())))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LimitParams {
    /// 1 to 50.
    limit: Option<usize>,
}

#[utoipa::path(
    get,
    path = "/api/v1/organizations/{id}/recommended-demands",
    tag = "matching",
    summary = "Published demands ranked for an institution",
    description = "Who: that institution, bureau/admin.",
    params(("id" = String, Path, description = "organization id"), LimitParams),
    responses(
        (status = 200, description = "success", body = Items<DemandMatchJson>),
        errors::RestrictedRecord
    )
)]
pub async fn recommended_demands(
    Call(s, caller): Call,
    Path(id): Path<String>,
    ApiQuery(p): ApiQuery<LimitParams>,
) -> ApiResult<Json<Items<DemandMatchJson>>> {
    Ok(Json(Items::of(
        s.app.recommended_demands(&caller, &id, p.limit).await?,
    )))
}
