//! Work shared by replicas through the database (migration `0015_docking_loop`): the sign-in
//! throttle's failure counts, the outgoing webhook's outbox and the match-notice jobs of newly
//! published demands. Jobs and webhook events are claimed with a lease by a conditional
//! UPDATE, like the mail outbox, so two workers never hold one row at once.

use crate::notifications::OutboxStatus;
use crate::{Result, SqlStore};
use duijie_core::id::new_id;
use duijie_core::NotificationKind;
use sqlx::{AnyConnection, Row};

/// A claimed webhook event, to post.
#[derive(Debug, Clone, PartialEq)]
pub struct WebhookEvent {
    pub id: String,
    pub kind: NotificationKind,
    pub title: String,
    /// A path of the site (`/demands/...`).
    pub link: String,
    /// Attempts before this one.
    pub attempts: i64,
}

/// A claimed match job: the demand whose match notices are to be written.
#[derive(Debug, Clone, PartialEq)]
pub struct MatchJob {
    pub demand_id: String,
    /// Attempts before this one.
    pub attempts: i64,
}

/// Queues a webhook event for a notice (once per `idem_key`), on the caller's transaction.
pub(crate) async fn insert_webhook(
    conn: &mut AnyConnection,
    idem_key: &str,
    kind: NotificationKind,
    title: &str,
    link: &str,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO webhook_outbox (id, idem_key, kind, title, link, status, attempts, \
         next_attempt_at, claimed_by, claimed_until, last_error, created_at, sent_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 0, $7, NULL, NULL, NULL, $8, NULL) \
         ON CONFLICT (idem_key) DO NOTHING",
    )
    .bind(new_id("hook"))
    .bind(idem_key)
    .bind(kind.as_str())
    .bind(title)
    .bind(link)
    .bind(OutboxStatus::Pending.as_str())
    .bind(now)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Queues the match job of a demand published in the caller's transaction.
pub(crate) async fn insert_match_job(
    conn: &mut AnyConnection,
    demand_id: &str,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO match_jobs (demand_id, attempts, next_attempt_at, claimed_by, \
         claimed_until, created_at) VALUES ($1, 0, $2, NULL, NULL, $3) \
         ON CONFLICT (demand_id) DO NOTHING",
    )
    .bind(demand_id)
    .bind(now)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

impl SqlStore {
    /// The latest end (ms) of a lock on any of the sign-in throttle's `keys` running at `now`.
    pub async fn sign_in_locked(&self, keys: &[String], now: i64) -> Result<Option<i64>> {
        let mut latest: Option<i64> = None;
        for key in keys {
            let until: Option<Option<i64>> = sqlx::query(
                "SELECT locked_until FROM sign_in_failures WHERE throttle_key = $1 \
                 AND locked_until > $2",
            )
            .bind(key.clone())
            .bind(now)
            .fetch_optional(self.pool())
            .await?
            .map(|r| r.try_get("locked_until"))
            .transpose()?;
            if let Some(Some(u)) = until {
                latest = Some(latest.map_or(u, |l| l.max(u)));
            }
        }
        Ok(latest)
    }

    /// Counts a failed sign-in of `key`; at `limit` failures within `window_ms` the key is
    /// locked for `lockout_ms` and the lock's end is returned. One UPSERT per failure:
    /// replicas count together, the row lock orders them.
    pub async fn sign_in_failed(
        &self,
        key: &str,
        limit: u32,
        now: i64,
        window_ms: i64,
        lockout_ms: i64,
    ) -> Result<Option<i64>> {
        let start = now - window_ms;
        // Idle rows (window over, no running lock) are forgotten as failures come in.
        sqlx::query(
            "DELETE FROM sign_in_failures WHERE since <= $1 \
             AND (locked_until IS NULL OR locked_until <= $2)",
        )
        .bind(start)
        .bind(now)
        .execute(self.pool())
        .await?;
        // Every SET expression reads the row as it was: a count whose window or lock has
        // passed starts again at 1.
        let fresh = "(sign_in_failures.since <= $3 OR sign_in_failures.locked_until <= $2)";
        let failures: i64 = sqlx::query(&format!(
            "INSERT INTO sign_in_failures (throttle_key, failures, since, locked_until) \
             VALUES ($1, 1, $2, NULL) ON CONFLICT (throttle_key) DO UPDATE SET \
             failures = CASE WHEN {fresh} THEN 1 ELSE sign_in_failures.failures + 1 END, \
             since = CASE WHEN {fresh} THEN $2 ELSE sign_in_failures.since END, \
             locked_until = CASE WHEN {fresh} THEN NULL ELSE sign_in_failures.locked_until END \
             RETURNING failures"
        ))
        .bind(key)
        .bind(now)
        .bind(start)
        .fetch_one(self.pool())
        .await?
        .try_get("failures")?;
        if failures < i64::from(limit.max(1)) {
            return Ok(None);
        }
        let until = now + lockout_ms;
        sqlx::query(
            "UPDATE sign_in_failures SET locked_until = $1 WHERE throttle_key = $2 \
             AND (locked_until IS NULL OR locked_until <= $3)",
        )
        .bind(until)
        .bind(key)
        .bind(now)
        .execute(self.pool())
        .await?;
        Ok(Some(until))
    }

    /// A right password: the key's failures are forgotten (a running lock stays).
    pub async fn sign_in_succeeded(&self, key: &str) -> Result<()> {
        sqlx::query(
            "DELETE FROM sign_in_failures WHERE throttle_key = $1 AND locked_until IS NULL",
        )
        .bind(key)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Claims up to `limit` due match jobs (demands published whose match notices are still
    /// to be written) for `worker`.
    pub async fn claim_match_jobs(
        &self,
        worker: &str,
        now: i64,
        lease_ms: i64,
        limit: u32,
    ) -> Result<Vec<MatchJob>> {
        let ids = self
            .claim_rows("match_jobs", "demand_id", "", worker, now, lease_ms, limit)
            .await?;
        let mut out = Vec::new();
        for demand_id in ids {
            let attempts: i64 = sqlx::query("SELECT attempts FROM match_jobs WHERE demand_id = $1")
                .bind(demand_id.clone())
                .fetch_one(self.pool())
                .await?
                .try_get("attempts")?;
            out.push(MatchJob {
                demand_id,
                attempts,
            });
        }
        Ok(out)
    }

    /// Done (`None`: the job goes) or to be tried again at `retry_at` (ms); `false` when
    /// `worker` no longer holds it.
    pub async fn finish_match_job(
        &self,
        demand_id: &str,
        worker: &str,
        retry_at: Option<i64>,
    ) -> Result<bool> {
        let r = match retry_at {
            None => {
                sqlx::query("DELETE FROM match_jobs WHERE demand_id = $1 AND claimed_by = $2")
                    .bind(demand_id)
                    .bind(worker)
                    .execute(self.pool())
                    .await?
            }
            Some(at) => {
                sqlx::query(
                    "UPDATE match_jobs SET attempts = attempts + 1, next_attempt_at = $1, \
                     claimed_by = NULL, claimed_until = NULL WHERE demand_id = $2 \
                     AND claimed_by = $3",
                )
                .bind(at)
                .bind(demand_id)
                .bind(worker)
                .execute(self.pool())
                .await?
            }
        };
        Ok(r.rows_affected() > 0)
    }
}
