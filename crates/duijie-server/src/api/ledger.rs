//! The bureau's ledger (台账): cooperation projects, secondments, and the annual report.

use super::errors;
use super::params::IdempotencyKey;
use super::Call;
use super::{created, Created};
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery};
use crate::precondition::{IfMatch, Tagged};
use crate::views::{Items, ProjectJson, SecondmentJson};
use axum::extract::Path;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::HeaderValue;
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
    params(IdempotencyKey),
    request_body = ProjectForm,
    responses(
        (status = 201, description = "success", body = ProjectJson),
        errors::Write
    )
)]
pub async fn create_project(
    Call(s, caller): Call,
    ApiJson(form): ApiJson<ProjectForm>,
) -> ApiResult<Created<ProjectJson>> {
    created(s.app.create_project(&caller, &form).await?)
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
    )
)]
pub async fn list_projects(
    Call(s, caller): Call,
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
    )
)]
pub async fn get_project(
    Call(s, caller): Call,
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
    params(("id" = String, Path, description = "project id"), IfMatch),
    request_body = ProjectUpdate,
    responses(
        (status = 200, description = "success", body = ProjectJson, headers(("ETag" = String))),
        (status = 400, response = errors::Error),
        (status = 401, response = errors::Error),
        (status = 403, response = errors::Error),
        (status = 404, response = errors::Error),
        (status = 412, response = errors::Error)
    )
)]
pub async fn update_project(
    Call(s, caller): Call,
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
    params(IdempotencyKey),
    request_body = SecondmentForm,
    responses(
        (status = 201, description = "success", body = SecondmentJson),
        errors::Create
    )
)]
pub async fn create_secondment(
    Call(s, caller): Call,
    ApiJson(form): ApiJson<SecondmentForm>,
) -> ApiResult<Created<SecondmentJson>> {
    created(s.app.create_secondment(&caller, &form).await?)
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
    )
)]
pub async fn list_secondments(
    Call(s, caller): Call,
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
    )
)]
pub async fn annual_report(
    Call(s, caller): Call,
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
