//! Catalogue editions (build, publish, read, compare, export) and the review queue.

use super::errors;
use super::lists::{self, ReviewQueue};
use super::params::IdempotencyKey;
use super::Call;
use super::{created, Created};
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery};
use crate::views::{CatalogueDetailJson, CatalogueDiffJson, CatalogueJson, Deleted, Items};
use axum::extract::Path;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use duijie_app::{CatalogueForm, CatalogueItemsForm, ExportFormat};
use duijie_core::DomainError;
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct QueueParams {
    /// 1-based page.
    page: Option<u32>,
    /// 1 to 100.
    per_page: Option<u32>,
}

/// Submitted demands with completeness gaps and likely duplicates (bureau).
#[utoipa::path(
    get,
    path = "/api/v1/review-queue",
    tag = "curation",
    summary = "Submitted demands with completeness gaps and likely duplicates",
    description = "Who: bureau/admin.",
    params(QueueParams),
    responses(
        (status = 200, description = "success", body = ReviewQueue),
        errors::RestrictedInput
    )
)]
pub async fn review_queue(
    Call(s, caller): Call,
    ApiQuery(p): ApiQuery<QueueParams>,
) -> ApiResult<Json<ReviewQueue>> {
    let per_page = p.per_page.unwrap_or(20);
    if per_page == 0 || per_page > duijie_app::SEARCH_MAX_PER_PAGE {
        return Err(DomainError::invalid(
            "per_page",
            format!(
                "per_page 须在 1 到 {} 之间",
                duijie_app::SEARCH_MAX_PER_PAGE
            ),
        )
        .into());
    }
    let (page, offset) = lists::window(p.page, per_page);
    let found = s.app.review_queue(&caller, offset, per_page).await?;
    Ok(Json(ReviewQueue(lists::paged(page, per_page, found))))
}

#[utoipa::path(
    post,
    path = "/api/v1/catalogues",
    tag = "catalogues",
    summary = "Start a draft catalogue edition",
    description = "Who: bureau/admin.",
    params(IdempotencyKey),
    request_body = CatalogueForm,
    responses(
        (status = 201, description = "success", body = CatalogueJson),
        errors::Write
    )
)]
pub async fn create(
    Call(s, caller): Call,
    ApiJson(form): ApiJson<CatalogueForm>,
) -> ApiResult<Created<CatalogueJson>> {
    created(s.app.create_catalogue(&caller, &form).await?)
}

#[utoipa::path(
    post,
    path = "/api/v1/catalogues/{id}/items",
    tag = "catalogues",
    summary = "Add approved or published demands to a draft edition",
    description = "Who: bureau/admin.",
    params(("id" = String, Path, description = "catalogue id")),
    request_body = CatalogueItemsForm,
    responses(
        (status = 200, description = "success", body = CatalogueJson),
        errors::Write
    )
)]
pub async fn add_items(
    Call(s, caller): Call,
    Path(id): Path<String>,
    ApiJson(form): ApiJson<CatalogueItemsForm>,
) -> ApiResult<Json<CatalogueJson>> {
    Ok(Json(
        s.app
            .add_catalogue_items(&caller, &id, &form.demand_ids)
            .await?
            .into(),
    ))
}

#[utoipa::path(
    delete,
    path = "/api/v1/catalogues/{id}/items/{demand_id}",
    tag = "catalogues",
    summary = "Take a demand out of a draft edition (one withdrawn since it was listed, say)",
    description = "Who: bureau/admin.",
    params(
        ("id" = String, Path, description = "catalogue id"),
        ("demand_id" = String, Path, description = "demand id")
    ),
    responses(
        (status = 200, description = "success", body = CatalogueJson),
        errors::Write
    )
)]
pub async fn remove_item(
    Call(s, caller): Call,
    Path((id, demand_id)): Path<(String, String)>,
) -> ApiResult<Json<CatalogueJson>> {
    Ok(Json(
        s.app
            .remove_catalogue_items(&caller, &id, &[demand_id])
            .await?
            .into(),
    ))
}

#[utoipa::path(
    delete,
    path = "/api/v1/catalogues/{id}",
    tag = "catalogues",
    summary = "Delete a draft edition (its demands are untouched); published editions stay",
    description = "Who: bureau/admin.",
    params(("id" = String, Path, description = "catalogue id")),
    responses(
        (status = 200, description = "success", body = Deleted),
        errors::Write
    )
)]
pub async fn delete(Call(s, caller): Call, Path(id): Path<String>) -> ApiResult<Json<Deleted>> {
    s.app.delete_catalogue(&caller, &id).await?;
    Ok(Json(Deleted::of(id)))
}

