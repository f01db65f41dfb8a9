//! `duijie eval demands`: the judged demand set of `quality.md` §1b through the production
//! path. The mixed corpus (NSFC life-science and management lists as achievements, the
//! faculty profiles as experts) is imported like any upload, every demand is ranked at both
//! levels by the matcher the HTTP endpoints use, and the rankings are scored against the blind
//! judgements ([`scoring`]); a peer's rankings (`bench/peers/peer_demands.py`) are scored
//! beside them.

pub mod scoring;

use crate::data::{achievement_listing, load_life, load_mgmt};
use crate::vectors::{embed, Progress};
use anyhow::{Context, Result};
use duijie_app::{App, AppConfig, ImportRequest, IndexMode, SemanticConfig};
use duijie_core::text::normalize_org_name;
use duijie_core::{EntityKind, RecordKind};
use duijie_match::{
    Candidate, CandidateKind, Coverage, Fusion, MatchConfig, MatchInput, Matcher, Ranking, Tier,
};
use duijie_store::Record;
use scoring::{read_jsonl, score_ranking, Demand, DemandScore, Judgement, Judgements, SetScore};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

/// Candidates kept per demand and level (the depth that is judged).
const DEPTH: usize = 10;
const LEVELS: [CandidateKind; 2] = [CandidateKind::Institution, CandidateKind::Expert];

/// Which demands are scored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DemandSplit {
    All,
    /// The half used while tuning.
    Tuning,
    /// The half only reported.
    Report,
}

/// What `duijie eval demands` runs.
#[derive(Debug, Clone)]
pub struct DemandsOptions {
    /// Folder with the shared data sets (the NSFC lists, the faculty profiles and
    /// `real-demands/`).
    pub data: PathBuf,
    /// Folder with the written demands (`written.jsonl`) and the repository's judgements
    /// (`judgements.jsonl`, second judges in `judgements-second.jsonl`).
    pub set: PathBuf,
    pub split: DemandSplit,
    /// A peer's rankings (JSON lines `{demand, level, ranking}`), scored beside duijie's.
    pub peer: Option<PathBuf>,
    /// Write the corpus, the demands and duijie's rankings here, for the peer script.
    pub export: Option<PathBuf>,
    /// Write the candidates of duijie's (and the peer's) top 10 that have no judgement yet.
    pub pool_out: Option<PathBuf>,
    /// Ranking configuration as JSON (fields of `MatchConfig`), for experiments.
    pub match_config: Option<String>,
    /// Keep the imported corpus in this folder and reuse it on the next run.
    pub keep: Option<PathBuf>,
    /// Print the report as JSON.
    pub json: bool,
    /// Also rank with dense (semantic) evidence mixed in at these ratios (0 = words only,
    /// 1 = meaning only) and print NDCG@10 per ratio. The corpus is embedded as the service
    /// does it, its vectors kept in the corpus's database, so a `keep` corpus is embedded once.
    pub semantic_ratios: Vec<f32>,
    /// The fusions of dense and lexical evidence tried for `semantic_ratios`.
    pub fusions: Vec<Fusion>,
    /// A duijie SQLite database that keeps vectors between runs (as for attribution).
    pub vectors: Option<PathBuf>,
}

/// One ranking of one demand at one level, as the peer script writes it too.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Run {
    demand: String,
    level: String,
    ranking: Vec<String>,
    /// duijie's strength and tier of each candidate, and its coverage verdict.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    strengths: Vec<f64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    tiers: Vec<Tier>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    coverage: Option<Coverage>,
}

#[derive(Debug, Default, Serialize)]
struct LevelReport {
    duijie: SetScore,
    peer: Option<SetScore>,
    /// Demands with no candidate graded above 0 at this level.
    unservable: usize,
    /// Judged candidates of duijie's top 10 per tier: counts of grade 0, 1 and 2.
    tiers: BTreeMap<String, [usize; 3]>,
    /// Demands answered `coverage: none`, among the unservable and among the servable ones.
    none_when_unservable: usize,
    none_when_servable: usize,
    /// Per demand: duijie's and the peer's NDCG@10.
    per_demand: BTreeMap<String, (f64, Option<f64>)>,
}

