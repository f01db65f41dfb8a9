//! Expert committees (专家咨询委员会) with their members and why each was chosen.

use super::field_name;
use chrono::{DateTime, Utc};
use duijie_app::openapi;
use serde::Serialize;
use utoipa::ToSchema;

/// An expert committee with its members and why each was chosen.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Committee)]
pub struct CommitteeJson {
    pub id: String,
    pub name: String,
    /// 技术领域 label.
    pub field: &'static str,
    pub size: u32,
    /// `draft` or `confirmed`.
    #[schema(schema_with = openapi::committee_status)]
    pub status: &'static str,
    pub notes: String,
    pub subtopics: Vec<SubtopicJson>,
    pub members: Vec<MemberJson>,
    /// Raised by every update; also the `ETag`.
    pub version: i64,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A sub-topic of the committee's field and the public demands that mention it.
#[derive(Debug, Serialize, ToSchema)]
pub struct SubtopicJson {
    pub term: String,
    pub demands: u32,
}

/// 委员: an expert on a committee.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberJson {
    pub expert_id: String,
    pub name: String,
    pub org_id: String,
    pub org_name: String,
    /// The committee's sub-topics this expert covers.
    pub subtopics: Vec<String>,
    pub evidence: Vec<MemberEvidenceJson>,
    /// Why this expert (empty for members the bureau added by hand).
    pub reason: String,
}

/// A record that supports a member's place.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberEvidenceJson {
    /// `achievement` or `expert`.
    pub kind: String,
    pub id: String,
    pub title: String,
}

impl From<duijie_core::Committee> for CommitteeJson {
    fn from(c: duijie_core::Committee) -> Self {
        CommitteeJson {
            id: c.id,
            name: c.name,
            field: field_name(c.field),
            size: c.size,
            status: c.status.as_str(),
            notes: c.notes,
            subtopics: c
                .subtopics
                .into_iter()
                .map(|s| SubtopicJson {
                    term: s.term,
                    demands: s.demands,
                })
                .collect(),
            members: c
                .members
                .into_iter()
                .map(|m| MemberJson {
                    expert_id: m.expert_id,
                    name: m.name,
                    org_id: m.org_id,
                    org_name: m.org_name,
                    subtopics: m.subtopics,
                    evidence: m
                        .evidence
                        .into_iter()
                        .map(|e| MemberEvidenceJson {
                            kind: e.kind,
                            id: e.id,
                            title: e.title,
                        })
                        .collect(),
                    reason: m.reason,
                })
                .collect(),
            version: c.version,
            created_by: c.created_by,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}
