//! The institution's workspace in SQL: achievements, experts and instruments an institution
//! keeps itself. Each write commits the record, its change-log row (so the index and the
//! ranking follow) and its audit entry (so the bureau sees who changed what) in one
//! transaction; an edit or delete made from a stale read changes nothing
//! ([`StoreError::Stale`]). Also an organisation's own records and its expressions of interest
//! with their demands.

use crate::audit;
use crate::changelog::log_changes;
use crate::instruments::{insert_instrument, INSTRUMENT_SELECT};
use crate::rows::{self, achievement_columns, bind_vals, expert_columns, millis, to_json, Val};
use crate::rows::{ACHIEVEMENT_SELECT, EXPERT_SELECT};
use crate::sql::require_org;
use crate::{AuditAction, AuditEntry, NewAuditEntry, Record, Result, SqlStore, StoreError};
use chrono::Utc;
use duijie_core::id::new_id;
use duijie_core::text::{clean_line, normalize_org_name, normalize_title};
use duijie_core::{
    AchievementDraft, DemandStatus, EntityKind, ExpertDraft, InstrumentDraft, Interest,
};
use sqlx::{AnyConnection, Row};

/// A record an institution keeps itself, as written.
#[derive(Debug, Clone, PartialEq)]
pub enum OwnDraft {
    Achievement(AchievementDraft),
    Expert(ExpertDraft),
    Instrument(InstrumentDraft),
}

impl OwnDraft {
    pub fn kind(&self) -> EntityKind {
        match self {
            OwnDraft::Achievement(_) => EntityKind::Achievement,
            OwnDraft::Expert(_) => EntityKind::Expert,
            OwnDraft::Instrument(_) => EntityKind::Instrument,
        }
    }
}

/// An organisation's expression of interest with the demand it answers.
#[derive(Debug, Clone, PartialEq)]
pub struct OrgInterest {
    pub interest: Interest,
    pub demand_title: String,
    pub demand_status: DemandStatus,
}

/// The table, select, alias and Chinese name of a kind of own record.
fn table_of(kind: EntityKind) -> Result<(&'static str, &'static str, &'static str, &'static str)> {
    match kind {
        EntityKind::Achievement => Ok(("achievements", ACHIEVEMENT_SELECT, "a", "科技成果")),
        EntityKind::Expert => Ok(("experts", EXPERT_SELECT, "e", "专家")),
        EntityKind::Instrument => Ok(("instruments", INSTRUMENT_SELECT, "i", "科研仪器")),
        _ => Err(StoreError::Invalid("只能维护成果、专家和仪器".into())),
    }
}

fn decode(kind: EntityKind, row: &sqlx::any::AnyRow) -> Result<Record> {
    Ok(match kind {
        EntityKind::Achievement => Record::Achievement(rows::achievement(row)?),
        EntityKind::Instrument => Record::Instrument(crate::instruments::instrument(row)?),
        _ => Record::Expert(rows::expert(row)?),
    })
}

