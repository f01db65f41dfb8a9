//! 科技动态: how many demands were published per period, per field or region, and which
//! words rose in the newest demands. Public data only (published demands and after).

use crate::matching::match_input;
use crate::{blocking, internal, store_err, App, AppResult};
use chrono::{DateTime, Datelike, Duration, Utc};
use duijie_core::{Demand, DomainError, EntityKind};
use duijie_match::Matcher;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// Periods shown at most (the newest ones).
pub const MAX_PERIODS: usize = 36;
/// Rising terms listed at most.
const MAX_RISING: usize = 20;
/// A term must appear in this many demands of the latest period to count as rising.
const MIN_LATEST_COUNT: u32 = 2;
/// Periods are cut in China Standard Time.
const CST_SECONDS: i64 = 8 * 3600;

const BY: [&str; 2] = ["field", "region"];
const PERIOD: [&str; 3] = ["quarter", "month", "year"];

/// `GET /api/v1/stats/trends?by=field|region&period=month|quarter|year`
#[derive(Debug, Clone, Default, Deserialize)]
pub struct TrendParams {
    pub by: Option<String>,
    pub period: Option<String>,
}

/// Counts of one field or region over the periods.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrendSeries {
    pub key: String,
    pub counts: Vec<u32>,
    pub total: u32,
}

/// A word whose share of demands rose in the latest period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RisingTerm {
    pub term: String,
    /// Demands of the latest period that use it.
    pub latest_count: u32,
    /// Demands of the earlier periods that use it.
    pub previous_count: u32,
    pub latest_share: f64,
    pub previous_share: f64,
    /// `latest_share - previous_share`.
    pub rise: f64,
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

/// What a demand is about, in the ranking's own terms ([`Matcher::topic_terms`]): the words
/// that name its technology, not the generic ones around them.
pub(crate) fn demand_words(matcher: &Matcher, d: &Demand) -> Vec<String> {
    matcher.topic_terms(&match_input(d))
}

fn series_key(by: &str, d: &Demand) -> String {
    let value = if by == "region" {
        d.body.region.clone().filter(|r| !r.trim().is_empty())
    } else {
        d.body.field.map(|f| f.label().to_string())
    };
    value.unwrap_or_else(|| "未注明".to_string())
}

fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

/// Counts and rising terms over `(period index, demand)` pairs.
fn compute(
    by: &str,
    period_name: &str,
    period: Period,
    dated: Vec<(i64, Demand)>,
    words_of: impl Fn(&Demand) -> Vec<String>,
) -> Trends {
    let (Some(first), Some(last)) = (
        dated.iter().map(|(i, _)| *i).min(),
        dated.iter().map(|(i, _)| *i).max(),
    ) else {
        return Trends {
            by: by.to_string(),
            period: period_name.to_string(),
            periods: Vec::new(),
            totals: Vec::new(),
            series: Vec::new(),
            latest_period: None,
            rising_terms: Vec::new(),
            achievements_by_year: Vec::new(),
        };
    };
    let first = first.max(last - MAX_PERIODS as i64 + 1);
    let n = (last - first + 1) as usize;
    let mut totals = vec![0u32; n];
    let mut series: BTreeMap<String, Vec<u32>> = BTreeMap::new();
    let (mut latest_docs, mut previous_docs) = (0u32, 0u32);
    let mut words: HashMap<String, (u32, u32)> = HashMap::new();
    for (i, d) in dated.iter().filter(|(i, _)| *i >= first) {
        let slot = (*i - first) as usize;
        totals[slot] += 1;
        series
            .entry(series_key(by, d))
            .or_insert_with(|| vec![0; n])[slot] += 1;
        let latest = *i == last;
        if latest {
            latest_docs += 1;
        } else {
            previous_docs += 1;
        }
        for w in words_of(d) {
            let e = words.entry(w).or_default();
            if latest {
                e.0 += 1;
            } else {
                e.1 += 1;
            }
        }
    }
    let share = |count: u32, of: u32| {
        if of == 0 {
            0.0
        } else {
            f64::from(count) / f64::from(of)
        }
    };
    let mut rising: Vec<RisingTerm> = words
        .into_iter()
        .filter(|(_, (latest, _))| *latest >= MIN_LATEST_COUNT)
        .map(|(term, (latest, previous))| {
            let (ls, ps) = (share(latest, latest_docs), share(previous, previous_docs));
            RisingTerm {
                term,
                latest_count: latest,
                previous_count: previous,
                latest_share: round4(ls),
                previous_share: round4(ps),
                rise: round4(ls - ps),
            }
        })
        .filter(|t| t.rise > 0.0)
        .collect();
    rising.sort_by(|a, b| {
        b.rise
            .total_cmp(&a.rise)
            .then(b.latest_count.cmp(&a.latest_count))
            .then_with(|| a.term.cmp(&b.term))
    });
    rising.truncate(MAX_RISING);
    let mut series: Vec<TrendSeries> = series
        .into_iter()
        .map(|(key, counts)| TrendSeries {
            total: counts.iter().sum(),
            key,
            counts,
        })
        .collect();
    series.sort_by(|a, b| b.total.cmp(&a.total).then_with(|| a.key.cmp(&b.key)));
    Trends {
        by: by.to_string(),
        period: period_name.to_string(),
        periods: (first..=last).map(|i| period.label(i)).collect(),
        totals,
        series,
        latest_period: Some(period.label(last)),
        rising_terms: rising,
        achievements_by_year: Vec::new(),
    }
}

