//! The audit log page (审计日志) for the bureau and administrators: the entries in a table
//! with filters and pages, and the CSV export of what the filters select.

use super::render::{pager, query, render, shown, PageResult};
use super::search::Params;
use super::session::Session;
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use duijie_app::audit::{audit_time, role_name};
use duijie_app::{AuditAction, AuditEntry, AuditPage, AuditQuery, AuditSubject};
use minijinja::{context, Value};

pub(super) fn entry_view(e: &AuditEntry) -> Value {
    // One named record links to its page; lists of ids are in the export.
    let href = match (e.subject, e.record_ids.as_slice()) {
        (AuditSubject::Demand, [id]) => Some(format!("/demands/{id}")),
        (AuditSubject::Catalogue, [id]) => Some(format!("/catalogues/{id}")),
        _ => duijie_app::record_link(e),
    };
    context! {
        at => audit_time(e),
        actor => e.actor.name,
        role => role_name(e.actor.role),
        action => e.action.label(),
        subject => e.subject.label(),
        count => e.record_ids.len(),
        summary => e.summary,
        href,
    }
}

/// The filters as a query string, with `extra` pairs (the page).
fn filter_query(q: &AuditQuery, extra: &[(&str, &str)]) -> String {
    let v = |o: &Option<String>| o.clone().unwrap_or_default();
    let (action, actor, from, to) = (v(&q.action), v(&q.actor), v(&q.from), v(&q.to));
    let mut pairs = vec![
        ("action", action.as_str()),
        ("actor", actor.as_str()),
        ("from", from.as_str()),
        ("to", to.as_str()),
    ];
    pairs.extend_from_slice(extra);
    query(&pairs)
}

pub async fn index(
    State(s): State<AppState>,
    session: Session,
    Params(q): Params<AuditQuery>,
) -> PageResult {
    let (status, page, errors, error) = match s.app.audit_log(&session.caller, &q).await {
        Ok(page) => (StatusCode::OK, page, Default::default(), None),
        Err(e) => {
            let (errors, error) = shown(e)?;
            let empty = AuditPage {
                items: Vec::new(),
                total: 0,
                page: 1,
                per_page: duijie_app::audit::AUDIT_PER_PAGE,
            };
            (StatusCode::BAD_REQUEST, empty, errors, error)
        }
    };
    let items: Vec<Value> = page.items.iter().map(entry_view).collect();
    let total = usize::try_from(page.total).unwrap_or(0);
    let pager = pager(total, page.page, page.per_page, |n| {
        format!("/audit{}", filter_query(&q, &[("page", &n.to_string())]))
    });
    let actions: Vec<Value> = AuditAction::ALL
        .iter()
        .map(|a| context! { value => a.as_str(), label => a.label() })
        .collect();
    let v = |o: &Option<String>| o.clone().unwrap_or_default();
    let filter = context! {
        action => v(&q.action), actor => v(&q.actor), from => v(&q.from), to => v(&q.to),
    };
    let ctx = context! {
        title => "审计日志",
        items, total, pager, actions, filter, errors, error,
        export_href => format!("/audit/export{}", filter_query(&q, &[])),
    };
    Ok(render(&session, "audit.html", "audit", status, ctx))
}

pub async fn export(
    State(s): State<AppState>,
    session: Session,
    Params(q): Params<AuditQuery>,
) -> PageResult {
    let out = s.app.export_audit_log(&session.caller, &q).await?;
    Ok(crate::api::download(out))
}
