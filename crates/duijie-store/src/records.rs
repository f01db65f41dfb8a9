//! Achievements and experts read one at a time (record pages, evidence, committee members),
//! and experts looked up by name.

use crate::rows::{self, ACHIEVEMENT_SELECT, EXPERT_SELECT};
use crate::sql::read_one;
use crate::{Result, SqlStore};
use duijie_core::{Achievement, Expert};

impl SqlStore {
    pub async fn get_achievement(&self, id: &str) -> Result<Option<Achievement>> {
        read_one(
            self.pool(),
            &format!("{ACHIEVEMENT_SELECT} WHERE a.id = $1"),
            id,
            rows::achievement,
        )
        .await
    }

    pub async fn get_expert(&self, id: &str) -> Result<Option<Expert>> {
        read_one(
            self.pool(),
            &format!("{EXPERT_SELECT} WHERE e.id = $1"),
            id,
            rows::expert,
        )
        .await
    }

    /// Experts whose name starts with `prefix` (a person is looked up by name, whether or not
    /// their record has text to search), by name, at most `limit`.
    pub async fn experts_named(&self, prefix: &str, limit: u32) -> Result<Vec<Expert>> {
        let prefix = prefix.trim();
        if prefix.is_empty() {
            return Ok(Vec::new());
        }
        // substr rather than LIKE: the name typed is data, never a pattern.
        sqlx::query(&format!(
            "{EXPERT_SELECT} WHERE substr(e.name, 1, CAST($1 AS INTEGER)) = $2 ORDER BY e.name, e.id LIMIT $3"
        ))
        .bind(i64::try_from(prefix.chars().count()).unwrap_or(i64::MAX))
        .bind(prefix)
        .bind(i64::from(limit))
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(rows::expert)
        .collect()
    }
}
