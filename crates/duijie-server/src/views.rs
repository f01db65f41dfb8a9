//! JSON shapes of records as the API contract (`api.md`) gives them.

use chrono::{DateTime, NaiveDate, Utc};
use duijie_core::{Achievement, CoopMode, Demand, Expert, Field, Instrument, Maturity};
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct OrgRef {
    pub id: String,
    pub name: String,
}

/// A demand; `contact_*` are absent when the caller may not see them (or there are none).
#[derive(Debug, Serialize)]
pub struct DemandJson {
    pub id: String,
    pub status: duijie_core::DemandStatus,
    pub title: String,
    pub description: String,
    pub goals: String,
    pub field: Option<Field>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field_raw: Option<String>,
    pub modes: Vec<CoopMode>,
    pub keywords: Vec<String>,
    pub budget_wan: Option<f64>,
    pub budget_negotiable: bool,
    pub region: Option<String>,
    pub deadline: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_phone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_email: Option<String>,
    pub enterprise: OrgRef,
    /// Raised by every write; also the `ETag` of `GET /demands/{id}`, sent back in `If-Match`.
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Demand> for DemandJson {
    fn from(d: Demand) -> Self {
        let b = d.body;
        DemandJson {
            id: d.id,
            status: d.status,
            title: b.title,
            description: b.description,
            goals: b.goals,
            field: b.field,
            field_raw: b.field_raw,
            modes: b.modes,
            keywords: b.keywords,
            budget_wan: b.budget_wan,
            budget_negotiable: b.budget_negotiable,
            region: b.region,
            deadline: b.deadline,
            contact_name: b.contact.name,
            contact_phone: b.contact.phone,
            contact_email: b.contact.email,
            enterprise: OrgRef {
                id: d.org_id,
                name: d.org_name,
            },
            version: d.version,
            created_at: d.created_at,
            updated_at: d.updated_at,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct AchievementJson {
    pub id: String,
    pub title: String,
    pub summary: String,
    pub keywords: Vec<String>,
    pub field: Option<Field>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field_raw: Option<String>,
    pub maturity: Option<Maturity>,
    pub leader: Option<String>,
    pub expert_id: Option<String>,
    pub year: Option<i32>,
    pub region: Option<String>,
    pub institution: OrgRef,
    /// Raised by every write; also the `ETag`.
    pub version: i64,
    pub created_at: DateTime<Utc>,
}

impl From<Achievement> for AchievementJson {
    fn from(a: Achievement) -> Self {
        let b = a.body;
        AchievementJson {
            id: a.id,
            title: b.title,
            summary: b.summary,
            keywords: b.keywords,
            field: b.field,
            field_raw: b.field_raw,
            maturity: b.maturity,
            leader: b.leader,
            expert_id: a.expert_id,
            year: b.year,
            region: b.region,
            institution: OrgRef {
                id: a.org_id,
                name: a.org_name,
            },
            version: a.version,
            created_at: a.created_at,
        }
    }
}

/// An expert; phone and e-mail only for roles that may see them.
#[derive(Debug, Serialize)]
pub struct ExpertJson {
    pub id: String,
    pub name: String,
    pub title: Option<String>,
    pub department: Option<String>,
    pub research_areas: Vec<String>,
    pub keywords: Vec<String>,
    pub bio: String,
    pub field: Option<Field>,
    pub institution: OrgRef,
    /// Raised by every write; also the `ETag`.
    pub version: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

impl From<Expert> for ExpertJson {
    fn from(e: Expert) -> Self {
        let b = e.body;
        ExpertJson {
            id: e.id,
            name: b.name,
            title: b.title,
            department: b.department,
            research_areas: b.research_areas,
            keywords: b.keywords,
            bio: b.bio,
            field: b.field,
            institution: OrgRef {
                id: e.org_id,
                name: e.org_name,
            },
            version: e.version,
            phone: b.contact.phone,
            email: b.contact.email,
        }
    }
}

/// A search result: the record and its highlighted title and snippet.
#[derive(Debug, Serialize)]
pub struct Hit<T> {
    #[serde(flatten)]
    pub record: T,
    pub title_html: String,
    pub snippet_html: String,
    /// Found by meaning only (语义相近): none of the query's words is in it.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub semantic: bool,
}

impl<T> Hit<T> {
    pub fn from_found<R>(f: duijie_app::Found<R>, view: impl Fn(R) -> T) -> Self {
        Hit {
            record: view(f.record),
            title_html: f.title_html,
            snippet_html: f.snippet_html,
            semantic: f.semantic,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct FacetCount {
    pub value: String,
    pub count: u64,
}

#[derive(Debug, Serialize)]
pub struct FacetsJson {
    pub field: Vec<FacetCount>,
    pub region: Vec<FacetCount>,
}

impl From<duijie_search::Facets> for FacetsJson {
    fn from(f: duijie_search::Facets) -> Self {
        let conv = |v: Vec<(String, u64)>| {
            v.into_iter()
                .map(|(value, count)| FacetCount { value, count })
                .collect()
        };
        FacetsJson {
            field: conv(f.field),
            region: conv(f.region),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct PageJson<T> {
    pub total: usize,
    pub page: u32,
    pub per_page: u32,
    pub items: Vec<Hit<T>>,
    pub facets: FacetsJson,
}

impl<T> PageJson<T> {
    pub fn from_page<R>(p: duijie_app::Page<R>) -> Self
    where
        T: From<R>,
    {
        PageJson {
            total: p.total,
            page: p.page,
            per_page: p.per_page,
            items: p
                .items
                .into_iter()
                .map(|f| Hit::from_found(f, T::from))
                .collect(),
            facets: p.facets.into(),
        }
    }
}

/// An edition with its items.
#[derive(Debug, Serialize)]
pub struct CatalogueJson {
    #[serde(flatten)]
    pub edition: duijie_core::CatalogueEdition,
    pub items: Vec<DemandJson>,
}

/// One demand of the review queue.
#[derive(Debug, Serialize)]
pub struct ReviewItemJson {
    pub demand: DemandJson,
    pub complete: bool,
    pub gaps: Vec<duijie_core::curation::Gap>,
    /// Values to check before approving (a passed deadline, an unusual budget).
    pub doubts: Vec<duijie_core::curation::Doubt>,
    pub suggested_note: Option<String>,
    pub duplicates: Vec<duijie_app::DuplicateCandidate>,
}

impl From<duijie_app::ReviewItem> for ReviewItemJson {
    fn from(r: duijie_app::ReviewItem) -> Self {
        ReviewItemJson {
            demand: r.demand.into(),
            complete: r.gaps.is_empty(),
            gaps: r.gaps,
            doubts: r.doubts,
            suggested_note: r.suggested_note,
            duplicates: r.duplicates,
        }
    }
}

/// An expression of interest (揭榜 / 对接意向); `decline_reason` once declined.
#[derive(Debug, Serialize)]
pub struct InterestJson {
    pub id: String,
    pub demand_id: String,
    pub institution: OrgRef,
    pub message: String,
    pub expert_ids: Vec<String>,
    pub achievement_ids: Vec<String>,
    pub instrument_ids: Vec<String>,
    pub status: duijie_core::InterestStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decline_reason: Option<String>,
    /// The institution's contact person for this 揭榜: absent when the caller may not see it
    /// (the demand's owner sees it once it accepted) or none was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact: Option<duijie_core::Contact>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<duijie_core::Interest> for InterestJson {
    fn from(i: duijie_core::Interest) -> Self {
        InterestJson {
            id: i.id,
            demand_id: i.demand_id,
            institution: OrgRef {
                id: i.org_id,
                name: i.org_name,
            },
            message: i.message,
            expert_ids: i.expert_ids,
            achievement_ids: i.achievement_ids,
            instrument_ids: i.instrument_ids,
            status: i.status,
            decline_reason: i.decline_reason,
            contact: Some(i.contact).filter(|c| !c.is_empty()),
            created_at: i.created_at,
            updated_at: i.updated_at,
        }
    }
}

/// The demand a project answers.
#[derive(Debug, Serialize)]
pub struct DemandRef {
    pub id: String,
    pub title: String,
}

/// A cooperation project of the ledger (合作项目台账).
#[derive(Debug, Serialize)]
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
    pub status: duijie_core::ProjectStatus,
    pub status_label: &'static str,
    pub milestones: Vec<duijie_core::Milestone>,
    pub notes: String,
    /// Raised by every update; also the `ETag` of `GET /projects/{id}`.
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A shared research instrument (科研仪器).
#[derive(Debug, Serialize)]
pub struct InstrumentJson {
    pub id: String,
    pub name: String,
    pub model: String,
    pub fields: Vec<Field>,
    pub description: String,
    pub location: String,
    pub booking_terms: String,
    pub institution: OrgRef,
    /// Raised by every write; also the `ETag`.
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
            enterprise: OrgRef {
                id: p.enterprise_id,
                name: p.enterprise_name,
            },
            institution: OrgRef {
                id: p.institution_id,
                name: p.institution_name,
            },
            region: p.region,
            field: p.field,
            amount_wan: p.amount_wan,
            signed_on: p.signed_on,
            key_project: p.key_project,
            status: p.status,
            status_label: p.status.label(),
            milestones: p.milestones,
            notes: p.notes,
            version: p.version,
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}

/// The expert of a secondment, with the expert's own institution.
#[derive(Debug, Serialize)]
pub struct ExpertRef {
    pub id: String,
    pub name: String,
    pub institution: String,
}

/// An expert's posting (科技副职 / 挂职); `end` is null while open-ended.
#[derive(Debug, Serialize)]
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
            host: OrgRef {
                id: s.host_org_id,
                name: s.host_org_name,
            },
            post: s.post,
            start: s.start_on,
            end: s.end_on,
            created_at: s.created_at,
        }
    }
}

impl From<Instrument> for InstrumentJson {
    fn from(i: Instrument) -> Self {
        let b = i.body;
        InstrumentJson {
            id: i.id,
            name: b.name,
            model: b.model,
            fields: b.fields,
            description: b.description,
            location: b.location,
            booking_terms: b.booking_terms,
            institution: OrgRef {
                id: i.org_id,
                name: i.org_name,
            },
            version: i.version,
            created_at: i.created_at,
            updated_at: i.updated_at,
        }
    }
}

/// Who an audit entry names; `id` and `role` are null for the local command line.
#[derive(Debug, Serialize)]
pub struct AuditActorJson {
    pub id: Option<String>,
    pub name: String,
    pub role: Option<&'static str>,
    pub role_label: &'static str,
}

/// One entry of the audit log (审计日志).
#[derive(Debug, Serialize)]
pub struct AuditEntryJson {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor: AuditActorJson,
    pub action: &'static str,
    pub action_label: &'static str,
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
#[derive(Debug, Serialize)]
pub struct AuditPageJson {
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
    pub items: Vec<AuditEntryJson>,
}

impl From<duijie_app::AuditPage> for AuditPageJson {
    fn from(p: duijie_app::AuditPage) -> Self {
        AuditPageJson {
            total: p.total,
            page: p.page,
            per_page: p.per_page,
            items: p.items.into_iter().map(Into::into).collect(),
        }
    }
}

/// A stored file's description; `url` downloads it.
#[derive(Debug, Serialize)]
pub struct AttachmentJson {
    pub id: String,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub url: String,
    pub created_at: DateTime<Utc>,
}

impl From<duijie_core::Attachment> for AttachmentJson {
    fn from(a: duijie_core::Attachment) -> Self {
        AttachmentJson {
            url: format!("/api/v1/attachments/{}", a.id),
            id: a.id,
            file_name: a.file_name,
            content_type: a.content_type,
            size: a.size,
            sha256: a.sha256,
            created_at: a.created_at,
        }
    }
}

/// A record an institution keeps itself, as the workspace lists it.
#[derive(Debug, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum OwnRecordJson {
    Achievement(AchievementJson),
    Expert(ExpertJson),
    Instrument(InstrumentJson),
}

impl OwnRecordJson {
    pub fn from_record(r: duijie_app::Record) -> Option<Self> {
        match r {
            duijie_app::Record::Achievement(a) => Some(OwnRecordJson::Achievement(a.into())),
            duijie_app::Record::Expert(e) => Some(OwnRecordJson::Expert(e.into())),
            duijie_app::Record::Instrument(i) => Some(OwnRecordJson::Instrument(i.into())),
            duijie_app::Record::Demand(_) => None,
        }
    }
}

/// One message of a 揭榜's conversation.
#[derive(Debug, Serialize)]
pub struct MessageJson {
    pub id: String,
    pub interest_id: String,
    /// The sender's organisation.
    pub sender: OrgRef,
    pub body: String,
    pub attachments: Vec<AttachmentJson>,
    pub created_at: DateTime<Utc>,
}

impl From<duijie_core::Message> for MessageJson {
    fn from(m: duijie_core::Message) -> Self {
        MessageJson {
            id: m.id,
            interest_id: m.interest_id,
            sender: OrgRef {
                id: m.org_id,
                name: m.org_name,
            },
            body: m.body,
            attachments: m.attachments.into_iter().map(Into::into).collect(),
            created_at: m.created_at,
        }
    }
}

/// 我的对接意向: one expression of interest with its demand and where it stands.
#[derive(Debug, Serialize)]
pub struct MyInterestJson {
    #[serde(flatten)]
    pub interest: InterestJson,
    pub demand: MyInterestDemand,
    pub state: duijie_app::InterestState,
    pub state_label: &'static str,
}

/// The demand an expression of interest answers.
#[derive(Debug, Serialize)]
pub struct MyInterestDemand {
    pub id: String,
    pub title: String,
    pub status: duijie_core::DemandStatus,
}

impl From<duijie_app::OrgInterest> for MyInterestJson {
    fn from(i: duijie_app::OrgInterest) -> Self {
        let state = duijie_app::InterestState::of(&i);
        MyInterestJson {
            demand: MyInterestDemand {
                id: i.interest.demand_id.clone(),
                title: i.demand_title,
                status: i.demand_status,
            },
            interest: i.interest.into(),
            state,
            state_label: state.label(),
        }
    }
}
