//! Demand endpoints: search, read, write, lifecycle, history, matches.

use super::errors;
use super::lists::{self, DemandList};
use super::params::IdempotencyKey;
use super::Call;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery};
use crate::precondition::{IfMatch, Tagged};
use crate::views::{Deleted, DemandEventJson, DemandJson, Items, PageJson, RankingJson};
use axum::extract::Path;
use axum::http::StatusCode;
use axum::Json;
use duijie_app::{DemandForm, ReviewDecision, SearchParams};
use duijie_core::{DemandStatus, DomainError};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

#[utoipa::path(
    get,
    path = "/api/v1/demands",
    tag = "demands",
    summary = "Search demands with facets and highlights",
    description = "Who: anyone (published); bureau (every status).",
    params(SearchParams),
    responses(
        (status = 200, description = "success", body = PageJson<DemandJson>),
        errors::ListQuery
    ),
    security((), ("bearerAuth" = []), ("session" = []))
)]
pub async fn search(
    Call(s, caller): Call,
    ApiQuery(p): ApiQuery<SearchParams>,
) -> ApiResult<Json<PageJson<DemandJson>>> {
    let page = s.app.search_demands(&caller, &p).await?;
    Ok(Json(PageJson::from_page(page)))
}

#[utoipa::path(
    get,
    path = "/api/v1/demands/{id}",
    tag = "demands",
    summary = "One demand",
    description = "Who: anyone (published); owner and bureau (any status).",
    params(("id" = String, Path, description = "demand id")),
    responses(
        (status = 200, description = "success", body = DemandJson, headers(("ETag" = String))),
        errors::RecordQuery
    ),
    security((), ("bearerAuth" = []), ("session" = []))
)]
pub async fn get(Call(s, caller): Call, Path(id): Path<String>) -> ApiResult<Tagged<DemandJson>> {
    let d = s.app.demand(&caller, &id).await?;
    Ok(Tagged(d.version, d.into()))
}

#[utoipa::path(
    post,
    path = "/api/v1/demands",
    tag = "demands",
    summary = "Create a demand (as a draft)",
    description = "Who: enterprise (for itself), bureau/admin (with `enterprise`).",
    params(IdempotencyKey),
    request_body = DemandForm,
    responses(
        (status = 201, description = "success", body = DemandJson, headers(("ETag" = String))),
        errors::Write
    )
)]
pub async fn create(
    Call(s, caller): Call,
    ApiJson(form): ApiJson<DemandForm>,
) -> ApiResult<(StatusCode, Tagged<DemandJson>)> {
    let d = s.app.create_demand(&caller, &form).await?;
    Ok((StatusCode::CREATED, Tagged(d.version, d.into())))
}

#[utoipa::path(
    patch,
    path = "/api/v1/demands/{id}",
    tag = "demands",
    summary = "Edit a demand (absent fields unchanged)",
    description = "Who: owner (draft, submitted, changes requested), bureau/admin.",
    params(("id" = String, Path, description = "demand id"), IfMatch),
    request_body = DemandForm,
    responses(
        (status = 200, description = "success", body = DemandJson, headers(("ETag" = String))),
        errors::VersionedWrite
    )
)]
pub async fn edit(
    Call(s, caller): Call,
    Path(id): Path<String>,
    IfMatch(version): IfMatch,
    ApiJson(form): ApiJson<DemandForm>,
) -> ApiResult<Tagged<DemandJson>> {
    let d = s.app.edit_demand(&caller, &id, &form, version).await?;
    Ok(Tagged(d.version, d.into()))
}

#[utoipa::path(
    post,
    path = "/api/v1/demands/{id}/submit",
    tag = "demands",
    summary = "Submit for review",
    description = "Who: owner.",
    params(("id" = String, Path, description = "demand id")),
    responses(
        (status = 200, description = "success", body = DemandJson),
        errors::Write
    )
)]
pub async fn submit(Call(s, caller): Call, Path(id): Path<String>) -> ApiResult<Json<DemandJson>> {
    Ok(Json(s.app.submit_demand(&caller, &id).await?.into()))
}

#[utoipa::path(
    delete,
    path = "/api/v1/demands/{id}",
    tag = "demands",
    summary = "Delete a draft nobody else has seen (never catalogued, no interest, no project)",
    description = "Who: owner.",
    params(("id" = String, Path, description = "demand id")),
    responses(
        (status = 200, description = "success", body = Deleted),
        errors::Write
    )
)]
pub async fn delete(Call(s, caller): Call, Path(id): Path<String>) -> ApiResult<Json<Deleted>> {
    s.app.delete_demand(&caller, &id).await?;
    Ok(Json(Deleted::of(id)))
}

