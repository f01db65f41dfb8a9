//! The bureau's ledger (台账): cooperation projects, secondments, and the annual report.

use super::errors;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery, Auth};
use crate::precondition::{IfMatch, Tagged};
use crate::views::ErrorJson;
use crate::views::{Items, ProjectJson, SecondmentJson};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use duijie_app::{ProjectForm, ProjectQuery, ProjectUpdate, ReportFormat, SecondmentForm};
use serde::Deserialize;
use utoipa::IntoParams;

#[utoipa::path(
    post,
    path = "/api/v1/projects",
    tag = "ledger",
    summary = "Record a cooperation project (合作项目) on a demand in docking; the demand becomes contracted",
    description = "Who: bureau/admin.",
    params(("Idempotency-Key" = Option<String>, Header, description = crate::idempotency::key_doc())),
    request_body = ProjectForm,
    responses(
        (status = 201, description = "success", body = ProjectJson),
        errors::Write
    ),
    security(("bearerAuth" = []), ("session" = []))
)]
pub async fn create_project(
    State(s): State<AppState>,
    Auth(caller): Auth,
    ApiJson(form): ApiJson<ProjectForm>,
) -> ApiResult<(StatusCode, Json<ProjectJson>)> {
    let p = s.app.create_project(&caller, &form).await?;
    Ok((StatusCode::CREATED, Json(p.into())))
}

#[utoipa::path(
    get,
    path = "/api/v1/projects",
    tag = "ledger",
    summary = "The project ledger (台账), latest signed first",
    description = "Who: bureau/admin.",
    params(ProjectQuery),
    responses(
        (status = 200, description = "success", body = Items<ProjectJson>),
        errors::RestrictedInput
    ),
    security(("bearerAuth" = []), ("session" = []))
)]
pub async fn list_projects(
    State(s): State<AppState>,
    Auth(caller): Auth,
    ApiQuery(q): ApiQuery<ProjectQuery>,
) -> ApiResult<Json<Items<ProjectJson>>> {
    Ok(Json(Items::of(s.app.projects(&caller, &q).await?)))
}

#[utoipa::path(
    get,
    path = "/api/v1/projects/{id}",
    tag = "ledger",
    summary = "One project",
    description = "Who: bureau/admin.",
    params(("id" = String, Path, description = "project id")),
    responses(
        (status = 200, description = "success", body = ProjectJson, headers(("ETag" = String))),
        errors::RestrictedRecord
    ),
    security(("bearerAuth" = []), ("session" = []))
)]
pub async fn get_project(
    State(s): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
) -> ApiResult<Tagged<ProjectJson>> {
    let p = s.app.project(&caller, &id).await?;
    Ok(Tagged(p.version, p.into()))
}

#[utoipa::path(
    patch,
    path = "/api/v1/projects/{id}",
    tag = "ledger",
    summary = "Update a project's status, milestones (the list is replaced) or notes",
    description = "Who: bureau/admin.",
    params(
        ("id" = String, Path, description = "project id"),
        ("If-Match" = Option<String>, Header, description = crate::precondition::IF_MATCH_DOC)
    ),
    request_body = ProjectUpdate,
    responses(
        (status = 200, description = "success", body = ProjectJson, headers(("ETag" = String))),
        (status = 400, response = ErrorJson),
        (status = 401, response = ErrorJson),
        (status = 403, response = ErrorJson),
        (status = 404, response = ErrorJson),
        (status = 412, response = ErrorJson)
    ),
    security(("bearerAuth" = []), ("session" = []))
)]
pub async fn update_project(
    State(s): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
    IfMatch(version): IfMatch,
    ApiJson(form): ApiJson<ProjectUpdate>,
) -> ApiResult<Tagged<ProjectJson>> {
    let p = s.app.update_project(&caller, &id, &form, version).await?;
    Ok(Tagged(p.version, p.into()))
}

#[utoipa::path(
    post,
    path = "/api/v1/secondments",
    tag = "ledger",
    summary = "Record an expert's secondment (科技副职 / 挂职) to a host organisation",
    description = "Who: bureau/admin.",
    params(("Idempotency-Key" = Option<String>, Header, description = crate::idempotency::key_doc())),
    request_body = SecondmentForm,
    responses(
        (status = 201, description = "success", body = SecondmentJson),
        errors::Create
    ),
    security(("bearerAuth" = []), ("session" = []))
)]
pub async fn create_secondment(
    State(s): State<AppState>,
    Auth(caller): Auth,
    ApiJson(form): ApiJson<SecondmentForm>,
) -> ApiResult<(StatusCode, Json<SecondmentJson>)> {
    let sec = s.app.create_secondment(&caller, &form).await?;
    Ok((StatusCode::CREATED, Json(sec.into())))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct YearQuery {
    /// Only those active at some time of this year.
    #[param(value_type = Option<i32>)]
    year: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/v1/secondments",
    tag = "ledger",
    summary = "Secondments, latest start first",
    description = "Who: bureau/admin.",
    params(YearQuery),
    responses(
        (status = 200, description = "success", body = Items<SecondmentJson>),
        errors::RestrictedInput
    ),
    security(("bearerAuth" = []), ("session" = []))
)]
pub async fn list_secondments(
    State(s): State<AppState>,
    Auth(caller): Auth,
    ApiQuery(q): ApiQuery<YearQuery>,
) -> ApiResult<Json<Items<SecondmentJson>>> {
    Ok(Json(Items::of(
        s.app.secondments(&caller, q.year.as_deref()).await?,
    )))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    /// The year, 2000 to 2100; the current year by default.
    #[param(value_type = Option<i32>)]
    year: Option<String>,
    /// `json` (default), `xlsx` or `html`.
    format: Option<String>,
}

/// The annual report as JSON (default), an xlsx download, or a printable HTML page.
#[utoipa::path(
    get,
    path = "/api/v1/reports/annual",
    tag = "ledger",
    summary = "Annual report per county/district and field (JSON; xlsx with one sheet per table; printable html with SVG charts)",
    description = "Who: bureau/admin.",
    params(ReportQuery),
    responses(
        (status = 200, description = "success", body = duijie_app::AnnualReport),
        errors::RestrictedInput
    ),
    security(("bearerAuth" = []), ("session" = []))
)]
pub async fn annual_report(
    State(s): State<AppState>,
    Auth(caller): Auth,
    ApiQuery(q): ApiQuery<ReportQuery>,
) -> ApiResult<Response> {
    let format = ReportFormat::parse(q.format.as_deref().unwrap_or("json"))?;
    let out = s
        .app
        .export_annual_report(&caller, q.year.as_deref(), format)
        .await?;
    let mut resp = out.bytes.into_response();
    let headers = resp.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(out.content_type));
    if format == ReportFormat::Xlsx {
        // The file name is ASCII by construction.
        if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{}\"", out.file_name))
        {
            headers.insert(CONTENT_DISPOSITION, v);
        }
    }
    Ok(resp)
}
