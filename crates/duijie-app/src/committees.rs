//! Expert committees (专家咨询委员会): for a field, the bureau gets a proposal of experts that
//! covers the sub-topics of the field's public demands, at most two per institution, each
//! pick explained; it then adjusts the members and confirms.

use crate::demands::{actor, text};
use crate::matching::match_err;
use crate::trends::demand_words;
use crate::{blocking, store_err, Action, App, AppResult, Caller};
use duijie_core::error::FieldErrors;
use duijie_core::{
    Committee, CommitteeMember, CommitteeStatus, CommitteeUpdate, DomainError, EntityKind,
    ErrorCode, Field, MemberEvidence, NewCommittee, Subtopic,
};
use duijie_match::{CandidateKind, EvidenceKind, MatchInput};
use duijie_store::Record;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};

/// Largest committee.
pub const MAX_COMMITTEE_SIZE: u32 = 50;
/// Members from one institution at most.
pub const MAX_PER_INSTITUTION: usize = 2;
/// Experts looked at per sub-topic.
const PER_SUBTOPIC: usize = 15;
const MAX_NAME: usize = 100;
const MAX_NOTES: usize = 5_000;

/// `POST /api/v1/committees`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommitteeForm {
    pub field: String,
    pub size: u32,
    #[serde(default)]
    pub name: Option<String>,
}

/// `PATCH /api/v1/committees/{id}`: absent parts stay as they are.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommitteePatch {
    pub name: Option<String>,
    pub notes: Option<String>,
    pub status: Option<String>,
    /// The new member list, replacing the old one.
    pub member_ids: Option<Vec<String>>,
}

/// How many sub-topics a committee of `size` is built around.
fn subtopic_count(size: u32) -> usize {
    (size as usize + 4).clamp(5, 15)
}

/// An expert found for some sub-topics, and the records that show it.
struct Pick {
    name: String,
    institution: String,
    /// Sub-topic index → the expert's score for it.
    covers: BTreeMap<usize, f64>,
    evidence: Vec<MemberEvidence>,
}

impl Pick {
    fn total(&self) -> f64 {
        self.covers.values().sum()
    }
}

fn reason(subtopics: &[Subtopic], pick: &Pick) -> String {
    let topics: Vec<&str> = pick
        .covers
        .keys()
        .filter_map(|i| subtopics.get(*i).map(|s| s.term.as_str()))
        .collect();
    let mut line = format!("覆盖子议题：{}", topics.join("、"));
    let achievements = pick
        .evidence
        .iter()
        .filter(|e| e.kind == "achievement")
        .count();
    if achievements > 0 {
        line.push_str(&format!("；{achievements} 项相关成果"));
    }
    if pick.evidence.iter().any(|e| e.kind == "expert") {
        line.push_str("；研究方向相关");
    }
    line
}

/// Greedy cover: each round takes the expert adding the most uncovered sub-topic weight
/// (demands mentioning it), then the highest score; no institution above the cap.
fn choose(
    subtopics: &[Subtopic],
    picks: &HashMap<String, (String, Pick)>,
    size: usize,
) -> Vec<String> {
    let mut covered = vec![false; subtopics.len()];
    let mut per_org: HashMap<&str, usize> = HashMap::new();
    let mut chosen: Vec<String> = Vec::new();
    while chosen.len() < size {
        let best = picks
            .iter()
            .filter(|(id, (org, _))| {
                !chosen.contains(id)
                    && per_org.get(org.as_str()).copied().unwrap_or(0) < MAX_PER_INSTITUTION
            })
            .map(|(id, (_, p))| {
                let gain: u32 = p
                    .covers
                    .keys()
                    .filter(|i| !covered.get(**i).copied().unwrap_or(true))
                    .filter_map(|i| subtopics.get(*i).map(|s| s.demands))
                    .sum();
                (gain, p.total(), id)
            })
            .max_by(|a, b| {
                a.0.cmp(&b.0)
                    .then(a.1.total_cmp(&b.1))
                    .then_with(|| b.2.cmp(a.2))
            });
        let Some((_, _, id)) = best else { break };
        let (org, p) = &picks[id];
        for i in p.covers.keys() {
            if let Some(c) = covered.get_mut(*i) {
                *c = true;
            }
        }
        *per_org.entry(org.as_str()).or_default() += 1;
        chosen.push(id.clone());
    }
    chosen
}

/// Fails unless no institution has more than [`MAX_PER_INSTITUTION`] members.
fn check_cap(members: &[CommitteeMember]) -> AppResult<()> {
    let mut per_org: HashMap<&str, usize> = HashMap::new();
    for m in members {
        let n = per_org.entry(m.org_id.as_str()).or_default();
        *n += 1;
        if *n > MAX_PER_INSTITUTION {
            return Err(DomainError::invalid(
                "member_ids",
                format!(
                    "同一单位最多 {MAX_PER_INSTITUTION} 名委员，{} 超出",
                    m.org_name
                ),
            ));
        }
    }
    Ok(())
}

