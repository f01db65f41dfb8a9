//! The attribution protocol over an in-memory index: the training projects go into
//! duijie-search's tantivy index (in memory) and ranking goes through [`Matcher::rank`], the
//! same code as the match endpoints, without the store (`cargo run -p duijie-eval --example
//! eval`).

use super::{load, popularity, position, split_set, EvalConfig};
use crate::data::{DataSet, Project};
use crate::metrics::{Latency, Metrics};
use crate::EvalError;
use duijie_core::EntityKind;
use duijie_match::{CandidateKind, MatchInput, Matcher};
use duijie_search::{jieba_without_user_dict, shared_jieba, IndexDoc, SearchIndex};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::sync::Arc;

/// Our ranking and the popularity baseline at one level.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct LevelReport {
    pub duijie: Metrics,
    pub popularity: Metrics,
}

/// The figures of one listing (or of both pooled).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SetReport {
    pub set: String,
    pub indexed: usize,
    pub held_out: usize,
    pub institution: LevelReport,
    pub expert: LevelReport,
    /// One `rank` call, institution and expert level together.
    pub latency: Latency,
}

/// The evaluation's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvalReport {
    pub seed: u64,
    pub holdout: usize,
    pub sets: Vec<SetReport>,
    pub combined: SetReport,
}

/// The gold answers of one query.
struct Gold {
    institution: String,
    /// Only when the leader has another indexed project at that institution.
    expert: Option<String>,
}

/// An achievement document of a training project.
fn project_doc(p: &Project) -> IndexDoc {
    IndexDoc {
        keywords: p.keywords.clone(),
        org_id: p.org_key.clone(),
        org_name: p.org.clone(),
        person: (!p.person.is_empty()).then(|| p.person.clone()),
        year: p.year.map(i64::from),
        ..IndexDoc::new(EntityKind::Achievement, p.id.clone(), p.title.clone())
    }
}

/// The training projects in a fresh in-memory tantivy index.
fn build_index(train: &[&Project], cfg: &EvalConfig) -> Result<SearchIndex, EvalError> {
    let jieba = if cfg.user_dict {
        shared_jieba()
    } else {
        jieba_without_user_dict()
    };
    let index = SearchIndex::in_memory_with(jieba)?;
    index.upsert(train.iter().map(|p| project_doc(p)).collect())?;
    index.commit(0)?;
    Ok(index)
}

/// The ranks of the gold answers of one listing (or of both pooled), and the time of each
/// query, until they are summed up in its report.
struct SetRun {
    report: SetReport,
    inst: Vec<Option<usize>>,
    inst_pop: Vec<Option<usize>>,
    exp: Vec<Option<usize>>,
    exp_pop: Vec<Option<usize>>,
    times: Vec<f64>,
}

impl SetRun {
    fn new(set: &str, indexed: usize, held_out: usize) -> SetRun {
        SetRun {
            report: SetReport {
                set: set.to_string(),
                indexed,
                held_out,
                institution: LevelReport::default(),
                expert: LevelReport::default(),
                latency: Latency::default(),
            },
            inst: Vec::new(),
            inst_pop: Vec::new(),
            exp: Vec::new(),
            exp_pop: Vec::new(),
            times: Vec::new(),
        }
    }

    /// The report with the metrics of the ranks gathered.
    fn summed_up(&self) -> SetReport {
        SetReport {
            institution: LevelReport {
                duijie: Metrics::from_ranks(&self.inst),
                popularity: Metrics::from_ranks(&self.inst_pop),
            },
            expert: LevelReport {
                duijie: Metrics::from_ranks(&self.exp),
                popularity: Metrics::from_ranks(&self.exp_pop),
            },
            latency: Latency::from_samples(&self.times),
            ..self.report.clone()
        }
    }
}

