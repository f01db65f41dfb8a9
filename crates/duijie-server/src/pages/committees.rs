//! Pages of the technology market: shared instruments (科研仪器共享, public list and detail,
//! an institution's form), trends (科技动态, a table and a server-drawn chart) and the bureau's
//! expert committees (专家咨询委员会: list, proposal form, adjustment and confirmation).

use super::picker;
use super::search::{list_page, ListQuery, Listing, Params, PER_PAGE};
use super::render::{datetime, query, render, see_other, shown, PageResult};
use super::session::{Form, Session};
use crate::views::InstrumentJson;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use duijie_app::{Action, CommitteeForm, CommitteePatch, InstrumentForm, TrendParams, Trends};
use duijie_core::{Committee, DomainError, Field};
use minijinja::{context, Value};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub async fn instruments(
    State(s): State<AppState>,
    session: Session,
    Params(q): Params<ListQuery>,
) -> PageResult {
    let page = s.app.search_instruments(&q.params(PER_PAGE)).await?;
    let listing = Listing {
        kind: "instruments",
        base: "/instruments",
        title: "科研仪器共享",
        placeholder: "搜索仪器名称、型号、功能，如：X射线衍射",
        page,
        semantic: s.app.vector_status().is_some(),
    };
    list_page(&session, &q, listing, InstrumentJson::from)
}

pub async fn instrument(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> PageResult {
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
        tags => i.fields.iter().map(|f| f.label()).collect::<Vec<_>>(),
        org => i.institution.name,
        back => "/instruments",
        sections,
        facts,
    };
    Ok(render(
        &session,
        "record.html",
        "instruments",
        StatusCode::OK,
        ctx,
    ))
}

fn field_labels() -> Vec<&'static str> {
    Field::ALL.iter().map(|f| f.label()).collect()
}

fn instrument_form_page(session: &Session, form: Option<(&Form, DomainError)>) -> PageResult {
    let (status, v, errors, error) = match form {
        None => (
            StatusCode::OK,
            Value::from(BTreeMap::<String, String>::new()),
            BTreeMap::new(),
            None,
        ),
        Some((f, e)) => {
            let (errors, error) = shown(e)?;
            let v = context! {
                name => f.text("name"), model => f.text("model"), fields => f.all("fields"),
                description => f.text("description"), location => f.text("location"),
                booking_terms => f.text("booking_terms"), organization => f.text("organization"),
            };
            (StatusCode::BAD_REQUEST, v, errors, error)
        }
    };
    let ctx = context! {
        title => "登记共享仪器",
        show_organization => session.caller.may(Action::KeepAnyRecords),
        field_labels => field_labels(),
        v, errors, error,
    };
    Ok(render(
        session,
        "instrument_form.html",
        "instruments",
        status,
        ctx,
    ))
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
    let organization = form.text("organization");
    let request = InstrumentForm {
        name: form.text("name"),
        model: form.text("model"),
        fields: form.all("fields"),
        description: form.text("description"),
        location: form.text("location"),
        booking_terms: form.text("booking_terms"),
        organization: (!organization.trim().is_empty()).then_some(organization),
    };
    match s.app.create_instrument(&session.caller, &request).await {
        Ok(i) => Ok(see_other(&format!("/instruments/{}", i.id))),
        Err(e) => instrument_form_page(&session, Some((&form, e))),
    }
}

/// One bar of the trends chart, in SVG user units.
#[derive(Debug, Serialize)]
struct Bar {
    x: u32,
    y: u32,
    width: u32,
    height: u32,
    label_x: u32,
    label: String,
    count: u32,
}

const CHART_HEIGHT: u32 = 160;
const BAR_STEP: u32 = 48;
const BAR_WIDTH: u32 = 28;
const CHART_TOP: u32 = 20;

/// Bars of demands published per period (drawn by the template; every text escaped there).
fn bars(t: &Trends) -> Vec<Bar> {
    let max = t.totals.iter().copied().max().unwrap_or(0).max(1);
    t.periods
        .iter()
        .zip(&t.totals)
        .enumerate()
        .map(|(i, (label, count))| {
            let height = count * CHART_HEIGHT / max;
            let x = 10 + i as u32 * BAR_STEP;
            Bar {
                x,
                y: CHART_TOP + CHART_HEIGHT - height,
                width: BAR_WIDTH,
                height,
                label_x: x + BAR_WIDTH / 2,
                label: label.clone(),
                count: *count,
            }
        })
        .collect()
}

