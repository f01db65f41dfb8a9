//! Shared research instruments (科研仪器共享): list one, search them, read one. An institution
//! edits and deletes its own in its workspace (`workspace.rs`).

use super::errors;
use super::params::IdempotencyKey;
use super::Call;
use super::{created, Created};
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery};
use crate::precondition::Tagged;
use crate::views::{InstrumentJson, PageJson};
use crate::AppState;
use axum::extract::{Path, State};
use axum::Json;
use duijie_app::{InstrumentForm, SearchParams};

#[utoipa::path(
    post,
    path = "/api/v1/instruments",
    tag = "market",
    summary = "List a shared research instrument (科研仪器共享)",
    description = "Who: institution (its own), bureau/admin (with `organization`).",
    params(IdempotencyKey),
    request_body = InstrumentForm,
    responses(
        (status = 201, description = "success", body = InstrumentJson),
        errors::Create
    )
)]
pub async fn create_instrument(
    Call(s, caller): Call,
    ApiJson(form): ApiJson<InstrumentForm>,
) -> ApiResult<Created<InstrumentJson>> {
    created(s.app.create_instrument(&caller, &form).await?)
}

#[utoipa::path(
    get,
    path = "/api/v1/instruments",
    tag = "market",
    summary = "Search shared instruments with facets and highlights",
    description = "Who: anyone.",
    params(SearchParams),
    responses(
        (status = 200, description = "success", body = PageJson<InstrumentJson>),
        errors::PublicQuery
    ),
    security(())
)]
pub async fn search_instruments(
    State(s): State<AppState>,
    ApiQuery(p): ApiQuery<SearchParams>,
) -> ApiResult<Json<PageJson<InstrumentJson>>> {
    Ok(Json(PageJson::from_page(
        s.app.search_instruments(&p).await?,
    )))
}

#[utoipa::path(
    get,
    path = "/api/v1/instruments/{id}",
    tag = "market",
    summary = "One instrument",
    description = "Who: anyone.",
    params(("id" = String, Path, description = "instrument id")),
    responses(
        (status = 200, description = "success", body = InstrumentJson, headers(("ETag" = String))),
        errors::PublicRecord
    ),
    security(())
)]
pub async fn instrument(
    State(s): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Tagged<InstrumentJson>> {
    let i = s.app.instrument(&id).await?;
    Ok(Tagged(i.version, i.into()))
}
