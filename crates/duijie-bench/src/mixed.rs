//! The mixed workload of quality.md §3: `clients` closed-loop workers for a fixed time against
//! a real `duijie serve` (or, for CI, the router in this process), each step one request of a platform role in fixed proportions —
//! searches of demands, achievements and experts, demand pages and their matches (reads), and
//! the demand lifecycle: an enterprise creates, edits and submits, the bureau reviews, an
//! institution expresses interest in a published demand (writes). Every answer is counted by
//! status; a 5xx fails the run. Nothing about time is asserted.

use crate::corpus::{self, Generator, Row};
use crate::import;
use crate::load::{self, Outcome, Percentiles, Sample};
use crate::results::{loadavg, unix_now};
use crate::server::{Memory, Server, Target};
use anyhow::{bail, Result};
use duijie_core::{DemandDraft, DemandStatus, Draft, RecordKind, Role};
use duijie_store::ImportBatch;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One kind of step, with its share of the schedule (per 100 steps).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    SearchAchievements,
    SearchDemands,
    SearchExperts,
    GetDemand,
    DemandMatches,
    CreateDemand,
    EditDemand,
    SubmitDemand,
    ReviewDemand,
    ExpressInterest,
}

/// Reads 74%, writes 26%: a platform that is mostly browsed, with a steady stream of demands
/// going through review.
const MIX: &[(Op, usize)] = &[
    (Op::SearchAchievements, 22),
    (Op::SearchDemands, 16),
    (Op::SearchExperts, 10),
    (Op::GetDemand, 18),
    (Op::DemandMatches, 8),
    (Op::CreateDemand, 6),
    (Op::EditDemand, 6),
    (Op::SubmitDemand, 5),
    (Op::ReviewDemand, 4),
    (Op::ExpressInterest, 5),
];

impl Op {
    fn name(self) -> &'static str {
        match self {
            Op::SearchAchievements => "search achievements",
            Op::SearchDemands => "search demands",
            Op::SearchExperts => "search experts",
            Op::GetDemand => "get demand",
            Op::DemandMatches => "demand matches",
            Op::CreateDemand => "create demand",
            Op::EditDemand => "edit demand",
            Op::SubmitDemand => "submit demand",
            Op::ReviewDemand => "review demand",
            Op::ExpressInterest => "express interest",
        }
    }

    fn is_write(self) -> bool {
        matches!(
            self,
            Op::CreateDemand
                | Op::EditDemand
                | Op::SubmitDemand
                | Op::ReviewDemand
                | Op::ExpressInterest
        )
    }
}

/// The read a review step falls back to when nothing is waiting for review.
const REVIEW_QUEUE: &str = "review queue";

#[derive(Debug, Clone)]
pub struct MixedOptions {
    /// Generated achievements (and so experts) imported before serving.
    pub records: usize,
    /// Published demands imported before serving.
    pub demands: usize,
    pub clients: usize,
    pub duration: Duration,
    /// `None`: SQLite in the data dir; else this database (PostgreSQL), which must be empty.
    pub database_url: Option<String>,
    pub seed: u64,
}

/// One operation's share of the run.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct OpResult {
    pub op: String,
    pub write: bool,
    pub requests: usize,
    pub statuses: Vec<(u16, usize)>,
    pub rps: f64,
    pub latency: Percentiles,
}

/// One mixed run.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct MixedResult {
    /// `sqlite` or `postgres`.
    pub backend: String,
    pub measured_at: u64,
    pub records: usize,
    pub demands: usize,
    pub clients: usize,
    pub secs: f64,
    pub requests: usize,
    pub rps: f64,
    /// 5xx answers plus requests that got no answer at all.
    pub server_errors: usize,
    pub statuses: Vec<(u16, usize)>,
    pub latency: Percentiles,
    pub ops: Vec<OpResult>,
    /// Server memory before and after the run (`hwm_kib`: the peak over the life of the
    /// server); `None` when served in process.
    pub idle: Option<Memory>,
    pub after: Option<Memory>,
    pub load_before: [f64; 3],
    pub load_after: [f64; 3],
}

