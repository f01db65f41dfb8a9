//! Imports (导入): one file's records written in one transaction. [`SqlStore::import`] runs
//! the phases of [`Import`] — the file's organisations resolved, experts planned (achievements
//! link to them by leader name), achievements and demands planned against the keys already
//! stored, every row written table by table — then logs the changes and records the report.

use crate::changelog::log_changes;
use crate::rows::{self, achievement_columns, bind_vals, demand_columns, expert_columns, millis};
use crate::rows::{to_json, Val};
use crate::sql::read_one;
use crate::sql::{insert_rows, is_sqlite, markers, INSERT_CHUNK};
use crate::{Result, SqlStore, StoreError};
use chrono::Utc;
use duijie_core::id::new_id;
use duijie_core::text::{clean_line, normalize_org_name, normalize_title};
use duijie_core::{
    AchievementDraft, DemandDraft, DemandStatus, Draft, EntityKind, ExpertDraft, ImportReport,
    OrgKind, RecordKind, RowError,
};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use std::collections::HashMap;

/// One file's worth of records to import, with what the reader already found wrong.
#[derive(Debug, Clone)]
pub struct ImportBatch {
    pub file: String,
    pub sha256: String,
    pub kind: RecordKind,
    pub rows_total: u32,
    pub rows_skipped: u32,
    pub errors: Vec<RowError>,
    pub records: Vec<Draft>,
    /// Status given to demands that are new (imported catalogues are usually published).
    pub demand_status: DemandStatus,
    pub actor_name: String,
}

/// Stored rows of a table by (organisation id, normalised key): (id, content hash).
type Keys = HashMap<(String, String), (String, String)>;

/// Existing rows of `table` for the given organisations, keyed by (org_id, key column).
async fn existing_keys(
    conn: &mut AnyConnection,
    table: &str,
    key_col: &str,
    org_ids: &[String],
) -> Result<Keys> {
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
    /// The organisations that existed before the import: only they can have stored records.
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
            Val::from(clean_line(name)),
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

/// A table an import writes: its columns for new rows (`id` first; `content_hash`,
/// `created_at`, `updated_at` last) and the UPDATE of a changed one (`content_hash`,
/// `updated_at`, `id` last).
struct Table {
    name: &'static str,
    /// Prefix of the ids of new rows.
    id_prefix: &'static str,
    columns: &'static [&'static str],
    update: &'static str,
}