#[derive(Debug, Default, Deserialize)]
pub struct TrendQuery {
    #[serde(default)]
    by: String,
    #[serde(default)]
    period: String,
}

pub async fn trends(
    State(s): State<AppState>,
    session: Session,
    Params(q): Params<TrendQuery>,
) -> PageResult {
    let nonempty = |v: String| (!v.trim().is_empty()).then_some(v);
    let t = s
        .app
        .trends(&TrendParams {
            by: nonempty(q.by),
            period: nonempty(q.period),
        })
        .await?;
    let bars = bars(&t);
    let rising: Vec<Value> = t
        .rising_terms
        .iter()
        .map(|r| {
            context! {
                term => r.term,
                href => format!("/demands{}", query(&[("q", &r.term)])),
                latest_count => r.latest_count,
                previous_count => r.previous_count,
                latest_pct => format!("{:.1}%", r.latest_share * 100.0),
                previous_pct => format!("{:.1}%", r.previous_share * 100.0),
            }
        })
        .collect();
    let ctx = context! {
        title => "科技动态",
        chart => context! {
            width => 20 + bars.len() as u32 * BAR_STEP,
            height => CHART_TOP + CHART_HEIGHT + 30,
            base => CHART_TOP + CHART_HEIGHT,
            label_y => CHART_TOP + CHART_HEIGHT + 18,
        },
        bars,
        rising,
        t,
    };
    Ok(render(
        &session,
        "trends.html",
        "trends",
        StatusCode::OK,
        ctx,
    ))
}

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
    let (status, v, errors, error) = match form {
        None => (
            StatusCode::OK,
            Value::from(BTreeMap::<String, String>::new()),
            BTreeMap::new(),
            None,
        ),
        Some((f, e)) => {
            let status = crate::error::status_of(e.code);
            let (errors, error) = shown(e)?;
            let v = context! { field => f.text("field"), size => f.text("size"), name => f.text("name") };
            (status, v, errors, error)
        }
    };
    let ctx = context! {
        title => "专家咨询委员会",
        field_labels => field_labels(),
        committees, v, errors, error,
    };
    Ok(render(
        session,
        "committees.html",
        "committees",
        status,
        ctx,
    ))
}

pub async fn committees(State(s): State<AppState>, session: Session) -> PageResult {
    committees_page(&s, &session, None).await
}

pub async fn propose(State(s): State<AppState>, session: Session, form: Form) -> PageResult {
    session.caller.require(Action::ManageCommittees)?;
    let size = form.text("size");
    let request = match size.trim().parse::<u32>() {
        Ok(size) => CommitteeForm {
            field: form.text("field"),
            size,
            name: Some(form.text("name")),
        },
        Err(_) => {
            let e = DomainError::invalid("size", "请填写 1 到 50 之间的人数");
            return committees_page(&s, &session, Some((&form, e))).await;
        }
    };
    match s.app.propose_committee(&session.caller, &request).await {
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
    let (status, error) = match error {
        None => (StatusCode::OK, None),
        Some(e) => {
            let status = crate::error::status_of(e.code);
            let (mut errors, general) = shown(e)?;
            (
                status,
                general.or_else(|| errors.pop_first().map(|(_, m)| m)),
            )
        }
    };
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

pub async fn committee(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    Params(q): Params<AddQuery>,
) -> PageResult {
    committee_page(&s, &session, &id, &q.add_q, None).await
}

/// The members to keep and the experts to add (checkboxes of the page's expert search).
pub async fn members(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    form: Form,
) -> PageResult {
    let mut ids = form.all("keep");
    ids.extend(form.all("add"));
    let notes = form.get("notes").map(str::to_string);
    let patch = CommitteePatch {
        member_ids: Some(ids),
        notes,
        ..CommitteePatch::default()
    };
    match s
        .app
        .update_committee(&session.caller, &id, &patch, form.version())
        .await
    {
        Ok(c) => Ok(see_other(&format!("/committees/{}", c.id))),
        Err(e) => committee_page(&s, &session, &id, "", Some(e)).await,
    }
}

/// Confirms the committee, or sets it back to draft (`status`).
pub async fn status(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    form: Form,
) -> PageResult {
    let patch = CommitteePatch {
        status: Some(form.text("status")),
        ..CommitteePatch::default()
    };
    match s
        .app
        .update_committee(&session.caller, &id, &patch, form.version())
        .await
    {
        Ok(c) => Ok(see_other(&format!("/committees/{}", c.id))),
        Err(e) => committee_page(&s, &session, &id, "", Some(e)).await,
    }
}