#[derive(Debug, Serialize)]
struct Report {
    split: String,
    demands: usize,
    judgements: usize,
    institution: LevelReport,
    expert: LevelReport,
    agreement: Option<Agreement>,
    import_seconds: f64,
}

/// How two judges of the same items agree.
#[derive(Debug, Clone, Copy, Serialize)]
struct Agreement {
    items: usize,
    exact: f64,
    /// Cohen's kappa with linear weights over the 0/1/2 scale.
    weighted_kappa: f64,
}

/// Runs the judged demand set and prints the report (or the JSON report), then the
/// NDCG@10 per semantic ratio when asked.
pub async fn run(args: &DemandsOptions, progress: &dyn Progress) -> Result<()> {
    let mut demands: Vec<Demand> = Vec::new();
    let real = args.data.join("real-demands");
    if real.join("demands.jsonl").exists() {
        demands.extend(read_jsonl::<Demand>(&real.join("demands.jsonl"))?);
    }
    let written = args.set.join("written.jsonl");
    if written.exists() {
        demands.extend(read_jsonl::<Demand>(&written)?);
    }
    demands.retain(|d| match args.split {
        DemandSplit::All => true,
        DemandSplit::Tuning => d.is_tuning(),
        DemandSplit::Report => !d.is_tuning(),
    });
    anyhow::ensure!(
        !demands.is_empty(),
        "no demands found under {} or {}",
        real.display(),
        written.display()
    );
    let mut judgements = Judgements::default();
    for file in [
        real.join("judgements.jsonl"),
        args.set.join("judgements.jsonl"),
    ] {
        if file.exists() {
            for j in read_jsonl::<Judgement>(&file)? {
                judgements.add(normalized(j));
            }
        }
    }
    let agreement = second_judge_agreement(&args.set.join("judgements-second.jsonl"), &judgements)?;

    if let Some(bad) = args
        .semantic_ratios
        .iter()
        .find(|r| !duijie_match::is_semantic_ratio(**r))
    {
        anyhow::bail!("--semantic-ratios: {bad} is not between 0 and 1");
    }
    let started = Instant::now();
    let (app, _tmp) = corpus(
        &args.data,
        args.keep.as_deref(),
        !args.semantic_ratios.is_empty(),
    )
    .await?;
    let import_seconds = started.elapsed().as_secs_f64();
    // Vectors first: a `--match-config` with a semantic share ranks with them too.
    if !args.semantic_ratios.is_empty() {
        embed(&app, args.vectors.as_deref(), progress).await?;
    }
    let mut matcher = app.matcher().clone();
    if let Some(json) = &args.match_config {
        let config: MatchConfig =
            serde_json::from_str(json).context("--match-config is not a ranking configuration")?;
        matcher = matcher.with_config(config);
    }

    let mut runs: Vec<Run> = Vec::new();
    for d in &demands {
        for level in LEVELS {
            let ranking = rank(&matcher, &d.query_text(), level).await?;
            let candidates = &ranking.candidates;
            runs.push(Run {
                demand: d.id.clone(),
                level: level.as_str().to_string(),
                ranking: candidates.iter().map(|c| key(c, level)).collect(),
                strengths: candidates.iter().map(|c| c.strength).collect(),
                tiers: candidates.iter().map(|c| c.tier).collect(),
                coverage: Some(ranking.coverage),
            });
        }
    }
    let peer: Option<Vec<Run>> = match &args.peer {
        Some(path) => Some(read_jsonl::<Run>(path)?),
        None => None,
    };

    if let Some(dir) = &args.export {
        export(&app, dir, &demands, &runs).await?;
    }
    if let Some(path) = &args.pool_out {
        write_pool(path, &judgements, runs.iter().chain(peer.iter().flatten()))?;
    }

    let report = Report {
        split: format!("{:?}", args.split).to_lowercase(),
        demands: demands.len(),
        judgements: judgements.len(),
        institution: level_report(&demands, &judgements, &runs, peer.as_deref(), "institution"),
        expert: level_report(&demands, &judgements, &runs, peer.as_deref(), "expert"),
        agreement,
        import_seconds,
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_report(&report);
    }
    if !args.semantic_ratios.is_empty() {
        if let Some(dir) = &args.export {
            closest(&app, dir, &demands).await?;
        }
        println!(
            "{:<11} {:>5} {:>11} {:>7} {:>11} {:>7}   (peer {:.3} / {:.3}; split {})",
            "fusion",
            "ratio",
            "institution",
            "judged",
            "expert",
            "judged",
            report.institution.peer.as_ref().map_or(0.0, |p| p.ndcg10),
            report.expert.peer.as_ref().map_or(0.0, |p| p.ndcg10),
            report.split
        );
        for &fusion in &args.fusions {
            for &ratio in &args.semantic_ratios {
                let config = MatchConfig {
                    semantic_ratio: ratio,
                    fusion,
                    ..*matcher.config()
                };
                let hybrid = matcher.clone().with_config(config);
                let started = Instant::now();
                let mut runs: Vec<Run> = Vec::new();
                for d in &demands {
                    for level in LEVELS {
                        let ranking = rank(&hybrid, &d.query_text(), level).await?;
                        runs.push(Run {
                            demand: d.id.clone(),
                            level: level.as_str().to_string(),
                            ranking: ranking.candidates.iter().map(|c| key(c, level)).collect(),
                            strengths: Vec::new(),
                            tiers: Vec::new(),
                            coverage: None,
                        });
                    }
                }
                let per_query = started.elapsed().as_secs_f64() * 1000.0 / runs.len() as f64;
                let inst = level_report(&demands, &judgements, &runs, None, "institution");
                let exp = level_report(&demands, &judgements, &runs, None, "expert");
                println!(
                    "{:<11} {:>5.2} {:>11.3} {:>7.3} {:>11.3} {:>7.3}   {:.0} ms a ranking",
                    format!("{fusion:?}").to_lowercase(),
                    ratio,
                    inst.duijie.ndcg10,
                    inst.duijie.judged_share,
                    exp.duijie.ndcg10,
                    exp.duijie.judged_share,
                    per_query
                );
                if let Some(path) = &args.pool_out {
                    let name = format!("{}.{fusion:?}.{ratio}", path.display());
                    write_pool(Path::new(&name), &judgements, runs.iter())?;
                }
            }
        }
    }
    Ok(())
}

