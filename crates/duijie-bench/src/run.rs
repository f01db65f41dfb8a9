//! The measurements: one corpus end to end (import, sizes, server memory, HTTP load), and the
//! real 22k listing side by side with the Python peer.

use crate::corpus::{self, Row};
use crate::import;
use crate::load::{self, Endpoint, LoadResult, LoadSpec, Percentiles};
use crate::results::{loadavg, unix_now, NsfcResult, PeerResult, Point, ServerStats};
use crate::server::Server;
use anyhow::{Context, Result};
use duijie_app::{MatchRequest, SearchParams};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How hard the load client pushes.
#[derive(Debug, Clone)]
pub struct LoadPlan {
    pub clients: Vec<usize>,
    pub search_requests: usize,
    pub match_requests: usize,
    pub max_time: Duration,
    pub warmup: usize,
    /// Serve with semantic matching (`[semantic] enabled`); off by default, so that the words-only
    /// figures stay comparable and no embedder competes with the load.
    pub semantic: bool,
    /// `[semantic] candidates`: documents the meaning side adds per kind (the server's default
    /// when `None`).
    pub dense_candidates: Option<usize>,
}

impl Default for LoadPlan {
    fn default() -> Self {
        LoadPlan {
            clients: vec![16, 64],
            search_requests: 4_000,
            match_requests: 2_000,
            max_time: Duration::from_secs(30),
            warmup: 40,
            semantic: false,
            dense_candidates: None,
        }
    }
}

/// The query texts of the load: from the real listing (match: title + keywords; search: one or
/// two keywords), 500 of each, fixed seed.
pub struct Queries {
    pub matches: Arc<Vec<String>>,
    pub searches: Arc<Vec<String>>,
}

impl Queries {
    pub fn from_rows(rows: &[Row]) -> Queries {
        let (m, s) = corpus::queries(rows, 500, 20_240_601);
        Queries {
            matches: Arc::new(m),
            searches: Arc::new(s),
        }
    }
}

fn say(msg: impl AsRef<str>) {
    eprintln!("[duijie-bench] {}", msg.as_ref());
}

/// Imports `files` into `dir` (fresh), then serves it with the real binary and loads it.
pub async fn measure_point(
    name: &str,
    source: &str,
    files: &[PathBuf],
    dir: &Path,
    bin: &Path,
    queries: &Queries,
    plan: &LoadPlan,
) -> Result<Point> {
    if dir.exists() {
        std::fs::remove_dir_all(dir)?;
    }
    let mut point = Point {
        name: name.to_string(),
        source: source.to_string(),
        measured_at: unix_now(),
        load_before: loadavg(),
        ..Point::default()
    };
    say(format!("{name}: importing {} file(s)", files.len()));
    let (app, timing) = import::import_files(dir, files).await?;
    let token = import::admin_token(&app).await?;
    drop(app);
    point.records = timing.rows_imported as usize;
    say(format!(
        "{name}: {} records imported in {:.2} s (read+store {:.2} s, index {:.2} s); index {:.1} MiB, db {:.1} MiB",
        timing.rows_imported,
        timing.total_s,
        timing.read_store_s,
        timing.index_s,
        timing.index_bytes as f64 / 1048576.0,
        timing.db_bytes as f64 / 1048576.0
    ));
    point.import = timing;
    if plan.clients.is_empty() {
        point.load_after = loadavg();
        return Ok(point);
    }
    let (stats, loads) = serve_and_load(name, dir, bin, &token, queries, plan).await?;
    point.loads = loads;
    point.server = Some(stats);
    point.load_after = loadavg();
    Ok(point)
}

