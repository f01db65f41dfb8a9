//! Use cases of duijie (对接): importing catalogues, the demand lifecycle, search and matching,
//! with roles and permissions enforced here, once, for every transport. Wires the store (system
//! of record) to the search index that follows its change log.

mod access;
mod accounts;
mod attachments;
pub mod audit;
mod catalogues;
mod committees;
mod curation;
mod demands;
pub mod export;
mod idempotency;
mod imports;
mod indexer;
mod instruments;
mod interests;
mod ledger;
mod local;
mod mailer;
mod matching;
mod messages;
pub mod notifications;
#[cfg(feature = "openapi")]
pub mod openapi;
mod outbox;
pub mod report;
mod search;
mod semantic;
mod svg;
mod table;
pub mod tokens;
mod trends;
mod users;
mod webhook;
mod workspace;

pub use access::{Action, Caller};
pub use accounts::{
    check_password, hash_password, normalize_login, session_csrf, AccountForm, AccountPatch,
    RegistrationForm, SignInPolicy, SignInRefusal, SignInThrottle, SignedIn, MAX_PASSWORD_CHARS,
    MIN_PASSWORD_CHARS,
};
pub use attachments::{safe_file_name, too_large, AttachmentLimits, Upload, MAX_FILE_NAME_CHARS};
pub use audit::{AuditPage, AuditQuery, BULK_CONTACT_RECORDS};
pub use catalogues::{CatalogueForm, CatalogueItemsForm, EditionDiff, MAX_ITEMS_PER_REQUEST};
pub use committees::{CommitteeForm, CommitteePatch, MAX_COMMITTEE_SIZE};
pub use curation::{DuplicateCandidate, ReviewItem};
pub use demands::{review_note_in, DemandForm, ReviewDecision, WITHDRAWN_REASON};
/// Components of a semantic vector (the model's output size).
pub use duijie_embed::DIM as VECTOR_DIM;
pub use duijie_match::{quantise, Fusion};
pub use duijie_store::{ApiToken, Registration, RegistrationKind, RegistrationStatus};
pub use duijie_store::{AuditAction, AuditActor, AuditEntry, AuditSubject};
pub use duijie_store::{
    DemandEvent, Notification, OrgCounts, OrgInterest, OutboxEntry, OutboxStatus, Record,
};
pub use export::{CatalogueExport, ExportFormat};
pub use idempotency::{Claim, StoredResponse, IDEMPOTENCY_KEEP_HOURS, MAX_IDEMPOTENCY_KEY};
pub use imports::ImportRequest;
pub use indexer::{IndexStatus, Readiness};
pub use instruments::{InstrumentForm, MAX_INSTRUMENT_FIELDS};
pub use interests::{InterestForm, MAX_INTEREST_REFS, MAX_INTEREST_TEXT};
pub use ledger::{
    current_year, MilestoneForm, ProjectForm, ProjectQuery, ProjectUpdate, SecondmentForm,
    MAX_LEDGER_LINE, MAX_LEDGER_NOTES, MAX_MILESTONES,
};
pub use mailer::{MailConfig, MailWorker, SmtpTls};
pub use matching::{MatchRequest, MatchResponse, DEFAULT_MATCH_LIMIT, MAX_MATCH_LIMIT};
pub use messages::{Conversation, MessageForm, MAX_MESSAGE_FILES};
pub use notifications::{NotificationPage, OutboxOverview};
pub use outbox::{Pace as OutboxPace, Round as OutboxRound};
pub use report::{AnnualReport, ReportFormat};
pub use search::{Found, Page, SearchParams, MAX_PER_PAGE as SEARCH_MAX_PER_PAGE};
pub use semantic::{
    passage_text, text_key, DenseCandidates, SemanticConfig, VectorCopy, VectorStatus,
    PASSAGE_TOKENS,
};
pub use trends::{RisingTerm, TrendParams, TrendSeries, Trends, YearCount, TREND_BY, TREND_PERIOD};
pub use webhook::{webhook_signature, WebhookConfig, WebhookFormat, WebhookWorker};
pub use workspace::{
    record_link, record_title, record_version, split_terms, AchievementForm, CiteCandidates,
    ExpertForm, InterestState, YearInput, CITE_CANDIDATES, MAX_RECORD_TERMS, RECORDS_PER_PAGE,
};

