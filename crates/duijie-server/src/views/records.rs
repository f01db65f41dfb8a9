//! Records as the API shows them (demands, achievements, experts, instruments, organisations),
//! search pages with highlights and facets, and an institution's own records.

use super::InstrumentJson;
use super::OrgRef;
use chrono::{DateTime, NaiveDate, Utc};
use duijie_app::openapi;
use duijie_core::{Achievement, Demand, Expert, Field};
use serde::Serialize;
use utoipa::ToSchema;

/// A field label (技术领域) as the wire spells it.
pub(crate) fn field_name(f: Field) -> &'static str {
    f.into()
}

/// A demand; `contact_*` are absent when the caller may not see them (or there are none).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Demand)]
pub struct DemandJson {
    pub id: String,
    /// `draft`, `submitted`, ... (`DemandStatus::as_str`).
    #[schema(schema_with = openapi::demand_status)]
    pub status: &'static str,
    pub title: String,
    pub description: String,
    pub goals: String,
    pub field: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub field_raw: Option<String>,
    /// 合作方式, e.g. 合作开发.
    pub modes: Vec<&'static str>,
    pub keywords: Vec<String>,
    pub budget_wan: Option<f64>,
    pub budget_negotiable: bool,
    pub region: Option<String>,
    pub deadline: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub contact_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub contact_phone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
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
            status: d.status.as_str(),
            title: b.title,
            description: b.description,
            goals: b.goals,
            field: b.field.map(field_name),
            field_raw: b.field_raw,
            modes: b.modes.into_iter().map(Into::into).collect(),
            keywords: b.keywords,
            budget_wan: b.budget_wan,
            budget_negotiable: b.budget_negotiable,
            region: b.region,
            deadline: b.deadline,
            contact_name: b.contact.name,
            contact_phone: b.contact.phone,
            contact_email: b.contact.email,
            enterprise: OrgRef::new(d.org_id, d.org_name),
            version: d.version,
            created_at: d.created_at,
            updated_at: d.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Achievement)]
pub struct AchievementJson {
    pub id: String,
    pub title: String,
    pub summary: String,
    pub keywords: Vec<String>,
    pub field: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub field_raw: Option<String>,
    #[schema(schema_with = openapi::maturity_or_null)]
    pub maturity: Option<&'static str>,
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
            field: b.field.map(field_name),
            field_raw: b.field_raw,
            maturity: b.maturity.map(Into::into),
            leader: b.leader,
            expert_id: a.expert_id,
            year: b.year,
            region: b.region,
            institution: OrgRef::new(a.org_id, a.org_name),
            version: a.version,
            created_at: a.created_at,
        }
    }
}

/// An expert; phone and e-mail only for roles that may see them.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Expert)]
pub struct ExpertJson {
    pub id: String,
    pub name: String,
    pub title: Option<String>,
    pub department: Option<String>,
    pub research_areas: Vec<String>,
    pub keywords: Vec<String>,
    pub bio: String,
    pub field: Option<&'static str>,
    pub institution: OrgRef,
    /// Raised by every write; also the `ETag`.
    pub version: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub phone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
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
            field: b.field.map(field_name),
            institution: OrgRef::new(e.org_id, e.org_name),
            version: e.version,
            phone: b.contact.phone,
            email: b.contact.email,
        }
    }
}

/// A search result: the record and its highlighted title and snippet.
#[derive(Debug, Serialize, ToSchema)]
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

#[derive(Debug, Serialize, ToSchema)]
pub struct FacetCount {
    pub value: String,
    pub count: u64,
}

#[derive(Debug, Serialize, ToSchema)]
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

/// A page of search results with facets.
#[derive(Debug, Serialize, ToSchema)]
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

/// A record an institution keeps itself, as the workspace lists it.
#[derive(Debug, Serialize, ToSchema)]
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

/// An organisation's profile with its counts of public records.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Organization)]
pub struct OrganizationJson {
    pub id: String,
    pub name: String,
    /// `enterprise`, `university`, `institute`, `government` or `intermediary`.
    pub kind: &'static str,
    pub region: Option<String>,
    pub counts: OrgCountsJson,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrgCountsJson {
    pub demands: i64,
    pub achievements: i64,
    pub experts: i64,
}

impl OrganizationJson {
    pub fn new(org: duijie_core::Organization, counts: OrgCountsJson) -> Self {
        OrganizationJson {
            id: org.id,
            name: org.name,
            kind: org.kind.as_str(),
            region: org.region,
            counts,
        }
    }
}

impl From<duijie_app::OrgCounts> for OrgCountsJson {
    fn from(c: duijie_app::OrgCounts) -> Self {
        OrgCountsJson {
            demands: c.demands,
            achievements: c.achievements,
            experts: c.experts,
        }
    }
}
