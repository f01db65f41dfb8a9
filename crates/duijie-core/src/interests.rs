//! Expressions of interest (揭榜 / 对接意向): an institution's proposal on a public demand,
//! with the evidence it cites and its contact person, and the owner's answer.

use crate::model::Contact;
use crate::wire::wire_enum;
use chrono::{DateTime, Utc};
use serde::Serialize;

wire_enum! {
    /// Where an expression of interest stands.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
    #[serde(rename_all = "snake_case")]
    pub enum InterestStatus {
        Pending => ("pending", "待处理"),
        Accepted => ("accepted", "接受"),
        Declined => ("declined", "婉拒"),
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
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
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
