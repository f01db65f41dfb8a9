//! Rows that workers of every replica share through the database, claimed with a lease: the
//! mail outbox, the webhook outbox (both read through [`OutboxRow`]) and the match jobs.
//!
//! A claim is a conditional UPDATE of a due row that nobody holds (or whose holder's lease ran
//! out), so two workers never hold one row at once; on PostgreSQL the candidate rows are read
//! `FOR UPDATE SKIP LOCKED`, on SQLite under the write gate. Only the worker holding a claim
//! may record its outcome.

use crate::jobs::WebhookEvent;
use crate::notifications::{OutboxMail, OutboxStatus};
use crate::rows::{self, millis};
use crate::{Backend, Result, SqlStore, StoreError};
use chrono::Utc;
use duijie_core::NotificationKind;
use sqlx::any::AnyRow;
use sqlx::Row;

/// A claimed row of an outbox table (mail or webhook): what a worker delivers.
pub trait OutboxRow: sealed::Table + Send + Sync + Sized {
    fn id(&self) -> &str;
    /// Attempts before this one.
    fn attempts(&self) -> i64;
}

mod sealed {
    /// Where a kind of outbox row is kept and how it is read; implemented in this crate only.
    pub trait Table {
        /// The table, with the columns every outbox shares (`id`, `status`, `attempts`,
        /// `next_attempt_at`, `claimed_by`, `claimed_until`, `sent_at`, `last_error`).
        const TABLE: &'static str;
        /// The columns [`Table::read`] takes, besides `id` and `attempts`.
        const COLUMNS: &'static str;
        fn read(id: String, attempts: i64, row: &sqlx::any::AnyRow) -> crate::Result<Self>
        where
            Self: Sized;
    }
}

impl sealed::Table for OutboxMail {
    const TABLE: &'static str = "mail_outbox";
    const COLUMNS: &'static str = "to_addr, subject, items";

    fn read(id: String, attempts: i64, row: &AnyRow) -> Result<OutboxMail> {
        Ok(OutboxMail {
            to_addr: row.try_get("to_addr")?,
            subject: row.try_get("subject")?,
            items: rows::json(&id, &row.try_get::<String, _>("items")?)?,
            attempts,
            id,
        })
    }
}

impl OutboxRow for OutboxMail {
    fn id(&self) -> &str {
        &self.id
    }
    fn attempts(&self) -> i64 {
        self.attempts
    }
}

impl sealed::Table for WebhookEvent {
    const TABLE: &'static str = "webhook_outbox";
    const COLUMNS: &'static str = "kind, title, link";

    fn read(id: String, attempts: i64, row: &AnyRow) -> Result<WebhookEvent> {
        let kind: String = row.try_get("kind")?;
        Ok(WebhookEvent {
            kind: NotificationKind::parse(&kind)
                .ok_or_else(|| StoreError::Corrupt(id.clone(), format!("webhook kind {kind}")))?,
            title: row.try_get("title")?,
            link: row.try_get("link")?,
            attempts,
            id,
        })
    }
}

impl OutboxRow for WebhookEvent {
    fn id(&self) -> &str {
        &self.id
    }
    fn attempts(&self) -> i64 {
        self.attempts
    }
}

/// What became of a claimed outbox row.
#[derive(Debug, Clone, Copy)]
pub enum OutboxOutcome<'a> {
    Sent,
    /// Try again at `at` (ms); `error` is kept for the overview (no address, no body).
    Retry {
        error: &'a str,
        at: i64,
    },
    /// The last attempt failed: the row stays, marked failed.
    GiveUp {
        error: &'a str,
    },
}

