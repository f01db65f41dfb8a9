//! The demand lifecycle: enterprises write and submit, the bureau reviews and publishes,
//! every change recorded with who, when and why.

use crate::access::forbidden;
use crate::{found, notifications, store_err, Action, App, AppResult, Caller};
use duijie_core::error::FieldErrors;
use duijie_core::validate::{
    is_open_ended, normalize_email, normalize_phone, parse_date, MAX_BUDGET_WAN, MAX_TEXT_CHARS,
    MAX_TITLE_CHARS,
};
use duijie_core::{
    CoopMode, Demand, DemandDraft, DemandStatus, DomainError, ErrorCode, Field, OrgKind,
};
use duijie_store::{Actor, AuditAction, AuditSubject, DemandEvent, DemandFilter, NewNotice};
use serde::Deserialize;

/// The answer institutions get when the demand they responded to is withdrawn.
pub const WITHDRAWN_REASON: &str = "需求单位已撤回该需求";

/// How often an edit without a version is applied again to a demand that another write
/// changed under it, before the caller is asked to try later.
const EDIT_ATTEMPTS: usize = 5;

/// The record changed since the version the caller read.
pub(crate) fn stale(what: &str) -> DomainError {
    DomainError::new(
        ErrorCode::PreconditionFailed,
        format!("该{what}已被他人修改，请查看最新内容后再操作"),
    )
}

/// A demand as a form or JSON body gives it; on edit, absent fields stay as they were.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = DemandInput))]
#[serde(deny_unknown_fields)]
pub struct DemandForm {
    pub title: Option<String>,
    pub description: Option<String>,
    pub goals: Option<String>,
    pub field: Option<String>,
    pub modes: Option<Vec<String>>,
    pub keywords: Option<Vec<String>>,
    /// A number of 万元, or `null`.
    pub budget_wan: Option<f64>,
    /// 面议
    pub budget_negotiable: Option<bool>,
    pub region: Option<String>,
    /// `YYYY-MM-DD`
    pub deadline: Option<String>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub contact_email: Option<String>,
    /// The enterprise, for demands the bureau enters on an enterprise's behalf.
    pub enterprise: Option<String>,
}

/// A trimmed text field; `label` is how the form names it in messages.
pub(crate) fn text(field: &str, label: &str, value: &str, max: usize) -> AppResult<String> {
    let v = value.trim();
    let len = v.chars().count();
    if len > max {
        return Err(DomainError::invalid(
            field,
            format!("{label}不能超过 {max} 个字符（现有 {len} 个）"),
        ));
    }
    if v.chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err(DomainError::invalid(
            field,
            format!("{label}含有无法显示的控制字符，请删除后再提交"),
        ));
    }
    Ok(v.to_string())
}

/// A text field that must not be blank.
pub(crate) fn required(field: &str, label: &str, value: &str, max: usize) -> AppResult<String> {
    let v = text(field, label, value, max)?;
    if v.is_empty() {
        return Err(DomainError::invalid(field, format!("请填写{label}")));
    }
    Ok(v)
}

fn optional(v: &str) -> Option<String> {
    let v = v.trim();
    (!v.is_empty()).then(|| v.to_string())
}

/// Applies the given contact fields (`contact_name`, `contact_phone`, `contact_email`, in
/// that order; absent ones stay, blank ones clear) onto `contact`, each problem into `errs`.
pub(crate) fn apply_contact(
    errs: &mut FieldErrors,
    [name, phone, email]: [&Option<String>; 3],
    contact: &mut duijie_core::Contact,
) {
    if let Some(n) = name {
        contact.name = errs
            .check(text("contact_name", "联系人", n, 50))
            .as_deref()
            .and_then(optional);
    }
    if let Some(p) = phone {
        contact.phone = if p.trim().is_empty() {
            None
        } else {
            errs.check(normalize_phone(p).ok_or_else(|| {
                DomainError::invalid(
                    "contact_phone",
                    "联系电话格式不正确，应为手机号或带区号的固话",
                )
            }))
        };
    }
    if let Some(e) = email {
        contact.email = if e.trim().is_empty() {
            None
        } else {
            errs.check(
                normalize_email(e)
                    .ok_or_else(|| DomainError::invalid("contact_email", "电子邮箱格式不正确")),
            )
        };
    }
}

