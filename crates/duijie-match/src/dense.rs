//! Semantic (dense) evidence beside BM25: documents as unit vectors of a sentence encoder,
//! the demand as a query vector, the best documents of a kind by exact dot product, and the
//! fusion of both evidences per document ([`Fusion`]). The encoder itself lives outside this
//! crate (duijie-embed) behind [`QueryEncoder`]; this crate only holds vectors and ranks.
//!
//! Vectors are kept int8 (a unit vector's components × 127, rounded): 384 bytes a document,
//! cosine error below 0.01. A kind is scanned exactly up to [`GRAPH_FROM`] documents; past
//! that, once [`VectorSet::refresh_graphs`] has run, an approximate graph (`crate::ann`) picks
//! the candidates and only those (and the documents changed since the graph) are scored.

use crate::ann::Graph;
use crate::MatchError;
use duijie_core::EntityKind;
use serde::{Deserialize, Serialize};
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet};
use std::sync::{Arc, RwLock};

/// Turns a demand's text into its unit query vector (blocking: model inference).
pub trait QueryEncoder: Send + Sync {
    /// `None` when no vector can be made (the encoder failed); ranking then uses words only.
    fn encode_query(&self, text: &str) -> Option<Vec<f32>>;
}

/// How BM25 and dense evidence of one document are combined (`MatchConfig::fusion`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fusion {
    /// Scores normalised per kind and query: the lexical score (BM25 × strength) over the
    /// kind's best, the cosine rescaled between the dense list's last and first, then
    /// `(1 − r)·lexical + r·dense`, in the kind's BM25 units.
    #[default]
    Normalised,
    /// Reciprocal-rank fusion: `(1 − r)/(60 + lexical rank) + r/(60 + dense rank)`.
    Rrf,
}

/// Whether `ratio` is a share of dense evidence (`MatchConfig::semantic_ratio`): 0 ranks by
/// words only, 1 by meaning only. The one rule for the API, `duijie.toml` and `duijie eval`.
pub fn is_semantic_ratio(ratio: f32) -> bool {
    (0.0..=1.0).contains(&ratio)
}

/// The constant of reciprocal-rank fusion.
const RRF_K: f32 = 60.0;

#[derive(Default)]
struct KindVectors {
    ids: Vec<String>,
    at: HashMap<String, usize>,
    data: Vec<i8>,
    /// Changes (insertions, replacements, removals) so far.
    changes: u64,
    /// The approximate graph over a snapshot of this kind, once it is large enough.
    graph: Option<Arc<Graph>>,
    /// While a graph is built or present: the documents changed since its snapshot (id → the
    /// change count of its last change). They are searched exactly; the graph's answer for
    /// them is stale.
    fresh: HashMap<String, u64>,
    /// A snapshot is being made into a graph: changes from now on go to `fresh`.
    building: bool,
}

impl KindVectors {
    fn changed(&mut self, id: &str) {
        self.changes += 1;
        if self.graph.is_some() || self.building {
            self.fresh.insert(id.to_string(), self.changes);
        }
    }

    fn vector(&self, i: usize, dim: usize) -> &[i8] {
        &self.data[i * dim..(i + 1) * dim]
    }

    /// Whether the kind wants a (new) graph: large enough, and none yet or its changed
    /// documents past a tenth of the kind (their exact scan then costs as much as the graph).
    fn wants_graph(&self, from: usize) -> bool {
        let n = self.ids.len();
        n >= from && !self.building && (self.graph.is_none() || self.fresh.len() * 10 > n)
    }

    /// Positions to score for `q`: the graph's `limit` near documents still as they were, and
    /// every changed one; `None` (scan every document) when there is no graph.
    fn candidates(&self, q: &[i8], limit: usize) -> Option<Vec<usize>> {
        let graph = self.graph.as_ref()?;
        // The graph's answer may hold documents changed since its snapshot, which are dropped
        // here and scanned exactly below: ask for that many more (at most twice `limit`).
        let count = limit + self.fresh.len().min(limit);
        let mut out: Vec<usize> = graph
            .near(q, count)?
            .into_iter()
            .filter(|id| !self.fresh.contains_key(*id))
            .filter_map(|id| self.at.get(id).copied())
            .collect();
        out.extend(self.fresh.keys().filter_map(|id| self.at.get(id).copied()));
        Some(out)
    }
}

