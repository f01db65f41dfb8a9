//! The audit log (审计日志) in SQL: who did something sensitive, when, to which records.
//! Entries hold ids, a count and a short summary written by the app, never contact values;
//! they are appended and never changed. A review decision's entry is written in the same
//! transaction as the demand's move ([`crate::SqlStore::transition_demand_audited`]).

use crate::rows::{self, millis, to_json, Val};
use crate::sql::Listing;
use crate::{Result, SqlStore, StoreError};
use chrono::{DateTime, Utc};
use duijie_core::Role;
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

/// What an audit entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    /// 审核通过
    DemandApprove,
    /// 退回修改
    DemandRequestChanges,
    /// 审核不通过
    DemandReject,
    /// 撤回需求
    DemandWithdraw,
    /// 重新打开
    DemandReopen,
    /// 发布目录
    CataloguePublish,
    /// 导出含联系方式的目录
    CatalogueExportFull,
    /// 导出年度报告
    ReportExport,
    /// 批量读取联系方式
    ContactBulkRead,
    /// 新建账号
    UserAdd,
    /// 重置令牌
    TokenReset,
    /// 撤销令牌
    TokenRevoke,
    /// 导出审计日志
    AuditExport,
    /// 通过注册申请
    RegistrationApprove,
    /// 驳回注册申请
    RegistrationReject,
    /// 停用账号
    UserDisable,
    /// 启用账号
    UserEnable,
    /// 重置密码
    PasswordReset,
    /// 更改角色
    RoleChange,
    /// 新建成果、专家或仪器（机构自行维护）
    RecordCreate,
    /// 修改成果、专家或仪器
    RecordEdit,
    /// 删除成果、专家或仪器
    RecordDelete,
}

impl AuditAction {
    pub const ALL: [AuditAction; 22] = [
        AuditAction::DemandApprove,
        AuditAction::DemandRequestChanges,
        AuditAction::DemandReject,
        AuditAction::DemandWithdraw,
        AuditAction::DemandReopen,
        AuditAction::CataloguePublish,
        AuditAction::CatalogueExportFull,
        AuditAction::ReportExport,
        AuditAction::ContactBulkRead,
        AuditAction::UserAdd,
        AuditAction::TokenReset,
        AuditAction::TokenRevoke,
        AuditAction::AuditExport,
        AuditAction::RegistrationApprove,
        AuditAction::RegistrationReject,
        AuditAction::UserDisable,
        AuditAction::UserEnable,
        AuditAction::PasswordReset,
        AuditAction::RoleChange,
        AuditAction::RecordCreate,
        AuditAction::RecordEdit,
        AuditAction::RecordDelete,
    ];

