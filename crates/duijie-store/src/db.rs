//! [`SqlStore`]: the store, over sqlx's `Any` driver. SQL is written
//! once in the dialect both backends accept (`$n` parameters, `ON CONFLICT`, `RETURNING`);
//! the few differences live in [`SqlStore::begin_write`], the generated parameter lists of
//! bulk statements (`markers`) and the per-backend migrations.

use crate::rows::{self, bind_vals, millis, to_json, Val};
use crate::{
    Actor, Backend, DemandEvent, DemandFilter, ImportBatch, OrgCounts, Record, Result, StoreError,
};
use chrono::Utc;
use duijie_core::id::new_id;
use duijie_core::text::{normalize_org_name, normalize_title};
use duijie_core::{
    AchievementDraft, Change, Contact, Demand, DemandDraft, DemandStatus, Draft, EntityKind,
    ExpertDraft, ImportReport, OrgKind, Organization, Role, User,
};
use sha2::{Digest, Sha256};
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyConnection, AnyPool, Executor, Row, Transaction};
use std::collections::HashMap;
use std::str::FromStr;
use std::time::Duration;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// Rows per multi-row INSERT (and ids per `IN` list): at most 6,000 parameters (12 columns),
/// well under SQLite's (32,766) and PostgreSQL's (65,535) bind-parameter limits.
pub(crate) const INSERT_CHUNK: usize = 500;
/// Pooled SQLite connections. Each has a worker thread of sqlx's; on a 2-core machine more of
/// them add thread switches, not throughput: at 100k records with 16 search clients, 4 gave
/// p95 10.1–11.0 ms against 13.3–13.8 ms with 8 and 10.7–11.7 ms with 2 (docs/performance.md).
/// SQLite writes one at a time whatever the pool size.
const SQLITE_CONNECTIONS: u32 = 4;
/// Advisory lock key that orders change-log writers on PostgreSQL.
const CHANGE_LOG_LOCK: i64 = 0x6475_696a_6965;

pub(crate) const DEMAND_SELECT: &str =
    "SELECT d.id, d.org_id, o.name AS org_name, d.status, d.version, d.body, \
    d.contact, d.created_at, d.updated_at FROM demands d JOIN organizations o ON o.id = d.org_id";
pub(crate) const ACHIEVEMENT_SELECT: &str = "SELECT a.id, a.org_id, o.name AS org_name, a.expert_id, \
    a.body, a.version, a.created_at, a.updated_at FROM achievements a JOIN organizations o ON o.id = a.org_id";
pub(crate) const EXPERT_SELECT: &str =
    "SELECT e.id, e.org_id, o.name AS org_name, e.body, e.contact, \
    e.version, e.created_at, e.updated_at FROM experts e JOIN organizations o ON o.id = e.org_id";

pub struct SqlStore {
    pool: AnyPool,
    backend: Backend,
    /// SQLite allows one writer; taking this before `BEGIN` keeps writers of this process
    /// from failing each other's lock upgrades.
    write_gate: tokio::sync::Mutex<()>,
    /// Kinds of notice that also go to the bureau's group chat (`[webhook]`); none by default.
    webhook_kinds: std::sync::RwLock<Vec<duijie_core::NotificationKind>>,
}

impl SqlStore {
    pub async fn connect(url: &str) -> Result<SqlStore> {
        sqlx::any::install_default_drivers();
        let backend: Backend = url.parse()?;
        let pool = match backend {
            Backend::Sqlite => {
                let url = sqlite_url_with_create(url);
                AnyPoolOptions::new()
                    .max_connections(SQLITE_CONNECTIONS)
                    .acquire_timeout(Duration::from_secs(30))
                    .after_connect(|conn, _| {
                        Box::pin(async move {
                            conn.execute("PRAGMA busy_timeout = 10000").await?;
                            conn.execute("PRAGMA foreign_keys = ON").await?;
                            conn.execute("PRAGMA synchronous = NORMAL").await?;
                            Ok(())
                        })
                    })
                    .connect(&url)
                    .await?
            }
            Backend::Postgres => {
                AnyPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(30))
                    .connect(url)
                    .await?
            }
        };
        if backend == Backend::Sqlite {
            sqlx::query("PRAGMA journal_mode = WAL")
                .execute(&pool)
                .await?;
        }
        match backend {
            Backend::Sqlite => SQLITE_MIGRATIONS.run(&pool).await?,
            Backend::Postgres => POSTGRES_MIGRATIONS.run(&pool).await?,
        }
        Ok(SqlStore {
            pool,
            backend,
            write_gate: tokio::sync::Mutex::new(()),
            webhook_kinds: std::sync::RwLock::new(Vec::new()),
        })
    }

    /// The kinds of notice queued for the webhook as well.
    pub(crate) fn webhook_kinds(&self) -> Vec<duijie_core::NotificationKind> {
        match self.webhook_kinds.read() {
            Ok(k) => k.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// SQLite's one writer at a time (see [`SqlStore::begin_write`]).
    pub(crate) fn write_gate(&self) -> &tokio::sync::Mutex<()> {
        &self.write_gate
    }

    /// The bind markers of `count` parameters numbered from `first` for this backend.
    pub(crate) fn markers(&self, first: usize, count: usize) -> String {
        markers(self.backend == Backend::Sqlite, first, count)
    }

    /// Starts a write transaction; the returned guard must live until commit.
    pub(crate) async fn begin_write(
        &self,
    ) -> Result<(
        Transaction<'static, sqlx::Any>,
        Option<tokio::sync::MutexGuard<'_, ()>>,
    )> {
        let guard = match self.backend {
            Backend::Sqlite => Some(self.write_gate.lock().await),
            Backend::Postgres => None,
        };
        let mut tx = self.pool.begin().await?;
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT pg_advisory_xact_lock($1)")
                .bind(CHANGE_LOG_LOCK)
                .execute(&mut *tx)
                .await?;
        }
        Ok((tx, guard))
    }
}