impl MixedResult {
    /// The run as Markdown: a table per operation and overall.
    pub fn markdown(&self) -> String {
        let mut out = format!(
            "{} backend, {} achievements + {} published demands, {} clients, {:.0} s: \
             {} requests, {:.0} req/s, {} 5xx, {}, load average {:.1} → {:.1}\n\n",
            self.backend,
            self.records,
            self.demands,
            self.clients,
            self.secs,
            self.requests,
            self.rps,
            self.server_errors,
            match (self.idle, self.after) {
                (Some(idle), Some(after)) => format!(
                    "server RSS idle {:.0} MiB, after {:.0} MiB, peak (VmHWM) {:.0} MiB",
                    idle.rss_kib as f64 / 1024.0,
                    after.rss_kib as f64 / 1024.0,
                    after.hwm_kib as f64 / 1024.0
                ),
                _ => "served in process".to_string(),
            },
            self.load_before[0],
            self.load_after[0],
        );
        out.push_str(
            "| operation | kind | requests | statuses | req/s | p50 | p95 | p99 | max |\n",
        );
        out.push_str("|---|---|---|---|---|---|---|---|---|\n");
        let row = |out: &mut String,
                   name: &str,
                   kind: &str,
                   n: usize,
                   st: &[(u16, usize)],
                   rps: f64,
                   l: &Percentiles| {
            let statuses: Vec<String> = st.iter().map(|(c, n)| format!("{c}: {n}")).collect();
            out.push_str(&format!(
                "| {name} | {kind} | {n} | {} | {rps:.1} | {:.1} ms | {:.1} ms | {:.1} ms | {:.1} ms |\n",
                statuses.join(", "),
                l.p50_ms,
                l.p95_ms,
                l.p99_ms,
                l.max_ms
            ));
        };
        for op in &self.ops {
            let kind = if op.write { "write" } else { "read" };
            row(
                &mut out,
                &op.op,
                kind,
                op.requests,
                &op.statuses,
                op.rps,
                &op.latency,
            );
        }
        row(
            &mut out,
            "**all**",
            "",
            self.requests,
            &self.statuses,
            self.rps,
            &self.latency,
        );
        out
    }
}

/// The accounts of the run.
struct Accounts {
    enterprises: Vec<String>,
    institutions: Vec<String>,
    bureaus: Vec<String>,
}

/// The enterprise names demands are filed under.
fn enterprise_name(i: usize) -> String {
    format!("对接压测企业{i}有限公司")
}

const ENTERPRISES: usize = 8;
const INSTITUTIONS: usize = 16;
const BUREAUS: usize = 2;

/// Shared state of the workers.
struct State {
    client: reqwest::Client,
    base: String,
    accounts: Accounts,
    schedule: Vec<Op>,
    searches: Vec<String>,
    /// Texts for new demands: title, description, keywords.
    texts: Vec<Row>,
    published: Vec<String>,
    /// Demands by owner (enterprise index): created and not yet edited, edited and not yet
    /// submitted, submitted and not yet reviewed.
    drafts: Mutex<VecDeque<(usize, String)>>,
    edited: Mutex<VecDeque<(usize, String)>>,
    submitted: Mutex<VecDeque<(usize, String)>>,
    /// Each (institution, published demand) pair is proposed once.
    next_interest: AtomicUsize,
}

fn pop(queue: &Mutex<VecDeque<(usize, String)>>) -> Option<(usize, String)> {
    queue.lock().unwrap_or_else(|e| e.into_inner()).pop_front()
}

fn push(queue: &Mutex<VecDeque<(usize, String)>>, item: (usize, String)) {
    queue
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push_back(item);
}

impl State {
    fn url(&self, path: &str) -> String {
        format!("{}/api/v1{path}", self.base)
    }

    /// Reads are spread over every account.
    fn reader(&self, i: usize) -> &str {
        let a = &self.accounts;
        let all = a.enterprises.len() + a.institutions.len() + a.bureaus.len();
        let k = i % all.max(1);
        a.enterprises
            .iter()
            .chain(&a.institutions)
            .chain(&a.bureaus)
            .nth(k)
            .map_or("", String::as_str)
    }