impl DemandForm {
    /// Applies the form onto `draft`, validating every given field; an invalid form leaves
    /// `draft` unusable and the error lists every field's problem at once.
    pub fn apply(&self, draft: &mut DemandDraft) -> AppResult<()> {
        let mut errs = FieldErrors::default();
        if let Some(t) = &self.title {
            draft.title = errs
                .check(text("title", "需求名称", t, MAX_TITLE_CHARS))
                .unwrap_or_default();
        }
        if let Some(t) = &self.description {
            draft.description = errs
                .check(text("description", "需求描述", t, MAX_TEXT_CHARS))
                .unwrap_or_default();
        }
        if let Some(t) = &self.goals {
            draft.goals = errs
                .check(text("goals", "预期目标", t, MAX_TEXT_CHARS))
                .unwrap_or_default();
        }
        if let Some(f) = &self.field {
            draft.field = if f.trim().is_empty() {
                None
            } else {
                errs.check(Field::try_from(f.clone()).map_err(|m| DomainError::invalid("field", m)))
            };
        }
        if let Some(modes) = &self.modes {
            draft.modes = modes
                .iter()
                .filter_map(|m| {
                    errs.check(
                        CoopMode::try_from(m.clone()).map_err(|e| DomainError::invalid("modes", e)),
                    )
                })
                .collect();
        }
        if let Some(k) = &self.keywords {
            draft.keywords = k
                .iter()
                .filter_map(|k| errs.check(text("keywords", "关键词", k, 50)))
                .filter(|k| !k.is_empty())
                .collect();
        }
        if let Some(b) = self.budget_wan {
            if let Some(b) = errs.check(check_budget(b)) {
                draft.budget_wan = Some(b);
                draft.budget_negotiable = false;
            }
        }
        if let Some(n) = self.budget_negotiable {
            draft.budget_negotiable = n;
            if n {
                draft.budget_wan = None;
            }
        }
        if let Some(r) = &self.region {
            draft.region = errs
                .check(text("region", "所在地区", r, 50))
                .as_deref()
                .and_then(optional);
        }
        if let Some(d) = &self.deadline {
            draft.deadline = if d.trim().is_empty() || is_open_ended(d) {
                None
            } else {
                errs.check(parse_date(d).map_err(|m| DomainError::invalid("deadline", m)))
            };
        }
        apply_contact(
            &mut errs,
            [&self.contact_name, &self.contact_phone, &self.contact_email],
            &mut draft.contact,
        );
        if draft.title.is_empty() && !errs.has("title") {
            errs.add(DomainError::invalid("title", "需求名称不能为空"));
        }
        if draft.description.is_empty() && !errs.has("description") {
            errs.add(DomainError::invalid("description", "需求描述不能为空"));
        }
        errs.finish()
    }
}

/// A budget typed in 万元: not negative, and not so large that it must be a unit mistake.
fn check_budget(wan: f64) -> AppResult<f64> {
    if !wan.is_finite() || wan < 0.0 {
        return Err(DomainError::invalid(
            "budget_wan",
            "预算须为不小于 0 的万元数",
        ));
    }
    if wan > MAX_BUDGET_WAN {
        return Err(DomainError::invalid(
            "budget_wan",
            format!(
                "预算 {wan} 万元超出合理范围（上限 {MAX_BUDGET_WAN} 万元），请确认是否以万元为单位填写"
            ),
        ));
    }
    Ok(wan)
}

/// The bureau's decision on a submitted demand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReviewDecision {
    Approve,
    Reject,
    RequestChanges,
}

pub(crate) fn actor(caller: &Caller) -> Actor {
    match caller.user() {
        Some(u) => Actor {
            id: Some(u.id.clone()),
            name: u.name.clone(),
        },
        None => Actor {
            id: None,
            name: "system".into(),
        },
    }
}

pub(crate) fn conflict_transition(from: DemandStatus, to: DemandStatus) -> DomainError {
    let allowed: Vec<&str> = from.next().iter().map(|s| s.label()).collect();
    DomainError::new(
        ErrorCode::Conflict,
        format!(
            "需求当前为“{}”，不能变为“{}”；可变为：{}",
            from.label(),
            to.label(),
            if allowed.is_empty() {
                "无".to_string()
            } else {
                allowed.join("、")
            }
        ),
    )
}

impl App {
    /// A demand the caller may see, with contact details removed when they may not see them.
    pub async fn demand(&self, caller: &Caller, id: &str) -> AppResult<Demand> {
        let d = self.visible_demand(caller, id).await?;
        Ok(redact(caller, d))
    }

