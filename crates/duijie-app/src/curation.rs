//! The bureau's review queue (审核队列): submitted demands, each with what is missing for it
//! to be matched and the stored demands it may repeat. Candidates come from the search index
//! (the best text matches among all demands) and from the same enterprise in the store; each
//! is then compared exactly on its analysed wording.

use crate::{blocking, internal, store_err, Action, App, AppResult, Caller};
use duijie_core::curation::{
    completeness, doubts, duplicate_reasons, jaccard, return_note, shingles, Doubt,
    DuplicateReason, Gap,
};
use duijie_core::time::china_today;
use duijie_core::{Demand, DemandStatus, EntityKind};
use duijie_search::{Filter, SearchIndex, WeightedTerm};
use duijie_store::{AuditSubject, DemandFilter, Record};
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// Text matches looked at per demand under review.
const TEXT_CANDIDATES: usize = 20;
/// Demands of the same enterprise looked at per demand under review.
const SAME_ENTERPRISE_CANDIDATES: u32 = 200;

/// A stored demand that looks like a repeat of the one under review.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DuplicateCandidate {
    pub id: String,
    pub title: String,
    pub enterprise: String,
    pub status: DemandStatus,
    /// Share of wording in common (Jaccard over word 2-shingles), rounded to 0.01.
    pub similarity: f64,
    pub reasons: Vec<DuplicateReason>,
}

/// One demand in the review queue.
#[derive(Debug, Clone)]
pub struct ReviewItem {
    pub demand: Demand,
    /// What is missing; empty when the demand is complete.
    pub gaps: Vec<Gap>,
    /// Values to check before approving (a passed deadline, an unusual budget).
    pub doubts: Vec<Doubt>,
    /// A note listing the gaps, ready to send back with “request changes”.
    pub suggested_note: Option<String>,
    /// Most similar first.
    pub duplicates: Vec<DuplicateCandidate>,
}

/// The words duplicates are compared on.
fn wording(d: &Demand) -> String {
    format!("{}\n{}\n{}", d.body.title, d.body.description, d.body.goals)
}

/// Flags `under_review` against `others` (which may include it; it is skipped).
fn flag_duplicates(
    index: &SearchIndex,
    under_review: &Demand,
    others: &[Demand],
) -> Vec<DuplicateCandidate> {
    let mine = shingles(&index.analyze(&wording(under_review)));
    let mut out: Vec<DuplicateCandidate> = others
        .iter()
        .filter(|o| o.id != under_review.id)
        .filter_map(|o| {
            let similarity = jaccard(&mine, &shingles(&index.analyze(&wording(o))));
            let reasons = duplicate_reasons(similarity, o.org_id == under_review.org_id);
            (!reasons.is_empty()).then(|| DuplicateCandidate {
                id: o.id.clone(),
                title: o.body.title.clone(),
                enterprise: o.org_name.clone(),
                status: o.status,
                similarity: (similarity * 100.0).round() / 100.0,
                reasons,
            })
        })
        .collect();
    out.sort_by(|a, b| b.similarity.total_cmp(&a.similarity).then(a.id.cmp(&b.id)));
    out
}

/// Ids of the demands whose text best matches `d`, from the index.
fn text_candidates(index: &SearchIndex, d: &Demand) -> AppResult<Vec<String>> {
    let terms: Vec<WeightedTerm> = index
        .analyze(&wording(d))
        .into_iter()
        .collect::<HashSet<_>>()
        .into_iter()
        .map(|term| WeightedTerm { term, weight: 1.0 })
        .collect();
    let hits = index
        .top_weighted(
            EntityKind::Demand,
            &terms,
            &Filter::default(),
            TEXT_CANDIDATES,
        )
        .map_err(|e| internal("duplicate candidates", e))?;
    Ok(hits.into_iter().map(|h| h.id).collect())
}

