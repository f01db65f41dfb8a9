//! The bureau's ledger (台账) in SQL: cooperation projects (合作项目) signed on demands, and
//! secondments (科技副职 / 挂职) of experts. Recording a project moves its in-docking demand
//! to contracted in the same transaction, with its history entry and change-log row.

use crate::demands::{fetch_demand, transition_logged};
use crate::rows::{self, bind_vals, millis, to_json, Val};
use crate::sql::{exists, Lookup, ORG_BY_ID};
use crate::{Actor, Result, SqlStore, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use duijie_core::id::new_id;
use duijie_core::{
    DemandStatus, Milestone, NewProject, NewSecondment, Project, ProjectPatch, ProjectStatus,
    Secondment,
};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

/// Which projects to list.
#[derive(Debug, Clone, Default)]
pub struct ProjectFilter {
    /// Signed in this calendar year.
    pub year: Option<i32>,
    pub key_project: Option<bool>,
    /// The demand's region.
    pub region: Option<String>,
}

/// When a demand first reached the states the annual report counts (from its history).
#[derive(Debug, Clone, PartialEq)]
pub struct DemandTimeline {
    pub id: String,
    pub region: Option<String>,
    pub field: Option<String>,
    pub status: DemandStatus,
    pub created_at: DateTime<Utc>,
    /// First submission for review (or creation as submitted); `None` for a demand that was
    /// never submitted (a draft, or one imported as published).
    pub submitted_at: Option<DateTime<Utc>>,
    pub published_at: Option<DateTime<Utc>>,
    pub docked_at: Option<DateTime<Utc>>,
    pub contracted_at: Option<DateTime<Utc>>,
}

const PROJECT_SELECT: &str = "SELECT p.id, p.demand_id, d.title AS demand_title, \
    d.org_id AS enterprise_id, eo.name AS enterprise_name, p.institution_id, \
    io.name AS institution_name, d.region, d.field, p.title, p.amount_wan, p.signed_on, \
    p.key_project, p.status, p.milestones, p.notes, p.version, p.created_at, p.updated_at \
    FROM projects p JOIN demands d ON d.id = p.demand_id \
    JOIN organizations eo ON eo.id = d.org_id JOIN organizations io ON io.id = p.institution_id";

const SECONDMENT_SELECT: &str = "SELECT s.id, s.expert_id, e.name AS expert_name, \
    ho.name AS home_org_name, s.host_org_id, so.name AS host_org_name, s.post, s.start_on, \
    s.end_on, s.created_at FROM secondments s JOIN experts e ON e.id = s.expert_id \
    JOIN organizations ho ON ho.id = e.org_id JOIN organizations so ON so.id = s.host_org_id";

fn date(id: &str, text: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|e| StoreError::Corrupt(id.to_string(), format!("date {text}: {e}")))
}