    pub(crate) async fn visible_demand(&self, caller: &Caller, id: &str) -> AppResult<Demand> {
        match self.store.get_demand(id).await.map_err(store_err)? {
            Some(d) if caller.can_see_demand(&d) => Ok(d),
            Some(d) if self.responded_to(caller, &d).await? => Ok(d),
            _ => Err(DomainError::not_found("需求")),
        }
    }

    /// Whether the caller's institution expressed interest in `d`: it keeps seeing the demand
    /// (and what became of its 揭榜) after the demand leaves the public, e.g. when withdrawn.
    async fn responded_to(&self, caller: &Caller, d: &Demand) -> AppResult<bool> {
        let Some(org) = caller
            .org_id()
            .filter(|_| caller.may(Action::ProposeInterest))
        else {
            return Ok(false);
        };
        let mine = self
            .store
            .list_interests(&d.id, Some(org))
            .await
            .map_err(store_err)?;
        Ok(!mine.is_empty())
    }

    /// An enterprise writes a demand for itself; the bureau may enter one for an enterprise.
    pub async fn create_demand(&self, caller: &Caller, form: &DemandForm) -> AppResult<Demand> {
        let user = caller.require(Action::WriteDemand)?;
        let mut draft = DemandDraft::default();
        form.apply(&mut draft)?;
        let org_id = match (caller.may(Action::EditAnyDemand), &form.enterprise) {
            (false, _) => user
                .org_id
                .clone()
                .ok_or_else(|| DomainError::new(ErrorCode::Forbidden, "该账号未关联企业"))?,
            (_, Some(name)) if !name.trim().is_empty() => {
                self.store
                    .ensure_organization(name, OrgKind::Enterprise)
                    .await
                    .map_err(store_err)?
                    .id
            }
            _ => return Err(DomainError::invalid("enterprise", "请填写需求单位")),
        };
        let org = found(self.store.get_organization(&org_id).await, "单位")?;
        draft.org_name = org.name;
        let write = self
            .store
            .create_demand(&org_id, &draft, DemandStatus::Draft, &actor(caller))
            .await;
        self.written(write).await
    }

    /// The owner edits while the demand is with them; the bureau may edit any time.
    ///
    /// `version` is the one the editor read (`If-Match`, the page's form): a demand written
    /// since is refused (412), so nobody saves over a change they did not see. Without it the
    /// form's fields are applied to the demand as it is now, and a write that lands in between
    /// makes the edit start again on the newer demand rather than overwrite it. Either way the
    /// status and version checks are part of the UPDATE, so a review cannot slip in between.
    pub async fn edit_demand(
        &self,
        caller: &Caller,
        id: &str,
        form: &DemandForm,
        version: Option<i64>,
    ) -> AppResult<Demand> {
        caller.require(Action::WriteDemand)?;
        if form.enterprise.is_some() {
            return Err(DomainError::invalid("enterprise", "需求单位不能修改"));
        }
        let statuses = caller.demand_write_statuses();
        for _ in 0..EDIT_ATTEMPTS {
            let d = self.visible_demand(caller, id).await?;
            if !(caller.may(Action::EditAnyDemand) || caller.owns(&d)) {
                return Err(forbidden());
            }
            if version.is_some_and(|v| v != d.version) {
                return Err(stale("需求"));
            }
            if !statuses.is_empty() && !statuses.contains(&d.status) {
                return Err(DomainError::new(
                    ErrorCode::Conflict,
                    format!(
                        "需求当前为“{}”，企业不能再修改；请联系科技局",
                        d.status.label()
                    ),
                ));
            }
            let mut draft = d.body.clone();
            form.apply(&mut draft)?;
            // Institutions that answered a public demand hear that it changed.
            let notices = if d.status.is_public() && draft != d.body {
                let interests = self
                    .store
                    .list_interests(&d.id, None)
                    .await
                    .map_err(store_err)?;
                notifications::responders_told(&d, &interests, "内容有更新")
            } else {
                Vec::new()
            };
            match self
                .store
                .update_demand(id, &draft, d.version, &statuses, &notices)
                .await
            {
                Ok(d) => {
                    self.notify_changed().await;
                    return Ok(d);
                }
                Err(duijie_store::StoreError::Stale(_)) if version.is_none() => continue,
                Err(e) => return Err(store_err(e)),
            }
        }
        Err(DomainError::new(
            ErrorCode::Conflict,
            "该需求正被他人频繁修改，请稍后再试",
        ))
    }

