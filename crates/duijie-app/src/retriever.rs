//! Ranking (`duijie-match`) reads the production tantivy index through its `Retriever` trait.

use duijie_core::{EntityKind, Field};
use duijie_match::{DocFilter, DocHit, MatchError, Retriever, WeightedTerm};
use duijie_search::{Filter, SearchIndex};
use std::sync::Arc;

/// The search index as ranking sees it.
pub(crate) struct IndexRetriever(pub Arc<SearchIndex>);

impl Retriever for IndexRetriever {
    fn doc_freq(&self, term: &str) -> u64 {
        self.0.doc_freq(term)
    }

    fn num_docs(&self) -> u64 {
        self.0.num_docs()
    }

    fn top(
        &self,
        kind: EntityKind,
        terms: &[WeightedTerm],
        filter: &DocFilter,
        limit: usize,
    ) -> Result<Vec<DocHit>, MatchError> {
        let terms: Vec<(String, f32)> = terms.iter().map(|t| (t.term.clone(), t.weight)).collect();
        let filter = Filter {
            statuses: (!filter.statuses.is_empty()).then(|| {
                filter
                    .statuses
                    .iter()
                    .map(|s| s.as_str().to_string())
                    .collect()
            }),
            ..Filter::default()
        };
        let docs = self
            .0
            .top_weighted(kind, &terms, &filter, limit)
            .map_err(|e| MatchError::Search(e.to_string()))?;
        Ok(docs
            .into_iter()
            .map(|d| DocHit {
                kind: d.kind,
                id: d.id,
                score: d.score,
                title: d.title,
                org_id: d.org_id,
                org_name: d.org_name,
                person: d.person,
                expert_id: d.expert_id,
                field: d.field.as_deref().and_then(Field::from_label),
                region: d.region,
                matched_terms: d.matched_terms,
            })
            .collect())
    }
}