#[utoipa::path(
    post,
    path = "/api/v1/catalogues/{id}/publish",
    tag = "catalogues",
    summary = "Publish a draft edition: its demands become published and its items are frozen",
    description = "Who: bureau/admin.",
    params(("id" = String, Path, description = "catalogue id")),
    responses(
        (status = 200, description = "success", body = CatalogueJson),
        errors::Write
    )
)]
pub async fn publish(
    Call(s, caller): Call,
    Path(id): Path<String>,
) -> ApiResult<Json<CatalogueJson>> {
    Ok(Json(s.app.publish_catalogue(&caller, &id).await?.into()))
}

#[utoipa::path(
    get,
    path = "/api/v1/catalogues",
    tag = "catalogues",
    summary = "Catalogue editions, newest first",
    description = "Who: anyone (published); bureau/admin (drafts too).",
    responses(
        (status = 200, description = "success", body = Items<CatalogueJson>),
        errors::Credentials
    ),
    security((), ("bearerAuth" = []), ("session" = []))
)]
pub async fn list(Call(s, caller): Call) -> ApiResult<Json<Items<CatalogueJson>>> {
    Ok(Json(Items::of(s.app.catalogues(&caller).await?)))
}

#[utoipa::path(
    get,
    path = "/api/v1/catalogues/{id}",
    tag = "catalogues",
    summary = "An edition with its items (frozen once published)",
    description = "Who: anyone (published); bureau/admin (drafts).",
    params(("id" = String, Path, description = "catalogue id")),
    responses(
        (status = 200, description = "success", body = CatalogueDetailJson),
        errors::RecordQuery
    ),
    security((), ("bearerAuth" = []), ("session" = []))
)]
pub async fn get(
    Call(s, caller): Call,
    Path(id): Path<String>,
) -> ApiResult<Json<CatalogueDetailJson>> {
    let (edition, items) = s.app.catalogue(&caller, &id).await?;
    Ok(Json(CatalogueDetailJson {
        edition: edition.into(),
        items: items.into_iter().map(Into::into).collect(),
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DiffParams {
    /// The earlier edition's id.
    from: String,
}

#[utoipa::path(
    get,
    path = "/api/v1/catalogues/{id}/diff",
    tag = "catalogues",
    summary = "New, changed and removed demands since an earlier edition",
    description = "Who: anyone (published editions).",
    params(("id" = String, Path, description = "catalogue id"), DiffParams),
    responses(
        (status = 200, description = "success", body = CatalogueDiffJson),
        errors::RecordQuery
    ),
    security((), ("bearerAuth" = []), ("session" = []))
)]
pub async fn diff(
    Call(s, caller): Call,
    Path(id): Path<String>,
    ApiQuery(p): ApiQuery<DiffParams>,
) -> ApiResult<Json<CatalogueDiffJson>> {
    Ok(Json(
        s.app.catalogue_diff(&caller, &id, &p.from).await?.into(),
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ExportParams {
    /// `xlsx`, `csv`, `json` or `html`.
    format: String,
    #[serde(default)]
    /// Include contact columns (bureau/admin only).
    full: bool,
}

#[utoipa::path(
    get,
    path = "/api/v1/catalogues/{id}/export",
    tag = "catalogues",
    summary = "Export an edition as xlsx, csv (UTF-8 with BOM), json or printable html",
    description = "Who: anyone (published; no contact details); bureau/admin with full=true (contact columns).",
    params(("id" = String, Path, description = "catalogue id"), ExportParams),
    responses(
        (status = 200, description = "the file", content_type = "application/octet-stream", body = Vec<u8>),
        (status = 400, response = errors::Error),
        (status = 401, response = errors::Error),
        (status = 403, response = errors::Error),
        (status = 404, response = errors::Error)
    ),
    security((), ("bearerAuth" = []), ("session" = []))
)]
pub async fn export(
    Call(s, caller): Call,
    Path(id): Path<String>,
    ApiQuery(p): ApiQuery<ExportParams>,
) -> ApiResult<Response> {
    let format = ExportFormat::parse(&p.format)?;
    let out = s.app.export_catalogue(&caller, &id, format, p.full).await?;
    let version = if p.full { "-contacts" } else { "" };
    let fallback = format!("catalogue-{}{version}.{}", ascii_safe(&id), format.as_str());
    let disposition = format!(
        "attachment; filename=\"{fallback}\"; filename*=UTF-8''{}",
        percent_encode(&out.file_name)
    );
    let mut resp = out.bytes.into_response();
    let headers = resp.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(out.content_type),
    );
    // Both values are ASCII by construction.
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(resp)
}

fn ascii_safe(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// RFC 5987 `value-chars`: attr-chars kept, every other byte of the UTF-8 form as `%XX`.
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_encoded_for_content_disposition() {
        assert_eq!(percent_encode("目录 1.csv"), "%E7%9B%AE%E5%BD%95%201.csv");
        assert_eq!(ascii_safe("cat_01a\"x"), "cat_01a_x");
    }
}