    /// Moves `d` as read to `to`; the move holds only while the demand is still at the
    /// version read, so it always applies to the text the caller saw. With `audit`, the
    /// move's audit entry and its notices commit in the same transaction.
    async fn move_demand(
        &self,
        caller: &Caller,
        d: &Demand,
        to: DemandStatus,
        note: &str,
        audit: Option<(AuditAction, Vec<NewNotice>)>,
    ) -> AppResult<Demand> {
        if !d.status.can_move_to(to) {
            return Err(conflict_transition(d.status, to));
        }
        let note = text("note", "审核意见", note, 2_000)?;
        let moved = match audit {
            Some((action, notices)) => {
                // Title and statuses only: the note may quote anything, contact details too.
                let summary = format!(
                    "《{}》：{} → {}",
                    d.body.title,
                    d.status.label(),
                    to.label()
                );
                let entry = crate::audit::entry(
                    caller,
                    action,
                    AuditSubject::Demand,
                    vec![d.id.clone()],
                    summary,
                );
                self.store
                    .transition_demand_audited(
                        &d.id,
                        (d.status, Some(d.version)),
                        to,
                        &actor(caller),
                        &note,
                        &entry,
                        &notices,
                    )
                    .await
            }
            None => {
                self.store
                    .transition_demand(&d.id, d.status, to, &actor(caller), &note, Some(d.version))
                    .await
            }
        }
        .map_err(store_err)?;
        self.notify_changed().await;
        Ok(moved)
    }

    /// The owner hands a draft (or a corrected demand) to the bureau.
    pub async fn submit_demand(&self, caller: &Caller, id: &str) -> AppResult<Demand> {
        caller.require(Action::SubmitDemand)?;
        let d = self.visible_demand(caller, id).await?;
        if !caller.owns(&d) {
            return Err(forbidden());
        }
        let today = duijie_core::time::china_today();
        if let Some(deadline) = d.body.deadline.filter(|day| *day < today) {
            return Err(DomainError::invalid(
                "deadline",
                format!("截止日期 {deadline} 已过，请修改截止日期（或填写“长期”）后再提交"),
            ));
        }
        self.move_demand(caller, &d, DemandStatus::Submitted, "", None)
            .await
    }

    pub async fn withdraw_demand(
        &self,
        caller: &Caller,
        id: &str,
        note: &str,
    ) -> AppResult<Demand> {
        caller.require(Action::SubmitDemand)?;
        let d = self.visible_demand(caller, id).await?;
        if !caller.owns(&d) {
            return Err(forbidden());
        }
        let interests = self
            .store
            .list_interests(&d.id, None)
            .await
            .map_err(store_err)?;
        let notices = notifications::responders_told(&d, &interests, "已被撤回");
        let withdrawn = self
            .move_demand(
                caller,
                &d,
                DemandStatus::Withdrawn,
                note,
                Some((AuditAction::DemandWithdraw, notices)),
            )
            .await?;
        // Institutions waiting for an answer get one: their 揭榜 is closed with the reason (the
        // withdrawal's notice told them already).
        for i in interests
            .iter()
            .filter(|i| i.status == duijie_core::InterestStatus::Pending)
        {
            self.store
                .decline_interest(&i.id, WITHDRAWN_REASON, &[])
                .await
                .map_err(store_err)?;
        }
        Ok(withdrawn)
    }

    /// The owner deletes a draft nobody else has seen (never catalogued, no 揭榜, no project).
    pub async fn delete_demand(&self, caller: &Caller, id: &str) -> AppResult<()> {
        caller.require(Action::SubmitDemand)?;
        let d = self.visible_demand(caller, id).await?;
        if !caller.owns(&d) {
            return Err(forbidden());
        }
        let write = self.store.delete_demand(id).await;
        self.written(write).await
    }

    /// The owner reopens a withdrawn demand as a draft (the history keeps both moves).
    pub async fn reopen_demand(&self, caller: &Caller, id: &str) -> AppResult<Demand> {
        caller.require(Action::SubmitDemand)?;
        let d = self.visible_demand(caller, id).await?;
        if !caller.owns(&d) {
            return Err(forbidden());
        }
        self.move_demand(
            caller,
            &d,
            DemandStatus::Draft,
            "重新打开",
            Some((AuditAction::DemandReopen, Vec::new())),
        )
        .await
    }

