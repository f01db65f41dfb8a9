//! The audit log (审计日志) for the bureau and administrators: a page of entries as JSON, and
//! the entries matching the same filters as a CSV download.

use super::errors;
use super::lists::AuditPage;
use super::Call;
use crate::error::ApiResult;
use crate::extract::ApiQuery;
use axum::response::Response;
use axum::Json;
use duijie_app::AuditQuery;

#[utoipa::path(
    get,
    path = "/api/v1/audit",
    tag = "audit",
    summary = "The audit log (审计日志), newest first: review decisions, withdrawals, publications, contact-bearing exports, bulk reads of contact details, account administration; ids and counts only, never contact values",
    description = "Who: bureau/admin.",
    params(AuditQuery),
    responses(
        (status = 200, description = "success", body = AuditPage),
        errors::RestrictedInput
    )
)]
pub async fn list(
    Call(s, caller): Call,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> ApiResult<Json<AuditPage>> {
    Ok(Json(AuditPage(s.app.audit_log(&caller, &q).await?.into())))
}

#[utoipa::path(
    get,
    path = "/api/v1/audit/export",
    tag = "audit",
    summary = "The entries matching the filters as CSV (UTF-8 with BOM, newest first, at most 50,000); the export is itself recorded",
    description = "Who: bureau/admin.",
    params(AuditQuery),
    responses(
        (status = 200, description = "the file", content_type = "application/octet-stream", body = Vec<u8>),
        errors::RestrictedInput
    )
)]
pub async fn export(
    Call(s, caller): Call,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> ApiResult<Response> {
    Ok(super::download(s.app.export_audit_log(&caller, &q).await?))
}
