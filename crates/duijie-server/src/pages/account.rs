//! Signing in with an API token (kept in an HttpOnly cookie) and signing out.

use super::public::Params;
use super::render::{local_path, render, see_other, PageResult};
use super::session::{cookie_safe, Form, Session};
use crate::AppState;
use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::StatusCode;
use duijie_app::Caller;
use duijie_core::{ErrorCode, Role};
use minijinja::context;
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
pub struct LoginQuery {
    #[serde(default)]
    next: String,
}

fn login_page(
    session: &Session,
    next: &str,
    error: Option<&str>,
    status: StatusCode,
) -> PageResult {
    let ctx = context! {
        title => "登录",
        next => local_path(next).unwrap_or(""),
        error,
    };
    Ok(render(session, "login.html", "login", status, ctx))
}

pub async fn form(session: Session, Params(q): Params<LoginQuery>) -> PageResult {
    login_page(&session, &q.next, None, StatusCode::OK)
}

/// Where each role starts.
fn home_of(role: Option<Role>) -> &'static str {
    match role {
        Some(Role::Enterprise) => "/my/demands",
        Some(Role::Institution) => "/recommended",
        Some(Role::Bureau | Role::Admin) => "/review",
        None => "/",
    }
}

pub async fn login(State(s): State<AppState>, session: Session, form: Form) -> PageResult {
    let token = form.text("token");
    let token = token.trim();
    let next = form.text("next");
    if token.is_empty() {
        return login_page(
            &session,
            &next,
            Some("请输入 API 令牌"),
            StatusCode::BAD_REQUEST,
        );
    }
    let refused = "令牌无效或已撤销，请检查后重试";
    if !cookie_safe(token) {
        return login_page(&session, &next, Some(refused), StatusCode::UNAUTHORIZED);
    }
    let caller = match s.app.authenticate(Some(token)).await {
        Ok(c @ Caller::User(_)) => c,
        Ok(Caller::Anonymous) => {
            return login_page(
                &session,
                &next,
                Some("请输入 API 令牌"),
                StatusCode::BAD_REQUEST,
            )
        }
        Err(e) if e.code == ErrorCode::Unauthenticated => {
            return login_page(&session, &next, Some(refused), StatusCode::UNAUTHORIZED)
        }
        Err(e) => return Err(e.into()),
    };
    let target = local_path(&next).unwrap_or_else(|| home_of(caller.role()));
    let mut resp = see_other(target);
    let headers = resp.headers_mut();
    headers.append(SET_COOKIE, session.session_cookie(token));
    headers.append(SET_COOKIE, session.fresh_csrf_cookie());
    Ok(resp)
}

pub async fn logout(session: Session, _form: Form) -> PageResult {
    let mut resp = see_other("/");
    let headers = resp.headers_mut();
    headers.append(SET_COOKIE, session.clear_session_cookie());
    headers.append(SET_COOKIE, session.fresh_csrf_cookie());
    Ok(resp)
}
