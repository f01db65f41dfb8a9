//! The audit log (审计日志).

use super::Paged;
use chrono::{DateTime, Utc};
use duijie_app::openapi;
use serde::Serialize;
use utoipa::ToSchema;

/// Who an audit entry names; `id` and `role` are null for the local command line.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditActorJson {
    pub id: Option<String>,
    pub name: String,
    pub role: Option<&'static str>,
    pub role_label: &'static str,
}

/// One entry of the audit log.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = AuditEntry)]
pub struct AuditEntryJson {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor: AuditActorJson,
    #[schema(schema_with = openapi::audit_action)]
    pub action: &'static str,
    pub action_label: &'static str,
    #[schema(schema_with = openapi::audit_subject)]
    pub record_kind: &'static str,
    pub record_ids: Vec<String>,
    pub summary: String,
}

impl From<duijie_app::AuditEntry> for AuditEntryJson {
    fn from(e: duijie_app::AuditEntry) -> Self {
        AuditEntryJson {
            seq: e.seq,
            at: e.at,
            actor: AuditActorJson {
                role: e.actor.role.map(|r| r.as_str()),
                role_label: duijie_app::audit::role_name(e.actor.role),
                id: e.actor.id,
                name: e.actor.name,
            },
            action: e.action.as_str(),
            action_label: e.action.label(),
            record_kind: e.subject.as_str(),
            record_ids: e.record_ids,
            summary: e.summary,
        }
    }
}

/// A page of the audit log, newest first.
pub type AuditPageJson = Paged<AuditEntryJson>;

impl From<duijie_app::AuditPage> for AuditPageJson {
    fn from(p: duijie_app::AuditPage) -> Self {
        Paged {
            total: p.total,
            page: p.page,
            per_page: p.per_page,
            items: p.items.into_iter().map(Into::into).collect(),
        }
    }
}
