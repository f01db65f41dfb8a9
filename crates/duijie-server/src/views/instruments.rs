//! Shared research instruments (科研仪器).

use super::{field_name, OrgRef};
use chrono::{DateTime, Utc};
use duijie_core::Instrument;
use serde::Serialize;
use utoipa::ToSchema;

/// A shared research instrument (科研仪器).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Instrument)]
pub struct InstrumentJson {
    pub id: String,
    pub name: String,
    pub model: String,
    pub fields: Vec<&'static str>,
    pub description: String,
    pub location: String,
    pub booking_terms: String,
    pub institution: OrgRef,
    /// Raised by every write; also the `ETag`.
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Instrument> for InstrumentJson {
    fn from(i: Instrument) -> Self {
        let b = i.body;
        InstrumentJson {
            id: i.id,
            name: b.name,
            model: b.model,
            fields: b.fields.into_iter().map(field_name).collect(),
            description: b.description,
            location: b.location,
            booking_terms: b.booking_terms,
            institution: OrgRef::new(i.org_id, i.org_name),
            version: i.version,
            created_at: i.created_at,
            updated_at: i.updated_at,
        }
    }
}
