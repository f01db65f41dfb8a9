//! `duijie eval attribution`: the held-out attribution protocol of `quality.md` run through the
//! production path — the training listing is imported like any catalogue (ingest → store →
//! change log → tantivy index) and every held-out project is ranked by the same matcher the
//! HTTP endpoints use. The split and the metrics come from `duijie_match::eval`, so the peer
//! script (`bench/peers/`) can be measured on exactly the same split.

mod demands;

use anyhow::{Context, Result};
use duijie_app::{App, AppConfig, ImportRequest, IndexMode, SemanticConfig, VectorCopy};
use duijie_core::text::normalize_org_name;
use duijie_core::RecordKind;
use duijie_match::eval::{split_file, EvalConfig, Latency, Metrics, SetSplit};
use duijie_match::{CandidateKind, Fusion, MatchInput};
use serde::Serialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Candidates ranked per query; a gold answer below this depth counts as not found.
const DEPTH: usize = 100;

#[derive(clap::Subcommand, Debug)]
pub enum EvalCommand {
    /// Held-out attribution on the NSFC lists: who did this project?
    Attribution {
        /// Folder with the shared data sets.
        #[arg(long, default_value = "../shared/data")]
        data: PathBuf,
        /// Seed of the held-out draw.
        #[arg(long, default_value_t = 20_240_601)]
        seed: u64,
        /// Held-out projects per data set.
        #[arg(long, default_value_t = 250)]
        holdout: usize,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
        /// Also write the split as JSON, for the peer script.
        #[arg(long)]
        export_split: Option<PathBuf>,
        /// Rank with dense (semantic) evidence at this share (0 = words only, 1 = meaning
        /// only), normalised fusion as the service does it; the corpus is embedded first.
        #[arg(long, default_value_t = 0.0)]
        semantic_ratio: f32,
        /// A duijie SQLite database that keeps vectors between runs (created when missing;
        /// e.g. the `eval.db` of a `demands --keep` folder): texts it holds are not embedded
        /// again, and what a run embeds is added to it.
        #[arg(long)]
        vectors: Option<PathBuf>,
    },
    /// The judged demand set: enterprise demands against the mixed corpus, scored against
    /// blind judgements, beside a peer's rankings.
    Demands(demands::DemandsArgs),
}

#[derive(Debug, Serialize)]
struct Level {
    duijie: Metrics,
    popularity: Metrics,
}

#[derive(Debug, Serialize)]
struct SetResult {
    set: String,
    indexed: usize,
    import_seconds: f64,
    institution: Level,
    expert: Level,
    latency: Latency,
}

#[derive(Debug, Serialize)]
struct Report {
    seed: u64,
    holdout: usize,
    semantic_ratio: f32,
    sets: Vec<SetResult>,
}

pub async fn run(cmd: EvalCommand) -> Result<()> {
    match cmd {
        EvalCommand::Attribution {
            data,
            seed,
            holdout,
            json,
            export_split,
            semantic_ratio,
            vectors,
        } => {
            let dense = Dense {
                ratio: semantic_ratio,
                vectors,
            };
            attribution(data, seed, holdout, json, export_split, &dense).await
        }
        EvalCommand::Demands(args) => demands::run(args).await,
    }
}

/// The dense part of an attribution run.
struct Dense {
    ratio: f32,
    vectors: Option<PathBuf>,
}