/// SQLite creates the database file on first use (`mode=rwc`) unless told otherwise.
fn sqlite_url_with_create(url: &str) -> String {
    if url.contains("mode=") || url.contains(":memory:") {
        url.to_string()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    }
}

fn content_hash(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0u8]);
    }
    hex::encode(h.finalize())
}

/// Is `conn` a SQLite connection (rather than PostgreSQL)?
fn is_sqlite(conn: &AnyConnection) -> bool {
    conn.backend_name() == <sqlx::Sqlite as sqlx::Database>::NAME
}

/// The bind markers of `count` parameters numbered from `first` (1-based), comma separated.
/// PostgreSQL gets `$n`. SQLite gets plain `?`, bound in order: sqlx looks every numbered SQLite
/// parameter up with `sqlite3_bind_parameter_name`, a linear scan of the statement's names, so
/// a multi-row statement with thousands of `$n` costs quadratic time (17.7% of the CPU of a
/// 22k-row import).
fn markers(sqlite: bool, first: usize, count: usize) -> String {
    let mut s = String::with_capacity(count * 6);
    for n in first..first + count {
        if n > first {
            s.push(',');
        }
        if sqlite {
            s.push('?');
        } else {
            s.push('$');
            s.push_str(&n.to_string());
        }
    }
    s
}

fn placeholders(sqlite: bool, rows: usize, cols: usize) -> String {
    let mut s = String::with_capacity(rows * (cols * 6 + 3));
    for r in 0..rows {
        if r > 0 {
            s.push(',');
        }
        s.push('(');
        s.push_str(&markers(sqlite, r * cols + 1, cols));
        s.push(')');
    }
    s
}

