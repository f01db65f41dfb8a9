//! What templates see: the API's JSON shapes plus labels, formatted values and the actions
//! the caller may take.

use super::render::{budget, datetime};
use crate::views::DemandJson;
use duijie_app::{Action, Caller};
use duijie_core::{Demand, DemandStatus};
use duijie_match::{Candidate, EvidenceKind};
use serde::Serialize;

/// Buttons a caller may press on a demand (the app decides again on every POST).
#[derive(Debug, Default, Serialize)]
pub struct Actions {
    pub edit: bool,
    pub submit: bool,
    pub withdraw: bool,
    pub reopen: bool,
    pub delete: bool,
    pub review: bool,
}

impl Actions {
    pub fn for_demand(caller: &Caller, d: &Demand) -> Actions {
        let owner = caller.owns(d);
        Actions {
            edit: (owner && d.status.is_editable_by_owner()) || caller.may(Action::EditAnyDemand),
            submit: owner && d.status.can_move_to(DemandStatus::Submitted),
            withdraw: owner && d.status.can_move_to(DemandStatus::Withdrawn),
            reopen: owner && d.status == DemandStatus::Withdrawn,
            delete: owner && d.status == DemandStatus::Draft,
            review: caller.may(Action::ReviewDemand) && d.status == DemandStatus::Submitted,
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
    /// Interests waiting for the owner's answer, where the page counts them.
    pub pending_interests: Option<usize>,
}

impl DemandView {
    pub fn new(caller: &Caller, d: Demand) -> DemandView {
        let actions = Actions::for_demand(caller, &d);
        DemandView {
            status_label: d.status.label(),
            budget_text: budget(d.body.budget_wan, d.body.budget_negotiable),
            updated_text: datetime(d.updated_at),
            actions,
            pending_interests: None,
            demand: d.into(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct EvidenceView {
    pub id: String,
    /// `achievement`, `expert` or `instrument`.
    pub kind: &'static str,
    pub href: String,
    pub title: String,
    pub matched_terms: Vec<String>,
    /// Found by meaning only (语义相近): no word of the demand is in it.
    pub semantic: bool,
}

/// One ranked partner with the documents that support it.
#[derive(Debug, Serialize)]
pub struct CandidateView {
    pub rank: usize,
    pub id: String,
    pub name: String,
    pub institution: String,
    /// `strong`, `partial` or `weak`: how well the evidence covers the demand, calibrated on
    /// judged demands (a raw or relative score says nothing about that).
    pub tier: &'static str,
    /// 强相关 / 部分相关 / 弱相关
    pub tier_label: &'static str,
    pub reason: String,
    pub evidence: Vec<EvidenceView>,
    /// Shared instruments of the institution relevant to the demand.
    pub instruments: Vec<EvidenceView>,
}

impl From<duijie_match::Evidence> for EvidenceView {
    fn from(e: duijie_match::Evidence) -> Self {
        let kind = match e.kind {
            EvidenceKind::Achievement => "achievement",
            EvidenceKind::Expert => "expert",
            EvidenceKind::Instrument => "instrument",
        };
        EvidenceView {
            href: format!("/{kind}s/{}", e.id),
            id: e.id,
            kind,
            title: e.title,
            matched_terms: e.matched_terms,
            semantic: e.semantic,
        }
    }
}

/// Each score as a share of the best one, in whole percent (at least 1, so a listed
/// candidate never reads as 0).
pub fn strengths(scores: &[f64]) -> Vec<u32> {
    let top = scores.iter().copied().fold(0.0_f64, f64::max);
    scores
        .iter()
        .map(|s| {
            if top > 0.0 {
                // In 0..=100 by construction, so the cast cannot truncate.
                ((s / top * 100.0).round() as u32).clamp(1, 100)
            } else {
                1
            }
        })
        .collect()
}

impl CandidateView {
    /// The candidates of one ranking, in order.
    pub fn list(candidates: Vec<Candidate>) -> Vec<CandidateView> {
        candidates
            .into_iter()
            .map(|c| CandidateView {
                rank: c.rank,
                id: c.id,
                name: c.name,
                institution: c.institution,
                tier: c.tier.as_str(),
                tier_label: c.tier.label(),
                reason: c.reason,
                evidence: c.evidence.into_iter().map(Into::into).collect(),
                instruments: c.instruments.into_iter().map(Into::into).collect(),
            })
            .collect()
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

#[cfg(test)]
mod tests {
    use super::strengths;

    #[test]
    fn strengths_are_shares_of_the_best_score() {
        assert_eq!(strengths(&[8.0, 4.0, 0.01]), vec![100, 50, 1]);
        assert_eq!(strengths(&[0.0, 0.0]), vec![1, 1]);
        assert!(strengths(&[]).is_empty());
    }
}