fn day(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// `[first day of year, first day of the next year)` as comparable text.
fn year_bounds(year: i32) -> (String, String) {
    (format!("{year:04}-01-01"), format!("{:04}-01-01", year + 1))
}

fn project(row: &AnyRow) -> Result<Project> {
    let id: String = row.try_get("id")?;
    let status: String = row.try_get("status")?;
    let key: i64 = row.try_get("key_project")?;
    Ok(Project {
        demand_id: row.try_get("demand_id")?,
        demand_title: row.try_get("demand_title")?,
        enterprise_id: row.try_get("enterprise_id")?,
        enterprise_name: row.try_get("enterprise_name")?,
        institution_id: row.try_get("institution_id")?,
        institution_name: row.try_get("institution_name")?,
        region: row.try_get("region")?,
        field: row.try_get("field")?,
        title: row.try_get("title")?,
        amount_wan: row.try_get("amount_wan")?,
        signed_on: date(&id, &row.try_get::<String, _>("signed_on")?)?,
        key_project: key != 0,
        status: ProjectStatus::parse(&status)
            .ok_or_else(|| StoreError::Corrupt(id.clone(), format!("project status {status}")))?,
        milestones: rows::json(&id, &row.try_get::<String, _>("milestones")?)?,
        notes: row.try_get("notes")?,
        version: row.try_get("version")?,
        created_at: rows::time(row.try_get("created_at")?),
        updated_at: rows::time(row.try_get("updated_at")?),
        id,
    })
}

fn secondment(row: &AnyRow) -> Result<Secondment> {
    let id: String = row.try_get("id")?;
    let end: Option<String> = row.try_get("end_on")?;
    Ok(Secondment {
        expert_id: row.try_get("expert_id")?,
        expert_name: row.try_get("expert_name")?,
        home_org_name: row.try_get("home_org_name")?,
        host_org_id: row.try_get("host_org_id")?,
        host_org_name: row.try_get("host_org_name")?,
        post: row.try_get("post")?,
        start_on: date(&id, &row.try_get::<String, _>("start_on")?)?,
        end_on: end.map(|e| date(&id, &e)).transpose()?,
        created_at: rows::time(row.try_get("created_at")?),
        id,
    })
}

/// Finds projects by id.
const PROJECT: Lookup<Project> = Lookup {
    select: PROJECT_SELECT,
    id: "p.id",
    read: project,
    missing: "项目不存在或已删除",
};

async fn fetch_project(conn: &mut AnyConnection, id: &str) -> Result<Project> {
    PROJECT.get(conn, id).await
}

impl SqlStore {
    /// Records a project (status signed) in one transaction; an in-docking demand moves to
    /// contracted (history entry with `note`, change-log row), a contracted one stays. Conflict
    /// when the demand is in another status; Invalid when the institution does not exist.
    pub async fn create_project(
        &self,
        new: &NewProject,
        actor: &Actor,
        note: &str,
    ) -> Result<Project> {
        let now = millis(Utc::now());
        let id = new_id("prj");
        let (mut tx, _gate) = self.begin_write().await?;
        let d = fetch_demand(&mut tx, &new.demand_id).await?;
        match d.status {
            DemandStatus::InDocking => {
                transition_logged(
                    &mut tx,
                    &d.id,
                    (DemandStatus::InDocking, None),
                    DemandStatus::Contracted,
                    actor,
                    note,
                    now,
                )
                .await?;
            }
            // A further project on a demand already contracted.
            DemandStatus::Contracted => {}
            other => {
                return Err(StoreError::Conflict(format!(
                    "需求当前为“{}”，只有对接中或已签约的需求可以登记合作项目",
                    other.label()
                )))
            }
        }
        if !exists(&mut *tx, ORG_BY_ID, &new.institution_id).await? {
            return Err(StoreError::Invalid("合作单位不存在或已删除".to_string()));
        }
        // A form sent twice or a retried request would count the contract twice in the annual
        // report; writers take this transaction in turn, so the check holds for the insert.
        let same = sqlx::query(
            "SELECT id FROM projects WHERE demand_id = $1 AND institution_id = $2 \
             AND signed_on = $3 AND amount_wan = $4",
        )
        .bind(d.id.clone())
        .bind(new.institution_id.clone())
        .bind(day(new.signed_on))
        .bind(new.amount_wan)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(row) = same {
            let existing = fetch_project(&mut tx, &row.try_get::<String, _>("id")?).await?;
            return Err(StoreError::Conflict(format!(
                "该需求已登记过与“{}”于 {} 签订、金额 {} 万元的合作项目“{}”，请勿重复登记",
                existing.institution_name, existing.signed_on, existing.amount_wan, existing.title
            )));
        }
        sqlx::query(
            "INSERT INTO projects (id, demand_id, institution_id, title, amount_wan, signed_on, \
             key_project, status, milestones, notes, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        )
        .bind(id.clone())
        .bind(d.id.clone())
        .bind(new.institution_id.clone())
        .bind(new.title.clone())
        .bind(new.amount_wan)
        .bind(day(new.signed_on))
        .bind(i64::from(new.key_project))
        .bind(ProjectStatus::Signed.as_str())
        .bind(to_json(&Vec::<Milestone>::new()))
        .bind(String::new())
        .bind(actor.name.clone())
        .bind(now)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let p = fetch_project(&mut tx, &id).await?;
        tx.commit().await?;
        Ok(p)
    }

    /// Applies the given changes; NotFound when there is no such project.
    pub async fn update_project(&self, id: &str, patch: &ProjectPatch) -> Result<Project> {
        let now = millis(Utc::now());
        let (mut tx, _gate) = self.begin_write().await?;
        let p = fetch_project(&mut tx, id).await?;
        // The read and the write are in one transaction that writers take in turn, so
        // comparing here holds for the UPDATE.
        if patch.version.is_some_and(|v| v != p.version) {
            return Err(StoreError::Stale(
                "该项目已被他人修改，请查看最新内容后再保存".to_string(),
            ));
        }
        let status = patch.status.unwrap_or(p.status);
        let milestones = patch.milestones.as_ref().unwrap_or(&p.milestones);
        let notes = patch.notes.as_ref().unwrap_or(&p.notes);
        sqlx::query(
            "UPDATE projects SET status = $1, milestones = $2, notes = $3, updated_at = $4, \
             version = version + 1 WHERE id = $5",
        )
        .bind(status.as_str())
        .bind(to_json(milestones))
        .bind(notes.clone())
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let p = fetch_project(&mut tx, id).await?;
        tx.commit().await?;
        Ok(p)
    }

    pub async fn get_project(&self, id: &str) -> Result<Option<Project>> {
        PROJECT.find(self.pool(), id).await
    }

    /// Projects matching the filter, latest signed first.
    pub async fn list_projects(&self, filter: &ProjectFilter) -> Result<Vec<Project>> {
        let mut conds = Vec::new();
        let mut vals = Vec::new();
        if let Some(year) = filter.year {
            let (from, to) = year_bounds(year);
            vals.push(Val::from(from));
            vals.push(Val::from(to));
            conds.push(format!(
                "p.signed_on >= ${} AND p.signed_on < ${}",
                vals.len() - 1,
                vals.len()
            ));
        }
        if let Some(key) = filter.key_project {
            vals.push(Val::from(i64::from(key)));
            conds.push(format!("p.key_project = ${}", vals.len()));
        }
        if let Some(region) = &filter.region {
            vals.push(Val::from(region.clone()));
            conds.push(format!("d.region = ${}", vals.len()));
        }
        let where_sql = if conds.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", conds.join(" AND "))
        };
        let sql = format!("{PROJECT_SELECT}{where_sql} ORDER BY p.signed_on DESC, p.id DESC");
        bind_vals(sqlx::query(&sql), vals)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(project)
            .collect()
    }

    /// Records a secondment; Invalid naming the expert or host organisation that does not exist.
    pub async fn create_secondment(
        &self,
        new: &NewSecondment,
        actor: &Actor,
    ) -> Result<Secondment> {
        let now = millis(Utc::now());
        let id = new_id("sec");
        let (mut tx, _gate) = self.begin_write().await?;
        if !exists(
            &mut *tx,
            "SELECT id FROM experts WHERE id = $1",
            &new.expert_id,
        )
        .await?
        {
            return Err(StoreError::Invalid("所选专家不存在或已删除".to_string()));
        }
        if !exists(&mut *tx, ORG_BY_ID, &new.host_org_id).await? {
            return Err(StoreError::Invalid("挂职单位不存在或已删除".to_string()));
        }
        sqlx::query(
            "INSERT INTO secondments (id, expert_id, host_org_id, post, start_on, end_on, \
             created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(id.clone())
        .bind(new.expert_id.clone())
        .bind(new.host_org_id.clone())
        .bind(new.post.clone())
        .bind(day(new.start_on))
        .bind(new.end_on.map(day))
        .bind(actor.name.clone())
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let row = sqlx::query(&format!("{SECONDMENT_SELECT} WHERE s.id = $1"))
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        let s = secondment(&row)?;
        tx.commit().await?;
        Ok(s)
    }

    /// Secondments, latest start first; with a year, only those active at some time in it.
    pub async fn list_secondments(&self, year: Option<i32>) -> Result<Vec<Secondment>> {
        let mut vals = Vec::new();
        let mut where_sql = String::new();
        if let Some(year) = year {
            let (from, to) = year_bounds(year);
            // Active at some point of the year: started before it ended, not ended before it began.
            where_sql = " WHERE s.start_on < $1 AND (s.end_on IS NULL OR s.end_on >= $2)".into();
            vals.push(Val::from(to));
            vals.push(Val::from(from));
        }
        let sql = format!("{SECONDMENT_SELECT}{where_sql} ORDER BY s.start_on DESC, s.id DESC");
        bind_vals(sqlx::query(&sql), vals)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(secondment)
            .collect()
    }

    /// Every demand created before `created_before`, with when it first reached published,
    /// in_docking and contracted according to its history.
    pub async fn demand_timelines(
        &self,
        created_before: DateTime<Utc>,
    ) -> Result<Vec<DemandTimeline>> {
        let first = |status: DemandStatus| {
            format!(
                "(SELECT MIN(e.at) FROM demand_events e WHERE e.demand_id = d.id \
                 AND e.to_status = '{}') AS {}_at",
                status.as_str(),
                status.as_str()
            )
        };
        let sql = format!(
            "SELECT d.id, d.region, d.field, d.status, d.created_at, {}, {}, {}, {} FROM demands d \
             WHERE d.created_at < $1 ORDER BY d.id",
            first(DemandStatus::Submitted),
            first(DemandStatus::Published),
            first(DemandStatus::InDocking),
            first(DemandStatus::Contracted)
        );
        let rows = sqlx::query(&sql)
            .bind(millis(created_before))
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| {
                let id: String = r.try_get("id")?;
                let status: String = r.try_get("status")?;
                let at = |col: &str| -> Result<Option<DateTime<Utc>>> {
                    Ok(r.try_get::<Option<i64>, _>(col)?.map(rows::time))
                };
                Ok(DemandTimeline {
                    region: r.try_get("region")?,
                    field: r.try_get("field")?,
                    status: DemandStatus::parse(&status).ok_or_else(|| {
                        StoreError::Corrupt(id.clone(), format!("status {status}"))
                    })?,
                    created_at: rows::time(r.try_get("created_at")?),
                    submitted_at: at("submitted_at")?,
                    published_at: at("published_at")?,
                    docked_at: at("in_docking_at")?,
                    contracted_at: at("contracted_at")?,
                    id,
                })
            })
            .collect()
    }
}
