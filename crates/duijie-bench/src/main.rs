//! `duijie-bench`: measures duijie's speed and scale (see `docs/performance.md`).
//!
//! ```text
//! cargo build --release -p duijie-cli -p duijie-bench
//! target/release/duijie-bench nsfc                       # 22k listing, xlsx + CSV, vs the Python peer
//! target/release/duijie-bench scale --records 10000,100000
//! target/release/duijie-bench scale --records 1000000
//! target/release/duijie-bench report                     # tables + docs/performance.svg
//! target/release/duijie-bench mixed --duration 60 --clients 64   # reads + writes, zero 5xx
//! target/release/duijie-bench smoke                      # CI: small, asserts only 200s
//! ```

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use duijie_bench::corpus::{self, Generator, Vocabulary};
use duijie_bench::results::{self, Point};
use duijie_bench::run::{self, LoadPlan, NsfcOptions, Queries};
use duijie_bench::vectors::{self, StandIn};
use duijie_bench::{graph, mixed, report, server, smoke};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[derive(Parser, Debug)]
#[command(name = "duijie-bench", about = "Speed and scale benchmarks of duijie")]
struct Cli {
    /// The shared data folder (NSFC, CSL); default `$DUIJIE_SHARED_DATA` or `../shared/data`.
    #[arg(long, global = true)]
    data: Option<PathBuf>,
    /// Scratch folder for listings, corpora and data dirs.
    #[arg(long, global = true, default_value = "/tmp/duijie-bench")]
    work: PathBuf,
    /// The `duijie` binary to serve with (default: next to this one).
    #[arg(long, global = true)]
    bin: Option<PathBuf>,
    /// The results file each run updates.
    #[arg(long, global = true)]
    results: Option<PathBuf>,
    /// Keep data dirs and corpora after the run.
    #[arg(long, global = true)]
    keep: bool,
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// Write the real NSFC listing (about 22k rows) as xlsx and CSV.
    Listing {
        #[arg(long, default_value = "/tmp/duijie-bench/listing")]
        out: PathBuf,
    },
    /// The 22k NSFC listing: import (xlsx, CSV), in-process query latency, the Python peer.
    Nsfc {
        /// Imports per format (fresh data dir each); medians are reported.
        #[arg(long, default_value_t = 3)]
        repeat: usize,
        /// Skip the Python peer.
        #[arg(long)]
        no_peer: bool,
        #[arg(long, default_value = "python3")]
        python: String,
        /// Also serve the imported listing and load it over HTTP (point `nsfc-22k`).
        #[arg(long)]
        http: bool,
        #[command(flatten)]
        load: LoadArgs,
    },
    /// Generated corpora of the given sizes: import, sizes, server RSS, HTTP latency.
    Scale {
        /// Record counts, comma separated.
        #[arg(long, value_delimiter = ',', default_value = "10000,100000")]
        records: Vec<usize>,
        #[arg(long, default_value_t = 20_240_601)]
        seed: u64,
        /// Rows per generated CSV file (each file is one import).
        #[arg(long, default_value_t = 50_000)]
        per_file: usize,
        #[command(flatten)]
        load: LoadArgs,
    },
    /// Serve a data dir kept by `scale --keep` and load it again, without importing; prints the
    /// figures and records nothing (for comparing server binaries in the same minutes).
    Load {
        /// The data dir, e.g. /tmp/duijie-bench/data-100k.
        dir: PathBuf,
        #[command(flatten)]
        load: LoadArgs,
    },
    /// Gives every record of a data dir (e.g. one kept by `scale --keep`) that has no stored
    /// vector a stand-in vector, stored as the embedder stores vectors, so that `load
    /// --semantic` measures the dense part's serving cost at sizes that would take hours to
    /// embed. By default a random unit vector (an exact scan costs the same whatever the
    /// vectors hold, but a graph search is at its worst); with `--like` a real sentence vector
    /// of that database moved by noise, which keeps the shape of real text.
    RandomVectors {
        dir: PathBuf,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// A SQLite database with real vectors (`text_vectors`, e.g. a kept `eval.db`).
        #[arg(long)]
        like: Option<PathBuf>,
        /// Standard deviation of the noise added to each component of a real vector.
        #[arg(long, default_value_t = 0.008)]
        noise: f32,
    },
    /// The approximate graph against the exact scan of `VectorSet`: recall of the exact best
    /// 10 and 100, time a search (one thread) and time to build, on the vectors a SQLite file
    /// keeps (`--vectors`, e.g. the one `duijie eval --vectors` filled) and/or on `--random`
    /// pseudo-random vectors. Every `--step`-th vector is held out as a query.
    Graph {
        /// A SQLite database with a `text_vectors` table.
        #[arg(long)]
        vectors: Option<PathBuf>,
        /// Sizes of pseudo-random sets, e.g. 20000,100000.
        #[arg(long, value_delimiter = ',')]
        random: Vec<usize>,
        /// Sizes of near-real sets: `--vectors`' vectors moved by `--noise`, e.g. 100000.
        #[arg(long, value_delimiter = ',')]
        near: Vec<usize>,
        /// Standard deviation of the noise of `--near` per component.
        #[arg(long, default_value_t = 0.008)]
        noise: f32,
        #[arg(long, default_value_t = 100)]
        step: usize,
    },
    /// Print the Markdown tables and write the SVG plot of the results file.
    Report {
        #[arg(long)]
        svg: Option<PathBuf>,
        /// Write the tables to this file instead of standard output.
        #[arg(long)]
        markdown: Option<PathBuf>,
    },
    /// Where the import time of one file goes: the indexer's loop replayed step by step.
    ProfileImport {
        /// The listing to import (e.g. /tmp/duijie-bench/listing/nsfc-22k.xlsx).
        file: PathBuf,
        /// Changes per round, as the indexer's `BATCH`.
        #[arg(long, default_value_t = 10_000)]
        batch: u32,
    },
    /// Mixed reads and writes of every role against the real server for a fixed time; fails
    /// on any 5xx.
    Mixed {
        #[arg(long, default_value_t = 60)]
        duration: u64,
        #[arg(long, default_value_t = 64)]
        clients: usize,
        /// Generated achievements imported before serving.
        #[arg(long, default_value_t = 10_000)]
        records: usize,
        /// Published demands imported before serving.
        #[arg(long, default_value_t = 1_000)]
        demands: usize,
        /// An empty PostgreSQL database to run on instead of SQLite.
        #[arg(long)]
        database_url: Option<String>,
        #[arg(long, default_value_t = 20_240_601)]
        seed: u64,
        /// Do not record the run in the results file (CI).
        #[arg(long)]
        no_record: bool,
    },
    /// Small end-to-end run for CI: exits 0 when every request answered 200.
    Smoke {
        #[arg(long, default_value_t = 2_000)]
        records: usize,
        /// Requests per endpoint.
        #[arg(long, default_value_t = 10)]
        requests: usize,
        /// Serve with the real binary (`--bin` or next to this one) instead of in-process.
        #[arg(long)]
        real_server: bool,
    },
}