async fn attribution(
    data: PathBuf,
    seed: u64,
    holdout: usize,
    json: bool,
    export_split: Option<PathBuf>,
    dense: &Dense,
) -> Result<()> {
    if !(0.0..=1.0).contains(&dense.ratio) {
        anyhow::bail!("--semantic-ratio must be between 0 and 1");
    }
    let mut cfg = EvalConfig::new(&data);
    cfg.seed = seed;
    cfg.holdout = holdout;
    let split = tokio::task::spawn_blocking(move || split_file(&cfg))
        .await?
        .with_context(|| format!("cannot read the evaluation data under {}", data.display()))?;
    if let Some(path) = export_split {
        std::fs::write(&path, serde_json::to_vec(&split)?)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    let mut report = Report {
        seed,
        holdout,
        semantic_ratio: dense.ratio,
        sets: Vec::new(),
    };
    for set in &split.sets {
        report.sets.push(run_set(set, dense).await?);
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_table(&report);
    }
    Ok(())
}

/// The training projects as a JSON achievement listing, as a bureau would upload it.
fn listing(set: &SetSplit) -> Result<Vec<u8>> {
    let rows: Vec<serde_json::Value> = set
        .train
        .iter()
        .map(|d| {
            serde_json::json!({
                "成果名称": d.title,
                "完成单位": d.institution,
                "负责人": d.person,
                "关键词": d.keywords.join("；"),
            })
        })
        .collect();
    Ok(serde_json::to_vec(&rows)?)
}

fn position(keys: &[String], gold: &str) -> Option<usize> {
    keys.iter().position(|k| k == gold).map(|i| i + 1)
}

fn popularity(counts: HashMap<String, usize>) -> Vec<String> {
    let mut v: Vec<(String, usize)> = counts.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    v.into_iter().take(DEPTH).map(|(k, _)| k).collect()
}

async fn run_set(set: &SetSplit, dense: &Dense) -> Result<SetResult> {
    let dir = tempfile::tempdir()?;
    let app = App::open(&AppConfig {
        database_url: format!("sqlite://{}", dir.path().join("eval.db").display()),
        index: IndexMode::Memory,
        semantic: (dense.ratio > 0.0).then_some(SemanticConfig {
            ratio: dense.ratio,
            fusion: Fusion::Normalised,
        }),
    })
    .await?;
    let started = Instant::now();
    let report = app
        .import_as(
            "eval",
            ImportRequest {
                file_name: format!("{}.json", set.set.as_str()),
                bytes: listing(set)?,
                kind: Some(RecordKind::Achievements),
            },
        )
        .await
        .map_err(anyhow::Error::new)?;
    app.sync_index().await.map_err(anyhow::Error::new)?;
    let import_seconds = started.elapsed().as_secs_f64();
    if dense.ratio > 0.0 {
        embed(&app, dense.vectors.as_deref()).await?;
    }

    let mut org_count: HashMap<String, usize> = HashMap::new();
    let mut person_count: HashMap<String, usize> = HashMap::new();
    for d in &set.train {
        *org_count.entry(d.institution.clone()).or_default() += 1;
        if !d.person.is_empty() {
            *person_count
                .entry(format!("{}|{}", d.institution, d.person))
                .or_default() += 1;
        }
    }
    let pop_orgs = popularity(org_count);
    let pop_people = popularity(person_count);

    let (mut inst, mut inst_pop, mut exp, mut exp_pop, mut times) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for q in &set.test {
        let input = MatchInput::from_text(&q.query);
        let t = Instant::now();
        let ranking = rank(&app, &input, CandidateKind::Institution).await?;
        let keys: Vec<String> = ranking
            .iter()
            .map(|c| normalize_org_name(&c.institution))
            .collect();
        inst.push(position(&keys, &q.institution));
        inst_pop.push(position(&pop_orgs, &q.institution));
        if let Some(gold) = &q.expert {
            let ranking = rank(&app, &input, CandidateKind::Expert).await?;
            let keys: Vec<String> = ranking
                .iter()
                .map(|c| format!("{}|{}", normalize_org_name(&c.institution), c.name))
                .collect();
            exp.push(position(&keys, gold));
            exp_pop.push(position(&pop_people, gold));
        }
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    Ok(SetResult {
        set: set.set.as_str().to_string(),
        indexed: report.rows_imported as usize,
        import_seconds,
        institution: Level {
            duijie: Metrics::from_ranks(&inst),
            popularity: Metrics::from_ranks(&inst_pop),
        },
        expert: Level {
            duijie: Metrics::from_ranks(&exp),
            popularity: Metrics::from_ranks(&exp_pop),
        },
        latency: Latency::from_samples(&times),
    })
}

/// Embeds the records of `app` that have no vector yet, with a progress bar, first taking what
/// the database at `cache` holds and afterwards leaving there what was embedded.
async fn embed(app: &App, cache: Option<&Path>) -> Result<()> {
    let cache = match cache {
        Some(path) => Some(
            duijie_store::connect(&format!("sqlite://{}", path.display()))
                .await
                .with_context(|| format!("cannot open the vector database {}", path.display()))?,
        ),
        None => None,
    };
    if let Some(cache) = &cache {
        app.copy_vectors(cache.as_ref(), VectorCopy::Fetch)
            .await
            .map_err(anyhow::Error::new)?;
    }
    let bar = crate::output::progress_bar(0, "embedding");
    let bar2 = bar.clone();
    let started = Instant::now();
    let embedded = app
        .sync_vectors(move |done, total| {
            bar2.set_length(total);
            bar2.set_position(done);
        })
        .await
        .map_err(anyhow::Error::new)?;
    bar.finish_and_clear();
    if let Some(status) = app.vector_status() {
        eprintln!(
            "semantic: {} records with vectors, {embedded} embedded now in {:.0} s",
            status.documents,
            started.elapsed().as_secs_f64()
        );
    }
    if let Some(cache) = &cache {
        app.copy_vectors(cache.as_ref(), VectorCopy::Keep)
            .await
            .map_err(anyhow::Error::new)?;
    }
    Ok(())
}

async fn rank(
    app: &std::sync::Arc<App>,
    input: &MatchInput,
    kind: CandidateKind,
) -> Result<Vec<duijie_match::Candidate>> {
    let matcher = app.matcher.clone();
    let input = input.clone();
    let ranking = tokio::task::spawn_blocking(move || matcher.rank(&input, kind, DEPTH)).await??;
    Ok(ranking.candidates)
}

fn print_table(r: &Report) {
    println!(
        "held-out attribution, seed {}, {} per set, production path (ingest → store → tantivy → matcher)",
        r.seed, r.holdout
    );
    println!(
        "{:<10} {:<12} {:<10} {:>7} {:>7} {:>7} {:>8} {:>6}",
        "set", "level", "method", "MRR", "hit@1", "hit@10", "NDCG@10", "n"
    );
    for s in &r.sets {
        for (level, l) in [("institution", &s.institution), ("expert", &s.expert)] {
            for (method, m) in [("duijie", &l.duijie), ("popularity", &l.popularity)] {
                println!(
                    "{:<10} {:<12} {:<10} {:>7.3} {:>7.3} {:>7.3} {:>8.3} {:>6}",
                    s.set, level, method, m.mrr, m.hit1, m.hit10, m.ndcg10, m.queries
                );
            }
        }
        println!(
            "{:<10} import {:.2} s ({} records); latency per query, both levels: p50 {:.1} ms, p95 {:.1} ms",
            s.set, s.import_seconds, s.indexed, s.latency.p50_ms, s.latency.p95_ms
        );
    }
}