/// Judgement keys in the form rankings are keyed by (normalised organisation names).
fn normalized(mut j: Judgement) -> Judgement {
    j.key = match j.key.split_once('|') {
        Some((org, name)) => format!("{}|{}", normalize_org_name(org), name.trim()),
        None => normalize_org_name(&j.key),
    };
    j
}

fn key(c: &Candidate, level: CandidateKind) -> String {
    let org = normalize_org_name(&c.institution);
    match level {
        CandidateKind::Institution => org,
        CandidateKind::Expert => format!("{org}|{}", c.name.trim()),
    }
}

async fn rank(matcher: &Matcher, text: &str, level: CandidateKind) -> Result<Ranking> {
    let matcher = matcher.clone();
    let input = MatchInput::from_text(text);
    Ok(tokio::task::spawn_blocking(move || matcher.rank(&input, level, DEPTH)).await??)
}

fn run_of<'r>(runs: &'r [Run], demand: &str, level: &str) -> Option<&'r Run> {
    runs.iter().find(|r| r.demand == demand && r.level == level)
}

fn level_report(
    demands: &[Demand],
    judgements: &Judgements,
    runs: &[Run],
    peer: Option<&[Run]>,
    level: &str,
) -> LevelReport {
    let ranking =
        |run: Option<&Run>| -> Vec<String> { run.map(|r| r.ranking.clone()).unwrap_or_default() };
    let mut report = LevelReport::default();
    let (mut ours, mut theirs): (Vec<DemandScore>, Vec<DemandScore>) = (Vec::new(), Vec::new());
    for d in demands {
        let run = run_of(runs, &d.id, level);
        let judged = judgements.of(&d.id, level);
        if let (Some(run), Some(judged)) = (run, judged) {
            for (key, tier) in run.ranking.iter().zip(&run.tiers) {
                if let Some(g) = judged.get(key) {
                    report.tiers.entry(tier.as_str().to_string()).or_default()
                        [usize::from(*g).min(2)] += 1;
                }
            }
        }
        let answered_none = run.and_then(|r| r.coverage) == Some(Coverage::None);
        let score = judged.and_then(|j| score_ranking(&ranking(run), j));
        let (Some(judged), Some(score)) = (judged, score) else {
            report.unservable += 1;
            report.none_when_unservable += usize::from(answered_none);
            continue;
        };
        report.none_when_servable += usize::from(answered_none);
        ours.push(score);
        let peer_score =
            peer.and_then(|p| score_ranking(&ranking(run_of(p, &d.id, level)), judged));
        if let Some(s) = peer_score {
            theirs.push(s);
        }
        report
            .per_demand
            .insert(d.id.clone(), (score.ndcg10, peer_score.map(|s| s.ndcg10)));
    }
    report.duijie = SetScore::from_scores(&ours);
    report.peer = peer.map(|_| SetScore::from_scores(&theirs));
    report
}

