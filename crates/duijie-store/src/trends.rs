//! The public demands trend statistics (科技动态) read, each with when it was first published.

use crate::rows::{self, time, DEMAND_SELECT};
use crate::{Result, SqlStore};
use chrono::{DateTime, Utc};
use duijie_core::{Demand, DemandStatus};
use std::collections::HashMap;

/// A public demand and when it was first published.
#[derive(Debug, Clone, PartialEq)]
pub struct PublicDemand {
    pub demand: Demand,
    pub published_at: DateTime<Utc>,
}

impl SqlStore {
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
}
