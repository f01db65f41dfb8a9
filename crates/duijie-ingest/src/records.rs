//! From table rows to drafts: which columns feed which field for each kind, value cleaning and
//! validation (a bad optional value is reported and dropped; a missing required one, or a text
//! longer than the API accepts, skips the row), and the per-file collector that counts rows and keeps the last of duplicate rows.

use crate::headers::{Col, Columns};
use crate::table::{Row, RowClassifier, RowRole, Table};
use crate::ParsedRow;
use duijie_core::text::{
    clean_line, fold_char, fold_width, normalize_org_name, normalize_title, split_keywords,
};
use duijie_core::validate::{
    normalize_credit_code, normalize_email, normalize_phone, parse_budget, parse_date,
    MAX_BUDGET_WAN, MAX_TEXT_CHARS, MAX_TITLE_CHARS,
};
use duijie_core::{
    AchievementDraft, Contact, CoopMode, DemandDraft, Draft, ExpertDraft, Field, Maturity,
    RecordKind, RowError,
};
use std::collections::{HashMap, HashSet};

/// Longest value quoted back in a message.
const QUOTE_CHARS: usize = 40;

/// Row-level codes, as the report and the API carry them.
pub(crate) mod code {
    pub const MISSING_REQUIRED: &str = "missing_required";
    pub const INVALID_PHONE: &str = "invalid_phone";
    pub const INVALID_EMAIL: &str = "invalid_email";
    pub const INVALID_BUDGET: &str = "invalid_budget";
    pub const INVALID_DATE: &str = "invalid_date";
    pub const INVALID_CREDIT_CODE: &str = "invalid_credit_code";
    pub const DUPLICATE_ROW: &str = "duplicate_row";
    pub const INVALID_JSON: &str = "invalid_json";
    pub const TOO_LONG: &str = "too_long";
}

/// Where a row came from, and the problems found in it.
pub(crate) struct Issues<'s> {
    pub(crate) sheet: &'s str,
    pub(crate) row: u32,
    pub(crate) errors: Vec<RowError>,
}

impl<'s> Issues<'s> {
    pub(crate) fn new(sheet: &'s str, row: u32) -> Self {
        Issues {
            sheet,
            row,
            errors: Vec::new(),
        }
    }

    pub(crate) fn push(&mut self, column: Option<&str>, code: &str, message: String) {
        self.errors.push(RowError {
            sheet: self.sheet.to_string(),
            row: self.row,
            column: column.map(str::to_string),
            code: code.to_string(),
            message,
        });
    }

    /// A phone cell may list several numbers (`0571-87654321/13800000000`): the first valid
    /// one is kept; none valid is reported.
    /// Reports `raw` when it is longer than `max` characters; the caller skips the row.
    pub(crate) fn over_limit(&mut self, column: &str, raw: &str, max: usize) -> bool {
        let n = raw.chars().count();
        if n > max {
            self.push(
                Some(column),
                code::TOO_LONG,
                format!("“{column}”有 {n} 个字符，超过上限 {max}，未导入；请精简后重新导入"),
            );
        }
        n > max
    }

    pub(crate) fn phone(&mut self, column: &str, raw: &str) -> Option<String> {
        let found = split_alternatives(raw).find_map(normalize_phone);
        if found.is_none() {
            self.push(
                Some(column),
                code::INVALID_PHONE,
                format!("联系电话“{}”格式不正确，已忽略", quote(raw)),
            );
        }
        found
    }

    pub(crate) fn email(&mut self, column: &str, raw: &str) -> Option<String> {
        let found = split_alternatives(raw).find_map(normalize_email);
        if found.is_none() {
            self.push(
                Some(column),
                code::INVALID_EMAIL,
                format!("电子邮箱“{}”格式不正确，已忽略", quote(raw)),
            );
        }
        found
    }
}

