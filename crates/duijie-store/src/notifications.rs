//! Notifications (通知) in SQL: the inbox, each account's delivery choices, and the e-mail
//! outbox. [`write_notices`] runs inside the transaction of the event that causes the notices
//! (a 揭榜, a review, a publication), so the event, its inbox rows and its e-mails commit
//! together or not at all. Outbox rows are claimed with a lease by a conditional UPDATE, so two
//! workers (two replicas on PostgreSQL) never hold the same row at once.

use crate::rows::{self, millis, to_json};
use crate::{Result, SqlStore, StoreError};
use chrono::{DateTime, Utc};
use duijie_core::id::new_id;
use duijie_core::{Delivery, NotificationKind, Role};
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use std::collections::HashMap;

/// Whose accounts a notice goes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audience {
    /// The active accounts of an organisation.
    Org(String),
    /// The active bureau and administrator accounts.
    Bureau,
}

/// A notice to write for every account of its audience.
#[derive(Debug, Clone)]
pub struct NewNotice {
    pub kind: NotificationKind,
    pub audience: Audience,
    pub title: String,
    pub body: String,
    /// A path of the site (`/demands/...`).
    pub link: String,
    /// Written at most once per account with this key; `None` always writes.
    pub key: Option<String>,
}

/// One notification in an account's inbox.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Notification {
    pub id: String,
    pub kind: NotificationKind,
    pub title: String,
    pub body: String,
    pub link: String,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

/// One entry of a mail: a single notification's, or one line of a digest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MailItem {
    pub title: String,
    pub body: String,
    pub link: String,
}

/// A claimed outbox row, to send.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxMail {
    pub id: String,
    pub to_addr: String,
    pub subject: String,
    pub items: Vec<MailItem>,
    /// Attempts before this one.
    pub attempts: i64,
}

/// Where an outbox row stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum OutboxStatus {
    Pending,
    Sent,
    Failed,
}

impl OutboxStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            OutboxStatus::Pending => "pending",
            OutboxStatus::Sent => "sent",
            OutboxStatus::Failed => "failed",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            OutboxStatus::Pending => "待发送",
            OutboxStatus::Sent => "已发送",
            OutboxStatus::Failed => "发送失败",
        }
    }

    fn parse(s: &str) -> Option<OutboxStatus> {
        [
            OutboxStatus::Pending,
            OutboxStatus::Sent,
            OutboxStatus::Failed,
        ]
        .into_iter()
        .find(|o| o.as_str() == s)
    }
}

/// An outbox row as the bureau's overview shows it: no address, no body.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutboxEntry {
    pub id: String,
    pub user_name: String,
    pub subject: String,
    pub status: OutboxStatus,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub next_attempt_at: DateTime<Utc>,
}

fn notification(row: &AnyRow) -> Result<Notification> {
    let id: String = row.try_get("id")?;
    let kind: String = row.try_get("kind")?;
    let read_at: Option<i64> = row.try_get("read_at")?;
    Ok(Notification {
        kind: NotificationKind::parse(&kind)
            .ok_or_else(|| StoreError::Corrupt(id.clone(), format!("notification kind {kind}")))?,
        title: row.try_get("title")?,
        body: row.try_get("body")?,
        link: row.try_get("link")?,
        created_at: rows::time(row.try_get("created_at")?),
        read_at: read_at.map(rows::time),
        id,
    })
}

