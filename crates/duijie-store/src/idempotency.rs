//! Idempotency keys: the first answer to a creating request, kept per caller and key so that
//! a repeat of the request (a retry, a double click) gets it again instead of a second record.

use crate::{Result, SqlStore};
use sqlx::Row;

/// The answer a request produced, as it is replayed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    pub status: u16,
    pub content_type: Option<String>,
    pub location: Option<String>,
    pub body: String,
}

/// What a caller may do with a key it sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// First use: run the request, then [`crate::SqlStore::finish_idempotency`].
    New,
    /// The key was used with another request (other path or body).
    Mismatch,
    /// The first request with this key is still running.
    Running,
    /// The first request's answer.
    Done(StoredResponse),
}

impl SqlStore {
    /// Claims `key` for the caller's request with this `fingerprint` at `now` (ms), after
    /// forgetting answers older than `cutoffs.0` and unfinished claims older than `cutoffs.1`.
    pub async fn claim_idempotency(
        &self,
        user_id: &str,
        key: &str,
        fingerprint: &str,
        now: i64,
        (expired_before, abandoned_before): (i64, i64),
    ) -> Result<Claim> {
        // Old answers are forgotten, and a claim whose request never finished (the process
        // stopped) is given up, so the key works again.
        sqlx::query(
            "DELETE FROM idempotency_keys WHERE created_at < $1 \
             OR (status IS NULL AND created_at < $2)",
        )
        .bind(expired_before)
        .bind(abandoned_before)
        .execute(self.pool())
        .await?;
        // The primary key (user_id, idem_key) lets exactly one of several concurrent requests
        // in; the others read its row.
        let inserted = sqlx::query(
            "INSERT INTO idempotency_keys (user_id, idem_key, fingerprint, created_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (user_id, idem_key) DO NOTHING",
        )
        .bind(user_id)
        .bind(key)
        .bind(fingerprint)
        .bind(now)
        .execute(self.pool())
        .await?;
        if inserted.rows_affected() == 1 {
            return Ok(Claim::New);
        }
        let row = sqlx::query(
            "SELECT fingerprint, status, content_type, location, body FROM idempotency_keys \
             WHERE user_id = $1 AND idem_key = $2",
        )
        .bind(user_id)
        .bind(key)
        .fetch_optional(self.pool())
        .await?;
        // Released between the insert and this read: the next attempt claims it.
        let Some(row) = row else {
            return Ok(Claim::Running);
        };
        if row.try_get::<String, _>("fingerprint")? != fingerprint {
            return Ok(Claim::Mismatch);
        }
        let Some(status) = row.try_get::<Option<i64>, _>("status")? else {
            return Ok(Claim::Running);
        };
        Ok(Claim::Done(StoredResponse {
            status: u16::try_from(status).unwrap_or(500),
            content_type: row.try_get("content_type")?,
            location: row.try_get("location")?,
            body: row
                .try_get::<Option<String>, _>("body")?
                .unwrap_or_default(),
        }))
    }

    /// Keeps the answer of a claimed key, or (`None`) releases the key for another attempt.
    pub async fn finish_idempotency(
        &self,
        user_id: &str,
        key: &str,
        response: Option<&StoredResponse>,
    ) -> Result<()> {
        match response {
            Some(r) => {
                sqlx::query(
                    "UPDATE idempotency_keys SET status = $1, content_type = $2, location = $3, \
                     body = $4 WHERE user_id = $5 AND idem_key = $6",
                )
                .bind(i64::from(r.status))
                .bind(r.content_type.clone())
                .bind(r.location.clone())
                .bind(r.body.clone())
                .bind(user_id)
                .bind(key)
                .execute(self.pool())
                .await?
            }
            None => {
                sqlx::query("DELETE FROM idempotency_keys WHERE user_id = $1 AND idem_key = $2")
                    .bind(user_id)
                    .bind(key)
                    .execute(self.pool())
                    .await?
            }
        };
        Ok(())
    }
}