fn split_alternatives(raw: &str) -> impl Iterator<Item = &str> {
    raw.split(['/', '、', ',', '，', ';', '；', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// A value quoted in a message, cut on a char boundary.
pub(crate) fn quote(raw: &str) -> String {
    let t = raw.trim();
    match t.char_indices().nth(QUOTE_CHARS) {
        Some((i, _)) => format!("{}…", t.get(..i).unwrap_or(t)),
        None => t.to_string(),
    }
}

/// One-line text (titles, names, organisations): whitespace collapsed, characters kept.
pub(crate) fn one_line(raw: &str) -> Option<String> {
    let s = clean_line(raw);
    (!s.is_empty()).then_some(s)
}

/// Prose keeps its wording and line structure; only blank lines and edge spaces go.
pub(crate) fn prose(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for line in raw.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(line);
    }
    out
}

/// Titles lose a leading list number (`12.`, `1、`, `(3)`), as NSFC listings carry them;
/// `1.5T磁共振` and `3D打印` keep theirs.
pub(crate) fn clean_title(raw: &str) -> Option<String> {
    let line = clean_line(raw);
    let stripped = strip_numbering(&line);
    (!stripped.is_empty()).then(|| stripped.to_string())
}

fn strip_numbering(s: &str) -> &str {
    // Width-folded view of the characters, with their byte offsets in `s`.
    let mut chars = s.char_indices().map(|(i, c)| (i, fold_char(c))).peekable();
    let bracketed = chars.next_if(|(_, c)| *c == '(').is_some();
    let mut digits = 0;
    while chars.next_if(|(_, c)| c.is_ascii_digit()).is_some() {
        digits += 1;
    }
    let max_digits = if bracketed { 3 } else { 4 };
    if digits == 0 || digits > max_digits {
        return s;
    }
    let closes = match chars.next() {
        Some((_, ')')) => true,
        Some((_, '.' | '、')) => !bracketed,
        _ => false,
    };
    if !closes {
        return s;
    }
    match chars.next() {
        // `1.5T`: a decimal number, not a list number.
        Some((_, c)) if c.is_ascii_digit() => s,
        Some((i, _)) => s.get(i..).unwrap_or(s).trim_start(),
        None => "",
    }
}

/// A list cell (研究方向) split on list punctuation but not on spaces, which English phrases
/// need.
pub(crate) fn split_list(raw: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for part in raw.split(['；', ';', '、', ',', '，', '\n', '|']) {
        let item = clean_line(part);
        if !item.is_empty() && !out.contains(&item) {
            out.push(item);
        }
    }
    out
}

/// The first plausible year (four digits, 1900–2100) in a cell: `2019`, `2018.01-2020.12`.
pub(crate) fn year_in(raw: &str) -> Option<i32> {
    let b = raw.as_bytes();
    let mut i = 0;
    while i + 4 <= b.len() {
        let run = b
            .get(i..)
            .map(|r| r.iter().take_while(|c| c.is_ascii_digit()).count())
            .unwrap_or(0);
        if run == 0 {
            i += 1;
            continue;
        }
        if run >= 4 {
            let y = raw
                .get(i..i + 4)
                .and_then(|s| s.parse::<i32>().ok())
                .filter(|y| (1900..=2100).contains(y));
            if y.is_some() {
                return y;
            }
        }
        i += run;
    }
    None
}

/// The taxonomy field of a written field, and the written text when it differs from the label.
fn field_of(raw: &str) -> (Option<Field>, Option<String>) {
    let Some(text) = one_line(raw) else {
        return (None, None);
    };
    let field = Field::classify(&text);
    let kept = (text != field.label()).then_some(text);
    (Some(field), kept)
}

/// A table row seen through its recognised columns.
struct RowView<'r, 'a> {
    columns: &'r Columns,
    row: &'r Row<'a>,
    /// The region the sheet name or title rows give, for rows without one.
    region: Option<&'r str>,
}

impl<'r> RowView<'r, '_> {
    fn region(&self) -> Option<String> {
        self.text(&[Col::Region])
            .and_then(one_line)
            .or_else(|| self.region.map(str::to_string))
    }

    /// The first non-empty cell among the columns holding any of `cols` (in that preference
    /// order) and the header text of its column.
    fn get(&self, cols: &[Col]) -> Option<(&'r str, &'r str)> {
        cols.iter().find_map(|col| {
            self.columns
                .indexes(*col)
                .map(|i| (self.row.get(i), i))
                .find(|(v, _)| !v.is_empty())
                .map(|(v, i)| (v, self.columns.text(i)))
        })
    }

    fn text(&self, cols: &[Col]) -> Option<&'r str> {
        self.get(cols).map(|(v, _)| v)
    }

    /// The header text naming `cols` in this table, for a report about a missing value.
    fn column_name(&self, cols: &[Col]) -> String {
        cols.iter()
            .find(|c| self.columns.has(**c))
            .or(cols.first())
            .map(|c| self.columns.name_of(*c))
            .unwrap_or_default()
    }
}

