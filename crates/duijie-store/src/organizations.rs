//! Organisations: found or created by their normalised name, read with their counts.

use crate::rows::{self, millis};
use crate::sql::read_one;
use crate::{Result, SqlStore, StoreError};
use chrono::Utc;
use duijie_core::id::new_id;
use duijie_core::text::normalize_org_name;
use duijie_core::{OrgKind, Organization};
use serde::Serialize;
use sqlx::Row;

/// Counts shown on an organisation's profile.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct OrgCounts {
    pub demands: i64,
    pub achievements: i64,
    pub experts: i64,
}

impl SqlStore {
    /// The organisation with this (normalised) name, created with `kind` when new.
    pub async fn ensure_organization(&self, name: &str, kind: OrgKind) -> Result<Organization> {
        let norm = normalize_org_name(name);
        if norm.is_empty() {
            return Err(StoreError::Invalid("单位名称为空".into()));
        }
        let (mut tx, _gate) = self.begin_write().await?;
        let now = millis(Utc::now());
        sqlx::query(
            "INSERT INTO organizations (id, kind, name, norm_name, created_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (norm_name) DO NOTHING",
        )
        .bind(new_id("org"))
        .bind(kind.as_str())
        .bind(duijie_core::text::clean_line(name))
        .bind(norm.clone())
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let row = sqlx::query("SELECT * FROM organizations WHERE norm_name = $1")
            .bind(norm)
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        rows::organization(&row)
    }

    pub async fn get_organization(&self, id: &str) -> Result<Option<Organization>> {
        read_one(
            self.pool(),
            "SELECT * FROM organizations WHERE id = $1",
            id,
            rows::organization,
        )
        .await
    }

    pub async fn organization_counts(&self, id: &str) -> Result<OrgCounts> {
        let row = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM demands WHERE org_id = $1) AS d, \
                    (SELECT COUNT(*) FROM achievements WHERE org_id = $1) AS a, \
                    (SELECT COUNT(*) FROM experts WHERE org_id = $1) AS e",
        )
        .bind(id)
        .fetch_one(self.pool())
        .await?;
        Ok(OrgCounts {
            demands: row.try_get("d")?,
            achievements: row.try_get("a")?,
            experts: row.try_get("e")?,
        })
    }
}
