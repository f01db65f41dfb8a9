//! Idempotency keys of creating requests: a caller's key is claimed by the first request that
//! sends it; that request's answer, once it made something, is kept for 24 hours and given
//! to every repeat, so a retry or a form sent twice makes one record.

use crate::{store_err, App, AppResult, Caller};
use duijie_core::DomainError;
pub use duijie_store::{Claim, StoredResponse};

/// How long an answer is replayed.
pub const IDEMPOTENCY_KEEP_HOURS: i64 = 24;
/// A claim whose request never finished (the process stopped) is given up after this long,
/// well beyond any request's deadline.
const ABANDONED_AFTER_MS: i64 = 10 * 60 * 1000;
/// Longest key accepted.
pub const MAX_IDEMPOTENCY_KEY: usize = 255;

impl App {
    /// Claims `key` for the caller's request identified by `fingerprint`; `None` for an
    /// anonymous caller, who can create nothing and so has no keys.
    pub async fn claim_idempotency(
        &self,
        caller: &Caller,
        key: &str,
        fingerprint: &str,
    ) -> AppResult<Option<Claim>> {
        let Some(user) = caller.user() else {
            return Ok(None);
        };
        if key.is_empty()
            || key.len() > MAX_IDEMPOTENCY_KEY
            || !key.bytes().all(|b| b.is_ascii_graphic())
        {
            return Err(DomainError::invalid(
                "Idempotency-Key",
                format!("幂等键须为 1 至 {MAX_IDEMPOTENCY_KEY} 个可见 ASCII 字符"),
            ));
        }
        let now = chrono::Utc::now().timestamp_millis();
        let cutoffs = (
            now - IDEMPOTENCY_KEEP_HOURS * 3600 * 1000,
            now - ABANDONED_AFTER_MS,
        );
        self.store
            .claim_idempotency(&user.id, key, fingerprint, now, cutoffs)
            .await
            .map(Some)
            .map_err(store_err)
    }

    /// Keeps the answer to a claimed key, or (`None`) releases the key: a request that made
    /// nothing (refused, invalid, failed) may be sent again, corrected, with the same key.
    pub async fn finish_idempotency(
        &self,
        caller: &Caller,
        key: &str,
        response: Option<&StoredResponse>,
    ) -> AppResult<()> {
        let Some(user) = caller.user() else {
            return Ok(());
        };
        self.store
            .finish_idempotency(&user.id, key, response)
            .await
            .map_err(store_err)
    }
}
