//! Shared research instruments (科研仪器共享): list one, search them, read one. An institution
//! edits and deletes its own in its workspace (`workspace.rs`).

use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery, Auth};
use crate::precondition::Tagged;
use crate::views::{InstrumentJson, PageJson};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use duijie_app::{InstrumentForm, SearchParams};

pub async fn create_instrument(
    State(s): State<AppState>,
    Auth(caller): Auth,
    ApiJson(form): ApiJson<InstrumentForm>,
) -> ApiResult<(StatusCode, Json<InstrumentJson>)> {
    let i = s.app.create_instrument(&caller, &form).await?;
    Ok((StatusCode::CREATED, Json(i.into())))
}

pub async fn search_instruments(
    State(s): State<AppState>,
    ApiQuery(p): ApiQuery<SearchParams>,
) -> ApiResult<Json<PageJson<InstrumentJson>>> {
    Ok(Json(PageJson::from_page(
        s.app.search_instruments(&p).await?,
    )))
}

pub async fn instrument(
    State(s): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Tagged<InstrumentJson>> {
    let i = s.app.instrument(&id).await?;
    Ok(Tagged(i.version, i.into()))
}
