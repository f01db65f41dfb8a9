//! Expert committees (专家咨询委员会) the bureau assembles for a field.

use crate::taxonomy::Field;
use crate::wire::wire_enum;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

wire_enum! {
    /// Where a committee stands.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum CommitteeStatus {
        /// Proposed, being adjusted by the bureau.
        Draft => ("draft", "草案"),
        Confirmed => ("confirmed", "已确认"),
    }
}

/// One record that supports a member's place on a committee.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemberEvidence {
    /// `achievement` or `expert` (the expert's own profile).
    pub kind: String,
    pub id: String,
    pub title: String,
}

/// 委员: an expert on a committee, with why they were chosen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CommitteeMember {
    pub expert_id: String,
    pub name: String,
    pub org_id: String,
    pub org_name: String,
    /// The committee's sub-topics this expert covers.
    pub subtopics: Vec<String>,
    pub evidence: Vec<MemberEvidence>,
    /// One Chinese line: why this expert (empty for members the bureau added by hand).
    pub reason: String,
}

/// A sub-topic of a committee's field: a term frequent in the field's public demands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Subtopic {
    pub term: String,
    /// Public demands of the field that mention it.
    pub demands: u32,
}

/// 专家咨询委员会: experts the bureau assembles for a field.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Committee {
    pub id: String,
    pub name: String,
    pub field: Field,
    pub size: u32,
    pub status: CommitteeStatus,
    pub notes: String,
    pub subtopics: Vec<Subtopic>,
    pub members: Vec<CommitteeMember>,
    /// Raised by every update (the API's ETag).
    pub version: i64,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A proposed committee to save as a draft.
#[derive(Debug, Clone)]
pub struct NewCommittee {
    pub name: String,
    pub field: Field,
    pub size: u32,
    pub subtopics: Vec<Subtopic>,
    pub members: Vec<CommitteeMember>,
}

/// Changes to a committee; `None` leaves a part as it is.
#[derive(Debug, Clone, Default)]
pub struct CommitteeUpdate {
    pub name: Option<String>,
    pub notes: Option<String>,
    pub status: Option<CommitteeStatus>,
    pub members: Option<Vec<CommitteeMember>>,
    /// The version the editor read; a committee written since is refused as stale.
    pub version: Option<i64>,
}
