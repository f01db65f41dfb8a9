//! Expert committees (专家咨询委员会): for a field, the bureau gets a proposal of experts that
//! covers the sub-topics of the field's public demands, at most two per institution, each
//! pick explained (the algorithm is duijie-match's `committee`); it then adjusts the members
//! and confirms.

use crate::demands::{actor, text};
use crate::matching::{match_err, match_input};
use crate::{blocking, found, store_err, Action, App, AppResult, Caller};
use duijie_core::error::FieldErrors;
use duijie_core::{
    Committee, CommitteeMember, CommitteeStatus, CommitteeUpdate, DomainError, ErrorCode, Expert,
    Field, MemberEvidence, NewCommittee,
};
use duijie_match::{subtopic_count, MatchInput, MAX_PER_INSTITUTION};
use serde::Deserialize;
use std::collections::HashMap;

/// Largest committee.
pub const MAX_COMMITTEE_SIZE: u32 = 50;
const MAX_NAME: usize = 100;
const MAX_NOTES: usize = 5_000;

/// `POST /api/v1/committees`
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = CommitteeInput))]
#[serde(deny_unknown_fields)]
pub struct CommitteeForm {
    pub field: String,
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 50))]
    pub size: u32,
    #[serde(default)]
    pub name: Option<String>,
}

/// `PATCH /api/v1/committees/{id}`: absent parts stay as they are.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CommitteePatch {
    pub name: Option<String>,
    pub notes: Option<String>,
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::committee_status_or_null))]
    pub status: Option<String>,
    /// The new member list, replacing the old one.
    #[cfg_attr(feature = "openapi", schema(max_items = 50))]
    pub member_ids: Option<Vec<String>>,
}

/// Fails unless no institution has more than [`MAX_PER_INSTITUTION`] members.
fn check_cap(members: &[CommitteeMember]) -> AppResult<()> {
    let mut per_org: HashMap<&str, usize> = HashMap::new();
    for m in members {
        let n = per_org.entry(m.org_id.as_str()).or_default();
        *n += 1;
        if *n > MAX_PER_INSTITUTION {
            return Err(DomainError::invalid(
                "member_ids",
                format!(
                    "同一单位最多 {MAX_PER_INSTITUTION} 名委员，{} 超出",
                    m.org_name
                ),
            ));
        }
    }
    Ok(())
}

impl App {
    /// Proposes and saves a draft committee for a field (bureau).
    pub async fn propose_committee(
        &self,
        caller: &Caller,
        form: &CommitteeForm,
    ) -> AppResult<Committee> {
        caller.require(Action::ManageCommittees)?;
        let mut errs = FieldErrors::default();
        let field = errs.check(
            Field::try_from(form.field.trim().to_string())
                .map_err(|m| DomainError::invalid("field", m)),
        );
        if form.size == 0 || form.size > MAX_COMMITTEE_SIZE {
            errs.add(DomainError::invalid(
                "size",
                format!("人数须在 1 到 {MAX_COMMITTEE_SIZE} 之间"),
            ));
        }
        let name = match form.name.as_deref() {
            Some(n) => errs
                .check(text("name", "委员会名称", n, MAX_NAME))
                .unwrap_or_default(),
            None => String::new(),
        };
        errs.finish()?;
        let Some(field) = field else {
            return Err(crate::internal("committee form", "checked field missing"));
        };
        let name = if name.is_empty() {
            format!("{}专家咨询委员会", field.label())
        } else {
            name
        };
        let demands: Vec<MatchInput> = self
            .store
            .public_demands()
            .await
            .map_err(store_err)?
            .into_iter()
            .filter(|p| p.demand.body.field == Some(field))
            .map(|p| match_input(&p.demand))
            .collect();
        let want = subtopic_count(form.size as usize);
        let matcher = self.matcher.clone();
        let subtopics = blocking(move || Ok(matcher.subtopics(&demands, want))).await?;
        if subtopics.is_empty() {
            return Err(DomainError::new(
                ErrorCode::Conflict,
                format!("{} 领域暂无已发布的需求，无法归纳子议题", field.label()),
            ));
        }
        let matcher = self.matcher.clone();
        let topics = subtopics.clone();
        let pool = self
            .cancellable(move |cancel| {
                matcher
                    .with_cancel(cancel.clone())
                    .committee_pool(field, &topics)
                    .map_err(|e| match_err("committee match", e))
            })
            .await?;
        let experts: HashMap<String, Expert> = self.records_by_id(&pool.expert_ids()).await?;
        let orgs: HashMap<String, String> =
            experts.into_iter().map(|(id, e)| (id, e.org_id)).collect();
        let members = pool
            .choose(&subtopics, &orgs, form.size as usize)
            .into_iter()
            .map(|p| CommitteeMember {
                expert_id: p.expert_id,
                name: p.name,
                org_id: p.org_id,
                org_name: p.org_name,
                subtopics: p.subtopics,
                evidence: p
                    .evidence
                    .into_iter()
                    .map(|e| MemberEvidence {
                        kind: e.kind.as_str().to_string(),
                        id: e.id,
                        title: e.title,
                    })
                    .collect(),
                reason: p.reason,
            })
            .collect();
        let new = NewCommittee {
            name,
            field,
            size: form.size,
            subtopics,
            members,
        };
        self.store
            .create_committee(&new, &actor(caller))
            .await
            .map_err(store_err)
    }

