//! The smoke path CI runs: a small generated corpus imported through the app, served (by the
//! router in-process, or by the real binary), a few search and match requests; it passes when
//! every answer is 200. Nothing about time is asserted.

use crate::corpus::{self, Generator};
use crate::import;
use crate::load::{self, Endpoint, LoadSpec};
use crate::run::Queries;
use crate::server::{Server, Target};
use anyhow::{bail, Result};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct SmokeReport {
    pub records: u64,
    pub requests: usize,
    pub ok: usize,
    pub statuses: Vec<(u16, usize)>,
}

/// Runs the smoke path in `work` with `records` generated records and `requests` requests per
/// endpoint; with `bin`, the real `duijie serve` answers, else the router in this process.
pub async fn run(
    data_dir: &Path,
    work: &Path,
    records: usize,
    requests: usize,
    bin: Option<&Path>,
) -> Result<SmokeReport> {
    let vocab = corpus::vocabulary_or_builtin(data_dir);
    let mut generator = Generator::new(&vocab, 42);
    let files = generator.write_csv_parts(records, 1_000, &work.join("corpus"))?;
    let dir = work.join("data");
    let (app, timing) = import::import_files(&dir, &files).await?;
    let token = import::admin_token(&app).await?;
    // Queries from the generated corpus itself: they find something.
    let rows: Vec<corpus::Row> = {
        let mut g = Generator::new(&vocab, 42);
        (0..records.min(500)).map(|_| g.next_row()).collect()
    };
    let queries = Queries::from_rows(&rows);
    let client = load::client(4);
    let target = match bin {
        Some(bin) => {
            drop(app);
            Target::Child(Server::start(bin, &dir).await?)
        }
        None => Target::in_process(app).await?,
    };
    let base = target.base().to_string();
    let mut statuses: Vec<(u16, usize)> = Vec::new();
    let mut total = 0;
    let mut ok = 0;
    let health = client.get(format!("{base}/healthz")).send().await;
    let code = health.map(|r| r.status().as_u16()).unwrap_or(0);
    total += 1;
    ok += usize::from(code == 200);
    statuses.push((code, 1));
    for endpoint in [Endpoint::Search, Endpoint::Match] {
        let qs = match endpoint {
            Endpoint::Search => queries.searches.clone(),
            Endpoint::Match => queries.matches.clone(),
        };
        let spec = LoadSpec {
            endpoint,
            clients: 2,
            max_requests: requests,
            max_time: Duration::from_secs(120),
        };
        let r = load::run(&client, &base, Some(&token), Arc::clone(&qs), &spec).await;
        total += r.requests;
        ok += r.ok;
        for (c, n) in r.statuses {
            match statuses.iter_mut().find(|(s, _)| *s == c) {
                Some((_, m)) => *m += n,
                None => statuses.push((c, n)),
            }
        }
    }
    target.stop().await;
    statuses.sort();
    let report = SmokeReport {
        records: timing.rows_imported,
        requests: total,
        ok,
        statuses,
    };
    if report.records == 0 {
        bail!("smoke: nothing was imported");
    }
    if report.ok != report.requests {
        bail!(
            "smoke: {} of {} requests failed: {:?}",
            report.requests - report.ok,
            report.requests,
            report.statuses
        );
    }
    Ok(report)
}
