//! A demand's history and the bureau's review queue.

use super::DemandJson;
use chrono::{DateTime, Utc};
use duijie_app::openapi;
use serde::Serialize;
use utoipa::ToSchema;

/// One status change of a demand: who, when, why.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = DemandEvent)]
pub struct DemandEventJson {
    /// Null where the history starts.
    #[schema(schema_with = openapi::demand_status_or_null)]
    pub from_status: Option<&'static str>,
    #[schema(schema_with = openapi::demand_status)]
    pub to_status: &'static str,
    pub actor_id: Option<String>,
    pub actor_name: String,
    pub note: String,
    pub at: DateTime<Utc>,
}

impl From<duijie_app::DemandEvent> for DemandEventJson {
    fn from(e: duijie_app::DemandEvent) -> Self {
        DemandEventJson {
            from_status: e.from_status.map(|s| s.as_str()),
            to_status: e.to_status.as_str(),
            actor_id: e.actor_id,
            actor_name: e.actor_name,
            note: e.note,
            at: e.at,
        }
    }
}

/// Something a demand lacks (a gap).
#[derive(Debug, Serialize, ToSchema)]
pub struct RemarkJson {
    /// The request field concerned.
    pub field: &'static str,
    pub code: &'static str,
    pub message: String,
}

impl From<duijie_core::curation::Gap> for RemarkJson {
    fn from(g: duijie_core::curation::Gap) -> Self {
        RemarkJson {
            field: g.field,
            code: g.code,
            message: g.message.to_string(),
        }
    }
}

/// A value to check before approving (a doubt).
#[derive(Debug, Serialize, ToSchema)]
pub struct DoubtJson {
    /// The request field concerned.
    pub field: &'static str,
    #[schema(schema_with = openapi::doubt_code)]
    pub code: &'static str,
    pub message: String,
}

impl From<duijie_core::curation::Doubt> for DoubtJson {
    fn from(d: duijie_core::curation::Doubt) -> Self {
        DoubtJson {
            field: d.field,
            code: d.code.as_str(),
            message: d.message,
        }
    }
}

/// Why a stored demand looks like a repeat of the one under review.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DuplicateReasonJson {
    NearIdenticalText,
    SameEnterprise,
}

impl From<duijie_core::curation::DuplicateReason> for DuplicateReasonJson {
    fn from(r: duijie_core::curation::DuplicateReason) -> Self {
        use duijie_core::curation::DuplicateReason as R;
        match r {
            R::NearIdenticalText => DuplicateReasonJson::NearIdenticalText,
            R::SameEnterprise => DuplicateReasonJson::SameEnterprise,
        }
    }
}

/// A stored demand that looks like a repeat of the one under review.
#[derive(Debug, Serialize, ToSchema)]
pub struct DuplicateJson {
    pub id: String,
    pub title: String,
    pub enterprise: String,
    #[schema(schema_with = openapi::demand_status)]
    pub status: &'static str,
    /// Share of wording in common, 0 to 1.
    pub similarity: f64,
    pub reasons: Vec<DuplicateReasonJson>,
}

impl From<duijie_app::DuplicateCandidate> for DuplicateJson {
    fn from(d: duijie_app::DuplicateCandidate) -> Self {
        DuplicateJson {
            id: d.id,
            title: d.title,
            enterprise: d.enterprise,
            status: d.status.as_str(),
            similarity: d.similarity,
            reasons: d.reasons.into_iter().map(Into::into).collect(),
        }
    }
}

/// One demand of the review queue.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ReviewItem)]
pub struct ReviewItemJson {
    pub demand: DemandJson,
    pub complete: bool,
    pub gaps: Vec<RemarkJson>,
    /// Values to check before approving (a passed deadline, an unusual budget).
    pub doubts: Vec<DoubtJson>,
    pub suggested_note: Option<String>,
    pub duplicates: Vec<DuplicateJson>,
}

impl From<duijie_app::ReviewItem> for ReviewItemJson {
    fn from(r: duijie_app::ReviewItem) -> Self {
        ReviewItemJson {
            demand: r.demand.into(),
            complete: r.gaps.is_empty(),
            gaps: r.gaps.into_iter().map(Into::into).collect(),
            doubts: r.doubts.into_iter().map(Into::into).collect(),
            suggested_note: r.suggested_note,
            duplicates: r.duplicates.into_iter().map(Into::into).collect(),
        }
    }
}
