//! The bureau's ledger pages (台账): cooperation projects with filters and a form to record
//! one from a demand in docking, a project's page to update its status, milestones and notes,
//! secondments (科技副职), and the annual report with its downloads.

use super::picker;
use super::render::{
    banner, budget, datetime, ok_page, problems, query, render, see_other, PageError, PageResult,
};
use super::search::Params;
use super::session::{ById, Form, Session};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use duijie_app::report::{html_body, title};
use duijie_app::{
    current_year, MilestoneForm, ProjectForm, ProjectQuery, ProjectUpdate, ReportFormat,
    SecondmentForm,
};
use duijie_core::{DemandStatus, DomainError, Project, ProjectStatus, Secondment};
use minijinja::{context, Value};
use serde::Deserialize;

/// Demands in docking offered in the form that records a project.
const CANDIDATES: u32 = 500;

fn project_view(p: &Project) -> Value {
    context! {
        id => p.id,
        version => p.version,
        title => p.title,
        demand_id => p.demand_id,
        demand_title => p.demand_title,
        enterprise => p.enterprise_name,
        institution => p.institution_name,
        region => p.region,
        field => p.field,
        amount_text => budget(Some(p.amount_wan), false),
        signed_on => p.signed_on.to_string(),
        key_project => p.key_project,
        status => p.status.as_str(),
        status_label => p.status.label(),
        milestones => p.milestones.iter().map(|m| context! {
            date => m.date.to_string(), text => m.text, done => m.done,
        }).collect::<Vec<_>>(),
        notes => p.notes,
        updated_text => datetime(p.updated_at),
    }
}

fn secondment_view(s: &Secondment) -> Value {
    context! {
        expert => s.expert_name,
        expert_id => s.expert_id,
        home_org => s.home_org_name,
        host_org => s.host_org_name,
        post => s.post,
        start => s.start_on.to_string(),
        end => s.end_on.map(|e| e.to_string()),
    }
}

fn statuses() -> Vec<Value> {
    ProjectStatus::ALL
        .iter()
        .map(|s| context! { value => s.as_str(), label => s.label() })
        .collect()
}

/// The rows of a list the page's filters select; when the app refuses the filters, none, and
/// the page says why in its banner with `400`.
fn filtered<T>(
    list: Result<Vec<T>, DomainError>,
    view: fn(&T) -> Value,
    status: &mut StatusCode,
    error: &mut Option<String>,
) -> Result<Vec<Value>, PageError> {
    match list {
        Ok(list) => Ok(list.iter().map(view).collect()),
        Err(e) => {
            *status = StatusCode::BAD_REQUEST;
            *error = banner(Some(e))?.1;
            Ok(Vec::new())
        }
    }
}

async fn projects_page(
    s: &AppState,
    session: &Session,
    q: &ProjectQuery,
    form: Option<(&Form, DomainError)>,
) -> PageResult {
    let caller = &session.caller;
    let (f, e) = form.unzip();
    let (mut status, (errors, mut error)) = problems(e)?;
    let items = filtered(
        s.app.projects(caller, q).await,
        project_view,
        &mut status,
        &mut error,
    )?;
    let (docking, _) = s
        .app
        .list_demands(caller, Some(vec![DemandStatus::InDocking]), 0, CANDIDATES)
        .await?;
    let mut accepted = s.app.accepted_partners(caller, &docking).await?;
    let mut partner_names: Vec<String> = Vec::new();
    let candidates: Vec<Value> = docking
        .iter()
        .map(|d| {
            let partners: Vec<String> = accepted
                .remove(&d.id)
                .unwrap_or_default()
                .into_iter()
                .map(|(_, name)| name)
                .collect();
            for p in &partners {
                if !partner_names.contains(p) {
                    partner_names.push(p.clone());
                }
            }
            context! { id => d.id, title => d.body.title, enterprise => d.org_name, partners }
        })
        .collect();
    let text = |f: Option<&Form>, name: &str| f.map(|f| f.text(name)).unwrap_or_default();
    let v = context! {
        demand_id => text(f, "demand_id"),
        institution => text(f, "institution"),
        title => text(f, "title"),
        amount_wan => text(f, "amount_wan"),
        signed_on => text(f, "signed_on"),
        key_project => f.is_some_and(|f| f.get("key_project").is_some()),
    };
    let filter = context! {
        year => q.year.clone().unwrap_or_default(),
        key => q.key.clone().unwrap_or_default(),
        region => q.region.clone().unwrap_or_default(),
    };
    let ctx = context! {
        title => "对接台账",
        items, candidates, partner_names, v, filter, errors, error,
    };
    Ok(render(session, "projects.html", "ledger", status, ctx))
}

pub async fn projects(
    State(s): State<AppState>,
    session: Session,
    Params(q): Params<ProjectQuery>,
) -> PageResult {
    projects_page(&s, &session, &q, None).await
}

/// A form number: empty is absent, anything else must read as one.
fn amount(form: &Form) -> Result<Option<f64>, DomainError> {
    let raw = form.text("amount_wan");
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    raw.parse::<f64>().map(Some).map_err(|_| {
        DomainError::invalid(
            "amount_wan",
            format!("合同金额“{raw}”不是数字，请填写万元数"),
        )
    })
}

