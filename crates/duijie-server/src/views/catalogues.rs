//! Catalogue editions (目录期次), their comparison, and import reports.

use super::DemandJson;
use chrono::{DateTime, Utc};
use duijie_app::openapi;
use serde::Serialize;
use utoipa::ToSchema;

/// One edition of the demand catalogue.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Catalogue)]
pub struct CatalogueJson {
    pub id: String,
    pub title: String,
    /// The period it covers, as the bureau writes it (`2026Q4`, `2026年第4期`).
    pub period: Option<String>,
    #[schema(schema_with = openapi::catalogue_status)]
    pub status: &'static str,
    pub item_count: i64,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
}

impl From<duijie_core::CatalogueEdition> for CatalogueJson {
    fn from(e: duijie_core::CatalogueEdition) -> Self {
        CatalogueJson {
            id: e.id,
            title: e.title,
            period: e.period,
            status: e.status.as_str(),
            item_count: e.item_count,
            created_by: e.created_by,
            created_at: e.created_at,
            published_at: e.published_at,
        }
    }
}

/// An edition with its items.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = CatalogueDetail)]
pub struct CatalogueDetailJson {
    #[serde(flatten)]
    pub edition: CatalogueJson,
    pub items: Vec<DemandJson>,
}

/// A demand named in a diff.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = DiffEntry)]
pub struct DiffEntryJson {
    pub id: String,
    pub title: String,
    pub enterprise: String,
    /// For demands that left: where the demand stands now, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = openapi::demand_status)]
    pub status_now: Option<&'static str>,
}

impl From<duijie_core::catalogues::DiffEntry> for DiffEntryJson {
    fn from(d: duijie_core::catalogues::DiffEntry) -> Self {
        DiffEntryJson {
            id: d.id,
            title: d.title,
            enterprise: d.enterprise,
            status_now: d.status_now.map(|s| s.as_str()),
        }
    }
}

/// A demand in both editions whose published text differs.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChangedEntryJson {
    #[serde(flatten)]
    pub demand: DiffEntryJson,
    /// Names of the fields that differ, as the API spells them.
    pub fields: Vec<&'static str>,
}

/// Two editions compared.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = CatalogueDiff)]
pub struct CatalogueDiffJson {
    pub from: CatalogueJson,
    pub to: CatalogueJson,
    pub added: Vec<DiffEntryJson>,
    pub changed: Vec<ChangedEntryJson>,
    pub removed: Vec<DiffEntryJson>,
}

impl From<duijie_app::EditionDiff> for CatalogueDiffJson {
    fn from(d: duijie_app::EditionDiff) -> Self {
        let entries = |v: Vec<duijie_core::catalogues::DiffEntry>| -> Vec<DiffEntryJson> {
            v.into_iter().map(Into::into).collect()
        };
        CatalogueDiffJson {
            from: d.from.into(),
            to: d.to.into(),
            added: entries(d.diff.added),
            changed: d
                .diff
                .changed
                .into_iter()
                .map(|c| ChangedEntryJson {
                    demand: c.demand.into(),
                    fields: c.fields,
                })
                .collect(),
            removed: entries(d.diff.removed),
        }
    }
}

/// The outcome of importing one file (导入报告).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ImportReport)]
pub struct ImportReportJson {
    pub id: String,
    pub file: String,
    pub sha256: String,
    /// `demands`, `achievements` or `experts`.
    pub kind: &'static str,
    pub rows_total: u32,
    pub rows_imported: u32,
    pub rows_unchanged: u32,
    pub rows_skipped: u32,
    pub errors: Vec<RowErrorJson>,
    pub created_at: DateTime<Utc>,
}

/// One problem found in a catalogue row, where the user sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct RowErrorJson {
    pub sheet: String,
    /// 1-based sheet row.
    pub row: u32,
    /// The column header as written in the file.
    pub column: Option<String>,
    pub code: String,
    pub message: String,
}

impl From<duijie_core::ImportReport> for ImportReportJson {
    fn from(r: duijie_core::ImportReport) -> Self {
        ImportReportJson {
            id: r.id,
            file: r.file,
            sha256: r.sha256,
            kind: r.kind.as_str(),
            rows_total: r.rows_total,
            rows_imported: r.rows_imported,
            rows_unchanged: r.rows_unchanged,
            rows_skipped: r.rows_skipped,
            errors: r
                .errors
                .into_iter()
                .map(|e| RowErrorJson {
                    sheet: e.sheet,
                    row: e.row,
                    column: e.column,
                    code: e.code,
                    message: e.message,
                })
                .collect(),
            created_at: r.created_at,
        }
    }
}
