//! Accounts in pages: signing in with an account name and password, signing out,
//! self-registration and the personal page (我的账号: contact, password, API tokens, sign out
//! everywhere); the bureau's review of self-registrations (注册审核) and the administrator's
//! accounts (账号管理). Every rule is the app's; these pages only show and forward.

use super::render::{datetime, local_path, problems, refill, render, see_other, shown, PageResult};
use super::search::Params;
use super::session::{signed_in_cookies, ById, Form, Session};
use crate::client::Client;
use crate::error::status_of;
use crate::AppState;
use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::StatusCode;
use axum::Extension;
use duijie_app::{AccountForm, AccountPatch, Action, Caller, RegistrationForm, RegistrationStatus};
use duijie_core::{DomainError, ErrorCode, Role};
use minijinja::{context, Value};
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Default, Deserialize)]
pub struct LoginQuery {
    #[serde(default)]
    next: String,
}

fn login_page(
    session: &Session,
    next: &str,
    account: &str,
    failure: Option<DomainError>,
) -> PageResult {
    let (status, errors, error) = match failure {
        None => (StatusCode::OK, BTreeMap::new(), None),
        Some(e) if e.code == ErrorCode::InvalidInput => {
            let (errors, error) = shown(e)?;
            (StatusCode::BAD_REQUEST, errors, error)
        }
        Some(e) => (status_of(e.code), BTreeMap::new(), Some(e.message)),
    };
    let ctx = context! {
        title => "登录",
        next => local_path(next).unwrap_or(""),
        account, errors, error,
    };
    Ok(render(session, "login.html", "login", status, ctx))
}

pub async fn login_form(session: Session, Params(q): Params<LoginQuery>) -> PageResult {
    login_page(&session, &q.next, "", None)
}

/// Where an account starts: the desk of its main work.
fn home_of(caller: &Caller) -> &'static str {
    if caller.may(Action::ReviewDemand) {
        "/review"
    } else if caller.may(Action::SubmitDemand) {
        "/my/demands"
    } else if caller.may(Action::UseWorkspace) {
        "/recommended"
    } else {
        "/"
    }
}

pub async fn login(
    State(s): State<AppState>,
    Extension(client): Extension<Client>,
    session: Session,
    form: Form,
) -> PageResult {
    let account = form.text("account");
    let next = form.text("next");
    match s
        .app
        .sign_in(&s.throttle, &account, &form.text("password"), client.ip)
        .await
    {
        Ok(signed) => {
            // A session the browser held before ends: a new id every time (no fixation).
            if let Some(old) = &session.session_id {
                s.app.sign_out(old).await?;
            }
            let target =
                local_path(&next).unwrap_or_else(|| home_of(&Caller::User(signed.user.clone())));
            let mut resp = see_other(target);
            for c in signed_in_cookies(&signed, s.config.sign_in.session_ttl, session.secure) {
                resp.headers_mut().append(SET_COOKIE, c);
            }
            Ok(resp)
        }
        Err(refusal) => {
            let mut resp = login_page(&session, &next, account.trim(), Some(refusal.error))?;
            if let Some(wait) = refusal.retry_after {
                let secs = wait.as_secs_f64().ceil().max(1.0) as u64;
                crate::limits::set_retry_after(&mut resp, secs);
            }
            Ok(resp)
        }
    }
}

pub async fn logout(State(s): State<AppState>, session: Session, _form: Form) -> PageResult {
    if let Some(sid) = &session.session_id {
        s.app.sign_out(sid).await?;
    }
    Ok(signed_out(&session, "/"))
}

/// On to `to` with the session cookie cleared and a new CSRF token.
fn signed_out(session: &Session, to: &str) -> axum::response::Response {
    let mut resp = see_other(to);
    let headers = resp.headers_mut();
    headers.append(SET_COOKIE, session.clear_session_cookie());
    headers.append(SET_COOKIE, session.fresh_csrf_cookie());
    resp
}

fn register_page(session: &Session, form: Option<(&Form, DomainError)>) -> PageResult {
    let form = refill(form, |f| {
        context! {
            kind => f.text("kind"), org_name => f.text("org_name"),
            credit_code => f.text("credit_code"), contact_name => f.text("contact_name"),
            phone => f.text("phone"), email => f.text("email"),
        }
    })?;
    form.render(
        session,
        "register.html",
        "register",
        context! { title => "注册" },
    )
}

pub async fn register_form(session: Session) -> PageResult {
    register_page(&session, None)
}

pub async fn register(State(s): State<AppState>, session: Session, form: Form) -> PageResult {
    let request = RegistrationForm {
        kind: form.text("kind"),
        org_name: form.text("org_name"),
        credit_code: form.text("credit_code"),
        contact_name: form.text("contact_name"),
        phone: form.text("phone"),
        email: form.text("email"),
        password: form.text("password"),
    };
    match s.app.register(&request).await {
        Ok(_) => Ok(see_other("/login?done=registered")),
        Err(e) => register_page(&session, Some((&form, e))),
    }
}

/// What the personal page shows besides the frame.
#[derive(Default)]
struct MeExtras {
    status: Option<StatusCode>,
    errors: BTreeMap<String, String>,
    error: Option<String>,
    new_token: Option<Value>,
    contact: Option<(String, String)>,
}

