//! Telling blocking work that nobody waits for its answer any more. A request's work runs on a
//! blocking thread that outlives the request when the client leaves or the request timeout
//! fires; the work checks a [`Cancel`] inside its loops and stops with [`Cancelled`].

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

/// A flag set when the work's request is gone, and an optional deadline.
#[derive(Debug, Clone, Default)]
pub struct Cancel {
    flag: Arc<AtomicBool>,
    deadline: Option<Instant>,
}

/// The work was stopped because its request is gone or its deadline passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("cancelled")]
pub struct Cancelled;

impl Cancel {
    /// Work that is never stopped (the CLI, the evaluation).
    pub fn never() -> Self {
        Cancel::default()
    }

    /// Stops at `deadline` at the latest.
    pub fn until(deadline: Instant) -> Self {
        Cancel {
            flag: Arc::default(),
            deadline: Some(deadline),
        }
    }

    /// Stops the work (and every clone's) at its next check.
    pub fn cancel(&self) {
        self.flag.store(true, Ordering::Relaxed);
    }

    pub fn is_cancelled(&self) -> bool {
        self.flag.load(Ordering::Relaxed) || self.deadline.is_some_and(|d| Instant::now() >= d)
    }

    /// `Err(Cancelled)` once the work should stop: the check inside a loop.
    pub fn check(&self) -> Result<(), Cancelled> {
        if self.is_cancelled() {
            Err(Cancelled)
        } else {
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_clone_sees_the_cancel_and_a_past_deadline_stops() {
        let c = Cancel::never();
        let seen = c.clone();
        assert_eq!(seen.check(), Ok(()));
        c.cancel();
        assert_eq!(seen.check(), Err(Cancelled));
        let past = Cancel::until(Instant::now() - Duration::from_millis(1));
        assert!(past.is_cancelled());
        assert!(!Cancel::until(Instant::now() + Duration::from_secs(60)).is_cancelled());
    }
}
