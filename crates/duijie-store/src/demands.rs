//! Demands (技术需求) in SQL: created, edited, deleted while a draft, moved through their
//! lifecycle with a history entry per move, listed and read with their history. Every write
//! logs the demand's change in its transaction.

use crate::audit::{self, NewAuditEntry};
use crate::changelog::log_changes;
use crate::notifications::{write_notices, NewNotice};
use crate::rows::{self, bind_demand, millis, Val, DEMAND_COLUMNS, DEMAND_SELECT};
use crate::sql::{markers, Listing, Lookup};
use crate::{Actor, Result, SqlStore, StoreError};
use chrono::Utc;
use duijie_core::id::new_id;
use duijie_core::{Demand, DemandDraft, DemandStatus, EntityKind};
use serde::Serialize;
use sqlx::{AnyConnection, Row};

/// Which demands to list.
#[derive(Debug, Clone, Default)]
pub struct DemandFilter {
    pub org_id: Option<String>,
    pub statuses: Option<Vec<DemandStatus>>,
    pub offset: u32,
    pub limit: u32,
}

/// One entry of a demand's history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DemandEvent {
    pub from_status: Option<DemandStatus>,
    pub to_status: DemandStatus,
    pub actor_id: Option<String>,
    pub actor_name: String,
    pub note: String,
    pub at: chrono::DateTime<chrono::Utc>,
}

/// Finds demands by id. A missing one is said in the words users read: the message reaches
/// them as it is.
const DEMAND: Lookup<Demand> = Lookup {
    select: DEMAND_SELECT,
    id: "d.id",
    read: rows::demand,
    missing: "需求不存在或已删除",
};

pub(crate) async fn fetch_demand(conn: &mut AnyConnection, id: &str) -> Result<Demand> {
    DEMAND.get(conn, id).await
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

impl SqlStore {
    /// Creates a demand of `org_id` in `status` with its first history entry; Conflict when
    /// the organisation already has a demand of that title.
    pub async fn create_demand(
        &self,
        org_id: &str,
        draft: &DemandDraft,
        status: DemandStatus,
        actor: &Actor,
    ) -> Result<Demand> {
        let now = millis(Utc::now());
        let id = new_id("dem");
        let (mut tx, _gate) = self.begin_write().await?;
        let sql = format!(
            "INSERT INTO demands ({}, id, org_id, status, created_at, updated_at) \
             VALUES ({}) ON CONFLICT (org_id, norm_title) DO NOTHING",
            DEMAND_COLUMNS.join(", "),
            markers(false, 1, DEMAND_COLUMNS.len() + 5),
        );
        let inserted = bind_demand(sqlx::query(&sql), draft)
            .bind(id.clone())
            .bind(org_id)
            .bind(status.as_str())
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
        notices: &[NewNotice],
    ) -> Result<Demand> {
        let now = millis(Utc::now());
        let (mut tx, _gate) = self.begin_write().await?;
        let set: Vec<String> = DEMAND_COLUMNS
            .iter()
            .zip(1..)
            .map(|(column, n)| format!("{column} = ${n}"))
            .collect();
        let n = DEMAND_COLUMNS.len();
        let mut sql = format!(
            "UPDATE demands SET {}, updated_at = ${}, version = version + 1 \
             WHERE id = ${} AND version = ${}",
            set.join(", "),
            n + 1,
            n + 2,
            n + 3
        );
        if !statuses.is_empty() {
            // Numbered on both backends: SQLite would give a bare `?` after `$10` the first value.
            sql.push_str(&format!(
                " AND status IN ({})",
                markers(false, n + 4, statuses.len())
            ));
        }
        let mut query = bind_demand(sqlx::query(&sql), draft)
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
        write_notices(&mut tx, notices, now, &self.webhook_kinds()).await?;
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
        audit: &NewAuditEntry,
        notices: &[NewNotice],
    ) -> Result<Demand> {
        self.transition(id, from, to, actor, note, Some(audit), notices)
            .await
    }

    pub async fn get_demand(&self, id: &str) -> Result<Option<Demand>> {
        DEMAND.find(self.pool(), id).await
    }

    /// Demands matching the filter, newest first, with how many match in all.
    pub async fn list_demands(&self, filter: &DemandFilter) -> Result<(Vec<Demand>, i64)> {
        let mut list = Listing::default();
        if let Some(org) = &filter.org_id {
            let org = list.bind(Val::from(org.as_str()));
            list.and(format!("d.org_id = {org}"));
        }
        if let Some(statuses) = &filter.statuses {
            if statuses.is_empty() {
                return Ok((Vec::new(), 0));
            }
            let marks: Vec<String> = statuses
                .iter()
                .map(|s| list.bind(Val::from(s.as_str())))
                .collect();
            list.and(format!("d.status IN ({})", marks.join(",")));
        }
        let (found, total) = list
            .page(
                self.pool(),
                ("demands d", DEMAND_SELECT),
                "d.created_at DESC, d.id DESC",
                filter.offset,
                filter.limit,
            )
            .await?;
        let items = found.iter().map(rows::demand).collect::<Result<Vec<_>>>()?;
        Ok((items, total))
    }

    /// The demand's moves, oldest first.
    pub async fn demand_history(&self, id: &str) -> Result<Vec<DemandEvent>> {
        let rows = sqlx::query(
            "SELECT from_status, to_status, actor_id, actor_name, note, at FROM demand_events \
             WHERE demand_id = $1 ORDER BY at, id",
        )
        .bind(id)
        .fetch_all(self.pool())
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

    /// Moves the demand in a transaction of its own, with `entry` and `notices` when given.
    /// `from`: the status (and, when given, the version) the move requires.
    // The move, its audit entry and its notices are one transaction's inputs.
    #[allow(clippy::too_many_arguments)]
    async fn transition(
        &self,
        id: &str,
        from: (DemandStatus, Option<i64>),
        to: DemandStatus,
        actor: &Actor,
        note: &str,
        entry: Option<&NewAuditEntry>,
        notices: &[NewNotice],
    ) -> Result<Demand> {
        let now = millis(Utc::now());
        let (mut tx, _gate) = self.begin_write().await?;
        transition_logged(&mut tx, id, from, to, actor, note, now).await?;
        if let Some(e) = entry {
            audit::insert(&mut tx, e, now).await?;
        }
        write_notices(&mut tx, notices, now, &self.webhook_kinds()).await?;
        let demand = fetch_demand(&mut tx, id).await?;
        tx.commit().await?;
        Ok(demand)
    }
}
