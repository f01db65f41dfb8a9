//! Shared instruments (科研仪器共享): the public list and detail, and an institution's form.

use super::render::{datetime, field_labels, ok_page, refill, see_other, PageResult};
use super::session::{ById, Form, Session};
use super::workspace::{instrument_form, opt};
use crate::views::InstrumentJson;
use crate::AppState;
use axum::extract::State;

use duijie_app::{Action, InstrumentForm};
use duijie_core::DomainError;
use minijinja::context;

pub async fn instrument(ById { s, session, id }: ById) -> PageResult {
    let i = InstrumentJson::from(s.app.instrument(&id).await?);
    let mut facts = vec![("所属单位", i.institution.name.clone())];
    for (label, value) in [("型号", &i.model), ("放置地点", &i.location)] {
        if !value.is_empty() {
            facts.push((label, value.clone()));
        }
    }
    facts.push(("登记时间", datetime(i.created_at)));
    let or_none = |t: &str| {
        if t.is_empty() {
            "（未填写）".to_string()
        } else {
            t.to_string()
        }
    };
    let sections = vec![
        context! { heading => "主要功能与技术指标", text => or_none(&i.description) },
        context! { heading => "开放共享与预约条款", text => or_none(&i.booking_terms) },
    ];
    let ctx = context! {
        title => i.name,
        heading => i.name,
        tags => i.fields.clone(),
        org => i.institution.name,
        back => "/instruments",
        sections,
        facts,
    };
    ok_page(&session, "record.html", "instruments", ctx)
}

fn instrument_form_page(session: &Session, form: Option<(&Form, DomainError)>) -> PageResult {
    let form = refill(form, |f| {
        context! {
            name => f.text("name"), model => f.text("model"), fields => f.all("fields"),
            description => f.text("description"), location => f.text("location"),
            booking_terms => f.text("booking_terms"), organization => f.text("organization"),
        }
    })?;
    let ctx = context! {
        title => "登记共享仪器",
        show_organization => session.caller.may(Action::KeepAnyRecords),
        field_labels => field_labels(),
    };
    form.render(session, "instrument_form.html", "instruments", ctx)
}

pub async fn new_instrument(session: Session) -> PageResult {
    session.caller.require(Action::KeepRecords)?;
    instrument_form_page(&session, None)
}

pub async fn create_instrument(
    State(s): State<AppState>,
    session: Session,
    form: Form,
) -> PageResult {
    session.caller.require(Action::KeepRecords)?;
    // The bureau names the institution it registers for; an institution registers its own.
    let request = InstrumentForm {
        organization: opt(&form, "organization"),
        ..instrument_form(&form)
    };
    match s.app.create_instrument(&session.caller, &request).await {
        Ok(i) => Ok(see_other(&format!("/instruments/{}", i.id))),
        Err(e) => instrument_form_page(&session, Some((&form, e))),
    }
}
