//! 科技动态: how many demands were published per period, per field or region, and which
//! words rose in the newest demands (the counting is duijie-match's `count_trends`). Public
//! data only (published demands and after).

use crate::matching::match_input;
use crate::{blocking, internal, store_err, App, AppResult};
use chrono::{DateTime, Datelike, Duration, Utc};
use duijie_core::{Demand, DomainError, EntityKind};
use duijie_match::count_trends;
pub use duijie_match::{RisingTerm, TrendSeries};
use serde::{Deserialize, Serialize};

/// Periods are cut in China Standard Time.
const CST_SECONDS: i64 = 8 * 3600;

/// What the series are cut by, the default first.
pub const TREND_BY: [&str; 2] = ["field", "region"];
/// How long one period is, the default first.
pub const TREND_PERIOD: [&str; 3] = ["quarter", "month", "year"];

/// `GET /api/v1/stats/trends?by=field|region&period=month|quarter|year`
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct TrendParams {
    /// `field` (default) or `region`.
    pub by: Option<String>,
    /// `quarter` (default), `month` or `year`.
    pub period: Option<String>,
}

/// Achievements (public records) of one year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct YearCount {
    pub year: i64,
    pub count: u64,
}

/// The answer of the trends endpoint.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trends {
    pub by: String,
    pub period: String,
    /// Period labels, oldest first: `2026-03`, `2026-Q1` or `2026`.
    pub periods: Vec<String>,
    /// Demands published per period.
    pub totals: Vec<u32>,
    /// One series per field or region, largest first.
    pub series: Vec<TrendSeries>,
    pub latest_period: Option<String>,
    pub rising_terms: Vec<RisingTerm>,
    /// Achievements per year (科技成果年度分布), from the index.
    pub achievements_by_year: Vec<YearCount>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Period {
    Month,
    Quarter,
    Year,
}

impl Period {
    /// A running number of the period `t` falls in.
    fn index(self, t: DateTime<Utc>) -> i64 {
        let local = t.naive_utc() + Duration::seconds(CST_SECONDS);
        let (y, m) = (i64::from(local.year()), i64::from(local.month0()));
        match self {
            Period::Month => y * 12 + m,
            Period::Quarter => y * 4 + m / 3,
            Period::Year => y,
        }
    }

    fn label(self, index: i64) -> String {
        match self {
            Period::Month => format!("{}-{:02}", index.div_euclid(12), index.rem_euclid(12) + 1),
            Period::Quarter => format!("{}-Q{}", index.div_euclid(4), index.rem_euclid(4) + 1),
            Period::Year => index.to_string(),
        }
    }
}

fn choice(field: &str, value: Option<&str>, allowed: &[&'static str]) -> AppResult<&'static str> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(allowed[0]),
        Some(v) => allowed.iter().copied().find(|a| *a == v).ok_or_else(|| {
            DomainError::invalid(
                field,
                format!("{field} 须为 {} 之一，而不是“{v}”", allowed.join("、")),
            )
        }),
    }
}

fn series_key(by: &str, d: &Demand) -> String {
    let value = if by == "region" {
        d.body.region.clone().filter(|r| !r.trim().is_empty())
    } else {
        d.body.field.map(|f| f.label().to_string())
    };
    value.unwrap_or_else(|| "未注明".to_string())
}

impl App {
    /// Published demands per period and field or region, and the rising terms (anyone).
    pub async fn trends(&self, p: &TrendParams) -> AppResult<Trends> {
        let by = choice("by", p.by.as_deref(), &TREND_BY)?;
        let period_name = choice("period", p.period.as_deref(), &TREND_PERIOD)?;
        let period = match period_name {
            "month" => Period::Month,
            "year" => Period::Year,
            _ => Period::Quarter,
        };
        let dated: Vec<(i64, Demand)> = self
            .store
            .public_demands()
            .await
            .map_err(store_err)?
            .into_iter()
            .map(|p| (period.index(p.published_at), p.demand))
            .collect();
        let index = self.index.clone();
        let matcher = self.matcher.clone();
        blocking(move || {
            // What a demand is about, in the ranking's own terms: the words that name its
            // technology, not the generic ones around them.
            let counts = count_trends(
                &dated,
                |d| series_key(by, d),
                |d| matcher.topic_terms(&match_input(d)),
            );
            let periods = counts.as_ref().map_or_else(Vec::new, |c| {
                (c.first..=c.last).map(|i| period.label(i)).collect()
            });
            let latest_period = counts.as_ref().map(|c| period.label(c.last));
            let (totals, series, rising_terms) = counts
                .map(|c| (c.totals, c.series, c.rising_terms))
                .unwrap_or_default();
            let achievements_by_year = index
                .year_counts(EntityKind::Achievement)
                .map_err(|e| internal("year counts", e))?
                .into_iter()
                .map(|(year, count)| YearCount { year, count })
                .collect();
            Ok(Trends {
                by: by.to_string(),
                period: period_name.to_string(),
                periods,
                totals,
                series,
                latest_period,
                rising_terms,
                achievements_by_year,
            })
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, 12, 0, 0)
            .single()
            .unwrap_or_default()
    }

    #[test]
    fn periods_are_cut_in_china_time_and_labelled() {
        // 2025-12-31 20:00 UTC is already 2026-01-01 in China.
        let t = Utc
            .with_ymd_and_hms(2025, 12, 31, 20, 0, 0)
            .single()
            .unwrap_or_default();
        assert_eq!(Period::Month.label(Period::Month.index(t)), "2026-01");
        assert_eq!(Period::Quarter.label(Period::Quarter.index(t)), "2026-Q1");
        assert_eq!(Period::Year.label(Period::Year.index(t)), "2026");
        let t = at(2026, 11, 15);
        assert_eq!(Period::Quarter.label(Period::Quarter.index(t)), "2026-Q4");
    }

    #[test]
    fn bad_choices_name_the_field_and_the_allowed_values() {
        let e = choice("by", Some("county"), &TREND_BY)
            .err()
            .map(|e| e.message);
        assert!(e.is_some_and(|m| m.contains("field") && m.contains("region")));
        assert_eq!(
            choice("period", Some(" year "), &TREND_PERIOD).ok(),
            Some("year")
        );
        assert_eq!(choice("period", None, &TREND_PERIOD).ok(), Some("quarter"));
    }
}