/// Writes `notices` for their audiences' active accounts on `conn` (inside the caller's
/// transaction): an inbox row each, and per the account's choice for the kind an outbox row
/// (immediate, when the account has an e-mail address) or a mark for the daily digest. A
/// notice of a kind in `webhook` is queued once for the bureau's group chat as well (its
/// title and link only), keyed like its inbox rows.
pub(crate) async fn write_notices(
    conn: &mut AnyConnection,
    notices: &[NewNotice],
    now: i64,
    webhook: &[NotificationKind],
) -> Result<u64> {
    let mut written = 0;
    for n in notices {
        if webhook.contains(&n.kind) {
            let audience = match &n.audience {
                Audience::Org(org) => org.as_str(),
                Audience::Bureau => "bureau",
            };
            let key = match &n.key {
                Some(k) => format!("{}:{audience}:{k}", n.kind.as_str()),
                None => new_id("hookkey"),
            };
            crate::jobs::insert_webhook(conn, &key, n.kind, &n.title, &n.link, now).await?;
        }
        let recipients =
            match &n.audience {
                Audience::Org(org) => {
                    sqlx::query(
                        "SELECT id, email FROM users WHERE org_id = $1 AND revoked_at IS NULL \
                     ORDER BY id",
                    )
                    .bind(org.clone())
                    .fetch_all(&mut *conn)
                    .await?
                }
                Audience::Bureau => sqlx::query(
                    "SELECT id, email FROM users WHERE role IN ($1, $2) AND revoked_at IS NULL \
                     ORDER BY id",
                )
                .bind(Role::Bureau.as_str())
                .bind(Role::Admin.as_str())
                .fetch_all(&mut *conn)
                .await?,
            };
        for r in recipients {
            let user_id: String = r.try_get("id")?;
            let email: Option<String> = r.try_get("email")?;
            let delivery = sqlx::query(
                "SELECT delivery FROM notification_prefs WHERE user_id = $1 AND kind = $2",
            )
            .bind(user_id.clone())
            .bind(n.kind.as_str())
            .fetch_optional(&mut *conn)
            .await?
            .map(|row| row.try_get::<String, _>("delivery"))
            .transpose()?
            .and_then(|d| Delivery::parse(&d))
            .unwrap_or_default();
            let email = email.filter(|e| !e.trim().is_empty());
            let id = new_id("ntf");
            let inserted = sqlx::query(
                "INSERT INTO notifications (id, user_id, kind, title, body, link, dedupe_key, \
                 digest_pending, created_at, read_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL) \
                 ON CONFLICT (user_id, dedupe_key) DO NOTHING",
            )
            .bind(id.clone())
            .bind(user_id.clone())
            .bind(n.kind.as_str())
            .bind(n.title.clone())
            .bind(n.body.clone())
            .bind(n.link.clone())
            .bind(n.key.clone())
            .bind(i64::from(delivery == Delivery::Digest && email.is_some()))
            .bind(now)
            .execute(&mut *conn)
            .await?
            .rows_affected();
            if inserted == 0 {
                continue;
            }
            written += 1;
            if let (Delivery::Immediate, Some(to)) = (delivery, email) {
                let item = MailItem {
                    title: n.title.clone(),
                    body: n.body.clone(),
                    link: n.link.clone(),
                };
                insert_mail(
                    conn,
                    &format!("n:{id}"),
                    &user_id,
                    &to,
                    &n.title,
                    &[item],
                    now,
                )
                .await?;
            }
        }
    }
    Ok(written)
}

/// Queues one mail unless a mail with `key` exists; `true` when queued.
async fn insert_mail(
    conn: &mut AnyConnection,
    key: &str,
    user_id: &str,
    to: &str,
    subject: &str,
    items: &[MailItem],
    now: i64,
) -> Result<bool> {
    let r = sqlx::query(
        "INSERT INTO mail_outbox (id, idem_key, user_id, to_addr, subject, items, status, \
         attempts, next_attempt_at, claimed_by, claimed_until, last_error, created_at, sent_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, NULL, NULL, NULL, $9, NULL) \
         ON CONFLICT (idem_key) DO NOTHING",
    )
    .bind(new_id("mail"))
    .bind(key)
    .bind(user_id)
    .bind(to)
    .bind(subject)
    .bind(to_json(&items))
    .bind(OutboxStatus::Pending.as_str())
    .bind(now)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(r.rows_affected() > 0)
}

impl SqlStore {
    /// Writes notices in a transaction of their own (events with no other write: a match, a
    /// milestone); a notice with a key already written for an account is skipped. Returns how
    /// many inbox rows were written.
    pub async fn notify(&self, notices: &[NewNotice]) -> Result<u64> {
        let (mut tx, _gate) = self.begin_write().await?;
        let n = write_notices(&mut tx, notices, millis(Utc::now()), &self.webhook_kinds()).await?;
        tx.commit().await?;
        Ok(n)
    }

