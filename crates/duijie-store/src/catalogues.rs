//! Catalogue editions in SQL: drafts that collect approved demands, and the one transaction
//! that publishes an edition, moving its demands to published and freezing their snapshots.

use crate::changelog::log_changes;
use crate::demands::{fetch_demand, transition_in};
use crate::rows::{self, millis, to_json, Val};
use crate::sql::insert_rows;
use crate::sql::Lookup;
use crate::{Actor, Result, SqlStore, StoreError};
use chrono::{DateTime, Utc};
use duijie_core::catalogues::may_be_catalogued;
use duijie_core::id::new_id;
use duijie_core::{
    CatalogueEdition, CatalogueStatus, Demand, DemandDraft, DemandStatus, EntityKind,
};
use serde::{Deserialize, Serialize};
use sqlx::{AnyConnection, Row};
use std::collections::HashSet;

/// How a published item is kept: the demand with its body nested (the flattened wire form of
/// [`Demand`] repeats `org_name`, which does not read back).
#[derive(Serialize, Deserialize)]
struct Snapshot {
    id: String,
    org_id: String,
    org_name: String,
    status: DemandStatus,
    body: DemandDraft,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl From<Demand> for Snapshot {
    fn from(d: Demand) -> Self {
        Snapshot {
            id: d.id,
            org_id: d.org_id,
            org_name: d.org_name,
            status: d.status,
            body: d.body,
            created_at: d.created_at,
            updated_at: d.updated_at,
        }
    }
}

impl From<Snapshot> for Demand {
    fn from(s: Snapshot) -> Self {
        Demand {
            id: s.id,
            org_id: s.org_id,
            org_name: s.org_name,
            status: s.status,
            // A frozen copy is never edited through its version.
            version: 0,
            body: s.body,
            created_at: s.created_at,
            updated_at: s.updated_at,
        }
    }
}

const CATALOGUE_SELECT: &str = "SELECT c.id, c.title, c.period, c.status, c.created_by, \
    c.created_at, c.published_at, \
    (SELECT COUNT(*) FROM catalogue_items i WHERE i.catalogue_id = c.id) AS item_count \
    FROM catalogues c";

/// Finds catalogues by id.
const CATALOGUE: Lookup<CatalogueEdition> = Lookup {
    select: CATALOGUE_SELECT,
    id: "c.id",
    read: rows::catalogue,
    missing: "目录不存在或已删除",
};

async fn fetch_catalogue(conn: &mut AnyConnection, id: &str) -> Result<CatalogueEdition> {
    CATALOGUE.get(conn, id).await
}

/// The edition, which must still be a draft to change.
async fn fetch_draft(conn: &mut AnyConnection, id: &str) -> Result<CatalogueEdition> {
    let c = fetch_catalogue(conn, id).await?;
    if c.status != CatalogueStatus::Draft {
        return Err(StoreError::Conflict(format!(
            "目录“{}”已发布，不能再修改",
            c.title
        )));
    }
    Ok(c)
}

async fn item_ids(conn: &mut AnyConnection, id: &str) -> Result<Vec<String>> {
    sqlx::query("SELECT demand_id FROM catalogue_items WHERE catalogue_id = $1 ORDER BY position")
        .bind(id)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| Ok(r.try_get("demand_id")?))
        .collect()
}

/// Names the demand by its title and status label; when publishing, says how to go on.
fn not_catalogable(d: &Demand, publishing: bool) -> StoreError {
    let next = if publishing {
        "：请将它移出本期目录后再发布"
    } else {
        ""
    };
    StoreError::Conflict(format!(
        "需求“{}”当前为“{}”，只有已审核或已发布的需求可以编入目录{next}",
        d.body.title,
        d.status.label()
    ))
}

impl SqlStore {
    /// A new, empty draft edition.
    pub async fn create_catalogue(
        &self,
        title: &str,
        period: Option<&str>,
        actor: &Actor,
    ) -> Result<CatalogueEdition> {
        let now = millis(Utc::now());
        let id = new_id("cat");
        let (mut tx, _gate) = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO catalogues (id, title, period, status, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id.clone())
        .bind(title)
        .bind(period.map(str::to_string))
        .bind(CatalogueStatus::Draft.as_str())
        .bind(actor.name.clone())
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let c = fetch_catalogue(&mut tx, &id).await?;
        tx.commit().await?;
        Ok(c)
    }

    /// Appends demands to a draft edition; ones already in it keep their place. All or
    /// nothing: fails naming the first demand that is missing ([`StoreError::Invalid`]) or
    /// not approved or published ([`StoreError::Conflict`]).
    pub async fn add_catalogue_items(
        &self,
        id: &str,
        demand_ids: &[String],
    ) -> Result<CatalogueEdition> {
        let (mut tx, _gate) = self.begin_write().await?;
        fetch_draft(&mut tx, id).await?;
        let mut present: HashSet<String> = item_ids(&mut tx, id).await?.into_iter().collect();
        let next: i64 = sqlx::query(
            "SELECT COALESCE(MAX(position), 0) AS p FROM catalogue_items WHERE catalogue_id = $1",
        )
        .bind(id)
        .fetch_one(&mut *tx)
        .await?
        .try_get("p")?;
        let mut rows = Vec::new();
        for demand_id in demand_ids {
            if present.contains(demand_id) {
                continue;
            }
            let d = match fetch_demand(&mut tx, demand_id).await {
                Ok(d) => d,
                Err(StoreError::NotFound(_)) => {
                    return Err(StoreError::Invalid("所选需求不存在或已删除".to_string()))
                }
                Err(e) => return Err(e),
            };
            if !may_be_catalogued(d.status) {
                return Err(not_catalogable(&d, false));
            }
            present.insert(demand_id.clone());
            rows.push(vec![
                Val::from(id),
                Val::from(demand_id.clone()),
                Val::from(next + rows.len() as i64 + 1),
            ]);
        }
        insert_rows(
            &mut tx,
            "catalogue_items",
            &["catalogue_id", "demand_id", "position"],
            rows,
        )
        .await?;
        let c = fetch_catalogue(&mut tx, id).await?;
        tx.commit().await?;
        Ok(c)
    }

