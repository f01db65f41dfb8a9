//! Persistence for duijie: the [`Store`] trait, one implementation over sqlx's `Any` driver for
//! SQLite (embedded default) and PostgreSQL (several replicas), each with its own migrations,
//! and the change log the search index follows.
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

use async_trait::async_trait;
use duijie_core::{
    Achievement, CatalogueEdition, Change, Contact, Delivery, Demand, DemandDraft, DemandStatus,
    Draft, EntityKind, ErrorCode, Expert, ImportReport, Instrument, InstrumentDraft,
    NotificationKind, OrgKind, Organization, Role, RowError, User,
};
use serde::Serialize;
use std::collections::HashMap;

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

#[async_trait]
pub trait Store: Send + Sync + 'static {
    fn backend(&self) -> Backend;

    /// Checks the connection.
    async fn ping(&self) -> Result<()>;

    // --- idempotency keys
    /// Claims `key` for the caller's request with this `fingerprint` at `now` (ms), after
    /// forgetting answers older than `cutoffs.0` and unfinished claims older than `cutoffs.1`.
    async fn claim_idempotency(
        &self,
        user_id: &str,
        key: &str,
        fingerprint: &str,
        now: i64,
        cutoffs: (i64, i64),
    ) -> Result<Claim>;
    /// Keeps the answer of a claimed key, or (`None`) releases the key for another attempt.
    async fn finish_idempotency(
        &self,
        user_id: &str,
        key: &str,
        response: Option<&StoredResponse>,
    ) -> Result<()>;

    // --- dense vectors (semantic matching)
    /// The stored vectors (int8 components) of those of `keys` that have one.
    async fn vectors(&self, keys: &[TextHash]) -> Result<Vec<(TextHash, Vec<i8>)>>;
    /// Keeps vectors; a key already stored keeps its first vector.
    async fn put_vectors(&self, items: &[(TextHash, Vec<i8>)], now: i64) -> Result<()>;

    // --- organisations
    /// The organisation with this (normalised) name, created with `kind` when new.
    async fn ensure_organization(&self, name: &str, kind: OrgKind) -> Result<Organization>;
    async fn get_organization(&self, id: &str) -> Result<Option<Organization>>;
    async fn organization_counts(&self, id: &str) -> Result<OrgCounts>;

    // --- imports
    /// Writes one file's records in one transaction: new records inserted, changed ones
    /// updated, identical ones counted as unchanged; the batch is recorded with its report.
    async fn import(&self, batch: ImportBatch) -> Result<ImportReport>;
    async fn list_imports(&self, limit: u32) -> Result<Vec<ImportReport>>;
    async fn get_import(&self, id: &str) -> Result<Option<ImportReport>>;

    // --- demands
    async fn create_demand(
        &self,
        org_id: &str,
        draft: &DemandDraft,
        status: DemandStatus,
        actor: &Actor,
    ) -> Result<Demand>;
    /// Writes `draft` if the demand is still at `version` and, unless `statuses` is empty, in
    /// one of `statuses` — checked by the UPDATE itself, so no review or other write can slip
    /// between the check and the write. A newer version is [`StoreError::Stale`], another
    /// status [`StoreError::Conflict`].
    async fn update_demand(
        &self,
        id: &str,
        draft: &DemandDraft,
        version: i64,
        statuses: &[DemandStatus],
        notices: &[NewNotice],
    ) -> Result<Demand>;
    /// Deletes a draft that never reached anyone (no catalogue item, interest or project
    /// refers to it) with its history; anything else is a [`StoreError::Conflict`].
    async fn delete_demand(&self, id: &str) -> Result<()>;
    /// Moves a demand from `from` to `to` if it is still in `from` (and, given a `version`,
    /// still at that version: a review holds only for the text the reviewer read); records
    /// the event.
    async fn transition_demand(
        &self,
        id: &str,
        from: DemandStatus,
        to: DemandStatus,
        actor: &Actor,
        note: &str,
        version: Option<i64>,
    ) -> Result<Demand>;
    /// [`Store::transition_demand`] with an audit entry and `notices` written in the same
    /// transaction: the move, its record and its notifications commit together or not at all.
    /// `from` is the status and, when given, the version the move requires.
    #[allow(clippy::too_many_arguments)]
    async fn transition_demand_audited(
        &self,
        id: &str,
        from: (DemandStatus, Option<i64>),
        to: DemandStatus,
        actor: &Actor,
        note: &str,
        audit: &NewAuditEntry,
        notices: &[NewNotice],
    ) -> Result<Demand>;
    async fn get_demand(&self, id: &str) -> Result<Option<Demand>>;
    async fn list_demands(&self, filter: &DemandFilter) -> Result<(Vec<Demand>, i64)>;
    async fn demand_history(&self, id: &str) -> Result<Vec<DemandEvent>>;

    // --- catalogue editions (需求目录)
    /// A new, empty draft edition.
    async fn create_catalogue(
        &self,
        title: &str,
        period: Option<&str>,
        actor: &Actor,
    ) -> Result<CatalogueEdition>;
    /// Appends demands to a draft edition; ones already in it keep their place. All or
    /// nothing: fails naming the first demand that is missing ([`StoreError::Invalid`]) or
    /// not approved or published ([`StoreError::Conflict`]).
    async fn add_catalogue_items(
        &self,
        id: &str,
        demand_ids: &[String],
    ) -> Result<CatalogueEdition>;
    /// Publishes a draft edition in one transaction: approved items move to published (with
    /// their history and change-log rows), every item's snapshot is frozen, the edition is
    /// stamped. Fails without effect when an item is no longer approved or published.
    /// `notices` are written in the same transaction.
    async fn publish_catalogue(
        &self,
        id: &str,
        actor: &Actor,
        notices: &[NewNotice],
    ) -> Result<CatalogueEdition>;
    /// Takes demands out of a draft edition (ids not in it are ignored); a published edition
    /// is frozen ([`StoreError::Conflict`]).
    async fn remove_catalogue_items(
        &self,
        id: &str,
        demand_ids: &[String],
    ) -> Result<CatalogueEdition>;
    /// Deletes a draft edition and its items; a published edition stays
    /// ([`StoreError::Conflict`]).
    async fn delete_catalogue(&self, id: &str) -> Result<()>;
    async fn get_catalogue(&self, id: &str) -> Result<Option<CatalogueEdition>>;
    /// Editions, newest first; drafts only when asked for.
    async fn list_catalogues(&self, include_drafts: bool) -> Result<Vec<CatalogueEdition>>;
    /// An edition's items in order: the frozen snapshots of a published edition, the current
    /// demands of a draft.
    async fn catalogue_items(&self, id: &str) -> Result<Vec<Demand>>;

    // --- expressions of interest (揭榜 / 对接意向)
    /// Records a pending interest in one transaction. Fails with [`StoreError::Conflict`]
    /// when the demand is not published or in docking, or the organisation already has a
    /// pending interest in it; with [`StoreError::Invalid`] naming the first expert or
    /// achievement that is missing or belongs to another organisation.
    /// `notices` are written in the same transaction.
    async fn create_interest(
        &self,
        new: &NewInterest,
        actor: &Actor,
        notices: &[NewNotice],
    ) -> Result<Interest>;
    async fn get_interest(&self, id: &str) -> Result<Option<Interest>>;
    /// A demand's interests, oldest first; only `org_id`'s when given.
    async fn list_interests(&self, demand_id: &str, org_id: Option<&str>) -> Result<Vec<Interest>>;
    /// How many pending interests each of `demand_ids` has, in one query; demands without
    /// any are absent from the map.
    async fn pending_interest_counts(&self, demand_ids: &[String]) -> Result<HashMap<String, u64>>;
    /// The institutions whose interest each of `demand_ids` accepted, as (organisation id,
    /// name), in the order accepted; demands without any are absent from the map.
    async fn accepted_partners(
        &self,
        demand_ids: &[String],
    ) -> Result<HashMap<String, Vec<(String, String)>>>;
    /// Accepts a pending interest and, in the same transaction, moves a published demand
    /// to in_docking (history entry with `note`, change-log row); a demand already in
    /// docking stays there. Conflict when the interest is no longer pending or the demand
    /// is in another status. `notices` are written in the same transaction.
    async fn accept_interest(
        &self,
        id: &str,
        actor: &Actor,
        note: &str,
        notices: &[NewNotice],
    ) -> Result<(Interest, Demand)>;
    /// Declines a pending interest with the owner's reason; `notices` in the same transaction.
    async fn decline_interest(
        &self,
        id: &str,
        reason: &str,
        notices: &[NewNotice],
    ) -> Result<Interest>;

    // --- messages and attachments (对话与附件)
    /// Records a message with its new files and links to stored ones, in one transaction.
    /// Conflict when the interest was declined or its demand is not in
    /// `rules.demand_statuses`; TooLarge when the files take the demand over
    /// `rules.max_demand_bytes`; Invalid when a linked attachment is not the demand's own or
    /// this conversation's.
    async fn create_message(&self, new: &NewMessage, rules: WriteRules<'_>) -> Result<Message>;
    /// A conversation, oldest first, each message with its attachments.
    async fn list_messages(&self, interest_id: &str) -> Result<Vec<Message>>;
    /// Stores a file of the demand itself; Conflict when the demand is not in
    /// `rules.demand_statuses`, TooLarge when it would hold more than `rules.max_demand_bytes`.
    async fn create_attachment(
        &self,
        demand_id: &str,
        new: &NewAttachment,
        rules: WriteRules<'_>,
    ) -> Result<Attachment>;
    async fn get_attachment(&self, id: &str) -> Result<Option<Attachment>>;
    /// The stored bytes of one attachment.
    async fn attachment_data(&self, id: &str) -> Result<Option<Vec<u8>>>;
    /// The demand's own files (`None`) or those posted in one of its conversations.
    async fn list_attachments(
        &self,
        demand_id: &str,
        interest_id: Option<&str>,
    ) -> Result<Vec<Attachment>>;
    /// Deletes a file of a demand in one of `demand_statuses` (any when empty); Conflict for
    /// a file posted in a conversation or cited by a message.
    async fn delete_attachment(&self, id: &str, demand_statuses: &[DemandStatus]) -> Result<()>;

    // --- the ledger (台账): cooperation projects and secondments
    /// Records a project (status signed) in one transaction; an in-docking demand moves to
    /// contracted (history entry with `note`, change-log row), a contracted one stays. Conflict
    /// when the demand is in another status; Invalid when the institution does not exist.
    async fn create_project(&self, new: &NewProject, actor: &Actor, note: &str) -> Result<Project>;
    /// Applies the given changes; NotFound when there is no such project.
    async fn update_project(&self, id: &str, patch: &ProjectPatch) -> Result<Project>;
    async fn get_project(&self, id: &str) -> Result<Option<Project>>;
    /// Projects matching the filter, latest signed first.
    async fn list_projects(&self, filter: &ProjectFilter) -> Result<Vec<Project>>;
    /// Records a secondment; Invalid naming the expert or host organisation that does not exist.
    async fn create_secondment(&self, new: &NewSecondment, actor: &Actor) -> Result<Secondment>;
    /// Secondments, latest start first; with a year, only those active at some time in it.
    async fn list_secondments(&self, year: Option<i32>) -> Result<Vec<Secondment>>;
    /// Every demand created before `created_before`, with when it first reached published,
    /// in_docking and contracted according to its history.
    async fn demand_timelines(
        &self,
        created_before: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<DemandTimeline>>;

    // --- the technology market: instruments (科研仪器共享) and expert committees
    /// Records an instrument of `org_id` with its change-log row.
    async fn create_instrument(
        &self,
        org_id: &str,
        draft: &InstrumentDraft,
        actor: &Actor,
    ) -> Result<Instrument>;
    async fn get_instrument(&self, id: &str) -> Result<Option<Instrument>>;
    /// Public demands (published and after) with when each was first published (its
    /// creation time when its history has no publication), oldest first.
    async fn public_demands(&self) -> Result<Vec<PublicDemand>>;
    async fn create_committee(&self, new: &NewCommittee, actor: &Actor) -> Result<Committee>;
    async fn get_committee(&self, id: &str) -> Result<Option<Committee>>;
    /// Committees, newest first.
    async fn list_committees(&self) -> Result<Vec<Committee>>;
    /// Applies the given changes; absent ones stay as they were.
    async fn update_committee(&self, id: &str, update: &CommitteeUpdate) -> Result<Committee>;

    // --- achievements and experts
    async fn get_achievement(&self, id: &str) -> Result<Option<Achievement>>;
    async fn get_expert(&self, id: &str) -> Result<Option<Expert>>;
    /// Experts whose name starts with `prefix` (a person is looked up by name, whether or not
    /// their record has text to search), by name, at most `limit`.
    async fn experts_named(&self, prefix: &str, limit: u32) -> Result<Vec<Expert>>;

    // --- the change log and what the indexer reads
    async fn changes_since(&self, seq: i64, limit: u32) -> Result<Vec<Change>>;
    async fn last_seq(&self) -> Result<i64>;
    /// The records with these ids (missing ones left out).
    async fn get_records(&self, entity: EntityKind, ids: &[String]) -> Result<Vec<Record>>;
    /// Every record of a kind, in id order, `limit` at a time after `after_id`.
    async fn scan(&self, entity: EntityKind, after_id: &str, limit: u32) -> Result<Vec<Record>>;
    async fn count(&self, entity: EntityKind) -> Result<i64>;

    // --- accounts
    async fn create_user(
        &self,
        name: &str,
        role: Role,
        org_id: Option<&str>,
        token_hash: &str,
    ) -> Result<User>;
    async fn user_by_token_hash(&self, token_hash: &str) -> Result<Option<User>>;
    async fn list_users(&self) -> Result<Vec<User>>;
    /// Sets how the account is reached; `false` when no such account.
    async fn set_user_contact(
        &self,
        user_id: &str,
        email: Option<&str>,
        phone: Option<&str>,
    ) -> Result<bool>;
    /// Gives the account a new token, revoking its others (and lifts a revocation); `false`
    /// when no such account.
    async fn reset_token(&self, name: &str, token_hash: &str) -> Result<bool>;
    /// Disables the account (its tokens and sessions stop working; `reset_token` enables it
    /// again); `false` when no such active account.
    async fn revoke_user(&self, name: &str) -> Result<bool>;

    // --- accounts: passwords, sessions, API tokens, self-registration (issue #19)
    /// Creates an account with a password and no API token; Conflict when its name, e-mail
    /// or phone is taken.
    async fn create_account(&self, new: &NewAccount) -> Result<User>;
    async fn get_user(&self, id: &str) -> Result<Option<User>>;
    /// The account whose e-mail, phone or name is `login` (an e-mail or phone first), with its
    /// password hash (none for accounts made with a token only).
    async fn user_for_sign_in(&self, login: &str) -> Result<Option<(User, Option<String>)>>;
    /// The account's password hash (none for an account made with a token only).
    async fn password_hash(&self, user_id: &str) -> Result<Option<String>>;
    /// `false` when no such account.
    async fn set_password(&self, user_id: &str, password_hash: &str) -> Result<bool>;
    /// `false` when no such account.
    async fn set_user_role(&self, user_id: &str, role: Role, org_id: Option<&str>) -> Result<bool>;
    /// Disables an account (ending its sessions in the same transaction) or enables it again;
    /// `false` when no such account.
    async fn set_user_disabled(&self, user_id: &str, disabled: bool) -> Result<bool>;
    /// Records a session by the hash of its id.
    async fn create_session(
        &self,
        id_hash: &str,
        user_id: &str,
        expires_at: chrono::DateTime<chrono::Utc>,
    ) -> Result<()>;
    /// The enabled account of an unexpired session.
    async fn session_user(&self, id_hash: &str) -> Result<Option<User>>;
    async fn delete_session(&self, id_hash: &str) -> Result<bool>;
    /// Ends every session of the account but `except_hash`; how many ended.
    async fn delete_sessions(&self, user_id: &str, except_hash: Option<&str>) -> Result<u64>;
    async fn create_api_token(
        &self,
        user_id: &str,
        label: &str,
        token_hash: &str,
    ) -> Result<ApiToken>;
    /// The account's tokens that are not revoked, oldest first.
    async fn list_api_tokens(&self, user_id: &str) -> Result<Vec<ApiToken>>;
    /// `false` when the account has no such live token.
    async fn revoke_api_token(&self, user_id: &str, token_id: &str) -> Result<bool>;
    async fn create_registration(&self, new: &NewRegistration) -> Result<Registration>;
    async fn get_registration(&self, id: &str) -> Result<Option<Registration>>;
    /// With a status: oldest first; without: every registration, newest first.
    async fn list_registrations(
        &self,
        status: Option<RegistrationStatus>,
    ) -> Result<Vec<Registration>>;
    /// The newest pending or rejected registration with this phone or e-mail, with its
    /// password hash.
    async fn registration_for_sign_in(&self, login: &str)
        -> Result<Option<(Registration, String)>>;
    /// Creates the account and marks the registration approved in one transaction; Conflict
    /// when it was already decided (or the account's e-mail or phone is taken).
    async fn approve_registration(
        &self,
        id: &str,
        account: &NewAccount,
    ) -> Result<(Registration, User)>;
    /// Conflict when it was already decided.
    async fn reject_registration(&self, id: &str, reason: &str) -> Result<Registration>;
    // --- notifications (通知): inbox, delivery choices, e-mail outbox
    /// Writes notices in a transaction of their own (events with no other write: a match, a
    /// milestone); a notice with a key already written for an account is skipped. Returns how
    /// many inbox rows were written.
    async fn notify(&self, notices: &[NewNotice]) -> Result<u64>;
    /// An account's notifications, newest first (only unread ones when asked), with how many
    /// match in all.
    async fn list_notifications(
        &self,
        user_id: &str,
        unread_only: bool,
        offset: u32,
        limit: u32,
    ) -> Result<(Vec<Notification>, i64)>;
    async fn unread_count(&self, user_id: &str) -> Result<i64>;
    /// One of the account's notifications.
    async fn get_notification(&self, user_id: &str, id: &str) -> Result<Option<Notification>>;
    /// Marks one notification (NotFound when it is not the account's) or, with `None`, all of
    /// them read; returns how many changed.
    async fn mark_read(&self, user_id: &str, id: Option<&str>) -> Result<u64>;
    /// The account's choice for every kind (immediate where it chose nothing).
    async fn notification_prefs(
        &self,
        user_id: &str,
    ) -> Result<HashMap<NotificationKind, Delivery>>;
    async fn set_notification_prefs(
        &self,
        user_id: &str,
        prefs: &[(NotificationKind, Delivery)],
    ) -> Result<()>;
    /// Queues one digest mail per account with notifications waiting for it, keyed by the
    /// account and `day` (queued once a day however often it runs), and clears the marks.
    async fn queue_digests(&self, day: &str, subject: &str) -> Result<u64>;
    /// Claims up to `limit` due outbox mails for `worker` for `lease_ms` from `now` (ms).
    async fn claim_mail(
        &self,
        worker: &str,
        now: i64,
        lease_ms: i64,
        limit: u32,
    ) -> Result<Vec<OutboxMail>>;
    /// Records what became of a claimed mail; `false` when `worker` no longer holds it.
    async fn finish_mail(&self, id: &str, worker: &str, outcome: MailOutcome<'_>) -> Result<bool>;
    /// The latest outbox rows (of one status when given) and how many rows each status has.
    async fn outbox(
        &self,
        status: Option<OutboxStatus>,
        limit: u32,
    ) -> Result<(Vec<OutboxEntry>, HashMap<OutboxStatus, i64>)>;

    // --- work shared by replicas (migration 0015)
    /// The latest end (ms) of a lock on any of the sign-in throttle's `keys` running at `now`.
    async fn sign_in_locked(&self, keys: &[String], now: i64) -> Result<Option<i64>>;
    /// Counts a failed sign-in of `key`; at `limit` failures within `window_ms` the key is
    /// locked for `lockout_ms` and the lock's end is returned.
    async fn sign_in_failed(
        &self,
        key: &str,
        limit: u32,
        now: i64,
        window_ms: i64,
        lockout_ms: i64,
    ) -> Result<Option<i64>>;
    /// A right password: the key's failures are forgotten (a running lock stays).
    async fn sign_in_succeeded(&self, key: &str) -> Result<()>;
    /// Notices of these kinds are queued for the outgoing webhook as well (none by default).
    fn set_webhook_kinds(&self, kinds: &[NotificationKind]);
    /// Claims up to `limit` due webhook events for `worker` for `lease_ms` from `now` (ms).
    async fn claim_webhooks(
        &self,
        worker: &str,
        now: i64,
        lease_ms: i64,
        limit: u32,
    ) -> Result<Vec<WebhookEvent>>;
    /// Records what became of a claimed event; `false` when `worker` no longer holds it.
    async fn finish_webhook(
        &self,
        id: &str,
        worker: &str,
        outcome: MailOutcome<'_>,
    ) -> Result<bool>;
    /// Claims up to `limit` due match jobs (demands published whose match notices are still
    /// to be written) for `worker`.
    async fn claim_match_jobs(
        &self,
        worker: &str,
        now: i64,
        lease_ms: i64,
        limit: u32,
    ) -> Result<Vec<MatchJob>>;
    /// Done (`None`: the job goes) or to be tried again at `retry_at` (ms); `false` when
    /// `worker` no longer holds it.
    async fn finish_match_job(
        &self,
        demand_id: &str,
        worker: &str,
        retry_at: Option<i64>,
    ) -> Result<bool>;

    // --- the audit log (审计日志)
    /// Appends an entry, stamped with the current time.
    async fn append_audit(&self, entry: &NewAuditEntry) -> Result<()>;
    /// Entries matching the filter, newest first, with how many match in all.
    async fn list_audit(&self, filter: &AuditFilter) -> Result<(Vec<AuditEntry>, i64)>;

    // --- the institution's workspace: its own achievements, experts and instruments
    /// Records `draft` for `org_id` in one transaction with its change-log row and `audit`
    /// (the new record's id added to the entry's records). Invalid when the organisation does
    /// not exist; Conflict when it already has an achievement of that title or an expert of
    /// that name.
    async fn create_own_record(
        &self,
        org_id: &str,
        draft: &OwnDraft,
        audit: &NewAuditEntry,
    ) -> Result<Record>;
    /// Replaces the record's text (of `draft`'s kind) and raises its version, if it is still
    /// at `version` when given ([`StoreError::Stale`] otherwise), with its change-log row and
    /// `audit` in one transaction. NotFound when there is no such record; Conflict when the
    /// new title or name is another record's of the organisation.
    async fn update_own_record(
        &self,
        id: &str,
        draft: &OwnDraft,
        version: Option<i64>,
        audit: &NewAuditEntry,
    ) -> Result<Record>;
    /// Deletes the record (at `version` when given), with a `delete` change-log row and
    /// `audit`. An expert's achievements lose their link to it (and are re-indexed); an
    /// expert with a secondment stays ([`StoreError::Conflict`]).
    async fn delete_own_record(
        &self,
        kind: EntityKind,
        id: &str,
        version: Option<i64>,
        audit: &NewAuditEntry,
    ) -> Result<()>;
    /// An organisation's records of `kind` (achievement, expert or instrument), latest
    /// change first, with how many it has in all.
    async fn org_records(
        &self,
        org_id: &str,
        kind: EntityKind,
        offset: u32,
        limit: u32,
    ) -> Result<(Vec<Record>, i64)>;
    /// Every expression of interest of `org_id` with its demand's title and status, newest
    /// first.
    async fn org_interests(&self, org_id: &str) -> Result<Vec<OrgInterest>>;
    /// The audit entries of records created, edited or deleted
    /// ([`AuditAction::RECORD_CHANGES`]), newest first, with how many there are in all.
    async fn record_changes(&self, offset: u32, limit: u32) -> Result<(Vec<AuditEntry>, i64)>;
}

/// Connects to `url` (`sqlite://...` or `postgres://...`), applying migrations.
pub async fn connect(url: &str) -> Result<std::sync::Arc<dyn Store>> {
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