    /// The actions of records an institution keeps itself (its achievements, experts and
    /// instruments).
    pub const RECORD_CHANGES: [AuditAction; 3] = [
        AuditAction::RecordCreate,
        AuditAction::RecordEdit,
        AuditAction::RecordDelete,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::DemandApprove => "demand_approve",
            AuditAction::DemandRequestChanges => "demand_request_changes",
            AuditAction::DemandReject => "demand_reject",
            AuditAction::DemandWithdraw => "demand_withdraw",
            AuditAction::DemandReopen => "demand_reopen",
            AuditAction::CataloguePublish => "catalogue_publish",
            AuditAction::CatalogueExportFull => "catalogue_export_full",
            AuditAction::ReportExport => "report_export",
            AuditAction::ContactBulkRead => "contact_bulk_read",
            AuditAction::UserAdd => "user_add",
            AuditAction::TokenReset => "token_reset",
            AuditAction::TokenRevoke => "token_revoke",
            AuditAction::AuditExport => "audit_export",
            AuditAction::RegistrationApprove => "registration_approve",
            AuditAction::RegistrationReject => "registration_reject",
            AuditAction::UserDisable => "user_disable",
            AuditAction::UserEnable => "user_enable",
            AuditAction::PasswordReset => "password_reset",
            AuditAction::RoleChange => "role_change",
            AuditAction::RecordCreate => "record_create",
            AuditAction::RecordEdit => "record_edit",
            AuditAction::RecordDelete => "record_delete",
        }
    }

    /// How pages and exports name the action.
    pub fn label(self) -> &'static str {
        match self {
            AuditAction::DemandApprove => "审核通过",
            AuditAction::DemandRequestChanges => "退回修改",
            AuditAction::DemandReject => "审核不通过",
            AuditAction::DemandWithdraw => "撤回需求",
            AuditAction::DemandReopen => "重新打开需求",
            AuditAction::CataloguePublish => "发布目录",
            AuditAction::CatalogueExportFull => "导出含联系方式的目录",
            AuditAction::ReportExport => "导出年度报告",
            AuditAction::ContactBulkRead => "批量读取联系方式",
            AuditAction::UserAdd => "新建账号",
            AuditAction::TokenReset => "重置令牌",
            AuditAction::TokenRevoke => "撤销令牌",
            AuditAction::AuditExport => "导出审计日志",
            AuditAction::RegistrationApprove => "通过注册申请",
            AuditAction::RegistrationReject => "驳回注册申请",
            AuditAction::UserDisable => "停用账号",
            AuditAction::UserEnable => "启用账号",
            AuditAction::PasswordReset => "重置密码",
            AuditAction::RoleChange => "更改角色",
            AuditAction::RecordCreate => "新建",
            AuditAction::RecordEdit => "修改",
            AuditAction::RecordDelete => "删除",
        }
    }

    pub fn parse(s: &str) -> Option<AuditAction> {
        AuditAction::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

/// The kind of records an entry names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditSubject {
    Demand,
    Expert,
    Catalogue,
    Report,
    User,
    Audit,
    Interest,
    Achievement,
    Instrument,
}

impl AuditSubject {
    pub const ALL: [AuditSubject; 9] = [
        AuditSubject::Demand,
        AuditSubject::Expert,
        AuditSubject::Catalogue,
        AuditSubject::Report,
        AuditSubject::User,
        AuditSubject::Audit,
        AuditSubject::Interest,
        AuditSubject::Achievement,
        AuditSubject::Instrument,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AuditSubject::Demand => "demand",
            AuditSubject::Expert => "expert",
            AuditSubject::Catalogue => "catalogue",
            AuditSubject::Report => "report",
            AuditSubject::User => "user",
            AuditSubject::Audit => "audit",
            AuditSubject::Interest => "interest",
            AuditSubject::Achievement => "achievement",
            AuditSubject::Instrument => "instrument",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            AuditSubject::Demand => "技术需求",
            AuditSubject::Expert => "专家",
            AuditSubject::Catalogue => "需求目录",
            AuditSubject::Report => "年度报告",
            AuditSubject::User => "账号",
            AuditSubject::Audit => "审计日志",
            AuditSubject::Interest => "对接意向",
            AuditSubject::Achievement => "科技成果",
            AuditSubject::Instrument => "科研仪器",
        }
    }

    pub fn parse(s: &str) -> Option<AuditSubject> {
        AuditSubject::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Who an entry names: an account, or (no id, no role) the operator of a local command.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditActor {
    pub id: Option<String>,
    pub name: String,
    pub role: Option<Role>,
}

/// An entry to append. `summary` is written by the app from ids, titles and counts only.
#[derive(Debug, Clone)]
pub struct NewAuditEntry {
    pub actor: AuditActor,
    pub action: AuditAction,
    pub subject: AuditSubject,
    pub record_ids: Vec<String>,
    pub summary: String,
}

/// A stored entry; `seq` increases with every append.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor: AuditActor,
    pub action: AuditAction,
    pub subject: AuditSubject,
    pub record_ids: Vec<String>,
    pub summary: String,
}

