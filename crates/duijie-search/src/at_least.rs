//! "At least `k` of these `n` queries", scored by the sum of the scores of those that match.
//!
//! tantivy's own form (`BooleanQuery::with_minimum_required_clauses`) keeps every clause in a
//! heap and visits each document any clause matches. But a document missing at most `n - k`
//! clauses must match one of any `n - k + 1` of them, so only the union of the `n - k + 1`
//! rarest clauses (the lead) is walked; the others are only asked about the documents it
//! yields, with `seek`, and a candidate is dropped as soon as too few clauses are left for it.

use tantivy::query::{EmptyScorer, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SegmentReader, TERMINATED};

/// Matches documents matching at least `required` of `clauses`.
#[derive(Debug)]
pub(crate) struct AtLeast {
    clauses: Vec<Box<dyn Query>>,
    required: usize,
}

impl AtLeast {
    /// `required` is at least 1 (a document must match something).
    pub(crate) fn new(clauses: Vec<Box<dyn Query>>, required: usize) -> Self {
        AtLeast {
            clauses,
            required: required.max(1),
        }
    }
}

impl Clone for AtLeast {
    fn clone(&self) -> Self {
        AtLeast {
            clauses: self.clauses.iter().map(|q| q.box_clone()).collect(),
            required: self.required,
        }
    }
}

impl Query for AtLeast {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let weights = self
            .clauses
            .iter()
            .map(|q| q.weight(enable_scoring))
            .collect::<tantivy::Result<_>>()?;
        Ok(Box::new(AtLeastWeight {
            weights,
            required: self.required,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a tantivy::Term, bool)) {
        for q in &self.clauses {
            q.query_terms(visitor);
        }
    }
}

struct AtLeastWeight {
    weights: Vec<Box<dyn Weight>>,
    required: usize,
}

impl Weight for AtLeastWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let mut scorers = Vec::with_capacity(self.weights.len());
        for weight in &self.weights {
            let scorer = weight.scorer(reader, boost)?;
            if scorer.doc() != TERMINATED {
                scorers.push(scorer);
            }
        }
        if scorers.len() < self.required {
            return Ok(Box::new(EmptyScorer));
        }
        Ok(Box::new(AtLeastScorer::new(scorers, self.required)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.seek(doc) != doc {
            return Err(tantivy::TantivyError::InvalidArgument(format!(
                "document {doc} does not match"
            )));
        }
        let mut explanation =
            Explanation::new("at least the required clauses, sum of", scorer.score());
        for weight in &self.weights {
            if let Ok(detail) = weight.explain(reader, doc) {
                explanation.add_detail(detail);
            }
        }
        Ok(explanation)
    }
}

struct AtLeastScorer {
    /// The `n - k + 1` clauses with the fewest documents: every match is in their union.
    lead: Vec<Box<dyn Scorer>>,
    /// The other clauses, fewest documents first; only ever sought to a lead candidate.
    tail: Vec<Box<dyn Scorer>>,
    required: usize,
    doc: DocId,
    score: Score,
}

impl AtLeastScorer {
    /// `scorers` are positioned on their first document; `1 <= required <= scorers.len()`.
    fn new(mut scorers: Vec<Box<dyn Scorer>>, required: usize) -> Self {
        scorers.sort_by_key(|s| s.size_hint());
        let tail = scorers.split_off(scorers.len() + 1 - required);
        let mut scorer = AtLeastScorer {
            lead: scorers,
            tail,
            required,
            doc: 0,
            score: 0.0,
        };
        scorer.find();
        scorer
    }

