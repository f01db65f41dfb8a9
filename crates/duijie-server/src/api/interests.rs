//! Expressions of interest (揭榜 / 对接意向): institutions propose, the demand's owner answers.

use super::errors;
use super::params::IdempotencyKey;
use super::Call;
use super::{created, Created};
use crate::error::ApiResult;
use crate::extract::ApiJson;
use crate::views::{InterestJson, Items};
use axum::extract::Path;
use axum::Json;
use duijie_app::InterestForm;
use serde::Deserialize;
use utoipa::ToSchema;

#[utoipa::path(
    post,
    path = "/api/v1/demands/{id}/interests",
    tag = "interests",
    summary = "Express interest in a published or in-docking demand (揭榜 / 对接意向)",
    description = "Who: institution (naming only its own experts and achievements).",
    params(("id" = String, Path, description = "demand id"), IdempotencyKey),
    request_body = InterestForm,
    responses(
        (status = 201, description = "success", body = InterestJson),
        errors::Write
    )
)]
pub async fn create(
    Call(s, caller): Call,
    Path(id): Path<String>,
    ApiJson(form): ApiJson<InterestForm>,
) -> ApiResult<Created<InterestJson>> {
    created(s.app.express_interest(&caller, &id, &form).await?)
}

#[utoipa::path(
    get,
    path = "/api/v1/demands/{id}/interests",
    tag = "interests",
    summary = "Expressions of interest in a demand",
    description = "Who: owner, bureau/admin (all); institution (its own).",
    params(("id" = String, Path, description = "demand id")),
    responses(
        (status = 200, description = "success", body = Items<InterestJson>),
        errors::RestrictedRecord
    )
)]
pub async fn list(
    Call(s, caller): Call,
    Path(id): Path<String>,
) -> ApiResult<Json<Items<InterestJson>>> {
    Ok(Json(Items::of(s.app.interests(&caller, &id).await?)))
}

#[utoipa::path(
    post,
    path = "/api/v1/interests/{id}/accept",
    tag = "interests",
    summary = "Accept an interest; a published demand goes into docking (several partners allowed)",
    description = "Who: the demand's owner.",
    params(("id" = String, Path, description = "interest id")),
    responses(
        (status = 200, description = "success", body = InterestJson),
        errors::Write
    )
)]
pub async fn accept(
    Call(s, caller): Call,
    Path(id): Path<String>,
) -> ApiResult<Json<InterestJson>> {
    Ok(Json(s.app.accept_interest(&caller, &id).await?.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = DeclineInput)]
#[serde(deny_unknown_fields)]
pub struct DeclineBody {
    #[schema(max_length = 2000)]
    reason: String,
}

#[utoipa::path(
    post,
    path = "/api/v1/interests/{id}/decline",
    tag = "interests",
    summary = "Decline an interest with a reason",
    description = "Who: the demand's owner.",
    params(("id" = String, Path, description = "interest id")),
    request_body = DeclineBody,
    responses(
        (status = 200, description = "success", body = InterestJson),
        errors::Write
    )
)]
pub async fn decline(
    Call(s, caller): Call,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<DeclineBody>,
) -> ApiResult<Json<InterestJson>> {
    Ok(Json(
        s.app
            .decline_interest(&caller, &id, &body.reason)
            .await?
            .into(),
    ))
}
