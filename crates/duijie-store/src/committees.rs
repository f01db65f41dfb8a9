//! Expert committees (专家咨询委员会) the bureau assembles, in SQL.

use crate::rows::{self, millis, time, to_json};
use crate::sql::Lookup;
use crate::{Actor, Result, SqlStore, StoreError};
use chrono::Utc;
use duijie_core::id::new_id;
use duijie_core::{Committee, CommitteeStatus, CommitteeUpdate, Field, NewCommittee};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

const COMMITTEE_SELECT: &str = "SELECT id, name, field, size, status, notes, subtopics, members, \
    version, created_by, created_at, updated_at FROM committees";

fn committee(row: &AnyRow) -> Result<Committee> {
    let id: String = row.try_get("id")?;
    let field: String = row.try_get("field")?;
    let status: String = row.try_get("status")?;
    let size: i64 = row.try_get("size")?;
    Ok(Committee {
        name: row.try_get("name")?,
        field: Field::from_label(&field)
            .ok_or_else(|| StoreError::Corrupt(id.clone(), format!("committee field {field}")))?,
        size: u32::try_from(size)
            .map_err(|_| StoreError::Corrupt(id.clone(), format!("committee size {size}")))?,
        status: CommitteeStatus::parse(&status)
            .ok_or_else(|| StoreError::Corrupt(id.clone(), format!("committee status {status}")))?,
        notes: row.try_get("notes")?,
        subtopics: rows::json(&id, &row.try_get::<String, _>("subtopics")?)?,
        members: rows::json(&id, &row.try_get::<String, _>("members")?)?,
        version: row.try_get("version")?,
        created_by: row.try_get("created_by")?,
        created_at: time(row.try_get("created_at")?),
        updated_at: time(row.try_get("updated_at")?),
        id,
    })
}

/// Finds committees by id.
const COMMITTEE: Lookup<Committee> = Lookup {
    select: COMMITTEE_SELECT,
    id: "id",
    read: committee,
    missing: "委员会不存在或已删除",
};

async fn fetch_committee(conn: &mut AnyConnection, id: &str) -> Result<Committee> {
    COMMITTEE.get(conn, id).await
}

impl SqlStore {
    pub async fn create_committee(&self, new: &NewCommittee, actor: &Actor) -> Result<Committee> {
        let now = millis(Utc::now());
        let id = new_id("com");
        let (mut tx, _gate) = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO committees (id, name, field, size, status, notes, subtopics, members, \
             created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, '', $6, $7, $8, $9, $10)",
        )
        .bind(id.clone())
        .bind(new.name.clone())
        .bind(new.field.label())
        .bind(i64::from(new.size))
        .bind(CommitteeStatus::Draft.as_str())
        .bind(to_json(&new.subtopics))
        .bind(to_json(&new.members))
        .bind(actor.name.clone())
        .bind(now)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let c = fetch_committee(&mut tx, &id).await?;
        tx.commit().await?;
        Ok(c)
    }

    pub async fn get_committee(&self, id: &str) -> Result<Option<Committee>> {
        COMMITTEE.find(self.pool(), id).await
    }

    /// Committees, newest first.
    pub async fn list_committees(&self) -> Result<Vec<Committee>> {
        sqlx::query(&format!(
            "{COMMITTEE_SELECT} ORDER BY created_at DESC, id DESC"
        ))
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(committee)
        .collect()
    }

    /// Applies the given changes; absent ones stay as they were.
    pub async fn update_committee(&self, id: &str, update: &CommitteeUpdate) -> Result<Committee> {
        let now = millis(Utc::now());
        let (mut tx, _gate) = self.begin_write().await?;
        let mut c = fetch_committee(&mut tx, id).await?;
        // Writers take the transaction in turn, so the comparison holds for the UPDATE.
        if update.version.is_some_and(|v| v != c.version) {
            return Err(StoreError::Stale(
                "该委员会已被他人修改，请查看最新内容后再保存".to_string(),
            ));
        }
        if let Some(name) = &update.name {
            c.name = name.clone();
        }
        if let Some(notes) = &update.notes {
            c.notes = notes.clone();
        }
        if let Some(status) = update.status {
            c.status = status;
        }
        if let Some(members) = &update.members {
            c.members = members.clone();
        }
        sqlx::query(
            "UPDATE committees SET name = $1, notes = $2, status = $3, members = $4, \
             updated_at = $5, version = version + 1 WHERE id = $6",
        )
        .bind(c.name.clone())
        .bind(c.notes.clone())
        .bind(c.status.as_str())
        .bind(to_json(&c.members))
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let c = fetch_committee(&mut tx, id).await?;
        tx.commit().await?;
        Ok(c)
    }
}