const DEMAND_TITLE: &[Col] = &[Col::DemandTitle, Col::Title, Col::AchievementTitle];
const DEMAND_ORG: &[Col] = &[Col::Enterprise, Col::OrgAny, Col::Institution];
const ACHIEVEMENT_TITLE: &[Col] = &[Col::AchievementTitle, Col::Title, Col::DemandTitle];
const RESEARCH_ORG: &[Col] = &[Col::Institution, Col::OrgAny, Col::Enterprise];
const EXPERT_NAME: &[Col] = &[Col::Name, Col::Leader];
const DEMAND_TEXT: &[Col] = &[Col::Description, Col::Intro, Col::Summary];
const ACHIEVEMENT_TEXT: &[Col] = &[Col::Summary, Col::Intro, Col::Description];
const EXPERT_TEXT: &[Col] = &[Col::Bio, Col::Intro, Col::Description, Col::Summary];

/// Reports the required values a row lacks; `true` when it must be skipped.
fn require(view: &RowView<'_, '_>, issues: &mut Issues<'_>, needs: &[(&[Col], bool)]) -> bool {
    let missing: Vec<String> = needs
        .iter()
        .filter(|(_, present)| !present)
        .map(|(cols, _)| view.column_name(cols))
        .collect();
    let Some(first) = missing.first() else {
        return false;
    };
    issues.push(
        Some(first),
        code::MISSING_REQUIRED,
        format!("缺少必填项：{}，该行未导入", missing.join("、")),
    );
    true
}

/// Reports the first text longer than a form or the API would accept; `true` when the row must
/// be skipped (a row is imported whole or not at all, never cut short).
fn too_long(view: &RowView<'_, '_>, issues: &mut Issues<'_>, limits: &[(&[Col], usize)]) -> bool {
    for (cols, max) in limits {
        let Some((raw, column)) = view.get(cols) else {
            continue;
        };
        if issues.over_limit(column, raw, *max) {
            return true;
        }
    }
    false
}

fn demand(view: &RowView<'_, '_>, issues: &mut Issues<'_>) -> Option<Draft> {
    let title = view.text(DEMAND_TITLE).and_then(clean_title);
    let org = view.text(DEMAND_ORG).and_then(one_line);
    if require(
        view,
        issues,
        &[(DEMAND_TITLE, title.is_some()), (DEMAND_ORG, org.is_some())],
    ) || too_long(
        view,
        issues,
        &[
            (DEMAND_TITLE, MAX_TITLE_CHARS),
            (DEMAND_TEXT, MAX_TEXT_CHARS),
            (&[Col::Goals], MAX_TEXT_CHARS),
        ],
    ) {
        return None;
    }
    let mut d = DemandDraft {
        org_name: org.unwrap_or_default(),
        title: title.unwrap_or_default(),
        description: view.text(DEMAND_TEXT).map(prose).unwrap_or_default(),
        goals: view.text(&[Col::Goals]).map(prose).unwrap_or_default(),
        region: view.region(),
        ..DemandDraft::default()
    };
    if let Some(raw) = view.text(&[Col::Field]) {
        (d.field, d.field_raw) = field_of(raw);
    }
    if let Some(raw) = view.text(&[Col::Modes]) {
        d.modes = CoopMode::parse_list(&fold_width(raw));
    }
    if let Some(raw) = view.text(&[Col::Keywords]) {
        d.keywords = split_keywords(raw);
    }
    if let Some((raw, column)) = view.get(&[Col::CreditCode]) {
        d.credit_code = normalize_credit_code(raw);
        if d.credit_code.is_none() {
            issues.push(
                Some(column),
                code::INVALID_CREDIT_CODE,
                format!("统一社会信用代码“{}”校验不通过，已忽略", quote(raw)),
            );
        }
    }
    if let Some((raw, column)) = view.get(&[Col::Budget, Col::Funding]) {
        match parse_budget(&budget_in_wan(raw, column)) {
            Ok(Some(b)) if b.wan.is_some_and(|w| w > MAX_BUDGET_WAN) => issues.push(
                Some(column),
                code::INVALID_BUDGET,
                format!(
                    "金额“{}”超出合理范围（上限 {MAX_BUDGET_WAN} 万元），请确认单位，已忽略",
                    quote(raw)
                ),
            ),
            Ok(Some(b)) => {
                d.budget_wan = b.wan;
                d.budget_negotiable = b.negotiable;
            }
            Ok(None) => {}
            Err(msg) => issues.push(Some(column), code::INVALID_BUDGET, format!("{msg}，已忽略")),
        }
    }
    if let Some((raw, column)) = view.get(&[Col::Deadline]) {
        match parse_date(raw) {
            Ok(date) => d.deadline = Some(date),
            Err(msg) => issues.push(Some(column), code::INVALID_DATE, format!("{msg}，已忽略")),
        }
    }
    d.contact = contact(view, issues, Some(&[Col::ContactName, Col::Name]));
    Some(Draft::Demand(d))
}

