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
mod db;
mod idempotency;
mod interests;
mod jobs;
mod ledger;
mod market;
mod messages;
mod notifications;
mod rows;
mod vectors;
mod workspace;

pub use accounts::{
    ApiToken, NewAccount, NewRegistration, Registration, RegistrationKind, RegistrationStatus,
};
pub use audit::{AuditAction, AuditActor, AuditEntry, AuditFilter, AuditSubject, NewAuditEntry};
pub use db::SqlStore;
pub use idempotency::{Claim, StoredResponse};
pub use jobs::{MatchJob, WebhookEvent};
pub use ledger::{
    DemandTimeline, Milestone, NewProject, NewSecondment, Project, ProjectFilter, ProjectPatch,
    ProjectStatus, Secondment,
};
pub use market::{
    Committee, CommitteeMember, CommitteeStatus, CommitteeUpdate, MemberEvidence, NewCommittee,
    PublicDemand, Subtopic,
};
pub use notifications::{
    Audience, MailItem, MailOutcome, NewNotice, Notification, OutboxEntry, OutboxMail, OutboxStatus,
};

pub use messages::{Attachment, Message, NewAttachment, NewMessage, WriteRules};
pub use vectors::TextHash;
pub use workspace::{OrgInterest, OwnDraft};

use duijie_core::{
    Achievement, Contact, Demand, DemandStatus, Draft, ErrorCode, Expert, Instrument, RowError,
};
use serde::Serialize;

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

/// One file's worth of records to import, with what the reader already found wrong.
#[derive(Debug, Clone)]
pub struct ImportBatch {
    pub file: String,
    pub sha256: String,
    pub kind: duijie_core::RecordKind,
    pub rows_total: u32,
    pub rows_skipped: u32,
    pub errors: Vec<RowError>,
    pub records: Vec<Draft>,
    /// Status given to demands that are new (imported catalogues are usually published).
    pub demand_status: DemandStatus,
    pub actor_name: String,
}

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

/// Which demands to list.
#[derive(Debug, Clone, Default)]
pub struct DemandFilter {
    pub org_id: Option<String>,
    pub statuses: Option<Vec<DemandStatus>>,
    pub offset: u32,
    pub limit: u32,
}

/// One entry of a demand's history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DemandEvent {
    pub from_status: Option<DemandStatus>,
    pub to_status: DemandStatus,
    pub actor_id: Option<String>,
    pub actor_name: String,
    pub note: String,
    pub at: chrono::DateTime<chrono::Utc>,
}

/// Who made a change, for the history.
#[derive(Debug, Clone)]
pub struct Actor {
    pub id: Option<String>,
    pub name: String,
}

/// Counts shown on an organisation's profile.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct OrgCounts {
    pub demands: i64,
    pub achievements: i64,
    pub experts: i64,
}

/// Where an expression of interest stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InterestStatus {
    Pending,
    Accepted,
    Declined,
}

impl InterestStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            InterestStatus::Pending => "pending",
            InterestStatus::Accepted => "accepted",
            InterestStatus::Declined => "declined",
        }
    }

    /// How pages name the state.
    pub fn label(self) -> &'static str {
        match self {
            InterestStatus::Pending => "待处理",
            InterestStatus::Accepted => "接受",
            InterestStatus::Declined => "婉拒",
        }
    }

    pub fn parse(s: &str) -> Option<InterestStatus> {
        [
            InterestStatus::Pending,
            InterestStatus::Accepted,
            InterestStatus::Declined,
        ]
        .into_iter()
        .find(|i| i.as_str() == s)
    }
}

/// An institution's expression of interest in a demand (揭榜 / 对接意向).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Interest {
    pub id: String,
    pub demand_id: String,
    pub org_id: String,
    pub org_name: String,
    pub message: String,
    pub expert_ids: Vec<String>,
    pub achievement_ids: Vec<String>,
    /// Instruments (科研仪器) cited as evidence.
    pub instrument_ids: Vec<String>,
    pub status: InterestStatus,
    /// Why the owner declined, once declined.
    pub decline_reason: Option<String>,
    /// The institution's contact person for this 揭榜 (the owner sees it once accepted).
    pub contact: Contact,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

/// An expression of interest to record.
#[derive(Debug, Clone)]
pub struct NewInterest {
    pub demand_id: String,
    pub org_id: String,
    pub message: String,
    pub expert_ids: Vec<String>,
    pub achievement_ids: Vec<String>,
    pub instrument_ids: Vec<String>,
    pub contact: Contact,
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
