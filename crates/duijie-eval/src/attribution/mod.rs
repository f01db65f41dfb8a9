//! The held-out attribution protocol of `quality.md` §1 ("who did this?"): per listing, 250
//! projects from institutions with at least 10 projects are held out, everything else is
//! indexed as achievements, and each held-out title (with its keywords) is matched as a demand.
//! The answer is the project's institution, and at expert level its leader at that institution
//! when the leader has another indexed project.
//!
//! This module draws the split (the same for every system measured on it: [`split_file`] is
//! what the peer script reads); [`in_process`] ranks it over an in-memory index, and
//! [`production`] through the whole production path (import → store → index → matcher), as
//! `duijie eval attribution` does.

pub mod in_process;
pub mod production;

use crate::data::{load_life, load_mgmt, DataSet, Project};
use crate::split::{split, Split};
use crate::EvalError;
use duijie_match::MatchConfig;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

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

fn load(set: DataSet, cfg: &EvalConfig) -> Result<Vec<Project>, EvalError> {
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

/// The 1-based rank of `gold` in `ranked`.
pub(crate) fn position(ranked: &[String], gold: &str) -> Option<usize> {
    ranked.iter().position(|id| id == gold).map(|i| i + 1)
}

/// The popularity baseline: keys by count, most first (ties by key), the first `depth`.
pub(crate) fn popularity(
    counts: impl IntoIterator<Item = (String, usize)>,
    depth: usize,
) -> Vec<String> {
    let mut v: Vec<(String, usize)> = counts.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    v.into_iter().take(depth).map(|(k, _)| k).collect()
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

/// The exact split every attribution run uses, for other systems (the peer script) to be measured on.
pub fn split_file(cfg: &EvalConfig) -> Result<SplitFile, EvalError> {
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
pub fn export_split(cfg: &EvalConfig, path: &Path) -> Result<(), EvalError> {
    let file = split_file(cfg)?;
    let json = serde_json::to_vec(&file).map_err(|e| EvalError::data(path, e.to_string()))?;
    std::fs::write(path, json).map_err(|e| EvalError::io(path, e))
}
