//! The annual report (年度报告) of the bureau's work: per county/district (the demand's
//! region) and per field, how many demands were collected, published, taken into docking and
//! contracted in the year, the contract value of the projects signed in it, the key projects
//! and where they stand, and the secondments active in it. "Reached state X in year Y" is
//! read from the demand history; years are counted in China Standard Time.
//!
//! Its tables are [`Table`]s, written by the same writers as the catalogue's export: the xlsx
//! workbook (one sheet per table) and the printable HTML page (the same tables, with
//! server-side SVG bar charts).

use crate::export::{format_named, CatalogueExport};
use crate::ledger::parse_year;
use crate::svg::{bar_chart, number};
use crate::table::{html_table, workbook, Align, Cell, Column, Layout, Table};
use crate::{blocking, internal, store_err, Action, App, AppResult, Caller};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use duijie_core::text::escape_html;
use duijie_core::{Project, ProjectStatus, Secondment};
use duijie_store::{AuditAction, AuditSubject, DemandTimeline, ProjectFilter};
use serde::Serialize;
use std::collections::BTreeMap;

/// Where demands without a region are counted.
pub const NO_REGION: &str = "未填写地区";
/// Where demands without a field are counted.
pub const NO_FIELD: &str = "未分类";

/// What the report is written as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    Json,
    Xlsx,
    Html,
}

impl ReportFormat {
    pub const ALL: [ReportFormat; 3] = [ReportFormat::Json, ReportFormat::Xlsx, ReportFormat::Html];

    pub fn as_str(self) -> &'static str {
        match self {
            ReportFormat::Json => "json",
            ReportFormat::Xlsx => "xlsx",
            ReportFormat::Html => "html",
        }
    }

    /// The format named by `s`, or an error naming the field and the choices.
    pub fn parse(s: &str) -> AppResult<ReportFormat> {
        format_named(s, &Self::ALL, Self::as_str, |s| {
            format!("不支持的格式“{s}”")
        })
    }

    fn content_type(self) -> &'static str {
        match self {
            ReportFormat::Json => "application/json",
            ReportFormat::Xlsx => {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
            ReportFormat::Html => "text/html; charset=utf-8",
        }
    }
}

/// The counts of one county/district, one field, or all of them.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportRow {
    pub name: String,
    /// Demands submitted in the year (征集), or entered already published.
    pub collected: u32,
    /// Demands published in the year.
    pub published: u32,
    /// Demands that went into docking in the year.
    pub docked: u32,
    /// Demands contracted in the year.
    pub contracted: u32,
    /// Projects signed in the year.
    pub projects: u32,
    /// Their contract value, 万元.
    pub contract_value_wan: f64,
    /// Key projects (重点项目) among them.
    pub key_projects: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatusCount {
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::project_status))]
    pub status: ProjectStatus,
    pub label: &'static str,
    pub count: u32,
}

/// One key project as the report lists it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KeyProjectLine {
    pub id: String,
    pub title: String,
    pub enterprise: String,
    pub institution: String,
    pub region: String,
    pub amount_wan: f64,
    pub signed_on: NaiveDate,
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::project_status))]
    pub status: ProjectStatus,
    pub status_label: &'static str,
}

/// The key projects signed in the year and where they stand now.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KeyProjects {
    pub total: u32,
    pub by_status: Vec<StatusCount>,
    pub items: Vec<KeyProjectLine>,
}

/// One secondment active in the year.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SecondmentLine {
    pub id: String,
    pub expert_id: String,
    pub expert: String,
    pub home_org: String,
    pub host_org: String,
    pub post: String,
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
}

/// The annual report of one year.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AnnualReport {
    pub year: i32,
    pub totals: ReportRow,
    pub by_region: Vec<ReportRow>,
    pub by_field: Vec<ReportRow>,
    pub key_projects: KeyProjects,
    pub secondments: Vec<SecondmentLine>,
}

use duijie_core::time::{china_year as year_of, china_year_start as year_start};

fn group_name(value: Option<&str>, missing: &str) -> String {
    match value.map(str::trim) {
        Some(v) if !v.is_empty() => v.to_string(),
        _ => missing.to_string(),
    }
}

/// Rows by name, the "missing" group last.
fn sorted(groups: BTreeMap<String, ReportRow>, missing: &str) -> Vec<ReportRow> {
    let mut rows: Vec<ReportRow> = groups.into_values().collect();
    rows.sort_by(|a, b| (a.name == missing, &a.name).cmp(&(b.name == missing, &b.name)));
    rows
}

