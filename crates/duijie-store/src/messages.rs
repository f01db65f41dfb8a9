//! Conversations of a 揭榜 (messages between the demand's owner and the institution) and
//! attachments of demands and messages, in SQL. An attachment's bytes live in the database
//! (`BLOB` / `BYTEA`): every replica reads them, and a message commits with its files or not
//! at all. Lists read the metadata only; the bytes are read one file at a time.

use crate::demands::fetch_demand;
use crate::interests::fetch_interest;
use crate::rows::{self, millis};
use crate::sql::read_all;
use crate::{Result, SqlStore, StoreError};
use chrono::Utc;
use duijie_core::id::new_id;
use duijie_core::{Attachment, DemandStatus, InterestStatus, Message, NewAttachment, NewMessage};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

/// Where a conversation may still be written and how much a demand may hold.
#[derive(Debug, Clone, Copy)]
pub struct WriteRules<'a> {
    /// Demand statuses in which the write is allowed (empty: any).
    pub demand_statuses: &'a [DemandStatus],
    /// Bytes all attachments of one demand (its own and its conversations') may hold.
    pub max_demand_bytes: i64,
}

const ATTACHMENT_COLUMNS: &str = "a.id, a.demand_id, a.interest_id, a.org_id, a.uploaded_by, \
    a.file_name, a.content_type, a.size, a.sha256, a.created_at";

fn attachment(row: &AnyRow) -> Result<Attachment> {
    Ok(Attachment {
        id: row.try_get("id")?,
        demand_id: row.try_get("demand_id")?,
        interest_id: row.try_get("interest_id")?,
        org_id: row.try_get("org_id")?,
        uploaded_by: row.try_get("uploaded_by")?,
        file_name: row.try_get("file_name")?,
        content_type: row.try_get("content_type")?,
        size: row.try_get("size")?,
        sha256: row.try_get("sha256")?,
        created_at: rows::time(row.try_get("created_at")?),
    })
}

/// Fails unless the demand is in one of `statuses` (any when empty).
fn check_status(status: DemandStatus, statuses: &[DemandStatus], what: &str) -> Result<()> {
    if statuses.is_empty() || statuses.contains(&status) {
        return Ok(());
    }
    Err(StoreError::Conflict(format!(
        "需求当前为“{}”，不能再{what}",
        status.label()
    )))
}

/// Fails when `adding` more bytes would take the demand's attachments over `max`.
async fn check_room(
    conn: &mut AnyConnection,
    demand_id: &str,
    adding: i64,
    max: i64,
) -> Result<()> {
    let held: i64 = sqlx::query(
        "SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT) AS n FROM attachments WHERE demand_id = $1",
    )
    .bind(demand_id)
    .fetch_one(&mut *conn)
    .await?
    .try_get("n")?;
    if held.saturating_add(adding) > max {
        return Err(StoreError::TooLarge(format!(
            "该需求的附件总量不能超过 {} MB（已有 {:.1} MB）",
            max / (1024 * 1024),
            held as f64 / (1024.0 * 1024.0)
        )));
    }
    Ok(())
}

