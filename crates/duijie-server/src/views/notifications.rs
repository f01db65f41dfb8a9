//! Notifications (通知): the inbox, the delivery settings and the e-mail outbox.

use chrono::{DateTime, Utc};
use duijie_app::openapi;
use duijie_core::{Delivery, NotificationKind};
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// One notification of the caller's inbox.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Notification)]
pub struct NotificationJson {
    pub id: String,
    #[schema(schema_with = openapi::notification_kind)]
    pub kind: &'static str,
    pub kind_label: &'static str,
    pub title: String,
    pub body: String,
    /// Path of the page it is about, e.g. `/demands/{id}`.
    pub link: String,
    pub read: bool,
    pub created_at: DateTime<Utc>,
}

impl From<duijie_app::Notification> for NotificationJson {
    fn from(n: duijie_app::Notification) -> Self {
        NotificationJson {
            kind: n.kind.as_str(),
            kind_label: n.kind.label(),
            read: n.read_at.is_some(),
            id: n.id,
            title: n.title,
            body: n.body,
            link: n.link,
            created_at: n.created_at,
        }
    }
}

/// A page of the inbox with the unread count.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = NotificationPage)]
pub struct NotificationPageJson {
    pub items: Vec<NotificationJson>,
    pub total: i64,
    pub unread: i64,
    pub page: u32,
    pub per_page: u32,
}

impl From<duijie_app::NotificationPage> for NotificationPageJson {
    fn from(p: duijie_app::NotificationPage) -> Self {
        NotificationPageJson {
            items: p.items.into_iter().map(Into::into).collect(),
            total: p.total,
            unread: p.unread,
            page: p.page,
            per_page: p.per_page,
        }
    }
}

/// How many notifications were marked read.
#[derive(Debug, Serialize, ToSchema)]
pub struct MarkedJson {
    pub marked: u64,
}

/// Every kind with its delivery (`immediate`, `digest` or `off`).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = NotificationSettings)]
pub struct SettingsJson {
    #[schema(schema_with = openapi::delivery_settings)]
    pub settings: BTreeMap<&'static str, &'static str>,
}

impl SettingsJson {
    pub fn of(prefs: &[(NotificationKind, Delivery)]) -> Self {
        SettingsJson {
            settings: duijie_app::notifications::prefs_map(prefs),
        }
    }
}

/// Where an outbox row stands. On the wire as the variant's name (`Pending`, `Sent`,
/// `Failed`), unlike every other status of the API.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub enum OutboxStatusJson {
    Pending,
    Sent,
    Failed,
}

/// An outbox row: no address, no body.
#[derive(Debug, Serialize, ToSchema)]
pub struct OutboxEntryJson {
    pub id: String,
    pub user_name: String,
    pub subject: String,
    pub status: OutboxStatusJson,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub next_attempt_at: DateTime<Utc>,
}

impl From<duijie_app::OutboxEntry> for OutboxEntryJson {
    fn from(e: duijie_app::OutboxEntry) -> Self {
        use duijie_app::OutboxStatus as S;
        OutboxEntryJson {
            id: e.id,
            user_name: e.user_name,
            subject: e.subject,
            status: match e.status {
                S::Pending => OutboxStatusJson::Pending,
                S::Sent => OutboxStatusJson::Sent,
                S::Failed => OutboxStatusJson::Failed,
            },
            attempts: e.attempts,
            last_error: e.last_error,
            created_at: e.created_at,
            next_attempt_at: e.next_attempt_at,
        }
    }
}

/// The e-mail outbox: the latest rows and counts per status.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Outbox)]
pub struct OutboxJson {
    pub items: Vec<OutboxEntryJson>,
    pub pending: i64,
    pub sent: i64,
    pub failed: i64,
}

impl From<duijie_app::OutboxOverview> for OutboxJson {
    fn from(o: duijie_app::OutboxOverview) -> Self {
        OutboxJson {
            items: o.items.into_iter().map(Into::into).collect(),
            pending: o.pending,
            sent: o.sent,
            failed: o.failed,
        }
    }
}
