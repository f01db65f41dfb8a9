//! Shared research instruments (科研仪器共享) in SQL, indexed through the change log like
//! achievements.

use crate::changelog::log_changes;
use crate::rows::{self, millis, time, to_json};
use crate::sql::read_one;
use crate::sql::require_org;
use crate::{Actor, Result, SqlStore, StoreError};
use chrono::Utc;
use duijie_core::id::new_id;
use duijie_core::{EntityKind, Instrument, InstrumentDraft};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

pub(crate) const INSTRUMENT_SELECT: &str = "SELECT i.id, i.org_id, o.name AS org_name, i.body, \
    i.version, i.created_at, i.updated_at FROM instruments i JOIN organizations o ON o.id = i.org_id";

pub(crate) fn instrument(row: &AnyRow) -> Result<Instrument> {
    let id: String = row.try_get("id")?;
    let body: InstrumentDraft = rows::json(&id, &row.try_get::<String, _>("body")?)?;
    Ok(Instrument {
        org_id: row.try_get("org_id")?,
        org_name: row.try_get("org_name")?,
        body,
        version: row.try_get("version")?,
        created_at: time(row.try_get("created_at")?),
        updated_at: time(row.try_get("updated_at")?),
        id,
    })
}

/// Writes the row of a new instrument `id` of `org_id`, recorded by `created_by`.
pub(crate) async fn insert_instrument(
    conn: &mut AnyConnection,
    id: &str,
    org_id: &str,
    draft: &InstrumentDraft,
    created_by: &str,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO instruments (id, org_id, name, body, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id)
    .bind(org_id)
    .bind(draft.name.clone())
    .bind(to_json(draft))
    .bind(created_by)
    .bind(now)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

impl SqlStore {
    /// Records an instrument of `org_id` with its change-log row.
    pub async fn create_instrument(
        &self,
        org_id: &str,
        draft: &InstrumentDraft,
        actor: &Actor,
    ) -> Result<Instrument> {
        if draft.name.trim().is_empty() {
            return Err(StoreError::Invalid("仪器名称不能为空".into()));
        }
        let now = millis(Utc::now());
        let id = new_id("ins");
        let (mut tx, _gate) = self.begin_write().await?;
        require_org(&mut tx, org_id).await?;
        insert_instrument(&mut tx, &id, org_id, draft, &actor.name, now).await?;
        log_changes(
            &mut tx,
            &[(EntityKind::Instrument, id.clone(), "upsert")],
            now,
        )
        .await?;
        let row = sqlx::query(&format!("{INSTRUMENT_SELECT} WHERE i.id = $1"))
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        let i = instrument(&row)?;
        tx.commit().await?;
        Ok(i)
    }

    pub async fn get_instrument(&self, id: &str) -> Result<Option<Instrument>> {
        read_one(
            self.pool(),
            &format!("{INSTRUMENT_SELECT} WHERE i.id = $1"),
            id,
            instrument,
        )
        .await
    }
}
