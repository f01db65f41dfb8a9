//! How the scores of a candidate's documents become one score. The point is that one strongly
//! matching achievement counts and that sheer volume of weak matches does not win.

use serde::{Deserialize, Serialize};

/// An aggregation of document scores, applied to the scores sorted best first.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum Aggregation {
    /// The best document only.
    Max,
    /// Every document: volume wins.
    Sum,
    /// The best `k` documents, equally.
    TopSum { k: usize },
    /// The best `k` documents, the i-th (0-based) weighted `decay^i`.
    RankDecay { k: usize, decay: f32 },
    /// The best document plus a saturating bonus for the others:
    /// `s0 + s0 · (1 - exp(-rest / (s0 · scale)))`, so the total never exceeds twice the best.
    Saturating { scale: f32 },
}

impl Aggregation {
    /// Combines scores sorted best first.
    pub fn combine(&self, sorted: &[f32]) -> f32 {
        match *self {
            Aggregation::Max => sorted.first().copied().unwrap_or(0.0),
            Aggregation::Sum => sorted.iter().sum(),
            Aggregation::TopSum { k } => sorted.iter().take(k).sum(),
            Aggregation::RankDecay { k, decay } => {
                let mut w = 1.0;
                let mut total = 0.0;
                for s in sorted.iter().take(k) {
                    total += s * w;
                    w *= decay;
                }
                total
            }
            Aggregation::Saturating { scale } => {
                let Some(&best) = sorted.first() else {
                    return 0.0;
                };
                if best <= 0.0 {
                    return 0.0;
                }
                let rest: f32 = sorted[1..].iter().sum();
                best + best * (1.0 - (-rest / (best * scale.max(1e-3))).exp())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aggregations_on_known_scores() {
        let s = [4.0, 2.0, 1.0, 1.0];
        assert_eq!(Aggregation::Max.combine(&s), 4.0);
        assert_eq!(Aggregation::Sum.combine(&s), 8.0);
        assert_eq!(Aggregation::TopSum { k: 3 }.combine(&s), 7.0);
        let d = Aggregation::RankDecay { k: 3, decay: 0.5 }.combine(&s);
        assert!((d - 5.25).abs() < 1e-6);
        let sat = Aggregation::Saturating { scale: 1.0 }.combine(&s);
        assert!(sat > 4.0 && sat < 8.0);
        assert_eq!(Aggregation::Max.combine(&[]), 0.0);
    }
}
