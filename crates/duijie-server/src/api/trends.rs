//! Trends (科技动态): published demands per period and rising terms.

use crate::error::ApiResult;
use crate::extract::ApiQuery;
use crate::views::TrendsJson;
use crate::AppState;
use axum::extract::State;
use axum::Json;
use duijie_app::TrendParams;

pub async fn trends(
    State(s): State<AppState>,
    ApiQuery(p): ApiQuery<TrendParams>,
) -> ApiResult<Json<TrendsJson>> {
    Ok(Json(s.app.trends(&p).await?.into()))
}
