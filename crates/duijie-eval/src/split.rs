//! The held-out split: a fixed-seed draw of projects from institutions with enough projects.

use crate::data::Project;
use std::collections::HashMap;

/// SplitMix64: a tiny, fully specified generator, so a seed means the same split on every
/// platform and version.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0), by rejection so there is no modulo bias.
    pub fn below(&mut self, n: u64) -> u64 {
        let zone = u64::MAX - u64::MAX % n;
        loop {
            let x = self.next_u64();
            if x < zone {
                return x % n;
            }
        }
    }
}

/// Indices of the training and held-out projects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split {
    pub train: Vec<usize>,
    pub test: Vec<usize>,
}

/// Draws `holdout` projects (fewer if not enough are eligible) from institutions with at least
/// `min_org_projects` projects; the rest is training data. Same inputs, same split.
pub fn split(projects: &[Project], holdout: usize, seed: u64, min_org_projects: usize) -> Split {
    let mut per_org: HashMap<&str, usize> = HashMap::new();
    for p in projects {
        *per_org.entry(p.org_key.as_str()).or_default() += 1;
    }
    let mut eligible: Vec<usize> = (0..projects.len())
        .filter(|&i| per_org[projects[i].org_key.as_str()] >= min_org_projects)
        .collect();
    let mut rng = SplitMix64::new(seed);
    let take = holdout.min(eligible.len());
    // Partial Fisher–Yates: the first `take` slots become the sample.
    for i in 0..take {
        let j = i + rng.below((eligible.len() - i) as u64) as usize;
        eligible.swap(i, j);
    }
    let test: Vec<usize> = eligible[..take].to_vec();
    let mut held = vec![false; projects.len()];
    for &i in &test {
        held[i] = true;
    }
    let train = (0..projects.len()).filter(|&i| !held[i]).collect();
    Split { train, test }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn projects() -> Vec<Project> {
        (0..300)
            .map(|i| {
                // Organisations of 1 to 29 projects.
                let org = format!("org{}", (i * 7) % 23 + usize::from(i % 5 == 0) * 100);
                Project {
                    id: format!("p{i}"),
                    title: format!("项目{i}"),
                    keywords: Vec::new(),
                    org: org.clone(),
                    org_key: org,
                    person: format!("人{}", i % 40),
                    year: None,
                }
            })
            .collect()
    }

    #[test]
    fn split_is_deterministic_disjoint_and_drawn_from_large_institutions() {
        let ps = projects();
        let a = split(&ps, 50, 42, 10);
        assert_eq!(a, split(&ps, 50, 42, 10));
        assert_ne!(a.test, split(&ps, 50, 43, 10).test);
        assert_eq!(a.test.len(), 50);
        assert_eq!(a.train.len() + a.test.len(), ps.len());
        let mut all: Vec<usize> = a.train.iter().chain(&a.test).copied().collect();
        all.sort_unstable();
        all.dedup();
        assert_eq!(
            all.len(),
            ps.len(),
            "train and test are disjoint and cover everything"
        );
        for &i in &a.test {
            let n = ps.iter().filter(|p| p.org_key == ps[i].org_key).count();
            assert!(n >= 10, "{} has {n} projects", ps[i].org_key);
        }
        // Fewer eligible projects than asked: all of them, no panic.
        assert!(split(&ps, 10_000, 1, 10).test.len() < ps.len());
    }
}
