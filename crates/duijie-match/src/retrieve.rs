//! What ranking needs from a search index, as a small trait: document frequencies for query
//! weighting and weighted-term retrieval of one kind of document. The production index
//! (`duijie-search`) and the in-memory reference index ([`crate::memory::MemoryIndex`]) both
//! implement it, so ranking, its tests and the evaluation share one code path.

use crate::profile::{ProfileHit, ProfileParams};
use crate::rank::CandidateKind;
use crate::MatchError;
use duijie_core::{DemandStatus, EntityKind, Field};

/// One query term and how much it should count.
#[derive(Debug, Clone, PartialEq)]
pub struct WeightedTerm {
    pub term: String,
    pub weight: f32,
}

/// Restricts retrieval; empty lists mean "any".
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DocFilter {
    /// Demand statuses to keep (only meaningful for demands).
    pub statuses: Vec<DemandStatus>,
}

/// One retrieved document with what ranking and explanations need.
#[derive(Debug, Clone, PartialEq)]
pub struct DocHit {
    pub kind: EntityKind,
    pub id: String,
    pub score: f32,
    pub title: String,
    pub org_id: String,
    pub org_name: String,
    /// The achievement's leader (负责人) or the expert's own name.
    pub person: Option<String>,
    /// The expert record: the document itself for experts, the leader's record for achievements.
    pub expert_id: Option<String>,
    pub field: Option<Field>,
    pub region: Option<String>,
    /// Query terms found in the document, in query order.
    pub matched_terms: Vec<String>,
}

/// A searchable collection of achievements, experts and demands.
pub trait Retriever: Send + Sync {
    /// Documents (of any kind) containing `term` in an indexed text field.
    fn doc_freq(&self, term: &str) -> u64;
    /// Documents in the index, of any kind.
    fn num_docs(&self) -> u64;
    /// The best `limit` documents of `kind` for the weighted terms, best first.
    fn top(
        &self,
        kind: EntityKind,
        terms: &[WeightedTerm],
        filter: &DocFilter,
        limit: usize,
    ) -> Result<Vec<DocHit>, MatchError>;

    /// The best `limit` candidate profiles (all documents of an institution or a person as
    /// one); an index without profiles returns none and ranking uses documents alone.
    fn top_profiles(
        &self,
        kind: CandidateKind,
        terms: &[WeightedTerm],
        params: &ProfileParams,
        limit: usize,
    ) -> Result<Vec<ProfileHit>, MatchError> {
        let _ = (kind, terms, params, limit);
        Ok(Vec::new())
    }
}
