//! Signing in with an account name and password, signing out, self-registration, and the
//! personal page (我的账号): contact, password, API tokens, sign out everywhere.

use super::search::Params;
use super::render::{datetime, local_path, render, see_other, shown, PageResult};
use super::session::{signed_in_cookies, Form, Session};
use crate::client::Client;
use crate::error::status_of;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::header::SET_COOKIE;
use axum::http::StatusCode;
use axum::Extension;
use duijie_app::{Action, Caller, RegistrationForm};
use duijie_core::{DomainError, ErrorCode};
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

pub async fn form(session: Session, Params(q): Params<LoginQuery>) -> PageResult {
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
    let mut resp = see_other("/");
    let headers = resp.headers_mut();
    headers.append(SET_COOKIE, session.clear_session_cookie());
    headers.append(SET_COOKIE, session.fresh_csrf_cookie());
    Ok(resp)
}

fn register_page(session: &Session, form: Option<(&Form, DomainError)>) -> PageResult {
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
                kind => f.text("kind"), org_name => f.text("org_name"),
                credit_code => f.text("credit_code"), contact_name => f.text("contact_name"),
                phone => f.text("phone"), email => f.text("email"),
            };
            (StatusCode::BAD_REQUEST, v, errors, error)
        }
    };
    let ctx = context! { title => "注册", v, errors, error };
    Ok(render(session, "register.html", "register", status, ctx))
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
    Ok(render(
        session,
        "me.html",
        "me",
        extras.status.unwrap_or(StatusCode::OK),
        ctx,
    ))
}

/// The personal page with a fixable error shown beside its field.
async fn me_failure(
    s: &AppState,
    session: &Session,
    e: DomainError,
    contact: Option<(String, String)>,
) -> PageResult {
    let status = status_of(e.code);
    let (errors, error) = shown(e)?;
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

pub async fn password(State(s): State<AppState>, session: Session, form: Form) -> PageResult {
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

pub async fn revoke_token(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    _form: Form,
) -> PageResult {
    s.app.revoke_my_token(&session.caller, &id).await?;
    Ok(see_other("/account?done=revoked"))
}

/// 退出所有设备: every session of the account ends, this one too.
pub async fn end_sessions(State(s): State<AppState>, session: Session, _form: Form) -> PageResult {
    s.app.sign_out_everywhere(&session.caller).await?;
    let mut resp = see_other("/login");
    let headers = resp.headers_mut();
    headers.append(SET_COOKIE, session.clear_session_cookie());
    headers.append(SET_COOKIE, session.fresh_csrf_cookie());
    Ok(resp)
}
