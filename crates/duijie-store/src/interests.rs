//! Expressions of interest (揭榜 / 对接意向) in SQL: an institution's proposal on a public
//! demand, and the owner's answer. Accepting moves a published demand to in_docking in the
//! same transaction, with its history entry and change-log row.

use crate::demands::{fetch_demand, transition_logged};
use crate::notifications::{write_notices, NewNotice};
use crate::rows::{self, millis, to_json};
use crate::sql::INSERT_CHUNK;
use crate::sql::{read_all, Lookup};
use crate::{Actor, Result, SqlStore, StoreError};
use chrono::Utc;
use duijie_core::id::new_id;
use duijie_core::{Contact, Demand, DemandStatus, Interest, InterestStatus, NewInterest};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use std::collections::HashMap;

const INTEREST_SELECT: &str = "SELECT i.id, i.demand_id, i.org_id, o.name AS org_name, \
    i.message, i.expert_ids, i.achievement_ids, i.instrument_ids, i.status, i.decline_reason, i.created_at, \
    i.updated_at, i.contact_name, i.contact_phone, i.contact_email \
    FROM interests i JOIN organizations o ON o.id = i.org_id";

/// [`INTEREST_SELECT`] with the demand's title and status.
pub(crate) const INTEREST_WITH_DEMAND_SELECT: &str = "SELECT i.id, i.demand_id, i.org_id, \
    o.name AS org_name, i.message, i.expert_ids, i.achievement_ids, i.instrument_ids, i.status, i.decline_reason, \
    i.created_at, i.updated_at, i.contact_name, i.contact_phone, i.contact_email, \
    d.title AS demand_title, d.status AS demand_status \
    FROM interests i JOIN organizations o ON o.id = i.org_id JOIN demands d ON d.id = i.demand_id";

pub(crate) fn interest(row: &AnyRow) -> Result<Interest> {
    let id: String = row.try_get("id")?;
    let status: String = row.try_get("status")?;
    Ok(Interest {
        demand_id: row.try_get("demand_id")?,
        org_id: row.try_get("org_id")?,
        org_name: row.try_get("org_name")?,
        message: row.try_get("message")?,
        expert_ids: rows::json(&id, &row.try_get::<String, _>("expert_ids")?)?,
        achievement_ids: rows::json(&id, &row.try_get::<String, _>("achievement_ids")?)?,
        instrument_ids: rows::json(&id, &row.try_get::<String, _>("instrument_ids")?)?,
        status: InterestStatus::parse(&status)
            .ok_or_else(|| StoreError::Corrupt(id.clone(), format!("interest status {status}")))?,
        decline_reason: row.try_get("decline_reason")?,
        contact: Contact {
            name: row.try_get("contact_name")?,
            phone: row.try_get("contact_phone")?,
            email: row.try_get("contact_email")?,
        },
        created_at: rows::time(row.try_get("created_at")?),
        updated_at: rows::time(row.try_get("updated_at")?),
        id,
    })
}

/// Finds interests by id.
const INTEREST: Lookup<Interest> = Lookup {
    select: INTEREST_SELECT,
    id: "i.id",
    read: interest,
    missing: "对接意向不存在或已删除",
};

pub(crate) async fn fetch_interest(conn: &mut AnyConnection, id: &str) -> Result<Interest> {
    INTEREST.get(conn, id).await
}

/// Fails unless every id names a record of `table` that belongs to `org_id`.
async fn check_owned(
    conn: &mut AnyConnection,
    table: &str,
    what: &str,
    ids: &[String],
    org_id: &str,
) -> Result<()> {
    for id in ids {
        let owner: Option<String> =
            sqlx::query(&format!("SELECT org_id FROM {table} WHERE id = $1"))
                .bind(id.clone())
                .fetch_optional(&mut *conn)
                .await?
                .map(|r| r.try_get("org_id"))
                .transpose()?;
        match owner {
            Some(o) if o == org_id => {}
            Some(_) => return Err(StoreError::Invalid(format!("所引用的{what}不属于本单位"))),
            None => return Err(StoreError::Invalid(format!("所引用的{what}不存在或已删除"))),
        }
    }
    Ok(())
}

/// The interest, which must still be pending to be answered.
async fn fetch_pending(conn: &mut AnyConnection, id: &str) -> Result<Interest> {
    let i = fetch_interest(conn, id).await?;
    if i.status != InterestStatus::Pending {
        return Err(StoreError::Conflict(format!(
            "对接意向已{}，不能再次处理",
            i.status.label()
        )));
    }
    Ok(i)
}