/// Serves the data dir `dir` with the real binary and loads it as `plan` says (search, then
/// match), each request with `token`; the server's start-up time and memory with the loads.
pub async fn serve_and_load(
    name: &str,
    dir: &Path,
    bin: &Path,
    token: &str,
    queries: &Queries,
    plan: &LoadPlan,
) -> Result<(ServerStats, Vec<LoadResult>)> {
    // The server runs in `dir` and reads its `duijie.toml`.
    let mut toml = format!("[semantic]\nenabled = {}\n", plan.semantic);
    if let Some(n) = plan.dense_candidates {
        toml.push_str(&format!("candidates = {n}\n"));
    }
    std::fs::write(dir.join("duijie.toml"), toml)?;
    let mut server = Server::start(bin, dir).await?;
    let mut stats = ServerStats {
        startup_s: server.startup_s,
        idle: server.memory(),
        ..ServerStats::default()
    };
    say(format!(
        "{name}: server up in {:.2} s (pid {}), RSS {:.0} MiB",
        stats.startup_s,
        server.pid(),
        stats.idle.rss_kib as f64 / 1024.0
    ));
    let mut loads = Vec::new();
    let client = load::client(plan.clients.iter().copied().max().unwrap_or(1));
    for endpoint in [Endpoint::Search, Endpoint::Match] {
        let (qs, max_requests) = match endpoint {
            Endpoint::Search => (queries.searches.clone(), plan.search_requests),
            Endpoint::Match => (queries.matches.clone(), plan.match_requests),
        };
        // Warm-up (caches, connections, query vectors), not recorded; long enough for a few
        // hundred queries to be embedded.
        let warm = LoadSpec {
            endpoint,
            clients: 4,
            max_requests: plan.warmup,
            max_time: Duration::from_secs(300),
        };
        load::run(&client, &server.base, Some(token), qs.clone(), &warm).await;
        for &clients in &plan.clients {
            let spec = LoadSpec {
                endpoint,
                clients,
                max_requests,
                max_time: plan.max_time,
            };
            let r = load::run(&client, &server.base, Some(token), qs.clone(), &spec).await;
            say(format!(
                "{name}: {} x{clients}: {} requests ({} errors) in {:.1} s, {:.0} req/s, p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms",
                endpoint.as_str(),
                r.requests,
                r.errors,
                r.secs,
                r.rps,
                r.latency.p50_ms,
                r.latency.p95_ms,
                r.latency.p99_ms
            ));
            loads.push(r);
        }
    }
    stats.after = server.memory();
    server.stop();
    say(format!(
        "{name}: server RSS after load {:.0} MiB, peak {:.0} MiB",
        stats.after.rss_kib as f64 / 1024.0,
        stats.after.hwm_kib as f64 / 1024.0
    ));
    Ok((stats, loads))
}

/// In-process latency of `App::match_text` and `App::search_achievements`, one at a time.
async fn inproc_latency(
    app: &duijie_app::App,
    queries: &Queries,
) -> Result<(Percentiles, Percentiles)> {
    let mut m = Vec::new();
    for (i, q) in queries.matches.iter().enumerate() {
        let req = MatchRequest {
            text: q.clone(),
            kind: Some("institution".into()),
            limit: Some(10),
            field: None,
            region: None,
            semantic_ratio: None,
        };
        let t0 = Instant::now();
        app.match_text(&req)
            .await
            .map_err(|e| anyhow::anyhow!("match: {}", e.message))?;
        if i >= 20 {
            m.push(t0.elapsed());
        }
    }
    let mut s = Vec::new();
    for (i, q) in queries.searches.iter().enumerate() {
        let p = SearchParams {
            q: Some(q.clone()),
            ..SearchParams::default()
        };
        let t0 = Instant::now();
        app.search_achievements(&p)
            .await
            .map_err(|e| anyhow::anyhow!("search: {}", e.message))?;
        if i >= 20 {
            s.push(t0.elapsed());
        }
    }
    Ok((Percentiles::of(m), Percentiles::of(s)))
}

/// Runs `bench/peer_speed.py` on the listing with the same match texts.
fn run_peer(
    python: &str,
    script: &Path,
    xlsx: &Path,
    queries: &Path,
    repeat: usize,
) -> Result<PeerResult> {
    let out = std::process::Command::new(python)
        .arg(script)
        .arg(xlsx)
        .arg(queries)
        .args(["--repeat", &repeat.to_string()])
        .output()
        .with_context(|| format!("cannot run {python} {}", script.display()))?;
    if !out.status.success() {
        anyhow::bail!(
            "peer failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .last()
                .unwrap_or("")
        );
    }
    serde_json::from_slice(&out.stdout).context("peer output is not the expected JSON")
}