    /// An account's notifications, newest first (only unread ones when asked), with how many
    /// match in all.
    pub async fn list_notifications(
        &self,
        user_id: &str,
        unread_only: bool,
        offset: u32,
        limit: u32,
    ) -> Result<(Vec<Notification>, i64)> {
        let unread = if unread_only {
            " AND read_at IS NULL"
        } else {
            ""
        };
        let total: i64 = sqlx::query(&format!(
            "SELECT COUNT(*) AS n FROM notifications WHERE user_id = $1{unread}"
        ))
        .bind(user_id)
        .fetch_one(self.pool())
        .await?
        .try_get("n")?;
        let items = sqlx::query(&format!(
            "SELECT id, kind, title, body, link, created_at, read_at FROM notifications \
             WHERE user_id = $1{unread} ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3"
        ))
        .bind(user_id)
        .bind(i64::from(limit.max(1)))
        .bind(i64::from(offset))
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(notification)
        .collect::<Result<Vec<_>>>()?;
        Ok((items, total))
    }

    pub async fn unread_count(&self, user_id: &str) -> Result<i64> {
        Ok(sqlx::query(
            "SELECT COUNT(*) AS n FROM notifications WHERE user_id = $1 AND read_at IS NULL",
        )
        .bind(user_id)
        .fetch_one(self.pool())
        .await?
        .try_get("n")?)
    }

    /// One of the account's notifications.
    pub async fn get_notification(&self, user_id: &str, id: &str) -> Result<Option<Notification>> {
        sqlx::query(
            "SELECT id, kind, title, body, link, created_at, read_at FROM notifications \
             WHERE id = $1 AND user_id = $2",
        )
        .bind(id)
        .bind(user_id)
        .fetch_optional(self.pool())
        .await?
        .map(|r| notification(&r))
        .transpose()
    }

    /// Marks one notification (NotFound when it is not the account's) or, with `None`, all of
    /// them read; returns how many changed.
    pub async fn mark_read(&self, user_id: &str, id: Option<&str>) -> Result<u64> {
        let now = millis(Utc::now());
        let r =
            match id {
                Some(id) => {
                    if self.get_notification(user_id, id).await?.is_none() {
                        return Err(StoreError::NotFound("通知不存在".into()));
                    }
                    sqlx::query(
                        "UPDATE notifications SET read_at = $1 WHERE id = $2 AND user_id = $3 \
                     AND read_at IS NULL",
                    )
                    .bind(now)
                    .bind(id)
                    .bind(user_id)
                    .execute(self.pool())
                    .await?
                }
                None => sqlx::query(
                    "UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL",
                )
                .bind(now)
                .bind(user_id)
                .execute(self.pool())
                .await?,
            };
        Ok(r.rows_affected())
    }

    /// The account's choice for every kind (immediate where it chose nothing).
    pub async fn notification_prefs(
        &self,
        user_id: &str,
    ) -> Result<HashMap<NotificationKind, Delivery>> {
        let mut out: HashMap<NotificationKind, Delivery> = NotificationKind::ALL
            .into_iter()
            .map(|k| (k, Delivery::default()))
            .collect();
        for row in sqlx::query("SELECT kind, delivery FROM notification_prefs WHERE user_id = $1")
            .bind(user_id)
            .fetch_all(self.pool())
            .await?
        {
            let kind: String = row.try_get("kind")?;
            let delivery: String = row.try_get("delivery")?;
            if let (Some(k), Some(d)) = (NotificationKind::parse(&kind), Delivery::parse(&delivery))
            {
                out.insert(k, d);
            }
        }
        Ok(out)
    }

