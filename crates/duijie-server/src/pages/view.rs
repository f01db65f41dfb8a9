//! What templates see: the API's JSON shapes plus labels, formatted values and the actions
//! the caller may take.

use super::render::{budget, datetime};
use crate::views::DemandJson;
use duijie_app::Caller;
use duijie_core::{Demand, DemandStatus};
use duijie_match::{Candidate, EvidenceKind};
use serde::Serialize;

/// Buttons a caller may press on a demand (the app decides again on every POST).
#[derive(Debug, Default, Serialize)]
pub struct Actions {
    pub edit: bool,
    pub submit: bool,
    pub withdraw: bool,
    pub review: bool,
}

impl Actions {
    pub fn for_demand(caller: &Caller, d: &Demand) -> Actions {
        let owner = caller.owns(d);
        Actions {
            edit: (owner
                && matches!(
                    d.status,
                    DemandStatus::Draft | DemandStatus::ChangesRequested | DemandStatus::Submitted
                ))
                || caller.is_curator(),
            submit: owner && d.status.can_move_to(DemandStatus::Submitted),
            withdraw: owner && d.status.can_move_to(DemandStatus::Withdrawn),
            review: caller.is_curator() && d.status == DemandStatus::Submitted,
        }
    }
}

/// A demand for templates; `contact_*` are present only when the app returned them.
#[derive(Debug, Serialize)]
pub struct DemandView {
    #[serde(flatten)]
    pub demand: DemandJson,
    pub status_label: &'static str,
    pub budget_text: String,
    pub updated_text: String,
    pub actions: Actions,
}

impl DemandView {
    pub fn new(caller: &Caller, d: Demand) -> DemandView {
        let actions = Actions::for_demand(caller, &d);
        DemandView {
            status_label: d.status.label(),
            budget_text: budget(d.body.budget_wan, d.body.budget_negotiable),
            updated_text: datetime(d.updated_at),
            actions,
            demand: d.into(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct EvidenceView {
    pub href: String,
    pub title: String,
    pub matched_terms: Vec<String>,
}

/// One ranked partner with the documents that support it.
#[derive(Debug, Serialize)]
pub struct CandidateView {
    pub rank: usize,
    pub name: String,
    pub institution: String,
    pub score_text: String,
    pub reason: String,
    pub evidence: Vec<EvidenceView>,
    /// Shared instruments of the institution relevant to the demand.
    pub instruments: Vec<EvidenceView>,
}

impl From<duijie_match::Evidence> for EvidenceView {
    fn from(e: duijie_match::Evidence) -> Self {
        EvidenceView {
            href: match e.kind {
                EvidenceKind::Achievement => format!("/achievements/{}", e.id),
                EvidenceKind::Expert => format!("/experts/{}", e.id),
                EvidenceKind::Instrument => format!("/instruments/{}", e.id),
            },
            title: e.title,
            matched_terms: e.matched_terms,
        }
    }
}

impl From<Candidate> for CandidateView {
    fn from(c: Candidate) -> Self {
        CandidateView {
            rank: c.rank,
            name: c.name,
            institution: c.institution,
            score_text: format!("{:.1}", c.score),
            reason: c.reason,
            evidence: c.evidence.into_iter().map(Into::into).collect(),
            instruments: c.instruments.into_iter().map(Into::into).collect(),
        }
    }
}

/// One facet value with the link that filters by it (or, when active, clears it).
#[derive(Debug, Serialize)]
pub struct FacetLink {
    pub value: String,
    pub count: u64,
    pub href: String,
    pub on: bool,
}