pub struct NsfcOptions {
    pub data_dir: PathBuf,
    pub work: PathBuf,
    pub repeat: usize,
    pub peer: bool,
    pub python: String,
    pub peer_script: PathBuf,
    /// Where to keep a copy of the listing (xlsx + csv), if anywhere.
    pub listing_out: Option<PathBuf>,
}

/// The 22k listing: written as xlsx and CSV, parsed alone, imported `repeat` times each (fresh
/// data dirs), queried in-process, and the peer on the same xlsx and queries.
pub async fn measure_nsfc(opts: &NsfcOptions) -> Result<(NsfcResult, Vec<Row>, PathBuf)> {
    let rows = corpus::nsfc_rows(&opts.data_dir)?;
    let listing_dir = opts
        .listing_out
        .clone()
        .unwrap_or_else(|| opts.work.join("listing"));
    std::fs::create_dir_all(&listing_dir)?;
    let xlsx = listing_dir.join("nsfc-22k.xlsx");
    let csv = listing_dir.join("nsfc-22k.csv");
    corpus::write_xlsx(&rows, &xlsx)?;
    corpus::write_csv(&rows, &csv)?;
    let mut r = NsfcResult {
        measured_at: unix_now(),
        load_before: loadavg(),
        rows: rows.len(),
        xlsx_bytes: import::dir_bytes(&xlsx),
        csv_bytes: import::dir_bytes(&csv),
        ..NsfcResult::default()
    };
    say(format!(
        "nsfc: {} rows -> {} ({:.1} MiB), {} ({:.1} MiB)",
        rows.len(),
        xlsx.display(),
        r.xlsx_bytes as f64 / 1048576.0,
        csv.display(),
        r.csv_bytes as f64 / 1048576.0
    ));
    for _ in 0..opts.repeat {
        r.parse_xlsx_s.push(import::parse_only(&xlsx)?.0);
        r.parse_csv_s.push(import::parse_only(&csv)?.0);
    }
    let queries = Queries::from_rows(&rows);
    for (file, out) in [(&xlsx, 0), (&csv, 1)] {
        for i in 0..opts.repeat {
            let dir = opts.work.join(format!("nsfc-import-{out}-{i}"));
            if dir.exists() {
                std::fs::remove_dir_all(&dir)?;
            }
            let (app, t) = import::import_files(&dir, std::slice::from_ref(file)).await?;
            say(format!(
                "nsfc: {} import {}: {:.3} s (read+store {:.3}, index {:.3})",
                if out == 0 { "xlsx" } else { "csv" },
                i + 1,
                t.total_s,
                t.read_store_s,
                t.index_s
            ));
            if out == 0 && i + 1 == opts.repeat {
                let (m, s) = inproc_latency(&app, &queries).await?;
                say(format!(
                    "nsfc: in-process match p50 {:.2} ms p95 {:.2} ms; search p50 {:.2} ms p95 {:.2} ms",
                    m.p50_ms, m.p95_ms, s.p50_ms, s.p95_ms
                ));
                r.inproc_match = m;
                r.inproc_search = s;
            }
            drop(app);
            if out == 0 {
                r.xlsx.push(t);
            } else {
                r.csv.push(t);
            }
            let _ = std::fs::remove_dir_all(&dir);
        }
    }
    if opts.peer {
        let qpath = opts.work.join("match-queries.json");
        std::fs::write(&qpath, serde_json::to_string(&*queries.matches)?)?;
        say("nsfc: running the Python peer (openpyxl + jieba + bm25s)");
        match run_peer(&opts.python, &opts.peer_script, &xlsx, &qpath, opts.repeat) {
            Ok(p) => {
                say(format!(
                    "nsfc: peer import {:.2} s (median), query p50 {:.2} ms p95 {:.2} ms",
                    crate::results::median(p.runs.iter().map(|r| r.total_s).collect()),
                    p.query.p50_ms,
                    p.query.p95_ms
                ));
                r.peer = Some(p);
            }
            Err(e) => {
                say(format!("nsfc: peer not measured: {e:#}"));
                r.peer_error = Some(format!("{e:#}"));
            }
        }
    }
    r.load_after = loadavg();
    Ok((r, rows, xlsx))
}
