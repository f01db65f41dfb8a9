//! Expressions of interest (揭榜 / 对接意向): an institution answers a public demand with a
//! short proposal naming some of its experts and achievements; the demand's owner accepts
//! (the demand goes into docking) or declines with a reason.

use crate::access::forbidden;
use crate::demands::{actor, apply_contact, required};
use crate::{found, notifications, store_err, Action, App, AppResult, Caller};
use duijie_core::error::FieldErrors;
use duijie_core::{Contact, Demand, DomainError, EntityKind, ErrorCode, Interest, NewInterest};
use duijie_store::{AuditSubject, Record};
use serde::Deserialize;
use std::collections::HashMap;

/// Longest proposal or reason, in characters.
pub const MAX_INTEREST_TEXT: usize = 2_000;
/// Most experts or achievements one interest may name.
pub const MAX_INTEREST_REFS: usize = 50;

/// `{"message": "...", "expert_ids": [...], "achievement_ids": [...]}`
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = InterestInput))]
#[serde(deny_unknown_fields)]
pub struct InterestForm {
    #[cfg_attr(feature = "openapi", schema(max_length = 2000))]
    pub message: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 50))]
    pub expert_ids: Vec<String>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 50))]
    pub achievement_ids: Vec<String>,
    /// Instruments (科研仪器) of the institution cited as evidence.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 50))]
    pub instrument_ids: Vec<String>,
    /// The institution's contact person for this 揭榜, shown to the demand's owner once it
    /// accepts (pages pre-fill them from the signed-in account).
    #[serde(default)]
    pub contact_name: Option<String>,
    #[serde(default)]
    pub contact_phone: Option<String>,
    #[serde(default)]
    pub contact_email: Option<String>,
}

/// Trimmed, without blanks and repeats, in the given order.
fn ids(field: &str, raw: &[String]) -> AppResult<Vec<String>> {
    if raw.len() > MAX_INTEREST_REFS {
        return Err(DomainError::invalid(
            field,
            format!("最多引用 {MAX_INTEREST_REFS} 项"),
        ));
    }
    let mut out: Vec<String> = Vec::new();
    for id in raw {
        let id = id.trim();
        if !id.is_empty() && !out.iter().any(|o| o == id) {
            out.push(id.to_string());
        }
    }
    Ok(out)
}

impl App {
    /// An institution expresses interest in a published (or in-docking) demand.
    pub async fn express_interest(
        &self,
        caller: &Caller,
        demand_id: &str,
        form: &InterestForm,
    ) -> AppResult<Interest> {
        let user = caller.require(Action::ProposeInterest)?;
        let org_id = user
            .org_id
            .clone()
            .ok_or_else(|| DomainError::new(ErrorCode::Forbidden, "该账号未关联单位"))?;
        let d = self.visible_demand(caller, demand_id).await?;
        let mut errs = FieldErrors::default();
        let message = errs.check(required(
            "message",
            "对接意向说明",
            &form.message,
            MAX_INTEREST_TEXT,
        ));
        let expert_ids = errs.check(ids("expert_ids", &form.expert_ids));
        let achievement_ids = errs.check(ids("achievement_ids", &form.achievement_ids));
        let instrument_ids = errs.check(ids("instrument_ids", &form.instrument_ids));
        let mut contact = Contact::default();
        apply_contact(
            &mut errs,
            [&form.contact_name, &form.contact_phone, &form.contact_email],
            &mut contact,
        );
        errs.finish()?;
        let institution = self
            .store
            .get_organization(&org_id)
            .await
            .map_err(store_err)?
            .map_or_else(|| user.name.clone(), |o| o.name);
        let notices = [notifications::interest_received(&d, &institution)];
        let new = NewInterest {
            demand_id: d.id,
            org_id,
            message: message.unwrap_or_default(),
            expert_ids: expert_ids.unwrap_or_default(),
            achievement_ids: achievement_ids.unwrap_or_default(),
            instrument_ids: instrument_ids.unwrap_or_default(),
            contact,
        };
        self.store
            .create_interest(&new, &actor(caller), &notices)
            .await
            .map_err(store_err)
    }