/// A bare number under a header in 元 (`投入资金（元）`) is converted to 万元, the unit the
/// budget parser assumes; anything with its own unit is left to the parser.
fn budget_in_wan(raw: &str, header: &str) -> String {
    let h = fold_width(header);
    let in_yuan = h.contains("元)") && !h.contains("万元") && !h.contains("亿");
    if in_yuan {
        let plain: String = fold_width(raw).chars().filter(|c| *c != ',').collect();
        if let Ok(v) = plain.trim().parse::<f64>() {
            return format!("{}", v / 10_000.0);
        }
    }
    raw.to_string()
}

fn contact(view: &RowView<'_, '_>, issues: &mut Issues<'_>, name_cols: Option<&[Col]>) -> Contact {
    Contact {
        name: name_cols
            .and_then(|cols| view.text(cols))
            .and_then(one_line),
        phone: view
            .get(&[Col::Phone])
            .and_then(|(raw, column)| issues.phone(column, raw)),
        email: view
            .get(&[Col::Email])
            .and_then(|(raw, column)| issues.email(column, raw)),
    }
}

fn achievement(view: &RowView<'_, '_>, issues: &mut Issues<'_>) -> Option<Draft> {
    let title = view.text(ACHIEVEMENT_TITLE).and_then(clean_title);
    let org = view.text(RESEARCH_ORG).and_then(one_line);
    if require(
        view,
        issues,
        &[
            (ACHIEVEMENT_TITLE, title.is_some()),
            (RESEARCH_ORG, org.is_some()),
        ],
    ) || too_long(
        view,
        issues,
        &[
            (ACHIEVEMENT_TITLE, MAX_TITLE_CHARS),
            (ACHIEVEMENT_TEXT, MAX_TEXT_CHARS),
        ],
    ) {
        return None;
    }
    let mut a = AchievementDraft {
        org_name: org.unwrap_or_default(),
        title: title.unwrap_or_default(),
        summary: view.text(ACHIEVEMENT_TEXT).map(prose).unwrap_or_default(),
        leader: view.text(&[Col::Leader, Col::Name]).and_then(one_line),
        region: view.region(),
        maturity: view.text(&[Col::Maturity]).and_then(Maturity::classify),
        year: view
            .text(&[Col::Year])
            .and_then(year_in)
            .or_else(|| view.text(&[Col::Period]).and_then(year_in)),
        ..AchievementDraft::default()
    };
    if let Some(raw) = view.text(&[Col::Field]) {
        (a.field, a.field_raw) = field_of(raw);
    }
    if let Some(raw) = view.text(&[Col::Keywords]) {
        a.keywords = split_keywords(raw);
    }
    Some(Draft::Achievement(a))
}

