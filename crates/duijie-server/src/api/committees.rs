//! Expert committees (专家咨询委员会): proposed by the bureau, edited and confirmed.

use super::errors;
use super::params::IdempotencyKey;
use super::Call;
use super::{created, Created};
use crate::error::ApiResult;
use crate::extract::ApiJson;
use crate::precondition::{IfMatch, Tagged};
use crate::views::{CommitteeJson, Items};
use axum::extract::Path;
use axum::Json;
use duijie_app::{CommitteeForm, CommitteePatch};

#[utoipa::path(
    post,
    path = "/api/v1/committees",
    tag = "market",
    summary = "Propose an expert committee (专家咨询委员会) covering the field's sub-topics, at most two per institution",
    description = "Who: bureau/admin.",
    params(IdempotencyKey),
    request_body = CommitteeForm,
    responses(
        (status = 201, description = "success", body = CommitteeJson),
        errors::Write
    )
)]
pub async fn propose_committee(
    Call(s, caller): Call,
    ApiJson(form): ApiJson<CommitteeForm>,
) -> ApiResult<Created<CommitteeJson>> {
    created(s.app.propose_committee(&caller, &form).await?)
}

#[utoipa::path(
    get,
    path = "/api/v1/committees",
    tag = "market",
    summary = "Committees, newest first",
    description = "Who: bureau/admin.",
    responses(
        (status = 200, description = "success", body = Items<CommitteeJson>),
        errors::Restricted
    )
)]
pub async fn committees(Call(s, caller): Call) -> ApiResult<Json<Items<CommitteeJson>>> {
    Ok(Json(Items::of(s.app.committees(&caller).await?)))
}

#[utoipa::path(
    get,
    path = "/api/v1/committees/{id}",
    tag = "market",
    summary = "One committee with its members and why",
    description = "Who: bureau/admin.",
    params(("id" = String, Path, description = "committee id")),
    responses(
        (status = 200, description = "success", body = CommitteeJson, headers(("ETag" = String))),
        errors::RestrictedRecord
    )
)]
pub async fn committee(
    Call(s, caller): Call,
    Path(id): Path<String>,
) -> ApiResult<Tagged<CommitteeJson>> {
    let c = s.app.committee(&caller, &id).await?;
    Ok(Tagged(c.version, c.into()))
}

#[utoipa::path(
    patch,
    path = "/api/v1/committees/{id}",
    tag = "market",
    summary = "Rename, annotate, replace the members (at most two per institution) or confirm a committee",
    description = "Who: bureau/admin.",
    params(("id" = String, Path, description = "committee id"), IfMatch),
    request_body = CommitteePatch,
    responses(
        (status = 200, description = "success", body = CommitteeJson, headers(("ETag" = String))),
        errors::VersionedWrite
    )
)]
pub async fn update_committee(
    Call(s, caller): Call,
    Path(id): Path<String>,
    IfMatch(version): IfMatch,
    ApiJson(patch): ApiJson<CommitteePatch>,
) -> ApiResult<Tagged<CommitteeJson>> {
    let c = s
        .app
        .update_committee(&caller, &id, &patch, version)
        .await?;
    Ok(Tagged(c.version, c.into()))
}