use duijie_core::{Cancel, DomainError, ErrorCode};
use duijie_match::Matcher;
use duijie_search::SearchIndex;
use duijie_store::{SqlStore, StoreError};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// Where the search index lives.
#[derive(Debug, Clone, PartialEq)]
pub enum IndexMode {
    /// A folder, caught up with the database on open.
    Dir(PathBuf),
    /// In memory, built from the database on open (tests).
    Memory,
    /// In memory and left empty: for commands that only write to the database while a
    /// server owns the index folder (its indexer picks the writes up from the change log).
    Detached,
}

/// Where the app keeps its state.
#[derive(Clone)]
pub struct AppConfig {
    /// `sqlite://...` or `postgres://...`.
    pub database_url: String,
    pub index: IndexMode,
    /// Dense vectors beside the words (`None`: ranking and search by words only).
    pub semantic: Option<SemanticConfig>,
}

impl std::fmt::Debug for AppConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppConfig")
            .field(
                "database_url",
                &duijie_store::redact_url(&self.database_url),
            )
            .field("index", &self.index)
            .field("semantic", &self.semantic)
            .finish()
    }
}

/// The application: store, index, matcher, and the indexer's progress.
///
/// `store`, `index` and `matcher` bypass the permission rules, so they are this crate's own:
/// every other crate goes through the use cases (the local commands' in `local.rs`).
pub struct App {
    pub(crate) store: Arc<SqlStore>,
    pub(crate) index: Arc<SearchIndex>,
    pub(crate) matcher: Matcher,
    indexer: indexer::Indexer,
    /// Vectors of the records and the model, when semantic matching is on.
    dense: Option<Arc<semantic::Dense>>,
    jobs: Jobs,
    /// This process's name in the claims of shared work (match jobs).
    worker: String,
    /// Imports reading or storing at once ([`imports::IMPORTS_AT_ONCE`]); the rest wait in turn.
    import_slots: Arc<tokio::sync::Semaphore>,
}

/// Result of a use case: a [`DomainError`] the transport can show as it is.
pub type AppResult<T> = Result<T, DomainError>;

impl App {
    /// Connects the store (migrating it), opens the index (rebuilding it from the store when
    /// it is missing, corrupt or of an older schema) and catches the index up with the log.
    pub async fn open(config: &AppConfig) -> anyhow::Result<Arc<App>> {
        use anyhow::Context;
        let store = duijie_store::connect(&config.database_url)
            .await
            .with_context(|| {
                format!(
                    "cannot open database {}",
                    duijie_store::redact_url(&config.database_url)
                )
            })?;
        let mode = config.index.clone();
        let index = tokio::task::spawn_blocking(move || match mode {
            IndexMode::Dir(dir) => SearchIndex::open(&dir),
            IndexMode::Memory | IndexMode::Detached => SearchIndex::in_memory(),
        })
        .await
        .context("index open task failed")?
        .context("cannot open search index")?;
        let index = Arc::new(index);
        // Ranking reads the same index as the search box (duijie-match implements its
        // `Retriever` for it).
        let mut matcher = Matcher::new(index.clone());
        let dense = config.semantic.map(|semantic| {
            let dense = Arc::new(semantic::Dense::new(semantic.graph_from));
            matcher = matcher
                .clone()
                .with_config(semantic.match_config(matcher.config()))
                .with_semantic(dense.semantic());
            dense
        });
        let app = Arc::new(App {
            store,
            index,
            matcher,
            indexer: indexer::Indexer::default(),
            dense,
            jobs: Jobs::default(),
            worker: format!("app-{}", duijie_core::id::new_id("w")),
            import_slots: Arc::new(tokio::sync::Semaphore::new(imports::IMPORTS_AT_ONCE)),
        });
        if config.index == IndexMode::Detached {
            return Ok(app);
        }
        if app.index.needs_rebuild() || config.index == IndexMode::Memory {
            tracing::info!("search index missing or outdated, rebuilding from the database");
            app.rebuild_index(|_, _| {}).await?;
        }
        app.sync_index().await?;
        Ok(app)
    }
}

/// Logs an internal failure and turns it into an error without internal details.
pub(crate) fn internal(context: &str, err: impl std::fmt::Display) -> DomainError {
    tracing::error!(error = %err, context, "internal error");
    DomainError::new(ErrorCode::Internal, "服务器内部错误，请稍后再试")
}

