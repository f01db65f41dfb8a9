//! Notifications (通知): the caller's inbox, marking read, the delivery choice per kind, and
//! (bureau) the e-mail outbox with its failures.

use super::errors;
use super::Call;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery};
use crate::views::{MarkedJson, NotificationPageJson, OutboxJson, SettingsJson};
use axum::extract::Path;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use std::collections::HashMap;
use utoipa::IntoParams;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct InboxQuery {
    #[serde(default)]
    /// `true`: unread ones only.
    unread: Option<bool>,
    #[serde(default)]
    /// 1-based page of 30.
    page: Option<u32>,
}

#[utoipa::path(
    get,
    path = "/api/v1/notifications",
    tag = "notifications",
    summary = "The caller's notifications (通知), newest first, with the unread count",
    description = "Who: any signed-in account (its own).",
    params(InboxQuery),
    responses(
        (status = 200, description = "success", body = NotificationPageJson),
        errors::ListQuery
    )
)]
pub async fn list(
    Call(s, caller): Call,
    ApiQuery(q): ApiQuery<InboxQuery>,
) -> ApiResult<Json<NotificationPageJson>> {
    let page = s
        .app
        .notifications(&caller, q.unread.unwrap_or(false), q.page)
        .await?;
    Ok(Json(page.into()))
}

#[utoipa::path(
    post,
    path = "/api/v1/notifications/{id}/read",
    tag = "notifications",
    summary = "Mark one of the caller's notifications read",
    description = "Who: any signed-in account (its own; others' are 404).",
    params(("id" = String, Path, description = "notification id")),
    responses(
        (status = 204, description = "done"),
        errors::CallerRecord
    )
)]
pub async fn read(Call(s, caller): Call, Path(id): Path<String>) -> ApiResult<StatusCode> {
    s.app.mark_notification_read(&caller, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    post,
    path = "/api/v1/notifications/read-all",
    tag = "notifications",
    summary = "Mark every notification of the caller read",
    description = "Who: any signed-in account.",
    responses(
        (status = 200, description = "success", body = MarkedJson),
        errors::Credentials
    )
)]
pub async fn read_all(Call(s, caller): Call) -> ApiResult<Json<MarkedJson>> {
    let marked = s.app.mark_all_notifications_read(&caller).await?;
    Ok(Json(MarkedJson { marked }))
}

#[utoipa::path(
    get,
    path = "/api/v1/notifications/settings",
    tag = "notifications",
    summary = "How the caller hears of each kind: immediate (an e-mail at once), digest (one e-mail a day) or off (inbox only)",
    description = "Who: any signed-in account.",
    responses(
        (status = 200, description = "success", body = SettingsJson),
        errors::Credentials
    )
)]
pub async fn settings(Call(s, caller): Call) -> ApiResult<Json<SettingsJson>> {
    Ok(Json(SettingsJson::of(
        &s.app.notification_prefs(&caller).await?,
    )))
}

#[utoipa::path(
    put,
    path = "/api/v1/notifications/settings",
    tag = "notifications",
    summary = "Set the delivery of some kinds (`{kind: immediate|digest|off}`); kinds not given keep theirs; every wrong entry is named in error.fields",
    description = "Who: any signed-in account.",
    request_body = HashMap<String, String>,
    responses(
        (status = 200, description = "success", body = SettingsJson),
        errors::ListQuery
    )
)]
pub async fn set_settings(
    Call(s, caller): Call,
    ApiJson(body): ApiJson<HashMap<String, String>>,
) -> ApiResult<Json<SettingsJson>> {
    Ok(Json(SettingsJson::of(
        &s.app.set_notification_prefs(&caller, &body).await?,
    )))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct OutboxQuery {
    #[serde(default)]
    /// `true`: failed mails only.
    failed: Option<bool>,
}

#[utoipa::path(
    get,
    path = "/api/v1/notifications/outbox",
    tag = "notifications",
    summary = "The e-mail outbox: counts per status and the latest rows (account, subject, attempts, last error; never an address or a body)",
    description = "Who: bureau/admin.",
    params(OutboxQuery),
    responses(
        (status = 200, description = "success", body = OutboxJson),
        errors::RestrictedInput
    )
)]
pub async fn outbox(
    Call(s, caller): Call,
    ApiQuery(q): ApiQuery<OutboxQuery>,
) -> ApiResult<Json<OutboxJson>> {
    Ok(Json(
        s.app
            .mail_outbox(&caller, q.failed.unwrap_or(false))
            .await?
            .into(),
    ))
}
