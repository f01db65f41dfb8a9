//! Ranking metrics for one relevant answer per query.

use serde::{Deserialize, Serialize};

/// 1/rank, 0 when the answer was not ranked.
pub fn reciprocal_rank(rank: Option<usize>) -> f64 {
    rank.map_or(0.0, |r| 1.0 / r as f64)
}

/// NDCG@k with one relevant item: `1 / log2(rank + 1)` when it is in the first `k`
/// (the ideal DCG is 1).
pub fn ndcg_at(rank: Option<usize>, k: usize) -> f64 {
    match rank {
        Some(r) if r >= 1 && r <= k => 1.0 / ((r + 1) as f64).log2(),
        _ => 0.0,
    }
}

/// Means over queries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    pub queries: usize,
    pub mrr: f64,
    /// MRR with answers below rank 10 counted as not found (duijie shows 10 candidates).
    pub mrr10: f64,
    pub hit1: f64,
    pub hit10: f64,
    pub ndcg10: f64,
}

impl Metrics {
    /// From the 1-based rank of the answer of each query (`None`: not ranked).
    pub fn from_ranks(ranks: &[Option<usize>]) -> Metrics {
        let n = ranks.len();
        if n == 0 {
            return Metrics::default();
        }
        let mean =
            |f: &dyn Fn(Option<usize>) -> f64| ranks.iter().map(|&r| f(r)).sum::<f64>() / n as f64;
        Metrics {
            queries: n,
            mrr: mean(&reciprocal_rank),
            mrr10: mean(&|r| reciprocal_rank(r.filter(|r| *r <= 10))),
            hit1: mean(&|r| f64::from(u8::from(r == Some(1)))),
            hit10: mean(&|r| f64::from(u8::from(r.is_some_and(|r| r <= 10)))),
            ndcg10: mean(&|r| ndcg_at(r, 10)),
        }
    }
}

/// Latency of one ranking call, in milliseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Latency {
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub max_ms: f64,
}

impl Latency {
    /// Nearest-rank percentiles of the samples.
    pub fn from_samples(samples: &[f64]) -> Latency {
        if samples.is_empty() {
            return Latency::default();
        }
        let mut s = samples.to_vec();
        s.sort_by(f64::total_cmp);
        let pct = |p: f64| s[((p * s.len() as f64).ceil() as usize).clamp(1, s.len()) - 1];
        Latency {
            p50_ms: pct(0.50),
            p95_ms: pct(0.95),
            max_ms: s[s.len() - 1],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_on_known_ranks() {
        assert_eq!(reciprocal_rank(Some(4)), 0.25);
        assert_eq!(reciprocal_rank(None), 0.0);
        assert_eq!(ndcg_at(Some(1), 10), 1.0);
        assert!((ndcg_at(Some(3), 10) - 0.5).abs() < 1e-12);
        assert_eq!(ndcg_at(Some(11), 10), 0.0);
        let m = Metrics::from_ranks(&[Some(1), Some(2), None, Some(10), Some(11)]);
        assert_eq!(m.queries, 5);
        let mrr = (1.0 + 0.5 + 0.0 + 0.1 + 1.0 / 11.0) / 5.0;
        assert!((m.mrr - mrr).abs() < 1e-12);
        assert!((m.hit1 - 0.2).abs() < 1e-12);
        assert!((m.hit10 - 0.6).abs() < 1e-12);
        let ndcg = (1.0 + 1.0 / 3f64.log2() + 1.0 / 11f64.log2()) / 5.0;
        assert!((m.ndcg10 - ndcg).abs() < 1e-12);
        assert_eq!(Metrics::from_ranks(&[]), Metrics::default());
    }
}
