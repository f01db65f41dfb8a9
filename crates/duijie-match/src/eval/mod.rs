//! The held-out attribution evaluation of `quality.md` §1 ("who did this?"): per listing, 250
//! projects from institutions with at least 10 projects are held out, everything else is
//! indexed as achievements, and each held-out title (with its keywords) is matched as a demand.
//! The answer is the project's institution, and at expert level its leader at that institution
//! when the leader has another indexed project. The training projects go into duijie-search's
//! tantivy index (in memory) and ranking goes through [`Matcher::rank`] over
//! [`IndexRetriever`], the same code as the match endpoints. `duijie eval attribution` runs
//! the same split through the whole production path (import → store → index → matcher).

mod data;
pub mod demands;
mod metrics;
mod split;

pub use data::{load_life, load_mgmt, DataSet, Project};
pub use metrics::{ndcg_at, reciprocal_rank, Latency, Metrics};
pub use split::{split, Split, SplitMix64};

use crate::rank::{CandidateKind, MatchConfig, Matcher};
use crate::{IndexRetriever, MatchError, MatchInput};
use duijie_core::EntityKind;
use duijie_search::{jieba_without_user_dict, shared_jieba, IndexDoc, SearchIndex};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What to evaluate and how.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvalConfig {
    /// `nsfc-life-2019-2023` folder.
    pub life_dir: PathBuf,
    /// `nsfc-mgmt-2017/natural-2017-09-26.csv.zip`.
    pub mgmt_zip: PathBuf,
    pub seed: u64,
    /// Held-out projects per listing.
    pub holdout: usize,
    /// Only institutions with at least this many projects give held-out projects.
    pub min_org_projects: usize,
    /// Candidates ranked per query; an answer below this depth counts as not found.
    pub depth: usize,
    /// Segment with duijie's technical user dictionary (the production setting); `false`
    /// measures jieba's default dictionary alone.
    pub user_dict: bool,
    pub matcher: MatchConfig,
}

impl EvalConfig {
    /// The protocol's defaults on the shared data folder (`/work/shared/data` or a copy).
    pub fn new(data_dir: &Path) -> Self {
        EvalConfig {
            life_dir: data_dir.join("nsfc-life-2019-2023"),
            mgmt_zip: data_dir
                .join("nsfc-mgmt-2017")
                .join("natural-2017-09-26.csv.zip"),
            seed: 20_240_601,
            holdout: 250,
            min_org_projects: 10,
            depth: 100,
            user_dict: true,
            matcher: MatchConfig::default(),
        }
    }
}

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

fn load(set: DataSet, cfg: &EvalConfig) -> Result<Vec<Project>, MatchError> {
    match set {
        DataSet::NsfcLife => load_life(&cfg.life_dir),
        DataSet::NsfcMgmt => load_mgmt(&cfg.mgmt_zip),
    }
}

/// The split of one listing; each listing gets its own stream from the one seed.
fn split_set(set: DataSet, projects: &[Project], cfg: &EvalConfig) -> Split {
    let salt = match set {
        DataSet::NsfcLife => 1,
        DataSet::NsfcMgmt => 2,
    };
    split(
        projects,
        cfg.holdout,
        cfg.seed.wrapping_mul(0x100_0000_01b3).wrapping_add(salt),
        cfg.min_org_projects,
    )
}

/// An achievement document of a training project.
pub fn project_doc(p: &Project) -> IndexDoc {
    IndexDoc {
        kind: EntityKind::Achievement,
        id: p.id.clone(),
        title: p.title.clone(),
        keywords: p.keywords.clone(),
        body: String::new(),
        org_id: p.org_key.clone(),
        org_name: p.org.clone(),
        person: (!p.person.is_empty()).then(|| p.person.clone()),
        expert_id: None,
        field: None,
        more_fields: Vec::new(),
        region: None,
        status: None,
        modes: Vec::new(),
        created_at: 0,
        year: p.year.map(i64::from),
        deadline_day: None,
        budget_wan: None,
    }
}

/// The training projects in a fresh in-memory tantivy index.
fn build_index(train: &[&Project], cfg: &EvalConfig) -> Result<SearchIndex, MatchError> {
    let jieba = if cfg.user_dict {
        shared_jieba()
    } else {
        jieba_without_user_dict()
    };
    let search = |e: duijie_search::SearchError| MatchError::Search(e.to_string());
    let index = SearchIndex::in_memory_with(jieba).map_err(search)?;
    index
        .upsert(train.iter().map(|p| project_doc(p)).collect())
        .map_err(search)?;
    index.commit(0).map_err(search)?;
    Ok(index)
}

fn position(ranked: &[String], gold: &str) -> Option<usize> {
    ranked.iter().position(|id| id == gold).map(|i| i + 1)
}

struct SetRun {
    report: SetReport,
    inst: Vec<Option<usize>>,
    inst_pop: Vec<Option<usize>>,
    exp: Vec<Option<usize>>,
    exp_pop: Vec<Option<usize>>,
    times: Vec<f64>,
}

