//! The reverse direction: published demands ranked for an institution. The institution's
//! profile (titles, keywords and texts of its achievements and experts) becomes one weighted
//! query — terms weighted per document as for a demand, summed over documents so that the
//! institution's recurring topics dominate, times their informativeness — which is run against
//! published and in-docking demands.

use crate::query::{build_query, MatchInput, QueryConfig, WeightedQuery};
use crate::rank::Matcher;
use crate::MatchError;
use duijie_core::{DemandStatus, EntityKind};
use duijie_search::{Filter, WeightedTerm};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Terms kept in an institution's profile query.
const PROFILE_TERMS: usize = 40;

/// One document of an institution's profile: an achievement or an expert.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProfileDoc {
    pub title: String,
    #[serde(default)]
    pub keywords: Vec<String>,
    #[serde(default)]
    pub body: String,
}

/// One demand recommended to an institution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DemandMatch {
    pub rank: usize,
    pub id: String,
    pub title: String,
    /// 需求单位
    pub enterprise: String,
    pub score: f64,
    pub matched_terms: Vec<String>,
}

impl Matcher {
    /// The weighted term profile of an institution from its documents.
    pub fn profile_query(&self, profile: &[ProfileDoc]) -> WeightedQuery {
        let cfg = QueryConfig {
            max_terms: usize::MAX,
            ..self.config().query
        };
        let n = self.index().num_docs(EntityKind::Demand).max(1) as f32;
        let max_idf = (1.0 + (n + 0.5) / 0.5).ln();
        let mut sum: HashMap<String, f32> = HashMap::new();
        for doc in profile {
            let input = MatchInput {
                title: doc.title.clone(),
                description: if doc.keywords.is_empty() {
                    doc.body.clone()
                } else {
                    format!("关键词：{}。{}", doc.keywords.join("；"), doc.body)
                },
                ..MatchInput::default()
            };
            for t in build_query(
                &input,
                self.segmenter(),
                self.index(),
                &[EntityKind::Demand],
                &cfg,
                &self.cancel,
            )
            .terms
            {
                *sum.entry(t.term).or_default() += t.weight;
            }
        }
        let mut terms: Vec<WeightedTerm> = sum
            .into_iter()
            .map(|(term, w)| {
                let df = self.index().doc_freq(EntityKind::Demand, &term) as f32;
                let idf = (1.0 + (n - df + 0.5) / (df + 0.5)).ln() / max_idf;
                WeightedTerm {
                    term,
                    weight: w * idf,
                }
            })
            .collect();
        terms.sort_by(|a, b| b.weight.total_cmp(&a.weight).then(a.term.cmp(&b.term)));
        terms.truncate(PROFILE_TERMS);
        // Normalise so the heaviest term weighs 1, like a demand's title term.
        if let Some(top) = terms.first().map(|t| t.weight) {
            for t in &mut terms {
                t.weight /= top;
            }
        }
        WeightedQuery { terms }
    }

    /// Published and in-docking demands ranked for an institution's profile.
    pub fn recommend_demands(
        &self,
        profile: &[ProfileDoc],
        limit: usize,
    ) -> Result<Vec<DemandMatch>, MatchError> {
        let query = self.profile_query(profile);
        if query.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        let filter = Filter {
            statuses: Some(
                [DemandStatus::Published, DemandStatus::InDocking]
                    .map(|s| s.as_str().to_string())
                    .to_vec(),
            ),
            ..Filter::default()
        };
        let hits = self.index().top(
            EntityKind::Demand,
            &query.terms,
            &filter,
            &self.config().fields.boosts(),
            limit,
        )?;
        Ok(hits
            .into_iter()
            .enumerate()
            .map(|(i, h)| DemandMatch {
                rank: i + 1,
                id: h.id,
                title: h.title,
                enterprise: h.org_name,
                score: (f64::from(h.score) * 1000.0).round() / 1000.0,
                matched_terms: h.matched_terms,
            })
            .collect())
    }
}