    async fn step(self: Arc<Self>, i: usize) -> Outcome {
        let op = self.schedule[i % self.schedule.len()];
        let (op, status) = match op {
            Op::SearchAchievements | Op::SearchDemands | Op::SearchExperts => {
                let path = match op {
                    Op::SearchAchievements => "/achievements",
                    Op::SearchDemands => "/demands",
                    _ => "/experts",
                };
                let q = &self.searches[i % self.searches.len()];
                let req = self.client.get(self.url(path)).query(&[("q", q.as_str())]);
                (op.name(), load::send(req, Some(self.reader(i))).await.0)
            }
            Op::GetDemand => {
                let id = &self.published[i % self.published.len()];
                let req = self.client.get(self.url(&format!("/demands/{id}")));
                (op.name(), load::send(req, Some(self.reader(i))).await.0)
            }
            Op::DemandMatches => {
                let id = &self.published[(i * 7) % self.published.len()];
                let req = self
                    .client
                    .get(self.url(&format!("/demands/{id}/matches")))
                    .query(&[("kind", "institution"), ("limit", "10")]);
                (op.name(), load::send(req, Some(self.reader(i))).await.0)
            }
            Op::CreateDemand => self.create(i).await,
            Op::EditDemand => match pop(&self.drafts) {
                Some(d) => self.edit(i, d).await,
                None => self.create(i).await,
            },
            Op::SubmitDemand => match pop(&self.edited) {
                Some(d) => self.submit(d).await,
                None => match pop(&self.drafts) {
                    Some(d) => self.edit(i, d).await,
                    None => self.create(i).await,
                },
            },
            Op::ReviewDemand => match pop(&self.submitted) {
                Some(d) => self.review(i, d).await,
                None => {
                    let req = self.client.get(self.url("/review-queue"));
                    let token = &self.accounts.bureaus[i % BUREAUS];
                    (REVIEW_QUEUE, load::send(req, Some(token)).await.0)
                }
            },
            Op::ExpressInterest => self.interest().await,
        };
        Outcome { op, status }
    }

    async fn create(&self, i: usize) -> (&'static str, u16) {
        let owner = i % ENTERPRISES;
        let row = &self.texts[i % self.texts.len()];
        let body = json!({
            "title": format!("{}（需求{i}）", row.title),
            "description": description(row),
            "keywords": row.keywords,
            "modes": ["合作开发"],
            "budget_wan": 10 + (i % 90),
            "region": "郑州市",
        });
        let req = self.client.post(self.url("/demands")).json(&body);
        let (status, bytes) = load::send(req, Some(&self.accounts.enterprises[owner])).await;
        if status == 201 {
            if let Some(id) = id_of(&bytes) {
                push(&self.drafts, (owner, id));
            }
        }
        (Op::CreateDemand.name(), status)
    }

    async fn edit(&self, i: usize, (owner, id): (usize, String)) -> (&'static str, u16) {
        let body = json!({
            "goals": format!("第 {i} 次修改：明确技术指标，纯度不低于 99.99%，一年内完成中试。"),
            "deadline": "2027-06-30",
        });
        let req = self
            .client
            .patch(self.url(&format!("/demands/{id}")))
            .json(&body);
        let (status, _) = load::send(req, Some(&self.accounts.enterprises[owner])).await;
        if status == 200 {
            push(&self.edited, (owner, id));
        }
        (Op::EditDemand.name(), status)
    }

    async fn submit(&self, (owner, id): (usize, String)) -> (&'static str, u16) {
        let req = self
            .client
            .post(self.url(&format!("/demands/{id}/submit")))
            .json(&json!({}));
        let (status, _) = load::send(req, Some(&self.accounts.enterprises[owner])).await;
        if status == 200 {
            push(&self.submitted, (owner, id));
        }
        (Op::SubmitDemand.name(), status)
    }

    /// Four in five are approved; the fifth goes back to its enterprise for changes.
    async fn review(&self, i: usize, (owner, id): (usize, String)) -> (&'static str, u16) {
        let send_back = i % 5 == 4;
        let body = if send_back {
            json!({"decision": "request_changes", "note": "请补充技术指标"})
        } else {
            json!({"decision": "approve"})
        };
        let req = self
            .client
            .post(self.url(&format!("/demands/{id}/review")))
            .json(&body);
        let token = &self.accounts.bureaus[i % BUREAUS];
        let (status, _) = load::send(req, Some(token)).await;
        if status == 200 && send_back {
            push(&self.drafts, (owner, id));
        }
        (Op::ReviewDemand.name(), status)
    }