    pub async fn committees(&self, caller: &Caller) -> AppResult<Vec<Committee>> {
        caller.require(Action::ManageCommittees)?;
        self.store.list_committees().await.map_err(store_err)
    }

    pub async fn committee(&self, caller: &Caller, id: &str) -> AppResult<Committee> {
        caller.require(Action::ManageCommittees)?;
        found(self.store.get_committee(id).await, "委员会")
    }

    /// The bureau renames, annotates, replaces the members (still at most two per
    /// institution) and confirms. A confirmed committee's members change only after it is
    /// set back to draft.
    pub async fn update_committee(
        &self,
        caller: &Caller,
        id: &str,
        patch: &CommitteePatch,
        version: Option<i64>,
    ) -> AppResult<Committee> {
        let current = self.committee(caller, id).await?;
        if version.is_some_and(|v| v != current.version) {
            return Err(crate::demands::stale("委员会"));
        }
        // The checks below read `current`; the store writes only if it is still that version.
        let mut update = CommitteeUpdate {
            version: Some(current.version),
            ..CommitteeUpdate::default()
        };
        if let Some(n) = &patch.name {
            let n = text("name", "委员会名称", n, MAX_NAME)?;
            if n.is_empty() {
                return Err(DomainError::invalid("name", "委员会名称不能为空"));
            }
            update.name = Some(n);
        }
        if let Some(n) = &patch.notes {
            update.notes = Some(text("notes", "备注", n, MAX_NOTES)?);
        }
        if let Some(s) = &patch.status {
            update.status = Some(CommitteeStatus::parse(s.trim()).ok_or_else(|| {
                DomainError::invalid(
                    "status",
                    format!("status 须为 draft 或 confirmed，而不是“{}”", s.trim()),
                )
            })?);
        }
        if let Some(raw) = &patch.member_ids {
            let status = update.status.unwrap_or(current.status);
            if status == CommitteeStatus::Confirmed {
                return Err(DomainError::new(
                    ErrorCode::Conflict,
                    "委员会已确认，请先改回草案再调整委员",
                ));
            }
            update.members = Some(self.members_from_ids(&current, raw).await?);
        }
        self.store
            .update_committee(id, &update)
            .await
            .map_err(store_err)
    }

    /// The members for the given expert ids, in order: kept members keep their explanation,
    /// others are looked up.
    async fn members_from_ids(
        &self,
        current: &Committee,
        raw: &[String],
    ) -> AppResult<Vec<CommitteeMember>> {
        if raw.len() > MAX_COMMITTEE_SIZE as usize {
            return Err(DomainError::invalid(
                "member_ids",
                format!("委员最多 {MAX_COMMITTEE_SIZE} 位"),
            ));
        }
        let mut ids: Vec<String> = Vec::new();
        for id in raw.iter().map(|i| i.trim()).filter(|i| !i.is_empty()) {
            if ids.iter().any(|x| x == id) {
                return Err(DomainError::invalid("member_ids", "同一位专家选了两次"));
            }
            ids.push(id.to_string());
        }
        let mut experts: HashMap<String, Expert> = self.records_by_id(&ids).await?;
        let mut members = Vec::with_capacity(ids.len());
        for id in ids {
            let Some(e) = experts.remove(&id) else {
                return Err(DomainError::invalid("member_ids", "所选专家不存在或已删除"));
            };
            members.push(match current.members.iter().find(|m| m.expert_id == id) {
                Some(m) => m.clone(),
                None => CommitteeMember {
                    expert_id: e.id,
                    name: e.body.name,
                    org_id: e.org_id,
                    org_name: e.org_name,
                    subtopics: Vec::new(),
                    evidence: Vec::new(),
                    reason: "科技局调整时加入".to_string(),
                },
            });
        }
        check_cap(&members)?;
        Ok(members)
    }
}
