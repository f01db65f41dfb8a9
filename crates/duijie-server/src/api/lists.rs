//! Pages of lists read from the database: where a page starts, the answer, and the answers
//! that had names of their own in the API document before it was derived (client generators
//! name their classes after them). utoipa names an instance of a generic type after its
//! arguments (`Paged_DemandJson`), so each named page is a type of its own: the same JSON
//! (serde transparent) and the same schema (the page's, inlined).

use crate::views::{AuditEntryJson, DemandJson, OwnRecordJson, Paged, ReviewItemJson};
use serde::Serialize;
use utoipa::ToSchema;

// Plain comments on these types: a doc comment would become the schema's description.

// The caller's demands or every demand by status (`GET /my/demands`).
#[derive(Debug, Serialize, ToSchema)]
#[serde(transparent)]
pub struct DemandList(#[schema(inline)] pub Paged<DemandJson>);

// The review queue (`GET /review-queue`).
#[derive(Debug, Serialize, ToSchema)]
#[serde(transparent)]
pub struct ReviewQueue(#[schema(inline)] pub Paged<ReviewItemJson>);

// An institution's own records (`GET /my/records`).
#[derive(Debug, Serialize, ToSchema)]
#[serde(transparent)]
pub struct OwnRecordPage(#[schema(inline)] pub Paged<OwnRecordJson>);

// Entries of the audit log (`GET /audit`, `GET /record-changes`).
#[derive(Debug, Serialize, ToSchema)]
#[serde(transparent)]
pub struct AuditPage(#[schema(inline)] pub Paged<AuditEntryJson>);

/// Page `page` (1-based; 0 reads as 1) of `per_page` items: the page and the offset of its
/// first item.
pub fn window(page: Option<u32>, per_page: u32) -> (u32, u32) {
    let page = page.unwrap_or(1).max(1);
    (page, (page - 1).saturating_mul(per_page))
}

/// A page read as `(items, total)`, each item as its view.
pub fn paged<R, T: From<R>>(page: u32, per_page: u32, (items, total): (Vec<R>, i64)) -> Paged<T> {
    Paged {
        total,
        page,
        per_page,
        items: items.into_iter().map(T::from).collect(),
    }
}