async fn me_page(s: &AppState, session: &Session, extras: MeExtras) -> PageResult {
    let user = session.caller.require(Action::UseAccount)?;
    // Read afresh; should that fail, the page still shows the session's copy.
    let (user, org_name) = s.app.my_account(&session.caller).await.unwrap_or_else(|e| {
        tracing::warn!(code = e.code.as_str(), "account unreadable");
        (user.clone(), None)
    });
    let tokens: Vec<Value> = s
        .app
        .my_tokens(&session.caller)
        .await?
        .into_iter()
        .map(|t| context! { id => t.id, label => t.label, created_at => datetime(t.created_at) })
        .collect();
    let (email, phone) = extras.contact.unwrap_or_else(|| {
        (
            user.email.clone().unwrap_or_default(),
            user.phone.clone().unwrap_or_default(),
        )
    });
    let ctx = context! {
        title => "我的账号",
        account => context! { name => user.name, role_label => user.role.label() },
        org_name,
        contact => context! { email, phone },
        tokens,
        new_token => extras.new_token,
        errors => extras.errors,
        error => extras.error,
    };
    let status = extras.status.unwrap_or(StatusCode::OK);
    Ok(render(session, "me.html", "me", status, ctx))
}

/// The personal page with a fixable error shown beside its field.
async fn me_failure(
    s: &AppState,
    session: &Session,
    e: DomainError,
    contact: Option<(String, String)>,
) -> PageResult {
    let (status, (errors, error)) = problems(Some(e))?;
    me_page(
        s,
        session,
        MeExtras {
            status: Some(status),
            errors,
            error,
            contact,
            ..MeExtras::default()
        },
    )
    .await
}

pub async fn me(State(s): State<AppState>, session: Session) -> PageResult {
    me_page(&s, &session, MeExtras::default()).await
}

pub async fn contact(State(s): State<AppState>, session: Session, form: Form) -> PageResult {
    let (email, phone) = (form.text("email"), form.text("phone"));
    match s.app.set_my_contact(&session.caller, &email, &phone).await {
        Ok(_) => Ok(see_other("/account?done=contact")),
        Err(e) => me_failure(&s, &session, e, Some((email, phone))).await,
    }
}

pub async fn change_password(
    State(s): State<AppState>,
    session: Session,
    form: Form,
) -> PageResult {
    let new = form.text("new_password");
    if new != form.text("new_password2") {
        let e = DomainError::invalid("new_password2", "两次输入的新密码不一致");
        return me_failure(&s, &session, e, None).await;
    }
    match s
        .app
        .change_password(
            &session.caller,
            session.session_id.as_deref(),
            &form.text("old_password"),
            &new,
        )
        .await
    {
        Ok(()) => Ok(see_other("/account?done=password")),
        Err(e) => me_failure(&s, &session, e, None).await,
    }
}

/// Creates a token and shows it on this answer only (never through a redirect, and never kept
/// as an idempotent replay, so the token is stored nowhere).
pub async fn create_token(State(s): State<AppState>, session: Session, form: Form) -> PageResult {
    match s
        .app
        .create_my_token(&session.caller, &form.text("label"))
        .await
    {
        Ok((record, token)) => {
            let extras = MeExtras {
                status: Some(StatusCode::CREATED),
                new_token: Some(context! { label => record.label, token }),
                ..MeExtras::default()
            };
            me_page(&s, &session, extras).await
        }
        Err(e) => me_failure(&s, &session, e, None).await,
    }
}

pub async fn revoke_token(ById { s, session, id }: ById, _form: Form) -> PageResult {
    s.app.revoke_my_token(&session.caller, &id).await?;
    Ok(see_other("/account?done=revoked"))
}

/// 退出所有设备: every session of the account ends, this one too.
pub async fn end_sessions(State(s): State<AppState>, session: Session, _form: Form) -> PageResult {
    s.app.sign_out_everywhere(&session.caller).await?;
    Ok(signed_out(&session, "/login"))
}

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

pub async fn approve(ById { s, session, id }: ById, _form: Form) -> PageResult {
    let decided = s.app.approve_registration(&session.caller, &id).await;
    after_decision(&s, &session, decided, "approved").await
}

pub async fn reject(ById { s, session, id }: ById, form: Form) -> PageResult {
    let reason = form.text("reason");
    let decided = s.app.reject_registration(&session.caller, &id, &reason);
    after_decision(&s, &session, decided.await, "rejected").await
}

/// The list again after a decision: with the notice `done`, or with the problem shown in place
/// when it is one the page shows (the rest end the request with the error page).
async fn after_decision<T>(
    s: &AppState,
    session: &Session,
    decided: Result<T, DomainError>,
    done: &str,
) -> PageResult {
    match decided {
        Ok(_) => Ok(see_other(&format!("/registrations?done={done}"))),
        Err(e) if matches!(e.code, ErrorCode::InvalidInput | ErrorCode::Conflict) => {
            registrations_page(s, session, Some(e)).await
        }
        Err(e) => Err(e.into()),
    }
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
    let form = refill(failure, |f| {
        context! {
            name => f.text("name"), role => f.text("role"), org => f.text("org"),
            email => f.text("email"), phone => f.text("phone"),
        }
    })?;
    let ctx = context! { title => "账号管理", accounts, roles => roles() };
    form.render(session, "accounts.html", "accounts", ctx)
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

pub async fn role(ById { s, session, id }: ById, form: Form) -> PageResult {
    let patch = AccountPatch {
        role: Some(form.text("role")),
        ..AccountPatch::default()
    };
    update(&s, &session, &id, &form, patch).await
}

pub async fn status(ById { s, session, id }: ById, form: Form) -> PageResult {
    let patch = AccountPatch {
        disabled: Some(form.text("disabled") == "1"),
        ..AccountPatch::default()
    };
    update(&s, &session, &id, &form, patch).await
}

pub async fn reset_password(ById { s, session, id }: ById, form: Form) -> PageResult {
    match s
        .app
        .reset_password(&session.caller, &id, &form.text("password"))
        .await
    {
        Ok(()) => Ok(see_other("/accounts?done=password_reset")),
        Err(e) => accounts_page(&s, &session, Some((&form, e))).await,
    }
}
