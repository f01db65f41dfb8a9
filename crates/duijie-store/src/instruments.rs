//! Shared research instruments (科研仪器共享) in SQL, indexed through the change log like
//! achievements.

use crate::changelog::log_changes;
use crate::rows::{self, millis, time, to_json};
use crate::{Actor, Result, SqlStore, StoreError};
use chrono::Utc;
use duijie_core::id::new_id;
use duijie_core::{EntityKind, Instrument, InstrumentDraft};
use sqlx::any::AnyRow;
use sqlx::Row;

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
        let org: Option<String> = sqlx::query("SELECT id FROM organizations WHERE id = $1")
            .bind(org_id)
            .fetch_optional(&mut *tx)
            .await?
            .map(|r| r.try_get("id"))
            .transpose()?;
        if org.is_none() {
            return Err(StoreError::Invalid("所属单位不存在或已删除".to_string()));
        }
        sqlx::query(
            "INSERT INTO instruments (id, org_id, name, body, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id.clone())
        .bind(org_id)
        .bind(draft.name.clone())
        .bind(to_json(draft))
        .bind(actor.name.clone())
        .bind(now)
        .bind(now)
        .execute(&mut *tx)
        .await?;
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
        sqlx::query(&format!("{INSTRUMENT_SELECT} WHERE i.id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .map(|r| instrument(&r))
            .transpose()
    }
}
