//! The audit log (审计日志): who approved, returned, rejected, withdrew or reopened a demand,
//! published a catalogue, exported a contact-bearing file or the annual report, read contact
//! details in bulk, or administered an account; when, and which records. The bureau and
//! administrators read and export it. Entries hold record ids, counts and summaries made of
//! titles and counts, never a contact value (name, phone, e-mail).

use crate::export::CatalogueExport;
use crate::table::{csv_document, Cell};
use crate::{store_err, Action, App, AppResult, Caller};
use duijie_core::error::FieldErrors;
use duijie_core::time::{china_day_start, china_local};
use duijie_core::validate::parse_date;
use duijie_core::{DomainError, Role};
use duijie_store::{AuditAction, AuditActor, AuditEntry, AuditFilter, AuditSubject, NewAuditEntry};
use serde::Deserialize;

/// A bulk read of contact details: one answer (a search page, a demand list, a catalogue)
/// that hands the caller the contact details of at least this many records they do not own.
/// A page of 20 search results with contacts is one; opening a single demand is not.
pub const BULK_CONTACT_RECORDS: usize = 10;
/// Entries per page of the log, by default and at most.
pub const AUDIT_PER_PAGE: u32 = 50;
pub const AUDIT_MAX_PER_PAGE: u32 = 200;
/// Entries in one export, newest first; narrow the filters for older ones.
pub const AUDIT_MAX_EXPORT: u32 = 50_000;

/// Filters of the log, as a query string gives them; dates are `YYYY-MM-DD` in China time,
/// both ends included.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct AuditQuery {
    /// One action, e.g. `demand_approve`, `catalogue_export_full`, `contact_bulk_read`.
    pub action: Option<String>,
    /// An account's name or id.
    pub actor: Option<String>,
    /// From this day on, `YYYY-MM-DD` (China time).
    pub from: Option<String>,
    /// Up to and including this day, `YYYY-MM-DD` (China time).
    pub to: Option<String>,
    /// 1-based page (the list only).
    pub page: Option<u32>,
    /// 1 to 200, default 50 (the list only).
    pub per_page: Option<u32>,
}

/// One page of the log.
#[derive(Debug, Clone)]
pub struct AuditPage {
    pub items: Vec<AuditEntry>,
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
}

impl AuditQuery {
    /// The store's filter for page `page` of `per_page`, every bad value reported at once.
    fn filter(&self) -> AppResult<(AuditFilter, u32, u32)> {
        let mut errs = FieldErrors::default();
        let given = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        let action = given(&self.action).and_then(|a| {
            errs.check(AuditAction::parse(&a).ok_or_else(|| {
                DomainError::invalid("action", "操作类型不在可选范围内，请从列表中选择")
            }))
        });
        let day = |field: &str, label: &str, v: &Option<String>, errs: &mut FieldErrors| {
            given(v).and_then(|d| {
                errs.check(parse_date(&d).map_err(|_| {
                    DomainError::invalid(field, format!("{label}应为 YYYY-MM-DD 格式的日期"))
                }))
            })
        };
        let from = day("from", "开始日期", &self.from, &mut errs);
        let to = day("to", "结束日期", &self.to, &mut errs);
        if let (Some(f), Some(t)) = (from, to) {
            if f > t {
                errs.add(DomainError::invalid("to", "结束日期不能早于开始日期"));
            }
        }
        let page = self.page.unwrap_or(1);
        if page == 0 {
            errs.add(DomainError::invalid("page", "页码须从 1 开始"));
        }
        let per_page = self.per_page.unwrap_or(AUDIT_PER_PAGE);
        if per_page == 0 || per_page > AUDIT_MAX_PER_PAGE {
            errs.add(DomainError::invalid(
                "per_page",
                format!("每页条数须在 1 到 {AUDIT_MAX_PER_PAGE} 之间"),
            ));
        }
        errs.finish()?;
        let filter = AuditFilter {
            action,
            actor: given(&self.actor),
            since: from.map(china_day_start),
            until: to.and_then(|t| t.succ_opt()).map(china_day_start),
            offset: (page - 1).saturating_mul(per_page),
            limit: per_page,
        };
        Ok((filter, page, per_page))
    }
}

/// Who the log names for a caller: the account, or the operator of a local command (the CLI
/// acts without an account; whoever runs it holds the database).
pub(crate) fn audit_actor(caller: &Caller) -> AuditActor {
    match caller.user() {
        Some(u) => AuditActor {
            id: Some(u.id.clone()),
            name: u.name.clone(),
            role: Some(u.role),
        },
        None => AuditActor {
            id: None,
            name: "本机命令行".into(),
            role: None,
        },
    }
}

