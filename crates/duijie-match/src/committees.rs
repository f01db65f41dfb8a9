//! Expert committees (专家咨询委员会) as an algorithm: a field's sub-topics from its demands'
//! topic words, the experts the matcher finds for each sub-topic, and a greedy cover of the
//! sub-topics with at most [`MAX_PER_INSTITUTION`] members from one institution, each pick
//! explained. The caller loads the demands and the experts' organisations and keeps the result.

use crate::query::MatchInput;
use crate::rank::{CandidateKind, Evidence, EvidenceKind, Matcher};
use crate::MatchError;
use duijie_core::{EntityKind, Field, Subtopic};
use std::collections::{BTreeMap, HashMap};

/// Members from one institution at most.
pub const MAX_PER_INSTITUTION: usize = 2;
/// Experts looked at per sub-topic.
const PER_SUBTOPIC: usize = 15;
/// Records kept to show why a member was chosen.
const MEMBER_EVIDENCE: usize = 5;

/// How many sub-topics a committee of `size` is built around.
pub fn subtopic_count(size: usize) -> usize {
    (size + 4).clamp(5, 15)
}

/// An expert found for some sub-topics, and the records that show it.
#[derive(Debug, Clone, PartialEq)]
struct Pick {
    name: String,
    institution: String,
    /// Sub-topic index → the expert's score for it.
    covers: BTreeMap<usize, f64>,
    evidence: Vec<Evidence>,
}

impl Pick {
    fn total(&self) -> f64 {
        self.covers.values().sum()
    }
}

/// The experts found for a committee's sub-topics ([`Matcher::committee_pool`]), by expert
/// record id.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CommitteePool {
    picks: HashMap<String, Pick>,
}

/// One proposed member and why.
#[derive(Debug, Clone, PartialEq)]
pub struct CommitteePick {
    pub expert_id: String,
    pub name: String,
    pub org_id: String,
    pub org_name: String,
    /// The committee's sub-topics this expert covers.
    pub subtopics: Vec<String>,
    /// The first records that show it.
    pub evidence: Vec<Evidence>,
    /// One Chinese line: `覆盖子议题：…；3 项相关成果；研究方向相关`.
    pub reason: String,
}

impl Matcher {
    /// The `want` sub-topics of a field from its demands: each demand's topic words
    /// ([`Matcher::topic_terms`]) counted over the demands, weighted by how rare they are
    /// among achievements and experts (模型 or 体系 say less than 氧化铝); words no record of
    /// a person has come last, and a word inside a weightier chosen one (正极 beside 正极材料)
    /// adds no sub-topic.
    pub fn subtopics(&self, demands: &[MatchInput], want: usize) -> Vec<Subtopic> {
        let mut counts: HashMap<String, u32> = HashMap::new();
        for d in demands {
            for w in self.topic_terms(d) {
                *counts.entry(w).or_default() += 1;
            }
        }
        let index = self.index();
        let n =
            (index.num_docs(EntityKind::Achievement) + index.num_docs(EntityKind::Expert)) as f64;
        let mut terms: Vec<(String, u32, bool, f64)> = counts
            .into_iter()
            .map(|(term, count)| {
                let df = (index.doc_freq(EntityKind::Achievement, &term)
                    + index.doc_freq(EntityKind::Expert, &term)) as f64;
                let weight = f64::from(count) * (1.0 + n / (df + 1.0)).ln();
                (term, count, df > 0.0, weight)
            })
            .collect();
        terms.sort_by(|a, b| {
            b.2.cmp(&a.2)
                .then(b.3.total_cmp(&a.3))
                .then_with(|| a.0.cmp(&b.0))
        });
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
        out
    }