impl App {
    /// Submitted demands, newest first, each checked for completeness and likely duplicates.
    pub async fn review_queue(
        &self,
        caller: &Caller,
        offset: u32,
        limit: u32,
    ) -> AppResult<(Vec<ReviewItem>, i64)> {
        caller.require(Action::ReviewDemand)?;
        let (queue, total) = self
            .store
            .list_demands(&DemandFilter {
                org_id: None,
                statuses: Some(vec![DemandStatus::Submitted]),
                offset,
                limit,
            })
            .await
            .map_err(store_err)?;
        let mut items = Vec::with_capacity(queue.len());
        for d in queue {
            let index = self.index.clone();
            let probe = d.clone();
            let mut ids = blocking(move || text_candidates(&index, &probe)).await?;
            let (same_org, _) = self
                .store
                .list_demands(&DemandFilter {
                    org_id: Some(d.org_id.clone()),
                    statuses: None,
                    offset: 0,
                    limit: SAME_ENTERPRISE_CANDIDATES,
                })
                .await
                .map_err(store_err)?;
            ids.retain(|id| !same_org.iter().any(|o| &o.id == id));
            let mut others: HashMap<String, Demand> =
                same_org.into_iter().map(|o| (o.id.clone(), o)).collect();
            for r in self
                .store
                .get_records(EntityKind::Demand, &ids)
                .await
                .map_err(store_err)?
            {
                if let Record::Demand(o) = r {
                    others.insert(o.id.clone(), o);
                }
            }
            let index = self.index.clone();
            let probe = d.clone();
            let others: Vec<Demand> = others.into_values().collect();
            let duplicates = blocking(move || Ok(flag_duplicates(&index, &probe, &others))).await?;
            let gaps = completeness(&d.body);
            items.push(ReviewItem {
                suggested_note: (!gaps.is_empty()).then(|| return_note(&gaps)),
                doubts: doubts(&d.body, china_today()),
                gaps,
                duplicates,
                demand: d,
            });
        }
        let ids = crate::demands::contact_ids(caller, items.iter().map(|i| &i.demand));
        self.audit_contact_read(caller, AuditSubject::Demand, ids, "审核队列")
            .await?;
        Ok((items, total))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use duijie_core::DemandDraft;

    fn demand(id: &str, org: &str, title: &str, description: &str) -> Demand {
        Demand {
            id: id.into(),
            org_id: org.into(),
            org_name: format!("{org}公司"),
            status: DemandStatus::Published,
            version: 1,
            body: DemandDraft {
                title: title.into(),
                description: description.into(),
                ..DemandDraft::default()
            },
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    #[test]
    fn near_identical_text_and_same_enterprise_are_flagged() {
        let index = SearchIndex::in_memory().unwrap();
        let text = "我公司生产高纯氧化铝粉体，烧结活性不足、批次稳定性差，需要优化粉体制备与煅烧工艺，提高纯度并控制粒径分布。";
        let probe = demand("dem_1", "a", "高纯氧化铝粉体制备工艺优化", text);
        let copy = demand(
            "dem_2",
            "b",
            "高纯氧化铝粉体制备工艺优化",
            &text.replace("稳定性差", "稳定性较差"),
        );
        let sibling = demand(
            "dem_3",
            "a",
            "氧化铝粉体煅烧工艺改进",
            "需要改进氧化铝粉体的煅烧工艺，提高烧结活性。",
        );
        let unrelated = demand(
            "dem_4",
            "c",
            "果品冷链保鲜",
            "苹果贮藏期短、损耗大，需要气调冷链保鲜技术。",
        );
        let flagged = flag_duplicates(
            &index,
            &probe,
            &[probe.clone(), copy.clone(), sibling.clone(), unrelated],
        );
        let ids: Vec<&str> = flagged.iter().map(|f| f.id.as_str()).collect();
        assert_eq!(ids[0], "dem_2", "{flagged:?}");
        assert!(flagged[0]
            .reasons
            .contains(&DuplicateReason::NearIdenticalText));
        assert!(flagged[0].similarity >= 0.6);
        assert!(!ids.contains(&"dem_4") && !ids.contains(&"dem_1"));
    }
}
