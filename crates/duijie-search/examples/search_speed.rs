//! Temporary: in-process search-box latency on a copy of a bench index.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use duijie_core::EntityKind;
use duijie_search::{analyze, SearchIndex, SearchQuery};
use std::time::{Duration, Instant};

fn main() {
    let dir = std::env::args().nth(1).expect("index dir");
    let rounds: usize = std::env::args()
        .nth(2)
        .map(|s| s.parse().unwrap())
        .unwrap_or(3);
    let index = SearchIndex::open(std::path::Path::new(&dir)).unwrap();
    let cache = std::env::args().nth(3).expect("query file");
    let mut queries: Vec<String> = std::fs::read_to_string(&cache)
        .map(|t| t.lines().map(str::to_string).collect())
        .unwrap_or_default();
    for page in 0..if queries.is_empty() { 20 } else { 0 } {
        let mut q = SearchQuery::new(EntityKind::Achievement);
        q.offset = page * 5000;
        q.limit = 50;
        for hit in index.search(&q).unwrap().hits {
            let doc = index.get(&hit.id).unwrap().unwrap();
            let text = match doc.keywords.len() {
                0 => continue,
                1 => doc.keywords[0].clone(),
                _ => format!("{} {}", doc.keywords[0], doc.keywords[1]),
            };
            queries.push(text);
        }
    }
    std::fs::write(&cache, queries.join("\n")).unwrap();
    let mut times: Vec<(Duration, usize)> = Vec::new();
    let mut totals = 0usize;
    for round in 0..rounds {
        for (i, text) in queries.iter().enumerate() {
            let mut q = SearchQuery::new(EntityKind::Achievement);
            q.text = Some(text.clone());
            let t0 = Instant::now();
            let r = index.search_page(&q).unwrap();
            let dt = t0.elapsed();
            if round > 0 {
                times.push((dt, i));
            } else {
                totals += r.total;
            }
        }
    }
    let mut sorted: Vec<Duration> = times.iter().map(|t| t.0).collect();
    sorted.sort();
    let at = |p: f64| sorted[((p * sorted.len() as f64) as usize).min(sorted.len() - 1)];
    let mean = sorted.iter().sum::<Duration>() / sorted.len() as u32;
    println!(
        "queries {} sum(total) {} mean {:?} p50 {:?} p95 {:?} p99 {:?}",
        queries.len(),
        totals,
        mean,
        at(0.5),
        at(0.95),
        at(0.99)
    );
    times.sort_by(|a, b| b.0.cmp(&a.0));
    for (dt, i) in times.iter().take(8) {
        println!(
            "{dt:?} {:?} tokens {}",
            queries[*i],
            analyze(&queries[*i]).len()
        );
    }
}
