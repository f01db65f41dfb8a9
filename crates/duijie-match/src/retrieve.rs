//! What ranking needs from a search index, as a small trait over duijie-search's own types:
//! document frequencies for query weighting, weighted-term retrieval of one kind of document,
//! one document by id, and the dictionary to segment queries with. The production tantivy
//! index ([`SearchIndex`]) implements it; a trait rather than the index itself so that tests
//! can watch what ranking asks of it.

use crate::MatchError;
use duijie_core::EntityKind;
use duijie_search::{FieldBoosts, Filter, Jieba, ScoredDoc, SearchIndex, WeightedTerm};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// How much a term counts in each text field of a document (BM25 per field, summed with these
/// weights): ranking's setting of the index's [`FieldBoosts`], serialised with the rest of
/// `MatchConfig`. Character bigrams ([`crate::GRAM_MARK`]) are matched against the bigram field
/// of title and keywords only; words against title, keywords and body.
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

impl FieldWeights {
    /// The boosts retrieval applies.
    pub fn boosts(&self) -> FieldBoosts {
        FieldBoosts {
            title: self.title,
            keywords: self.keywords,
            body: self.body,
            // The organisation's name is not evidence of competence in a topic.
            org: 0.0,
            grams: self.grams,
        }
    }
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
        filter: &Filter,
        boosts: &FieldBoosts,
        limit: usize,
    ) -> Result<Vec<ScoredDoc>, MatchError>;
    /// The documents `ids` of `kind` with score 0 and no matched words (documents found by
    /// meaning only), in the order of `ids`; none when the retriever cannot look documents up.
    fn hits(&self, _kind: EntityKind, _ids: &[&str]) -> Result<Vec<ScoredDoc>, MatchError> {
        Ok(Vec::new())
    }
    /// The dictionary the index analyses text with; queries are segmented with the same one.
    fn jieba(&self) -> Arc<Jieba>;
}

fn search_err(e: duijie_search::SearchError) -> MatchError {
    MatchError::Search(e.to_string())
}

impl Retriever for SearchIndex {
    fn doc_freq(&self, kind: EntityKind, term: &str) -> u64 {
        self.doc_freq_in(kind, term)
    }

    fn num_docs(&self, kind: EntityKind) -> u64 {
        self.num_docs_in(kind)
    }

    fn top(
        &self,
        kind: EntityKind,
        terms: &[WeightedTerm],
        filter: &Filter,
        boosts: &FieldBoosts,
        limit: usize,
    ) -> Result<Vec<ScoredDoc>, MatchError> {
        self.top_weighted_with(kind, terms, filter, boosts, limit)
            .map_err(search_err)
    }

    fn hits(&self, kind: EntityKind, ids: &[&str]) -> Result<Vec<ScoredDoc>, MatchError> {
        SearchIndex::hits(self, kind, ids).map_err(search_err)
    }

    fn jieba(&self) -> Arc<Jieba> {
        SearchIndex::jieba(self)
    }
}
