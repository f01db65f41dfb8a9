//! Persistence for duijie: [`SqlStore`], over sqlx's `Any` driver for SQLite (embedded
//! default) and PostgreSQL (several replicas), each with its own migrations, and the change
//! log the search index follows. Each area's file owns its methods as an `impl SqlStore`
//! block; the conformance suite runs every one of them on both backends.
//!
//! Every write commits its records and their change-log rows in one transaction. On
//! PostgreSQL writers take a transaction-scoped advisory lock before touching the log, so
//! sequence numbers become visible in order and a follower reading `seq > last` never skips a
//! row that commits late.

mod accounts;
mod audit;
mod catalogues;
mod changelog;
mod committees;
mod demands;
mod idempotency;
mod imports;
mod instruments;
mod interests;
mod jobs;
mod ledger;
mod messages;
mod notifications;
mod organizations;
mod outbox;
mod records;
mod rows;
mod sql;
mod trends;
mod users;
mod vectors;
mod workspace;

pub use accounts::{
    ApiToken, NewAccount, NewRegistration, Registration, RegistrationKind, RegistrationStatus,
};
pub use audit::{AuditAction, AuditActor, AuditEntry, AuditFilter, AuditSubject, NewAuditEntry};
pub use demands::{DemandEvent, DemandFilter};
pub use idempotency::{Claim, StoredResponse};
pub use imports::ImportBatch;
pub use jobs::{MatchJob, WebhookEvent};
pub use ledger::{DemandTimeline, ProjectFilter};
pub use messages::WriteRules;
pub use notifications::{
    Audience, MailItem, NewNotice, Notification, OutboxEntry, OutboxMail, OutboxStatus,
};
pub use organizations::OrgCounts;
pub use outbox::{OutboxOutcome, OutboxRow};
pub use sql::SqlStore;
pub use trends::PublicDemand;
pub use vectors::TextHash;
pub use workspace::{OrgInterest, OwnDraft};

use duijie_core::{Achievement, Demand, ErrorCode, Expert, Instrument};

/// Which database a store talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0}")]
    NotFound(String),
    /// A compare-and-set lost: the record is no longer in the state the caller saw.
    #[error("{0}")]
    Conflict(String),
    /// The record's version is no longer the one the writer read: someone else wrote since.
    #[error("{0}")]
    Stale(String),
    /// A record the store cannot keep as given (an empty organisation name).
    #[error("{0}")]
    Invalid(String),
    /// More bytes than a limit allows (a demand's attachments).
    #[error("{0}")]
    TooLarge(String),
    #[error("unsupported database url: {0}")]
    UnsupportedUrl(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("stored record {0} could not be decoded: {1}")]
    Corrupt(String, String),
}

impl StoreError {
    pub fn code(&self) -> ErrorCode {
        match self {
            StoreError::NotFound(_) => ErrorCode::NotFound,
            StoreError::Conflict(_) => ErrorCode::Conflict,
            StoreError::Stale(_) => ErrorCode::PreconditionFailed,
            StoreError::Invalid(_) => ErrorCode::InvalidInput,
            StoreError::TooLarge(_) => ErrorCode::TooLarge,
            _ => ErrorCode::Internal,
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// A stored record of any kind, as the indexer reads it.
#[derive(Debug, Clone, PartialEq)]
pub enum Record {
    Demand(Demand),
    Achievement(Achievement),
    Expert(Expert),
    Instrument(Instrument),
}

impl Record {
    pub fn id(&self) -> &str {
        match self {
            Record::Demand(d) => &d.id,
            Record::Achievement(a) => &a.id,
            Record::Expert(e) => &e.id,
            Record::Instrument(i) => &i.id,
        }
    }
}

/// Who made a change, for the history.
#[derive(Debug, Clone)]
pub struct Actor {
    pub id: Option<String>,
    pub name: String,
}

/// Connects to `url` (`sqlite://...` or `postgres://...`), applying migrations.
pub async fn connect(url: &str) -> Result<std::sync::Arc<SqlStore>> {
    Ok(std::sync::Arc::new(SqlStore::connect(url).await?))
}

/// `url` with any password replaced, for logs.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let creds = &url[scheme_end + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::redact_url;

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact_url("postgres://app:s3cret@db:5432/duijie"),
            "postgres://app:***@db:5432/duijie"
        );
        assert_eq!(
            redact_url("postgres://postgres@127.0.0.1/test"),
            "postgres://postgres@127.0.0.1/test"
        );
        assert_eq!(redact_url("sqlite://./duijie.db"), "sqlite://./duijie.db");
    }
}

/// Test support shared by every crate's tests: a fresh SQLite file or PostgreSQL schema.
#[cfg(feature = "test-support")]
pub mod testing {
    /// A URL of a new, empty PostgreSQL schema on `DUIJIE_TEST_POSTGRES_URL`.
    ///
    /// When the variable is unset the PostgreSQL suite is skipped with a notice, except under
    /// `CI=true`, where a missing server is a failure.
    pub async fn postgres_url() -> Option<String> {
        let base = match std::env::var("DUIJIE_TEST_POSTGRES_URL") {
            Ok(url) if !url.is_empty() => url,
            _ => {
                assert!(
                    std::env::var("CI").as_deref() != Ok("true"),
                    "DUIJIE_TEST_POSTGRES_URL must be set when CI=true"
                );
                eprintln!("notice: DUIJIE_TEST_POSTGRES_URL unset, PostgreSQL test skipped");
                return None;
            }
        };
        sqlx::any::install_default_drivers();
        let schema = format!("t_{}", uuid::Uuid::now_v7().simple());
        let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&base)
            .await
            .unwrap_or_else(|e| panic!("cannot reach PostgreSQL at DUIJIE_TEST_POSTGRES_URL: {e}"));
        sqlx::query(&format!("CREATE SCHEMA {schema}"))
            .execute(&mut conn)
            .await
            .expect("create test schema");
        let sep = if base.contains('?') { '&' } else { '?' };
        Some(format!("{base}{sep}options[search_path]={schema}"))
    }

    /// A URL of a new SQLite database file inside `dir`.
    pub fn sqlite_url(dir: &std::path::Path) -> String {
        format!("sqlite://{}", dir.join("duijie.db").display())
    }
}