async fn fetch(conn: &mut AnyConnection, kind: EntityKind, id: &str) -> Result<Option<Record>> {
    let (_, select, alias, _) = table_of(kind)?;
    sqlx::query(&format!("{select} WHERE {alias}.id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .map(|r| decode(kind, &r))
        .transpose()
}

/// The record's owner and version, or NotFound.
async fn owner_and_version(
    conn: &mut AnyConnection,
    kind: EntityKind,
    id: &str,
) -> Result<(String, i64)> {
    let (table, _, _, what) = table_of(kind)?;
    let row = sqlx::query(&format!(
        "SELECT org_id, version FROM {table} WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| StoreError::NotFound(format!("{what}不存在或已删除")))?;
    Ok((row.try_get("org_id")?, row.try_get("version")?))
}

fn check_version(kind: EntityKind, current: i64, expected: Option<i64>) -> Result<()> {
    match expected {
        Some(v) if v != current => {
            let what = table_of(kind).map(|t| t.3).unwrap_or("记录");
            Err(StoreError::Stale(format!(
                "该{what}在您读取之后已被修改，请刷新后重新编辑"
            )))
        }
        _ => Ok(()),
    }
}

/// Conflict when another record of `org_id` (not `except`) has the same identity key.
async fn check_unique(
    conn: &mut AnyConnection,
    draft: &OwnDraft,
    org_id: &str,
    except: Option<&str>,
) -> Result<()> {
    let (table, col, key, message) = match draft {
        OwnDraft::Achievement(a) => (
            "achievements",
            "norm_title",
            normalize_title(&a.title),
            "本单位已有同名的科技成果，请修改成果名称或编辑原有成果",
        ),
        OwnDraft::Expert(e) => (
            "experts",
            "norm_name",
            normalize_org_name(&e.name),
            "本单位已有同名的专家，请编辑原有专家信息",
        ),
        OwnDraft::Instrument(_) => return Ok(()),
    };
    let taken: Option<String> = sqlx::query(&format!(
        "SELECT id FROM {table} WHERE org_id = $1 AND {col} = $2"
    ))
    .bind(org_id)
    .bind(key)
    .fetch_optional(&mut *conn)
    .await?
    .map(|r| r.try_get("id"))
    .transpose()?;
    match taken {
        Some(id) if Some(id.as_str()) != except => Err(StoreError::Conflict(message.into())),
        _ => Ok(()),
    }
}

/// The expert of `org_id` an achievement's leader names, if there is one.
async fn leader_id(
    conn: &mut AnyConnection,
    org_id: &str,
    leader: Option<&str>,
) -> Result<Option<String>> {
    let Some(leader) = leader.filter(|l| !l.trim().is_empty()) else {
        return Ok(None);
    };
    Ok(
        sqlx::query("SELECT id FROM experts WHERE org_id = $1 AND norm_name = $2")
            .bind(org_id)
            .bind(normalize_org_name(leader))
            .fetch_optional(&mut *conn)
            .await?
            .map(|r| r.try_get("id"))
            .transpose()?,
    )
}

fn with_id(audit: &NewAuditEntry, id: &str) -> NewAuditEntry {
    let mut e = audit.clone();
    if !e.record_ids.iter().any(|r| r == id) {
        e.record_ids.push(id.to_string());
    }
    e
}

impl SqlStore {
    /// Records `draft` for `org_id` in one transaction with its change-log row and `audit`
    /// (the new record's id added to the entry's records). Invalid when the organisation does
    /// not exist; Conflict when it already has an achievement of that title or an expert of
    /// that name.
    pub async fn create_own_record(
        &self,
        org_id: &str,
        draft: &OwnDraft,
        audit_entry: &NewAuditEntry,
    ) -> Result<Record> {
        let now = millis(Utc::now());
        let kind = draft.kind();
        let (mut tx, _gate) = self.begin_write().await?;
        require_org(&mut tx, org_id).await?;
        check_unique(&mut tx, draft, org_id, None).await?;
        let id = match draft {
            OwnDraft::Achievement(a) => {
                let id = new_id("ach");
                let expert_id = leader_id(&mut tx, org_id, a.leader.as_deref()).await?;
                let (body, hash) = achievement_columns(a);
                sqlx::query(
                    "INSERT INTO achievements (id, org_id, expert_id, norm_title, title, body, \
                     content_hash, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                )
                .bind(id.clone())
                .bind(org_id)
                .bind(expert_id)
                .bind(normalize_title(&a.title))
                .bind(clean_line(&a.title))
                .bind(body)
                .bind(hash)
                .bind(now)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                id
            }
            OwnDraft::Expert(e) => {
                let id = new_id("exp");
                let (body, contact, hash) = expert_columns(e);
                sqlx::query(
                    "INSERT INTO experts (id, org_id, norm_name, name, body, contact, \
                     content_hash, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                )
                .bind(id.clone())
                .bind(org_id)
                .bind(normalize_org_name(&e.name))
                .bind(clean_line(&e.name))
                .bind(body)
                .bind(contact)
                .bind(hash)
                .bind(now)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                id
            }
            OwnDraft::Instrument(i) => {
                let id = new_id("ins");
                insert_instrument(&mut tx, &id, org_id, i, &audit_entry.actor.name, now).await?;
                id
            }
        };
        log_changes(&mut tx, &[(kind, id.clone(), "upsert")], now).await?;
        audit::insert(&mut tx, &with_id(audit_entry, &id), now).await?;
        let record = fetch(&mut tx, kind, &id)
            .await?
            .ok_or_else(|| StoreError::NotFound(id.clone()))?;
        tx.commit().await?;
        Ok(record)
    }

    /// Replaces the record's text (of `draft`'s kind) and raises its version, if it is still
    /// at `version` when given ([`StoreError::Stale`] otherwise), with its change-log row and
    /// `audit` in one transaction. NotFound when there is no such record; Conflict when the
    /// new title or name is another record's of the organisation.
    pub async fn update_own_record(
        &self,
        id: &str,
        draft: &OwnDraft,
        version: Option<i64>,
        audit_entry: &NewAuditEntry,
    ) -> Result<Record> {
        let now = millis(Utc::now());
        let kind = draft.kind();
        let (mut tx, _gate) = self.begin_write().await?;
        let (org_id, current) = owner_and_version(&mut tx, kind, id).await?;
        check_version(kind, current, version)?;
        check_unique(&mut tx, draft, &org_id, Some(id)).await?;
        // The version read above is a condition of the UPDATE as well: writers take turns
        // (SQLite's gate, PostgreSQL's change-log lock), and the statement re-checks it.
        let updated = match draft {
            OwnDraft::Achievement(a) => {
                let expert_id = leader_id(&mut tx, &org_id, a.leader.as_deref()).await?;
                let (body, hash) = achievement_columns(a);
                sqlx::query(
                    "UPDATE achievements SET expert_id = $1, norm_title = $2, title = $3, \
                     body = $4, content_hash = $5, updated_at = $6, version = version + 1 \
                     WHERE id = $7 AND version = $8",
                )
                .bind(expert_id)
                .bind(normalize_title(&a.title))
                .bind(clean_line(&a.title))
                .bind(body)
                .bind(hash)
                .bind(now)
                .bind(id)
                .bind(current)
                .execute(&mut *tx)
                .await?
            }
            OwnDraft::Expert(e) => {
                let (body, contact, hash) = expert_columns(e);
                sqlx::query(
                    "UPDATE experts SET norm_name = $1, name = $2, body = $3, contact = $4, \
                     content_hash = $5, updated_at = $6, version = version + 1 \
                     WHERE id = $7 AND version = $8",
                )
                .bind(normalize_org_name(&e.name))
                .bind(clean_line(&e.name))
                .bind(body)
                .bind(contact)
                .bind(hash)
                .bind(now)
                .bind(id)
                .bind(current)
                .execute(&mut *tx)
                .await?
            }
            OwnDraft::Instrument(i) => {
                sqlx::query(
                    "UPDATE instruments SET name = $1, body = $2, updated_at = $3, \
                     version = version + 1 WHERE id = $4 AND version = $5",
                )
                .bind(i.name.clone())
                .bind(to_json(i))
                .bind(now)
                .bind(id)
                .bind(current)
                .execute(&mut *tx)
                .await?
            }
        };
        if updated.rows_affected() == 0 {
            check_version(kind, current + 1, Some(current))?;
        }
        log_changes(&mut tx, &[(kind, id.to_string(), "upsert")], now).await?;
        audit::insert(&mut tx, &with_id(audit_entry, id), now).await?;
        let record = fetch(&mut tx, kind, id)
            .await?
            .ok_or_else(|| StoreError::NotFound(id.to_string()))?;
        tx.commit().await?;
        Ok(record)
    }

    /// Deletes the record (at `version` when given), with a `delete` change-log row and
    /// `audit`. An expert's achievements lose their link to it (and are re-indexed); an
    /// expert with a secondment stays ([`StoreError::Conflict`]).
    pub async fn delete_own_record(
        &self,
        kind: EntityKind,
        id: &str,
        version: Option<i64>,
        audit_entry: &NewAuditEntry,
    ) -> Result<()> {
        let now = millis(Utc::now());
        let (table, _, _, _) = table_of(kind)?;
        let (mut tx, _gate) = self.begin_write().await?;
        let (_, current) = owner_and_version(&mut tx, kind, id).await?;
        check_version(kind, current, version)?;
        let mut changes = vec![(kind, id.to_string(), "delete")];
        if kind == EntityKind::Expert {
            let seconded: i64 =
                sqlx::query("SELECT COUNT(*) AS n FROM secondments WHERE expert_id = $1")
                    .bind(id)
                    .fetch_one(&mut *tx)
                    .await?
                    .try_get("n")?;
            if seconded > 0 {
                return Err(StoreError::Conflict(
                    "该专家有挂职记录，不能删除；如已离开本单位，请联系科技局".into(),
                ));
            }
            // Achievements the expert led stay, without the link; the index re-reads them.
            let led: Vec<String> = sqlx::query("SELECT id FROM achievements WHERE expert_id = $1")
                .bind(id)
                .fetch_all(&mut *tx)
                .await?
                .iter()
                .map(|r| r.try_get("id"))
                .collect::<std::result::Result<_, _>>()?;
            sqlx::query(
                "UPDATE achievements SET expert_id = NULL, updated_at = $1, \
                 version = version + 1 WHERE expert_id = $2",
            )
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
            changes.extend(
                led.into_iter()
                    .map(|a| (EntityKind::Achievement, a, "upsert")),
            );
        }
        let deleted = sqlx::query(&format!(
            "DELETE FROM {table} WHERE id = $1 AND version = $2"
        ))
        .bind(id)
        .bind(current)
        .execute(&mut *tx)
        .await?;
        if deleted.rows_affected() == 0 {
            check_version(kind, current + 1, Some(current))?;
        }
        log_changes(&mut tx, &changes, now).await?;
        audit::insert(&mut tx, &with_id(audit_entry, id), now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// An organisation's records of `kind` (achievement, expert or instrument), latest
    /// change first, with how many it has in all.
    pub async fn org_records(
        &self,
        org_id: &str,
        kind: EntityKind,
        offset: u32,
        limit: u32,
    ) -> Result<(Vec<Record>, i64)> {
        let (table, select, alias, _) = table_of(kind)?;
        let total: i64 = sqlx::query(&format!(
            "SELECT COUNT(*) AS n FROM {table} WHERE org_id = $1"
        ))
        .bind(org_id)
        .fetch_one(self.pool())
        .await?
        .try_get("n")?;
        let items = sqlx::query(&format!(
            "{select} WHERE {alias}.org_id = $1 \
             ORDER BY {alias}.updated_at DESC, {alias}.id LIMIT $2 OFFSET $3"
        ))
        .bind(org_id)
        .bind(i64::from(limit))
        .bind(i64::from(offset))
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| decode(kind, r))
        .collect::<Result<Vec<_>>>()?;
        Ok((items, total))
    }

    /// Every expression of interest of `org_id` with its demand's title and status, newest
    /// first.
    pub async fn org_interests(&self, org_id: &str) -> Result<Vec<OrgInterest>> {
        let rows = sqlx::query(&format!(
            "{} WHERE i.org_id = $1 ORDER BY i.created_at DESC, i.id DESC",
            crate::interests::INTEREST_WITH_DEMAND_SELECT
        ))
        .bind(org_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let interest = crate::interests::interest(r)?;
                let status: String = r.try_get("demand_status")?;
                Ok(OrgInterest {
                    demand_status: DemandStatus::parse(&status).ok_or_else(|| {
                        StoreError::Corrupt(interest.demand_id.clone(), format!("status {status}"))
                    })?,
                    demand_title: r.try_get("demand_title")?,
                    interest,
                })
            })
            .collect()
    }

    /// The audit entries of records created, edited or deleted
    /// ([`AuditAction::RECORD_CHANGES`]), newest first, with how many there are in all.
    pub async fn record_changes(&self, offset: u32, limit: u32) -> Result<(Vec<AuditEntry>, i64)> {
        let actions: Vec<Val> = AuditAction::RECORD_CHANGES
            .iter()
            .map(|a| Val::from(a.as_str()))
            .collect();
        let n = actions.len();
        let list = (1..=n)
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(",");
        let total: i64 = bind_vals(
            sqlx::query(&format!(
                "SELECT COUNT(*) AS n FROM audit_log WHERE action IN ({list})"
            )),
            actions.clone(),
        )
        .fetch_one(self.pool())
        .await?
        .try_get("n")?;
        let mut vals = actions;
        vals.push(Val::from(i64::from(limit.max(1))));
        vals.push(Val::from(i64::from(offset)));
        let items = bind_vals(
            sqlx::query(&format!(
                "{} WHERE action IN ({list}) ORDER BY seq DESC LIMIT ${} OFFSET ${}",
                audit::AUDIT_SELECT,
                n + 1,
                n + 2
            )),
            vals,
        )
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(audit::entry)
        .collect::<Result<Vec<_>>>()?;
        Ok((items, total))
    }
}
