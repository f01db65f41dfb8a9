//! Catalogue editions (build, publish, read, compare, export) and the review queue.

use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery, Auth};
use crate::views::{
    CatalogueDetailJson, CatalogueDiffJson, CatalogueJson, Deleted, Items, Paged, ReviewItemJson,
};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use duijie_app::{CatalogueForm, CatalogueItemsForm, ExportFormat};
use duijie_core::DomainError;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueueParams {
    page: Option<u32>,
    per_page: Option<u32>,
}

/// Submitted demands with completeness gaps and likely duplicates (bureau).
pub async fn review_queue(
    State(s): State<AppState>,
    Auth(caller): Auth,
    ApiQuery(p): ApiQuery<QueueParams>,
) -> ApiResult<Json<Paged<ReviewItemJson>>> {
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
    let page = p.page.unwrap_or(1).max(1);
    let (items, total) = s
        .app
        .review_queue(&caller, (page - 1).saturating_mul(per_page), per_page)
        .await?;
    Ok(Json(Paged {
        total,
        page,
        per_page,
        items: items.into_iter().map(Into::into).collect(),
    }))
}

pub async fn create(
    State(s): State<AppState>,
    Auth(caller): Auth,
    ApiJson(form): ApiJson<CatalogueForm>,
) -> ApiResult<(StatusCode, Json<CatalogueJson>)> {
    Ok((
        StatusCode::CREATED,
        Json(s.app.create_catalogue(&caller, &form).await?.into()),
    ))
}

pub async fn add_items(
    State(s): State<AppState>,
    Auth(caller): Auth,
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

pub async fn remove_item(
    State(s): State<AppState>,
    Auth(caller): Auth,
    Path((id, demand_id)): Path<(String, String)>,
) -> ApiResult<Json<CatalogueJson>> {
    Ok(Json(
        s.app
            .remove_catalogue_items(&caller, &id, &[demand_id])
            .await?
            .into(),
    ))
}

pub async fn delete(
    State(s): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Deleted>> {
    s.app.delete_catalogue(&caller, &id).await?;
    Ok(Json(Deleted::of(id)))
}

pub async fn publish(
    State(s): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<CatalogueJson>> {
    Ok(Json(s.app.publish_catalogue(&caller, &id).await?.into()))
}

pub async fn list(
    State(s): State<AppState>,
    Auth(caller): Auth,
) -> ApiResult<Json<Items<CatalogueJson>>> {
    Ok(Json(Items::of(s.app.catalogues(&caller).await?)))
}

pub async fn get(
    State(s): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<CatalogueDetailJson>> {
    let (edition, items) = s.app.catalogue(&caller, &id).await?;
    Ok(Json(CatalogueDetailJson {
        edition: edition.into(),
        items: items.into_iter().map(Into::into).collect(),
    }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiffParams {
    from: String,
}

pub async fn diff(
    State(s): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
    ApiQuery(p): ApiQuery<DiffParams>,
) -> ApiResult<Json<CatalogueDiffJson>> {
    Ok(Json(
        s.app.catalogue_diff(&caller, &id, &p.from).await?.into(),
    ))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportParams {
    format: String,
    #[serde(default)]
    full: bool,
}

pub async fn export(
    State(s): State<AppState>,
    Auth(caller): Auth,
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