pub async fn create_project(State(s): State<AppState>, session: Session, form: Form) -> PageResult {
    let request = amount(&form).map(|amount_wan| ProjectForm {
        demand_id: form.text("demand_id"),
        institution: form.text("institution"),
        title: form.text("title"),
        amount_wan,
        signed_on: form.text("signed_on"),
        key_project: form.get("key_project").is_some(),
    });
    let made = match request {
        Ok(request) => s.app.create_project(&session.caller, &request).await,
        Err(e) => Err(e),
    };
    match made {
        Ok(p) => Ok(see_other(&format!("/projects/{}", p.id))),
        Err(e) => projects_page(&s, &session, &ProjectQuery::default(), Some((&form, e))).await,
    }
}

async fn project_page(
    s: &AppState,
    session: &Session,
    id: &str,
    failed: Option<DomainError>,
) -> PageResult {
    let p = s.app.project(&session.caller, id).await?;
    let (status, (mut errors, error)) = problems(failed)?;
    // Errors about milestones name their index; the banner shows them.
    let error = error.or_else(|| {
        let key = errors.keys().find(|k| k.starts_with("milestones"))?.clone();
        errors.remove(&key)
    });
    let ctx = context! {
        title => p.title,
        p => project_view(&p),
        statuses => statuses(),
        errors, error,
    };
    Ok(render(session, "project.html", "ledger", status, ctx))
}

pub async fn project(ById { s, session, id }: ById) -> PageResult {
    project_page(&s, &session, &id, None).await
}

/// The edit form: status, notes, which milestones are done, and a new milestone.
pub async fn update_project(ById { s, session, id }: ById, form: Form) -> PageResult {
    let p = s.app.project(&session.caller, &id).await?;
    let done = form.all("done");
    let mut milestones: Vec<MilestoneForm> = p
        .milestones
        .iter()
        .enumerate()
        .map(|(i, m)| MilestoneForm {
            date: m.date.to_string(),
            text: m.text.clone(),
            done: done.contains(&i.to_string()),
        })
        .collect();
    let (date, text) = (form.text("new_date"), form.text("new_text"));
    if !(date.trim().is_empty() && text.trim().is_empty()) {
        milestones.push(MilestoneForm {
            date,
            text,
            done: false,
        });
    }
    let update = ProjectUpdate {
        status: Some(form.text("status")),
        milestones: Some(milestones),
        notes: Some(form.text("notes")),
    };
    match s
        .app
        .update_project(&session.caller, &id, &update, form.version())
        .await
    {
        Ok(p) => Ok(see_other(&format!("/projects/{}?done=saved", p.id))),
        Err(e) => project_page(&s, &session, &id, Some(e)).await,
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct YearParams {
    #[serde(default)]
    year: String,
    #[serde(default)]
    format: String,
    /// A name or research area to find the expert to second.
    #[serde(default)]
    expert_q: String,
}

async fn secondments_page(
    s: &AppState,
    session: &Session,
    q: &YearParams,
    form: Option<(&Form, DomainError)>,
) -> PageResult {
    let year = q.year.as_str();
    let (f, e) = form.unzip();
    let (mut status, (errors, mut error)) = problems(e)?;
    let list = s.app.secondments(&session.caller, Some(year)).await;
    let items = filtered(list, secondment_view, &mut status, &mut error)?;
    let text = |name: &str| f.map(|f| f.text(name)).unwrap_or_default();
    let v = context! {
        expert_id => text("expert_id"), host => text("host"), post => text("post"),
        start => text("start"), end => text("end"),
    };
    let chosen: Vec<String> = f.map(|f| f.all("expert_id")).unwrap_or_default();
    let experts = picker::expert_choices(s, &session.caller, &q.expert_q, &chosen, &[]).await?;
    let ctx = context! {
        title => "科技副职", year, items, v, errors, error, experts, expert_q => q.expert_q,
    };
    Ok(render(session, "secondments.html", "ledger", status, ctx))
}

pub async fn secondments(
    State(s): State<AppState>,
    session: Session,
    Params(q): Params<YearParams>,
) -> PageResult {
    secondments_page(&s, &session, &q, None).await
}

pub async fn create_secondment(
    State(s): State<AppState>,
    session: Session,
    form: Form,
) -> PageResult {
    let end = form.text("end");
    let request = SecondmentForm {
        expert_id: form.text("expert_id"),
        host: form.text("host"),
        post: form.text("post"),
        start: form.text("start"),
        end: (!end.trim().is_empty()).then_some(end),
    };
    match s.app.create_secondment(&session.caller, &request).await {
        Ok(_) => Ok(see_other("/secondments?done=saved")),
        Err(e) => secondments_page(&s, &session, &YearParams::default(), Some((&form, e))).await,
    }
}

/// The annual report page, or with `format` one of its downloads.
pub async fn annual_report(
    State(s): State<AppState>,
    session: Session,
    Params(q): Params<YearParams>,
) -> PageResult {
    let caller = &session.caller;
    if !q.format.trim().is_empty() {
        let format = ReportFormat::parse(&q.format)?;
        let out = s
            .app
            .export_annual_report(caller, Some(&q.year), format)
            .await?;
        return Ok(crate::api::download(out));
    }
    let report = s.app.annual_report(caller, Some(&q.year)).await?;
    let year = report.year.to_string();
    let downloads: Vec<Value> = ReportFormat::ALL
        .iter()
        .map(|f| {
            context! {
                label => f.as_str().to_uppercase(),
                href => format!("/reports/annual{}", query(&[("year", &year), ("format", f.as_str())])),
            }
        })
        .collect();
    let ctx = context! {
        title => title(report.year),
        year,
        this_year => current_year(),
        downloads,
        // Built by duijie-app from escaped text only.
        body => Value::from_safe_string(html_body(&report)),
    };
    ok_page(&session, "report.html", "ledger", ctx)
}
