//! The bureau's review of self-registrations (注册审核) and the administrator's accounts
//! (账号管理). Every rule is the app's; these pages only show and forward.

use super::render::{datetime, render, see_other, shown, PageResult};
use super::session::{Form, Session};
use crate::error::status_of;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use duijie_app::{AccountForm, AccountPatch, RegistrationStatus};
use duijie_core::{DomainError, Role};
use minijinja::{context, Value};
use std::collections::BTreeMap;

pub async fn registrations(State(s): State<AppState>, session: Session) -> PageResult {
    registrations_page(&s, &session, None).await
}

async fn registrations_page(
    s: &AppState,
    session: &Session,
    failure: Option<DomainError>,
) -> PageResult {
    let all = s.app.registrations(&session.caller, None).await?;
    let view = |r: &duijie_app::Registration| {
        context! {
            id => r.id, org_name => r.org_name, kind_label => r.kind.label(),
            credit_code => r.credit_code, contact_name => r.contact_name, phone => r.phone,
            email => r.email, status_label => r.status.label(), reason => r.reason,
            created_at => datetime(r.created_at), decided_at => r.decided_at.map(datetime),
        }
    };
    // Pending ones oldest first: the longest waiting come first.
    let mut pending: Vec<Value> = all
        .iter()
        .filter(|r| r.status == RegistrationStatus::Pending)
        .map(view)
        .collect();
    pending.reverse();
    let decided: Vec<Value> = all
        .iter()
        .filter(|r| r.status != RegistrationStatus::Pending)
        .take(100)
        .map(view)
        .collect();
    let (status, error) = match failure {
        None => (StatusCode::OK, None),
        Some(e) => (status_of(e.code), Some(e.message)),
    };
    let ctx = context! { title => "注册审核", pending, decided, error };
    Ok(render(
        session,
        "registrations.html",
        "registrations",
        status,
        ctx,
    ))
}

pub async fn approve(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    _form: Form,
) -> PageResult {
    match s.app.approve_registration(&session.caller, &id).await {
        Ok(_) => Ok(see_other("/registrations?done=approved")),
        Err(e) if shown_here(&e) => registrations_page(&s, &session, Some(e)).await,
        Err(e) => Err(e.into()),
    }
}

pub async fn reject(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    form: Form,
) -> PageResult {
    match s
        .app
        .reject_registration(&session.caller, &id, &form.text("reason"))
        .await
    {
        Ok(_) => Ok(see_other("/registrations?done=rejected")),
        Err(e) if shown_here(&e) => registrations_page(&s, &session, Some(e)).await,
        Err(e) => Err(e.into()),
    }
}

/// Problems the page shows in place (the rest end the request with the error page).
fn shown_here(e: &DomainError) -> bool {
    matches!(
        e.code,
        duijie_core::ErrorCode::InvalidInput | duijie_core::ErrorCode::Conflict
    )
}

fn roles() -> Vec<Value> {
    Role::ALL
        .into_iter()
        .map(|r| context! { value => r.as_str(), label => r.label() })
        .collect()
}

async fn accounts_page(
    s: &AppState,
    session: &Session,
    failure: Option<(&Form, DomainError)>,
) -> PageResult {
    let me = session.caller.user().map(|u| u.id.clone());
    let accounts: Vec<Value> = s
        .app
        .accounts(&session.caller)
        .await?
        .into_iter()
        .map(|u| {
            context! {
                me => me.as_deref() == Some(u.id.as_str()),
                id => u.id, name => u.name, role => u.role.as_str(), role_label => u.role.label(),
                email => u.email, phone => u.phone, disabled => u.revoked,
            }
        })
        .collect();
    let (status, v, errors, error) = match failure {
        None => (
            StatusCode::OK,
            Value::from(BTreeMap::<String, String>::new()),
            BTreeMap::new(),
            None,
        ),
        Some((f, e)) => {
            let status = status_of(e.code);
            let (errors, error) = shown(e)?;
            let v = context! {
                name => f.text("name"), role => f.text("role"), org => f.text("org"),
                email => f.text("email"), phone => f.text("phone"),
            };
            (status, v, errors, error)
        }
    };
    let ctx = context! { title => "账号管理", accounts, roles => roles(), v, errors, error };
    Ok(render(session, "accounts.html", "accounts", status, ctx))
}

pub async fn accounts(State(s): State<AppState>, session: Session) -> PageResult {
    accounts_page(&s, &session, None).await
}

pub async fn create(State(s): State<AppState>, session: Session, form: Form) -> PageResult {
    let request = AccountForm {
        name: form.text("name"),
        role: form.text("role"),
        org: form.text("org"),
        email: form.text("email"),
        phone: form.text("phone"),
        password: form.text("password"),
    };
    match s.app.create_account(&session.caller, &request).await {
        Ok(_) => Ok(see_other("/accounts?done=account_created")),
        Err(e) => accounts_page(&s, &session, Some((&form, e))).await,
    }
}

async fn update(
    s: &AppState,
    session: &Session,
    id: &str,
    form: &Form,
    patch: AccountPatch,
) -> PageResult {
    match s.app.update_account(&session.caller, id, &patch).await {
        Ok(_) => Ok(see_other("/accounts?done=account_saved")),
        Err(e) => accounts_page(s, session, Some((form, e))).await,
    }
}

pub async fn role(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    form: Form,
) -> PageResult {
    let patch = AccountPatch {
        role: Some(form.text("role")),
        ..AccountPatch::default()
    };
    update(&s, &session, &id, &form, patch).await
}

pub async fn status(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    form: Form,
) -> PageResult {
    let patch = AccountPatch {
        disabled: Some(form.text("disabled") == "1"),
        ..AccountPatch::default()
    };
    update(&s, &session, &id, &form, patch).await
}

pub async fn password(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    form: Form,
) -> PageResult {
    match s
        .app
        .reset_password(&session.caller, &id, &form.text("password"))
        .await
    {
        Ok(()) => Ok(see_other("/accounts?done=password_reset")),
        Err(e) => accounts_page(&s, &session, Some((&form, e))).await,
    }
}