impl App {
    /// Proposes and saves a draft committee for a field (bureau).
    pub async fn propose_committee(
        &self,
        caller: &Caller,
        form: &CommitteeForm,
    ) -> AppResult<Committee> {
        caller.require(Action::ManageCommittees)?;
        let mut errs = FieldErrors::default();
        let field = errs.check(
            Field::try_from(form.field.trim().to_string())
                .map_err(|m| DomainError::invalid("field", m)),
        );
        if form.size == 0 || form.size > MAX_COMMITTEE_SIZE {
            errs.add(DomainError::invalid(
                "size",
                format!("人数须在 1 到 {MAX_COMMITTEE_SIZE} 之间"),
            ));
        }
        let name = match form.name.as_deref() {
            Some(n) => errs
                .check(text("name", "委员会名称", n, MAX_NAME))
                .unwrap_or_default(),
            None => String::new(),
        };
        errs.finish()?;
        let Some(field) = field else {
            return Err(crate::internal("committee form", "checked field missing"));
        };
        let name = if name.is_empty() {
            format!("{}专家咨询委员会", field.label())
        } else {
            name
        };
        let demands: Vec<_> = self
            .store
            .public_demands()
            .await
            .map_err(store_err)?
            .into_iter()
            .filter(|p| p.demand.body.field == Some(field))
            .map(|p| p.demand)
            .collect();
        let want = subtopic_count(form.size);
        let index = self.index.clone();
        let words = self.matcher.clone();
        let subtopics = blocking(move || {
            let mut counts: HashMap<String, u32> = HashMap::new();
            for d in &demands {
                for w in demand_words(&words, d) {
                    *counts.entry(w).or_default() += 1;
                }
            }
            // Frequent in the field's demands and rare among achievements and experts: 模型 or
            // 体系 say less than 氧化铝. Words no record of a person covers come last.
            let n = (index.num_docs_in(EntityKind::Achievement)
                + index.num_docs_in(EntityKind::Expert)) as f64;
            let mut terms: Vec<(String, u32, bool, f64)> = counts
                .into_iter()
                .map(|(term, count)| {
                    let df = (index.doc_freq_in(EntityKind::Achievement, &term)
                        + index.doc_freq_in(EntityKind::Expert, &term))
                        as f64;
                    let weight = f64::from(count) * (1.0 + n / (df + 1.0)).ln();
                    (term, count, df > 0.0, weight)
                })
                .collect();
            terms.sort_by(|a, b| {
                b.2.cmp(&a.2)
                    .then(b.3.total_cmp(&a.3))
                    .then_with(|| a.0.cmp(&b.0))
            });
            // A word inside a weightier chosen one adds no sub-topic (正极 beside 正极材料).
            let mut out: Vec<Subtopic> = Vec::new();
            for (term, demands, _, _) in terms {
                if out.len() == want {
                    break;
                }
                if !out
                    .iter()
                    .any(|s| s.term.contains(&term) || term.contains(&s.term))
                {
                    out.push(Subtopic { term, demands });
                }
            }
            Ok(out)
        })
        .await?;
        if subtopics.is_empty() {
            return Err(DomainError::new(
                ErrorCode::Conflict,
                format!("{} 领域暂无已发布的需求，无法归纳子议题", field.label()),
            ));
        }
        let matcher = self.matcher.clone();
        let topics = subtopics.clone();
        let rankings = self
            .cancellable(move |cancel| {
                let matcher = matcher.with_cancel(cancel.clone());
                topics
                    .iter()
                    .map(|t| {
                        let input = MatchInput {
                            title: t.term.clone(),
                            field: Some(field),
                            ..MatchInput::default()
                        };
                        matcher
                            .rank(&input, CandidateKind::Expert, PER_SUBTOPIC)
                            .map_err(|e| match_err("committee match", e))
                    })
                    .collect::<AppResult<Vec<_>>>()
            })
            .await?;
        let mut found: HashMap<String, Pick> = HashMap::new();
        for (i, ranking) in rankings.into_iter().enumerate() {
            for c in ranking.candidates {
                // Only people with an expert record can sit on a committee.
                if c.id.contains('|') {
                    continue;
                }
                let pick = found.entry(c.id.clone()).or_insert_with(|| Pick {
                    name: c.name.clone(),
                    institution: c.institution.clone(),
                    covers: BTreeMap::new(),
                    evidence: Vec::new(),
                });
                pick.covers.insert(i, c.score);
                for e in c.evidence {
                    if !pick.evidence.iter().any(|x| x.id == e.id) {
                        pick.evidence.push(MemberEvidence {
                            kind: match e.kind {
                                EvidenceKind::Expert => "expert",
                                EvidenceKind::Achievement => "achievement",
                                EvidenceKind::Instrument => "instrument",
                            }
                            .to_string(),
                            id: e.id,
                            title: e.title,
                        });
                    }
                }
            }
        }
        let ids: Vec<String> = found.keys().cloned().collect();
        let orgs: HashMap<String, String> = self
            .store
            .get_records(EntityKind::Expert, &ids)
            .await
            .map_err(store_err)?
            .into_iter()
            .filter_map(|r| match r {
                Record::Expert(e) => Some((e.id, e.org_id)),
                _ => None,
            })
            .collect();
        let picks: HashMap<String, (String, Pick)> = found
            .into_iter()
            .filter_map(|(id, p)| Some((id.clone(), (orgs.get(&id)?.clone(), p))))
            .collect();
        let members = choose(&subtopics, &picks, form.size as usize)
            .into_iter()
            .filter_map(|id| {
                let (org_id, p) = picks.get(&id)?;
                Some(CommitteeMember {
                    reason: reason(&subtopics, p),
                    subtopics: p
                        .covers
                        .keys()
                        .filter_map(|i| subtopics.get(*i).map(|s| s.term.clone()))
                        .collect(),
                    evidence: p.evidence.iter().take(5).cloned().collect(),
                    expert_id: id,
                    name: p.name.clone(),
                    org_id: org_id.clone(),
                    org_name: p.institution.clone(),
                })
            })
            .collect();
        let new = NewCommittee {
            name,
            field,
            size: form.size,
            subtopics,
            members,
        };
        self.store
            .create_committee(&new, &actor(caller))
            .await
            .map_err(store_err)
    }