fn second_judge_agreement(path: &Path, first: &Judgements) -> Result<Option<Agreement>> {
    if !path.exists() {
        return Ok(None);
    }
    let pairs: Vec<(u8, u8)> = read_jsonl::<Judgement>(path)?
        .into_iter()
        .map(normalized)
        .filter_map(|j| {
            let a = first.of(&j.demand, &j.level)?.get(&j.key)?;
            Some((*a, j.grade))
        })
        .collect();
    if pairs.is_empty() {
        return Ok(None);
    }
    let n = pairs.len() as f64;
    let exact = pairs.iter().filter(|(a, b)| a == b).count() as f64 / n;
    let weight = |a: u8, b: u8| f64::from(a.abs_diff(b)) / 2.0;
    let observed = pairs.iter().map(|(a, b)| weight(*a, *b)).sum::<f64>() / n;
    let share = |pick: &dyn Fn(&(u8, u8)) -> u8, g: u8| {
        pairs.iter().filter(|p| pick(p) == g).count() as f64 / n
    };
    let mut expected = 0.0;
    for a in 0..=2u8 {
        for b in 0..=2u8 {
            expected += share(&|p| p.0, a) * share(&|p| p.1, b) * weight(a, b);
        }
    }
    let weighted_kappa = if expected > 0.0 {
        1.0 - observed / expected
    } else {
        1.0
    };
    Ok(Some(Agreement {
        items: pairs.len(),
        exact,
        weighted_kappa,
    }))
}

