//! Catalogue editions (需求目录): everyone reads and exports published editions; the bureau
//! creates a draft, adds approved demands and publishes it.

use super::render::{banner, datetime, refill, render, see_other, PageResult};
use super::search::Params;
use super::session::{ById, Form, Session};
use super::view::DemandView;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::HeaderValue;
use axum::response::IntoResponse;
use duijie_app::{Action, CatalogueForm, ExportFormat};
use duijie_core::{CatalogueEdition, CatalogueStatus, DemandStatus, DomainError};
use minijinja::{context, Value};
use serde::Deserialize;

/// Approved demands offered for a draft edition.
const CANDIDATES: u32 = 200;

fn edition_view(c: &CatalogueEdition) -> Value {
    context! {
        id => c.id,
        title => c.title,
        period => c.period,
        status => c.status.as_str(),
        status_label => match c.status {
            CatalogueStatus::Draft => "草稿",
            CatalogueStatus::Published => "已发布",
        },
        item_count => c.item_count,
        published_text => c.published_at.map(datetime),
    }
}

async fn list_page(
    s: &AppState,
    session: &Session,
    form: Option<(&Form, DomainError)>,
) -> PageResult {
    let editions: Vec<Value> = s
        .app
        .catalogues(&session.caller)
        .await?
        .iter()
        .map(edition_view)
        .collect();
    let form = refill(form, |f| {
        context! { title => f.text("title"), period => f.text("period") }
    })?;
    let can_edit = session.caller.may(Action::EditCatalogue);
    let ctx = context! { title => "需求目录", can_edit, editions };
    form.render(session, "catalogues.html", "catalogues", ctx)
}

pub async fn index(State(s): State<AppState>, session: Session) -> PageResult {
    list_page(&s, &session, None).await
}

pub async fn create(State(s): State<AppState>, session: Session, form: Form) -> PageResult {
    let period = form.text("period");
    let request = CatalogueForm {
        title: form.text("title"),
        period: (!period.trim().is_empty()).then_some(period),
    };
    match s.app.create_catalogue(&session.caller, &request).await {
        Ok(c) => Ok(see_other(&href(c))),
        Err(e) => list_page(&s, &session, Some((&form, e))).await,
    }
}

async fn edition_page(
    s: &AppState,
    session: &Session,
    id: &str,
    error: Option<DomainError>,
) -> PageResult {
    let caller = &session.caller;
    let (c, items) = s.app.catalogue(caller, id).await?;
    let can_edit = caller.may(Action::EditCatalogue);
    let candidates: Vec<DemandView> = if can_edit && c.status == CatalogueStatus::Draft {
        let (approved, _) = s
            .app
            .list_demands(caller, Some(vec![DemandStatus::Approved]), 0, CANDIDATES)
            .await?;
        approved
            .into_iter()
            .filter(|d| !items.iter().any(|i| i.id == d.id))
            .map(|d| DemandView::new(caller, d))
            .collect()
    } else {
        Vec::new()
    };
    let (status, error) = banner(error)?;
    let items: Vec<DemandView> = items
        .into_iter()
        .map(|d| DemandView::new(caller, d))
        .collect();
    let formats: Vec<&str> = ExportFormat::ALL.iter().map(|f| f.as_str()).collect();
    let ctx = context! {
        title => c.title,
        c => edition_view(&c),
        can_edit,
        items, candidates, formats, error,
    };
    Ok(render(session, "catalogue.html", "catalogues", status, ctx))
}

pub async fn show(ById { s, session, id }: ById) -> PageResult {
    edition_page(&s, &session, &id, None).await
}

/// After a change to edition `id`: on to `done`, or the edition's page with the problem.
async fn after(
    s: &AppState,
    session: &Session,
    id: &str,
    done: Result<String, DomainError>,
) -> PageResult {
    match done {
        Ok(to) => Ok(see_other(&to)),
        Err(e) => edition_page(s, session, id, Some(e)).await,
    }
}

fn href(c: CatalogueEdition) -> String {
    format!("/catalogues/{}", c.id)
}

pub async fn add_items(ById { s, session, id }: ById, form: Form) -> PageResult {
    let ids = form.all("demand_ids");
    let done = s.app.add_catalogue_items(&session.caller, &id, &ids).await;
    after(&s, &session, &id, done.map(href)).await
}

pub async fn remove_item(
    State(s): State<AppState>,
    session: Session,
    Path((id, demand_id)): Path<(String, String)>,
    _form: Form,
) -> PageResult {
    let demand_ids = [demand_id];
    let done = s
        .app
        .remove_catalogue_items(&session.caller, &id, &demand_ids);
    after(&s, &session, &id, done.await.map(href)).await
}

pub async fn delete(ById { s, session, id }: ById, _form: Form) -> PageResult {
    let done = s.app.delete_catalogue(&session.caller, &id).await;
    after(&s, &session, &id, done.map(|()| "/catalogues".into())).await
}

pub async fn publish(ById { s, session, id }: ById, _form: Form) -> PageResult {
    let done = s.app.publish_catalogue(&session.caller, &id).await;
    after(&s, &session, &id, done.map(href)).await
}

#[derive(Debug, Default, Deserialize)]
pub struct ExportQuery {
    #[serde(default)]
    format: String,
    #[serde(default)]
    full: String,
}

/// A download of an edition; the full version (contact columns) for the bureau only.
pub async fn export(ById { s, session, id }: ById, Params(q): Params<ExportQuery>) -> PageResult {
    let format = ExportFormat::parse(&q.format)?;
    let full = q.full == "true";
    let out = s
        .app
        .export_catalogue(&session.caller, &id, format, full)
        .await?;
    let safe_id: String = id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
        .collect();
    let disposition = format!(
        "attachment; filename=\"catalogue-{safe_id}.{}\"",
        format.as_str()
    );
    let mut resp = out.bytes.into_response();
    let headers = resp.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(out.content_type));
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        headers.insert(CONTENT_DISPOSITION, v);
    }
    Ok(resp)
}
