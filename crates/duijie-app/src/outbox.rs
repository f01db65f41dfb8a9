//! The outbox worker, one loop for every way of delivering (SMTP in [`crate::mailer`], the group
//! chat robot in [`crate::webhook`]). One worker per replica, started by `serve`: each round it
//! claims a batch of due rows with a lease (two workers, on two replicas, never hold one row),
//! delivers each and records the outcome — sent, tried again after an exponential backoff, or
//! given up after `max_attempts` (at once for a permanent refusal).
//!
//! Delivery is at least once: a row is marked sent only after it was delivered, so a crash
//! between the two delivers it again once the lease runs out. Logs name the outbox, row ids and
//! error classes only, never an address, a body or a title.

use crate::App;
use duijie_store::{OutboxOutcome, OutboxRow};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

/// Rows claimed per round.
const BATCH: u32 = 20;
/// The longest wait between two attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(3600);

/// How often a worker tries and how long it holds a claim (from `[mail]` or `[webhook]`).
#[derive(Debug, Clone, Copy)]
pub struct Pace {
    /// Attempts before a row is given up (marked failed).
    pub max_attempts: i64,
    /// The wait after the first failure; doubled after each further one, at most an hour.
    pub retry_base: Duration,
    /// How long a claimed row is held before another worker may take it.
    pub lease: Duration,
    /// The pause between rounds.
    pub poll: Duration,
}

impl Pace {
    /// The wait after the `attempts`-th failure.
    fn backoff(&self, attempts: i64) -> Duration {
        let exp = u32::try_from(attempts.saturating_sub(1).clamp(0, 20)).unwrap_or(20);
        self.retry_base
            .saturating_mul(2u32.saturating_pow(exp))
            .min(MAX_BACKOFF)
    }
}

/// Why a delivery failed.
pub struct Failure {
    /// Chinese, without address or body: kept on the row and shown to the bureau.
    pub text: String,
    /// A refusal that no retry mends: the row is given up at once.
    pub permanent: bool,
}

/// One way of delivering the rows of one outbox.
pub trait Deliver: Send + Sync + 'static {
    /// The outbox it delivers.
    type Row: OutboxRow;
    /// Names the worker in its claims and its log lines.
    const NAME: &'static str;
    fn pace(&self) -> Pace;
    /// Work of a round before the claim (the mail's daily digests); how many digests it queued.
    fn prepare(&mut self, _app: &App) -> impl Future<Output = anyhow::Result<u64>> + Send {
        async { Ok(0) }
    }
    fn deliver(&self, row: &Self::Row) -> impl Future<Output = Result<(), Failure>> + Send;
}

/// What one round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Round {
    /// Digests queued (the mail worker's, once a day).
    pub digests: u64,
    pub sent: u64,
    pub retried: u64,
    pub failed: u64,
}

/// One worker: a name of its own (its claims), the way it delivers and the app.
pub struct OutboxWorker<D: Deliver> {
    pub(crate) app: Arc<App>,
    pub(crate) deliver: D,
    name: String,
}

impl<D: Deliver> OutboxWorker<D> {
    pub(crate) fn with(app: Arc<App>, deliver: D) -> OutboxWorker<D> {
        OutboxWorker {
            app,
            deliver,
            name: format!("{}-{}", D::NAME, duijie_core::id::new_id("w")),
        }
    }

    /// This worker's name, as its claims carry it.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Rounds every `poll` until the process ends.
    pub fn spawn(mut self) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            loop {
                if let Err(e) = self.round().await {
                    tracing::warn!(outbox = D::NAME, error = %e, "outbox round failed");
                }
                tokio::time::sleep(self.deliver.pace().poll).await;
            }
        })
    }

    /// One round: the deliverer's own work, then the due rows.
    pub async fn round(&mut self) -> anyhow::Result<Round> {
        let mut round = Round {
            digests: self.deliver.prepare(&self.app).await?,
            ..Round::default()
        };
        let pace = self.deliver.pace();
        let rows: Vec<D::Row> = self
            .app
            .store
            .claim_outbox(
                &self.name,
                chrono::Utc::now().timestamp_millis(),
                i64::try_from(pace.lease.as_millis()).unwrap_or(i64::MAX),
                BATCH,
            )
            .await?;
        for row in rows {
            let failure = match self.deliver.deliver(&row).await {
                Ok(()) => {
                    self.finish(&row, OutboxOutcome::Sent).await?;
                    round.sent += 1;
                    continue;
                }
                Err(failure) => failure,
            };
            let attempts = row.attempts() + 1;
            tracing::warn!(
                outbox = D::NAME,
                id = %row.id(),
                attempts,
                error = %failure.text,
                "not delivered"
            );
            let error = failure.text.as_str();
            if failure.permanent || attempts >= pace.max_attempts {
                self.finish(&row, OutboxOutcome::GiveUp { error }).await?;
                round.failed += 1;
            } else {
                let wait = i64::try_from(pace.backoff(attempts).as_millis()).unwrap_or(i64::MAX);
                let at = chrono::Utc::now().timestamp_millis().saturating_add(wait);
                self.finish(&row, OutboxOutcome::Retry { error, at })
                    .await?;
                round.retried += 1;
            }
        }
        Ok(round)
    }

    async fn finish(&self, row: &D::Row, outcome: OutboxOutcome<'_>) -> anyhow::Result<()> {
        if !self
            .app
            .store
            .finish_outbox::<D::Row>(row.id(), &self.name, outcome)
            .await?
        {
            // The lease ran out and another worker took the row over.
            tracing::warn!(
                outbox = D::NAME,
                id = %row.id(),
                "claim lost before its outcome was recorded"
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_doubles_after_each_failure_up_to_an_hour() {
        let pace = Pace {
            max_attempts: 8,
            retry_base: Duration::from_secs(60),
            lease: Duration::from_secs(120),
            poll: Duration::from_secs(5),
        };
        assert_eq!(pace.backoff(1), Duration::from_secs(60));
        assert_eq!(pace.backoff(2), Duration::from_secs(120));
        assert_eq!(pace.backoff(3), Duration::from_secs(240));
        assert_eq!(pace.backoff(7), MAX_BACKOFF);
        assert_eq!(pace.backoff(i64::MAX), MAX_BACKOFF);
    }
}
