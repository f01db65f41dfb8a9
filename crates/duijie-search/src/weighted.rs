//! A weighted disjunction of term queries that keeps tantivy's block-max WAND pruning.
//!
//! tantivy prunes a union with block-max WAND only when every clause is a term scorer reading
//! frequencies; a term absent from a segment yields empty postings that read none, and the
//! whole segment then falls back to scoring every matching document. A ranking query has
//! dozens of terms over four fields, so some term is always absent somewhere. This query
//! leaves, per segment, the absent terms out.

use std::sync::Arc;
use tantivy::query::{
    BooleanWeight, BoostQuery, EmptyScorer, EnableScoring, Explanation, Occur, Query, Scorer,
    SumCombiner, TermQuery, Weight,
};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, Score, SegmentReader, Term};

/// `Σ boost × BM25(term)` over the given (term, boost) pairs; matches any of them.
#[derive(Debug, Clone)]
pub(crate) struct WeightedTerms {
    terms: Vec<(Term, Score)>,
}

impl WeightedTerms {
    pub(crate) fn new(terms: Vec<(Term, Score)>) -> Self {
        WeightedTerms { terms }
    }
}

impl Query for WeightedTerms {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let mut terms = Vec::with_capacity(self.terms.len());
        for (term, boost) in &self.terms {
            let query = BoostQuery::new(
                Box::new(TermQuery::new(term.clone(), IndexRecordOption::WithFreqs)),
                *boost,
            );
            terms.push((term.clone(), Arc::from(query.weight(enable_scoring)?)));
        }
        Ok(Box::new(WeightedTermsWeight { terms }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for (term, _) in &self.terms {
            visitor(term, false);
        }
    }
}

struct WeightedTermsWeight {
    terms: Vec<(Term, Arc<dyn Weight>)>,
}

/// A term weight shared between segments. Its scorer is the term weight's own, so the union
/// still recognises it as a term scorer.
struct Shared(Arc<dyn Weight>);

impl Weight for Shared {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        self.0.scorer(reader, boost)
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        self.0.explain(reader, doc)
    }
}

impl WeightedTermsWeight {
    /// The union of the terms present in this segment, or `None` when none is.
    fn segment_weight(
        &self,
        reader: &SegmentReader,
    ) -> tantivy::Result<Option<BooleanWeight<SumCombiner>>> {
        let mut clauses: Vec<(Occur, Box<dyn Weight>)> = Vec::new();
        for (term, weight) in &self.terms {
            let present = reader
                .inverted_index(term.field())?
                .get_term_info(term)?
                .is_some();
            if present {
                clauses.push((Occur::Should, Box::new(Shared(weight.clone()))));
            }
        }
        if clauses.is_empty() {
            return Ok(None);
        }
        Ok(Some(BooleanWeight::new(
            clauses,
            true,
            Box::new(SumCombiner::default),
        )))
    }
}
impl Weight for WeightedTermsWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        match self.segment_weight(reader)? {
            Some(weight) => weight.scorer(reader, boost),
            None => Ok(Box::new(EmptyScorer)),
        }
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        match self.segment_weight(reader)? {
            Some(weight) => weight.explain(reader, doc),
            None => Err(tantivy::TantivyError::InvalidArgument(format!(
                "document {doc} does not match"
            ))),
        }
    }

    fn for_each_pruning(
        &self,
        threshold: Score,
        reader: &SegmentReader,
        callback: &mut dyn FnMut(DocId, Score) -> Score,
    ) -> tantivy::Result<()> {
        match self.segment_weight(reader)? {
            Some(weight) => weight.for_each_pruning(threshold, reader, callback),
            None => Ok(()),
        }
    }
}
