//! How records map to rows and back: the shared SELECTs of records with their organisation's
//! name, the columns written for a draft (body, contact, content hash), row decoding, and the
//! small value type used to bind many rows at once.

use crate::{Result, StoreError};
use chrono::{DateTime, TimeZone, Utc};
use duijie_core::text::{clean_line, normalize_title};
use duijie_core::{
    Achievement, AchievementDraft, CatalogueEdition, CatalogueStatus, Contact, Demand, DemandDraft,
    DemandStatus, Expert, ExpertDraft, OrgKind, Organization, Role, User,
};
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::any::AnyRow;
use sqlx::Row;

/// A bindable value: the few types every backend of the `Any` driver agrees on.
#[derive(Debug, Clone)]
pub(crate) enum Val {
    Text(Option<String>),
    Int(Option<i64>),
}

impl From<String> for Val {
    fn from(s: String) -> Self {
        Val::Text(Some(s))
    }
}
impl From<&str> for Val {
    fn from(s: &str) -> Self {
        Val::Text(Some(s.to_string()))
    }
}
impl From<Option<String>> for Val {
    fn from(s: Option<String>) -> Self {
        Val::Text(s)
    }
}
impl From<i64> for Val {
    fn from(v: i64) -> Self {
        Val::Int(Some(v))
    }
}
impl From<Option<i64>> for Val {
    fn from(v: Option<i64>) -> Self {
        Val::Int(v)
    }
}

pub(crate) fn bind_vals<'q>(
    mut q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    vals: Vec<Val>,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    for v in vals {
        q = match v {
            Val::Text(t) => q.bind(t),
            Val::Int(i) => q.bind(i),
        };
    }
    q
}

pub(crate) fn millis(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

pub(crate) fn time(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms).single().unwrap_or_default()
}

pub(crate) fn json<T: serde::de::DeserializeOwned>(id: &str, text: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(id.to_string(), e.to_string()))
}

pub(crate) fn to_json<T: serde::Serialize>(value: &T) -> String {
    // Serialising plain records to a String cannot fail: no maps with non-string keys.
    serde_json::to_string(value).unwrap_or_default()
}

pub(crate) const DEMAND_SELECT: &str =
    "SELECT d.id, d.org_id, o.name AS org_name, d.status, d.version, d.body, \
    d.contact, d.created_at, d.updated_at FROM demands d JOIN organizations o ON o.id = d.org_id";
pub(crate) const ACHIEVEMENT_SELECT: &str = "SELECT a.id, a.org_id, o.name AS org_name, a.expert_id, \
    a.body, a.version, a.created_at, a.updated_at FROM achievements a JOIN organizations o ON o.id = a.org_id";
pub(crate) const EXPERT_SELECT: &str =
    "SELECT e.id, e.org_id, o.name AS org_name, e.body, e.contact, \
    e.version, e.created_at, e.updated_at FROM experts e JOIN organizations o ON o.id = e.org_id";

/// SHA-256 of the parts, each ended by a NUL so that moving text between parts changes it.
fn content_hash(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0u8]);
    }
    hex::encode(h.finalize())
}

/// The body without its contact, the contact (a column of its own) and the hash of both.
fn columns_with_contact(body: &impl Serialize, contact: &Contact) -> (String, String, String) {
    let body = to_json(body);
    let contact = to_json(contact);
    let hash = content_hash(&[&body, &contact]);
    (body, contact, hash)
}

pub(crate) fn demand_columns(draft: &DemandDraft) -> (String, String, String) {
    let body = DemandDraft {
        contact: Contact::default(),
        ..draft.clone()
    };
    columns_with_contact(&body, &draft.contact)
}

/// The columns a demand's draft fills, in the order [`bind_demand`] binds them.
pub(crate) const DEMAND_COLUMNS: [&str; 7] = [
    "norm_title",
    "title",
    "field",
    "region",
    "body",
    "contact",
    "content_hash",
];

/// Binds `draft`'s [`DEMAND_COLUMNS`] as the statement's next parameters.
pub(crate) fn bind_demand<'q>(
    q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    draft: &DemandDraft,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    let (body, contact, hash) = demand_columns(draft);
    q.bind(normalize_title(&draft.title))
        .bind(clean_line(&draft.title))
        .bind(draft.field.map(|f| f.label().to_string()))
        .bind(draft.region.clone())
        .bind(body)
        .bind(contact)
        .bind(hash)
}