async fn answer(
    conn: &mut AnyConnection,
    id: &str,
    to: InterestStatus,
    reason: Option<&str>,
    now: i64,
) -> Result<()> {
    let updated = sqlx::query(
        "UPDATE interests SET status = $1, decline_reason = $2, updated_at = $3 \
         WHERE id = $4 AND status = $5",
    )
    .bind(to.as_str())
    .bind(reason.map(str::to_string))
    .bind(now)
    .bind(id)
    .bind(InterestStatus::Pending.as_str())
    .execute(&mut *conn)
    .await?;
    if updated.rows_affected() == 0 {
        return Err(StoreError::Conflict("对接意向已被处理".into()));
    }
    Ok(())
}

impl SqlStore {
    /// Records a pending interest in one transaction. Fails with [`StoreError::Conflict`]
    /// when the demand is not published or in docking, or the organisation already has a
    /// pending interest in it; with [`StoreError::Invalid`] naming the first expert or
    /// achievement that is missing or belongs to another organisation.
    /// `notices` are written in the same transaction.
    pub async fn create_interest(
        &self,
        new: &NewInterest,
        actor: &Actor,
        notices: &[NewNotice],
    ) -> Result<Interest> {
        let now = millis(Utc::now());
        let id = new_id("int");
        let (mut tx, _gate) = self.begin_write().await?;
        let d = fetch_demand(&mut tx, &new.demand_id).await?;
        if !matches!(d.status, DemandStatus::Published | DemandStatus::InDocking) {
            return Err(StoreError::Conflict(format!(
                "需求当前为“{}”，只能对已发布或对接中的需求表达意向",
                d.status.label()
            )));
        }
        check_owned(&mut tx, "experts", "专家", &new.expert_ids, &new.org_id).await?;
        check_owned(
            &mut tx,
            "achievements",
            "成果",
            &new.achievement_ids,
            &new.org_id,
        )
        .await?;
        check_owned(
            &mut tx,
            "instruments",
            "仪器",
            &new.instrument_ids,
            &new.org_id,
        )
        .await?;
        let pending: i64 = sqlx::query(
            "SELECT COUNT(*) AS n FROM interests WHERE demand_id = $1 AND org_id = $2 \
             AND status = $3",
        )
        .bind(new.demand_id.clone())
        .bind(new.org_id.clone())
        .bind(InterestStatus::Pending.as_str())
        .fetch_one(&mut *tx)
        .await?
        .try_get("n")?;
        if pending > 0 {
            return Err(StoreError::Conflict(
                "本单位已对该需求提交了待处理的对接意向".into(),
            ));
        }
        sqlx::query(
            "INSERT INTO interests (id, demand_id, org_id, message, expert_ids, achievement_ids, \
             status, decline_reason, created_by, created_at, updated_at, contact_name, \
             contact_phone, contact_email, instrument_ids) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, $8, $9, $10, $11, $12, $13, $14)",
        )
        .bind(id.clone())
        .bind(new.demand_id.clone())
        .bind(new.org_id.clone())
        .bind(new.message.clone())
        .bind(to_json(&new.expert_ids))
        .bind(to_json(&new.achievement_ids))
        .bind(InterestStatus::Pending.as_str())
        .bind(actor.name.clone())
        .bind(now)
        .bind(now)
        .bind(new.contact.name.clone())
        .bind(new.contact.phone.clone())
        .bind(new.contact.email.clone())
        .bind(to_json(&new.instrument_ids))
        .execute(&mut *tx)
        .await?;
        write_notices(&mut tx, notices, now, &self.webhook_kinds()).await?;
        let i = fetch_interest(&mut tx, &id).await?;
        tx.commit().await?;
        Ok(i)
    }

    pub async fn get_interest(&self, id: &str) -> Result<Option<Interest>> {
        INTEREST.find(self.pool(), id).await
    }

    /// A demand's interests, oldest first; only `org_id`'s when given.
    pub async fn list_interests(
        &self,
        demand_id: &str,
        org_id: Option<&str>,
    ) -> Result<Vec<Interest>> {
        let (sql, vals) = match org_id {
            Some(org) => (
                format!(
                    "{INTEREST_SELECT} WHERE i.demand_id = $1 AND i.org_id = $2 \
                     ORDER BY i.created_at, i.id"
                ),
                vec![demand_id.into(), org.into()],
            ),
            None => (
                format!("{INTEREST_SELECT} WHERE i.demand_id = $1 ORDER BY i.created_at, i.id"),
                vec![demand_id.into()],
            ),
        };
        read_all(self.pool(), &sql, vals, interest).await
    }

