//! Term statistics remembered per searcher generation.
//!
//! Ranking looks every query term up several times: its document frequency to weight and
//! prune the query, then again for BM25's IDF of each (term, field), in every segment. Demands
//! share most of their vocabulary, so these counts are looked up once per index generation
//! (a commit or merge starts a new one) and then read from memory.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};
use tantivy::query::Bm25StatisticsProvider;
use tantivy::schema::Field;
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

    /// BM25 statistics of `searcher` served from this cache; the documents containing
    /// `uncounted`, if given, are left out of the document total (ranking leaves instruments
    /// out this way, so listing one moves no achievement's or expert's score).
    pub(crate) fn provider<'a>(
        &'a self,
        searcher: &'a Searcher,
        uncounted: Option<Term>,
    ) -> CachedStats<'a> {
        CachedStats {
            cache: self,
            searcher,
            uncounted,
        }
    }
}

/// A [`Bm25StatisticsProvider`] over one searcher that remembers what it counted.
pub(crate) struct CachedStats<'a> {
    cache: &'a StatsCache,
    searcher: &'a Searcher,
    uncounted: Option<Term>,
}

impl Bm25StatisticsProvider for CachedStats<'_> {
    fn total_num_tokens(&self, field: Field) -> tantivy::Result<u64> {
        self.cache.total_num_tokens(self.searcher, field)
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        let left_out = match &self.uncounted {
            Some(term) => self.cache.doc_freq(self.searcher, term)?,
            None => 0,
        };
        // tantivy's own total: every document of every segment, deleted ones included.
        let all = Bm25StatisticsProvider::total_num_docs(self.searcher)?;
        Ok(all.saturating_sub(left_out))
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        self.cache.doc_freq(self.searcher, term)
    }
}