/// Builds the report from the demands' timelines, the projects signed in the year and the
/// secondments active in it.
pub fn build(
    year: i32,
    timelines: &[DemandTimeline],
    projects: &[Project],
    secondments: &[Secondment],
) -> AnnualReport {
    let in_year = |t: Option<DateTime<Utc>>| t.is_some_and(|t| year_of(t) == year);
    let mut totals = ReportRow {
        name: "合计".into(),
        ..ReportRow::default()
    };
    let mut regions: BTreeMap<String, ReportRow> = BTreeMap::new();
    let mut fields: BTreeMap<String, ReportRow> = BTreeMap::new();
    let mut rows_of = |region: Option<&str>, field: Option<&str>, f: &dyn Fn(&mut ReportRow)| {
        let region = group_name(region, NO_REGION);
        let field = group_name(field, NO_FIELD);
        for (groups, name) in [(&mut regions, region), (&mut fields, field)] {
            f(groups.entry(name.clone()).or_insert_with(|| ReportRow {
                name,
                ..ReportRow::default()
            }));
        }
        f(&mut totals);
    };
    for t in timelines {
        // Imported catalogues write published demands without a history entry.
        let published = t
            .published_at
            .or_else(|| t.status.is_public().then_some(t.created_at));
        // 征集: a demand counts when it was submitted (or entered already published, as
        // imported catalogues do); drafts never submitted are not collected demands.
        let collected = t.submitted_at.or(published);
        let counts = [
            in_year(collected),
            in_year(published),
            in_year(t.docked_at),
            in_year(t.contracted_at),
        ];
        if counts.iter().any(|c| *c) {
            rows_of(
                t.region.as_deref(),
                t.field.as_deref(),
                &|r: &mut ReportRow| {
                    r.collected += u32::from(counts[0]);
                    r.published += u32::from(counts[1]);
                    r.docked += u32::from(counts[2]);
                    r.contracted += u32::from(counts[3]);
                },
            );
        }
    }
    let signed: Vec<&Project> = projects
        .iter()
        .filter(|p| p.signed_on.year() == year)
        .collect();
    for p in &signed {
        rows_of(
            p.region.as_deref(),
            p.field.as_deref(),
            &|r: &mut ReportRow| {
                r.projects += 1;
                r.contract_value_wan += p.amount_wan;
                r.key_projects += u32::from(p.key_project);
            },
        );
    }
    let key: Vec<&&Project> = signed.iter().filter(|p| p.key_project).collect();
    let key_projects = KeyProjects {
        total: key.len() as u32,
        by_status: ProjectStatus::ALL
            .into_iter()
            .map(|status| StatusCount {
                status,
                label: status.label(),
                count: key.iter().filter(|p| p.status == status).count() as u32,
            })
            .collect(),
        items: key
            .iter()
            .map(|p| KeyProjectLine {
                id: p.id.clone(),
                title: p.title.clone(),
                enterprise: p.enterprise_name.clone(),
                institution: p.institution_name.clone(),
                region: group_name(p.region.as_deref(), NO_REGION),
                amount_wan: p.amount_wan,
                signed_on: p.signed_on,
                status: p.status,
                status_label: p.status.label(),
            })
            .collect(),
    };
    let secondments = secondments
        .iter()
        .filter(|s| s.start_on.year() <= year && s.end_on.is_none_or(|e| e.year() >= year))
        .map(|s| SecondmentLine {
            id: s.id.clone(),
            expert_id: s.expert_id.clone(),
            expert: s.expert_name.clone(),
            home_org: s.home_org_name.clone(),
            host_org: s.host_org_name.clone(),
            post: s.post.clone(),
            start: s.start_on,
            end: s.end_on,
        })
        .collect();
    AnnualReport {
        year,
        totals,
        by_region: sorted(regions, NO_REGION),
        by_field: sorted(fields, NO_FIELD),
        key_projects,
        secondments,
    }
}

