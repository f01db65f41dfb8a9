//! The 通知 pages: the inbox (each notification links to what it is about; opening one marks
//! it read), marking everything read, the delivery choice per kind, and for the bureau the
//! e-mail outbox's failures.

use super::render::{datetime, ok_page, pager, render, see_other, shown, PageResult};
use super::search::Params;
use super::session::{ById, Form, Session};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use duijie_app::{Action, Caller};
use duijie_core::{Delivery, NotificationKind};
use minijinja::{context, Value};
use serde::Deserialize;
use std::collections::HashMap;

#[derive(Debug, Default, Deserialize)]
pub struct InboxParams {
    #[serde(default)]
    unread: Option<String>,
    #[serde(default)]
    page: Option<u32>,
}

pub async fn index(
    State(s): State<AppState>,
    session: Session,
    Params(q): Params<InboxParams>,
) -> PageResult {
    let unread_only = q.unread.as_deref() == Some("1");
    let page = s
        .app
        .notifications(&session.caller, unread_only, q.page)
        .await?;
    let items: Vec<Value> = page
        .items
        .iter()
        .map(|n| {
            context! {
                id => n.id, kind => n.kind.label(), title => n.title, body => n.body,
                at => datetime(n.created_at), read => n.read_at.is_some(),
            }
        })
        .collect();
    let total = usize::try_from(page.total).unwrap_or(0);
    let filter = if unread_only { "&unread=1" } else { "" };
    let pager = pager(total, page.page, page.per_page, |n| {
        format!("/notifications?page={n}{filter}")
    });
    let outbox = if session.caller.may(Action::ViewMailOutbox) {
        let o = s.app.mail_outbox(&session.caller, true).await?;
        let failed: Vec<Value> = o
            .items
            .iter()
            .map(|m| {
                context! {
                    user => m.user_name, subject => m.subject, attempts => m.attempts,
                    error => m.last_error, at => datetime(m.created_at),
                }
            })
            .collect();
        Some(context! { pending => o.pending, sent => o.sent, failed_count => o.failed, failed })
    } else {
        None
    };
    let ctx = context! {
        title => "通知", items, total, unread_total => page.unread, unread_only, pager, outbox,
    };
    ok_page(&session, "notifications.html", "notifications", ctx)
}

/// `POST /notifications/{id}/open`: marks it read and goes to what it is about.
pub async fn open(ById { s, session, id }: ById, _form: Form) -> PageResult {
    // The link is read back from the caller's own notification, never taken from the form.
    let link = s.app.mark_notification_read(&session.caller, &id).await?;
    Ok(see_other(&link))
}

/// `POST /notifications/read-all`
pub async fn read_all(State(s): State<AppState>, session: Session, _form: Form) -> PageResult {
    s.app.mark_all_notifications_read(&session.caller).await?;
    Ok(see_other("/notifications"))
}

fn settings_page(
    session: &Session,
    prefs: &[(NotificationKind, Delivery)],
    errors: std::collections::BTreeMap<String, String>,
    error: Option<String>,
    saved: bool,
) -> PageResult {
    let rows: Vec<Value> = prefs
        .iter()
        .filter(|(k, _)| relevant(*k, &session.caller))
        .map(|(k, d)| context! { kind => k.as_str(), label => k.label(), value => d.as_str() })
        .collect();
    let choices: Vec<Value> = Delivery::ALL
        .iter()
        .map(|d| context! { value => d.as_str(), label => d.label() })
        .collect();
    let has_email = session
        .caller
        .user()
        .is_some_and(|u| u.email.as_deref().is_some_and(|e| !e.is_empty()));
    let status = if errors.is_empty() && error.is_none() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let ctx = context! {
        title => "通知设置", rows, choices, errors, error, saved, has_email,
    };
    Ok(render(
        session,
        "notification_settings.html",
        "notifications",
        status,
        ctx,
    ))
}

/// The kinds that can reach this account: those of the events it takes part in.
fn relevant(kind: NotificationKind, caller: &Caller) -> bool {
    use NotificationKind as K;
    let action = match kind {
        K::InterestReceived => Action::AnswerInterest,
        K::DemandReturned | K::DemandApproved | K::DemandPublished => Action::SubmitDemand,
        K::InterestAccepted | K::InterestDeclined | K::DemandChanged | K::DemandMatched => {
            Action::ProposeInterest
        }
        K::MilestoneDue => Action::KeepLedger,
    };
    caller.may(action)
}

#[derive(Debug, Default, Deserialize)]
pub struct SettingsParams {
    #[serde(default)]
    done: Option<String>,
}

pub async fn settings(
    State(s): State<AppState>,
    session: Session,
    Params(q): Params<SettingsParams>,
) -> PageResult {
    let prefs = s.app.notification_prefs(&session.caller).await?;
    settings_page(&session, &prefs, Default::default(), None, q.done.is_some())
}

pub async fn save_settings(State(s): State<AppState>, session: Session, form: Form) -> PageResult {
    let raw: HashMap<String, String> = NotificationKind::ALL
        .iter()
        .filter_map(|k| {
            form.get(k.as_str())
                .map(|v| (k.as_str().to_string(), v.to_string()))
        })
        .collect();
    match s.app.set_notification_prefs(&session.caller, &raw).await {
        Ok(_) => Ok(see_other("/notifications/settings?done=saved")),
        Err(e) => {
            let (errors, error) = shown(e)?;
            let prefs = s.app.notification_prefs(&session.caller).await?;
            settings_page(&session, &prefs, errors, error, false)
        }
    }
}