pub(crate) fn entry(
    caller: &Caller,
    action: AuditAction,
    subject: AuditSubject,
    record_ids: Vec<String>,
    summary: String,
) -> NewAuditEntry {
    NewAuditEntry {
        actor: audit_actor(caller),
        action,
        subject,
        record_ids,
        summary,
    }
}

impl App {
    /// Appends an entry before what it records is handed out: an export or a bulk read whose
    /// entry cannot be written is refused rather than left unrecorded.
    pub(crate) async fn audit(&self, entry: NewAuditEntry) -> AppResult<()> {
        self.store.append_audit(&entry).await.map_err(store_err)
    }

    /// Appends an entry for a change already committed; a failure cannot undo the change, so
    /// it is logged (action only) and the caller still gets the change's answer.
    pub(crate) async fn audit_committed(&self, entry: NewAuditEntry) {
        if let Err(e) = self.store.append_audit(&entry).await {
            tracing::error!(action = entry.action.as_str(), error = %e, "audit entry not written");
        }
    }

    /// Records a bulk read when `ids` (the records of one answer whose contact details the
    /// caller received) reach [`BULK_CONTACT_RECORDS`].
    pub(crate) async fn audit_contact_read(
        &self,
        caller: &Caller,
        subject: AuditSubject,
        ids: Vec<String>,
        what: &str,
    ) -> AppResult<()> {
        if ids.len() < BULK_CONTACT_RECORDS {
            return Ok(());
        }
        let summary = format!("{what}含 {} 条{}的联系方式", ids.len(), subject.label());
        self.audit(entry(
            caller,
            AuditAction::ContactBulkRead,
            subject,
            ids,
            summary,
        ))
        .await
    }

    /// A page of the log, newest first (bureau and administrators).
    pub async fn audit_log(&self, caller: &Caller, q: &AuditQuery) -> AppResult<AuditPage> {
        caller.require(Action::ReadAuditLog)?;
        let (filter, page, per_page) = q.filter()?;
        let (items, total) = self.store.list_audit(&filter).await.map_err(store_err)?;
        Ok(AuditPage {
            items,
            total,
            page,
            per_page,
        })
    }

    /// The entries matching `q` (paging ignored, at most [`AUDIT_MAX_EXPORT`]) as CSV; the
    /// export is itself recorded.
    pub async fn export_audit_log(
        &self,
        caller: &Caller,
        q: &AuditQuery,
    ) -> AppResult<CatalogueExport> {
        caller.require(Action::ReadAuditLog)?;
        let (mut filter, _, _) = AuditQuery {
            page: None,
            per_page: None,
            ..q.clone()
        }
        .filter()?;
        filter.offset = 0;
        filter.limit = AUDIT_MAX_EXPORT;
        let (items, total) = self.store.list_audit(&filter).await.map_err(store_err)?;
        let bytes = csv_document(&CSV_COLUMNS, items.iter().map(csv_row));
        self.audit(entry(
            caller,
            AuditAction::AuditExport,
            AuditSubject::Audit,
            Vec::new(),
            format!("导出审计日志 {} 条（符合条件的共 {total} 条）", items.len()),
        ))
        .await?;
        Ok(CatalogueExport {
            bytes,
            content_type: "text/csv; charset=utf-8",
            file_name: format!(
                "audit-{}.csv",
                duijie_core::time::china_today().format("%Y%m%d")
            ),
        })
    }
}

const CSV_COLUMNS: [&str; 9] = [
    "序号",
    "时间",
    "操作人",
    "角色",
    "账号编号",
    "操作",
    "对象类型",
    "对象编号",
    "摘要",
];

/// How pages and exports name an entry's role; a local command has none.
pub fn role_name(role: Option<Role>) -> &'static str {
    role.map_or("本机操作", Role::label)
}

/// When an entry was made, in China time, as pages and exports show it.
pub fn audit_time(e: &AuditEntry) -> String {
    china_local(e.at).format("%Y-%m-%d %H:%M:%S").to_string()
}

fn csv_row(e: &AuditEntry) -> Vec<Cell> {
    let text = |s: &str| Cell::Text(s.to_string());
    vec![
        Cell::Number(e.seq as f64),
        Cell::Text(audit_time(e)),
        text(&e.actor.name),
        text(role_name(e.actor.role)),
        text(e.actor.id.as_deref().unwrap_or("")),
        text(e.action.label()),
        text(e.subject.label()),
        Cell::Text(e.record_ids.join(" ")),
        text(&e.summary),
    ]
}