/// Which entries to list, newest first.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub action: Option<AuditAction>,
    /// An account's id or name.
    pub actor: Option<String>,
    /// From this instant on.
    pub since: Option<DateTime<Utc>>,
    /// Before this instant.
    pub until: Option<DateTime<Utc>>,
    pub offset: u32,
    pub limit: u32,
}

pub(crate) const AUDIT_SELECT: &str = "SELECT seq, at, actor_id, actor_name, actor_role, action, \
    record_kind, record_ids, summary FROM audit_log";

pub(crate) fn entry(row: &AnyRow) -> Result<AuditEntry> {
    let seq: i64 = row.try_get("seq")?;
    let corrupt = |what: String| StoreError::Corrupt(format!("audit {seq}"), what);
    let action: String = row.try_get("action")?;
    let subject: String = row.try_get("record_kind")?;
    let role: Option<String> = row.try_get("actor_role")?;
    Ok(AuditEntry {
        seq,
        at: rows::time(row.try_get("at")?),
        actor: AuditActor {
            id: row.try_get("actor_id")?,
            name: row.try_get("actor_name")?,
            role: match role {
                Some(r) => Some(Role::parse(&r).ok_or_else(|| corrupt(format!("role {r}")))?),
                None => None,
            },
        },
        action: AuditAction::parse(&action).ok_or_else(|| corrupt(format!("action {action}")))?,
        subject: AuditSubject::parse(&subject)
            .ok_or_else(|| corrupt(format!("record kind {subject}")))?,
        record_ids: rows::json(&seq.to_string(), &row.try_get::<String, _>("record_ids")?)?,
        summary: row.try_get("summary")?,
    })
}

pub(crate) async fn insert(conn: &mut AnyConnection, e: &NewAuditEntry, now: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (at, actor_id, actor_name, actor_role, action, record_kind, \
         record_ids, record_count, summary) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(now)
    .bind(e.actor.id.clone())
    .bind(e.actor.name.clone())
    .bind(e.actor.role.map(|r| r.as_str().to_string()))
    .bind(e.action.as_str())
    .bind(e.subject.as_str())
    .bind(to_json(&e.record_ids))
    .bind(i64::try_from(e.record_ids.len()).unwrap_or(i64::MAX))
    .bind(e.summary.clone())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

impl SqlStore {
    /// Appends an entry, stamped with the current time.
    pub async fn append_audit(&self, e: &NewAuditEntry) -> Result<()> {
        // A single autocommitted INSERT: it touches no change log, so it needs neither the
        // SQLite write gate nor PostgreSQL's change-log lock (SQLite's busy timeout covers
        // a concurrent writer).
        let mut conn = self.pool().acquire().await?;
        insert(&mut conn, e, millis(Utc::now())).await
    }

    /// Entries matching the filter, newest first, with how many match in all.
    pub async fn list_audit(&self, filter: &AuditFilter) -> Result<(Vec<AuditEntry>, i64)> {
        let mut list = Listing::default();
        if let Some(a) = filter.action {
            let action = list.bind(Val::from(a.as_str()));
            list.and(format!("action = {action}"));
        }
        if let Some(who) = &filter.actor {
            let who = list.bind(Val::from(who.as_str()));
            list.and(format!("(actor_id = {who} OR actor_name = {who})"));
        }
        if let Some(t) = filter.since {
            let since = list.bind(Val::from(millis(t)));
            list.and(format!("at >= {since}"));
        }
        if let Some(t) = filter.until {
            let until = list.bind(Val::from(millis(t)));
            list.and(format!("at < {until}"));
        }
        let (found, total) = list
            .page(
                self.pool(),
                ("audit_log", AUDIT_SELECT),
                "seq DESC",
                filter.offset,
                filter.limit,
            )
            .await?;
        let items = found.iter().map(entry).collect::<Result<Vec<_>>>()?;
        Ok((items, total))
    }
}