/// The columns of a report table: the first one wider; numbers to the right.
fn columns(headers: &[(&'static str, Align)]) -> Vec<Column> {
    headers
        .iter()
        .enumerate()
        .map(|(col, &(header, align))| Column {
            header,
            width: if col == 0 { 16.0 } else { 14.0 },
            align,
        })
        .collect()
}

/// A table of the report: a sheet of the workbook, a section of the page.
fn report_table(
    sheet: &'static str,
    title: &str,
    headers: &[(&'static str, Align)],
    rows: Vec<Vec<Cell>>,
) -> Table {
    Table {
        sheet,
        title: title.to_string(),
        columns: columns(headers),
        rows,
        group_by: None,
    }
}

const COUNT_HEADERS: [&str; 7] = [
    "征集需求数",
    "发布需求数",
    "进入对接数",
    "签约需求数",
    "签约项目数",
    "合同金额（万元）",
    "重点项目数",
];

fn count_cells(r: &ReportRow) -> Vec<Cell> {
    let mut cells = vec![Cell::Text(r.name.clone())];
    cells.extend(
        [r.collected, r.published, r.docked, r.contracted, r.projects]
            .map(|n| Cell::Number(f64::from(n))),
    );
    cells.push(Cell::Number(r.contract_value_wan));
    cells.push(Cell::Number(f64::from(r.key_projects)));
    cells
}

fn count_table(
    sheet: &'static str,
    title: &str,
    first: &'static str,
    rows: &[ReportRow],
    totals: &ReportRow,
) -> Table {
    let mut headers = vec![(first, Align::Left)];
    headers.extend(COUNT_HEADERS.map(|h| (h, Align::Right)));
    let rows = rows.iter().chain([totals]).map(count_cells).collect();
    report_table(sheet, title, &headers, rows)
}

fn day(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn tables(r: &AnnualReport) -> Vec<Table> {
    vec![
        count_table(
            "按县区",
            "分县（市、区）统计",
            "县（市、区）",
            &r.by_region,
            &r.totals,
        ),
        count_table(
            "按领域",
            "分技术领域统计",
            "技术领域",
            &r.by_field,
            &r.totals,
        ),
        report_table(
            "重点项目状态",
            "重点项目状态",
            &[("项目状态", Align::Left), ("项目数", Align::Right)],
            r.key_projects
                .by_status
                .iter()
                .map(|s| vec![Cell::Text(s.label.into()), Cell::Number(f64::from(s.count))])
                .collect(),
        ),
        report_table(
            "重点项目",
            "重点项目清单",
            &[
                ("序号", Align::Right),
                ("项目名称", Align::Left),
                ("需求企业", Align::Left),
                ("承担单位", Align::Left),
                ("县（市、区）", Align::Left),
                ("合同金额（万元）", Align::Right),
                ("签约日期", Align::Left),
                ("项目状态", Align::Left),
            ],
            r.key_projects
                .items
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    vec![
                        Cell::Number((i + 1) as f64),
                        Cell::Text(p.title.clone()),
                        Cell::Text(p.enterprise.clone()),
                        Cell::Text(p.institution.clone()),
                        Cell::Text(p.region.clone()),
                        Cell::Number(p.amount_wan),
                        Cell::Text(day(p.signed_on)),
                        Cell::Text(p.status_label.into()),
                    ]
                })
                .collect(),
        ),
        report_table(
            "科技副职",
            "科技副职（挂职）",
            &[
                ("序号", Align::Right),
                ("专家", Align::Left),
                ("所在单位", Align::Left),
                ("挂职单位", Align::Left),
                ("挂职职务", Align::Left),
                ("开始日期", Align::Left),
                ("结束日期", Align::Left),
            ],
            r.secondments
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    vec![
                        Cell::Number((i + 1) as f64),
                        Cell::Text(s.expert.clone()),
                        Cell::Text(s.home_org.clone()),
                        Cell::Text(s.host_org.clone()),
                        Cell::Text(s.post.clone()),
                        Cell::Text(day(s.start)),
                        Cell::Text(s.end.map(day).unwrap_or_else(|| "至今".into())),
                    ]
                })
                .collect(),
        ),
    ]
}

/// The report's charts and tables, escaped, for a page of the site or the printable document.
pub fn html_body(r: &AnnualReport) -> String {
    let bars = |rows: &[ReportRow], value: fn(&ReportRow) -> f64| -> Vec<(String, f64)> {
        rows.iter()
            .map(|row| (row.name.clone(), value(row)))
            .collect()
    };
    let t = &r.totals;
    let mut out = format!(
        "<section class=\"report\">\n<p class=\"report-summary\">{} 年共征集需求 {} 项，发布 {} 项，\
         进入对接 {} 项，签约 {} 项；签约项目 {} 个，合同金额 {} 万元，其中重点项目 {} 个；\
         在岗科技副职 {} 人次。</p>\n<div class=\"charts\">\n",
        r.year,
        t.collected,
        t.published,
        t.docked,
        t.contracted,
        t.projects,
        number(t.contract_value_wan),
        t.key_projects,
        r.secondments.len()
    );
    let status_bars: Vec<(String, f64)> = r
        .key_projects
        .by_status
        .iter()
        .map(|s| (s.label.to_string(), f64::from(s.count)))
        .collect();
    for chart in [
        bar_chart(
            "各县（市、区）征集需求数",
            "项",
            &bars(&r.by_region, |row| f64::from(row.collected)),
        ),
        bar_chart(
            "各县（市、区）签约需求数",
            "项",
            &bars(&r.by_region, |row| f64::from(row.contracted)),
        ),
        bar_chart(
            "各县（市、区）合同金额",
            "万元",
            &bars(&r.by_region, |row| row.contract_value_wan),
        ),
        bar_chart(
            "各技术领域征集需求数",
            "项",
            &bars(&r.by_field, |row| f64::from(row.collected)),
        ),
        bar_chart("重点项目状态", "个", &status_bars),
    ] {
        out.push_str(&format!("<figure>{chart}</figure>\n"));
    }
    out.push_str("</div>\n");
    for table in tables(r) {
        out.push_str(&format!("<h2>{}</h2>\n", escape_html(&table.title)));
        out.push_str(&html_table(&table));
    }
    out.push_str("</section>\n");
    out
}

pub fn title(year: i32) -> String {
    format!("{year} 年度科技需求对接工作报告")
}

/// The printable report's stylesheet, inline so the saved file stands alone (the server allows
/// it by its hash in the Content-Security-Policy).
pub const PRINT_CSS: &str =
    "body{font-family:\"Noto Sans CJK SC\",\"Source Han Sans SC\",\"Microsoft YaHei\",\
\"SimSun\",sans-serif;margin:24px;color:#111}\
h1{text-align:center;font-size:22px}h2{font-size:16px;margin:20px 0 6px}\
.charts{display:flex;flex-wrap:wrap;gap:12px}figure{margin:0;max-width:100%}svg{max-width:100%;height:auto}\
table{border-collapse:collapse;width:100%;font-size:12px}\
th,td{border:1px solid #888;padding:4px 6px}th{background:#d9e1f2}td.num{text-align:right}\
@media(max-width:600px){body{margin:10px}table{font-size:11px}}\
@page{size:A4;margin:12mm}@media print{body{margin:0}figure,tr{page-break-inside:avoid}}";

fn html(r: &AnnualReport) -> String {
    let title = escape_html(&title(r.year));
    format!(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>{title}</title>\n<style>{PRINT_CSS}</style>\n</head>\n<body>\n<h1>{title}</h1>\n{}\
         </body>\n</html>\n",
        html_body(r)
    )
}

/// Writes the report in `format`. CPU-bound: call it off the async executor.
pub fn render(r: &AnnualReport, format: ReportFormat) -> AppResult<CatalogueExport> {
    let bytes = match format {
        // Serialising plain values cannot fail.
        ReportFormat::Json => serde_json::to_vec_pretty(r).unwrap_or_default(),
        ReportFormat::Xlsx => {
            workbook(&tables(r), &Layout::Plain).map_err(|e| internal("report xlsx", e))?
        }
        ReportFormat::Html => html(r).into_bytes(),
    };
    Ok(CatalogueExport {
        bytes,
        content_type: format.content_type(),
        file_name: format!("annual-report-{}.{}", r.year, format.as_str()),
    })
}

impl App {
    /// The annual report of `year` (a query value; the current year when absent).
    pub async fn annual_report(
        &self,
        caller: &Caller,
        year: Option<&str>,
    ) -> AppResult<AnnualReport> {
        caller.require(Action::ReadAnnualReport)?;
        let year = match year.map(str::trim).filter(|y| !y.is_empty()) {
            Some(y) => parse_year("year", y)?,
            None => crate::ledger::current_year(),
        };
        let timelines = self
            .store
            .demand_timelines(year_start(year + 1))
            .await
            .map_err(store_err)?;
        let projects = self
            .store
            .list_projects(&ProjectFilter {
                year: Some(year),
                ..ProjectFilter::default()
            })
            .await
            .map_err(store_err)?;
        let secondments = self
            .store
            .list_secondments(Some(year))
            .await
            .map_err(store_err)?;
        blocking(move || Ok(build(year, &timelines, &projects, &secondments))).await
    }

    /// The annual report written as json, xlsx or html.
    pub async fn export_annual_report(
        &self,
        caller: &Caller,
        year: Option<&str>,
        format: ReportFormat,
    ) -> AppResult<CatalogueExport> {
        let report = self.annual_report(caller, year).await?;
        let summary = format!("导出 {} 年度报告（{}）", report.year, format.as_str());
        let out = blocking(move || render(&report, format)).await?;
        self.audit(crate::audit::entry(
            caller,
            AuditAction::ReportExport,
            AuditSubject::Report,
            Vec::new(),
            summary,
        ))
        .await?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use duijie_core::DemandStatus;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn timeline(id: &str, region: Option<&str>, created: &str) -> DemandTimeline {
        DemandTimeline {
            id: id.into(),
            region: region.map(str::to_string),
            field: Some("新材料".into()),
            status: DemandStatus::Submitted,
            created_at: at(created),
            submitted_at: Some(at(created)),
            published_at: None,
            docked_at: None,
            contracted_at: None,
        }
    }

    fn project(id: &str, region: &str, amount: f64, signed: &str, key: bool) -> Project {
        Project {
            id: id.into(),
            demand_id: "d".into(),
            demand_title: "需求".into(),
            enterprise_id: "e".into(),
            enterprise_name: "甲公司".into(),
            institution_id: "i".into(),
            institution_name: "郑州大学".into(),
            region: Some(region.into()),
            field: None,
            title: format!("项目{id}"),
            amount_wan: amount,
            signed_on: NaiveDate::parse_from_str(signed, "%Y-%m-%d").unwrap(),
            key_project: key,
            status: ProjectStatus::InProgress,
            milestones: Vec::new(),
            notes: String::new(),
            version: 1,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    fn secondment(start: &str, end: Option<&str>) -> Secondment {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        Secondment {
            id: format!("sec_{start}"),
            expert_id: "exp_1".into(),
            expert_name: "王五".into(),
            home_org_name: "河南农业大学".into(),
            host_org_id: "org_1".into(),
            host_org_name: "灵宝市人民政府".into(),
            post: "科技副县长".into(),
            start_on: d(start),
            end_on: end.map(d),
            created_at: Utc::now(),
        }
    }

    fn sample() -> AnnualReport {
        let mut contracted = timeline("a", Some("灵宝市"), "2025-12-20T00:00:00Z");
        contracted.status = DemandStatus::Contracted;
        contracted.published_at = Some(at("2026-01-05T00:00:00Z"));
        contracted.docked_at = Some(at("2026-02-01T00:00:00Z"));
        contracted.contracted_at = Some(at("2026-03-01T00:00:00Z"));
        // 2026-12-31 17:00 UTC is already 2027 in China.
        let late = timeline("b", Some("陕州区"), "2026-12-31T17:00:00Z");
        let mut imported = timeline("c", None, "2026-05-01T00:00:00Z");
        imported.status = DemandStatus::Published;
        imported.submitted_at = None;
        let old = timeline("d", Some("灵宝市"), "2024-05-01T00:00:00Z");
        build(
            2026,
            &[contracted, late, imported, old],
            &[
                project("p1", "灵宝市", 120.5, "2026-03-01", true),
                project("p2", "灵宝市", 30.0, "2026-04-01", false),
            ],
            &[
                secondment("2025-01-01", Some("2026-01-31")),
                secondment("2024-01-01", Some("2025-12-31")),
                secondment("2026-06-01", None),
            ],
        )
    }

    #[test]
    fn counts_follow_the_year_of_each_step() {
        let r = sample();
        let t = &r.totals;
        assert_eq!(
            (
                t.collected,
                t.published,
                t.docked,
                t.contracted,
                t.projects,
                t.key_projects
            ),
            (1, 2, 1, 1, 2, 1)
        );
        assert_eq!(t.contract_value_wan, 150.5);
        let names: Vec<&str> = r.by_region.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["灵宝市", NO_REGION], "陕州区 only counts in 2027");
        let lingbao = &r.by_region[0];
        assert_eq!(
            (
                lingbao.collected,
                lingbao.published,
                lingbao.contracted,
                lingbao.projects
            ),
            (0, 1, 1, 2)
        );
        assert_eq!(r.by_region[1].published, 1, "imported as published");
        assert_eq!(r.by_field.last().unwrap().name, NO_FIELD);
        assert_eq!(r.key_projects.total, 1);
        let in_progress = r
            .key_projects
            .by_status
            .iter()
            .find(|s| s.status == ProjectStatus::InProgress)
            .unwrap();
        assert_eq!(in_progress.count, 1);
        assert_eq!(r.secondments.len(), 2);
        assert_eq!(
            build(
                2027,
                &[timeline("b", Some("陕州区"), "2026-12-31T17:00:00Z")],
                &[],
                &[]
            )
            .totals
            .collected,
            1
        );
    }

    /// Drafts that were never submitted, and drafts withdrawn before submission, are not
    /// collected demands; a demand submitted and later withdrawn was collected.
    #[test]
    fn only_submitted_demands_are_collected() {
        let mut draft = timeline("e", Some("灵宝市"), "2026-03-01T00:00:00Z");
        draft.status = DemandStatus::Draft;
        draft.submitted_at = None;
        let mut withdrawn_draft = draft.clone();
        withdrawn_draft.id = "f".into();
        withdrawn_draft.status = DemandStatus::Withdrawn;
        let mut withdrawn_later = timeline("g", Some("灵宝市"), "2026-03-02T00:00:00Z");
        withdrawn_later.status = DemandStatus::Withdrawn;
        let r = build(2026, &[draft, withdrawn_draft, withdrawn_later], &[], &[]);
        assert_eq!(r.totals.collected, 1);
    }

    #[test]
    fn html_has_charts_and_escaped_tables() {
        let mut r = sample();
        r.by_region[0].name = "<script>".into();
        let page = String::from_utf8(render(&r, ReportFormat::Html).unwrap().bytes).unwrap();
        assert!(page.starts_with("<!DOCTYPE html>") && page.contains("lang=\"zh-CN\""));
        assert_eq!(page.matches("<svg").count(), 5);
        assert!(!page.contains("<script>") && page.contains("&lt;script&gt;"));
        assert!(page.contains("分县（市、区）统计") && page.contains("科技副职（挂职）"));
        assert!(page.contains("150.5"));
    }

    #[test]
    fn xlsx_text_that_would_be_a_formula_is_neutralised() {
        use calamine::Reader;
        let mut r = sample();
        r.by_region[0].name = "=HYPERLINK(\"http://evil.example/x\",\"查看详情\")".into();
        let bytes = render(&r, ReportFormat::Xlsx).unwrap().bytes;
        let mut wb: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        let regions = wb.worksheet_range("按县区").unwrap();
        let names: Vec<String> = (1..regions.height() as u32)
            .filter_map(|row| regions.get_value((row, 0)).map(|d| d.to_string()))
            .collect();
        assert!(
            names.contains(&"'=HYPERLINK(\"http://evil.example/x\",\"查看详情\")".to_string()),
            "{names:?}"
        );
    }

    #[test]
    fn xlsx_has_one_sheet_per_table_with_chinese_headers() {
        use calamine::Reader;
        let bytes = render(&sample(), ReportFormat::Xlsx).unwrap().bytes;
        let mut wb: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        assert_eq!(
            wb.sheet_names(),
            ["按县区", "按领域", "重点项目状态", "重点项目", "科技副职"]
        );
        let regions = wb.worksheet_range("按县区").unwrap();
        let cell = |r: u32, c: u32| {
            regions
                .get_value((r, c))
                .map(|d| d.to_string())
                .unwrap_or_default()
        };
        assert_eq!(cell(0, 0), "县（市、区）");
        assert_eq!(cell(0, 6), "合同金额（万元）");
        assert_eq!(cell(1, 0), "灵宝市");
        assert_eq!(cell(3, 0), "合计");
        assert_eq!(cell(3, 6), "150.5");
    }

    #[test]
    fn formats_name_the_choices() {
        assert_eq!(ReportFormat::parse("XLSX").unwrap(), ReportFormat::Xlsx);
        let e = ReportFormat::parse("pdf").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("format"));
        assert!(e.message.contains("json、xlsx、html"));
    }
}
