//! China Standard Time (UTC+8, no daylight saving): every date shown to users, counted into a
//! year or written into a file is in it. Stored instants stay UTC.

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, TimeDelta, Utc};

const OFFSET_HOURS: i64 = 8;

/// The wall-clock time in China of an instant.
pub fn china_local(t: DateTime<Utc>) -> NaiveDateTime {
    t.naive_utc() + TimeDelta::hours(OFFSET_HOURS)
}

/// Today's date in China.
pub fn china_today() -> NaiveDate {
    china_local(Utc::now()).date()
}

/// The year in China of an instant.
pub fn china_year(t: DateTime<Utc>) -> i32 {
    china_local(t).year()
}

/// The first instant of a year in China.
pub fn china_year_start(year: i32) -> DateTime<Utc> {
    china_day_start(NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default())
}

/// The first instant of a day in China.
pub fn china_day_start(day: NaiveDate) -> DateTime<Utc> {
    day.and_time(chrono::NaiveTime::MIN).and_utc() - TimeDelta::hours(OFFSET_HOURS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_utc_evening_is_the_next_day_in_china() {
        let t: DateTime<Utc> = "2026-12-31T17:00:00Z".parse().unwrap();
        assert_eq!(
            china_local(t).format("%Y-%m-%d %H:%M").to_string(),
            "2027-01-01 01:00"
        );
        assert_eq!(china_year(t), 2027);
        assert_eq!(
            china_year_start(2027).to_rfc3339(),
            "2026-12-31T16:00:00+00:00"
        );
    }
}