    async fn interest(&self) -> (&'static str, u16) {
        let k = self.next_interest.fetch_add(1, Ordering::Relaxed);
        let institution = k % INSTITUTIONS;
        let demand = &self.published[(k / INSTITUTIONS) % self.published.len()];
        let req = self
            .client
            .post(self.url(&format!("/demands/{demand}/interests")))
            .json(&json!({"message": "我校在该方向有相关成果和团队，希望进一步对接。"}));
        let token = &self.accounts.institutions[institution];
        (
            Op::ExpressInterest.name(),
            load::send(req, Some(token)).await.0,
        )
    }
}

/// A demand's description from a corpus row: its summary, or its title when it has none.
fn description(row: &Row) -> String {
    if row.summary.is_empty() {
        row.title.clone()
    } else {
        row.summary.clone()
    }
}

fn id_of(body: &[u8]) -> Option<String> {
    let v: Value = serde_json::from_slice(body).ok()?;
    v.get("id")?.as_str().map(str::to_string)
}

/// 100 steps in the proportions of [`MIX`], shuffled with a fixed seed.
fn schedule(seed: u64) -> Vec<Op> {
    let mut s: Vec<Op> = MIX
        .iter()
        .flat_map(|(op, n)| std::iter::repeat_n(*op, *n))
        .collect();
    s.shuffle(&mut rand::rngs::StdRng::seed_from_u64(seed));
    s
}

fn say(msg: impl AsRef<str>) {
    eprintln!("[duijie-bench] mixed: {}", msg.as_ref());
}

/// Imports the corpus and the published demands, creates the accounts, serves the data dir
/// (with the real binary `bin`, else in this process), runs the mixed load and stops the
/// server.
pub async fn run(
    data_dir: &Path,
    work: &Path,
    bin: Option<&Path>,
    opts: &MixedOptions,
) -> Result<MixedResult> {
    let vocab = corpus::vocabulary_or_builtin(data_dir);
    let mut generator = Generator::new(&vocab, opts.seed);
    let files: Vec<PathBuf> =
        generator.write_csv_parts(opts.records, 50_000, &work.join("corpus"))?;
    let rows: Vec<Row> = (0..opts.demands.max(1) + 500)
        .map(|_| generator.next_row())
        .collect();
    let (demand_rows, text_rows) = rows.split_at(opts.demands.max(1));
    let dir = work.join("data");
    let (app, timing) = match &opts.database_url {
        Some(url) => import::import_files_into(&dir, url, &files).await?,
        None => import::import_files(&dir, &files).await?,
    };
    say(format!(
        "{} achievements imported in {:.1} s",
        timing.rows_imported, timing.total_s
    ));
    let records: Vec<Draft> = demand_rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            Draft::Demand(DemandDraft {
                org_name: enterprise_name(i % ENTERPRISES),
                title: r.title.clone(),
                description: description(r),
                keywords: r.keywords.clone(),
                ..DemandDraft::default()
            })
        })
        .collect();
    app.import_batch(ImportBatch {
        file: "mixed-demands.csv".into(),
        sha256: "00".repeat(32),
        kind: RecordKind::Demands,
        rows_total: records.len() as u32,
        rows_skipped: 0,
        errors: Vec::new(),
        records,
        demand_status: DemandStatus::Published,
        actor_name: "bench".into(),
    })
    .await
    .map_err(|e| anyhow::anyhow!("cannot import the published demands: {}", e.message))?;
    app.sync_index()
        .await
        .map_err(|e| anyhow::anyhow!("index sync failed: {}", e.message))?;
    let mut institutions: Vec<&str> = Vec::new();
    for r in text_rows {
        if !institutions.contains(&r.org.as_str()) {
            institutions.push(&r.org);
        }
        if institutions.len() == INSTITUTIONS {
            break;
        }
    }
    let user = |name: String, role: Role, org: Option<String>| {
        let app = app.clone();
        async move {
            app.add_user(&name, role, org.as_deref())
                .await
                .map(|(_, token)| token)
                .map_err(|e| anyhow::anyhow!("cannot create account {name}: {}", e.message))
        }
    };
    let mut accounts = Accounts {
        enterprises: Vec::new(),
        institutions: Vec::new(),
        bureaus: Vec::new(),
    };
    for i in 0..ENTERPRISES {
        accounts.enterprises.push(
            user(
                format!("ent{i}"),
                Role::Enterprise,
                Some(enterprise_name(i)),
            )
            .await?,
        );
    }
    for i in 0..INSTITUTIONS {
        let org = institutions
            .get(i)
            .map_or_else(|| format!("对接压测大学{i}"), |o| o.to_string());
        accounts
            .institutions
            .push(user(format!("inst{i}"), Role::Institution, Some(org)).await?);
    }
    for i in 0..BUREAUS {
        accounts
            .bureaus
            .push(user(format!("bureau{i}"), Role::Bureau, None).await?);
    }
    let target = match bin {
        Some(bin) => {
            drop(app);
            let server = Server::start_with(bin, &dir, opts.database_url.as_deref()).await?;
            say(format!("server up in {:.1} s", server.startup_s));
            Target::Child(server)
        }
        None => {
            app.spawn_indexer();
            Target::in_process(app).await?
        }
    };
    let idle = target.memory();
    let client = load::client(opts.clients);
    let published = published_ids(&client, target.base(), &accounts.bureaus[0]).await?;
    if published.is_empty() {
        bail!("no published demand is visible");
    }
    let (_, searches) = corpus::queries(text_rows, 500, opts.seed);
    let state = Arc::new(State {
        client,
        base: target.base().to_string(),
        accounts,
        schedule: schedule(opts.seed),
        searches,
        texts: text_rows.to_vec(),
        published,
        drafts: Mutex::new(VecDeque::new()),
        edited: Mutex::new(VecDeque::new()),
        submitted: Mutex::new(VecDeque::new()),
        next_interest: AtomicUsize::new(0),
    });
    let load_before = loadavg();
    say(format!(
        "{} clients for {} s",
        opts.clients,
        opts.duration.as_secs()
    ));
    let step_state = state.clone();
    let (samples, secs) = load::drive(opts.clients, usize::MAX, opts.duration, move |i| {
        step_state.clone().step(i)
    })
    .await;
    let after = target.memory();
    let load_after = loadavg();
    target.stop().await;
    Ok(summarise(
        opts,
        &samples,
        secs,
        idle,
        after,
        load_before,
        load_after,
    ))
}

