//! The bureau's ledger (台账): cooperation projects and secondments.

use super::OrgRef;
use chrono::{DateTime, NaiveDate, Utc};
use duijie_app::openapi;
use serde::Serialize;
use utoipa::ToSchema;

/// The demand a project answers.
#[derive(Debug, Serialize, ToSchema)]
pub struct DemandRef {
    pub id: String,
    pub title: String,
}

/// One milestone of a project (节点).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Milestone)]
pub struct MilestoneJson {
    pub date: NaiveDate,
    pub text: String,
    pub done: bool,
}

/// A cooperation project of the ledger (合作项目台账).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Project)]
pub struct ProjectJson {
    pub id: String,
    pub title: String,
    pub demand: DemandRef,
    pub enterprise: OrgRef,
    pub institution: OrgRef,
    /// The demand's county or district.
    pub region: Option<String>,
    pub field: Option<String>,
    pub amount_wan: f64,
    pub signed_on: NaiveDate,
    pub key_project: bool,
    #[schema(schema_with = openapi::project_status)]
    pub status: &'static str,
    pub status_label: &'static str,
    pub milestones: Vec<MilestoneJson>,
    pub notes: String,
    /// Raised by every update; also the `ETag` of `GET /projects/{id}`.
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<duijie_core::Project> for ProjectJson {
    fn from(p: duijie_core::Project) -> Self {
        ProjectJson {
            id: p.id,
            title: p.title,
            demand: DemandRef {
                id: p.demand_id,
                title: p.demand_title,
            },
            enterprise: OrgRef::new(p.enterprise_id, p.enterprise_name),
            institution: OrgRef::new(p.institution_id, p.institution_name),
            region: p.region,
            field: p.field,
            amount_wan: p.amount_wan,
            signed_on: p.signed_on,
            key_project: p.key_project,
            status: p.status.as_str(),
            status_label: p.status.label(),
            milestones: p
                .milestones
                .into_iter()
                .map(|m| MilestoneJson {
                    date: m.date,
                    text: m.text,
                    done: m.done,
                })
                .collect(),
            notes: p.notes,
            version: p.version,
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}

/// The expert of a secondment, with the expert's own institution.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExpertRef {
    pub id: String,
    pub name: String,
    pub institution: String,
}

/// An expert's posting (科技副职 / 挂职); `end` is null while open-ended.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Secondment)]
pub struct SecondmentJson {
    pub id: String,
    pub expert: ExpertRef,
    pub host: OrgRef,
    pub post: String,
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
}

impl From<duijie_core::Secondment> for SecondmentJson {
    fn from(s: duijie_core::Secondment) -> Self {
        SecondmentJson {
            id: s.id,
            expert: ExpertRef {
                id: s.expert_id,
                name: s.expert_name,
                institution: s.home_org_name,
            },
            host: OrgRef::new(s.host_org_id, s.host_org_name),
            post: s.post,
            start: s.start_on,
            end: s.end_on,
            created_at: s.created_at,
        }
    }
}
