//! What a run measured, kept in one JSON file (`bench/results.json` by default) that each run
//! updates: a point is replaced by a new measurement of the same name.

use crate::import::ImportTiming;
use crate::load::{LoadResult, Percentiles};
use crate::server::Memory;
use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use std::path::Path;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Machine {
    pub nproc: usize,
    pub mem_total_kib: u64,
    pub cpu_model: String,
}

impl Machine {
    pub fn here() -> Machine {
        let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        Machine {
            nproc: std::thread::available_parallelism().map_or(1, |n| n.get()),
            mem_total_kib: meminfo
                .lines()
                .find_map(|l| l.strip_prefix("MemTotal:"))
                .and_then(|v| v.split_whitespace().next())
                .and_then(|v| v.parse().ok())
                .unwrap_or(0),
            cpu_model: cpuinfo
                .lines()
                .find_map(|l| l.strip_prefix("model name"))
                .map(|v| v.trim_start_matches([' ', '\t', ':']).to_string())
                .unwrap_or_default(),
        }
    }
}

/// `/proc/loadavg`: 1, 5 and 15 minute load averages.
pub fn loadavg() -> [f64; 3] {
    let text = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let mut it = text.split_whitespace().map(|v| v.parse().unwrap_or(0.0));
    [
        it.next().unwrap_or(0.0),
        it.next().unwrap_or(0.0),
        it.next().unwrap_or(0.0),
    ]
}

pub fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ServerStats {
    /// From spawning `duijie serve` to `/healthz` answering 200.
    pub startup_s: f64,
    /// After start, before any load.
    pub idle: Memory,
    /// After every load (`hwm_kib` is the peak over the whole life of the process).
    pub after: Memory,
}

/// One corpus measured end to end.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Point {
    pub name: String,
    pub records: usize,
    /// `generated (seed N)` or the listing's file.
    pub source: String,
    pub measured_at: u64,
    pub load_before: [f64; 3],
    pub load_after: [f64; 3],
    pub import: ImportTiming,
    pub server: Option<ServerStats>,
    pub loads: Vec<LoadResult>,
    pub notes: Vec<String>,
}

impl Point {
    pub fn load(&self, endpoint: crate::load::Endpoint, clients: usize) -> Option<&LoadResult> {
        self.loads
            .iter()
            .find(|l| l.endpoint == endpoint && l.clients == clients)
    }
}

/// The peer's side of the 22k run, as printed by `bench/peer_speed.py`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PeerRun {
    pub rows: u64,
    pub read_s: f64,
    pub segment_s: f64,
    pub index_s: f64,
    pub total_s: f64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PeerQuery {
    pub n: usize,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub mean_ms: f64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PeerResult {
    pub jieba_init_s: f64,
    pub runs: Vec<PeerRun>,
    pub query: PeerQuery,
}

/// The real 22k NSFC listing, duijie and the peer side by side.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct NsfcResult {
    pub measured_at: u64,
    pub load_before: [f64; 3],
    pub load_after: [f64; 3],
    pub rows: usize,
    pub xlsx_bytes: u64,
    pub csv_bytes: u64,
    /// `duijie_ingest::read_bytes` alone.
    pub parse_xlsx_s: Vec<f64>,
    pub parse_csv_s: Vec<f64>,
    pub xlsx: Vec<ImportTiming>,
    pub csv: Vec<ImportTiming>,
    /// `App::match_text` (institutions, top 10), one query at a time, after the xlsx import.
    pub inproc_match: Percentiles,
    /// `App::search_achievements`, one query at a time.
    pub inproc_search: Percentiles,
    pub peer: Option<PeerResult>,
    pub peer_error: Option<String>,
}

pub fn median(mut xs: Vec<f64>) -> f64 {
    if xs.is_empty() {
        return 0.0;
    }
    xs.sort_by(|a, b| a.total_cmp(b));
    let n = xs.len();
    if n % 2 == 1 {
        xs[n / 2]
    } else {
        (xs[n / 2 - 1] + xs[n / 2]) / 2.0
    }
}

impl NsfcResult {
    pub fn xlsx_total(&self) -> f64 {
        median(self.xlsx.iter().map(|t| t.total_s).collect())
    }

    pub fn peer_total(&self) -> Option<f64> {
        self.peer
            .as_ref()
            .filter(|p| !p.runs.is_empty())
            .map(|p| median(p.runs.iter().map(|r| r.total_s).collect()))
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Results {
    pub machine: Machine,
    pub nsfc: Option<NsfcResult>,
    pub points: Vec<Point>,
    /// Mixed read/write runs, one per backend (`duijie-bench mixed`).
    #[serde(default)]
    pub mixed: Vec<crate::mixed::MixedResult>,
}

impl Results {
    pub fn load(path: &Path) -> Result<Results> {
        if !path.exists() {
            return Ok(Results::default());
        }
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        serde_json::from_str(&text).with_context(|| format!("invalid {}", path.display()))
    }

    pub fn save(&self, path: &Path) -> Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(path, serde_json::to_string_pretty(self)?)
            .with_context(|| format!("cannot write {}", path.display()))
    }

    /// Replaces the point of the same name, keeping points ordered by size.
    pub fn put(&mut self, point: Point) {
        self.points.retain(|p| p.name != point.name);
        self.points.push(point);
        self.points.sort_by_key(|p| p.records);
    }
}

impl Results {
    /// Replaces the mixed run of the same backend.
    pub fn put_mixed(&mut self, run: crate::mixed::MixedResult) {
        self.mixed.retain(|m| m.backend != run.backend);
        self.mixed.push(run);
    }
}

/// Reads the results, applies `f` and writes them back (so several runs add up).
pub fn update(path: &Path, f: impl FnOnce(&mut Results)) -> Result<()> {
    let mut r = Results::load(path)?;
    r.machine = Machine::here();
    f(&mut r);
    r.save(path)
}