/// Unit vectors of documents, per kind, int8; updated in place as records change. A kind of
/// at least `graph_from` documents is searched through an approximate graph once
/// [`VectorSet::refresh_graphs`] has built one; smaller kinds are scanned exactly.
pub struct VectorSet {
    dim: usize,
    graph_from: usize,
    kinds: RwLock<HashMap<EntityKind, KindVectors>>,
}

/// The kind size from which search goes through a graph (`VectorSet::new`): below it the exact
/// scan is fast enough (see `docs/performance.md`, "Approximate search").
pub const GRAPH_FROM: usize = 5_000;

/// A unit vector as kept: each component × 127, rounded, as a signed byte.
pub fn quantise(v: &[f32]) -> Vec<i8> {
    v.iter()
        .map(|x| (x * 127.0).round().clamp(-127.0, 127.0) as i8)
        .collect()
}

/// The integer dot product of two quantised vectors. Each product of two bytes fits in an
/// `i16`, and sums of them are taken in `i32` per block of 16, the shape the compiler turns into
/// multiply-add instructions; the scan over every document of a kind is this loop.
pub(crate) fn dot_i8(a: &[i8], q: &[i8]) -> i32 {
    let blocks: i32 = a
        .chunks_exact(16)
        .zip(q.chunks_exact(16))
        .map(|(x, y)| {
            let mut s = 0i32;
            for j in 0..16 {
                s += i32::from(i16::from(x[j]) * i16::from(y[j]));
            }
            s
        })
        .sum();
    let tail = a.len() - a.len() % 16;
    blocks
        + a[tail..]
            .iter()
            .zip(&q[tail.min(q.len())..])
            .map(|(x, y)| i32::from(*x) * i32::from(*y))
            .sum::<i32>()
}

/// A [`dot_i8`] as a cosine.
pub(crate) fn cosine_of(dot: i32) -> f32 {
    dot as f32 / (127.0 * 127.0)
}

impl VectorSet {
    pub fn new(dim: usize) -> Self {
        Self::with_graph_from(dim, GRAPH_FROM)
    }

    /// A set whose kinds get a graph from `graph_from` documents on.
    pub fn with_graph_from(dim: usize, graph_from: usize) -> Self {
        VectorSet {
            dim,
            graph_from: graph_from.max(1),
            kinds: RwLock::new(HashMap::new()),
        }
    }

    pub fn dim(&self) -> usize {
        self.dim
    }

    /// Adds or replaces a document's vector (ignored unless it has `dim` components).
    pub fn insert(&self, kind: EntityKind, id: &str, vector: &[f32]) {
        self.insert_quantised(kind, id, &quantise(vector));
    }

    /// Adds or replaces a document's vector given as [`quantise`] makes it.
    pub fn insert_quantised(&self, kind: EntityKind, id: &str, vector: &[i8]) {
        if vector.len() != self.dim {
            return;
        }
        let mut kinds = self.kinds.write().unwrap_or_else(|e| e.into_inner());
        let k = kinds.entry(kind).or_default();
        k.changed(id);
        match k.at.get(id) {
            Some(&i) => k.data[i * self.dim..(i + 1) * self.dim].copy_from_slice(vector),
            None => {
                k.at.insert(id.to_string(), k.ids.len());
                k.ids.push(id.to_string());
                k.data.extend_from_slice(vector);
            }
        }
    }