    /// The experts ranked for each sub-topic (as a demand of `field` titled with it), with the
    /// sub-topics each covers and the records that show it. Only people with an expert record
    /// can sit on a committee: leaders known by name only are left out.
    pub fn committee_pool(
        &self,
        field: Field,
        subtopics: &[Subtopic],
    ) -> Result<CommitteePool, MatchError> {
        let mut picks: HashMap<String, Pick> = HashMap::new();
        for (i, topic) in subtopics.iter().enumerate() {
            let input = MatchInput {
                title: topic.term.clone(),
                field: Some(field),
                ..MatchInput::default()
            };
            let ranking = self.rank(&input, CandidateKind::Expert, PER_SUBTOPIC)?;
            for c in ranking.candidates {
                let Some(expert_id) = c.expert_id else {
                    continue;
                };
                let pick = picks.entry(expert_id).or_insert_with(|| Pick {
                    name: c.name.clone(),
                    institution: c.institution.clone(),
                    covers: BTreeMap::new(),
                    evidence: Vec::new(),
                });
                pick.covers.insert(i, c.score);
                for e in c.evidence {
                    if !pick.evidence.iter().any(|x| x.id == e.id) {
                        pick.evidence.push(e);
                    }
                }
            }
        }
        Ok(CommitteePool { picks })
    }
}

impl CommitteePool {
    /// The expert records found, for the caller to look up their organisations.
    pub fn expert_ids(&self) -> Vec<String> {
        self.picks.keys().cloned().collect()
    }

    /// At most `size` members by greedy cover of `subtopics`, each with its explanation.
    /// `orgs` gives each expert's organisation; an expert missing there (the record is gone)
    /// is left out.
    pub fn choose(
        self,
        subtopics: &[Subtopic],
        orgs: &HashMap<String, String>,
        size: usize,
    ) -> Vec<CommitteePick> {
        let mut picks: HashMap<String, (String, Pick)> = self
            .picks
            .into_iter()
            .filter_map(|(id, p)| Some((id.clone(), (orgs.get(&id)?.clone(), p))))
            .collect();
        greedy_cover(subtopics, &picks, size)
            .into_iter()
            .filter_map(|id| {
                let (org_id, p) = picks.remove(&id)?;
                Some(CommitteePick {
                    reason: reason(subtopics, &p),
                    subtopics: p
                        .covers
                        .keys()
                        .filter_map(|i| subtopics.get(*i).map(|s| s.term.clone()))
                        .collect(),
                    evidence: p.evidence.into_iter().take(MEMBER_EVIDENCE).collect(),
                    expert_id: id,
                    name: p.name,
                    org_id,
                    org_name: p.institution,
                })
            })
            .collect()
    }
}

/// `覆盖子议题：正极材料、电解液；3 项相关成果；研究方向相关`, counted over all of the pick's records.
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
        .filter(|e| e.kind == EvidenceKind::Achievement)
        .count();
    if achievements > 0 {
        line.push_str(&format!("；{achievements} 项相关成果"));
    }
    if pick.evidence.iter().any(|e| e.kind == EvidenceKind::Expert) {
        line.push_str("；研究方向相关");
    }
    line
}