impl SqlStore {
    /// Claims up to `limit` due rows of `R`'s outbox for `worker` for `lease_ms` from `now`
    /// (ms), oldest due first.
    pub async fn claim_outbox<R: OutboxRow>(
        &self,
        worker: &str,
        now: i64,
        lease_ms: i64,
        limit: u32,
    ) -> Result<Vec<R>> {
        let pending = format!("status = '{}' AND ", OutboxStatus::Pending.as_str());
        let ids = self
            .claim_rows(R::TABLE, "id", &pending, worker, now, lease_ms, limit)
            .await?;
        let mut claimed = Vec::new();
        for id in ids {
            let row = sqlx::query(&format!(
                "SELECT attempts, {} FROM {} WHERE id = $1",
                R::COLUMNS,
                R::TABLE
            ))
            .bind(id.clone())
            .fetch_one(self.pool())
            .await?;
            let attempts = row.try_get("attempts")?;
            claimed.push(R::read(id, attempts, &row)?);
        }
        Ok(claimed)
    }

    /// Records what became of a claimed row of `R`'s outbox; `false` when `worker` no longer
    /// holds it (its lease ran out and another worker took it over).
    pub async fn finish_outbox<R: OutboxRow>(
        &self,
        id: &str,
        worker: &str,
        outcome: OutboxOutcome<'_>,
    ) -> Result<bool> {
        let now = millis(Utc::now());
        let (status, next, sent_at, error) = match outcome {
            OutboxOutcome::Sent => (OutboxStatus::Sent, now, Some(now), None),
            OutboxOutcome::Retry { error, at } => (OutboxStatus::Pending, at, None, Some(error)),
            OutboxOutcome::GiveUp { error } => (OutboxStatus::Failed, now, None, Some(error)),
        };
        let sql = format!(
            "UPDATE {} SET status = $1, next_attempt_at = $2, sent_at = $3, \
             last_error = $4, attempts = attempts + 1, claimed_by = NULL, claimed_until = NULL \
             WHERE id = $5 AND claimed_by = $6 AND status = $7",
            R::TABLE
        );
        let r = sqlx::query(&sql)
            .bind(status.as_str())
            .bind(next)
            .bind(sent_at)
            .bind(error.map(str::to_string))
            .bind(id)
            .bind(worker)
            .bind(OutboxStatus::Pending.as_str())
            .execute(self.pool())
            .await?;
        Ok(r.rows_affected() > 0)
    }

    /// Claims up to `limit` due rows of `table` (keyed by `id_col`) for `worker`; `extra` is a
    /// further condition written in this crate (never user input).
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn claim_rows(
        &self,
        table: &str,
        id_col: &str,
        extra: &str,
        worker: &str,
        now: i64,
        lease_ms: i64,
        limit: u32,
    ) -> Result<Vec<String>> {
        let due = format!(
            "{extra}next_attempt_at <= $1 AND (claimed_until IS NULL OR claimed_until < $1)"
        );
        let lock = match self.backend() {
            // Rows another worker is claiming are skipped, not waited for.
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
            Backend::Sqlite => "",
        };
        // SQLite: the write gate, so the read and the claim are one writer's; PostgreSQL: a plain
        // transaction, the rows locked by `FOR UPDATE SKIP LOCKED`.
        let gate = match self.backend() {
            Backend::Sqlite => Some(self.write_gate().lock().await),
            Backend::Postgres => None,
        };
        let mut tx = self.begin().await?;
        let ids: Vec<String> = sqlx::query(&format!(
            "SELECT {id_col} AS id FROM {table} WHERE {due} ORDER BY next_attempt_at, {id_col} \
             LIMIT $2{lock}"
        ))
        .bind(now)
        .bind(i64::from(limit.max(1)))
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|r| r.try_get("id"))
        .collect::<std::result::Result<_, _>>()?;
        let mut claimed = Vec::new();
        for id in ids {
            // The condition is checked again by the UPDATE: of two workers that read the same
            // row, one changes it.
            let r = sqlx::query(&format!(
                "UPDATE {table} SET claimed_by = $2, claimed_until = $3 WHERE {id_col} = $4 \
                 AND {due}"
            ))
            .bind(now)
            .bind(worker)
            .bind(now.saturating_add(lease_ms))
            .bind(id.clone())
            .execute(&mut *tx)
            .await?;
            if r.rows_affected() > 0 {
                claimed.push(id);
            }
        }
        tx.commit().await?;
        drop(gate);
        Ok(claimed)
    }
}