fn run_set(set: DataSet, cfg: &EvalConfig) -> Result<SetRun, EvalError> {
    let projects = load(set, cfg)?;
    let sp = split_set(set, &projects, cfg);
    let train: Vec<&Project> = sp.train.iter().map(|&i| &projects[i]).collect();
    let index = build_index(&train, cfg)?;
    let matcher = Matcher::new(Arc::new(index)).with_config(cfg.matcher);

    // Popularity: institutions and people by number of indexed projects.
    let mut org_count: HashMap<&str, usize> = HashMap::new();
    let mut person_count: HashMap<String, usize> = HashMap::new();
    for p in &train {
        *org_count.entry(p.org_key.as_str()).or_default() += 1;
        if !p.person.is_empty() {
            *person_count.entry(p.expert_key()).or_default() += 1;
        }
    }
    let pop_orgs = popularity(
        org_count.iter().map(|(k, v)| (k.to_string(), *v)),
        cfg.depth,
    );
    let pop_people = popularity(person_count, cfg.depth);
    let known_people: HashSet<String> = train
        .iter()
        .filter(|p| !p.person.is_empty())
        .map(|p| p.expert_key())
        .collect();

    let mut run = SetRun::new(set.as_str(), train.len(), sp.test.len());
    for &i in &sp.test {
        let p = &projects[i];
        let gold = Gold {
            institution: p.org_key.clone(),
            expert: known_people
                .contains(&p.expert_key())
                .then(|| p.expert_key()),
        };
        let input = MatchInput::from_text(&p.query_text());
        let inst = matcher.rank(&input, CandidateKind::Institution, cfg.depth)?;
        let ids: Vec<String> = inst.candidates.into_iter().map(|c| c.id).collect();
        run.inst.push(position(&ids, &gold.institution));
        run.inst_pop.push(position(&pop_orgs, &gold.institution));
        let mut took = inst.took_ms;
        if let Some(expert) = &gold.expert {
            let exp = matcher.rank(&input, CandidateKind::Expert, cfg.depth)?;
            took += exp.took_ms;
            let ids: Vec<String> = exp.candidates.into_iter().map(|c| c.id).collect();
            run.exp.push(position(&ids, expert));
            run.exp_pop.push(position(&pop_people, expert));
        }
        run.times.push(took);
    }
    run.report = run.summed_up();
    Ok(run)
}

/// Runs the evaluation on both listings.
pub fn run(cfg: &EvalConfig) -> Result<EvalReport, EvalError> {
    let mut sets = Vec::new();
    let mut pooled = SetRun::new("combined", 0, 0);
    for set in [DataSet::NsfcLife, DataSet::NsfcMgmt] {
        let r = run_set(set, cfg)?;
        pooled.report.indexed += r.report.indexed;
        pooled.report.held_out += r.report.held_out;
        pooled.inst.extend(r.inst);
        pooled.inst_pop.extend(r.inst_pop);
        pooled.exp.extend(r.exp);
        pooled.exp_pop.extend(r.exp_pop);
        pooled.times.extend(r.times);
        sets.push(r.report);
    }
    Ok(EvalReport {
        seed: cfg.seed,
        holdout: cfg.holdout,
        sets,
        combined: pooled.summed_up(),
    })
}

impl EvalReport {
    /// A plain-text table, one row per listing, level and method.
    pub fn table(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "seed {}  holdout {} per listing",
            self.seed, self.holdout
        );
        let _ = writeln!(
            out,
            "{:<10} {:<12} {:<11} {:>5} {:>6} {:>6} {:>6} {:>8}",
            "set", "level", "method", "n", "MRR", "hit@1", "hit@10", "NDCG@10"
        );
        for s in self.sets.iter().chain([&self.combined]) {
            for (level, l) in [("institution", &s.institution), ("expert", &s.expert)] {
                for (method, m) in [("duijie", &l.duijie), ("popularity", &l.popularity)] {
                    let _ = writeln!(
                        out,
                        "{:<10} {:<12} {:<11} {:>5} {:>6.3} {:>6.3} {:>6.3} {:>8.3}",
                        s.set, level, method, m.queries, m.mrr, m.hit1, m.hit10, m.ndcg10
                    );
                }
            }
            let _ = writeln!(
                out,
                "{:<10} latency per query (both levels): p50 {:.2} ms, p95 {:.2} ms, max {:.2} ms; {} indexed",
                s.set, s.latency.p50_ms, s.latency.p95_ms, s.latency.max_ms, s.indexed
            );
        }
        out
    }
}
