//! The judged demand set of `quality.md` §1b: enterprise demands against the mixed corpus,
//! graded blind on a 0/1/2 scale. This module reads the demands and their judgements and scores
//! a ranking against them; `duijie eval demands` loads the corpus and runs the matcher.
//!
//! Scoring follows the set's protocol: the ideal DCG of a demand comes from every judged
//! candidate of that demand and level, a ranking is scored over its judged part (unjudged
//! candidates are skipped, and the judged share is reported beside), and a demand with no
//! candidate graded above 0 at a level counts in the unservable part of that level instead of
//! the NDCG mean.

use crate::EvalError;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::Path;

/// One enterprise demand of the set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Demand {
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub text: String,
    /// The writer's expectation for written demands (`None` for collected ones).
    #[serde(default)]
    pub servable: Option<bool>,
}

impl Demand {
    /// The query of the protocol: title + "。" + text (the title alone when the text adds
    /// nothing).
    pub fn query_text(&self) -> String {
        let text = self.text.trim();
        if text.is_empty() || text == self.title.trim() {
            self.title.clone()
        } else {
            format!("{}。{}", self.title, text)
        }
    }

    /// The half of the set used for tuning: a fixed hash of the id, so that a demand stays on
    /// its side whatever files are loaded. The other half is only reported.
    pub fn is_tuning(&self) -> bool {
        fnv1a(self.id.as_bytes()).is_multiple_of(2)
    }
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3)
    })
}

/// One blind grade: 2 = their own work addresses the problem, 1 = same field or adjacent
/// technology, 0 = unrelated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Judgement {
    pub demand: String,
    /// `institution` or `expert`.
    pub level: String,
    /// Institution name, or `institution|name` for an expert.
    pub key: String,
    pub grade: u8,
}

/// Grades by (demand, level, key); the first judgement of an item wins.
#[derive(Debug, Clone, Default)]
pub struct Judgements {
    grades: HashMap<(String, String), HashMap<String, u8>>,
}

impl Judgements {
    pub fn add(&mut self, j: Judgement) {
        self.grades
            .entry((j.demand, j.level))
            .or_default()
            .entry(j.key)
            .or_insert(j.grade);
    }

    /// The judged candidates of one demand at one level.
    pub fn of(&self, demand: &str, level: &str) -> Option<&HashMap<String, u8>> {
        self.grades.get(&(demand.to_string(), level.to_string()))
    }

    pub fn len(&self) -> usize {
        self.grades.values().map(HashMap::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Reads a JSON-lines file; a line that does not parse is an error naming the file and line.
pub fn read_jsonl<T: serde::de::DeserializeOwned>(path: &Path) -> Result<Vec<T>, EvalError> {
    let text = std::fs::read_to_string(path).map_err(|e| EvalError::io(path, e))?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l)
                .map_err(|e| EvalError::data(path, format!("line {}: {e}", i + 1)))
        })
        .collect()
}

/// How one ranking did on one demand.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct DemandScore {
    pub ndcg10: f64,
    /// Share of the first five (judged) candidates graded at least 1.
    pub p5: f64,
    /// A grade-2 candidate among the first three (judged) candidates.
    pub top3_has_2: bool,
    /// Share of the first ten candidates that were judged.
    pub judged_share: f64,
}

fn dcg(grades: impl Iterator<Item = u8>) -> f64 {
    grades
        .enumerate()
        .map(|(i, g)| (2f64.powi(i32::from(g)) - 1.0) / ((i + 2) as f64).log2())
        .sum()
}

/// Scores a ranking (candidate keys, best first) against the judged candidates of its demand
/// and level; `None` when no judged candidate is graded above 0 (nothing to find).
pub fn score_ranking(ranking: &[String], judged: &HashMap<String, u8>) -> Option<DemandScore> {
    let mut ideal: Vec<u8> = judged.values().copied().collect();
    ideal.sort_unstable_by(|a, b| b.cmp(a));
    let ideal = dcg(ideal.into_iter().take(10));
    if ideal <= 0.0 {
        return None;
    }
    let top: Vec<&String> = ranking.iter().take(10).collect();
    let judged_share = if top.is_empty() {
        1.0
    } else {
        top.iter()
            .filter(|k| judged.contains_key(k.as_str()))
            .count() as f64
            / top.len() as f64
    };
    let condensed: Vec<u8> = ranking
        .iter()
        .filter_map(|k| judged.get(k).copied())
        .take(10)
        .collect();
    Some(DemandScore {
        ndcg10: dcg(condensed.iter().copied()) / ideal,
        p5: condensed.iter().take(5).filter(|g| **g >= 1).count() as f64 / 5.0,
        top3_has_2: condensed.iter().take(3).any(|g| *g == 2),
        judged_share,
    })
}