fn run_set(set: DataSet, cfg: &EvalConfig) -> Result<SetRun, MatchError> {
    let projects = load(set, cfg)?;
    let sp = split_set(set, &projects, cfg);
    let train: Vec<&Project> = sp.train.iter().map(|&i| &projects[i]).collect();
    let index = build_index(&train, cfg)?;
    let matcher = Matcher::new(Arc::new(IndexRetriever(Arc::new(index)))).with_config(cfg.matcher);

    // Popularity: institutions and people by number of indexed projects.
    let mut org_count: HashMap<&str, usize> = HashMap::new();
    let mut person_count: HashMap<String, usize> = HashMap::new();
    for p in &train {
        *org_count.entry(p.org_key.as_str()).or_default() += 1;
        if !p.person.is_empty() {
            *person_count.entry(p.expert_key()).or_default() += 1;
        }
    }
    let by_count = |m: Vec<(String, usize)>| -> Vec<String> {
        let mut m = m;
        m.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        m.into_iter().take(cfg.depth).map(|(k, _)| k).collect()
    };
    let pop_orgs = by_count(org_count.iter().map(|(k, v)| (k.to_string(), *v)).collect());
    let pop_people = by_count(person_count.into_iter().collect());
    let known_people: HashSet<String> = train
        .iter()
        .filter(|p| !p.person.is_empty())
        .map(|p| p.expert_key())
        .collect();

    let mut run = SetRun {
        report: SetReport {
            set: set.as_str().to_string(),
            indexed: train.len(),
            held_out: sp.test.len(),
            institution: LevelReport::default(),
            expert: LevelReport::default(),
            latency: Latency::default(),
        },
        inst: Vec::new(),
        inst_pop: Vec::new(),
        exp: Vec::new(),
        exp_pop: Vec::new(),
        times: Vec::new(),
    };
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
    run.report.institution = LevelReport {
        duijie: Metrics::from_ranks(&run.inst),
        popularity: Metrics::from_ranks(&run.inst_pop),
    };
    run.report.expert = LevelReport {
        duijie: Metrics::from_ranks(&run.exp),
        popularity: Metrics::from_ranks(&run.exp_pop),
    };
    run.report.latency = Latency::from_samples(&run.times);
    Ok(run)
}

/// Runs the evaluation on both listings.
pub fn run(cfg: &EvalConfig) -> Result<EvalReport, MatchError> {
    let mut sets = Vec::new();
    let mut pooled = SetRun {
        report: SetReport {
            set: "combined".to_string(),
            indexed: 0,
            held_out: 0,
            institution: LevelReport::default(),
            expert: LevelReport::default(),
            latency: Latency::default(),
        },
        inst: Vec::new(),
        inst_pop: Vec::new(),
        exp: Vec::new(),
        exp_pop: Vec::new(),
        times: Vec::new(),
    };
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
    let mut combined = pooled.report;
    combined.institution = LevelReport {
        duijie: Metrics::from_ranks(&pooled.inst),
        popularity: Metrics::from_ranks(&pooled.inst_pop),
    };
    combined.expert = LevelReport {
        duijie: Metrics::from_ranks(&pooled.exp),
        popularity: Metrics::from_ranks(&pooled.exp_pop),
    };
    combined.latency = Latency::from_samples(&pooled.times);
    Ok(EvalReport {
        seed: cfg.seed,
        holdout: cfg.holdout,
        sets,
        combined,
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

/// One held-out project as the peer script reads it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HeldOut {
    pub id: String,
    pub query: String,
    pub institution: String,
    /// `org_key|person` when the leader has another indexed project, else `None`.
    pub expert: Option<String>,
}

/// One training project as the peer script reads it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TrainDoc {
    pub id: String,
    pub title: String,
    pub keywords: Vec<String>,
    pub institution: String,
    pub person: String,
}

/// The split of one listing.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SetSplit {
    pub set: DataSet,
    pub train: Vec<TrainDoc>,
    pub test: Vec<HeldOut>,
}

/// The split of both listings, as written by [`export_split`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SplitFile {
    pub seed: u64,
    pub holdout: usize,
    pub sets: Vec<SetSplit>,
}

/// The exact split [`run`] uses, for other systems (the peer script) to be measured on.
pub fn split_file(cfg: &EvalConfig) -> Result<SplitFile, MatchError> {
    let mut sets = Vec::new();
    for set in [DataSet::NsfcLife, DataSet::NsfcMgmt] {
        let projects = load(set, cfg)?;
        let sp = split_set(set, &projects, cfg);
        let train: Vec<TrainDoc> = sp
            .train
            .iter()
            .map(|&i| {
                let p = &projects[i];
                TrainDoc {
                    id: p.id.clone(),
                    title: p.title.clone(),
                    keywords: p.keywords.clone(),
                    institution: p.org_key.clone(),
                    person: p.person.clone(),
                }
            })
            .collect();
        let known: HashSet<String> = sp
            .train
            .iter()
            .map(|&i| &projects[i])
            .filter(|p| !p.person.is_empty())
            .map(Project::expert_key)
            .collect();
        let test = sp
            .test
            .iter()
            .map(|&i| {
                let p = &projects[i];
                HeldOut {
                    id: p.id.clone(),
                    query: p.query_text(),
                    institution: p.org_key.clone(),
                    expert: known.contains(&p.expert_key()).then(|| p.expert_key()),
                }
            })
            .collect();
        sets.push(SetSplit { set, train, test });
    }
    Ok(SplitFile {
        seed: cfg.seed,
        holdout: cfg.holdout,
        sets,
    })
}

/// Writes [`split_file`] as JSON to `path`.
pub fn export_split(cfg: &EvalConfig, path: &Path) -> Result<(), MatchError> {
    let file = split_file(cfg)?;
    let json = serde_json::to_vec(&file).map_err(|e| MatchError::data(path, e.to_string()))?;
    std::fs::write(path, json).map_err(|e| MatchError::io(path, e))
}
