//! [`SqlStore`]: the connection, its migrations and the SQL helpers every area shares. SQL is
//! written once in the dialect both backends accept (`$n` parameters, `ON CONFLICT`,
//! `RETURNING`); the few differences live in [`SqlStore::begin_write`], the generated
//! parameter lists of bulk statements (`markers`) and the per-backend migrations.

use crate::rows::{bind_vals, Val};
use crate::{Backend, Result, StoreError};
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyConnection, AnyPool, Executor, Row, Transaction};
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

/// The store: one pool on SQLite or PostgreSQL. Its methods live in the area files.
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
    /// Connects to `url` (`sqlite://...` or `postgres://...`), applying its backend's
    /// migrations.
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

    /// A transaction that may write. On SQLite it takes the write lock at once (`BEGIN
    /// IMMEDIATE`, waiting up to the busy timeout): a deferred transaction that read first
    /// could not take the lock once another connection had committed since its read, and
    /// failed at once with "database is locked" instead of waiting.
    pub(crate) async fn begin(&self) -> Result<Transaction<'static, sqlx::Any>> {
        Ok(match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        })
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
        let mut tx = self.begin().await?;
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT pg_advisory_xact_lock($1)")
                .bind(CHANGE_LOG_LOCK)
                .execute(&mut *tx)
                .await?;
        }
        Ok((tx, guard))
    }

    /// Which database this store talks to.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Checks the connection.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Notices of these kinds are queued for the outgoing webhook as well (none by default).
    pub fn set_webhook_kinds(&self, kinds: &[duijie_core::NotificationKind]) {
        match self.webhook_kinds.write() {
            Ok(mut k) => *k = kinds.to_vec(),
            Err(poisoned) => *poisoned.into_inner() = kinds.to_vec(),
        }
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

/// Is `conn` a SQLite connection (rather than PostgreSQL)?
pub(crate) fn is_sqlite(conn: &AnyConnection) -> bool {
    conn.backend_name() == <sqlx::Sqlite as sqlx::Database>::NAME
}

/// The bind markers of `count` parameters numbered from `first` (1-based), comma separated.
/// PostgreSQL gets `$n`. SQLite gets plain `?`, bound in order: sqlx looks every numbered SQLite
/// parameter up with `sqlite3_bind_parameter_name`, a linear scan of the statement's names, so
/// a multi-row statement with thousands of `$n` costs quadratic time (17.7% of the CPU of a
/// 22k-row import).
pub(crate) fn markers(sqlite: bool, first: usize, count: usize) -> String {
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

/// The row `sql` finds for `key` (its one parameter, `$1`), read by `read`; `None` when there
/// is none. Every lookup of one record by its id or another unique key goes through here.
pub(crate) async fn read_one<'c, E, T>(
    exec: E,
    sql: &str,
    key: &str,
    read: impl FnOnce(&AnyRow) -> Result<T>,
) -> Result<Option<T>>
where
    E: Executor<'c, Database = sqlx::Any>,
{
    sqlx::query(sql)
        .bind(key)
        .fetch_optional(exec)
        .await?
        .map(|r| read(&r))
        .transpose()
}

/// Finds an organisation by its id (for [`exists`]).
pub(crate) const ORG_BY_ID: &str = "SELECT id FROM organizations WHERE id = $1";

/// How one kind of record is found by its id: its SELECT, the id column as that SELECT names
/// it, the reader of its rows and the message when it is missing.
pub(crate) struct Lookup<T: 'static> {
    pub(crate) select: &'static str,
    pub(crate) id: &'static str,
    pub(crate) read: fn(&AnyRow) -> Result<T>,
    pub(crate) missing: &'static str,
}

impl<T> Lookup<T> {
    /// The record `id`, if there is one.
    pub(crate) async fn find<'c, E>(&self, exec: E, id: &str) -> Result<Option<T>>
    where
        E: Executor<'c, Database = sqlx::Any>,
    {
        let sql = format!("{} WHERE {} = $1", self.select, self.id);
        read_one(exec, &sql, id, self.read).await
    }

    /// The record `id`; [`StoreError::NotFound`] with the kind's message when there is none.
    pub(crate) async fn get(&self, conn: &mut AnyConnection, id: &str) -> Result<T> {
        self.find(conn, id)
            .await?
            .ok_or_else(|| StoreError::NotFound(self.missing.to_string()))
    }
}

/// Every row `sql` finds with `vals` bound in order, each read by `read`.
pub(crate) async fn read_all<T>(
    pool: &AnyPool,
    sql: &str,
    vals: Vec<Val>,
    read: impl FnMut(&AnyRow) -> Result<T>,
) -> Result<Vec<T>> {
    bind_vals(sqlx::query(sql), vals)
        .fetch_all(pool)
        .await?
        .iter()
        .map(read)
        .collect()
}

/// Does `sql` (with one parameter, the `key`) find a row?
pub(crate) async fn exists<'c, E>(exec: E, sql: &str, key: &str) -> Result<bool>
where
    E: Executor<'c, Database = sqlx::Any>,
{
    Ok(read_one(exec, sql, key, |_| Ok(())).await?.is_some())
}

/// Fails with [`StoreError::Invalid`] unless the organisation `id` exists: records are only
/// ever written for a live organisation.
pub(crate) async fn require_org(conn: &mut AnyConnection, id: &str) -> Result<()> {
    if exists(conn, ORG_BY_ID, id).await? {
        Ok(())
    } else {
        Err(StoreError::Invalid("所属单位不存在或已删除".into()))
    }
}

/// A filtered, paged listing: its conditions with their values, numbered as they are bound.
#[derive(Default)]
pub(crate) struct Listing {
    conds: Vec<String>,
    vals: Vec<Val>,
}

impl Listing {
    /// Binds `v`; its marker (`$n`) for a condition.
    pub(crate) fn bind(&mut self, v: Val) -> String {
        self.vals.push(v);
        format!("${}", self.vals.len())
    }

    /// Adds a condition every listed row must meet.
    pub(crate) fn and(&mut self, cond: String) {
        self.conds.push(cond);
    }

    /// How many rows of `from` meet the conditions, and the page (`offset`, at most `limit`
    /// rows) of `select` in `order`.
    pub(crate) async fn page(
        mut self,
        pool: &AnyPool,
        (from, select): (&str, &str),
        order: &str,
        offset: u32,
        limit: u32,
    ) -> Result<(Vec<AnyRow>, i64)> {
        let where_sql = if self.conds.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", self.conds.join(" AND "))
        };
        let count = format!("SELECT COUNT(*) AS n FROM {from}{where_sql}");
        let total: i64 = bind_vals(sqlx::query(&count), self.vals.clone())
            .fetch_one(pool)
            .await?
            .try_get("n")?;
        let n = self.vals.len();
        let sql = format!(
            "{select}{where_sql} ORDER BY {order} LIMIT ${} OFFSET ${}",
            n + 1,
            n + 2
        );
        self.vals.push(Val::from(i64::from(limit.max(1))));
        self.vals.push(Val::from(i64::from(offset)));
        let rows = bind_vals(sqlx::query(&sql), self.vals)
            .fetch_all(pool)
            .await?;
        Ok((rows, total))
    }
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