/// Greedy cover: each round takes the expert adding the most uncovered sub-topic weight
/// (demands mentioning it), then the highest score, then the smallest id; no institution above
/// [`MAX_PER_INSTITUTION`]. `picks` maps an expert id to its organisation and pick.
fn greedy_cover(
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

#[cfg(test)]
mod tests {
    use super::*;

    fn topics(items: &[(&str, u32)]) -> Vec<Subtopic> {
        items
            .iter()
            .map(|(term, demands)| Subtopic {
                term: term.to_string(),
                demands: *demands,
            })
            .collect()
    }

    fn evidence(kind: EvidenceKind, id: &str) -> Evidence {
        Evidence {
            kind,
            id: id.to_string(),
            title: format!("{id} 的标题"),
            score: 1.0,
            matched_terms: Vec::new(),
            semantic: false,
        }
    }

    /// An expert at `org` covering sub-topics (index, score), with one achievement.
    fn pick(org: &str, covers: &[(usize, f64)]) -> (String, Pick) {
        let pick = Pick {
            name: "某专家".to_string(),
            institution: format!("{org} 大学"),
            covers: covers.iter().copied().collect(),
            evidence: vec![evidence(EvidenceKind::Achievement, "ach")],
        };
        (org.to_string(), pick)
    }

    #[test]
    fn the_cover_takes_the_largest_uncovered_weight_first() {
        // 正极材料 is asked for by 5 demands, 电解液 by 3, 隔膜 by 1.
        let subtopics = topics(&[("正极材料", 5), ("电解液", 3), ("隔膜", 1)]);
        let picks: HashMap<String, (String, Pick)> = [
            ("e_wide", pick("org_a", &[(1, 1.0), (2, 1.0)])),
            ("e_main", pick("org_b", &[(0, 0.5)])),
            ("e_same", pick("org_c", &[(0, 0.9)])),
            ("e_thin", pick("org_d", &[(2, 3.0)])),
        ]
        .into_iter()
        .map(|(id, p)| (id.to_string(), p))
        .collect();
        // e_same beats e_main on score for the same 5; e_wide adds 4; then e_main and e_thin
        // add nothing new, so the higher total wins.
        assert_eq!(
            greedy_cover(&subtopics, &picks, 4),
            ["e_same", "e_wide", "e_thin", "e_main"]
        );
        assert_eq!(greedy_cover(&subtopics, &picks, 1), ["e_same"]);
    }

    #[test]
    fn no_institution_has_more_than_two_members() {
        let subtopics = topics(&[("a", 1), ("b", 1), ("c", 1), ("d", 1)]);
        let picks: HashMap<String, (String, Pick)> = (0..4)
            .map(|i| (format!("e{i}"), pick("org_same", &[(i, 1.0)])))
            .chain([("e_other".to_string(), pick("org_other", &[(0, 0.1)]))])
            .collect();
        let chosen = greedy_cover(&subtopics, &picks, 10);
        assert_eq!(chosen.len(), 3, "{chosen:?}");
        let same = chosen.iter().filter(|id| *id != "e_other").count();
        assert_eq!(same, MAX_PER_INSTITUTION);
    }

    #[test]
    fn each_member_is_explained_and_experts_without_an_organisation_are_left_out() {
        let subtopics = topics(&[("正极材料", 2), ("电解液", 1)]);
        let (_, mut known) = pick("org_a", &[(0, 1.0), (1, 0.5)]);
        known.evidence = (0..7)
            .map(|i| evidence(EvidenceKind::Achievement, &format!("ach_{i}")))
            .chain([evidence(EvidenceKind::Expert, "e_known")])
            .collect();
        let (_, gone) = pick("org_b", &[(0, 9.0)]);
        let pool = CommitteePool {
            picks: [("e_known".to_string(), known), ("e_gone".to_string(), gone)].into(),
        };
        let mut ids = pool.expert_ids();
        ids.sort();
        assert_eq!(ids, ["e_gone", "e_known"]);
        let orgs: HashMap<String, String> = [("e_known".to_string(), "org_a".to_string())].into();
        let members = pool.choose(&subtopics, &orgs, 5);
        assert_eq!(members.len(), 1);
        let m = &members[0];
        assert_eq!(
            (m.expert_id.as_str(), m.org_id.as_str()),
            ("e_known", "org_a")
        );
        assert_eq!(m.org_name, "org_a 大学");
        assert_eq!(m.subtopics, ["正极材料", "电解液"]);
        assert_eq!(m.evidence.len(), MEMBER_EVIDENCE);
        assert_eq!(
            m.reason,
            "覆盖子议题：正极材料、电解液；7 项相关成果；研究方向相关"
        );
    }

    #[test]
    fn committees_are_built_around_five_to_fifteen_subtopics() {
        assert_eq!(subtopic_count(1), 5);
        assert_eq!(subtopic_count(6), 10);
        assert_eq!(subtopic_count(50), 15);
    }
}
