//! Trends (科技动态): demands per period and series, rising terms.

use duijie_app::openapi;
use serde::Serialize;
use utoipa::ToSchema;

/// Published demands per period and field or region, and rising terms.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Trends)]
pub struct TrendsJson {
    #[schema(schema_with = openapi::trend_by)]
    pub by: String,
    #[schema(schema_with = openapi::trend_period)]
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

#[derive(Debug, Serialize, ToSchema)]
pub struct TrendSeriesJson {
    pub key: String,
    pub counts: Vec<u32>,
    pub total: u32,
}

/// A word whose share of demands rose in the latest period.
#[derive(Debug, Serialize, ToSchema)]
pub struct RisingTermJson {
    pub term: String,
    pub latest_count: u32,
    pub previous_count: u32,
    pub latest_share: f64,
    pub previous_share: f64,
    /// `latest_share - previous_share`.
    pub rise: f64,
}

#[derive(Debug, Serialize, ToSchema)]
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
