//! `/healthz`: readiness and how far the search index and the vectors are.

use duijie_app::openapi;
use serde::Serialize;
use utoipa::ToSchema;

/// The readiness report, the same body for 200 and 503.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Health)]
pub struct HealthJson {
    /// `ok` (200), else 503.
    #[schema(schema_with = openapi::readiness)]
    pub status: &'static str,
    pub index: IndexJson,
    /// The semantic vectors' progress; null when semantic matching is off.
    pub semantic: Option<VectorStatusJson>,
}

/// How far the search index is behind the change log.
#[derive(Debug, Serialize, ToSchema)]
pub struct IndexJson {
    /// The last change-log sequence the index has committed.
    pub applied_seq: i64,
    /// The change log's last sequence; null when the database did not answer.
    pub head_seq: Option<i64>,
    /// `head_seq - applied_seq`.
    pub behind: Option<u64>,
    /// The configured `max_index_lag`.
    pub max_behind: u64,
    /// Started and nothing left to apply.
    pub caught_up: bool,
    pub documents: u64,
}

impl IndexJson {
    pub fn new(s: &duijie_app::IndexStatus, max_behind: u64) -> Self {
        IndexJson {
            applied_seq: s.applied_seq,
            head_seq: s.head_seq,
            behind: s.behind,
            max_behind,
            caught_up: s.caught_up,
            documents: s.documents,
        }
    }
}

/// The semantic vectors catch up in the background and never make the service unready.
#[derive(Debug, Serialize, ToSchema)]
pub struct VectorStatusJson {
    /// Records with a vector.
    pub documents: u64,
    /// Stored demands whose query vector is ready.
    pub queries: u64,
    /// Texts waiting for their vector.
    pub pending: u64,
    /// Vectors this process computed since it started.
    pub embedded: u64,
    /// Records searched through an approximate graph; the others are scanned exactly.
    pub graphed: u64,
    /// Stored vectors loaded and the records caught up with once.
    pub started: bool,
}

impl From<duijie_app::VectorStatus> for VectorStatusJson {
    fn from(v: duijie_app::VectorStatus) -> Self {
        // Every field named: a new one fails to build here instead of missing on the wire.
        let duijie_app::VectorStatus {
            documents,
            queries,
            pending,
            embedded,
            graphed,
            started,
        } = v;
        VectorStatusJson {
            documents,
            queries,
            pending,
            embedded,
            graphed,
            started,
        }
    }
}