/// Imports the mixed corpus into a fresh database (or reuses the one kept in `keep`).
async fn corpus(
    data: &Path,
    keep: Option<&Path>,
    semantic: bool,
) -> Result<(Arc<App>, Option<tempfile::TempDir>)> {
    let (dir, tmp) = match keep {
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            (dir.to_path_buf(), None)
        }
        None => {
            let tmp = tempfile::tempdir()?;
            (tmp.path().to_path_buf(), Some(tmp))
        }
    };
    let db = dir.join("eval.db");
    let reuse = db.exists();
    let app = App::open(&AppConfig {
        database_url: format!("sqlite://{}", db.display()),
        index: IndexMode::Dir(dir.join("index")),
        // The ratio is set per run below; 0 ranks exactly as without vectors.
        semantic: semantic.then_some(SemanticConfig {
            ratio: 0.0,
            fusion: Fusion::Normalised,
            ..SemanticConfig::default()
        }),
    })
    .await?;
    if reuse {
        return Ok((app, tmp));
    }
    let mut uploads: Vec<ImportRequest> = Vec::new();
    let life = data.join("nsfc-life-2019-2023");
    let mgmt = data.join("nsfc-mgmt-2017/natural-2017-09-26.csv.zip");
    for (name, projects) in [
        ("nsfc-life.json", load_life(&life)?),
        ("nsfc-mgmt.json", load_mgmt(&mgmt)?),
    ] {
        let rows = projects.iter().map(|p| {
            (
                p.title.as_str(),
                p.org.as_str(),
                p.person.as_str(),
                p.keywords.as_slice(),
            )
        });
        uploads.push(ImportRequest {
            file_name: name.to_string(),
            bytes: achievement_listing(rows)?,
            kind: Some(RecordKind::Achievements),
        });
    }
    let mut profiles = Vec::new();
    collect_json(&data.join("faculty-profiles"), &mut profiles)?;
    profiles.sort();
    for path in profiles {
        uploads.push(ImportRequest {
            file_name: path.display().to_string(),
            bytes: std::fs::read(&path)
                .with_context(|| format!("cannot read {}", path.display()))?,
            kind: Some(RecordKind::Experts),
        });
    }
    for upload in uploads {
        let name = upload.file_name.clone();
        app.import_as("eval", upload)
            .await
            .map_err(anyhow::Error::new)
            .with_context(|| format!("cannot import {name}"))?;
    }
    app.sync_index().await.map_err(anyhow::Error::new)?;
    Ok((app, tmp))
}

fn collect_json(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let entries =
        std::fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))?;
    for entry in entries {
        let path = entry?.path();
        if path.is_dir() {
            collect_json(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
    Ok(())
}

/// A ranking document as the peer script reads it.
#[derive(Serialize)]
struct CorpusDoc<'a> {
    id: &'a str,
    kind: &'static str,
    title: &'a str,
    keywords: Vec<&'a str>,
    body: &'a str,
    institution: String,
    person: Option<&'a str>,
}

/// Documents closest in meaning to each demand (`closest.jsonl`: demand, id, cosine; the best
/// [`CLOSEST`] of each kind): evidence cards fill up with these, not by id, when a candidate has
/// fewer than five documents sharing the demand's words (`peer_demands.py --closest`).
async fn closest(app: &App, dir: &Path, demands: &[Demand]) -> Result<()> {
    #[derive(Serialize)]
    struct Line<'a> {
        demand: &'a str,
        id: String,
        cosine: f32,
    }
    let mut lines = Vec::new();
    for d in demands {
        for kind in [EntityKind::Achievement, EntityKind::Expert] {
            let found = app
                .dense_candidates(kind, &d.query_text(), CLOSEST, Vec::new())
                .await
                .map_err(anyhow::Error::new)?;
            for (id, cosine) in found.map(|(top, _)| top).unwrap_or_default() {
                lines.push(Line {
                    demand: &d.id,
                    id,
                    cosine,
                });
            }
        }
    }
    write_lines(&dir.join("closest.jsonl"), &lines)
}

/// Documents per demand and kind in `closest.jsonl`.
const CLOSEST: usize = 300;

async fn export(app: &App, dir: &Path, demands: &[Demand], runs: &[Run]) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut corpus = std::io::BufWriter::new(std::fs::File::create(dir.join("corpus.jsonl"))?);
    for entity in [EntityKind::Achievement, EntityKind::Expert] {
        let mut after = String::new();
        loop {
            let page = app
                .records_after(entity, &after, 5_000)
                .await
                .map_err(anyhow::Error::new)?;
            let Some(last) = page.last() else { break };
            after = last.id().to_string();
            for record in &page {
                let line = match record {
                    Record::Achievement(a) => CorpusDoc {
                        id: &a.id,
                        kind: "achievement",
                        title: &a.body.title,
                        keywords: a.body.keywords.iter().map(String::as_str).collect(),
                        body: &a.body.summary,
                        institution: normalize_org_name(&a.org_name),
                        person: a.body.leader.as_deref(),
                    },
                    Record::Expert(e) => {
                        let keywords: Vec<&str> = e.body.topics().collect();
                        if keywords.is_empty() && e.body.bio.trim().is_empty() {
                            continue;
                        }
                        CorpusDoc {
                            id: &e.id,
                            kind: "expert",
                            title: &e.body.name,
                            keywords,
                            body: &e.body.bio,
                            institution: normalize_org_name(&e.org_name),
                            person: Some(&e.body.name),
                        }
                    }
                    _ => continue,
                };
                serde_json::to_writer(&mut corpus, &line)?;
                corpus.write_all(b"\n")?;
            }
        }
    }
    corpus.flush()?;
    write_lines(&dir.join("demands.jsonl"), demands)?;
    write_lines(&dir.join("duijie.jsonl"), runs)?;
    Ok(())
}