    /// How many pending interests each of `demand_ids` has, in one query; demands without
    /// any are absent from the map.
    pub async fn pending_interest_counts(
        &self,
        demand_ids: &[String],
    ) -> Result<HashMap<String, u64>> {
        let mut out = HashMap::new();
        for chunk in demand_ids.chunks(INSERT_CHUNK) {
            let sql = format!(
                "SELECT demand_id, COUNT(*) AS n FROM interests WHERE status = {} \
                 AND demand_id IN ({}) GROUP BY demand_id",
                self.markers(1, 1),
                self.markers(2, chunk.len())
            );
            let mut q = sqlx::query(&sql).bind(InterestStatus::Pending.as_str());
            for id in chunk {
                q = q.bind(id.as_str());
            }
            for row in q.fetch_all(self.pool()).await? {
                let n: i64 = row.try_get("n")?;
                out.insert(
                    row.try_get("demand_id")?,
                    u64::try_from(n).unwrap_or_default(),
                );
            }
        }
        Ok(out)
    }

    /// The institutions whose interest each of `demand_ids` accepted, as (organisation id,
    /// name), in the order accepted; demands without any are absent from the map.
    pub async fn accepted_partners(
        &self,
        demand_ids: &[String],
    ) -> Result<HashMap<String, Vec<(String, String)>>> {
        let mut out: HashMap<String, Vec<(String, String)>> = HashMap::new();
        for chunk in demand_ids.chunks(INSERT_CHUNK) {
            let sql = format!(
                "SELECT i.demand_id, i.org_id, o.name FROM interests i \
                 JOIN organizations o ON o.id = i.org_id WHERE i.status = {} \
                 AND i.demand_id IN ({}) ORDER BY i.updated_at, i.id",
                self.markers(1, 1),
                self.markers(2, chunk.len())
            );
            let mut q = sqlx::query(&sql).bind(InterestStatus::Accepted.as_str());
            for id in chunk {
                q = q.bind(id.as_str());
            }
            for row in q.fetch_all(self.pool()).await? {
                out.entry(row.try_get("demand_id")?)
                    .or_default()
                    .push((row.try_get("org_id")?, row.try_get("name")?));
            }
        }
        Ok(out)
    }

    /// Accepts a pending interest and, in the same transaction, moves a published demand
    /// to in_docking (history entry with `note`, change-log row); a demand already in
    /// docking stays there. Conflict when the interest is no longer pending or the demand
    /// is in another status. `notices` are written in the same transaction.
    pub async fn accept_interest(
        &self,
        id: &str,
        actor: &Actor,
        note: &str,
        notices: &[NewNotice],
    ) -> Result<(Interest, Demand)> {
        let now = millis(Utc::now());
        let (mut tx, _gate) = self.begin_write().await?;
        let i = fetch_pending(&mut tx, id).await?;
        let d = fetch_demand(&mut tx, &i.demand_id).await?;
        match d.status {
            DemandStatus::Published => {
                transition_logged(
                    &mut tx,
                    &d.id,
                    (DemandStatus::Published, None),
                    DemandStatus::InDocking,
                    actor,
                    note,
                    now,
                )
                .await?;
            }
            DemandStatus::InDocking => {}
            other => {
                return Err(StoreError::Conflict(format!(
                    "需求状态为 {}（{}），不能再接受对接意向",
                    other.as_str(),
                    other.label()
                )))
            }
        }
        answer(&mut tx, id, InterestStatus::Accepted, None, now).await?;
        write_notices(&mut tx, notices, now, &self.webhook_kinds()).await?;
        let i = fetch_interest(&mut tx, id).await?;
        let d = fetch_demand(&mut tx, &i.demand_id).await?;
        tx.commit().await?;
        Ok((i, d))
    }

    /// Declines a pending interest with the owner's reason; `notices` in the same transaction.
    pub async fn decline_interest(
        &self,
        id: &str,
        reason: &str,
        notices: &[NewNotice],
    ) -> Result<Interest> {
        let now = millis(Utc::now());
        let (mut tx, _gate) = self.begin_write().await?;
        fetch_pending(&mut tx, id).await?;
        answer(&mut tx, id, InterestStatus::Declined, Some(reason), now).await?;
        write_notices(&mut tx, notices, now, &self.webhook_kinds()).await?;
        let i = fetch_interest(&mut tx, id).await?;
        tx.commit().await?;
        Ok(i)
    }
}
