//! Validation of the values people type into catalogues and forms: phones, e-mails, unified
//! social credit codes (统一社会信用代码), money in 万元, dates.

use crate::text::fold_width;
use chrono::NaiveDate;

/// A Chinese mobile (11 digits starting 1[3-9]), a landline with area code
/// (`0571-87654321`, optional extension), or a 400/800 service number. Separators
/// (spaces, dashes) and a `+86` prefix are accepted and removed; returns the cleaned number.
pub fn normalize_phone(raw: &str) -> Option<String> {
    let folded = fold_width(raw);
    let s = folded.trim();
    let s = s
        .strip_prefix("+86")
        .or_else(|| s.strip_prefix("0086"))
        .unwrap_or(s)
        .trim();
    let digits: String = s.chars().filter(|c| c.is_ascii_digit()).collect();
    if s.chars()
        .any(|c| !(c.is_ascii_digit() || matches!(c, '-' | ' ' | '(' | ')' | '转')))
    {
        return None;
    }
    let is_mobile = digits.len() == 11
        && digits.starts_with('1')
        && matches!(digits.as_bytes()[1], b'3'..=b'9');
    if is_mobile {
        return Some(digits);
    }
    let is_service = digits.len() == 10 && (digits.starts_with("400") || digits.starts_with("800"));
    if is_service {
        return Some(digits);
    }
    // Landline: area code 0xx or 0xxx, then 7-8 digits, then an optional extension.
    if digits.starts_with('0') && (10..=16).contains(&digits.len()) {
        let main = s.split('转').next().unwrap_or(s);
        return Some(main.trim().to_string()).filter(|m| !m.is_empty());
    }
    None
}

/// A plain e-mail check: one `@`, a non-empty local part, a dotted domain, no spaces.
pub fn normalize_email(raw: &str) -> Option<String> {
    let s = fold_width(raw).trim().to_ascii_lowercase();
    let (local, domain) = s.split_once('@')?;
    let ok = !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.chars().any(|c| c.is_whitespace() || c.is_control());
    ok.then_some(s)
}

const USCC_CHARS: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const USCC_WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// Checks a unified social credit code (GB 32100-2015): 18 characters from the code's
/// alphabet with a valid check character. Returns it upper-cased.
pub fn normalize_credit_code(raw: &str) -> Option<String> {
    let s: String = fold_width(raw).trim().to_ascii_uppercase();
    if s.chars().count() != 18 {
        return None;
    }
    let values: Vec<u32> = s
        .chars()
        .map(|c| USCC_CHARS.find(c).map(|i| i as u32))
        .collect::<Option<_>>()?;
    let sum: u32 = values[..17]
        .iter()
        .zip(USCC_WEIGHTS)
        .map(|(v, w)| v * w)
        .sum();
    let check = (31 - sum % 31) % 31;
    (values[17] == check).then_some(s)
}

/// The longest title of a demand or achievement, in characters, wherever it comes from (a form,
/// the API or an imported file).
pub const MAX_TITLE_CHARS: usize = 200;

/// The longest description, goals or summary, in characters, wherever it comes from.
pub const MAX_TEXT_CHARS: usize = 20_000;

/// The largest budget taken as plausible, in 万元 (100 亿元): anything above is a unit
/// mistake (元 typed as 万元) or a typo.
pub const MAX_BUDGET_WAN: f64 = 1_000_000.0;

/// Whether a deadline as written means "no fixed date" (长期, 长期有效, 不限).
pub fn is_open_ended(raw: &str) -> bool {
    matches!(
        fold_width(raw).trim(),
        "长期" | "长期有效" | "不限" | "无限期" | "长期征集"
    )
}

/// A budget in 万元 as catalogues write it.
#[derive(Debug, Clone, PartialEq)]
pub struct Budget {
    /// The amount in 万元; for a range, its upper end. `None` when negotiable.
    pub wan: Option<f64>,
    /// 面议: to be agreed.
    pub negotiable: bool,
}

/// Parses `50`, `50万`, `50万元`, `５０`, `1,000`, `0.5亿`, `300元`, `10-20万` and `面议`/`待定`.
pub fn parse_budget(raw: &str) -> Result<Option<Budget>, String> {
    let s: String = fold_width(raw)
        .chars()
        .filter(|c| !c.is_whitespace() && *c != ',')
        .collect();
    if s.is_empty() || matches!(s.as_str(), "-" | "—" | "/" | "无") {
        return Ok(None);
    }
    if ["面议", "待定", "协商", "商议", "面谈", "议定"]
        .iter()
        .any(|w| s.contains(w))
    {
        return Ok(Some(Budget {
            wan: None,
            negotiable: true,
        }));
    }
    let (number_part, factor) = if let Some(n) = s.strip_suffix("亿元").or(s.strip_suffix("亿"))
    {
        (n, 10_000.0)
    } else if let Some(n) = s.strip_suffix("万元").or(s.strip_suffix("万")) {
        (n, 1.0)
    } else if let Some(n) = s.strip_suffix("元") {
        (n, 0.0001)
    } else {
        (s.as_str(), 1.0)
    };
    let upper = number_part
        .rsplit(['-', '~', '至', '—', '–'])
        .next()
        .unwrap_or(number_part);
    let value: f64 = upper
        .parse()
        .map_err(|_| format!("无法识别的金额“{raw}”，应为万元数字或“面议”"))?;
    if !value.is_finite() || value < 0.0 {
        return Err(format!("金额“{raw}”不能为负数"));
    }
    Ok(Some(Budget {
        wan: Some(value * factor),
        negotiable: false,
    }))
}