#[utoipa::path(
    post,
    path = "/api/v1/demands/{id}/reopen",
    tag = "demands",
    summary = "Reopen a withdrawn demand as a draft",
    description = "Who: owner.",
    params(("id" = String, Path, description = "demand id")),
    responses(
        (status = 200, description = "success", body = DemandJson),
        errors::Write
    )
)]
pub async fn reopen(Call(s, caller): Call, Path(id): Path<String>) -> ApiResult<Json<DemandJson>> {
    Ok(Json(s.app.reopen_demand(&caller, &id).await?.into()))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteBody {
    #[serde(default)]
    note: String,
}

#[utoipa::path(
    post,
    path = "/api/v1/demands/{id}/withdraw",
    tag = "demands",
    summary = "Withdraw (optional body with a note)",
    description = "Who: owner.",
    params(("id" = String, Path, description = "demand id")),
    request_body = Option<NoteBody>,
    responses(
        (status = 200, description = "success", body = DemandJson),
        errors::Write
    )
)]
pub async fn withdraw(
    Call(s, caller): Call,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> ApiResult<Json<DemandJson>> {
    // The note is optional, and so is the body.
    let note = if body.iter().all(u8::is_ascii_whitespace) {
        String::new()
    } else {
        serde_json::from_slice::<NoteBody>(&body)
            .map_err(|e| DomainError::invalid("note", format!("请求体无法解析: {e}")))?
            .note
    };
    Ok(Json(
        s.app.withdraw_demand(&caller, &id, &note).await?.into(),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewBody {
    decision: ReviewDecision,
    #[serde(default)]
    note: String,
}

#[utoipa::path(
    post,
    path = "/api/v1/demands/{id}/review",
    tag = "demands",
    summary = "Approve, reject or send back a submitted demand",
    description = "Who: bureau/admin.",
    params(("id" = String, Path, description = "demand id"), IfMatch),
    request_body = ReviewBody,
    responses(
        (status = 200, description = "success", body = DemandJson, headers(("ETag" = String))),
        errors::VersionedWrite
    )
)]
pub async fn review(
    Call(s, caller): Call,
    Path(id): Path<String>,
    IfMatch(version): IfMatch,
    ApiJson(body): ApiJson<ReviewBody>,
) -> ApiResult<Tagged<DemandJson>> {
    let d = s
        .app
        .review_demand(&caller, &id, body.decision, &body.note, version)
        .await?;
    Ok(Tagged(d.version, d.into()))
}

#[utoipa::path(
    get,
    path = "/api/v1/demands/{id}/history",
    tag = "demands",
    summary = "Every status change with who, when and why",
    description = "Who: owner, bureau/admin.",
    params(("id" = String, Path, description = "demand id")),
    responses(
        (status = 200, description = "success", body = Items<DemandEventJson>),
        errors::RestrictedRecord
    )
)]
pub async fn history(
    Call(s, caller): Call,
    Path(id): Path<String>,
) -> ApiResult<Json<Items<DemandEventJson>>> {
    Ok(Json(Items::of(s.app.demand_history(&caller, &id).await?)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MatchParams {
    /// `institution` (default) or `expert`.
    kind: Option<String>,
    /// 1 to 50.
    limit: Option<usize>,
    /// 0 (words only) to 1 (meaning only); the service's setting when absent.
    semantic_ratio: Option<f32>,
}

#[utoipa::path(
    get,
    path = "/api/v1/demands/{id}/matches",
    tag = "matching",
    summary = "Rank research partners for a stored demand",
    description = "Who: whoever may see the demand.",
    params(("id" = String, Path, description = "demand id"), MatchParams),
    responses(
        (status = 200, description = "success", body = RankingJson),
        errors::RecordQuery
    ),
    security((), ("bearerAuth" = []), ("session" = []))
)]
pub async fn matches(
    Call(s, caller): Call,
    Path(id): Path<String>,
    ApiQuery(p): ApiQuery<MatchParams>,
) -> ApiResult<Json<RankingJson>> {
    let ranking = s
        .app
        .match_demand(&caller, &id, p.kind.as_deref(), p.limit, p.semantic_ratio)
        .await?;
    Ok(Json(ranking.into()))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MineParams {
    /// Demand status.
    status: Option<String>,
    /// 1-based page.
    page: Option<u32>,
    /// 1 to 100.
    per_page: Option<u32>,
}

/// The caller's own demands (enterprise) or every demand by status (bureau), from the store.
#[utoipa::path(
    get,
    path = "/api/v1/my/demands",
    tag = "demands",
    summary = "The caller's demands (enterprise) or all by status (bureau), from the database",
    description = "Who: enterprise, bureau/admin.",
    params(MineParams),
    responses(
        (status = 200, description = "success", body = DemandList),
        errors::RestrictedInput
    )
)]
pub async fn mine(
    Call(s, caller): Call,
    ApiQuery(p): ApiQuery<MineParams>,
) -> ApiResult<Json<DemandList>> {
    let statuses = match p.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(st) => Some(vec![DemandStatus::parse(st).ok_or_else(|| {
            DomainError::invalid("status", format!("未知状态“{st}”"))
        })?]),
        None => None,
    };
    let per_page = p
        .per_page
        .unwrap_or(20)
        .clamp(1, duijie_app::SEARCH_MAX_PER_PAGE);
    let (page, offset) = lists::window(p.page, per_page);
    let found = s
        .app
        .list_demands(&caller, statuses, offset, per_page)
        .await?;
    Ok(Json(DemandList(lists::paged(page, per_page, found))))
}
