//! Candidate profiles ("candidate language models"): every institution and every person as one
//! bag of the terms of all their documents, scored against a query by Dirichlet-smoothed query
//! likelihood with a document-count prior. A profile sees a candidate's whole body of work at
//! once, which complements scoring its best individual documents.

use crate::rank::CandidateKind;
use crate::retrieve::WeightedTerm;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Scoring of profiles.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProfileParams {
    /// Dirichlet smoothing mass, in tokens.
    pub mu: f32,
    /// Weight of `ln(documents)` added to the log-likelihood: a prior towards candidates with
    /// more work behind them (0 = uniform).
    pub size_prior: f32,
}

impl Default for ProfileParams {
    fn default() -> Self {
        ProfileParams {
            mu: 200.0,
            size_prior: 0.5,
        }
    }
}

/// A candidate's profile score.
#[derive(Debug, Clone, PartialEq)]
pub struct ProfileHit {
    /// Organisation id, expert id, or `org_id|name`, as in rankings.
    pub id: String,
    pub score: f32,
    /// Documents in the profile.
    pub docs: u32,
}

/// The profiles of one candidate kind.
#[derive(Debug, Default)]
pub(crate) struct ProfileSet {
    ids: Vec<String>,
    docs: Vec<u32>,
    len: Vec<f32>,
    postings: HashMap<String, Vec<(u32, f32)>>,
    cf: HashMap<String, f32>,
    total: f32,
}

/// Collects documents into profiles.
#[derive(Debug, Default)]
pub(crate) struct ProfileBuilder {
    slot: HashMap<String, usize>,
    ids: Vec<String>,
    docs: Vec<u32>,
    bags: Vec<HashMap<String, f32>>,
}

impl ProfileBuilder {
    /// Adds one document's weighted term counts to the profile `key`.
    pub(crate) fn add(&mut self, key: &str, terms: &[(String, f32)]) {
        let i = match self.slot.get(key) {
            Some(&i) => i,
            None => {
                self.ids.push(key.to_string());
                self.docs.push(0);
                self.bags.push(HashMap::new());
                self.slot.insert(key.to_string(), self.ids.len() - 1);
                self.ids.len() - 1
            }
        };
        self.docs[i] += 1;
        for (t, n) in terms {
            *self.bags[i].entry(t.clone()).or_default() += n;
        }
    }

    pub(crate) fn build(self) -> ProfileSet {
        let mut set = ProfileSet {
            ids: self.ids,
            docs: self.docs,
            ..ProfileSet::default()
        };
        for (i, bag) in self.bags.into_iter().enumerate() {
            let mut len = 0.0;
            for (t, n) in bag {
                len += n;
                set.total += n;
                *set.cf.entry(t.clone()).or_default() += n;
                set.postings.entry(t).or_default().push((i as u32, n));
            }
            set.len.push(len);
        }
        set
    }
}

impl ProfileSet {
    /// The best `limit` profiles by query likelihood plus the size prior.
    pub(crate) fn top(
        &self,
        terms: &[WeightedTerm],
        params: &ProfileParams,
        limit: usize,
    ) -> Vec<ProfileHit> {
        let mu = params.mu.max(1.0);
        let mut acc: HashMap<u32, f32> = HashMap::new();
        let mut mass = 0.0;
        for wt in terms {
            let (Some(postings), Some(&cf)) = (self.postings.get(&wt.term), self.cf.get(&wt.term))
            else {
                continue;
            };
            mass += wt.weight;
            let p_c = cf / self.total.max(1.0);
            for &(i, tf) in postings {
                *acc.entry(i).or_default() += wt.weight * (1.0 + tf / (mu * p_c)).ln();
            }
        }
        let mut hits: Vec<ProfileHit> = acc
            .into_iter()
            .map(|(i, s)| {
                let i = i as usize;
                let len_penalty = mass * (mu / (self.len[i] + mu)).ln();
                let prior = params.size_prior * (self.docs[i] as f32).ln();
                ProfileHit {
                    id: self.ids[i].clone(),
                    score: s + len_penalty + prior,
                    docs: self.docs[i],
                }
            })
            .collect();
        hits.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.id.cmp(&b.id)));
        hits.truncate(limit);
        hits
    }
}

/// Profiles of both candidate kinds.
#[derive(Debug, Default)]
pub(crate) struct Profiles {
    pub(crate) institutions: ProfileSet,
    pub(crate) experts: ProfileSet,
}

impl Profiles {
    pub(crate) fn of(&self, kind: CandidateKind) -> &ProfileSet {
        match kind {
            CandidateKind::Institution => &self.institutions,
            CandidateKind::Expert => &self.experts,
        }
    }
}