async fn insert_attachment(
    conn: &mut AnyConnection,
    demand_id: &str,
    interest_id: Option<&str>,
    new: &NewAttachment,
    now: i64,
) -> Result<String> {
    let id = new_id("att");
    let size = i64::try_from(new.data.len()).unwrap_or(i64::MAX);
    sqlx::query(
        "INSERT INTO attachments (id, demand_id, interest_id, org_id, uploaded_by, file_name, \
         content_type, size, sha256, data, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(id.clone())
    .bind(demand_id.to_string())
    .bind(interest_id.map(str::to_string))
    .bind(new.org_id.clone())
    .bind(new.uploaded_by.clone())
    .bind(new.file_name.clone())
    .bind(new.content_type.clone())
    .bind(size)
    .bind(new.sha256.clone())
    .bind(new.data.clone())
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(id)
}

async fn fetch_attachment(conn: &mut AnyConnection, id: &str) -> Result<Option<Attachment>> {
    sqlx::query(&format!(
        "SELECT {ATTACHMENT_COLUMNS} FROM attachments a WHERE a.id = $1"
    ))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .map(|r| attachment(&r))
    .transpose()
}

impl SqlStore {
    /// Records a message with its new files and links to stored ones, in one transaction.
    /// Conflict when the interest was declined or its demand is not in
    /// `rules.demand_statuses`; TooLarge when the files take the demand over
    /// `rules.max_demand_bytes`; Invalid when a linked attachment is not the demand's own or
    /// this conversation's.
    pub async fn create_message(&self, new: &NewMessage, rules: WriteRules<'_>) -> Result<Message> {
        let now = millis(Utc::now());
        let id = new_id("msg");
        let (mut tx, _gate) = self.begin_write().await?;
        let i = fetch_interest(&mut tx, &new.interest_id).await?;
        if i.status == InterestStatus::Declined {
            return Err(StoreError::Conflict(
                "该对接意向未被接受，对话已结束，仅供查阅".into(),
            ));
        }
        let d = fetch_demand(&mut tx, &i.demand_id).await?;
        check_status(d.status, rules.demand_statuses, "发送消息")?;
        let adding: i64 = new
            .files
            .iter()
            .map(|f| i64::try_from(f.data.len()).unwrap_or(i64::MAX))
            .fold(0, i64::saturating_add);
        if adding > 0 {
            check_room(&mut tx, &d.id, adding, rules.max_demand_bytes).await?;
        }
        for aid in &new.attachment_ids {
            let a = fetch_attachment(&mut tx, aid).await?;
            let usable = a.is_some_and(|a| {
                a.demand_id == d.id && a.interest_id.as_deref().is_none_or(|c| c == i.id.as_str())
            });
            if !usable {
                return Err(StoreError::Invalid(
                    "所引用的附件不存在，或不属于该需求及其对话".into(),
                ));
            }
        }
        sqlx::query(
            "INSERT INTO messages (id, interest_id, org_id, sender_id, body, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id.clone())
        .bind(i.id.clone())
        .bind(new.org_id.clone())
        .bind(new.sender_id.clone())
        .bind(new.body.clone())
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let mut linked = Vec::new();
        for f in &new.files {
            linked.push(insert_attachment(&mut tx, &d.id, Some(&i.id), f, now).await?);
        }
        for aid in &new.attachment_ids {
            if !linked.contains(aid) {
                linked.push(aid.clone());
            }
        }
        for aid in &linked {
            sqlx::query(
                "INSERT INTO message_attachments (message_id, attachment_id) VALUES ($1, $2)",
            )
            .bind(id.clone())
            .bind(aid.clone())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        let mut all = self.list_messages(&i.id).await?;
        all.retain(|m| m.id == id);
        all.pop()
            .ok_or_else(|| StoreError::NotFound("消息不存在".into()))
    }

    /// A conversation, oldest first, each message with its attachments.
    pub async fn list_messages(&self, interest_id: &str) -> Result<Vec<Message>> {
        let rows = sqlx::query(
            "SELECT m.id, m.interest_id, m.org_id, o.name AS org_name, m.body, m.created_at \
             FROM messages m JOIN organizations o ON o.id = m.org_id \
             WHERE m.interest_id = $1 ORDER BY m.created_at, m.id",
        )
        .bind(interest_id)
        .fetch_all(self.pool())
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            out.push(Message {
                id: r.try_get("id")?,
                interest_id: r.try_get("interest_id")?,
                org_id: r.try_get("org_id")?,
                org_name: r.try_get("org_name")?,
                body: r.try_get("body")?,
                attachments: Vec::new(),
                created_at: rows::time(r.try_get("created_at")?),
            });
        }
        let files = sqlx::query(&format!(
            "SELECT ma.message_id, {ATTACHMENT_COLUMNS} FROM message_attachments ma \
             JOIN attachments a ON a.id = ma.attachment_id \
             JOIN messages m ON m.id = ma.message_id \
             WHERE m.interest_id = $1 ORDER BY a.created_at, a.id"
        ))
        .bind(interest_id)
        .fetch_all(self.pool())
        .await?;
        for r in &files {
            let message_id: String = r.try_get("message_id")?;
            if let Some(m) = out.iter_mut().find(|m| m.id == message_id) {
                m.attachments.push(attachment(r)?);
            }
        }
        Ok(out)
    }

    /// Stores a file of the demand itself; Conflict when the demand is not in
    /// `rules.demand_statuses`, TooLarge when it would hold more than `rules.max_demand_bytes`.
    pub async fn create_attachment(
        &self,
        demand_id: &str,
        new: &NewAttachment,
        rules: WriteRules<'_>,
    ) -> Result<Attachment> {
        let now = millis(Utc::now());
        let (mut tx, _gate) = self.begin_write().await?;
        let d = fetch_demand(&mut tx, demand_id).await?;
        check_status(d.status, rules.demand_statuses, "添加附件")?;
        let size = i64::try_from(new.data.len()).unwrap_or(i64::MAX);
        check_room(&mut tx, &d.id, size, rules.max_demand_bytes).await?;
        let id = insert_attachment(&mut tx, &d.id, None, new, now).await?;
        let a = fetch_attachment(&mut tx, &id)
            .await?
            .ok_or_else(|| StoreError::NotFound("附件不存在".into()))?;
        tx.commit().await?;
        Ok(a)
    }

    pub async fn get_attachment(&self, id: &str) -> Result<Option<Attachment>> {
        let mut conn = self.pool().acquire().await?;
        fetch_attachment(&mut conn, id).await
    }

    /// The stored bytes of one attachment.
    pub async fn attachment_data(&self, id: &str) -> Result<Option<Vec<u8>>> {
        sqlx::query("SELECT data FROM attachments WHERE id = $1")
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .map(|r| r.try_get::<Vec<u8>, _>("data"))
            .transpose()
            .map_err(Into::into)
    }

    /// The demand's own files (`None`) or those posted in one of its conversations.
    pub async fn list_attachments(
        &self,
        demand_id: &str,
        interest_id: Option<&str>,
    ) -> Result<Vec<Attachment>> {
        let (sql, vals) = match interest_id {
            None => (
                format!(
                    "SELECT {ATTACHMENT_COLUMNS} FROM attachments a WHERE a.demand_id = $1 \
                     AND a.interest_id IS NULL ORDER BY a.created_at, a.id"
                ),
                vec![demand_id.into()],
            ),
            Some(c) => (
                format!(
                    "SELECT {ATTACHMENT_COLUMNS} FROM attachments a WHERE a.demand_id = $1 \
                     AND a.interest_id = $2 ORDER BY a.created_at, a.id"
                ),
                vec![demand_id.into(), c.into()],
            ),
        };
        read_all(self.pool(), &sql, vals, attachment).await
    }

    /// Deletes a file of a demand in one of `demand_statuses` (any when empty); Conflict for
    /// a file posted in a conversation or cited by a message.
    pub async fn delete_attachment(
        &self,
        id: &str,
        demand_statuses: &[DemandStatus],
    ) -> Result<()> {
        let (mut tx, _gate) = self.begin_write().await?;
        let a = fetch_attachment(&mut tx, id)
            .await?
            .ok_or_else(|| StoreError::NotFound("附件不存在或已删除".into()))?;
        if a.interest_id.is_some() {
            return Err(StoreError::Conflict(
                "对话中的附件是往来记录的一部分，不能删除".into(),
            ));
        }
        let d = fetch_demand(&mut tx, &a.demand_id).await?;
        check_status(d.status, demand_statuses, "删除附件")?;
        let cited: i64 =
            sqlx::query("SELECT COUNT(*) AS n FROM message_attachments WHERE attachment_id = $1")
                .bind(id)
                .fetch_one(&mut *tx)
                .await?
                .try_get("n")?;
        if cited > 0 {
            return Err(StoreError::Conflict(
                "该附件已在对话中被引用，不能删除".into(),
            ));
        }
        sqlx::query("DELETE FROM attachments WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