fn write_lines<T: Serialize>(path: &Path, items: &[T]) -> Result<()> {
    let mut out = std::io::BufWriter::new(
        std::fs::File::create(path).with_context(|| format!("cannot write {}", path.display()))?,
    );
    for item in items {
        serde_json::to_writer(&mut out, item)?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(())
}

/// The candidates of `runs` (their top 10) that no judge has graded yet.
fn write_pool<'r>(
    path: &Path,
    judgements: &Judgements,
    runs: impl Iterator<Item = &'r Run>,
) -> Result<()> {
    #[derive(Serialize, PartialEq, Eq, Hash, Clone)]
    struct Item {
        demand: String,
        level: String,
        key: String,
    }
    let mut seen = HashSet::new();
    let mut pool = Vec::new();
    for r in runs {
        for key in r.ranking.iter().take(DEPTH) {
            let judged = judgements
                .of(&r.demand, &r.level)
                .is_some_and(|j| j.contains_key(key));
            let item = Item {
                demand: r.demand.clone(),
                level: r.level.clone(),
                key: key.clone(),
            };
            if !judged && seen.insert(item.clone()) {
                pool.push(item);
            }
        }
    }
    write_lines(path, &pool)
}

fn print_report(r: &Report) {
    println!(
        "judged demand set, split {}: {} demands, {} judgements; corpus ready in {:.1} s",
        r.split, r.demands, r.judgements, r.import_seconds
    );
    println!(
        "{:<12} {:<7} {:>8} {:>17} {:>6} {:>10} {:>7} {:>5}",
        "level", "system", "NDCG@10", "95% interval", "P@5", "top3 has 2", "judged", "n"
    );
    for (name, l) in [("institution", &r.institution), ("expert", &r.expert)] {
        for (system, s) in [("duijie", Some(&l.duijie)), ("peer", l.peer.as_ref())] {
            let Some(s) = s else { continue };
            println!(
                "{:<12} {:<7} {:>8.3} {:>8.3} – {:<6.3} {:>6.3} {:>10.3} {:>7.3} {:>5}",
                name,
                system,
                s.ndcg10,
                s.ndcg10_low,
                s.ndcg10_high,
                s.p5,
                s.top3_has_2,
                s.judged_share,
                s.demands
            );
        }
        if let Some(p) = &l.peer {
            if p.ndcg10 > 0.0 {
                println!("{:<12} ratio   {:>8.2}x", name, l.duijie.ndcg10 / p.ndcg10);
            }
        }
        println!(
            "{:<12} {} demands with nothing relevant judged at this level, {} of them answered \"none\" ({} of {} servable ones too)",
            name, l.unservable, l.none_when_unservable, l.none_when_servable, l.duijie.demands
        );
        for (tier, g) in &l.tiers {
            println!(
                "{:<12} tier {:<8} judged grade 0 / 1 / 2: {} / {} / {}",
                name, tier, g[0], g[1], g[2]
            );
        }
    }
    if let Some(a) = r.agreement {
        println!(
            "second judge: {} items, exact agreement {:.3}, weighted kappa {:.3}",
            a.items, a.exact, a.weighted_kappa
        );
    }
}