    /// Moves to the first match at or after the lead's current positions.
    fn find(&mut self) -> DocId {
        loop {
            let candidate = self
                .lead
                .iter()
                .map(|s| s.doc())
                .min()
                .unwrap_or(TERMINATED);
            if candidate == TERMINATED {
                self.doc = TERMINATED;
                self.score = 0.0;
                return TERMINATED;
            }
            let mut matched = 0;
            let mut score = 0.0;
            for s in &mut self.lead {
                if s.doc() == candidate {
                    matched += 1;
                    score += s.score();
                    s.advance();
                }
            }
            let mut left = self.tail.len();
            for s in &mut self.tail {
                if matched + left < self.required {
                    break;
                }
                left -= 1;
                let at = if s.doc() < candidate {
                    s.seek(candidate)
                } else {
                    s.doc()
                };
                if at == candidate {
                    matched += 1;
                    score += s.score();
                }
            }
            if matched >= self.required {
                self.doc = candidate;
                self.score = score;
                return candidate;
            }
        }
    }
}

impl DocSet for AtLeastScorer {
    fn advance(&mut self) -> DocId {
        self.find()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        for s in &mut self.lead {
            if s.doc() < target {
                s.seek(target);
            }
        }
        self.find()
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.lead
            .iter()
            .map(|s| s.size_hint())
            .fold(0u32, u32::saturating_add)
    }
}

impl Scorer for AtLeastScorer {
    fn score(&mut self) -> Score {
        self.score
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::collector::{Count, TopDocs};
    use tantivy::query::{BooleanQuery, Occur, TermQuery};
    use tantivy::schema::{IndexRecordOption, Schema, TEXT};
    use tantivy::{doc, Index, Term};

    /// Every subset of five words over 32 documents, against tantivy's own minimum-match
    /// query: the same documents with the same scores, for every `k`.
    #[test]
    fn matches_tantivys_minimum_match() -> tantivy::Result<()> {
        let mut builder = Schema::builder();
        let text = builder.add_text_field("text", TEXT);
        let index = Index::create_in_ram(builder.build());
        let mut writer: tantivy::IndexWriter = index.writer(15_000_000)?;
        let words = ["alpha", "beta", "gamma", "delta", "epsilon"];
        for mask in 0u32..32 {
            let body: Vec<&str> = words
                .iter()
                .enumerate()
                .filter(|(i, _)| mask & (1 << i) != 0)
                .map(|(_, w)| *w)
                .collect();
            // Repeat some words so the scores differ between documents.
            let body = format!("{} {}", body.join(" "), body.first().copied().unwrap_or(""));
            writer.add_document(doc!(text => body))?;
        }
        writer.commit()?;
        let searcher = index.reader()?.searcher();
        let clauses = || -> Vec<Box<dyn Query>> {
            words
                .iter()
                .map(|w| {
                    Box::new(TermQuery::new(
                        Term::from_field_text(text, w),
                        IndexRecordOption::WithFreqs,
                    )) as Box<dyn Query>
                })
                .collect()
        };
        for k in 1..=words.len() {
            let ours = AtLeast::new(clauses(), k);
            let theirs = BooleanQuery::with_minimum_required_clauses(
                clauses().into_iter().map(|q| (Occur::Should, q)).collect(),
                k,
            );
            let top = TopDocs::with_limit(64);
            let (mut a, n) = searcher.search(&ours, &(top, Count))?;
            let (mut b, m) = searcher.search(&theirs, &(TopDocs::with_limit(64), Count))?;
            assert_eq!(n, m, "count for k = {k}");
            a.sort_by_key(|(_, d)| *d);
            b.sort_by_key(|(_, d)| *d);
            assert_eq!(a.len(), b.len());
            for ((sa, da), (sb, db)) in a.iter().zip(&b) {
                assert_eq!(da, db);
                assert!((sa - sb).abs() < 1e-4, "score of {da:?} for k = {k}");
            }
            // Inside an intersection the query is sought, not only advanced.
            let with_alpha = |q: Box<dyn Query>| {
                BooleanQuery::new(vec![
                    (Occur::Must, clauses().swap_remove(0)),
                    (Occur::Must, q),
                ])
            };
            let ours = with_alpha(Box::new(AtLeast::new(clauses(), k)));
            let theirs = with_alpha(Box::new(theirs));
            assert_eq!(
                searcher.search(&ours, &Count)?,
                searcher.search(&theirs, &Count)?
            );
        }
        Ok(())
    }
}
