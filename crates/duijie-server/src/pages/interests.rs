//! Expressions of interest (揭榜) on the demand page: an institution proposes, the demand's
//! owner accepts or declines with a reason, the bureau watches.

use super::demands::{demand_page, Sent};
use super::render::{by_field, datetime, see_other, PageResult};
use super::session::{ById, Form};
use super::view::CandidateView;
use crate::AppState;

use axum::http::StatusCode;
use duijie_app::{Action, Caller, CiteCandidates, InterestForm};
use duijie_core::{Demand, ErrorCode, Interest, InterestStatus};
use minijinja::{context, Value};
use std::collections::HashMap;

/// Most linked experts or achievements shown under one interest.
const REFS_SHOWN: usize = 10;

/// The expression-of-interest form as the institution left it: the message typed, the
/// records ticked, what it searched its own records for (`found` once it searched) and the
/// contact it gave.
#[derive(Debug, Clone, Default)]
pub struct CiteState {
    pub message: String,
    pub query: String,
    pub achievement_ids: Vec<String>,
    pub expert_ids: Vec<String>,
    pub instrument_ids: Vec<String>,
    pub found: Option<CiteCandidates>,
    /// The contact person, phone and e-mail typed for this 揭榜; before any, the account's own.
    pub contact: Option<[String; 3]>,
}

impl CiteState {
    /// The form as sent, with what its search `found`.
    fn typed(form: &Form, found: Option<CiteCandidates>) -> CiteState {
        CiteState {
            message: form.text("message"),
            query: form.text("cite_q"),
            achievement_ids: form.all("achievement_ids"),
            expert_ids: form.all("expert_ids"),
            instrument_ids: form.all("instrument_ids"),
            found,
            contact: Some(["contact_name", "contact_phone", "contact_email"].map(|f| form.text(f))),
        }
    }

    fn ticked(&self, id: &str) -> bool {
        [
            &self.achievement_ids,
            &self.expert_ids,
            &self.instrument_ids,
        ]
        .iter()
        .any(|ids| ids.iter().any(|x| x == id))
    }
}

/// What the demand page shows about interests for this caller: the institution's form (a
/// search over its own records to cite, the matcher's picks as unticked suggestions), and the
/// interests the caller may see.
pub async fn section(
    s: &AppState,
    caller: &Caller,
    d: &Demand,
    institutions: &[CandidateView],
    cite: &CiteState,
) -> Value {
    let form = match caller.org_id() {
        Some(org) if caller.may(Action::ProposeInterest) && d.status.accepts_interests() => {
            Some(form_view(s, caller, org, institutions, cite).await)
        }
        _ => None,
    };
    let may_list = caller.may(Action::SeeAnyDemand) || caller.owns(d) || form.is_some();
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
        .cited_titles(
            &cited(|i| &i.expert_ids),
            &cited(|i| &i.achievement_ids),
            &cited(|i| &i.instrument_ids),
        )
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
        ("instruments", &i.instrument_ids),
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

/// `POST /demands/{id}/interests`: an institution proposes to take the demand on.
pub async fn propose(ById { s, session, id }: ById, form: Form) -> PageResult {
    let proposal = InterestForm {
        message: form.text("message"),
        expert_ids: form.all("expert_ids"),
        achievement_ids: form.all("achievement_ids"),
        instrument_ids: form.all("instrument_ids"),
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
            let sent = Sent {
                status: StatusCode::BAD_REQUEST,
                errors: by_field(&e, "message"),
                note: String::new(),
                cite: CiteState::typed(&form, None),
            };
            demand_page(&s, &session, &id, sent).await
        }
        Err(e) => Err(e.into()),
    }
}

