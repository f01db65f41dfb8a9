//! The approximate graph against the exact scan (`duijie-bench graph`): on the vectors a
//! database keeps (real sentence vectors, e.g. the `--vectors` file of `duijie eval`) or on
//! pseudo-random ones, every `step`-th vector is held out as a query; the rest are searched
//! exactly and through the graph of `duijie_match::VectorSet`, one thread, best 100.

use anyhow::{bail, Result};
use duijie_core::EntityKind;
use duijie_match::VectorSet;
use duijie_store::SqlStore;
use std::time::Instant;

/// Vectors read per statement.
const PAGE: u32 = 5_000;
/// Documents kept per search, as the matcher asks (`MatchConfig::retrieve_limit`).
const LIMIT: usize = 100;
const KIND: EntityKind = EntityKind::Achievement;

/// Every vector `store` keeps, as unit f32 vectors.
pub async fn stored(store: &SqlStore) -> Result<Vec<Vec<f32>>> {
    let mut out = Vec::new();
    let mut after: Vec<u8> = Vec::new();
    loop {
        let page = store.vectors_after(&after, PAGE).await?;
        let Some((last, _)) = page.last() else { break };
        after = last.to_vec();
        out.extend(
            page.into_iter()
                .map(|(_, v)| v.iter().map(|&x| f32::from(x) / 127.0).collect()),
        );
    }
    Ok(out)
}

/// What one comparison measured.
pub struct GraphRun {
    pub documents: usize,
    pub queries: usize,
    pub build_s: f64,
    pub exact_ms: f64,
    pub graph_ms: f64,
    /// Share of the exact best 10 / best 100 that the graph's best 10 / 100 hold.
    pub recall_10: f64,
    pub recall_100: f64,
}

/// Holds out every `step`-th of `vectors` as a query and compares the two searches.
pub fn compare(vectors: &[Vec<f32>], step: usize) -> Result<GraphRun> {
    let Some(dim) = vectors.first().map(Vec::len) else {
        bail!("no vectors to search");
    };
    let step = step.max(2);
    let exact = VectorSet::with_graph_from(dim, usize::MAX);
    let graph = VectorSet::with_graph_from(dim, 1);
    let mut queries = Vec::new();
    for (i, v) in vectors.iter().enumerate() {
        if i % step == 0 {
            queries.push(v);
        } else {
            exact.insert(KIND, &i.to_string(), v);
            graph.insert(KIND, &i.to_string(), v);
        }
    }
    let started = Instant::now();
    graph.refresh_graphs()?;
    let build_s = started.elapsed().as_secs_f64();
    let timed = |set: &VectorSet| {
        let started = Instant::now();
        let tops: Vec<Vec<String>> = queries
            .iter()
            .map(|q| {
                set.search(KIND, q, LIMIT, &[])
                    .0
                    .into_iter()
                    .map(|(id, _)| id)
                    .collect()
            })
            .collect();
        let ms = started.elapsed().as_secs_f64() * 1000.0 / queries.len().max(1) as f64;
        (tops, ms)
    };
    let (want, exact_ms) = timed(&exact);
    let (got, graph_ms) = timed(&graph);
    let recall = |k: usize| {
        let mut found = 0usize;
        let mut all = 0usize;
        for (w, g) in want.iter().zip(&got) {
            let best: Vec<&String> = w.iter().take(k).collect();
            all += best.len();
            found += g.iter().take(k).filter(|id| best.contains(id)).count();
        }
        found as f64 / all.max(1) as f64
    };
    Ok(GraphRun {
        documents: vectors.len() - queries.len(),
        queries: queries.len(),
        build_s,
        exact_ms,
        graph_ms,
        recall_10: recall(10),
        recall_100: recall(LIMIT),
    })
}