/// Inserts many rows with multi-row statements.
pub(crate) async fn insert_rows(
    conn: &mut AnyConnection,
    table: &str,
    columns: &[&str],
    rows: Vec<Vec<Val>>,
) -> Result<()> {
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<Vec<Val>> = rows.by_ref().take(INSERT_CHUNK).collect();
        let sql = format!(
            "INSERT INTO {table} ({}) VALUES {}",
            columns.join(", "),
            placeholders(is_sqlite(conn), chunk.len(), columns.len())
        );
        let q = bind_vals(sqlx::query(&sql), chunk.into_iter().flatten().collect());
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

pub(crate) async fn log_changes(
    conn: &mut AnyConnection,
    changes: &[(EntityKind, String, &str)],
    now: i64,
) -> Result<()> {
    let rows = changes
        .iter()
        .map(|(kind, id, op)| {
            vec![
                Val::from(kind.as_str()),
                Val::from(id.clone()),
                Val::from(*op),
                Val::from(now),
            ]
        })
        .collect();
    insert_rows(
        conn,
        "change_log",
        &["entity", "entity_id", "op", "at"],
        rows,
    )
    .await
}

/// Existing rows of `table` for the given organisations, keyed by (org_id, key column).
async fn existing_keys(
    conn: &mut AnyConnection,
    table: &str,
    key_col: &str,
    org_ids: &[String],
) -> Result<HashMap<(String, String), (String, String)>> {
    let mut out = HashMap::new();
    for chunk in org_ids.chunks(INSERT_CHUNK) {
        let list = markers(is_sqlite(conn), 1, chunk.len());
        let sql = format!(
            "SELECT org_id, {key_col} AS k, id, content_hash FROM {table} WHERE org_id IN ({list})"
        );
        let mut q = sqlx::query(&sql);
        for id in chunk {
            q = q.bind(id.clone());
        }
        for row in q.fetch_all(&mut *conn).await? {
            out.insert(
                (row.try_get("org_id")?, row.try_get("k")?),
                (row.try_get("id")?, row.try_get("content_hash")?),
            );
        }
    }
    Ok(out)
}

/// Resolves organisation names to ids inside an import, creating the new ones in one go.
struct OrgResolver {
    by_norm: HashMap<String, String>,
    new_rows: Vec<Vec<Val>>,
    known_existing: Vec<String>,
}

impl OrgResolver {
    async fn load(conn: &mut AnyConnection, names: &[(String, OrgKind)]) -> Result<OrgResolver> {
        let mut wanted: Vec<String> = names.iter().map(|(n, _)| normalize_org_name(n)).collect();
        wanted.sort();
        wanted.dedup();
        let mut by_norm = HashMap::new();
        for chunk in wanted.chunks(INSERT_CHUNK) {
            let list = markers(is_sqlite(conn), 1, chunk.len());
            let sql =
                format!("SELECT id, norm_name FROM organizations WHERE norm_name IN ({list})");
            let mut q = sqlx::query(&sql);
            for n in chunk {
                q = q.bind(n.clone());
            }
            for row in q.fetch_all(&mut *conn).await? {
                by_norm.insert(row.try_get("norm_name")?, row.try_get("id")?);
            }
        }
        let known_existing = by_norm.values().cloned().collect();
        Ok(OrgResolver {
            by_norm,
            new_rows: Vec::new(),
            known_existing,
        })
    }

    fn resolve(&mut self, name: &str, fallback: OrgKind, now: i64) -> Result<String> {
        let norm = normalize_org_name(name);
        if norm.is_empty() {
            return Err(StoreError::Invalid("单位名称为空".into()));
        }
        if let Some(id) = self.by_norm.get(&norm) {
            return Ok(id.clone());
        }
        let id = new_id("org");
        let kind = OrgKind::infer(name, fallback);
        self.new_rows.push(vec![
            Val::from(id.clone()),
            Val::from(kind.as_str()),
            Val::from(duijie_core::text::clean_line(name)),
            Val::from(norm.clone()),
            Val::Text(None),
            Val::Text(None),
            Val::from(now),
        ]);
        self.by_norm.insert(norm, id.clone());
        Ok(id)
    }

    async fn flush(&mut self, conn: &mut AnyConnection) -> Result<()> {
        insert_rows(
            conn,
            "organizations",
            &[
                "id",
                "kind",
                "name",
                "norm_name",
                "region",
                "credit_code",
                "created_at",
            ],
            std::mem::take(&mut self.new_rows),
        )
        .await
    }
}

fn org_name_of(d: &Draft) -> (String, OrgKind) {
    match d {
        Draft::Demand(d) => (d.org_name.clone(), OrgKind::Enterprise),
        Draft::Achievement(a) => (a.org_name.clone(), OrgKind::University),
        Draft::Expert(e) => (e.org_name.clone(), OrgKind::University),
    }
}

fn demand_columns(draft: &DemandDraft) -> (String, String, String) {
    let mut body = draft.clone();
    body.contact = Contact::default();
    let body = to_json(&body);
    let contact = to_json(&draft.contact);
    let hash = content_hash(&[&body, &contact]);
    (body, contact, hash)
}

pub(crate) fn expert_columns(draft: &ExpertDraft) -> (String, String, String) {
    let mut body = draft.clone();
    body.contact = Contact::default();
    let body = to_json(&body);
    let contact = to_json(&draft.contact);
    let hash = content_hash(&[&body, &contact]);
    (body, contact, hash)
}

pub(crate) fn achievement_columns(draft: &AchievementDraft) -> (String, String) {
    let body = to_json(draft);
    let hash = content_hash(&[&body]);
    (body, hash)
}

/// Counts and change-log entries gathered while importing.
#[derive(Default)]
struct ImportTally {
    imported: u32,
    unchanged: u32,
    changes: Vec<(EntityKind, String, &'static str)>,
}

impl ImportTally {
    /// A record of the file was inserted or changed: count it and log it.
    fn written(&mut self, kind: EntityKind, id: &str) {
        self.changes.push((kind, id.to_string(), "upsert"));
        self.imported += 1;
    }
}

impl SqlStore {
    async fn import_in(
        &self,
        conn: &mut AnyConnection,
        batch: &ImportBatch,
        now: i64,
    ) -> Result<ImportTally> {
        let names: Vec<(String, OrgKind)> = batch.records.iter().map(org_name_of).collect();
        let mut orgs = OrgResolver::load(conn, &names).await?;
        let existing_orgs = orgs.known_existing.clone();
        let mut tally = ImportTally::default();

        // Experts first: achievements link to them by (organisation, leader name).
        let mut experts = existing_keys(conn, "experts", "norm_name", &existing_orgs).await?;
        let mut expert_rows = Vec::new();
        let mut expert_updates = Vec::new();
        for draft in &batch.records {
            let (org_name, name, body) = match draft {
                Draft::Expert(e) => (&e.org_name, e.name.clone(), Some(e)),
                Draft::Achievement(a) => match &a.leader {
                    Some(leader) if !leader.trim().is_empty() => {
                        (&a.org_name, leader.clone(), None)
                    }
                    _ => continue,
                },
                Draft::Demand(_) => continue,
            };
            let org_id = orgs.resolve(org_name, OrgKind::University, now)?;
            let key = (org_id.clone(), normalize_org_name(&name));
            let listed = body.cloned().unwrap_or_else(|| ExpertDraft {
                org_name: org_name.clone(),
                name: duijie_core::text::clean_line(&name),
                ..ExpertDraft::default()
            });
            let (body_json, contact_json, hash) = expert_columns(&listed);
            match experts.get(&key) {
                Some((_, old_hash)) if *old_hash == hash => {
                    if body.is_some() {
                        tally.unchanged += 1;
                    }
                }
                // A leader named by an achievement never overwrites a listed profile.
                Some(_) if body.is_none() => {}
                Some((id, _)) => {
                    expert_updates.push((id.clone(), body_json, contact_json, hash.clone()));
                    tally
                        .changes
                        .push((EntityKind::Expert, id.clone(), "upsert"));
                    tally.imported += 1;
                    experts.insert(key, (id.clone(), hash));
                }
                None => {
                    let id = new_id("exp");
                    expert_rows.push(vec![
                        Val::from(id.clone()),
                        Val::from(org_id),
                        Val::from(key.1.clone()),
                        Val::from(listed.name.clone()),
                        Val::from(body_json),
                        Val::from(contact_json),
                        Val::from(hash.clone()),
                        Val::from(now),
                        Val::from(now),
                    ]);
                    tally
                        .changes
                        .push((EntityKind::Expert, id.clone(), "upsert"));
                    if body.is_some() {
                        tally.imported += 1;
                    }
                    experts.insert(key, (id, hash));
                }
            }
        }

        let mut achievements =
            existing_keys(conn, "achievements", "norm_title", &existing_orgs).await?;
        let mut demands = existing_keys(conn, "demands", "norm_title", &existing_orgs).await?;
        let mut achievement_rows = Vec::new();
        let mut demand_rows = Vec::new();
        let mut achievement_updates = Vec::new();
        let mut demand_updates = Vec::new();
        for draft in &batch.records {
            match draft {
                Draft::Achievement(a) => {
                    let org_id = orgs.resolve(&a.org_name, OrgKind::University, now)?;
                    let key = (org_id.clone(), normalize_title(&a.title));
                    let expert_id = a.leader.as_ref().and_then(|l| {
                        experts
                            .get(&(org_id.clone(), normalize_org_name(l)))
                            .map(|(id, _)| id.clone())
                    });
                    let (body, hash) = achievement_columns(a);
                    match achievements.get(&key) {
                        Some((_, old)) if *old == hash => tally.unchanged += 1,
                        Some((id, _)) => {
                            achievement_updates.push((id.clone(), expert_id, body, hash.clone()));
                            tally.written(EntityKind::Achievement, id);
                            let id = id.clone();
                            achievements.insert(key, (id, hash));
                        }
                        None => {
                            let id = new_id("ach");
                            achievement_rows.push(vec![
                                Val::from(id.clone()),
                                Val::from(org_id),
                                Val::from(expert_id),
                                Val::from(key.1.clone()),
                                Val::from(duijie_core::text::clean_line(&a.title)),
                                Val::from(body),
                                Val::from(hash.clone()),
                                Val::from(now),
                                Val::from(now),
                            ]);
                            tally.written(EntityKind::Achievement, &id);
                            achievements.insert(key, (id, hash));
                        }
                    }
                }
                Draft::Demand(d) => {
                    let org_id = orgs.resolve(&d.org_name, OrgKind::Enterprise, now)?;
                    let key = (org_id.clone(), normalize_title(&d.title));
                    let (body, contact, hash) = demand_columns(d);
                    match demands.get(&key) {
                        Some((_, old)) if *old == hash => tally.unchanged += 1,
                        Some((id, _)) => {
                            demand_updates.push((
                                id.clone(),
                                d.clone(),
                                body,
                                contact,
                                hash.clone(),
                            ));
                            tally.written(EntityKind::Demand, id);
                            let id = id.clone();
                            demands.insert(key, (id, hash));
                        }
                        None => {
                            let id = new_id("dem");
                            demand_rows.push(vec![
                                Val::from(id.clone()),
                                Val::from(org_id),
                                Val::from(key.1.clone()),
                                Val::from(duijie_core::text::clean_line(&d.title)),
                                Val::from(batch.demand_status.as_str()),
                                Val::from(d.field.map(|f| f.label().to_string())),
                                Val::from(d.region.clone()),
                                Val::from(body),
                                Val::from(contact),
                                Val::from(hash.clone()),
                                Val::from(now),
                                Val::from(now),
                            ]);
                            tally.written(EntityKind::Demand, &id);
                            demands.insert(key, (id, hash));
                        }
                    }
                }
                Draft::Expert(_) => {}
            }
        }

        orgs.flush(conn).await?;
        insert_rows(
            conn,
            "experts",
            &[
                "id",
                "org_id",
                "norm_name",
                "name",
                "body",
                "contact",
                "content_hash",
                "created_at",
                "updated_at",
            ],
            expert_rows,
        )
        .await?;
        for (id, body, contact, hash) in expert_updates {
            sqlx::query(
                "UPDATE experts SET body = $1, contact = $2, content_hash = $3, updated_at = $4, \
                 version = version + 1 WHERE id = $5",
            )
            .bind(body)
            .bind(contact)
            .bind(hash)
            .bind(now)
            .bind(id)
            .execute(&mut *conn)
            .await?;
        }
        insert_rows(
            conn,
            "achievements",
            &[
                "id",
                "org_id",
                "expert_id",
                "norm_title",
                "title",
                "body",
                "content_hash",
                "created_at",
                "updated_at",
            ],
            achievement_rows,
        )
        .await?;
        for (id, expert_id, body, hash) in achievement_updates {
            sqlx::query(
                "UPDATE achievements SET expert_id = $1, body = $2, content_hash = $3, \
                 updated_at = $4, version = version + 1 WHERE id = $5",
            )
            .bind(expert_id)
            .bind(body)
            .bind(hash)
            .bind(now)
            .bind(id)
            .execute(&mut *conn)
            .await?;
        }
        insert_rows(
            conn,
            "demands",
            &[
                "id",
                "org_id",
                "norm_title",
                "title",
                "status",
                "field",
                "region",
                "body",
                "contact",
                "content_hash",
                "created_at",
                "updated_at",
            ],
            demand_rows,
        )
        .await?;
        for (id, draft, body, contact, hash) in demand_updates {
            sqlx::query(
                "UPDATE demands SET title = $1, field = $2, region = $3, body = $4, contact = $5, \
                 content_hash = $6, updated_at = $7, version = version + 1 WHERE id = $8",
            )
            .bind(duijie_core::text::clean_line(&draft.title))
            .bind(draft.field.map(|f| f.label().to_string()))
            .bind(draft.region.clone())
            .bind(body)
            .bind(contact)
            .bind(hash)
            .bind(now)
            .bind(id)
            .execute(&mut *conn)
            .await?;
        }
        Ok(tally)
    }
}

pub(crate) async fn fetch_demand(conn: &mut AnyConnection, id: &str) -> Result<Demand> {
    let row = sqlx::query(&format!("{DEMAND_SELECT} WHERE d.id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("demand {id} not found")))?;
    rows::demand(&row)
}

/// Moves a demand from `from` to `to` inside a write transaction if it is still in `from`
/// (and at `version` when given), recording the event; the caller logs the change.
pub(crate) async fn transition_in(
    conn: &mut AnyConnection,
    id: &str,
    (from, version): (DemandStatus, Option<i64>),
    to: DemandStatus,
    actor: &Actor,
    note: &str,
    now: i64,
) -> Result<()> {
    let mut sql = "UPDATE demands SET status = $1, updated_at = $2, version = version + 1 \
                   WHERE id = $3 AND status = $4"
        .to_string();
    if version.is_some() {
        sql.push_str(" AND version = $5");
    }
    let mut query = sqlx::query(&sql)
        .bind(to.as_str())
        .bind(now)
        .bind(id)
        .bind(from.as_str());
    if let Some(v) = version {
        query = query.bind(v);
    }
    let updated = query.execute(&mut *conn).await?;
    if updated.rows_affected() == 0 {
        let current = fetch_demand(conn, id).await?;
        if current.status == from {
            return Err(stale_demand());
        }
        return Err(StoreError::Conflict(format!(
            "需求当前为“{}”，不是“{}”，可能刚被他人处理，请刷新后再试",
            current.status.label(),
            from.label()
        )));
    }
    insert_event(conn, id, Some(from), to, actor, note, now).await
}

/// The demand changed since the writer read it.
fn stale_demand() -> StoreError {
    StoreError::Stale("该需求已被他人修改，请查看最新内容后再操作".to_string())
}

/// [`transition_in`] followed by the demand's change-log row, for a single demand.
pub(crate) async fn transition_logged(
    conn: &mut AnyConnection,
    id: &str,
    from: (DemandStatus, Option<i64>),
    to: DemandStatus,
    actor: &Actor,
    note: &str,
    now: i64,
) -> Result<()> {
    transition_in(conn, id, from, to, actor, note, now).await?;
    log_changes(conn, &[(EntityKind::Demand, id.to_string(), "upsert")], now).await
}

fn import_report(row: &AnyRow) -> Result<ImportReport> {
    let id: String = row.try_get("id")?;
    let text: String = row.try_get("report")?;
    serde_json::from_str(&text).map_err(|e| StoreError::Corrupt(id, e.to_string()))
}

impl SqlStore {
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Checks the connection.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// The organisation with this (normalised) name, created with `kind` when new.
    pub async fn ensure_organization(&self, name: &str, kind: OrgKind) -> Result<Organization> {
        let norm = normalize_org_name(name);
        if norm.is_empty() {
            return Err(StoreError::Invalid("单位名称为空".into()));
        }
        let (mut tx, _gate) = self.begin_write().await?;
        let now = millis(Utc::now());
        sqlx::query(
            "INSERT INTO organizations (id, kind, name, norm_name, created_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (norm_name) DO NOTHING",
        )
        .bind(new_id("org"))
        .bind(kind.as_str())
        .bind(duijie_core::text::clean_line(name))
        .bind(norm.clone())
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let row = sqlx::query("SELECT * FROM organizations WHERE norm_name = $1")
            .bind(norm)
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        rows::organization(&row)
    }

    pub async fn get_organization(&self, id: &str) -> Result<Option<Organization>> {
        sqlx::query("SELECT * FROM organizations WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .map(|r| rows::organization(&r))
            .transpose()
    }

    pub async fn organization_counts(&self, id: &str) -> Result<OrgCounts> {
        let row = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM demands WHERE org_id = $1) AS d, \
                    (SELECT COUNT(*) FROM achievements WHERE org_id = $1) AS a, \
                    (SELECT COUNT(*) FROM experts WHERE org_id = $1) AS e",
        )
        .bind(id)
        .fetch_one(&self.pool)
        .await?;
        Ok(OrgCounts {
            demands: row.try_get("d")?,
            achievements: row.try_get("a")?,
            experts: row.try_get("e")?,
        })
    }

    /// Writes one file's records in one transaction: new records inserted, changed ones
    /// updated, identical ones counted as unchanged; the batch is recorded with its report.
    pub async fn import(&self, batch: ImportBatch) -> Result<ImportReport> {
        let now_t = Utc::now();
        let now = millis(now_t);
        let (mut tx, _gate) = self.begin_write().await?;
        let tally = self.import_in(&mut tx, &batch, now).await?;
        log_changes(&mut tx, &tally.changes, now).await?;
        let report = ImportReport {
            id: new_id("imp"),
            file: batch.file.clone(),
            sha256: batch.sha256.clone(),
            kind: batch.kind,
            rows_total: batch.rows_total,
            rows_imported: tally.imported,
            rows_unchanged: tally.unchanged,
            rows_skipped: batch.rows_skipped,
            errors: batch.errors.clone(),
            created_at: rows::time(now),
        };
        sqlx::query(
            "INSERT INTO imports (id, file, sha256, kind, actor_name, report, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(report.id.clone())
        .bind(report.file.clone())
        .bind(report.sha256.clone())
        .bind(report.kind.as_str())
        .bind(batch.actor_name.clone())
        .bind(to_json(&report))
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(report)
    }

    pub async fn list_imports(&self, limit: u32) -> Result<Vec<ImportReport>> {
        sqlx::query("SELECT id, report FROM imports ORDER BY created_at DESC, id DESC LIMIT $1")
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(import_report)
            .collect()
    }

    pub async fn get_import(&self, id: &str) -> Result<Option<ImportReport>> {
        sqlx::query("SELECT id, report FROM imports WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .map(|r| import_report(&r))
            .transpose()
    }

    pub async fn create_demand(
        &self,
        org_id: &str,
        draft: &DemandDraft,
        status: DemandStatus,
        actor: &Actor,
    ) -> Result<Demand> {
        let now = millis(Utc::now());
        let id = new_id("dem");
        let (body, contact, hash) = demand_columns(draft);
        let (mut tx, _gate) = self.begin_write().await?;
        let inserted = sqlx::query(
            "INSERT INTO demands (id, org_id, norm_title, title, status, field, region, body, \
             contact, content_hash, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
             ON CONFLICT (org_id, norm_title) DO NOTHING",
        )
        .bind(id.clone())
        .bind(org_id)
        .bind(normalize_title(&draft.title))
        .bind(duijie_core::text::clean_line(&draft.title))
        .bind(status.as_str())
        .bind(draft.field.map(|f| f.label().to_string()))
        .bind(draft.region.clone())
        .bind(body)
        .bind(contact)
        .bind(hash)
        .bind(now)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        if inserted.rows_affected() == 0 {
            return Err(StoreError::Conflict(format!(
                "本单位已有同名需求“{}”",
                draft.title
            )));
        }
        insert_event(&mut tx, &id, None, status, actor, "", now).await?;
        log_changes(&mut tx, &[(EntityKind::Demand, id.clone(), "upsert")], now).await?;
        let demand = fetch_demand(&mut tx, &id).await?;
        tx.commit().await?;
        Ok(demand)
    }

    /// Deletes a draft that never reached anyone (no catalogue item, interest or project
    /// refers to it) with its history; anything else is a [`StoreError::Conflict`].
    pub async fn delete_demand(&self, id: &str) -> Result<()> {
        let now = millis(Utc::now());
        let (mut tx, _gate) = self.begin_write().await?;
        let d = fetch_demand(&mut tx, id).await?;
        if d.status != DemandStatus::Draft {
            return Err(StoreError::Conflict(format!(
                "只有草稿可以删除，“{}”当前为“{}”",
                d.body.title,
                d.status.label()
            )));
        }
        let refs: i64 = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM catalogue_items WHERE demand_id = $1) \
             + (SELECT COUNT(*) FROM interests WHERE demand_id = $1) \
             + (SELECT COUNT(*) FROM projects WHERE demand_id = $1) AS n",
        )
        .bind(id)
        .fetch_one(&mut *tx)
        .await?
        .try_get("n")?;
        if refs > 0 {
            return Err(StoreError::Conflict(format!(
                "“{}”曾编入目录或有对接记录，不能删除",
                d.body.title
            )));
        }
        sqlx::query("DELETE FROM demand_events WHERE demand_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        // A draft's files go with it (a draft has no conversation whose messages cite them).
        sqlx::query("DELETE FROM attachments WHERE demand_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM demands WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        log_changes(
            &mut tx,
            &[(EntityKind::Demand, id.to_string(), "delete")],
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Writes `draft` if the demand is still at `version` and, unless `statuses` is empty, in
    /// one of `statuses` — checked by the UPDATE itself, so no review or other write can slip
    /// between the check and the write. A newer version is [`StoreError::Stale`], another
    /// status [`StoreError::Conflict`].
    pub async fn update_demand(
        &self,
        id: &str,
        draft: &DemandDraft,
        version: i64,
        statuses: &[DemandStatus],
        notices: &[crate::NewNotice],
    ) -> Result<Demand> {
        let now = millis(Utc::now());
        let (body, contact, hash) = demand_columns(draft);
        let (mut tx, _gate) = self.begin_write().await?;
        let mut sql = "UPDATE demands SET norm_title = $1, title = $2, field = $3, region = $4, \
                       body = $5, contact = $6, content_hash = $7, updated_at = $8, \
                       version = version + 1 WHERE id = $9 AND version = $10"
            .to_string();
        if !statuses.is_empty() {
            // Numbered on both backends: SQLite would give a bare `?` after `$10` the first value.
            sql.push_str(&format!(
                " AND status IN ({})",
                markers(false, 11, statuses.len())
            ));
        }
        let mut query = sqlx::query(&sql)
            .bind(normalize_title(&draft.title))
            .bind(duijie_core::text::clean_line(&draft.title))
            .bind(draft.field.map(|f| f.label().to_string()))
            .bind(draft.region.clone())
            .bind(body)
            .bind(contact)
            .bind(hash)
            .bind(now)
            .bind(id)
            .bind(version);
        for s in statuses {
            query = query.bind(s.as_str());
        }
        match query.execute(&mut *tx).await {
            Ok(r) if r.rows_affected() == 0 => {
                let current = fetch_demand(&mut tx, id).await?;
                if current.version != version {
                    return Err(stale_demand());
                }
                return Err(StoreError::Conflict(format!(
                    "需求当前为“{}”，不能再修改",
                    current.status.label()
                )));
            }
            Ok(_) => {}
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                return Err(StoreError::Conflict(format!(
                    "本单位已有同名需求“{}”",
                    draft.title
                )))
            }
            Err(e) => return Err(e.into()),
        }
        log_changes(
            &mut tx,
            &[(EntityKind::Demand, id.to_string(), "upsert")],
            now,
        )
        .await?;
        crate::notifications::write_notices(&mut tx, notices, now, &self.webhook_kinds()).await?;
        let demand = fetch_demand(&mut tx, id).await?;
        tx.commit().await?;
        Ok(demand)
    }

    /// Moves a demand from `from` to `to` if it is still in `from` (and, given a `version`,
    /// still at that version: a review holds only for the text the reviewer read); records
    /// the event.
    pub async fn transition_demand(
        &self,
        id: &str,
        from: DemandStatus,
        to: DemandStatus,
        actor: &Actor,
        note: &str,
        version: Option<i64>,
    ) -> Result<Demand> {
        self.transition(id, (from, version), to, actor, note, None, &[])
            .await
    }

    /// [`SqlStore::transition_demand`] with an audit entry and `notices` written in the same
    /// transaction: the move, its record and its notifications commit together or not at all.
    /// `from` is the status and, when given, the version the move requires.
    #[allow(clippy::too_many_arguments)]
    pub async fn transition_demand_audited(
        &self,
        id: &str,
        from: (DemandStatus, Option<i64>),
        to: DemandStatus,
        actor: &Actor,
        note: &str,
        audit: &crate::NewAuditEntry,
        notices: &[crate::NewNotice],
    ) -> Result<Demand> {
        self.transition(id, from, to, actor, note, Some(audit), notices)
            .await
    }

    pub async fn get_demand(&self, id: &str) -> Result<Option<Demand>> {
        sqlx::query(&format!("{DEMAND_SELECT} WHERE d.id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .map(|r| rows::demand(&r))
            .transpose()
    }

    pub async fn list_demands(&self, filter: &DemandFilter) -> Result<(Vec<Demand>, i64)> {
        let mut conds = Vec::new();
        let mut vals = Vec::new();
        if let Some(org) = &filter.org_id {
            vals.push(Val::from(org.clone()));
            conds.push(format!("d.org_id = ${}", vals.len()));
        }
        if let Some(statuses) = &filter.statuses {
            if statuses.is_empty() {
                return Ok((Vec::new(), 0));
            }
            let mut list = Vec::new();
            for s in statuses {
                vals.push(Val::from(s.as_str()));
                list.push(format!("${}", vals.len()));
            }
            conds.push(format!("d.status IN ({})", list.join(",")));
        }
        let where_sql = if conds.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", conds.join(" AND "))
        };
        let count_sql = format!("SELECT COUNT(*) AS n FROM demands d{where_sql}");
        let total: i64 = bind_vals(sqlx::query(&count_sql), vals.clone())
            .fetch_one(&self.pool)
            .await?
            .try_get("n")?;
        let n = vals.len();
        let sql = format!(
            "{DEMAND_SELECT}{where_sql} ORDER BY d.created_at DESC, d.id DESC LIMIT ${} OFFSET ${}",
            n + 1,
            n + 2
        );
        vals.push(Val::from(i64::from(filter.limit.max(1))));
        vals.push(Val::from(i64::from(filter.offset)));
        let items = bind_vals(sqlx::query(&sql), vals)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(rows::demand)
            .collect::<Result<Vec<_>>>()?;
        Ok((items, total))
    }

    pub async fn demand_history(&self, id: &str) -> Result<Vec<DemandEvent>> {
        let rows = sqlx::query(
            "SELECT from_status, to_status, actor_id, actor_name, note, at FROM demand_events \
             WHERE demand_id = $1 ORDER BY at, id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let from: Option<String> = r.try_get("from_status")?;
                let to: String = r.try_get("to_status")?;
                Ok(DemandEvent {
                    from_status: from.as_deref().and_then(DemandStatus::parse),
                    to_status: DemandStatus::parse(&to)
                        .ok_or_else(|| StoreError::Corrupt(id.to_string(), to.clone()))?,
                    actor_id: r.try_get("actor_id")?,
                    actor_name: r.try_get("actor_name")?,
                    note: r.try_get("note")?,
                    at: rows::time(r.try_get("at")?),
                })
            })
            .collect()
    }

    pub async fn get_achievement(&self, id: &str) -> Result<Option<duijie_core::Achievement>> {
        sqlx::query(&format!("{ACHIEVEMENT_SELECT} WHERE a.id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .map(|r| rows::achievement(&r))
            .transpose()
    }

    pub async fn get_expert(&self, id: &str) -> Result<Option<duijie_core::Expert>> {
        sqlx::query(&format!("{EXPERT_SELECT} WHERE e.id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .map(|r| rows::expert(&r))
            .transpose()
    }

    /// Experts whose name starts with `prefix` (a person is looked up by name, whether or not
    /// their record has text to search), by name, at most `limit`.
    pub async fn experts_named(
        &self,
        prefix: &str,
        limit: u32,
    ) -> Result<Vec<duijie_core::Expert>> {
        let prefix = prefix.trim();
        if prefix.is_empty() {
            return Ok(Vec::new());
        }
        // substr rather than LIKE: the name typed is data, never a pattern.
        sqlx::query(&format!(
            "{EXPERT_SELECT} WHERE substr(e.name, 1, CAST($1 AS INTEGER)) = $2 ORDER BY e.name, e.id LIMIT $3"
        ))
        .bind(i64::try_from(prefix.chars().count()).unwrap_or(i64::MAX))
        .bind(prefix)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(rows::expert)
        .collect()
    }

    pub async fn changes_since(&self, seq: i64, limit: u32) -> Result<Vec<Change>> {
        let rows = sqlx::query(
            "SELECT seq, entity, entity_id, op FROM change_log WHERE seq > $1 ORDER BY seq LIMIT $2",
        )
        .bind(seq)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let entity: String = r.try_get("entity")?;
                let op: String = r.try_get("op")?;
                Ok(Change {
                    seq: r.try_get("seq")?,
                    entity: EntityKind::parse(&entity)
                        .ok_or_else(|| StoreError::Corrupt("change_log".into(), entity.clone()))?,
                    entity_id: r.try_get("entity_id")?,
                    exists: op != "delete",
                })
            })
            .collect()
    }

    pub async fn last_seq(&self) -> Result<i64> {
        let row = sqlx::query("SELECT COALESCE(MAX(seq), 0) AS s FROM change_log")
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get("s")?)
    }

    /// The records with these ids (missing ones left out).
    pub async fn get_records(&self, entity: EntityKind, ids: &[String]) -> Result<Vec<Record>> {
        let (select, alias) = match entity {
            EntityKind::Demand => (DEMAND_SELECT, "d"),
            EntityKind::Achievement => (ACHIEVEMENT_SELECT, "a"),
            EntityKind::Expert => (EXPERT_SELECT, "e"),
            EntityKind::Instrument => (crate::market::INSTRUMENT_SELECT, "i"),
            EntityKind::Organization => return Ok(Vec::new()),
        };
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(INSERT_CHUNK) {
            let list = self.markers(1, chunk.len());
            let sql = format!("{select} WHERE {alias}.id IN ({list})");
            let vals = chunk.iter().map(|id| Val::from(id.clone())).collect();
            for row in bind_vals(sqlx::query(&sql), vals)
                .fetch_all(&self.pool)
                .await?
            {
                out.push(record(entity, &row)?);
            }
        }
        Ok(out)
    }

    /// Every record of a kind, in id order, `limit` at a time after `after_id`.
    pub async fn scan(
        &self,
        entity: EntityKind,
        after_id: &str,
        limit: u32,
    ) -> Result<Vec<Record>> {
        let (select, alias) = match entity {
            EntityKind::Demand => (DEMAND_SELECT, "d"),
            EntityKind::Achievement => (ACHIEVEMENT_SELECT, "a"),
            EntityKind::Expert => (EXPERT_SELECT, "e"),
            EntityKind::Instrument => (crate::market::INSTRUMENT_SELECT, "i"),
            EntityKind::Organization => return Ok(Vec::new()),
        };
        let sql = format!("{select} WHERE {alias}.id > $1 ORDER BY {alias}.id LIMIT $2");
        sqlx::query(&sql)
            .bind(after_id)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| record(entity, r))
            .collect()
    }

    pub async fn count(&self, entity: EntityKind) -> Result<i64> {
        let table = match entity {
            EntityKind::Demand => "demands",
            EntityKind::Achievement => "achievements",
            EntityKind::Expert => "experts",
            EntityKind::Organization => "organizations",
            EntityKind::Instrument => "instruments",
        };
        let row = sqlx::query(&format!("SELECT COUNT(*) AS n FROM {table}"))
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get("n")?)
    }

    pub async fn create_user(
        &self,
        name: &str,
        role: Role,
        org_id: Option<&str>,
        token_hash: &str,
    ) -> Result<User> {
        let now = millis(Utc::now());
        let id = new_id("usr");
        let mut tx = self.pool.begin().await?;
        let inserted = sqlx::query(
            "INSERT INTO users (id, name, role, org_id, token_hash, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (name) DO NOTHING",
        )
        .bind(id.clone())
        .bind(name)
        .bind(role.as_str())
        .bind(org_id.map(str::to_string))
        .bind(token_hash)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        if inserted.rows_affected() == 0 {
            return Err(StoreError::Conflict(format!("用户名“{name}”已存在")));
        }
        crate::accounts::insert_token(&mut tx, &id, "初始令牌", token_hash).await?;
        tx.commit().await?;
        Ok(User {
            id,
            name: name.to_string(),
            role,
            org_id: org_id.map(str::to_string),
            email: None,
            phone: None,
            created_at: rows::time(now),
            revoked: false,
        })
    }

    /// Sets how the account is reached; `false` when no such account.
    pub async fn set_user_contact(
        &self,
        user_id: &str,
        email: Option<&str>,
        phone: Option<&str>,
    ) -> Result<bool> {
        let r = sqlx::query("UPDATE users SET email = $1, phone = $2 WHERE id = $3")
            .bind(email.map(str::to_string))
            .bind(phone.map(str::to_string))
            .bind(user_id)
            .execute(&self.pool)
            .await?;
        Ok(r.rows_affected() > 0)
    }

    pub async fn user_by_token_hash(&self, token_hash: &str) -> Result<Option<User>> {
        sqlx::query(
            "SELECT u.* FROM api_tokens t JOIN users u ON u.id = t.user_id \
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.revoked_at IS NULL",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?
        .map(|r| rows::user(&r))
        .transpose()
    }

    pub async fn list_users(&self) -> Result<Vec<User>> {
        sqlx::query("SELECT * FROM users ORDER BY created_at, id")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(rows::user)
            .collect()
    }

    /// Gives the account a new token, revoking its others (and lifts a revocation); `false`
    /// when no such account.
    pub async fn reset_token(&self, name: &str, token_hash: &str) -> Result<bool> {
        let mut tx = self.pool.begin().await?;
        let Some(id) = sqlx::query("SELECT id FROM users WHERE name = $1")
            .bind(name)
            .fetch_optional(&mut *tx)
            .await?
            .map(|r| r.try_get::<String, _>("id"))
            .transpose()?
        else {
            return Ok(false);
        };
        sqlx::query("UPDATE users SET token_hash = $1, revoked_at = NULL WHERE id = $2")
            .bind(token_hash)
            .bind(id.clone())
            .execute(&mut *tx)
            .await?;
        // The account's other tokens stop working.
        sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
        )
        .bind(millis(Utc::now()))
        .bind(id.clone())
        .execute(&mut *tx)
        .await?;
        crate::accounts::insert_token(&mut tx, &id, "初始令牌", token_hash).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Notices of these kinds are queued for the outgoing webhook as well (none by default).
    pub fn set_webhook_kinds(&self, kinds: &[duijie_core::NotificationKind]) {
        match self.webhook_kinds.write() {
            Ok(mut k) => *k = kinds.to_vec(),
            Err(poisoned) => *poisoned.into_inner() = kinds.to_vec(),
        }
    }

    /// Disables the account (its tokens and sessions stop working; `reset_token` enables it
    /// again); `false` when no such active account.
    pub async fn revoke_user(&self, name: &str) -> Result<bool> {
        let mut tx = self.pool.begin().await?;
        let r =
            sqlx::query("UPDATE users SET revoked_at = $1 WHERE name = $2 AND revoked_at IS NULL")
                .bind(millis(Utc::now()))
                .bind(name)
                .execute(&mut *tx)
                .await?;
        sqlx::query("DELETE FROM sessions WHERE user_id IN (SELECT id FROM users WHERE name = $1)")
            .bind(name)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(r.rows_affected() > 0)
    }
}

fn record(entity: EntityKind, row: &AnyRow) -> Result<Record> {
    Ok(match entity {
        EntityKind::Demand => Record::Demand(rows::demand(row)?),
        EntityKind::Achievement => Record::Achievement(rows::achievement(row)?),
        EntityKind::Instrument => Record::Instrument(crate::market::instrument(row)?),
        _ => Record::Expert(rows::expert(row)?),
    })
}

pub(crate) async fn insert_event(
    conn: &mut AnyConnection,
    demand_id: &str,
    from: Option<DemandStatus>,
    to: DemandStatus,
    actor: &Actor,
    note: &str,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO demand_events (id, demand_id, from_status, to_status, actor_id, actor_name, \
         note, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(new_id("evt"))
    .bind(demand_id)
    .bind(from.map(|s| s.as_str().to_string()))
    .bind(to.as_str())
    .bind(actor.id.clone())
    .bind(actor.name.clone())
    .bind(note)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

impl FromStr for Backend {
    type Err = StoreError;
    fn from_str(url: &str) -> Result<Backend> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Ok(Backend::Postgres)
        } else {
            Err(StoreError::UnsupportedUrl(crate::redact_url(url)))
        }
    }
}