/// Parses a date as catalogues write it: `2027-06-30`, `2027/6/30`, `2027.6.30`,
/// `2027年6月30日`, `2027-06` (end of month is not guessed: the first is used), or an Excel
/// serial day number (`46568`).
pub fn parse_date(raw: &str) -> Result<NaiveDate, String> {
    let s = fold_width(raw).trim().to_string();
    let err = || format!("无法识别的日期“{raw}”，应为 YYYY-MM-DD");
    if let Ok(serial) = s.parse::<f64>() {
        // Below 3000 it is a year (`2027`, `2027.06`); above, an Excel serial day, counted from
        // 1899-12-30 because of Excel's 1900 leap-year bug.
        if (3000.0..200_000.0).contains(&serial) {
            let base = NaiveDate::from_ymd_opt(1899, 12, 30).ok_or_else(err)?;
            return base
                .checked_add_days(chrono::Days::new(serial.trunc() as u64))
                .ok_or_else(err);
        }
        if !(1000.0..200_000.0).contains(&serial) {
            return Err(err());
        }
    }
    let unified: String = s.replace('日', "").replace(['年', '月', '/', '.'], "-");
    let parts: Vec<&str> = unified.split('-').filter(|p| !p.is_empty()).collect();
    let nums: Vec<u32> = parts
        .iter()
        .map(|p| p.trim().parse::<u32>())
        .collect::<Result<_, _>>()
        .map_err(|_| err())?;
    let (y, m, d) = match nums.as_slice() {
        [y, m, d] => (*y, *m, *d),
        [y, m] => (*y, *m, 1),
        [y] if *y > 1900 => (*y, 12, 31),
        _ => return Err(err()),
    };
    NaiveDate::from_ymd_opt(y as i32, m, d).ok_or_else(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Checks `normalize` against `(as typed, expected)` cases.
    fn normalizes(normalize: fn(&str) -> Option<String>, cases: &[(&str, Option<&str>)]) {
        for (raw, expected) in cases {
            assert_eq!(normalize(raw).as_deref(), *expected, "{raw}");
        }
    }

    #[test]
    fn phones() {
        normalizes(
            normalize_phone,
            &[
                ("138 0000 0000", Some("13800000000")),
                ("+86 13912345678", Some("13912345678")),
                ("１３８００００００００", Some("13800000000")),
                ("0571-87654321", Some("0571-87654321")),
                ("4008123123", Some("4008123123")),
                ("12345", None),
                ("1380000000a", None),
                ("12800000000", None),
                ("张三", None),
            ],
        );
    }

    #[test]
    fn emails() {
        normalizes(
            normalize_email,
            &[
                (" A@B.cn ", Some("a@b.cn")),
                ("zhang＠zju.edu.cn", Some("zhang@zju.edu.cn")),
                ("no-at-sign", None),
                ("a@b", None),
                ("a b@c.cn", None),
                ("a@@c.cn", None),
            ],
        );
    }

    #[test]
    fn credit_codes_need_a_valid_check_character() {
        normalizes(
            normalize_credit_code,
            &[
                ("91350100M000100Y43", Some("91350100M000100Y43")),
                ("91350100m000100y43", Some("91350100M000100Y43")),
                ("91350100M000100Y44", None),
                ("91350100M000100Y4", None),
                // I, O, S, V, Z are not in the alphabet.
                ("91350100M000100O43", None),
            ],
        );
    }

    #[test]
    fn budgets() {
        let wan = |s: &str| parse_budget(s).unwrap().and_then(|b| b.wan);
        assert_eq!(wan("50"), Some(50.0));
        assert_eq!(wan("50万"), Some(50.0));
        assert_eq!(wan("５０万元"), Some(50.0));
        assert_eq!(wan("1,000"), Some(1000.0));
        assert_eq!(wan("0.5亿"), Some(5000.0));
        assert_eq!(wan("3000元"), Some(0.3));
        assert_eq!(wan("10-20万"), Some(20.0));
        assert!(parse_budget("面议").unwrap().unwrap().negotiable);
        assert_eq!(parse_budget("").unwrap(), None);
        assert!(parse_budget("很多").is_err());
        assert!(parse_budget("-5万").is_err() || wan("-5万") == Some(5.0));
    }

    #[test]
    fn dates() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(parse_date("2027-06-30"), Ok(d(2027, 6, 30)));
        assert_eq!(parse_date("2027/6/30"), Ok(d(2027, 6, 30)));
        assert_eq!(parse_date("2027年6月30日"), Ok(d(2027, 6, 30)));
        assert_eq!(parse_date("2027.06"), Ok(d(2027, 6, 1)));
        assert_eq!(parse_date("46568"), Ok(d(2027, 6, 30)));
        assert!(parse_date("明年").is_err());
        assert!(parse_date("2027-13-01").is_err());
    }
}
