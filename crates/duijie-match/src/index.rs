//! The production index as ranking sees it: [`Retriever`] over duijie-search's tantivy
//! [`SearchIndex`], with words in the title, keywords and body fields and character bigrams in
//! the bigram field.

use crate::retrieve::{DocFilter, DocHit, FieldWeights, Retriever, WeightedTerm};
use crate::MatchError;
use duijie_core::{EntityKind, Field};
use duijie_search::{FieldBoosts, Filter, Jieba, SearchIndex};
use std::sync::Arc;

/// The tantivy index as a [`Retriever`].
#[derive(Debug, Clone)]
pub struct IndexRetriever(pub Arc<SearchIndex>);

impl Retriever for IndexRetriever {
    fn doc_freq(&self, kind: EntityKind, term: &str) -> u64 {
        self.0.doc_freq_in(kind, term)
    }

    fn num_docs(&self, kind: EntityKind) -> u64 {
        self.0.num_docs_in(kind)
    }

    fn top(
        &self,
        kind: EntityKind,
        terms: &[WeightedTerm],
        filter: &DocFilter,
        fields: &FieldWeights,
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
        // The organisation's name is not evidence of competence in a topic.
        let boosts = FieldBoosts {
            title: fields.title,
            keywords: fields.keywords,
            body: fields.body,
            org: 0.0,
            grams: fields.grams,
        };
        let docs = self
            .0
            .top_weighted_with(kind, &terms, &filter, &boosts, limit)
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

    fn hit(&self, kind: EntityKind, id: &str) -> Result<Option<DocHit>, MatchError> {
        let doc = self
            .0
            .get(id)
            .map_err(|e| MatchError::Search(e.to_string()))?;
        Ok(doc.filter(|d| d.kind == kind).map(|d| DocHit {
            kind: d.kind,
            id: d.id,
            score: 0.0,
            title: d.title,
            org_id: d.org_id,
            org_name: d.org_name,
            person: d.person,
            expert_id: d.expert_id,
            field: d.field.as_deref().and_then(Field::from_label),
            region: d.region,
            matched_terms: Vec::new(),
        }))
    }

    fn jieba(&self) -> Arc<Jieba> {
        self.0.jieba()
    }
}