    /// The bureau approves, rejects or sends back a submitted demand. `version` is the one
    /// the reviewer read (`If-Match`, the review form's): a demand edited since is refused,
    /// so an approval never covers text the reviewer did not see.
    pub async fn review_demand(
        &self,
        caller: &Caller,
        id: &str,
        decision: ReviewDecision,
        note: &str,
        version: Option<i64>,
    ) -> AppResult<Demand> {
        caller.require(Action::ReviewDemand)?;
        let d = self.visible_demand(caller, id).await?;
        if version.is_some_and(|v| v != d.version) {
            return Err(stale("需求"));
        }
        let (to, action) = match decision {
            ReviewDecision::Approve => (DemandStatus::Approved, AuditAction::DemandApprove),
            ReviewDecision::Reject => (DemandStatus::Rejected, AuditAction::DemandReject),
            ReviewDecision::RequestChanges => (
                DemandStatus::ChangesRequested,
                AuditAction::DemandRequestChanges,
            ),
        };
        if decision != ReviewDecision::Approve && note.trim().is_empty() {
            return Err(DomainError::invalid("note", "退回或不通过时请写明原因"));
        }
        let notices = notifications::demand_moved(&d, to, note)
            .into_iter()
            .collect();
        self.move_demand(caller, &d, to, note, Some((action, notices)))
            .await
    }

    /// Every status change of a demand (owner and bureau).
    pub async fn demand_history(&self, caller: &Caller, id: &str) -> AppResult<Vec<DemandEvent>> {
        caller.require(Action::ListDemands)?;
        let d = self.visible_demand(caller, id).await?;
        if !(caller.may(Action::SeeAnyDemand) || caller.owns(&d)) {
            return Err(forbidden());
        }
        self.store.demand_history(id).await.map_err(store_err)
    }

    /// The bureau's note on a demand it returned for changes or turned down (the latest one),
    /// for the owner and the bureau; `None` in any other status or without a note.
    pub async fn review_note(&self, caller: &Caller, d: &Demand) -> AppResult<Option<String>> {
        if !d.status.carries_review_note() || !(caller.may(Action::SeeAnyDemand) || caller.owns(d))
        {
            return Ok(None);
        }
        let history = self.store.demand_history(&d.id).await.map_err(store_err)?;
        Ok(review_note_in(&history, d.status))
    }

    /// An enterprise's own demands, or (bureau) demands in the given statuses.
    pub async fn list_demands(
        &self,
        caller: &Caller,
        statuses: Option<Vec<DemandStatus>>,
        offset: u32,
        limit: u32,
    ) -> AppResult<(Vec<Demand>, i64)> {
        let user = caller.require(Action::ListDemands)?;
        let org_id = if caller.may(Action::SeeAnyDemand) {
            None
        } else {
            Some(user.org_id.clone().ok_or_else(forbidden)?)
        };
        let (items, total) = self
            .store
            .list_demands(&DemandFilter {
                org_id,
                statuses,
                offset,
                limit,
            })
            .await
            .map_err(store_err)?;
        let items: Vec<Demand> = items.into_iter().map(|d| redact(caller, d)).collect();
        self.audit_contact_read(
            caller,
            AuditSubject::Demand,
            contact_ids(caller, &items),
            "需求列表",
        )
        .await?;
        Ok((items, total))
    }
}

/// Removes contact details the caller may not see.
pub(crate) fn redact(caller: &Caller, mut d: Demand) -> Demand {
    if !caller.can_see_contact(&d) {
        d.body.contact = Default::default();
    }
    d
}

/// The demands of an answer whose contact details reach the caller, their own left out.
pub(crate) fn contact_ids<'a>(
    caller: &Caller,
    items: impl IntoIterator<Item = &'a Demand>,
) -> Vec<String> {
    items
        .into_iter()
        .filter(|d| !d.body.contact.is_empty() && !caller.owns(d))
        .map(|d| d.id.clone())
        .collect()
}

/// For a demand the bureau returned or turned down (`status`), the note of the latest move
/// into that status, if it has one.
pub fn review_note_in(history: &[DemandEvent], status: DemandStatus) -> Option<String> {
    if !status.carries_review_note() {
        return None;
    }
    history
        .iter()
        .rev()
        .find(|e| e.to_status == status)
        .map(|e| e.note.trim().to_string())
        .filter(|n| !n.is_empty())
}
