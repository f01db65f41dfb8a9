//! An approximate nearest-neighbour graph (HNSW, the `usearch` crate) over a snapshot of one
//! kind's int8 vectors, for kinds too large for the exact scan of [`crate::VectorSet`].
//!
//! The graph is used as built: the vector set keeps the documents changed since the snapshot
//! aside and scans those exactly, and builds a new graph when they grow (see
//! `VectorSet::refresh_graphs`). Candidates the graph returns are rescored exactly by the
//! caller, so a graph only decides which documents are looked at, never their cosine.

use usearch::{Index, IndexOptions, MetricKind, ScalarKind};

/// Candidates the graph's search keeps while it walks (the paper's `ef`, usearch's
/// `expansion_search`); a search for more documents than this walks with that many instead.
/// Larger finds more of the true best at more cost; measured in `docs/performance.md`
/// ("Approximate search").
pub const GRAPH_EF: usize = 128;
/// Candidates considered while adding a document (`efConstruction`).
const GRAPH_EF_CONSTRUCTION: usize = 128;
/// Links per document (the paper's `M`).
const GRAPH_LINKS: usize = 16;
/// Searches one graph serves at the same moment: the library keeps a search context per
/// concurrent search and fails a search when none is free (the caller then scans exactly), so
/// this covers the blocking pool's ranking threads with room to spare (≈ 20 KB each at 100k).
const GRAPH_SEARCHERS: usize = 128;

/// The graph of one kind's snapshot.
pub(crate) struct Graph {
    index: Index,
    /// Document ids by their key in the graph (their position in the snapshot).
    ids: Vec<String>,
}

impl Graph {
    /// Builds the graph of `ids` whose vectors are `data` (`dim` bytes each, in order). Takes
    /// seconds to a minute (one thread): run off the request path. Fails only when the
    /// library cannot allocate its index.
    pub fn build(ids: Vec<String>, data: &[i8], dim: usize) -> Result<Graph, String> {
        let options = IndexOptions {
            dimensions: dim,
            metric: MetricKind::IP,
            quantization: ScalarKind::I8,
            connectivity: GRAPH_LINKS,
            expansion_add: GRAPH_EF_CONSTRUCTION,
            expansion_search: GRAPH_EF,
            multi: false,
        };
        let index = Index::new(&options).map_err(|e| e.to_string())?;
        index
            .reserve_capacity_and_threads(ids.len(), GRAPH_SEARCHERS)
            .map_err(|e| e.to_string())?;
        for (key, vector) in data.chunks_exact(dim).enumerate() {
            index.add(key as u64, vector).map_err(|e| e.to_string())?;
        }
        Ok(Graph { index, ids })
    }

    /// The `count` documents of the snapshot nearest `query` (an int8 vector of the graph's
    /// dimension), nearest first; `None` if the library fails (the caller then scans exactly).
    pub fn near(&self, query: &[i8], count: usize) -> Option<Vec<&str>> {
        let found = self.index.search(query, count).ok()?;
        Some(
            found
                .keys
                .iter()
                .filter_map(|&key| self.ids.get(key as usize))
                .map(String::as_str)
                .collect(),
        )
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }
}