fn expert(view: &RowView<'_, '_>, issues: &mut Issues<'_>) -> Option<Draft> {
    let name = view.text(EXPERT_NAME).and_then(one_line);
    let org = view.text(RESEARCH_ORG).and_then(one_line);
    if require(
        view,
        issues,
        &[(EXPERT_NAME, name.is_some()), (RESEARCH_ORG, org.is_some())],
    ) || too_long(
        view,
        issues,
        &[
            (&[Col::Research], MAX_TEXT_CHARS),
            (EXPERT_TEXT, MAX_TEXT_CHARS),
        ],
    ) {
        return None;
    }
    let e = ExpertDraft {
        org_name: org.unwrap_or_default(),
        name: name.unwrap_or_default(),
        title: view.text(&[Col::ProfTitle]).and_then(one_line),
        department: view.text(&[Col::Department]).and_then(one_line),
        research_areas: view
            .text(&[Col::Research])
            .map(split_list)
            .unwrap_or_default(),
        keywords: view
            .text(&[Col::Keywords])
            .map(split_keywords)
            .unwrap_or_default(),
        bio: view.text(EXPERT_TEXT).map(prose).unwrap_or_default(),
        field: view.text(&[Col::Field]).and_then(|raw| field_of(raw).0),
        // The expert's name is public; contact holds only the ways to reach them.
        contact: contact(view, issues, None),
    };
    Some(Draft::Expert(e))
}

/// Reads every data row of a table as `kind` into `out`, each row dropped once its draft is
/// made: a row's cells (owned text, for workbooks) and its draft are not both kept for the
/// whole file.
pub(crate) fn read_table(table: Table<'_>, kind: RecordKind, out: &mut Collector) {
    let Table {
        sheet,
        columns,
        rows,
        header_row,
        has_notes,
        region,
    } = table;
    let mut classifier = RowClassifier::new(&columns, has_notes, header_row);
    out.reserve(rows.len());
    for row in rows {
        if classifier.classify(&row) != RowRole::Data {
            continue;
        }
        let view = RowView {
            columns: &columns,
            row: &row,
            region: region.as_deref(),
        };
        let mut issues = Issues::new(&sheet, row.number);
        let draft = match kind {
            RecordKind::Demands => demand(&view, &mut issues),
            RecordKind::Achievements => achievement(&view, &mut issues),
            RecordKind::Experts => expert(&view, &mut issues),
        };
        out.add(&sheet, row.number, draft, issues.errors);
    }
}

/// Identity of a record inside one file, for duplicate detection: normalised organisation and
/// title (or name), in one key.
fn identity(draft: &Draft) -> String {
    let (org, title) = match draft {
        Draft::Demand(d) => (&d.org_name, &d.title),
        Draft::Achievement(a) => (&a.org_name, &a.title),
        Draft::Expert(e) => (&e.org_name, &e.name),
    };
    let mut key = normalize_org_name(org);
    key.push('\u{1}');
    key.push_str(&normalize_title(title));
    key
}

/// Accumulates the records and the report of one file.
#[derive(Default)]
pub(crate) struct Collector {
    records: Vec<ParsedRow>,
    /// Indices in `records` of rows a later duplicate replaced, left out at the end (rare, so
    /// the records are not held twice to remove them).
    replaced: HashSet<usize>,
    errors: Vec<RowError>,
    skipped: u32,
    /// Identity → index in `records` of the latest row with it.
    seen: HashMap<String, usize>,
}

impl Collector {
    /// Adds one counted row: a draft (with any warnings) or, for `None`, a skipped row whose
    /// errors say why. A draft with the identity of an earlier row replaces it.
    pub(crate) fn add(
        &mut self,
        sheet: &str,
        row: u32,
        draft: Option<Draft>,
        errors: Vec<RowError>,
    ) {
        self.errors.extend(errors);
        let Some(draft) = draft else {
            self.skipped = self.skipped.saturating_add(1);
            return;
        };
        let index = self.records.len();
        if let Some(previous) = self.seen.insert(identity(&draft), index) {
            if let Some(old) = self
                .records
                .get(previous)
                .filter(|_| self.replaced.insert(previous))
            {
                self.errors.push(RowError {
                    sheet: old.sheet.clone(),
                    row: old.row,
                    column: None,
                    code: code::DUPLICATE_ROW.to_string(),
                    message: format!(
                        "与工作表“{sheet}”第 {row} 行重复（单位与名称相同），保留后者"
                    ),
                });
            }
        }
        self.records.push(ParsedRow {
            sheet: sheet.to_string(),
            row,
            draft,
        });
    }

