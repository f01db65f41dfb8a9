//! The audit log (审计日志) for the bureau and administrators: a page of entries as JSON, and
//! the entries matching the same filters as a CSV download.

use crate::error::ApiResult;
use crate::extract::{ApiQuery, Auth};
use crate::views::AuditPageJson;
use crate::AppState;
use axum::extract::State;
use axum::response::Response;
use axum::Json;
use duijie_app::AuditQuery;

pub async fn list(
    State(s): State<AppState>,
    Auth(caller): Auth,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> ApiResult<Json<AuditPageJson>> {
    Ok(Json(s.app.audit_log(&caller, &q).await?.into()))
}

pub async fn export(
    State(s): State<AppState>,
    Auth(caller): Auth,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> ApiResult<Response> {
    Ok(super::download(s.app.export_audit_log(&caller, &q).await?))
}
