//! Term statistics, per kind of document: how many documents of a kind hold a term
//! ([`SearchIndex::doc_freq_in`]), how many there are ([`SearchIndex::num_docs_in`]), and how
//! they spread over the years ([`SearchIndex::year_counts`]); and the cache that remembers them
//! per searcher generation.
//!
//! Ranking looks every query term up several times: its document frequency to weight and
//! prune the query, then again for BM25's IDF of each (term, field), in every segment. Demands
//! share most of their vocabulary, so these counts are looked up once per index generation
//! (a commit or merge starts a new one) and then read from memory.

use crate::index::SearchIndex;
use crate::schema::names;
use crate::tokenizer::GRAM_MARK;
use crate::SearchError;
use duijie_core::EntityKind;
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};
use tantivy::collector::HistogramCollector;
use tantivy::query::{Bm25StatisticsProvider, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{Searcher, Term};

/// Entries kept before the cache starts over (a bound on memory, far above a day's vocabulary).
const MAX_ENTRIES: usize = 200_000;

#[derive(Debug, Default)]
struct Counts {
    generation: u64,
    doc_freq: HashMap<Term, u64>,
    tokens: HashMap<Field, u64>,
}

/// Document frequencies and field token totals of the current generation.
#[derive(Debug, Default)]
pub(crate) struct StatsCache {
    counts: Mutex<Counts>,
}

impl StatsCache {
    /// The counts for `searcher`'s generation, emptied when it has moved on.
    fn counts(&self, searcher: &Searcher) -> MutexGuard<'_, Counts> {
        // The maps hold no invariant a panicking holder could break.
        let mut counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        let generation = searcher.generation().generation_id();
        if counts.generation != generation || counts.doc_freq.len() > MAX_ENTRIES {
            counts.generation = generation;
            counts.doc_freq.clear();
            counts.tokens.clear();
        }
        counts
    }

    pub(crate) fn doc_freq(&self, searcher: &Searcher, term: &Term) -> tantivy::Result<u64> {
        if let Some(n) = self.counts(searcher).doc_freq.get(term) {
            return Ok(*n);
        }
        // Counted outside the lock; a concurrent query may count the same term once more.
        let n = searcher.doc_freq(term)?;
        self.counts(searcher).doc_freq.insert(term.clone(), n);
        Ok(n)
    }

    fn total_num_tokens(&self, searcher: &Searcher, field: Field) -> tantivy::Result<u64> {
        if let Some(n) = self.counts(searcher).tokens.get(&field) {
            return Ok(*n);
        }
        let n = Bm25StatisticsProvider::total_num_tokens(searcher, field)?;
        self.counts(searcher).tokens.insert(field, n);
        Ok(n)
    }

    /// BM25 statistics of `searcher` for the documents of one kind, served from this cache.
    /// Text fields exist per kind, so document frequencies and token totals are already the
    /// kind's own; the document total is made the kind's too (`kind_term` counts them), so
    /// that IDF and the average field length are computed over that kind alone and adding
    /// documents of another kind moves no score.
    pub(crate) fn provider<'a>(
        &'a self,
        searcher: &'a Searcher,
        kind_term: Term,
    ) -> CachedStats<'a> {
        CachedStats {
            cache: self,
            searcher,
            kind_term,
        }
    }
}

/// A [`Bm25StatisticsProvider`] over one searcher that remembers what it counted.
pub(crate) struct CachedStats<'a> {
    cache: &'a StatsCache,
    searcher: &'a Searcher,
    kind_term: Term,
}

impl Bm25StatisticsProvider for CachedStats<'_> {
    fn total_num_tokens(&self, field: Field) -> tantivy::Result<u64> {
        self.cache.total_num_tokens(self.searcher, field)
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        // Like tantivy's own total, this counts deleted documents until their segment is
        // merged, as the document frequencies do.
        self.cache.doc_freq(self.searcher, &self.kind_term)
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        // A field every kind shares (the person's name) counts documents of all kinds: keep
        // its frequency within the kind's total, as BM25's IDF requires.
        let n = self.cache.doc_freq(self.searcher, term)?;
        Ok(n.min(self.total_num_docs()?))
    }
}

impl SearchIndex {
    /// Documents of `kind` containing `term` (analysed form) in their title, keywords or body:
    /// the largest of the three counts, a lower bound good enough for IDF weights. For a
    /// bigram term ([`crate::GRAM_MARK`]), the documents with it in their bigram field.
    pub fn doc_freq_in(&self, kind: EntityKind, term: &str) -> u64 {
        let searcher = self.reader.searcher();
        let t = self.fields.text(kind);
        let (fields, term) = match term.strip_prefix(GRAM_MARK) {
            Some(gram) => (vec![t.grams], gram),
            None => (vec![t.title, t.keywords, t.body], term),
        };
        fields
            .into_iter()
            .map(|field| {
                self.stats
                    .doc_freq(&searcher, &Term::from_field_text(field, term))
                    .unwrap_or_else(|error| {
                        tracing::warn!(%error, "doc_freq failed");
                        0
                    })
            })
            .max()
            .unwrap_or(0)
    }

    /// Documents of `kind` in the index, as BM25 counts them for that kind (deleted ones
    /// until their segment is merged).
    pub fn num_docs_in(&self, kind: EntityKind) -> u64 {
        let searcher = self.reader.searcher();
        self.stats
            .doc_freq(&searcher, &self.kind_term(kind))
            .unwrap_or_else(|error| {
                tracing::warn!(%error, "kind count failed");
                0
            })
    }

    pub(crate) fn kind_term(&self, kind: EntityKind) -> Term {
        Term::from_field_text(self.fields.kind, kind.as_str())
    }

    /// Documents of `kind` per year (the `year` field), oldest first; years without any
    /// document, and documents without a year, are left out.
    pub fn year_counts(&self, kind: EntityKind) -> Result<Vec<(i64, u64)>, SearchError> {
        const FIRST: i64 = 1900;
        const YEARS: usize = 200;
        let query = TermQuery::new(
            Term::from_field_text(self.fields.kind, kind.as_str()),
            IndexRecordOption::Basic,
        );
        let histogram = HistogramCollector::new(names::YEAR.to_string(), FIRST, 1, YEARS);
        let counts = self.reader.searcher().search(&query, &histogram)?;
        Ok(counts
            .into_iter()
            .zip(FIRST..)
            .filter(|(n, _)| *n > 0)
            .map(|(n, year)| (year, n))
            .collect())
    }
}