#[derive(clap::Args, Debug)]
struct LoadArgs {
    /// Concurrent clients, comma separated (empty: no HTTP load).
    #[arg(long, value_delimiter = ',', default_value = "16,64")]
    clients: Vec<usize>,
    /// Search requests per run (per client count).
    #[arg(long, default_value_t = 4_000)]
    search_requests: usize,
    /// Match requests per run (per client count).
    #[arg(long, default_value_t = 2_000)]
    match_requests: usize,
    /// Time cap of each run, seconds.
    #[arg(long, default_value_t = 30)]
    max_secs: u64,
    /// Requests (4 clients) before each endpoint's measured runs, not recorded; with semantic
    /// matching, warm-up match queries have their query vectors cached.
    #[arg(long, default_value_t = 40)]
    warmup: usize,
    /// Serve with semantic matching on (vectors are loaded from the database; see
    /// `random-vectors`).
    #[arg(long)]
    semantic: bool,
    /// With --semantic: documents the meaning side adds per kind (`[semantic] candidates`).
    #[arg(long, requires = "semantic")]
    dense_candidates: Option<usize>,
}

impl LoadArgs {
    fn plan(&self) -> LoadPlan {
        LoadPlan {
            clients: self.clients.iter().copied().filter(|c| *c > 0).collect(),
            search_requests: self.search_requests,
            match_requests: self.match_requests,
            max_time: Duration::from_secs(self.max_secs),
            warmup: self.warmup,
            semantic: self.semantic,
            dense_candidates: self.dense_candidates,
        }
    }
}