    /// Room for `rows` more records at once: growing by doubling would hold the old and the
    /// new buffer together at the peak.
    pub(crate) fn reserve(&mut self, rows: usize) {
        self.records.reserve(rows);
    }

    /// A counted row that could not be read at all (a JSONL line that is not JSON).
    pub(crate) fn skip(&mut self, error: RowError) {
        self.add(&error.sheet.clone(), error.row, None, vec![error]);
    }

    /// Records, errors in the order found, rows counted, rows skipped.
    pub(crate) fn finish(self) -> (Vec<ParsedRow>, Vec<RowError>, u32, u32) {
        let mut records = self.records;
        if !self.replaced.is_empty() {
            let mut index = 0;
            records.retain(|_| {
                index += 1;
                !self.replaced.contains(&(index - 1))
            });
        }
        let total = u32::try_from(records.len())
            .unwrap_or(u32::MAX)
            .saturating_add(self.skipped);
        (records, self.errors, total, self.skipped)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_lose_list_numbers_only() {
        let t = |s: &str| clean_title(s).unwrap_or_default();
        assert_eq!(t("12.微生物修复石油污染"), "微生物修复石油污染");
        assert_eq!(t("1、高纯氧化铝"), "高纯氧化铝");
        assert_eq!(t("（3）高纯氧化铝"), "高纯氧化铝");
        assert_eq!(t("1．全角点"), "全角点");
        assert_eq!(t("（12）全角括号（保留）"), "全角括号（保留）");
        assert_eq!(t("１２、全角数字"), "全角数字");
        assert_eq!(t("1.5T磁共振成像"), "1.5T磁共振成像");
        assert_eq!(t("3D打印钛合金"), "3D打印钛合金");
        assert_eq!(t("2019年度报告"), "2019年度报告");
        assert_eq!(clean_title("12."), None);
    }

    #[test]
    fn years_and_lists() {
        assert_eq!(year_in("2018.01-2020.12"), Some(2018));
        assert_eq!(year_in("2019"), Some(2019));
        assert_eq!(year_in("12345"), None);
        assert_eq!(year_in("批准于2021年"), Some(2021));
        assert_eq!(year_in("99"), None);
        assert_eq!(
            split_list("机器学习；computer vision、机器学习"),
            vec!["机器学习", "computer vision"]
        );
    }

    #[test]
    fn quotes_are_cut_on_char_boundaries() {
        let long = "需".repeat(100);
        let q = quote(&long);
        assert_eq!(q.chars().count(), QUOTE_CHARS + 1);
        assert!(q.ends_with('…'));
    }

    #[test]
    fn budgets_in_yuan_headers_become_wan() {
        assert_eq!(budget_in_wan("500000", "投入资金（元）"), "50");
        assert_eq!(budget_in_wan("50", "拟投入资金（万元）"), "50");
        assert_eq!(budget_in_wan("面议", "投入资金（元）"), "面议");
    }

    #[test]
    fn duplicates_keep_the_last_row() {
        let mut c = Collector::default();
        let d = |title: &str| {
            Some(Draft::Demand(DemandDraft {
                org_name: "甲公司".into(),
                title: title.into(),
                ..DemandDraft::default()
            }))
        };
        c.add("s", 2, d("高纯 氧化铝"), vec![]);
        c.add("s", 3, d("别的"), vec![]);
        c.add("s", 4, d("高纯氧化铝"), vec![]);
        let (records, errors, total, skipped) = c.finish();
        assert_eq!(
            records.iter().map(|r| r.row).collect::<Vec<_>>(),
            vec![3, 4]
        );
        assert_eq!((total, skipped), (2, 0));
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].row, 2);
        assert_eq!(errors[0].code, code::DUPLICATE_ROW);
    }
}
