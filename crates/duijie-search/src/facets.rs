//! Facet counts (field, region) over every document a query matches, read from the fast-field
//! term ordinals: per segment an array of counters, merged into labels once at the end.

use std::collections::HashMap;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::StrColumn;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

/// Counts per value, most frequent first (ties by value).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facets {
    pub field: Vec<(String, u64)>,
    pub region: Vec<(String, u64)>,
}

/// Counts the values of two string fast fields.
pub(crate) struct FacetCollector {
    field: &'static str,
    region: &'static str,
}

impl FacetCollector {
    pub(crate) fn new(field: &'static str, region: &'static str) -> Self {
        FacetCollector { field, region }
    }
}

/// One facet column of one segment and its counters (indexed by term ordinal).
struct Counter {
    column: Option<StrColumn>,
    counts: Vec<u64>,
}

impl Counter {
    fn open(segment: &SegmentReader, name: &str) -> tantivy::Result<Counter> {
        let column = segment.fast_fields().str(name)?;
        let terms = column.as_ref().map_or(0, |c| c.num_terms());
        Ok(Counter {
            column,
            counts: vec![0; terms],
        })
    }

    fn collect(&mut self, doc: DocId) {
        if let Some(column) = &self.column {
            for ord in column.term_ords(doc) {
                if let Some(n) = self.counts.get_mut(ord as usize) {
                    *n += 1;
                }
            }
        }
    }

    fn harvest(self) -> HashMap<String, u64> {
        let mut out = HashMap::new();
        let Some(column) = self.column else {
            return out;
        };
        for (ord, n) in self.counts.into_iter().enumerate() {
            if n == 0 {
                continue;
            }
            let mut label = String::new();
            if let Ok(true) = column.ord_to_str(ord as u64, &mut label) {
                *out.entry(label).or_insert(0) += n;
            }
        }
        out
    }
}

pub(crate) struct FacetSegmentCollector {
    field: Counter,
    region: Counter,
}

type SegmentFacets = (HashMap<String, u64>, HashMap<String, u64>);

impl Collector for FacetCollector {
    type Fruit = Facets;
    type Child = FacetSegmentCollector;

    fn for_segment(
        &self,
        _segment_local_id: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<FacetSegmentCollector> {
        Ok(FacetSegmentCollector {
            field: Counter::open(segment, self.field)?,
            region: Counter::open(segment, self.region)?,
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, segments: Vec<SegmentFacets>) -> tantivy::Result<Facets> {
        let mut field: HashMap<String, u64> = HashMap::new();
        let mut region: HashMap<String, u64> = HashMap::new();
        for (f, r) in segments {
            for (k, n) in f {
                *field.entry(k).or_insert(0) += n;
            }
            for (k, n) in r {
                *region.entry(k).or_insert(0) += n;
            }
        }
        Ok(Facets {
            field: sorted(field),
            region: sorted(region),
        })
    }
}

fn sorted(counts: HashMap<String, u64>) -> Vec<(String, u64)> {
    let mut v: Vec<(String, u64)> = counts.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v
}

impl SegmentCollector for FacetSegmentCollector {
    type Fruit = SegmentFacets;

    fn collect(&mut self, doc: DocId, _score: Score) {
        self.field.collect(doc);
        self.region.collect(doc);
    }

    fn harvest(self) -> SegmentFacets {
        (self.field.harvest(), self.region.harvest())
    }
}
