//! Accounts over the API (issue #19): the session (sign in with a password, sign out, sign out
//! everywhere), one's own account and API tokens, self-registration and its review, and the
//! administrator's accounts.

use crate::client::Client;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery, Auth};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use duijie_app::{
    AccountForm, AccountPatch, Action, Registration, RegistrationForm, RegistrationStatus,
};
use duijie_core::{DomainError, User};
use serde::Deserialize;
use serde_json::{json, Value};

/// An account as its owner and the administrator see it (e-mail and phone are personal data).
pub fn account_json(u: &User) -> Value {
    json!({
        "id": u.id,
        "name": u.name,
        "role": u.role.as_str(),
        "role_label": u.role.label(),
        "organization_id": u.org_id,
        "email": u.email,
        "phone": u.phone,
        "disabled": u.revoked,
        "created_at": u.created_at,
    })
}

/// A registration as the bureau sees it.
pub fn registration_json(r: &Registration) -> Value {
    json!({
        "id": r.id,
        "kind": r.kind.as_str(),
        "org_name": r.org_name,
        "credit_code": r.credit_code,
        "contact_name": r.contact_name,
        "phone": r.phone,
        "email": r.email,
        "status": r.status.as_str(),
        "reason": r.reason,
        "user_id": r.user_id,
        "created_at": r.created_at,
        "decided_at": r.decided_at,
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SignInBody {
    account: String,
    password: String,
}

/// Signs in: a new session (a new id every time), its cookies, the account and the CSRF
/// token that cookie-authenticated writes carry in `X-CSRF-Token`.
pub async fn sign_in(
    State(s): State<AppState>,
    Extension(client): Extension<Client>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<SignInBody>,
) -> Response {
    match s
        .app
        .sign_in(&s.throttle, &body.account, &body.password, client.ip)
        .await
    {
        Ok(signed) => {
            // The session the browser held before (if any) ends: nothing carries over.
            if let Some(old) = crate::pages::session_cookie_of(&headers) {
                if let Err(e) = s.app.sign_out(old).await {
                    tracing::warn!(code = e.code.as_str(), "previous session not ended");
                }
            }
            let body = json!({ "account": account_json(&signed.user), "csrf_token": signed.csrf });
            let mut resp = Json(body).into_response();
            for c in crate::pages::signed_in_cookies(
                &signed,
                s.config.sign_in.session_ttl,
                client.forwarded_https,
            ) {
                resp.headers_mut().append(SET_COOKIE, c);
            }
            resp
        }
        Err(refusal) => {
            let mut resp = ApiError(refusal.error).into_response();
            if let Some(wait) = refusal.retry_after {
                let secs = wait.as_secs_f64().ceil().max(1.0) as u64;
                crate::limits::set_retry_after(&mut resp, secs);
            }
            resp
        }
    }
}

/// The signed-in account.
pub async fn current(Auth(caller): Auth) -> ApiResult<Json<Value>> {
    let user = caller.require(Action::UseAccount)?;
    Ok(Json(json!({ "account": account_json(user) })))
}

/// Signs out of this session (the cookie's); a bearer caller has no session to end.
pub async fn sign_out(
    State(s): State<AppState>,
    Extension(client): Extension<Client>,
    headers: HeaderMap,
    Auth(caller): Auth,
) -> ApiResult<Response> {
    caller.require(Action::UseAccount)?;
    if let Some(sid) = crate::pages::session_cookie_of(&headers) {
        s.app.sign_out(sid).await?;
    }
    let mut resp = StatusCode::NO_CONTENT.into_response();
    resp.headers_mut().append(
        SET_COOKIE,
        crate::pages::clear_session_cookie(client.forwarded_https),
    );
    Ok(resp)
}

/// Ends every session of the caller's account (退出所有设备).
pub async fn sign_out_everywhere(
    State(s): State<AppState>,
    Auth(caller): Auth,
) -> ApiResult<Json<Value>> {
    let ended = s.app.sign_out_everywhere(&caller).await?;
    Ok(Json(json!({ "ended": ended })))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ContactBody {
    email: String,
    phone: String,
}

pub async fn update_me(
    State(s): State<AppState>,
    Auth(caller): Auth,
    ApiJson(body): ApiJson<ContactBody>,
) -> ApiResult<Json<Value>> {
    let user = s
        .app
        .set_my_contact(&caller, &body.email, &body.phone)
        .await?;
    Ok(Json(json!({ "account": account_json(&user) })))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PasswordBody {
    old_password: String,
    new_password: String,
}

/// Changes the caller's password; every other session ends.
pub async fn change_password(
    State(s): State<AppState>,
    headers: HeaderMap,
    Auth(caller): Auth,
    ApiJson(body): ApiJson<PasswordBody>,
) -> ApiResult<StatusCode> {
    let keep = crate::pages::session_cookie_of(&headers);
    s.app
        .change_password(&caller, keep, &body.old_password, &body.new_password)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn my_tokens(State(s): State<AppState>, Auth(caller): Auth) -> ApiResult<Json<Value>> {
    let items = s.app.my_tokens(&caller).await?;
    Ok(Json(json!({ "items": items })))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TokenBody {
    label: String,
}

/// A new API token, shown in this answer only.
pub async fn create_token(
    State(s): State<AppState>,
    Auth(caller): Auth,
    ApiJson(body): ApiJson<TokenBody>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let (record, token) = s.app.create_my_token(&caller, &body.label).await?;
    Ok((
        StatusCode::CREATED,
        Json(
            json!({ "id": record.id, "label": record.label, "created_at": record.created_at, "token": token }),
        ),
    ))
}

pub async fn revoke_token(
    State(s): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    s.app.revoke_my_token(&caller, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A self-registration (anyone): pending until the bureau decides.
pub async fn register(
    State(s): State<AppState>,
    ApiJson(form): ApiJson<RegistrationForm>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let r = s.app.register(&form).await?;
    Ok((
        StatusCode::CREATED,
        Json(
            json!({ "id": r.id, "status": r.status.as_str(), "message": "注册申请已提交，等待科技局审核" }),
        ),
    ))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RegistrationQuery {
    status: Option<String>,
}

pub async fn registrations(
    State(s): State<AppState>,
    Auth(caller): Auth,
    ApiQuery(q): ApiQuery<RegistrationQuery>,
) -> ApiResult<Json<Value>> {
    let status = match q.status.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
        None => None,
        Some(v) => Some(RegistrationStatus::parse(v).ok_or_else(|| {
            DomainError::invalid("status", "status 须为 pending、approved 或 rejected")
        })?),
    };
    let items: Vec<Value> = s
        .app
        .registrations(&caller, status)
        .await?
        .iter()
        .map(registration_json)
        .collect();
    Ok(Json(json!({ "items": items })))
}

pub async fn approve(
    State(s): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let (r, user) = s.app.approve_registration(&caller, &id).await?;
    Ok(Json(
        json!({ "registration": registration_json(&r), "account": account_json(&user) }),
    ))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RejectBody {
    reason: String,
}

pub async fn reject(
    State(s): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<RejectBody>,
) -> ApiResult<Json<Value>> {
    let r = s
        .app
        .reject_registration(&caller, &id, &body.reason)
        .await?;
    Ok(Json(json!({ "registration": registration_json(&r) })))
}

pub async fn users(State(s): State<AppState>, Auth(caller): Auth) -> ApiResult<Json<Value>> {
    let items: Vec<Value> = s
        .app
        .accounts(&caller)
        .await?
        .iter()
        .map(account_json)
        .collect();
    Ok(Json(json!({ "items": items })))
}

pub async fn create_user(
    State(s): State<AppState>,
    Auth(caller): Auth,
    ApiJson(form): ApiJson<AccountForm>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let user = s.app.create_account(&caller, &form).await?;
    Ok((StatusCode::CREATED, Json(account_json(&user))))
}

pub async fn update_user(
    State(s): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
    ApiJson(patch): ApiJson<AccountPatch>,
) -> ApiResult<Json<Value>> {
    let user = s.app.update_account(&caller, &id, &patch).await?;
    Ok(Json(account_json(&user)))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ResetBody {
    password: String,
}

/// Sets a new password for an account (administrator); its sessions end.
pub async fn reset_password(
    State(s): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ResetBody>,
) -> ApiResult<StatusCode> {
    s.app.reset_password(&caller, &id, &body.password).await?;
    Ok(StatusCode::NO_CONTENT)
}