static EXPERTS: Table = Table {
    name: "experts",
    id_prefix: "exp",
    columns: &[
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
    update: "UPDATE experts SET body = $1, contact = $2, content_hash = $3, updated_at = $4, \
             version = version + 1 WHERE id = $5",
};

static ACHIEVEMENTS: Table = Table {
    name: "achievements",
    id_prefix: "ach",
    columns: &[
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
    update: "UPDATE achievements SET expert_id = $1, body = $2, content_hash = $3, \
             updated_at = $4, version = version + 1 WHERE id = $5",
};

static DEMANDS: Table = Table {
    name: "demands",
    id_prefix: "dem",
    columns: &[
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
    update: "UPDATE demands SET title = $1, field = $2, region = $3, body = $4, contact = $5, \
             content_hash = $6, updated_at = $7, version = version + 1 WHERE id = $8",
};

/// What an import writes to one table, gathered before anything is written so that new rows
/// go in multi-row INSERTs.
struct TableWrites {
    table: &'static Table,
    now: i64,
    /// New rows' values in the table's column order.
    inserts: Vec<Vec<Val>>,
    /// Changed rows' values in the order of the UPDATE's parameters.
    updates: Vec<Vec<Val>>,
}

impl TableWrites {
    fn new(table: &'static Table, now: i64) -> TableWrites {
        TableWrites {
            table,
            now,
            inserts: Vec::new(),
            updates: Vec::new(),
        }
    }

    /// Plans one record of the file against the stored `key`s: `None` when its content hash
    /// is the stored one; otherwise its id, with its row queued: the record's own values of
    /// the UPDATE (`changed`) or of the INSERT (`new`), with the id, hash and times around
    /// them as [`Table`] orders them.
    fn plan(
        &mut self,
        stored: &mut Keys,
        key: (String, String),
        hash: &str,
        changed: impl FnOnce() -> Vec<Val>,
        new: impl FnOnce() -> Vec<Val>,
    ) -> Option<String> {
        let id = match stored.get(&key) {
            Some((_, old)) if old == hash => return None,
            Some((id, _)) => {
                let id = id.clone();
                let mut row = changed();
                row.extend([Val::from(hash), Val::from(self.now), Val::from(id.as_str())]);
                self.updates.push(row);
                id
            }
            None => {
                let id = new_id(self.table.id_prefix);
                let mut row = vec![Val::from(id.as_str())];
                row.extend(new());
                row.extend([Val::from(hash), Val::from(self.now), Val::from(self.now)]);
                self.inserts.push(row);
                id
            }
        };
        stored.insert(key, (id.clone(), hash.to_string()));
        Some(id)
    }

    async fn write(self, conn: &mut AnyConnection) -> Result<()> {
        let table = self.table;
        insert_rows(conn, table.name, table.columns, self.inserts).await?;
        for vals in self.updates {
            bind_vals(sqlx::query(table.update), vals)
                .execute(&mut *conn)
                .await?;
        }
        Ok(())
    }
}

/// Counts and change-log entries gathered while importing.
#[derive(Default)]
struct ImportTally {
    imported: u32,
    unchanged: u32,
    changes: Vec<(EntityKind, String, &'static str)>,
}

impl ImportTally {
    /// A row was inserted or changed: log it.
    fn logged(&mut self, kind: EntityKind, id: &str) {
        self.changes.push((kind, id.to_string(), "upsert"));
    }

    /// A record of the file was inserted or changed: count it and log it.
    fn written(&mut self, kind: EntityKind, id: &str) {
        self.logged(kind, id);
        self.imported += 1;
    }
}

/// One import inside its transaction, planned phase by phase; nothing is written before the
/// plan is complete.
struct Import<'a> {
    batch: &'a ImportBatch,
    now: i64,
    orgs: OrgResolver,
    experts: TableWrites,
    achievements: TableWrites,
    demands: TableWrites,
    tally: ImportTally,
}

impl<'a> Import<'a> {
    /// The organisations the file names, found by normalised name (new ones are created
    /// when the rows are written).
    async fn resolve_organisations(
        conn: &mut AnyConnection,
        batch: &'a ImportBatch,
        now: i64,
    ) -> Result<Import<'a>> {
        let names: Vec<(String, OrgKind)> = batch.records.iter().map(org_name_of).collect();
        Ok(Import {
            batch,
            now,
            orgs: OrgResolver::load(conn, &names).await?,
            experts: TableWrites::new(&EXPERTS, now),
            achievements: TableWrites::new(&ACHIEVEMENTS, now),
            demands: TableWrites::new(&DEMANDS, now),
            tally: ImportTally::default(),
        })
    }

    /// Experts first: those the file lists and the leaders its achievements name. Returns
    /// every expert's key, stored or new, for achievements to link to.
    async fn plan_experts(&mut self, conn: &mut AnyConnection) -> Result<Keys> {
        let mut stored =
            existing_keys(conn, "experts", "norm_name", &self.orgs.known_existing).await?;
        let batch = self.batch;
        for draft in &batch.records {
            match draft {
                Draft::Expert(e) => self.plan_expert(&e.org_name, &e.name, Some(e), &mut stored)?,
                Draft::Achievement(a) => match &a.leader {
                    Some(leader) if !leader.trim().is_empty() => {
                        self.plan_expert(&a.org_name, leader, None, &mut stored)?
                    }
                    _ => {}
                },
                Draft::Demand(_) => {}
            }
        }
        Ok(stored)
    }

    /// An expert the file lists (`profile`) or a leader an achievement names (`None`: created
    /// when unknown, counted as no row of the file).
    fn plan_expert(
        &mut self,
        org_name: &str,
        name: &str,
        profile: Option<&ExpertDraft>,
        stored: &mut Keys,
    ) -> Result<()> {
        let org_id = self.orgs.resolve(org_name, OrgKind::University, self.now)?;
        let key = (org_id.clone(), normalize_org_name(name));
        // A leader named by an achievement never overwrites a listed profile.
        if profile.is_none() && stored.contains_key(&key) {
            return Ok(());
        }
        let listed = profile.cloned().unwrap_or_else(|| ExpertDraft {
            org_name: org_name.to_string(),
            name: clean_line(name),
            ..ExpertDraft::default()
        });
        let (body, contact, hash) = expert_columns(&listed);
        let norm = key.1.clone();
        let changed = || vec![Val::from(body.as_str()), Val::from(contact.as_str())];
        let new = || {
            vec![
                Val::from(org_id.as_str()),
                Val::from(norm.as_str()),
                Val::from(listed.name.as_str()),
                Val::from(body.as_str()),
                Val::from(contact.as_str()),
            ]
        };
        match self.experts.plan(stored, key, &hash, changed, new) {
            Some(id) if profile.is_some() => self.tally.written(EntityKind::Expert, &id),
            Some(id) => self.tally.logged(EntityKind::Expert, &id),
            None => self.tally.unchanged += 1,
        }
        Ok(())
    }

    /// Achievements (linked to their leader among `experts`) and demands, in file order.
    async fn plan_records(&mut self, conn: &mut AnyConnection, experts: &Keys) -> Result<()> {
        let existing = &self.orgs.known_existing;
        let mut achievements = existing_keys(conn, "achievements", "norm_title", existing).await?;
        let mut demands = existing_keys(conn, "demands", "norm_title", existing).await?;
        let batch = self.batch;
        for draft in &batch.records {
            match draft {
                Draft::Achievement(a) => self.plan_achievement(a, experts, &mut achievements)?,
                Draft::Demand(d) => self.plan_demand(d, &mut demands)?,
                Draft::Expert(_) => {}
            }
        }
        Ok(())
    }

    fn plan_achievement(
        &mut self,
        a: &AchievementDraft,
        experts: &Keys,
        stored: &mut Keys,
    ) -> Result<()> {
        let org_id = self
            .orgs
            .resolve(&a.org_name, OrgKind::University, self.now)?;
        let key = (org_id.clone(), normalize_title(&a.title));
        let expert_id = a.leader.as_ref().and_then(|l| {
            experts
                .get(&(org_id.clone(), normalize_org_name(l)))
                .map(|(id, _)| id.clone())
        });
        let (body, hash) = achievement_columns(a);
        let (norm, title) = (key.1.clone(), clean_line(&a.title));
        let changed = || vec![Val::from(expert_id.clone()), Val::from(body.as_str())];
        let new = || {
            vec![
                Val::from(org_id.as_str()),
                Val::from(expert_id.clone()),
                Val::from(norm.as_str()),
                Val::from(title.as_str()),
                Val::from(body.as_str()),
            ]
        };
        match self.achievements.plan(stored, key, &hash, changed, new) {
            Some(id) => self.tally.written(EntityKind::Achievement, &id),
            None => self.tally.unchanged += 1,
        }
        Ok(())
    }

    fn plan_demand(&mut self, d: &DemandDraft, stored: &mut Keys) -> Result<()> {
        let org_id = self
            .orgs
            .resolve(&d.org_name, OrgKind::Enterprise, self.now)?;
        let key = (org_id.clone(), normalize_title(&d.title));
        let (body, contact, hash) = demand_columns(d);
        let (norm, title) = (key.1.clone(), clean_line(&d.title));
        let status = self.batch.demand_status.as_str();
        // Both statements end with these columns, before the hash and the times.
        let content = || {
            vec![
                Val::from(d.field.map(|f| f.label().to_string())),
                Val::from(d.region.clone()),
                Val::from(body.as_str()),
                Val::from(contact.as_str()),
            ]
        };
        let changed = || [vec![Val::from(title.as_str())], content()].concat();
        let new = || {
            [
                vec![
                    Val::from(org_id.as_str()),
                    Val::from(norm.as_str()),
                    Val::from(title.as_str()),
                    Val::from(status),
                ],
                content(),
            ]
            .concat()
        };
        match self.demands.plan(stored, key, &hash, changed, new) {
            Some(id) => self.tally.written(EntityKind::Demand, &id),
            None => self.tally.unchanged += 1,
        }
        Ok(())
    }

    /// Writes the planned rows: new organisations first (records refer to them), then each
    /// table's new and changed rows.
    async fn write(mut self, conn: &mut AnyConnection) -> Result<ImportTally> {
        self.orgs.flush(conn).await?;
        self.experts.write(conn).await?;
        self.achievements.write(conn).await?;
        self.demands.write(conn).await?;
        Ok(self.tally)
    }
}

/// The import's report, kept in `imports` with the file's name, hash and who imported it.
async fn record_report(
    conn: &mut AnyConnection,
    batch: &ImportBatch,
    tally: &ImportTally,
    now: i64,
) -> Result<ImportReport> {
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
    .execute(&mut *conn)
    .await?;
    Ok(report)
}

fn import_report(row: &AnyRow) -> Result<ImportReport> {
    let id: String = row.try_get("id")?;
    let text: String = row.try_get("report")?;
    serde_json::from_str(&text).map_err(|e| StoreError::Corrupt(id, e.to_string()))
}

impl SqlStore {
    /// Writes one file's records in one transaction: new records inserted, changed ones
    /// updated, identical ones counted as unchanged; the batch is recorded with its report.
    pub async fn import(&self, batch: ImportBatch) -> Result<ImportReport> {
        let now = millis(Utc::now());
        let (mut tx, _gate) = self.begin_write().await?;
        let mut import = Import::resolve_organisations(&mut tx, &batch, now).await?;
        let experts = import.plan_experts(&mut tx).await?;
        import.plan_records(&mut tx, &experts).await?;
        let tally = import.write(&mut tx).await?;
        log_changes(&mut tx, &tally.changes, now).await?;
        let report = record_report(&mut tx, &batch, &tally, now).await?;
        tx.commit().await?;
        Ok(report)
    }

    /// The latest imports' reports, newest first.
    pub async fn list_imports(&self, limit: u32) -> Result<Vec<ImportReport>> {
        sqlx::query("SELECT id, report FROM imports ORDER BY created_at DESC, id DESC LIMIT $1")
            .bind(i64::from(limit))
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(import_report)
            .collect()
    }

    pub async fn get_import(&self, id: &str) -> Result<Option<ImportReport>> {
        read_one(
            self.pool(),
            "SELECT id, report FROM imports WHERE id = $1",
            id,
            import_report,
        )
        .await
    }
}
