//! The bureau's ledger (台账): cooperation projects, secondments, and the annual report.

use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery, Auth};
use crate::precondition::{IfMatch, Tagged};
use crate::views::{Items, ProjectJson, SecondmentJson};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use duijie_app::{ProjectForm, ProjectQuery, ProjectUpdate, ReportFormat, SecondmentForm};
use serde::Deserialize;

pub async fn create_project(
    State(s): State<AppState>,
    Auth(caller): Auth,
    ApiJson(form): ApiJson<ProjectForm>,
) -> ApiResult<(StatusCode, Json<ProjectJson>)> {
    let p = s.app.create_project(&caller, &form).await?;
    Ok((StatusCode::CREATED, Json(p.into())))
}

pub async fn list_projects(
    State(s): State<AppState>,
    Auth(caller): Auth,
    ApiQuery(q): ApiQuery<ProjectQuery>,
) -> ApiResult<Json<Items<ProjectJson>>> {
    Ok(Json(Items::of(s.app.projects(&caller, &q).await?)))
}

pub async fn get_project(
    State(s): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
) -> ApiResult<Tagged<ProjectJson>> {
    let p = s.app.project(&caller, &id).await?;
    Ok(Tagged(p.version, p.into()))
}

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

pub async fn create_secondment(
    State(s): State<AppState>,
    Auth(caller): Auth,
    ApiJson(form): ApiJson<SecondmentForm>,
) -> ApiResult<(StatusCode, Json<SecondmentJson>)> {
    let sec = s.app.create_secondment(&caller, &form).await?;
    Ok((StatusCode::CREATED, Json(sec.into())))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct YearQuery {
    year: Option<String>,
}

pub async fn list_secondments(
    State(s): State<AppState>,
    Auth(caller): Auth,
    ApiQuery(q): ApiQuery<YearQuery>,
) -> ApiResult<Json<Items<SecondmentJson>>> {
    Ok(Json(Items::of(
        s.app.secondments(&caller, q.year.as_deref()).await?,
    )))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportQuery {
    year: Option<String>,
    format: Option<String>,
}

/// The annual report as JSON (default), an xlsx download, or a printable HTML page.
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