pub(crate) fn expert_columns(draft: &ExpertDraft) -> (String, String, String) {
    let body = ExpertDraft {
        contact: Contact::default(),
        ..draft.clone()
    };
    columns_with_contact(&body, &draft.contact)
}

pub(crate) fn achievement_columns(draft: &AchievementDraft) -> (String, String) {
    let body = to_json(draft);
    let hash = content_hash(&[&body]);
    (body, hash)
}

pub(crate) fn organization(row: &AnyRow) -> Result<Organization> {
    let id: String = row.try_get("id")?;
    let kind: String = row.try_get("kind")?;
    Ok(Organization {
        kind: OrgKind::parse(&kind)
            .ok_or_else(|| StoreError::Corrupt(id.clone(), format!("org kind {kind}")))?,
        name: row.try_get("name")?,
        norm_name: row.try_get("norm_name")?,
        region: row.try_get("region")?,
        credit_code: row.try_get("credit_code")?,
        created_at: time(row.try_get("created_at")?),
        id,
    })
}

/// Demand rows are read with `o.name AS org_name` joined in.
pub(crate) fn demand(row: &AnyRow) -> Result<Demand> {
    let id: String = row.try_get("id")?;
    let status: String = row.try_get("status")?;
    let mut body: DemandDraft = json(&id, &row.try_get::<String, _>("body")?)?;
    body.contact = json::<Contact>(&id, &row.try_get::<String, _>("contact")?)?;
    Ok(Demand {
        org_id: row.try_get("org_id")?,
        org_name: row.try_get("org_name")?,
        status: DemandStatus::parse(&status)
            .ok_or_else(|| StoreError::Corrupt(id.clone(), format!("status {status}")))?,
        version: row.try_get("version")?,
        body,
        created_at: time(row.try_get("created_at")?),
        updated_at: time(row.try_get("updated_at")?),
        id,
    })
}

pub(crate) fn achievement(row: &AnyRow) -> Result<Achievement> {
    let id: String = row.try_get("id")?;
    let body: AchievementDraft = json(&id, &row.try_get::<String, _>("body")?)?;
    Ok(Achievement {
        org_id: row.try_get("org_id")?,
        org_name: row.try_get("org_name")?,
        expert_id: row.try_get("expert_id")?,
        body,
        version: row.try_get("version")?,
        created_at: time(row.try_get("created_at")?),
        updated_at: time(row.try_get("updated_at")?),
        id,
    })
}

pub(crate) fn expert(row: &AnyRow) -> Result<Expert> {
    let id: String = row.try_get("id")?;
    let mut body: ExpertDraft = json(&id, &row.try_get::<String, _>("body")?)?;
    body.contact = json::<Contact>(&id, &row.try_get::<String, _>("contact")?)?;
    Ok(Expert {
        org_id: row.try_get("org_id")?,
        org_name: row.try_get("org_name")?,
        body,
        version: row.try_get("version")?,
        created_at: time(row.try_get("created_at")?),
        updated_at: time(row.try_get("updated_at")?),
        id,
    })
}

pub(crate) fn user(row: &AnyRow) -> Result<User> {
    let id: String = row.try_get("id")?;
    let role: String = row.try_get("role")?;
    let revoked_at: Option<i64> = row.try_get("revoked_at")?;
    Ok(User {
        name: row.try_get("name")?,
        role: Role::parse(&role)
            .ok_or_else(|| StoreError::Corrupt(id.clone(), format!("role {role}")))?,
        org_id: row.try_get("org_id")?,
        email: row.try_get("email")?,
        phone: row.try_get("phone")?,
        created_at: time(row.try_get("created_at")?),
        revoked: revoked_at.is_some(),
        id,
    })
}

/// Catalogue rows are read with their `item_count` counted alongside.
pub(crate) fn catalogue(row: &AnyRow) -> Result<CatalogueEdition> {
    let id: String = row.try_get("id")?;
    let status: String = row.try_get("status")?;
    let published_at: Option<i64> = row.try_get("published_at")?;
    Ok(CatalogueEdition {
        title: row.try_get("title")?,
        period: row.try_get("period")?,
        status: CatalogueStatus::parse(&status)
            .ok_or_else(|| StoreError::Corrupt(id.clone(), format!("catalogue status {status}")))?,
        item_count: row.try_get("item_count")?,
        created_by: row.try_get("created_by")?,
        created_at: time(row.try_get("created_at")?),
        published_at: published_at.map(time),
        id,
    })
}