pub(crate) fn store_err(err: StoreError) -> DomainError {
    match err {
        StoreError::NotFound(m) => DomainError::new(ErrorCode::NotFound, m),
        StoreError::Conflict(m) => DomainError::new(ErrorCode::Conflict, m),
        StoreError::Stale(m) => DomainError::new(ErrorCode::PreconditionFailed, m),
        StoreError::Invalid(m) => DomainError::new(ErrorCode::InvalidInput, m),
        StoreError::TooLarge(m) => DomainError::new(ErrorCode::TooLarge, m),
        other => internal("store", other),
    }
}

/// The store's answer for one record it may not have: its error as the user's
/// ([`store_err`]), no record as `not_found(what)`.
pub(crate) fn found<T>(r: Result<Option<T>, StoreError>, what: &str) -> AppResult<T> {
    found_or(r, || DomainError::not_found(what))
}

/// [`found`] with the caller's own error for a missing record (one that must not say more).
pub(crate) fn found_or<T>(
    r: Result<Option<T>, StoreError>,
    missing: impl FnOnce() -> DomainError,
) -> AppResult<T> {
    r.map_err(store_err)?.ok_or_else(missing)
}

/// A request's work stopped because the request is gone or over its time. Nobody reads the
/// answer when the client left; after a deadline it says to try again.
pub(crate) fn cancelled() -> DomainError {
    DomainError::new(ErrorCode::Unavailable, "请求处理超时，请稍后再试")
}

/// Request work on blocking threads that stops when its request is gone.
#[derive(Debug, Default)]
struct Jobs {
    running: Arc<AtomicUsize>,
}

/// Set when the request's future is dropped (the client left, the request timeout fired):
/// `spawn_blocking` cannot abort a thread, so the work checks the flag inside its loops.
struct CancelOnDrop(Cancel);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.cancel();
    }
}

/// Counts a job from before it is queued until its closure returns or is dropped unrun.
struct Running(Arc<AtomicUsize>);

impl Running {
    fn start(count: &Arc<AtomicUsize>) -> Running {
        count.fetch_add(1, Ordering::SeqCst);
        Running(count.clone())
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Jobs {
    async fn run<T, F>(&self, f: F) -> AppResult<T>
    where
        F: FnOnce(&Cancel) -> AppResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let cancel = Cancel::never();
        let _stop = CancelOnDrop(cancel.clone());
        let running = Running::start(&self.running);
        blocking(move || {
            let _running = running;
            cancel.check().map_err(|_| cancelled())?;
            f(&cancel)
        })
        .await
    }
}

impl App {
    /// Blocking work of a request (ranking) that stops once nobody waits for it: `f` gets a
    /// [`Cancel`] set when this future is dropped, and checks it inside its loops.
    pub(crate) async fn cancellable<T, F>(&self, f: F) -> AppResult<T>
    where
        F: FnOnce(&Cancel) -> AppResult<T> + Send + 'static,
        T: Send + 'static,
    {
        self.jobs.run(f).await
    }

    /// Request work still running on blocking threads (see [`App::cancellable`]).
    pub fn running_jobs(&self) -> usize {
        self.jobs.running.load(Ordering::SeqCst)
    }
}

/// Runs blocking work (tantivy, parsing) off the async executor.
pub(crate) async fn blocking<T, F>(f: F) -> AppResult<T>
where
    F: FnOnce() -> AppResult<T> + Send + 'static,
    T: Send + 'static,
{
    tokio::task::spawn_blocking(f).await.map_err(|e| {
        // The runtime is shutting down: no failure to report.
        if e.is_cancelled() {
            cancelled()
        } else {
            internal("blocking task", e)
        }
    })?
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    /// Work that runs until it is cancelled or 30 s have passed.
    fn until_cancelled(cancel: &Cancel) -> AppResult<()> {
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(30) {
            cancel.check().map_err(|_| cancelled())?;
            std::thread::sleep(Duration::from_millis(1));
        }
        Ok(())
    }

    #[tokio::test]
    async fn work_whose_request_is_dropped_stops_and_is_no_longer_counted() {
        let jobs = Jobs::default();
        let cut = tokio::time::timeout(Duration::from_millis(50), jobs.run(until_cancelled)).await;
        assert!(cut.is_err(), "the request was cut");
        let deadline = Instant::now() + Duration::from_secs(5);
        while jobs.running.load(Ordering::SeqCst) > 0 {
            assert!(Instant::now() < deadline, "the work outlived its request");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        // Work that finishes in time is counted while it runs and answers.
        assert_eq!(jobs.run(|_| Ok(7)).await.expect("done"), 7);
        assert_eq!(jobs.running.load(Ordering::SeqCst), 0);
    }
}
