//! The bureau's expert committees (专家咨询委员会): list, proposal form, adjustment and
//! confirmation.

use super::picker;
use super::render::{banner, datetime, field_labels, refill, render, see_other, PageResult};
use super::search::Params;
use super::session::{ById, Form, Session};
use crate::AppState;
use axum::extract::State;
use duijie_app::{Action, CommitteeForm, CommitteePatch};
use duijie_core::{Committee, DomainError};
use minijinja::{context, Value};
use serde::Deserialize;

fn committee_view(c: &Committee) -> Value {
    context! {
        id => c.id, version => c.version, name => c.name, field => c.field.label(), size => c.size,
        status => c.status.as_str(), status_label => c.status.label(), notes => c.notes,
        subtopics => c.subtopics, members => c.members, created_by => c.created_by,
        created_text => datetime(c.created_at), updated_text => datetime(c.updated_at),
    }
}

async fn committees_page(
    s: &AppState,
    session: &Session,
    form: Option<(&Form, DomainError)>,
) -> PageResult {
    let committees: Vec<Value> = s
        .app
        .committees(&session.caller)
        .await?
        .iter()
        .map(committee_view)
        .collect();
    let form = refill(form, |f| {
        context! { field => f.text("field"), size => f.text("size"), name => f.text("name") }
    })?;
    let ctx = context! { title => "专家咨询委员会", field_labels => field_labels(), committees };
    form.render(session, "committees.html", "committees", ctx)
}

pub async fn committees(State(s): State<AppState>, session: Session) -> PageResult {
    committees_page(&s, &session, None).await
}

pub async fn propose(State(s): State<AppState>, session: Session, form: Form) -> PageResult {
    session.caller.require(Action::ManageCommittees)?;
    let size = form.text("size");
    let proposed = match size.trim().parse::<u32>() {
        Ok(size) => {
            let name = Some(form.text("name"));
            let request = CommitteeForm {
                field: form.text("field"),
                size,
                name,
            };
            s.app.propose_committee(&session.caller, &request).await
        }
        Err(_) => Err(DomainError::invalid("size", "请填写 1 到 50 之间的人数")),
    };
    match proposed {
        Ok(c) => Ok(see_other(&format!("/committees/{}", c.id))),
        Err(e) => committees_page(&s, &session, Some((&form, e))).await,
    }
}

/// The committee page's search for experts to add.
#[derive(Debug, Default, Deserialize)]
pub struct AddQuery {
    #[serde(default)]
    add_q: String,
}

async fn committee_page(
    s: &AppState,
    session: &Session,
    id: &str,
    add_q: &str,
    error: Option<DomainError>,
) -> PageResult {
    let c = s.app.committee(&session.caller, id).await?;
    let draft = c.status == duijie_core::CommitteeStatus::Draft;
    let members: Vec<String> = c.members.iter().map(|m| m.expert_id.clone()).collect();
    let candidates = if draft {
        picker::expert_choices(s, &session.caller, add_q, &[], &members).await?
    } else {
        Vec::new()
    };
    let (status, error) = banner(error)?;
    let ctx = context! {
        title => c.name.clone(),
        c => committee_view(&c),
        draft,
        candidates,
        add_q,
        error,
    };
    Ok(render(session, "committee.html", "committees", status, ctx))
}

pub async fn committee(ById { s, session, id }: ById, Params(q): Params<AddQuery>) -> PageResult {
    committee_page(&s, &session, &id, &q.add_q, None).await
}

/// Saves `patch` if the committee is still at `version` (the one the form showed); its page
/// again with the problem if not.
async fn update(
    s: &AppState,
    session: &Session,
    id: &str,
    patch: CommitteePatch,
    version: Option<i64>,
) -> PageResult {
    match s
        .app
        .update_committee(&session.caller, id, &patch, version)
        .await
    {
        Ok(c) => Ok(see_other(&format!("/committees/{}", c.id))),
        Err(e) => committee_page(s, session, id, "", Some(e)).await,
    }
}

/// The members to keep and the experts to add (checkboxes of the page's expert search).
pub async fn members(ById { s, session, id }: ById, form: Form) -> PageResult {
    let mut ids = form.all("keep");
    ids.extend(form.all("add"));
    let notes = form.get("notes").map(str::to_string);
    let patch = CommitteePatch {
        member_ids: Some(ids),
        notes,
        ..CommitteePatch::default()
    };
    update(&s, &session, &id, patch, form.version()).await
}

/// Confirms the committee, or sets it back to draft (`status`).
pub async fn status(ById { s, session, id }: ById, form: Form) -> PageResult {
    let patch = CommitteePatch {
        status: Some(form.text("status")),
        ..CommitteePatch::default()
    };
    update(&s, &session, &id, patch, form.version()).await
}
