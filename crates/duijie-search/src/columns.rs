//! Decoded string fast-field dictionaries, kept per segment.
//!
//! Ranking reads eight string columns (id, title, organisation, person, ...) for every
//! retrieved document. Resolving ordinals through tantivy's dictionary decompresses one
//! dictionary block per hit and column, which dominated match time on a large index. A segment
//! never changes once written, so its dictionary is decoded once, on first use, into one
//! string buffer with offsets, and dropped when the segment leaves the index.

use crate::index::SearchIndex;
use crate::SearchError;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};
use tantivy::columnar::StrColumn;
use tantivy::index::SegmentId;
use tantivy::{DocId, Searcher, SegmentReader};

/// Every term of one column of one segment, in ordinal order.
#[derive(Debug, Default)]
pub(crate) struct Terms {
    text: String,
    /// `ends[ord]` is where term `ord` ends in `text` (it starts where the previous ends).
    ends: Vec<usize>,
}

impl Terms {
    fn decode(column: &StrColumn) -> Result<Terms, SearchError> {
        let dictionary = column.dictionary();
        let count = dictionary.num_terms();
        let mut terms = Terms {
            text: String::new(),
            ends: Vec::with_capacity(count),
        };
        dictionary
            .sorted_ords_to_term_cb(0..count as u64, |bytes| {
                terms.text.push_str(&String::from_utf8_lossy(bytes));
                terms.ends.push(terms.text.len());
                Ok(())
            })
            .map_err(tantivy::TantivyError::from)?;
        Ok(terms)
    }

    pub(crate) fn get(&self, ord: u64) -> Option<&str> {
        let ord = usize::try_from(ord).ok()?;
        let end = *self.ends.get(ord)?;
        let start = if ord == 0 { 0 } else { self.ends[ord - 1] };
        self.text.get(start..end)
    }
}

/// The decoded columns of the live segments.
#[derive(Debug, Default)]
pub(crate) struct ColumnCache {
    map: Mutex<HashMap<(SegmentId, String), Arc<Terms>>>,
}

impl ColumnCache {
    /// The decoded terms of `column` (named `name`) in `segment`, decoding on first use.
    pub(crate) fn terms(
        &self,
        searcher: &Searcher,
        segment: SegmentId,
        name: &str,
        column: &StrColumn,
    ) -> Result<Arc<Terms>, SearchError> {
        let key = (segment, name.to_string());
        if let Some(t) = self.lock().get(&key) {
            return Ok(t.clone());
        }
        // Decoded outside the lock: two threads may both decode a new segment once.
        let terms = Arc::new(Terms::decode(column)?);
        let mut map = self.lock();
        let live: HashSet<SegmentId> = searcher
            .segment_readers()
            .iter()
            .map(|r| r.segment_id())
            .collect();
        map.retain(|(segment, _), _| live.contains(segment));
        map.insert(key, terms.clone());
        Ok(terms)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(SegmentId, String), Arc<Terms>>> {
        // The map holds no invariant a panicking holder could break.
        self.map.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl SearchIndex {
    /// The value of the string fast field `name` for each of `docs` of one segment.
    pub(crate) fn str_values(
        &self,
        searcher: &Searcher,
        segment: &SegmentReader,
        name: &str,
        docs: &[DocId],
    ) -> Result<Vec<Option<String>>, SearchError> {
        let Some(column) = segment.fast_fields().str(name)? else {
            return Ok(vec![None; docs.len()]);
        };
        let terms = self
            .columns
            .terms(searcher, segment.segment_id(), name, &column)?;
        Ok(docs
            .iter()
            .map(|doc| {
                column
                    .term_ords(*doc)
                    .next()
                    .and_then(|ord| terms.get(ord))
                    .map(str::to_string)
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::Terms;

    #[test]
    fn terms_are_found_by_ordinal() {
        let t = Terms {
            text: "甲乙丙ab".to_string(),
            ends: vec![3, 9, 11],
        };
        assert_eq!(t.get(0), Some("甲"));
        assert_eq!(t.get(1), Some("乙丙"));
        assert_eq!(t.get(2), Some("ab"));
        assert_eq!(t.get(3), None);
    }
}
