//! The technology market in SQL: shared research instruments (科研仪器共享, indexed through the
//! change log like achievements), the public demands trend statistics read, and expert
//! committees (专家咨询委员会) the bureau assembles.

use crate::changelog::log_changes;
use crate::rows::{self, millis, time, to_json, DEMAND_SELECT};
use crate::{Actor, Result, SqlStore, StoreError};
use chrono::{DateTime, Utc};
use duijie_core::id::new_id;
use duijie_core::{
    Committee, CommitteeStatus, CommitteeUpdate, Demand, DemandStatus, EntityKind, Field,
    Instrument, InstrumentDraft, NewCommittee,
};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use std::collections::HashMap;

pub(crate) const INSTRUMENT_SELECT: &str = "SELECT i.id, i.org_id, o.name AS org_name, i.body, \
    i.version, i.created_at, i.updated_at FROM instruments i JOIN organizations o ON o.id = i.org_id";

const COMMITTEE_SELECT: &str = "SELECT id, name, field, size, status, notes, subtopics, members, \
    version, created_by, created_at, updated_at FROM committees";

/// A public demand and when it was first published.
#[derive(Debug, Clone, PartialEq)]
pub struct PublicDemand {
    pub demand: Demand,
    pub published_at: DateTime<Utc>,
}

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

async fn fetch_committee(conn: &mut AnyConnection, id: &str) -> Result<Committee> {
    let row = sqlx::query(&format!("{COMMITTEE_SELECT} WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| StoreError::NotFound("委员会不存在或已删除".to_string()))?;
    committee(&row)
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

    /// Public demands (published and after) with when each was first published (its
    /// creation time when its history has no publication), oldest first.
    pub async fn public_demands(&self) -> Result<Vec<PublicDemand>> {
        let public: Vec<DemandStatus> = DemandStatus::ALL
            .into_iter()
            .filter(|s| s.is_public())
            .collect();
        let list = (1..=public.len())
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(",");
        let published: HashMap<String, i64> = sqlx::query_as::<_, (String, i64)>(
            "SELECT demand_id, MIN(at) FROM demand_events WHERE to_status = $1 GROUP BY demand_id",
        )
        .bind(DemandStatus::Published.as_str())
        .fetch_all(self.pool())
        .await?
        .into_iter()
        .collect();
        let sql = format!("{DEMAND_SELECT} WHERE d.status IN ({list}) ORDER BY d.created_at, d.id");
        let mut q = sqlx::query(&sql);
        for s in &public {
            q = q.bind(s.as_str());
        }
        let mut out = q
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| {
                let demand = rows::demand(r)?;
                let published_at = published
                    .get(&demand.id)
                    .map_or(demand.created_at, |ms| time(*ms));
                Ok(PublicDemand {
                    demand,
                    published_at,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        out.sort_by(|a, b| {
            a.published_at
                .cmp(&b.published_at)
                .then_with(|| a.demand.id.cmp(&b.demand.id))
        });
        Ok(out)
    }

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
        sqlx::query(&format!("{COMMITTEE_SELECT} WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .map(|r| committee(&r))
            .transpose()
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