    /// Forgets a document's vector (the record is gone or has no text left).
    pub fn remove(&self, kind: EntityKind, id: &str) {
        let mut kinds = self.kinds.write().unwrap_or_else(|e| e.into_inner());
        let Some(k) = kinds.get_mut(&kind) else {
            return;
        };
        let Some(i) = k.at.remove(id) else {
            return;
        };
        k.changed(id);
        // The last document takes the freed place.
        let last = k.ids.len() - 1;
        k.ids.swap_remove(i);
        if i != last {
            let (head, tail) = k.data.split_at_mut(last * self.dim);
            head[i * self.dim..(i + 1) * self.dim].copy_from_slice(&tail[..self.dim]);
            k.at.insert(k.ids[i].clone(), i);
        }
        k.data.truncate(last * self.dim);
    }

    /// Documents with a vector, all kinds.
    pub fn len(&self) -> usize {
        let kinds = self.kinds.read().unwrap_or_else(|e| e.into_inner());
        kinds.values().map(|k| k.ids.len()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The best `limit` documents of `kind` by cosine to `query`, best first, and the cosine of
    /// each of `also` (documents found otherwise) that has a vector.
    pub fn search(
        &self,
        kind: EntityKind,
        query: &[f32],
        limit: usize,
        also: &[&str],
    ) -> (Vec<(String, f32)>, HashMap<String, f32>) {
        let kinds = self.kinds.read().unwrap_or_else(|e| e.into_inner());
        let Some(k) = kinds.get(&kind) else {
            return (Vec::new(), HashMap::new());
        };
        if query.len() != self.dim {
            return (Vec::new(), HashMap::new());
        }
        let q = quantise(query);
        // The best `limit` kept while scanning (no list of every document): the heap's top is
        // the worst kept, by score, then by position (an earlier document wins a tie).
        let mut best: BinaryHeap<(Reverse<i32>, usize)> = BinaryHeap::with_capacity(limit + 1);
        let mut keep = |i: usize, s: i32| {
            if best.len() < limit {
                best.push((Reverse(s), i));
            } else if best.peek().is_some_and(|(Reverse(worst), _)| s > *worst) {
                best.pop();
                best.push((Reverse(s), i));
            }
        };
        match k.candidates(&q, limit) {
            Some(positions) => {
                for i in positions {
                    keep(i, dot_i8(k.vector(i, self.dim), &q));
                }
            }
            None => {
                for (i, v) in k.data.chunks_exact(self.dim).enumerate() {
                    keep(i, dot_i8(v, &q));
                }
            }
        }
        let mut scored: Vec<(usize, i32)> =
            best.into_iter().map(|(Reverse(s), i)| (i, s)).collect();
        scored.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let top = scored
            .into_iter()
            .map(|(i, s)| (k.ids[i].clone(), cosine_of(s)))
            .collect();
        let extra = also
            .iter()
            .filter_map(|id| {
                let i = *k.at.get(*id)?;
                Some((id.to_string(), cosine_of(dot_i8(k.vector(i, self.dim), &q))))
            })
            .collect();
        (top, extra)
    }
}

impl VectorSet {
    /// Builds a graph for every kind that wants one (at least `graph_from` documents, and no
    /// graph yet or a tenth of it changed since), one kind at a time, from a snapshot taken
    /// under the write lock; searches go on meanwhile. Blocking and slow (tens of seconds per
    /// 100k documents): call it from a background task. Returns the kinds rebuilt, and an
    /// error for a kind whose graph could not be built (it stays scanned exactly).
    pub fn refresh_graphs(&self) -> Result<Vec<EntityKind>, MatchError> {
        let wanted: Vec<EntityKind> = {
            let kinds = self.kinds.read().unwrap_or_else(|e| e.into_inner());
            kinds
                .iter()
                .filter(|(_, k)| k.wants_graph(self.graph_from))
                .map(|(kind, _)| *kind)
                .collect()
        };
        let mut built = Vec::new();
        for kind in wanted {
            let snapshot = {
                let mut kinds = self.kinds.write().unwrap_or_else(|e| e.into_inner());
                kinds
                    .get_mut(&kind)
                    .filter(|k| k.wants_graph(self.graph_from))
                    .map(|k| {
                        k.building = true;
                        (k.ids.clone(), k.data.clone(), k.changes)
                    })
            };
            let Some((ids, data, at)) = snapshot else {
                continue;
            };
            let graph = Graph::build(ids, &data, self.dim);
            let mut kinds = self.kinds.write().unwrap_or_else(|e| e.into_inner());
            let Some(k) = kinds.get_mut(&kind) else {
                continue;
            };
            k.building = false;
            match graph {
                Ok(graph) => {
                    k.fresh.retain(|_, change| *change > at);
                    k.graph = Some(Arc::new(graph));
                    built.push(kind);
                }
                Err(e) => {
                    if k.graph.is_none() {
                        k.fresh.clear();
                    }
                    return Err(MatchError::Graph(format!("{kind:?}: {e}")));
                }
            }
        }
        Ok(built)
    }

    /// Documents of each kind in its graph (0: the kind is scanned exactly).
    pub fn graph_sizes(&self) -> HashMap<EntityKind, usize> {
        let kinds = self.kinds.read().unwrap_or_else(|e| e.into_inner());
        kinds
            .iter()
            .map(|(kind, k)| (*kind, k.graph.as_ref().map_or(0, |g| g.len())))
            .collect()
    }
}

/// The encoder and the vectors a matcher ranks with when `semantic_ratio` > 0.
#[derive(Clone)]
pub struct Semantic {
    pub encoder: Arc<dyn QueryEncoder>,
    pub vectors: Arc<VectorSet>,
}

/// One kind's dense evidence for a query, in the fusion's terms.
pub(crate) struct DenseView {
    /// Documents of the dense list (best first) with their cosine.
    pub top: Vec<(String, f32)>,
    /// Cosine of every document seen (dense list and lexical hits).
    pub cosine: HashMap<String, f32>,
}

impl DenseView {
    /// Dense score in [0, 1]: the cosine rescaled between the dense list's last and first.
    pub fn normalised(&self, id: &str) -> f32 {
        let (Some(first), Some(last)) = (self.top.first(), self.top.last()) else {
            return 0.0;
        };
        let Some(&c) = self.cosine.get(id) else {
            return 0.0;
        };
        let span = first.1 - last.1;
        if span <= f32::EPSILON {
            return if c >= first.1 { 1.0 } else { 0.0 };
        }
        ((c - last.1) / span).clamp(0.0, 1.0)
    }

    /// 1-based rank in the dense list.
    pub fn rank(&self, id: &str) -> Option<usize> {
        self.top.iter().position(|(d, _)| d == id).map(|p| p + 1)
    }
}

/// The fused score of a document: `lexical` is its BM25 × strength, `lexical_rank` its rank
/// by that among the kind's hits (`None`: not found by words), `best_lexical` the kind's best.
pub(crate) fn fuse(
    fusion: Fusion,
    ratio: f32,
    lexical: f32,
    lexical_rank: Option<usize>,
    best_lexical: f32,
    dense: &DenseView,
    id: &str,
) -> f32 {
    let scale = if best_lexical > 0.0 {
        best_lexical
    } else {
        1.0
    };
    match fusion {
        Fusion::Normalised => (1.0 - ratio) * lexical + ratio * dense.normalised(id) * scale,
        Fusion::Rrf => {
            let part = |rank: Option<usize>| rank.map_or(0.0, |r| RRF_K / (RRF_K + r as f32));
            ((1.0 - ratio) * part(lexical_rank) + ratio * part(dense.rank(id))) * scale
        }
    }
}

/// Fuses a list found by words (best first, with scores) with one found by meaning (`top`,
/// best first, with cosines; `cosine` also holds those of the word hits): every word hit, and
/// each document found by meaning only that is in `allowed`, scored as [`fuse`] scores a
/// document of the matcher. Best first.
pub fn fuse_lists(
    fusion: Fusion,
    ratio: f32,
    lexical: &[(String, f32)],
    top: Vec<(String, f32)>,
    mut cosine: HashMap<String, f32>,
    allowed: &HashSet<String>,
) -> Vec<(String, f32)> {
    for (id, c) in &top {
        cosine.insert(id.clone(), *c);
    }
    let view = DenseView { top, cosine };
    let best = lexical.iter().map(|(_, s)| *s).fold(0.0_f32, f32::max);
    let mut out: Vec<(String, f32)> = lexical
        .iter()
        .enumerate()
        .map(|(i, (id, s))| {
            let score = fuse(fusion, ratio, *s, Some(i + 1), best, &view, id);
            (id.clone(), score)
        })
        .collect();
    let found: HashSet<&str> = lexical.iter().map(|(id, _)| id.as_str()).collect();
    for (id, _) in &view.top {
        if allowed.contains(id) && !found.contains(id.as_str()) {
            out.push((id.clone(), fuse(fusion, ratio, 0.0, None, best, &view, id)));
        }
    }
    // Ties keep the words' order, then the meaning's.
    out.sort_by(|a, b| b.1.total_cmp(&a.1));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(v: &[f32]) -> Vec<f32> {
        let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        v.iter().map(|x| x / n).collect()
    }

    #[test]
    fn exact_search_finds_the_nearest_and_scores_the_others() {
        let set = VectorSet::new(3);
        set.insert(EntityKind::Achievement, "a", &unit(&[1.0, 0.0, 0.0]));
        set.insert(EntityKind::Achievement, "b", &unit(&[0.7, 0.7, 0.0]));
        set.insert(EntityKind::Achievement, "c", &unit(&[0.0, 0.0, 1.0]));
        set.insert(EntityKind::Expert, "e", &unit(&[1.0, 0.0, 0.0]));
        let q = unit(&[1.0, 0.2, 0.0]);
        let (top, also) = set.search(EntityKind::Achievement, &q, 2, &["c", "missing"]);
        let ids: Vec<&str> = top.iter().map(|(i, _)| i.as_str()).collect();
        assert_eq!(ids, ["a", "b"]);
        assert!((top[0].1 - 0.98).abs() < 0.02);
        assert!(also["c"].abs() < 0.02);
        assert!(!also.contains_key("missing"));
        // Replacing a vector moves the document.
        set.insert(EntityKind::Achievement, "c", &unit(&[1.0, 0.1, 0.0]));
        let (top, _) = set.search(EntityKind::Achievement, &q, 1, &[]);
        assert_eq!(top[0].0, "c");
        assert_eq!(set.len(), 4);
        // Removing a document moves the last one into its place; the others stay found.
        set.remove(EntityKind::Achievement, "a");
        set.remove(EntityKind::Achievement, "missing");
        let (top, also) = set.search(EntityKind::Achievement, &q, 3, &["b"]);
        let ids: Vec<&str> = top.iter().map(|(i, _)| i.as_str()).collect();
        assert_eq!(ids, ["c", "b"]);
        assert!((also["b"] - 0.82).abs() < 0.03, "{also:?}");
        set.remove(EntityKind::Achievement, "b");
        set.remove(EntityKind::Achievement, "c");
        assert_eq!(set.len(), 1);
        assert!(set.search(EntityKind::Achievement, &q, 3, &[]).0.is_empty());
    }

    /// Pseudo-random unit vectors of `dim` components (SplitMix64, no dependency).
    fn random_units(n: usize, dim: usize, seed: u64) -> Vec<Vec<f32>> {
        let mut state = seed;
        let mut next = move || {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            ((z ^ (z >> 31)) >> 40) as f32 / (1u64 << 24) as f32 - 0.5
        };
        (0..n)
            .map(|_| unit(&(0..dim).map(|_| next()).collect::<Vec<f32>>()))
            .collect()
    }

    fn ids(top: &[(String, f32)]) -> Vec<&str> {
        top.iter().map(|(i, _)| i.as_str()).collect()
    }

    #[test]
    fn a_large_kind_is_searched_through_its_graph_and_changes_since_are_seen() {
        let kind = EntityKind::Achievement;
        let set = VectorSet::with_graph_from(16, 400);
        let docs = random_units(600, 16, 7);
        for (i, v) in docs.iter().enumerate() {
            set.insert(kind, &format!("d{i}"), v);
        }
        set.insert(EntityKind::Expert, "e", &docs[0]);
        let queries = random_units(20, 16, 11);
        let exact: Vec<Vec<(String, f32)>> = queries
            .iter()
            .map(|q| set.search(kind, q, 10, &[]).0)
            .collect();

        // Only the kind past the threshold gets a graph.
        assert_eq!(set.refresh_graphs().unwrap(), vec![kind]);
        assert_eq!(set.graph_sizes()[&kind], 600);
        assert_eq!(set.graph_sizes()[&EntityKind::Expert], 0);
        assert!(set.refresh_graphs().unwrap().is_empty(), "nothing changed");
        // The graph finds (nearly) the same best ten, with exact cosines.
        let mut same = 0;
        for (q, want) in queries.iter().zip(&exact) {
            let (got, _) = set.search(kind, q, 10, &[]);
            assert_eq!(got.len(), 10);
            same += got.iter().filter(|d| want.contains(d)).count();
        }
        assert!(same >= 190, "{same} of 200 of the exact best found");

        // A document added after the graph is found; a removed one is not; a replaced one
        // is scored by its new vector.
        let q = &queries[0];
        set.insert(kind, "new", q);
        let top = set.search(kind, q, 10, &[]).0;
        assert_eq!(top[0].0, "new");
        assert!(top[0].1 > 0.99);
        let first_before = exact[0][0].0.clone();
        set.remove(kind, &first_before);
        assert!(!ids(&set.search(kind, q, 10, &[]).0).contains(&first_before.as_str()));
        let far: Vec<f32> = q.iter().map(|x| -x).collect();
        set.insert(kind, &exact[0][1].0, &far);
        let top = set.search(kind, q, 10, &[]).0;
        assert!(!ids(&top).contains(&exact[0][1].0.as_str()));
        // A limit past the graph's walk width widens the walk.
        let wide = crate::ann::GRAPH_EF + 1;
        assert_eq!(set.search(kind, q, wide, &[]).0.len(), wide);

        // Three changes are not a tenth of the kind: no rebuild. Eighty more are.
        assert!(set.refresh_graphs().unwrap().is_empty());
        for (i, v) in random_units(80, 16, 13).iter().enumerate() {
            set.insert(kind, &format!("late{i}"), v);
        }
        assert_eq!(set.refresh_graphs().unwrap(), vec![kind]);
        assert_eq!(set.graph_sizes()[&kind], 600 + 1 - 1 + 80);
        let top = set.search(kind, q, 10, &[]).0;
        assert_eq!(top[0].0, "new");
        assert!(!ids(&top).contains(&first_before.as_str()));
    }

    #[test]
    fn ratio_zero_keeps_the_lexical_score_and_one_keeps_only_the_dense() {
        let view = DenseView {
            top: vec![("a".into(), 0.9), ("b".into(), 0.5)],
            cosine: [("a".into(), 0.9), ("b".into(), 0.5), ("x".into(), 0.7)].into(),
        };
        let f = |r, lex, rank, id| fuse(Fusion::Normalised, r, lex, rank, 10.0, &view, id);
        assert_eq!(f(0.0, 7.0, Some(2), "x"), 7.0);
        assert!((f(1.0, 7.0, Some(2), "x") - 5.0).abs() < 1e-5);
        assert!((f(1.0, 0.0, None, "a") - 10.0).abs() < 1e-5);
        assert_eq!(f(1.0, 0.0, None, "b"), 0.0);
        let rrf = |r, rank, id| fuse(Fusion::Rrf, r, 1.0, rank, 1.0, &view, id);
        assert!(rrf(0.5, None, "a") > rrf(0.5, None, "b"));
        assert!(rrf(0.5, Some(1), "a") > rrf(0.5, None, "a"));
    }
}
