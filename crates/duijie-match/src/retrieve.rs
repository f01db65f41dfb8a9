//! What ranking needs from a search index, as a small trait: document frequencies for query
//! weighting, weighted-term retrieval of one kind of document, and the dictionary to segment
//! queries with. The production tantivy index implements it ([`crate::IndexRetriever`]); the
//! HTTP endpoints, the tests and the evaluation all rank through it.

use crate::MatchError;
use duijie_core::{DemandStatus, EntityKind, Field};
use duijie_search::Jieba;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// One query term and how much it should count.
#[derive(Debug, Clone, PartialEq)]
pub struct WeightedTerm {
    pub term: String,
    pub weight: f32,
}

/// How much a term counts in each text field of a document (BM25 per field, summed with these
/// weights). Character bigrams ([`crate::GRAM_MARK`]) are matched against the bigram field of
/// title and keywords only; words against title, keywords and body.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FieldWeights {
    pub title: f32,
    pub keywords: f32,
    pub body: f32,
    pub grams: f32,
}

impl Default for FieldWeights {
    fn default() -> Self {
        FieldWeights {
            title: 1.0,
            keywords: 1.0,
            body: 0.5,
            grams: 1.0,
        }
    }
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
    /// Query words (never bigrams) found in the document, in query order.
    pub matched_terms: Vec<String>,
}

/// A searchable collection of achievements, experts and demands.
pub trait Retriever: Send + Sync {
    /// Documents of `kind` containing `term` in an indexed text field (a bigram term: in the
    /// bigram field). Statistics are per kind: documents of one kind never move the weights
    /// of another.
    fn doc_freq(&self, kind: EntityKind, term: &str) -> u64;
    /// Documents of `kind` in the index.
    fn num_docs(&self, kind: EntityKind) -> u64;
    /// The best `limit` documents of `kind` for the weighted terms, best first.
    fn top(
        &self,
        kind: EntityKind,
        terms: &[WeightedTerm],
        filter: &DocFilter,
        fields: &FieldWeights,
        limit: usize,
    ) -> Result<Vec<DocHit>, MatchError>;
    /// The document `id` of `kind` with score 0 and no matched words (a document found by
    /// meaning only); `None` when the retriever cannot look documents up.
    fn hit(&self, _kind: EntityKind, _id: &str) -> Result<Option<DocHit>, MatchError> {
        Ok(None)
    }
    /// The dictionary the index analyses text with; queries are segmented with the same one.
    fn jieba(&self) -> Arc<Jieba>;
}
