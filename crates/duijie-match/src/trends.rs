//! 科技动态 as counting: demands per period, in total and per series (a field or a region), and
//! the words whose share of demands rose in the latest period. Periods are running numbers
//! the caller cuts (months, quarters or years) and labels; words are what the caller says a
//! demand is about (the ranking's topic words, [`crate::Matcher::topic_terms`]).

use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// Periods counted at most (the newest ones).
pub const MAX_PERIODS: usize = 36;
/// Rising terms listed at most.
const MAX_RISING: usize = 20;
/// A term must appear in this many demands of the latest period to count as rising.
const MIN_LATEST_COUNT: u32 = 2;

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

/// What [`count_trends`] found over the periods `first..=last`.
#[derive(Debug, Clone, PartialEq)]
pub struct TrendCounts {
    /// The oldest period counted: at most [`MAX_PERIODS`] up to the newest.
    pub first: i64,
    /// The newest period with a demand.
    pub last: i64,
    /// Demands per period, oldest first.
    pub totals: Vec<u32>,
    /// One series per key, largest first.
    pub series: Vec<TrendSeries>,
    /// Largest rise first, at most 20.
    pub rising_terms: Vec<RisingTerm>,
}

fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

/// Counts and rising terms over `(period, demand)` pairs: `series_of` names a demand's series,
/// `words_of` its words (asked only of demands within the counted periods). A word rises when
/// at least two demands of the latest period use it and its share of that period's demands is
/// above its share of the earlier periods' demands. `None` when there is no demand.
pub fn count_trends<D>(
    dated: &[(i64, D)],
    series_of: impl Fn(&D) -> String,
    words_of: impl Fn(&D) -> Vec<String>,
) -> Option<TrendCounts> {
    let first = dated.iter().map(|(i, _)| *i).min()?;
    let last = dated.iter().map(|(i, _)| *i).max()?;
    let first = first.max(last - MAX_PERIODS as i64 + 1);
    let n = (last - first + 1) as usize;
    let mut totals = vec![0u32; n];
    let mut series: BTreeMap<String, Vec<u32>> = BTreeMap::new();
    let (mut latest_docs, mut previous_docs) = (0u32, 0u32);
    let mut words: HashMap<String, (u32, u32)> = HashMap::new();
    for (i, d) in dated.iter().filter(|(i, _)| *i >= first) {
        let slot = (*i - first) as usize;
        totals[slot] += 1;
        series.entry(series_of(d)).or_insert_with(|| vec![0; n])[slot] += 1;
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
    Some(TrendCounts {
        first,
        last,
        totals,
        series,
        rising_terms: rising,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{topic_words, Segmenter};

    /// A demand as trends see it: its series and its text.
    struct Demand {
        field: &'static str,
        title: &'static str,
        description: &'static str,
    }

    fn count(dated: &[(i64, Demand)]) -> Option<TrendCounts> {
        let seg = Segmenter::new(duijie_search::shared_jieba());
        count_trends(
            dated,
            |d| d.field.to_string(),
            |d| topic_words(&seg, &format!("{}\n{}", d.title, d.description)),
        )
    }

    fn d(field: &'static str, title: &'static str) -> Demand {
        Demand {
            field,
            title,
            description: "",
        }
    }

    /// A demand with the boilerplate of a form around its title.
    fn form(field: &'static str, title: &'static str) -> Demand {
        Demand {
            description: "我公司希望寻求合作，解决关键技术难题",
            ..d(field, title)
        }
    }

    #[test]
    fn rising_terms_compare_the_latest_period_with_the_earlier_ones() {
        // Three demands in period 8, none in 9, three in 10 (the latest), whose forms all
        // carry the same boilerplate.
        let dated = vec![
            (8, d("新能源与节能", "锂电池正极材料降本")),
            (8, d("新能源与节能", "锂电池负极材料改性")),
            (8, d("新材料", "氧化铝粉体提纯")),
            (10, form("新能源与节能", "氢燃料电池电堆寿命")),
            (10, form("新能源与节能", "氢燃料电池双极板")),
            (10, form("新能源与节能", "锂电池回收")),
        ];
        let t = count(&dated).expect("demands");
        assert_eq!((t.first, t.last), (8, 10));
        assert_eq!(t.totals, vec![3, 0, 3]);
        assert_eq!(t.series[0].key, "新能源与节能");
        assert_eq!(t.series[0].counts, vec![2, 0, 3]);
        assert_eq!(t.series[0].total, 5);
        assert_eq!(t.series[1].key, "新材料");
        let top = &t.rising_terms[0];
        assert_eq!(top.term, "燃料电池", "{:?}", t.rising_terms);
        assert_eq!((top.latest_count, top.previous_count), (2, 0));
        assert!((top.rise - 0.6667).abs() < 1e-9);
        // 锂电池: 1 of 3 now against 2 of 3 before, a fall; the boilerplate of the latest
        // demands never shows.
        let terms: Vec<&str> = t.rising_terms.iter().map(|r| r.term.as_str()).collect();
        assert!(!terms.contains(&"锂电池"), "{terms:?}");
        for word in ["合作", "技术", "难题", "公司"] {
            assert!(!terms.iter().any(|t| t.contains(word)), "{terms:?}");
        }
    }

    #[test]
    fn only_the_newest_periods_are_counted() {
        let dated: Vec<(i64, Demand)> = (0..50).map(|i| (i, d("新材料", "氧化铝"))).collect();
        let t = count(&dated).expect("demands");
        assert_eq!((t.first, t.last), (50 - MAX_PERIODS as i64, 49));
        assert_eq!(t.totals.len(), MAX_PERIODS);
        assert_eq!(t.series[0].total, MAX_PERIODS as u32);
        // One demand a period: nothing is used twice in the latest one.
        assert!(t.rising_terms.is_empty());
        assert!(count(&[]).is_none());
    }
}