    pub async fn committees(&self, caller: &Caller) -> AppResult<Vec<Committee>> {
        caller.require(Action::ManageCommittees)?;
        self.store.list_committees().await.map_err(store_err)
    }

    pub async fn committee(&self, caller: &Caller, id: &str) -> AppResult<Committee> {
        caller.require(Action::ManageCommittees)?;
        self.store
            .get_committee(id)
            .await
            .map_err(store_err)?
            .ok_or_else(|| DomainError::not_found("委员会"))
    }

    /// The bureau renames, annotates, replaces the members (still at most two per
    /// institution) and confirms. A confirmed committee's members change only after it is
    /// set back to draft.
    pub async fn update_committee(
        &self,
        caller: &Caller,
        id: &str,
        patch: &CommitteePatch,
        version: Option<i64>,
    ) -> AppResult<Committee> {
        let current = self.committee(caller, id).await?;
        if version.is_some_and(|v| v != current.version) {
            return Err(crate::demands::stale("委员会"));
        }
        // The checks below read `current`; the store writes only if it is still that version.
        let mut update = CommitteeUpdate {
            version: Some(current.version),
            ..CommitteeUpdate::default()
        };
        if let Some(n) = &patch.name {
            let n = text("name", "委员会名称", n, MAX_NAME)?;
            if n.is_empty() {
                return Err(DomainError::invalid("name", "委员会名称不能为空"));
            }
            update.name = Some(n);
        }
        if let Some(n) = &patch.notes {
            update.notes = Some(text("notes", "备注", n, MAX_NOTES)?);
        }
        if let Some(s) = &patch.status {
            update.status = Some(CommitteeStatus::parse(s.trim()).ok_or_else(|| {
                DomainError::invalid(
                    "status",
                    format!("status 须为 draft 或 confirmed，而不是“{}”", s.trim()),
                )
            })?);
        }
        if let Some(raw) = &patch.member_ids {
            let status = update.status.unwrap_or(current.status);
            if status == CommitteeStatus::Confirmed {
                return Err(DomainError::new(
                    ErrorCode::Conflict,
                    "委员会已确认，请先改回草案再调整委员",
                ));
            }
            update.members = Some(self.members_from_ids(&current, raw).await?);
        }
        self.store
            .update_committee(id, &update)
            .await
            .map_err(store_err)
    }

    /// The members for the given expert ids, in order: kept members keep their explanation,
    /// others are looked up.
    async fn members_from_ids(
        &self,
        current: &Committee,
        raw: &[String],
    ) -> AppResult<Vec<CommitteeMember>> {
        if raw.len() > MAX_COMMITTEE_SIZE as usize {
            return Err(DomainError::invalid(
                "member_ids",
                format!("委员最多 {MAX_COMMITTEE_SIZE} 位"),
            ));
        }
        let mut ids: Vec<String> = Vec::new();
        for id in raw.iter().map(|i| i.trim()).filter(|i| !i.is_empty()) {
            if ids.iter().any(|x| x == id) {
                return Err(DomainError::invalid("member_ids", "同一位专家选了两次"));
            }
            ids.push(id.to_string());
        }
        let mut experts: HashMap<String, _> = self
            .store
            .get_records(EntityKind::Expert, &ids)
            .await
            .map_err(store_err)?
            .into_iter()
            .filter_map(|r| match r {
                Record::Expert(e) => Some((e.id.clone(), e)),
                _ => None,
            })
            .collect();
        let mut members = Vec::with_capacity(ids.len());
        for id in ids {
            let Some(e) = experts.remove(&id) else {
                return Err(DomainError::invalid("member_ids", "所选专家不存在或已删除"));
            };
            members.push(match current.members.iter().find(|m| m.expert_id == id) {
                Some(m) => m.clone(),
                None => CommitteeMember {
                    expert_id: e.id,
                    name: e.body.name,
                    org_id: e.org_id,
                    org_name: e.org_name,
                    subtopics: Vec::new(),
                    evidence: Vec::new(),
                    reason: "科技局调整时加入".to_string(),
                },
            });
        }
        check_cap(&members)?;
        Ok(members)
    }
}