    /// Publishes a draft edition in one transaction: approved items move to published (with
    /// their history and change-log rows), every item's snapshot is frozen, the edition is
    /// stamped. Fails without effect when an item is no longer approved or published.
    /// `notices` are written in the same transaction.
    pub async fn publish_catalogue(
        &self,
        id: &str,
        actor: &Actor,
        notices: &[crate::NewNotice],
    ) -> Result<CatalogueEdition> {
        let now = millis(Utc::now());
        let (mut tx, _gate) = self.begin_write().await?;
        let edition = fetch_draft(&mut tx, id).await?;
        let ids = item_ids(&mut tx, id).await?;
        if ids.is_empty() {
            return Err(StoreError::Invalid("目录中没有需求，不能发布".into()));
        }
        let note = format!("随目录“{}”发布", edition.title);
        let mut changes = Vec::new();
        for demand_id in &ids {
            let mut d = fetch_demand(&mut tx, demand_id).await?;
            match d.status {
                DemandStatus::Approved => {
                    transition_in(
                        &mut tx,
                        demand_id,
                        (DemandStatus::Approved, None),
                        DemandStatus::Published,
                        actor,
                        &note,
                        now,
                    )
                    .await?;
                    changes.push((EntityKind::Demand, demand_id.clone(), "upsert"));
                    // Its match notices are written after the commit; the job row keeps them
                    // from being lost should the process stop first.
                    crate::jobs::insert_match_job(&mut tx, demand_id, now).await?;
                    d = fetch_demand(&mut tx, demand_id).await?;
                }
                DemandStatus::Published => {}
                _ => return Err(not_catalogable(&d, true)),
            }
            sqlx::query(
                "UPDATE catalogue_items SET snapshot = $1 WHERE catalogue_id = $2 AND demand_id = $3",
            )
            .bind(to_json(&Snapshot::from(d)))
            .bind(id)
            .bind(demand_id.clone())
            .execute(&mut *tx)
            .await?;
        }
        log_changes(&mut tx, &changes, now).await?;
        sqlx::query("UPDATE catalogues SET status = $1, published_at = $2 WHERE id = $3")
            .bind(CatalogueStatus::Published.as_str())
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        crate::notifications::write_notices(&mut tx, notices, now, &self.webhook_kinds()).await?;
        let c = fetch_catalogue(&mut tx, id).await?;
        tx.commit().await?;
        Ok(c)
    }

    /// Takes demands out of a draft edition (ids not in it are ignored); a published edition
    /// is frozen ([`StoreError::Conflict`]).
    pub async fn remove_catalogue_items(
        &self,
        id: &str,
        demand_ids: &[String],
    ) -> Result<CatalogueEdition> {
        let (mut tx, _gate) = self.begin_write().await?;
        fetch_draft(&mut tx, id).await?;
        for demand_id in demand_ids {
            sqlx::query("DELETE FROM catalogue_items WHERE catalogue_id = $1 AND demand_id = $2")
                .bind(id)
                .bind(demand_id.clone())
                .execute(&mut *tx)
                .await?;
        }
        let c = fetch_catalogue(&mut tx, id).await?;
        tx.commit().await?;
        Ok(c)
    }

    /// Deletes a draft edition and its items; a published edition stays
    /// ([`StoreError::Conflict`]).
    pub async fn delete_catalogue(&self, id: &str) -> Result<()> {
        let (mut tx, _gate) = self.begin_write().await?;
        fetch_draft(&mut tx, id).await?;
        sqlx::query("DELETE FROM catalogue_items WHERE catalogue_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM catalogues WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn get_catalogue(&self, id: &str) -> Result<Option<CatalogueEdition>> {
        CATALOGUE.find(self.pool(), id).await
    }

    /// Editions, newest first; drafts only when asked for.
    pub async fn list_catalogues(&self, include_drafts: bool) -> Result<Vec<CatalogueEdition>> {
        let filter = if include_drafts {
            String::new()
        } else {
            format!(
                " WHERE c.status = '{}'",
                CatalogueStatus::Published.as_str()
            )
        };
        sqlx::query(&format!(
            "{CATALOGUE_SELECT}{filter} ORDER BY COALESCE(c.published_at, c.created_at) DESC, c.id DESC"
        ))
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(rows::catalogue)
        .collect()
    }

    /// An edition's items in order: the frozen snapshots of a published edition, the current
    /// demands of a draft.
    pub async fn catalogue_items(&self, id: &str) -> Result<Vec<Demand>> {
        let rows = sqlx::query(
            "SELECT ci.snapshot, d.id, d.org_id, o.name AS org_name, d.status, d.version, d.body, \
             d.contact, d.created_at, d.updated_at FROM catalogue_items ci \
             JOIN demands d ON d.id = ci.demand_id JOIN organizations o ON o.id = d.org_id \
             WHERE ci.catalogue_id = $1 ORDER BY ci.position",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| match r.try_get::<Option<String>, _>("snapshot")? {
                Some(snapshot) => rows::json::<Snapshot>(id, &snapshot).map(Demand::from),
                None => rows::demand(r),
            })
            .collect()
    }
}
