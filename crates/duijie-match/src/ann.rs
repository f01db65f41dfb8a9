//! An approximate nearest-neighbour graph (HNSW, the `instant-distance` crate) over a snapshot
//! of one kind's int8 vectors, for kinds too large for the exact scan of [`crate::VectorSet`].
//!
//! The graph is immutable once built: the vector set keeps the documents changed since the
//! snapshot aside and scans those exactly, and rebuilds the graph when they grow (see
//! `VectorSet::refresh_graphs`). Candidates the graph returns are rescored exactly by the
//! caller, so a graph only decides which documents are looked at, never their cosine.

use instant_distance::{Builder, Hnsw, Point, Search};
use std::sync::Arc;

/// Candidates the graph's search keeps (the paper's `ef`): the search returns this many, the
/// best `limit` of them are kept. Larger finds more of the true best at more cost; measured in
/// `docs/performance.md` ("Approximate search").
pub const GRAPH_EF: usize = 200;
/// Neighbours considered while building (`efConstruction`).
const GRAPH_EF_CONSTRUCTION: usize = 100;
/// A fixed seed: the same vectors give the same graph.
const GRAPH_SEED: u64 = 20_240_601;

/// One document of the snapshot: its position in the shared vector block. A query is a block of
/// its own at position 0.
#[derive(Clone)]
struct Stored {
    block: Arc<[i8]>,
    at: u32,
    dim: u32,
}

impl Stored {
    fn vector(&self) -> &[i8] {
        let dim = self.dim as usize;
        let start = self.at as usize * dim;
        &self.block[start..start + dim]
    }
}

impl Point for Stored {
    fn distance(&self, other: &Self) -> f32 {
        1.0 - crate::dense::cosine_of(crate::dense::dot_i8(self.vector(), other.vector()))
    }
}

/// The graph of one kind's snapshot.
pub(crate) struct Graph {
    hnsw: Hnsw<Stored>,
    /// Document ids by position in the snapshot.
    ids: Vec<String>,
}

impl Graph {
    /// Builds the graph of `ids` whose vectors are `data` (`dim` bytes each, in order).
    /// Takes seconds to minutes: run off the request path.
    pub fn build(ids: Vec<String>, data: Vec<i8>, dim: usize) -> Graph {
        let block: Arc<[i8]> = data.into();
        let points: Vec<Stored> = (0..ids.len())
            .map(|at| Stored {
                block: block.clone(),
                at: at as u32,
                dim: dim as u32,
            })
            .collect();
        let (hnsw, _) = Builder::default()
            .ef_construction(GRAPH_EF_CONSTRUCTION)
            .ef_search(GRAPH_EF)
            .seed(GRAPH_SEED)
            .build_hnsw(points);
        Graph { hnsw, ids }
    }

    /// Documents of the snapshot near `query` (an int8 vector of the graph's dimension),
    /// nearest first, at most [`GRAPH_EF`].
    pub fn near(&self, query: &[i8]) -> Vec<&str> {
        let q = Stored {
            block: query.into(),
            at: 0,
            dim: query.len() as u32,
        };
        let mut search = Search::default();
        self.hnsw
            .search(&q, &mut search)
            .map(|item| self.ids[item.point.at as usize].as_str())
            .collect()
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }
}