/// Every vector the SQLite database at `path` keeps, as unit f32 vectors.
async fn open_vectors(path: &Path) -> Result<Vec<Vec<f32>>> {
    let url = format!("sqlite://{}", path.display());
    let store = duijie_store::connect(&url)
        .await
        .with_context(|| format!("opening {}", path.display()))?;
    graph::stored(&store).await
}

fn human(n: usize) -> String {
    if n >= 1_000_000 && n.checked_rem(1_000_000) == Some(0) {
        format!("{}M", n / 1_000_000)
    } else if n >= 1000 && n.checked_rem(1000) == Some(0) {
        format!("{}k", n / 1000)
    } else {
        n.to_string()
    }
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match rt.block_on(run_cli(cli)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run_cli(cli: Cli) -> Result<()> {
    let data = cli.data.clone().unwrap_or_else(corpus::default_data_dir);
    let results_path = cli
        .results
        .clone()
        .unwrap_or_else(|| workspace().join("bench/results.json"));
    let bin = cli.bin.clone().unwrap_or_else(server::default_binary);
    std::fs::create_dir_all(&cli.work)
        .with_context(|| format!("cannot create {}", cli.work.display()))?;
    match cli.command {
        Cmd::Listing { out } => {
            std::fs::create_dir_all(&out)?;
            let rows = corpus::nsfc_rows(&data)?;
            corpus::write_xlsx(&rows, &out.join("nsfc-22k.xlsx"))?;
            corpus::write_csv(&rows, &out.join("nsfc-22k.csv"))?;
            println!("{} rows written to {}", rows.len(), out.display());
        }
        Cmd::Nsfc {
            repeat,
            no_peer,
            python,
            http,
            load,
        } => {
            let opts = NsfcOptions {
                data_dir: data.clone(),
                work: cli.work.clone(),
                repeat: repeat.max(1),
                peer: !no_peer,
                python,
                peer_script: workspace().join("bench/peer_speed.py"),
                listing_out: None,
            };
            let (result, rows, xlsx) = run::measure_nsfc(&opts).await?;
            results::update(&results_path, |r| r.nsfc = Some(result))?;
            if http {
                let queries = Queries::from_rows(&rows);
                let dir = cli.work.join("data-nsfc-22k");
                let point = run::measure_point(
                    "nsfc-22k",
                    "real NSFC listing (xlsx)",
                    &[xlsx],
                    &dir,
                    &bin,
                    &queries,
                    &load.plan(),
                )
                .await?;
                results::update(&results_path, |r| r.put(point))?;
                if !cli.keep {
                    let _ = std::fs::remove_dir_all(&dir);
                }
            }
            println!("results: {}", results_path.display());
        }
        Cmd::Scale {
            records,
            seed,
            per_file,
            load,
        } => {
            let nsfc = corpus::nsfc_rows(&data)?;
            let vocab = Vocabulary::from_rows(&nsfc, &data);
            eprintln!("[duijie-bench] vocabulary: {}", vocab.summary());
            let queries = Queries::from_rows(&nsfc);
            for n in records {
                let name = format!("generated-{}", human(n));
                let corpus_dir = cli.work.join(format!("corpus-{}", human(n)));
                if corpus_dir.exists() {
                    std::fs::remove_dir_all(&corpus_dir)?;
                }
                let t0 = Instant::now();
                let mut generator = Generator::new(&vocab, seed);
                let files = generator.write_csv_parts(n, per_file.max(1), &corpus_dir)?;
                let gen_s = t0.elapsed().as_secs_f64();
                eprintln!(
                    "[duijie-bench] {name}: generated {n} records in {gen_s:.1} s ({} files)",
                    files.len()
                );
                let dir = cli.work.join(format!("data-{}", human(n)));
                let mut point: Point = run::measure_point(
                    &name,
                    &format!(
                        "generated (seed {seed}), {} CSV files of <= {per_file} rows",
                        files.len()
                    ),
                    &files,
                    &dir,
                    &bin,
                    &queries,
                    &load.plan(),
                )
                .await?;
                point
                    .notes
                    .push(format!("corpus generated in {gen_s:.1} s (not counted)"));
                results::update(&results_path, |r| r.put(point))?;
                if !cli.keep {
                    let _ = std::fs::remove_dir_all(&dir);
                    let _ = std::fs::remove_dir_all(&corpus_dir);
                }
            }
            println!("results: {}", results_path.display());
        }
        Cmd::Load { dir, load } => {
            let queries = Queries::from_rows(&corpus::nsfc_rows(&data)?);
            let app = duijie_bench::import::open(&dir).await?;
            let token = duijie_bench::import::renew_admin_token(&app).await?;
            drop(app);
            let [before, ..] = results::loadavg();
            let name = dir.display().to_string();
            run::serve_and_load(&name, &dir, &bin, &token, &queries, &load.plan()).await?;
            let [after, ..] = results::loadavg();
            println!("load average {before:.2} before, {after:.2} after");
        }
        Cmd::RandomVectors {
            dir,
            seed,
            like,
            noise,
        } => {
            let from = match like {
                Some(path) => StandIn::near(open_vectors(&path).await?, noise)?,
                None => StandIn::Random,
            };
            let app = duijie_bench::import::open(&dir).await?;
            let n = vectors::stand_in(&app, &from, seed).await?;
            println!("{n} records given a stand-in vector in {}", dir.display());
        }
        Cmd::Graph {
            vectors,
            random,
            near,
            noise,
            step,
        } => {
            println!("| vectors | documents | queries | build | exact search | graph search | recall@10 | recall@100 |");
            println!("|---|---|---|---|---|---|---|---|");
            let mut sets: Vec<(String, Vec<Vec<f32>>)> = Vec::new();
            let real = match &vectors {
                Some(path) => open_vectors(path).await?,
                None => Vec::new(),
            };
            if !near.is_empty() {
                let from = StandIn::near(real.clone(), noise)?;
                for n in near {
                    sets.push((
                        format!("near-real {n} (noise {noise})"),
                        vectors::stand_ins(&from, n, 384, 7),
                    ));
                }
            }
            if let Some(path) = vectors {
                sets.push((path.display().to_string(), real));
            }
            for n in random {
                sets.push((
                    format!("random {n}"),
                    vectors::stand_ins(&StandIn::Random, n, 384, 7),
                ));
            }
            for (name, set) in sets {
                let r = graph::compare(&set, step)?;
                println!(
                    "| {name} | {} | {} | {:.1} s | {:.2} ms | {:.3} ms | {:.3} | {:.3} |",
                    r.documents,
                    r.queries,
                    r.build_s,
                    r.exact_ms,
                    r.graph_ms,
                    r.recall_10,
                    r.recall_100
                );
            }
        }
        Cmd::Report { svg, markdown } => {
            let r = results::Results::load(&results_path)?;
            let svg = svg.unwrap_or_else(|| workspace().join("docs/performance.svg"));
            match report::plot(&r, &svg) {
                Ok(()) => eprintln!("[duijie-bench] plot: {}", svg.display()),
                Err(e) => eprintln!("[duijie-bench] no plot: {e:#}"),
            }
            let md = report::markdown(&r);
            match markdown {
                Some(p) => std::fs::write(&p, md)?,
                None => print!("{md}"),
            }
        }
        Cmd::ProfileImport { file, batch } => {
            let p = duijie_bench::profile::run(&file, &cli.work, batch).await?;
            println!("{}", serde_json::to_string_pretty(&p)?);
        }
        Cmd::Mixed {
            duration,
            clients,
            records,
            demands,
            database_url,
            seed,
            no_record,
        } => {
            let work = tempfile::Builder::new()
                .prefix("duijie-mixed")
                .tempdir_in(&cli.work)?;
            let opts = mixed::MixedOptions {
                records,
                demands,
                clients: clients.max(1),
                duration: Duration::from_secs(duration),
                database_url,
                seed,
            };
            let r = mixed::run(&data, work.path(), Some(&bin), &opts).await?;
            print!("{}", r.markdown());
            let failed = r.server_errors;
            if !no_record {
                results::update(&results_path, |res| res.put_mixed(r))?;
                println!("results: {}", results_path.display());
            }
            if failed > 0 {
                anyhow::bail!("{failed} requests answered 5xx or not at all");
            }
        }
        Cmd::Smoke {
            records,
            requests,
            real_server,
        } => {
            let work = tempfile::Builder::new()
                .prefix("duijie-smoke")
                .tempdir_in(&cli.work)?;
            let r = smoke::run(
                &data,
                work.path(),
                records,
                requests,
                real_server.then_some(bin.as_path()),
            )
            .await?;
            println!(
                "smoke ok: {} records, {} requests, all 200 ({:?})",
                r.records, r.requests, r.statuses
            );
        }
    }
    Ok(())
}
