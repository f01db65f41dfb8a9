//! Expressions of interest (揭榜) on the demand page: an institution proposes, the demand's
//! owner accepts or declines with a reason, the bureau watches.

use super::public::demand_page;
use super::render::{datetime, see_other, PageResult};
use super::session::{Form, Session};
use super::view::CandidateView;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use duijie_app::{Caller, Interest, InterestForm, InterestStatus};
use duijie_core::{Demand, DemandStatus, ErrorCode, Role};
use minijinja::{context, Value};
use std::collections::{BTreeMap, HashMap};

/// Most linked experts or achievements shown under one interest.
const REFS_SHOWN: usize = 10;

/// What the demand page shows about interests for this caller: the institution's form
/// (with its own ranked evidence to cite), and the interests the caller may see.
pub async fn section(
    s: &AppState,
    caller: &Caller,
    d: &Demand,
    institutions: &[CandidateView],
) -> Value {
    let open = matches!(d.status, DemandStatus::Published | DemandStatus::InDocking);
    let form = match (caller.role(), caller.org_id()) {
        (Some(Role::Institution), Some(org)) if open => {
            let own = institutions.iter().find(|c| c.id == org);
            let cite: Vec<Value> = own
                .map(|c| {
                    c.evidence
                        .iter()
                        .map(|e| context! { id => e.id, kind => e.kind, title => e.title })
                        .collect()
                })
                .unwrap_or_default();
            // The account's own e-mail and phone, to change for this 揭榜 if need be.
            let user = caller.user();
            Some(context! {
                cite,
                contact_name => "",
                contact_phone => user.and_then(|u| u.phone.clone()),
                contact_email => user.and_then(|u| u.email.clone()),
            })
        }
        _ => None,
    };
    let may_list = caller.is_curator() || caller.owns(d) || form.is_some();
    let items = if may_list {
        match s.app.interests(caller, &d.id).await {
            Ok(items) => items,
            Err(e) => {
                tracing::warn!(code = e.code.as_str(), "interests for demand page failed");
                Vec::new()
            }
        }
    } else {
        Vec::new()
    };
    // An institution proposes again only after a decline.
    let answered = items.iter().any(|i| {
        Some(i.org_id.as_str()) == caller.org_id() && i.status != InterestStatus::Declined
    });
    let cited = |ids: fn(&Interest) -> &Vec<String>| -> Vec<String> {
        let mut all: Vec<String> = items
            .iter()
            .flat_map(|i| ids(i).iter().take(REFS_SHOWN).cloned())
            .collect();
        all.sort();
        all.dedup();
        all
    };
    let titles = match s
        .app
        .cited_titles(&cited(|i| &i.expert_ids), &cited(|i| &i.achievement_ids))
        .await
    {
        Ok(titles) => titles,
        Err(e) => {
            tracing::warn!(
                code = e.code.as_str(),
                "cited titles for demand page failed"
            );
            HashMap::new()
        }
    };
    let views: Vec<Value> = items.into_iter().map(|i| view(&titles, i)).collect();
    context! {
        form => if answered { None } else { form },
        items => views,
        shown => may_list,
        can_answer => caller.owns(d),
    }
}

fn view(titles: &HashMap<String, String>, i: Interest) -> Value {
    let mut refs = Vec::new();
    let cited = [
        ("experts", &i.expert_ids),
        ("achievements", &i.achievement_ids),
    ];
    for (path, ids) in cited {
        for id in ids.iter().take(REFS_SHOWN) {
            if let Some(title) = titles.get(id) {
                refs.push(context! { href => format!("/{path}/{id}"), title });
            }
        }
    }
    let (label, class) = match i.status {
        InterestStatus::Pending => ("待答复", "warn"),
        InterestStatus::Accepted => ("已接受", "ok"),
        InterestStatus::Declined => ("未接受", "gray"),
    };
    context! {
        id => i.id,
        org_id => i.org_id,
        org_name => i.org_name,
        message => i.message,
        pending => i.status == InterestStatus::Pending,
        label,
        class,
        decline_reason => i.decline_reason,
        contact => (!i.contact.is_empty()).then(|| context! {
            name => i.contact.name,
            phone => i.contact.phone,
            email => i.contact.email,
        }),
        at => datetime(i.created_at),
        refs,
    }
}

/// The demand page again with the form's error; `form` names the form it belongs to
/// (`message` for the proposal, an interest id for that interest's decline form).
async fn refill(
    s: &AppState,
    session: &Session,
    demand_id: &str,
    e: duijie_core::DomainError,
    form: &str,
    text: &str,
) -> PageResult {
    let mut errors = BTreeMap::new();
    errors.insert(form.to_string(), e.message);
    demand_page(s, session, demand_id, StatusCode::BAD_REQUEST, errors, text).await
}

/// `POST /demands/{id}/interests`: an institution proposes to take the demand on.
pub async fn propose(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    form: Form,
) -> PageResult {
    let message = form.text("message");
    let proposal = InterestForm {
        message: message.clone(),
        expert_ids: form.all("expert_ids"),
        achievement_ids: form.all("achievement_ids"),
        contact_name: Some(form.text("contact_name")),
        contact_phone: Some(form.text("contact_phone")),
        contact_email: Some(form.text("contact_email")),
    };
    match s
        .app
        .express_interest(&session.caller, &id, &proposal)
        .await
    {
        Ok(i) => Ok(see_other(&format!("/demands/{}#interests", i.demand_id))),
        Err(e) if e.code == ErrorCode::InvalidInput => {
            // Every field's problem beside its field.
            let mut errors = BTreeMap::new();
            for f in &e.fields {
                errors.insert(f.field.clone(), f.message.clone());
            }
            errors
                .entry(e.field.clone().unwrap_or_else(|| "message".into()))
                .or_insert(e.message);
            demand_page(&s, &session, &id, StatusCode::BAD_REQUEST, errors, &message).await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /interests/{id}/accept`: the owner takes the proposal; the demand goes into docking.
pub async fn accept(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    _form: Form,
) -> PageResult {
    let i = s.app.accept_interest(&session.caller, &id).await?;
    Ok(see_other(&format!("/demands/{}#interests", i.demand_id)))
}

/// `POST /interests/{id}/decline`: the owner says no, with a reason the institution sees.
pub async fn decline(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    form: Form,
) -> PageResult {
    let reason = form.text("reason");
    match s.app.decline_interest(&session.caller, &id, &reason).await {
        Ok(i) => Ok(see_other(&format!("/demands/{}#interests", i.demand_id))),
        Err(e) if e.code == ErrorCode::InvalidInput => {
            let demand_id = form.text("demand");
            refill(&s, &session, &demand_id, e, &id, &reason).await
        }
        Err(e) => Err(e.into()),
    }
}
