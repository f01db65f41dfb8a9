//! The technology market: trends (科技动态) and expert committees (专家咨询委员会).

use super::field_name;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// Published demands per period and field or region, and rising terms.
#[derive(Debug, Serialize)]
pub struct TrendsJson {
    /// `field` or `region`.
    pub by: String,
    /// `month`, `quarter` or `year`.
    pub period: String,
    /// Period labels, oldest first: `2026-03`, `2026-Q1` or `2026`.
    pub periods: Vec<String>,
    /// Demands published per period.
    pub totals: Vec<u32>,
    /// One series per field or region, largest first.
    pub series: Vec<TrendSeriesJson>,
    pub latest_period: Option<String>,
    pub rising_terms: Vec<RisingTermJson>,
    /// Achievements per year (科技成果年度分布).
    pub achievements_by_year: Vec<YearCountJson>,
}

#[derive(Debug, Serialize)]
pub struct TrendSeriesJson {
    pub key: String,
    pub counts: Vec<u32>,
    pub total: u32,
}

/// A word whose share of demands rose in the latest period.
#[derive(Debug, Serialize)]
pub struct RisingTermJson {
    pub term: String,
    pub latest_count: u32,
    pub previous_count: u32,
    pub latest_share: f64,
    pub previous_share: f64,
    /// `latest_share - previous_share`.
    pub rise: f64,
}

#[derive(Debug, Serialize)]
pub struct YearCountJson {
    pub year: i64,
    pub count: u64,
}

impl From<duijie_app::Trends> for TrendsJson {
    fn from(t: duijie_app::Trends) -> Self {
        TrendsJson {
            by: t.by,
            period: t.period,
            periods: t.periods,
            totals: t.totals,
            series: t
                .series
                .into_iter()
                .map(|s| TrendSeriesJson {
                    key: s.key,
                    counts: s.counts,
                    total: s.total,
                })
                .collect(),
            latest_period: t.latest_period,
            rising_terms: t
                .rising_terms
                .into_iter()
                .map(|r| RisingTermJson {
                    term: r.term,
                    latest_count: r.latest_count,
                    previous_count: r.previous_count,
                    latest_share: r.latest_share,
                    previous_share: r.previous_share,
                    rise: r.rise,
                })
                .collect(),
            achievements_by_year: t
                .achievements_by_year
                .into_iter()
                .map(|y| YearCountJson {
                    year: y.year,
                    count: y.count,
                })
                .collect(),
        }
    }
}

/// An expert committee with its members and why each was chosen.
#[derive(Debug, Serialize)]
pub struct CommitteeJson {
    pub id: String,
    pub name: String,
    /// 技术领域 label.
    pub field: &'static str,
    pub size: u32,
    /// `draft` or `confirmed`.
    pub status: &'static str,
    pub notes: String,
    pub subtopics: Vec<SubtopicJson>,
    pub members: Vec<MemberJson>,
    /// Raised by every update; also the `ETag`.
    pub version: i64,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A sub-topic of the committee's field and the public demands that mention it.
#[derive(Debug, Serialize)]
pub struct SubtopicJson {
    pub term: String,
    pub demands: u32,
}

/// 委员: an expert on a committee.
#[derive(Debug, Serialize)]
pub struct MemberJson {
    pub expert_id: String,
    pub name: String,
    pub org_id: String,
    pub org_name: String,
    /// The committee's sub-topics this expert covers.
    pub subtopics: Vec<String>,
    pub evidence: Vec<MemberEvidenceJson>,
    /// Why this expert (empty for members the bureau added by hand).
    pub reason: String,
}

/// A record that supports a member's place.
#[derive(Debug, Serialize)]
pub struct MemberEvidenceJson {
    /// `achievement` or `expert`.
    pub kind: String,
    pub id: String,
    pub title: String,
}

impl From<duijie_core::Committee> for CommitteeJson {
    fn from(c: duijie_core::Committee) -> Self {
        CommitteeJson {
            id: c.id,
            name: c.name,
            field: field_name(c.field),
            size: c.size,
            status: c.status.as_str(),
            notes: c.notes,
            subtopics: c
                .subtopics
                .into_iter()
                .map(|s| SubtopicJson {
                    term: s.term,
                    demands: s.demands,
                })
                .collect(),
            members: c
                .members
                .into_iter()
                .map(|m| MemberJson {
                    expert_id: m.expert_id,
                    name: m.name,
                    org_id: m.org_id,
                    org_name: m.org_name,
                    subtopics: m.subtopics,
                    evidence: m
                        .evidence
                        .into_iter()
                        .map(|e| MemberEvidenceJson {
                            kind: e.kind,
                            id: e.id,
                            title: e.title,
                        })
                        .collect(),
                    reason: m.reason,
                })
                .collect(),
            version: c.version,
            created_by: c.created_by,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}
