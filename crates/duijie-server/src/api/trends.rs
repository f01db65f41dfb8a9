//! Trends (科技动态): published demands per period and rising terms.

use super::errors;
use crate::error::ApiResult;
use crate::extract::ApiQuery;
use crate::views::TrendsJson;
use crate::AppState;
use axum::extract::State;
use axum::Json;
use duijie_app::TrendParams;

#[utoipa::path(
    get,
    path = "/api/v1/stats/trends",
    tag = "market",
    summary = "Published demands per period and field or region, and rising terms (科技动态)",
    description = "Who: anyone (public data only).",
    params(TrendParams),
    responses(
        (status = 200, description = "success", body = TrendsJson),
        errors::PublicQuery
    ),
    security(())
)]
pub async fn trends(
    State(s): State<AppState>,
    ApiQuery(p): ApiQuery<TrendParams>,
) -> ApiResult<Json<TrendsJson>> {
    Ok(Json(s.app.trends(&p).await?.into()))
}