impl App {
    /// Published demands per period and field or region, and the rising terms (anyone).
    pub async fn trends(&self, p: &TrendParams) -> AppResult<Trends> {
        let by = choice("by", p.by.as_deref(), &BY)?;
        let period_name = choice("period", p.period.as_deref(), &PERIOD)?;
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
            let mut trends = compute(by, period_name, period, dated, |d| {
                demand_words(&matcher, d)
            });
            trends.achievements_by_year = index
                .year_counts(EntityKind::Achievement)
                .map_err(|e| internal("year counts", e))?
                .into_iter()
                .map(|(year, count)| YearCount { year, count })
                .collect();
            Ok(trends)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use duijie_core::{DemandDraft, DemandStatus, Field};
    use duijie_match::{topic_words, Segmenter};

    fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, 12, 0, 0)
            .single()
            .unwrap_or_default()
    }

    fn demand(title: &str, field: Field) -> Demand {
        Demand {
            id: title.into(),
            org_id: "org".into(),
            org_name: "企业".into(),
            status: DemandStatus::Published,
            version: 1,
            body: DemandDraft {
                title: title.into(),
                description: "我公司希望寻求合作，解决关键技术难题".into(),
                field: Some(field),
                ..DemandDraft::default()
            },
            created_at: at(2026, 1, 1),
            updated_at: at(2026, 1, 1),
        }
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
    fn rising_terms_compare_the_latest_period_with_the_earlier_ones() {
        let seg = Segmenter::new(duijie_search::shared_jieba());
        let q = Period::Quarter;
        let dated = vec![
            (
                q.index(at(2026, 1, 10)),
                demand("锂电池正极材料降本", Field::NewEnergy),
            ),
            (
                q.index(at(2026, 2, 10)),
                demand("锂电池负极材料改性", Field::NewEnergy),
            ),
            (
                q.index(at(2026, 2, 20)),
                demand("氧化铝粉体提纯", Field::NewMaterials),
            ),
            // 2026-Q2 has no demand; 2026-Q3 is the latest.
            (
                q.index(at(2026, 7, 1)),
                demand("氢燃料电池电堆寿命", Field::NewEnergy),
            ),
            (
                q.index(at(2026, 8, 1)),
                demand("氢燃料电池双极板", Field::NewEnergy),
            ),
            (
                q.index(at(2026, 9, 1)),
                demand("锂电池回收", Field::NewEnergy),
            ),
        ];
        let t = compute("field", "quarter", q, dated, |d| {
            topic_words(&seg, &d.body.title)
        });
        assert_eq!(t.periods, vec!["2026-Q1", "2026-Q2", "2026-Q3"]);
        assert_eq!(t.totals, vec![3, 0, 3]);
        assert_eq!(t.series[0].key, "新能源与节能");
        assert_eq!(t.series[0].counts, vec![2, 0, 3]);
        assert_eq!(t.series[1].key, "新材料");
        assert_eq!(t.latest_period.as_deref(), Some("2026-Q3"));
        let top = &t.rising_terms[0];
        assert_eq!(top.term, "燃料电池", "{:?}", t.rising_terms);
        assert_eq!((top.latest_count, top.previous_count), (2, 0));
        assert!((top.rise - 0.6667).abs() < 1e-9);
        // 锂电池: 1 of 3 now against 2 of 3 before, a fall; boilerplate never shows.
        let terms: Vec<&str> = t.rising_terms.iter().map(|r| r.term.as_str()).collect();
        assert!(!terms.contains(&"锂电池"), "{terms:?}");
        for word in ["合作", "技术", "难题", "公司"] {
            assert!(!terms.iter().any(|t| t.contains(word)), "{terms:?}");
        }
    }

    #[test]
    fn bad_choices_name_the_field_and_the_allowed_values() {
        let e = choice("by", Some("county"), &BY).err().map(|e| e.message);
        assert!(e.is_some_and(|m| m.contains("field") && m.contains("region")));
        assert_eq!(choice("period", Some(" year "), &PERIOD).ok(), Some("year"));
        assert_eq!(choice("period", None, &PERIOD).ok(), Some("quarter"));
    }
}