    pub async fn set_notification_prefs(
        &self,
        user_id: &str,
        prefs: &[(NotificationKind, Delivery)],
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        for (kind, delivery) in prefs {
            sqlx::query(
                "INSERT INTO notification_prefs (user_id, kind, delivery) VALUES ($1, $2, $3) \
                 ON CONFLICT (user_id, kind) DO UPDATE SET delivery = excluded.delivery",
            )
            .bind(user_id)
            .bind(kind.as_str())
            .bind(delivery.as_str())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Queues one digest mail per account with notifications waiting for it, keyed by the
    /// account and `day` (queued once a day however often it runs), and clears the marks.
    pub async fn queue_digests(&self, day: &str, subject: &str) -> Result<u64> {
        let now = millis(Utc::now());
        let (mut tx, _gate) = self.begin_write().await?;
        let rows = sqlx::query(
            "SELECT n.id, n.user_id, n.title, n.body, n.link, u.email FROM notifications n \
             JOIN users u ON u.id = n.user_id WHERE n.digest_pending = 1 \
             ORDER BY n.user_id, n.created_at, n.id",
        )
        .fetch_all(&mut *tx)
        .await?;
        let mut per_user: Vec<(String, Option<String>, Vec<MailItem>)> = Vec::new();
        for r in &rows {
            let user_id: String = r.try_get("user_id")?;
            let item = MailItem {
                title: r.try_get("title")?,
                body: r.try_get("body")?,
                link: r.try_get("link")?,
            };
            match per_user.last_mut() {
                Some((u, _, items)) if *u == user_id => items.push(item),
                _ => per_user.push((user_id, r.try_get("email")?, vec![item])),
            }
        }
        let mut queued = 0;
        for (user_id, email, items) in per_user {
            if let Some(to) = email.filter(|e| !e.trim().is_empty()) {
                let key = format!("digest:{user_id}:{day}");
                if !insert_mail(&mut tx, &key, &user_id, &to, subject, &items, now).await? {
                    // Today's digest went already: these wait for tomorrow's.
                    continue;
                }
                queued += 1;
            }
            sqlx::query("UPDATE notifications SET digest_pending = 0 WHERE user_id = $1 AND digest_pending = 1")
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(queued)
    }

    /// The latest outbox rows (of one status when given) and how many rows each status has.
    pub async fn outbox(
        &self,
        status: Option<OutboxStatus>,
        limit: u32,
    ) -> Result<(Vec<OutboxEntry>, HashMap<OutboxStatus, i64>)> {
        let mut counts = HashMap::new();
        for row in sqlx::query("SELECT status, COUNT(*) AS n FROM mail_outbox GROUP BY status")
            .fetch_all(self.pool())
            .await?
        {
            let s: String = row.try_get("status")?;
            if let Some(s) = OutboxStatus::parse(&s) {
                counts.insert(s, row.try_get("n")?);
            }
        }
        let filter = if status.is_some() {
            "WHERE m.status = $2"
        } else {
            "WHERE m.status <> $2"
        };
        let rows = sqlx::query(&format!(
            "SELECT m.id, u.name AS user_name, m.subject, m.status, m.attempts, m.last_error, \
             m.created_at, m.next_attempt_at FROM mail_outbox m JOIN users u ON u.id = m.user_id \
             {filter} ORDER BY m.created_at DESC, m.id DESC LIMIT $1"
        ))
        .bind(i64::from(limit.max(1)))
        .bind(status.map_or("", OutboxStatus::as_str))
        .fetch_all(self.pool())
        .await?;
        let mut items = Vec::new();
        for r in rows {
            let id: String = r.try_get("id")?;
            let s: String = r.try_get("status")?;
            items.push(OutboxEntry {
                user_name: r.try_get("user_name")?,
                subject: r.try_get("subject")?,
                status: OutboxStatus::parse(&s)
                    .ok_or_else(|| StoreError::Corrupt(id.clone(), format!("outbox status {s}")))?,
                attempts: r.try_get("attempts")?,
                last_error: r.try_get("last_error")?,
                created_at: rows::time(r.try_get("created_at")?),
                next_attempt_at: rows::time(r.try_get("next_attempt_at")?),
                id,
            });
        }
        Ok((items, counts))
    }
}
