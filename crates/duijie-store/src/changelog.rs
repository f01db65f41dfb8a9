//! The change log the search index follows, and what its readers (the indexer, the embedder,
//! a rebuild) read: records by id or in id order, and counts.

use crate::instruments::{self, INSTRUMENT_SELECT};
use crate::rows::{self, bind_vals, Val, ACHIEVEMENT_SELECT, DEMAND_SELECT, EXPERT_SELECT};
use crate::sql::{insert_rows, INSERT_CHUNK};
use crate::{Record, Result, SqlStore, StoreError};
use duijie_core::{Change, EntityKind};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

/// Appends change-log rows (`op`: `upsert` or `delete`) on the caller's transaction, the one
/// that writes the records they name.
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

impl SqlStore {
    /// The change-log rows after `seq`, oldest first, at most `limit`.
    pub async fn changes_since(&self, seq: i64, limit: u32) -> Result<Vec<Change>> {
        let rows = sqlx::query(
            "SELECT seq, entity, entity_id, op FROM change_log WHERE seq > $1 ORDER BY seq LIMIT $2",
        )
        .bind(seq)
        .bind(i64::from(limit))
        .fetch_all(self.pool())
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

    /// The latest sequence number (0 while the log is empty).
    pub async fn last_seq(&self) -> Result<i64> {
        let row = sqlx::query("SELECT COALESCE(MAX(seq), 0) AS s FROM change_log")
            .fetch_one(self.pool())
            .await?;
        Ok(row.try_get("s")?)
    }

    /// The records with these ids (missing ones left out).
    pub async fn get_records(&self, entity: EntityKind, ids: &[String]) -> Result<Vec<Record>> {
        let Some((select, alias)) = select_of(entity) else {
            return Ok(Vec::new());
        };
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(INSERT_CHUNK) {
            let list = self.markers(1, chunk.len());
            let sql = format!("{select} WHERE {alias}.id IN ({list})");
            let vals = chunk.iter().map(|id| Val::from(id.clone())).collect();
            for row in bind_vals(sqlx::query(&sql), vals)
                .fetch_all(self.pool())
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
        let Some((select, alias)) = select_of(entity) else {
            return Ok(Vec::new());
        };
        let sql = format!("{select} WHERE {alias}.id > $1 ORDER BY {alias}.id LIMIT $2");
        sqlx::query(&sql)
            .bind(after_id)
            .bind(i64::from(limit))
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| record(entity, r))
            .collect()
    }

    /// How many records of a kind are stored.
    pub async fn count(&self, entity: EntityKind) -> Result<i64> {
        let table = match entity {
            EntityKind::Demand => "demands",
            EntityKind::Achievement => "achievements",
            EntityKind::Expert => "experts",
            EntityKind::Organization => "organizations",
            EntityKind::Instrument => "instruments",
        };
        let row = sqlx::query(&format!("SELECT COUNT(*) AS n FROM {table}"))
            .fetch_one(self.pool())
            .await?;
        Ok(row.try_get("n")?)
    }
}

fn record(entity: EntityKind, row: &AnyRow) -> Result<Record> {
    Ok(match entity {
        EntityKind::Demand => Record::Demand(rows::demand(row)?),
        EntityKind::Achievement => Record::Achievement(rows::achievement(row)?),
        EntityKind::Instrument => Record::Instrument(instruments::instrument(row)?),
        _ => Record::Expert(rows::expert(row)?),
    })
}

/// The SELECT of a kind of record and its table's alias; organisations are no record the
/// indexer reads.
fn select_of(entity: EntityKind) -> Option<(&'static str, &'static str)> {
    match entity {
        EntityKind::Demand => Some((DEMAND_SELECT, "d")),
        EntityKind::Achievement => Some((ACHIEVEMENT_SELECT, "a")),
        EntityKind::Expert => Some((EXPERT_SELECT, "e")),
        EntityKind::Instrument => Some((INSTRUMENT_SELECT, "i")),
        EntityKind::Organization => None,
    }
}