/// The form's citable records: the matcher's suggestions (never pre-ticked, with the
/// institution's tier), what its search found, and what it ticked before (kept across the
/// search), each ticked only when the institution ticked it.
async fn form_view(
    s: &AppState,
    caller: &Caller,
    org: &str,
    institutions: &[CandidateView],
    cite: &CiteState,
) -> Value {
    let mut shown: Vec<String> = Vec::new();
    let mut pick = |id: &str, kind: &str, title: &str| -> Option<Value> {
        if shown.iter().any(|s| s == id) {
            return None;
        }
        shown.push(id.to_string());
        Some(context! { id, kind, title, checked => cite.ticked(id) })
    };
    let own = institutions.iter().find(|c| c.id == org);
    let suggestions: Vec<Value> = own
        .map(|c| {
            c.evidence
                .iter()
                .filter(|e| matches!(e.kind, "achievement" | "expert" | "instrument"))
                .filter_map(|e| pick(&e.id, e.kind, &e.title))
                .collect()
        })
        .unwrap_or_default();
    let found: Option<Vec<Value>> = cite.found.as_ref().map(|f| {
        f.achievements
            .iter()
            .map(|(id, t)| (id, "achievement", t))
            .chain(f.experts.iter().map(|(id, t)| (id, "expert", t)))
            .chain(f.instruments.iter().map(|(id, t)| (id, "instrument", t)))
            .filter_map(|(id, kind, t)| pick(id, kind, t))
            .collect()
    });
    // The account's own e-mail and phone until the institution typed a contact for this 揭榜.
    let contact = cite.contact.clone().unwrap_or_else(|| {
        let user = caller.user();
        [
            String::new(),
            user.and_then(|u| u.phone.clone()).unwrap_or_default(),
            user.and_then(|u| u.email.clone()).unwrap_or_default(),
        ]
    });
    // Ticked before the search and not on the page otherwise: kept, ticked.
    let titles = match s
        .app
        .cited_titles(
            &cite.expert_ids,
            &cite.achievement_ids,
            &cite.instrument_ids,
        )
        .await
    {
        Ok(t) => t,
        Err(e) => {
            tracing::warn!(
                code = e.code.as_str(),
                "ticked titles for interest form failed"
            );
            HashMap::new()
        }
    };
    let kept: Vec<Value> = cite
        .achievement_ids
        .iter()
        .map(|id| (id, "achievement"))
        .chain(cite.expert_ids.iter().map(|id| (id, "expert")))
        .chain(cite.instrument_ids.iter().map(|id| (id, "instrument")))
        .filter_map(|(id, kind)| titles.get(id).and_then(|t| pick(id, kind, t)))
        .collect();
    context! {
        message => cite.message,
        query => cite.query,
        searched => found.is_some(),
        found => found.unwrap_or_default(),
        suggestions,
        tier => own.map(|c| c.tier_label),
        kept,
        contact_name => contact[0],
        contact_phone => contact[1],
        contact_email => contact[2],
    }
}

/// `POST /demands/{id}/interests/search`: the institution looks for records of its own to
/// cite; the page comes back with what it found, the message and ticks kept. A POST rather
/// than a GET so that the form's CSRF token and idempotency key stay out of URLs.
pub async fn search_evidence(ById { s, session, id }: ById, form: Form) -> PageResult {
    let query = form.text("cite_q");
    let found = s.app.cite_candidates(&session.caller, &query).await?;
    let cite = CiteState::typed(&form, Some(found));
    let sent = Sent {
        cite,
        ..Sent::default()
    };
    demand_page(&s, &session, &id, sent).await
}

/// `POST /interests/{id}/accept`: the owner takes the proposal; the demand goes into docking.
pub async fn accept(ById { s, session, id }: ById, _form: Form) -> PageResult {
    let i = s.app.accept_interest(&session.caller, &id).await?;
    Ok(see_other(&format!("/demands/{}#interests", i.demand_id)))
}

/// `POST /interests/{id}/decline`: the owner says no, with a reason the institution sees.
pub async fn decline(ById { s, session, id }: ById, form: Form) -> PageResult {
    let reason = form.text("reason");
    match s.app.decline_interest(&session.caller, &id, &reason).await {
        Ok(i) => Ok(see_other(&format!("/demands/{}#interests", i.demand_id))),
        Err(e) if e.code == ErrorCode::InvalidInput => {
            // Beside the decline form of this interest.
            let sent = Sent::failed(&id, e, &reason);
            demand_page(&s, &session, &form.text("demand"), sent).await
        }
        Err(e) => Err(e.into()),
    }
}
