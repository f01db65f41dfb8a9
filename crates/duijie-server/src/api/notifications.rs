//! Notifications (通知): the caller's inbox, marking read, the delivery choice per kind, and
//! (bureau) the e-mail outbox with its failures.

use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery, Auth};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use duijie_app::notifications::prefs_map;
use duijie_app::{NotificationPage, OutboxOverview};
use duijie_core::{Delivery, NotificationKind};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::HashMap;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InboxQuery {
    #[serde(default)]
    unread: Option<bool>,
    #[serde(default)]
    page: Option<u32>,
}

#[derive(Debug, Serialize)]
struct NotificationJson {
    id: String,
    kind: NotificationKind,
    kind_label: &'static str,
    title: String,
    body: String,
    link: String,
    read: bool,
    created_at: chrono::DateTime<chrono::Utc>,
}

fn page_json(p: NotificationPage) -> Value {
    let items: Vec<NotificationJson> = p
        .items
        .into_iter()
        .map(|n| NotificationJson {
            kind_label: n.kind.label(),
            read: n.read_at.is_some(),
            id: n.id,
            kind: n.kind,
            title: n.title,
            body: n.body,
            link: n.link,
            created_at: n.created_at,
        })
        .collect();
    json!({"items": items, "total": p.total, "unread": p.unread, "page": p.page, "per_page": p.per_page})
}

pub async fn list(
    State(s): State<AppState>,
    Auth(caller): Auth,
    ApiQuery(q): ApiQuery<InboxQuery>,
) -> ApiResult<Json<Value>> {
    let page = s
        .app
        .notifications(&caller, q.unread.unwrap_or(false), q.page)
        .await?;
    Ok(Json(page_json(page)))
}

pub async fn read(
    State(s): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    s.app.mark_notification_read(&caller, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn read_all(State(s): State<AppState>, Auth(caller): Auth) -> ApiResult<Json<Value>> {
    let marked = s.app.mark_all_notifications_read(&caller).await?;
    Ok(Json(json!({ "marked": marked })))
}

fn prefs_json(prefs: &[(NotificationKind, Delivery)]) -> Value {
    json!({ "settings": prefs_map(prefs) })
}

pub async fn settings(State(s): State<AppState>, Auth(caller): Auth) -> ApiResult<Json<Value>> {
    Ok(Json(prefs_json(&s.app.notification_prefs(&caller).await?)))
}

pub async fn set_settings(
    State(s): State<AppState>,
    Auth(caller): Auth,
    ApiJson(body): ApiJson<HashMap<String, String>>,
) -> ApiResult<Json<Value>> {
    Ok(Json(prefs_json(
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
) -> ApiResult<Json<OutboxOverview>> {
    Ok(Json(
        s.app
            .mail_outbox(&caller, q.failed.unwrap_or(false))
            .await?,
    ))
}