/// Means over the demands of one level, with the unservable demands counted apart.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct SetScore {
    /// Demands with at least one candidate graded above 0.
    pub demands: usize,
    pub ndcg10: f64,
    /// 95% interval of the NDCG@10 mean (percentile bootstrap over demands).
    pub ndcg10_low: f64,
    pub ndcg10_high: f64,
    pub p5: f64,
    pub top3_has_2: f64,
    pub judged_share: f64,
}

impl SetScore {
    pub fn from_scores(scores: &[DemandScore]) -> SetScore {
        let n = scores.len();
        if n == 0 {
            return SetScore::default();
        }
        let mean = |f: &dyn Fn(&DemandScore) -> f64| scores.iter().map(f).sum::<f64>() / n as f64;
        let ndcg: Vec<f64> = scores.iter().map(|s| s.ndcg10).collect();
        let (low, high) = bootstrap_interval(&ndcg, 2000, 0x5eed);
        SetScore {
            demands: n,
            ndcg10: mean(&|s| s.ndcg10),
            ndcg10_low: low,
            ndcg10_high: high,
            p5: mean(&|s| s.p5),
            top3_has_2: mean(&|s| f64::from(u8::from(s.top3_has_2))),
            judged_share: mean(&|s| s.judged_share),
        }
    }
}

/// 2.5th and 97.5th percentiles of the mean of `values` resampled with replacement.
pub fn bootstrap_interval(values: &[f64], rounds: usize, seed: u64) -> (f64, f64) {
    if values.is_empty() {
        return (0.0, 0.0);
    }
    let mut rng = crate::split::SplitMix64::new(seed);
    let n = values.len();
    let mut means: Vec<f64> = (0..rounds)
        .map(|_| {
            (0..n)
                .map(|_| values[rng.below(n as u64) as usize])
                .sum::<f64>()
                / n as f64
        })
        .collect();
    means.sort_by(f64::total_cmp);
    let at = |q: f64| means[((q * (rounds - 1) as f64).round() as usize).min(rounds - 1)];
    (at(0.025), at(0.975))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn judged(items: &[(&str, u8)]) -> HashMap<String, u8> {
        items.iter().map(|(k, g)| (k.to_string(), *g)).collect()
    }

    fn keys(items: &[&str]) -> Vec<String> {
        items.iter().map(|k| k.to_string()).collect()
    }

    #[test]
    fn ideal_order_scores_one_and_unjudged_are_skipped() {
        let j = judged(&[("a", 2), ("b", 1), ("c", 0)]);
        let best = score_ranking(&keys(&["a", "b", "c"]), &j).expect("servable");
        assert!((best.ndcg10 - 1.0).abs() < 1e-9);
        let with_unjudged = score_ranking(&keys(&["x", "a", "y", "b"]), &j).expect("servable");
        assert!((with_unjudged.ndcg10 - 1.0).abs() < 1e-9);
        assert!((with_unjudged.judged_share - 0.5).abs() < 1e-9);
        let worst = score_ranking(&keys(&["c", "b", "a"]), &j).expect("servable");
        assert!(worst.ndcg10 < 0.7);
        assert!(!worst.top3_has_2 || worst.ndcg10 > 0.0);
        assert!((worst.p5 - 0.4).abs() < 1e-9);
    }

    #[test]
    fn a_demand_with_nothing_relevant_is_not_scored() {
        assert!(score_ranking(&keys(&["a"]), &judged(&[("a", 0), ("b", 0)])).is_none());
    }

    #[test]
    fn the_bootstrap_interval_brackets_the_mean() {
        let (lo, hi) = bootstrap_interval(&[0.0, 1.0, 0.5, 0.5], 500, 1);
        assert!(lo < 0.5 && hi > 0.5);
        let (lo, hi) = bootstrap_interval(&[0.3; 5], 100, 1);
        assert!((lo - 0.3).abs() < 1e-12 && (hi - 0.3).abs() < 1e-12);
    }

    #[test]
    fn the_tuning_half_is_stable_and_about_half() {
        let ids: Vec<Demand> = (0..200)
            .map(|i| Demand {
                id: format!("d{i}"),
                title: String::new(),
                text: String::new(),
                servable: None,
            })
            .collect();
        let tuning = ids.iter().filter(|d| d.is_tuning()).count();
        assert!((70..130).contains(&tuning), "{tuning}");
        assert_eq!(ids[3].is_tuning(), ids[3].clone().is_tuning());
    }
}
