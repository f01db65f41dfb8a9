//! Notifications (通知): the caller's inbox, marking read, the delivery choice per kind, and
//! (bureau) the e-mail outbox with its failures.

use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery, Auth};
use crate::views::{MarkedJson, NotificationPageJson, OutboxJson, SettingsJson};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use std::collections::HashMap;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InboxQuery {
    #[serde(default)]
    unread: Option<bool>,
    #[serde(default)]
    page: Option<u32>,
}

pub async fn list(
    State(s): State<AppState>,
    Auth(caller): Auth,
    ApiQuery(q): ApiQuery<InboxQuery>,
) -> ApiResult<Json<NotificationPageJson>> {
    let page = s
        .app
        .notifications(&caller, q.unread.unwrap_or(false), q.page)
        .await?;
    Ok(Json(page.into()))
}

pub async fn read(
    State(s): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    s.app.mark_notification_read(&caller, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn read_all(
    State(s): State<AppState>,
    Auth(caller): Auth,
) -> ApiResult<Json<MarkedJson>> {
    let marked = s.app.mark_all_notifications_read(&caller).await?;
    Ok(Json(MarkedJson { marked }))
}

pub async fn settings(
    State(s): State<AppState>,
    Auth(caller): Auth,
) -> ApiResult<Json<SettingsJson>> {
    Ok(Json(SettingsJson::of(
        &s.app.notification_prefs(&caller).await?,
    )))
}

pub async fn set_settings(
    State(s): State<AppState>,
    Auth(caller): Auth,
    ApiJson(body): ApiJson<HashMap<String, String>>,
) -> ApiResult<Json<SettingsJson>> {
    Ok(Json(SettingsJson::of(
        &s.app.set_notification_prefs(&caller, &body).await?,
    )))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutboxQuery {
    #[serde(default)]
    failed: Option<bool>,
}

pub async fn outbox(
    State(s): State<AppState>,
    Auth(caller): Auth,
    ApiQuery(q): ApiQuery<OutboxQuery>,
) -> ApiResult<Json<OutboxJson>> {
    Ok(Json(
        s.app
            .mail_outbox(&caller, q.failed.unwrap_or(false))
            .await?
            .into(),
    ))
}