    /// A demand's interests: all of them for its owner and the bureau, an institution's own
    /// for that institution.
    pub async fn interests(&self, caller: &Caller, demand_id: &str) -> AppResult<Vec<Interest>> {
        let user = caller.require(Action::ReadInterests)?;
        let d = self.visible_demand(caller, demand_id).await?;
        let only = if caller.may(Action::SeeAnyDemand) || caller.owns(&d) {
            None
        } else if caller.may(Action::ProposeInterest) {
            Some(user.org_id.clone().ok_or_else(forbidden)?)
        } else {
            return Err(forbidden());
        };
        let mut items = self
            .store
            .list_interests(&d.id, only.as_deref())
            .await
            .map_err(store_err)?;
        for i in &mut items {
            if !caller.can_see_interest_contact(&d, i) {
                i.contact = Contact::default();
            }
        }
        let read: Vec<String> = items
            .iter()
            .filter(|i| !i.contact.is_empty() && !caller.proposed(i))
            .map(|i| i.id.clone())
            .collect();
        self.audit_contact_read(caller, AuditSubject::Interest, read, "对接意向列表")
            .await?;
        Ok(items)
    }

    /// How many pending interests each of `demands` has, in one store query: only demands
    /// whose interests the caller answers (its own; any for the bureau), the rest left out.
    pub async fn pending_interest_counts(
        &self,
        caller: &Caller,
        demands: &[Demand],
    ) -> AppResult<HashMap<String, u64>> {
        let ids: Vec<String> = demands
            .iter()
            .filter(|d| caller.may(Action::SeeAnyDemand) || caller.owns(d))
            .map(|d| d.id.clone())
            .collect();
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        self.store
            .pending_interest_counts(&ids)
            .await
            .map_err(store_err)
    }

    /// What interests cite, for showing them: expert names, achievement titles and
    /// instrument names by id, one store query per kind. Ids that are not (or no longer) there
    /// are left out.
    pub async fn cited_titles(
        &self,
        expert_ids: &[String],
        achievement_ids: &[String],
        instrument_ids: &[String],
    ) -> AppResult<HashMap<String, String>> {
        let mut titles = HashMap::new();
        for (kind, ids) in [
            (EntityKind::Expert, expert_ids),
            (EntityKind::Achievement, achievement_ids),
            (EntityKind::Instrument, instrument_ids),
        ] {
            if ids.is_empty() {
                continue;
            }
            for r in self.store.get_records(kind, ids).await.map_err(store_err)? {
                let title = match &r {
                    Record::Expert(e) => e.body.name.clone(),
                    Record::Achievement(a) => a.body.title.clone(),
                    Record::Instrument(i) => i.body.name.clone(),
                    _ => continue,
                };
                titles.insert(r.id().to_string(), title);
            }
        }
        Ok(titles)
    }

    /// The interest and its demand, for the owner of the demand only.
    async fn owned_interest(&self, caller: &Caller, id: &str) -> AppResult<(Interest, Demand)> {
        caller.require(Action::AnswerInterest)?;
        let i = found(self.store.get_interest(id).await, "对接意向")?;
        let d = self.visible_demand(caller, &i.demand_id).await?;
        if !caller.owns(&d) {
            return Err(forbidden());
        }
        Ok((i, d))
    }

    /// The owner accepts an interest; a published demand goes into docking (对接中).
    pub async fn accept_interest(&self, caller: &Caller, id: &str) -> AppResult<Interest> {
        let (i, d) = self.owned_interest(caller, id).await?;
        let note = format!("接受{}的对接意向", i.org_name);
        let notices = [notifications::interest_answered(&d, &i, None)];
        let write = self
            .store
            .accept_interest(&i.id, &actor(caller), &note, &notices)
            .await;
        let (i, _demand) = self.written(write).await?;
        Ok(i)
    }

    /// The owner declines an interest, saying why.
    pub async fn decline_interest(
        &self,
        caller: &Caller,
        id: &str,
        reason: &str,
    ) -> AppResult<Interest> {
        let (i, d) = self.owned_interest(caller, id).await?;
        let reason = required("reason", "不接受的原因", reason, MAX_INTEREST_TEXT)?;
        let notices = [notifications::interest_answered(&d, &i, Some(&reason))];
        self.store
            .decline_interest(&i.id, &reason, &notices)
            .await
            .map_err(store_err)
    }
}