/// Every published demand's id, through the bureau's listing.
async fn published_ids(client: &reqwest::Client, base: &str, bureau: &str) -> Result<Vec<String>> {
    let mut ids = Vec::new();
    for page in 1.. {
        let req = client
            .get(format!("{base}/api/v1/my/demands"))
            .query(&[("status", "published"), ("per_page", "100")])
            .query(&[("page", page)]);
        let (status, body) = load::send(req, Some(bureau)).await;
        if status != 200 {
            bail!("listing published demands answered {status}");
        }
        let v: Value = serde_json::from_slice(&body)?;
        let items = v["items"].as_array().cloned().unwrap_or_default();
        if items.is_empty() {
            break;
        }
        ids.extend(
            items
                .iter()
                .filter_map(|d| d["id"].as_str().map(str::to_string)),
        );
    }
    Ok(ids)
}

fn summarise(
    opts: &MixedOptions,
    samples: &[Sample],
    secs: f64,
    idle: Option<Memory>,
    after: Option<Memory>,
    load_before: [f64; 3],
    load_after: [f64; 3],
) -> MixedResult {
    let mut names: Vec<(&'static str, bool)> = MIX
        .iter()
        .map(|(op, _)| (op.name(), op.is_write()))
        .collect();
    names.push((REVIEW_QUEUE, false));
    let ops = names
        .into_iter()
        .filter_map(|(name, write)| {
            let mine: Vec<Sample> = samples.iter().filter(|s| s.op == name).copied().collect();
            (!mine.is_empty()).then(|| OpResult {
                op: name.to_string(),
                write,
                requests: mine.len(),
                statuses: load::status_counts(&mine),
                rps: mine.len() as f64 / secs.max(1e-9),
                latency: Percentiles::of(mine.iter().map(|s| s.latency).collect()),
            })
        })
        .collect();
    MixedResult {
        backend: if opts.database_url.is_some() {
            "postgres"
        } else {
            "sqlite"
        }
        .to_string(),
        measured_at: unix_now(),
        records: opts.records,
        demands: opts.demands,
        clients: opts.clients,
        secs,
        requests: samples.len(),
        rps: samples.len() as f64 / secs.max(1e-9),
        server_errors: samples
            .iter()
            .filter(|s| s.status >= 500 || s.status == 0)
            .count(),
        statuses: load::status_counts(samples),
        latency: Percentiles::of(samples.iter().map(|s| s.latency).collect()),
        ops,
        idle,
        after,
        load_before,
        load_after,
    }
}
