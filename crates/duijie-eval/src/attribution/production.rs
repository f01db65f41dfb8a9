//! Attribution through the production path (`duijie eval attribution`): the training listing
//! is imported like any catalogue (ingest → store → change log → tantivy index) and every
//! held-out project is ranked by the same matcher the HTTP endpoints use, on the split of
//! [`super::split_file`], so that the peer script (`bench/peers/`) can be measured on exactly
//! the same split.

use super::{popularity, position, split_file, EvalConfig, SetSplit};
use crate::data::achievement_listing;
use crate::metrics::{Latency, Metrics};
use crate::vectors::{embed, Progress};
use anyhow::{Context, Result};
use duijie_app::{App, AppConfig, ImportRequest, IndexMode, SemanticConfig};
use duijie_core::text::normalize_org_name;
use duijie_core::RecordKind;
use duijie_match::{CandidateKind, Fusion, MatchInput};
use serde::Serialize;
use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Instant;

/// Candidates ranked per query; a gold answer below this depth counts as not found.
const DEPTH: usize = 100;

/// What `duijie eval attribution` runs.
#[derive(Debug, Clone)]
pub struct AttributionOptions {
    /// Folder with the shared data sets.
    pub data: PathBuf,
    /// Seed of the held-out draw.
    pub seed: u64,
    /// Held-out projects per data set.
    pub holdout: usize,
    /// Print the report as JSON.
    pub json: bool,
    /// Also write the split as JSON, for the peer script.
    pub export_split: Option<PathBuf>,
    /// Rank with dense (semantic) evidence at this share (0 = words only, 1 = meaning only),
    /// normalised fusion as the service does it; the corpus is embedded first.
    pub semantic_ratio: f32,
    /// A duijie SQLite database that keeps vectors between runs (see [`embed`]).
    pub vectors: Option<PathBuf>,
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

/// Runs the protocol and prints the table (or the JSON report).
pub async fn run(opts: &AttributionOptions, progress: &dyn Progress) -> Result<()> {
    if !duijie_match::is_semantic_ratio(opts.semantic_ratio) {
        anyhow::bail!("--semantic-ratio must be between 0 and 1");
    }
    let data = opts.data.clone();
    let mut cfg = EvalConfig::new(&data);
    cfg.seed = opts.seed;
    cfg.holdout = opts.holdout;
    let split = tokio::task::spawn_blocking(move || split_file(&cfg))
        .await?
        .with_context(|| format!("cannot read the evaluation data under {}", data.display()))?;
    if let Some(path) = &opts.export_split {
        std::fs::write(path, serde_json::to_vec(&split)?)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    let mut report = Report {
        seed: opts.seed,
        holdout: opts.holdout,
        semantic_ratio: opts.semantic_ratio,
        sets: Vec::new(),
    };
    for set in &split.sets {
        report.sets.push(run_set(set, opts, progress).await?);
    }
    if opts.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_table(&report);
    }
    Ok(())
}

async fn run_set(
    set: &SetSplit,
    opts: &AttributionOptions,
    progress: &dyn Progress,
) -> Result<SetResult> {
    let dir = tempfile::tempdir()?;
    let app = App::open(&AppConfig {
        database_url: format!("sqlite://{}", dir.path().join("eval.db").display()),
        index: IndexMode::Memory,
        semantic: (opts.semantic_ratio > 0.0).then_some(SemanticConfig {
            ratio: opts.semantic_ratio,
            fusion: Fusion::Normalised,
            ..SemanticConfig::default()
        }),
    })
    .await?;
    let started = Instant::now();
    let report = app
        .import_as(
            "eval",
            ImportRequest {
                file_name: format!("{}.json", set.set.as_str()),
                bytes: achievement_listing(set.train.iter().map(|d| {
                    (
                        d.title.as_str(),
                        d.institution.as_str(),
                        d.person.as_str(),
                        d.keywords.as_slice(),
                    )
                }))?,
                kind: Some(RecordKind::Achievements),
            },
        )
        .await
        .map_err(anyhow::Error::new)?;
    app.sync_index().await.map_err(anyhow::Error::new)?;
    let import_seconds = started.elapsed().as_secs_f64();
    if opts.semantic_ratio > 0.0 {
        embed(&app, opts.vectors.as_deref(), progress).await?;
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
    let pop_orgs = popularity(org_count, DEPTH);
    let pop_people = popularity(person_count, DEPTH);

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

async fn rank(
    app: &std::sync::Arc<App>,
    input: &MatchInput,
    kind: CandidateKind,
) -> Result<Vec<duijie_match::Candidate>> {
    let matcher = app.matcher().clone();
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
