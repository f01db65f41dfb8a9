//! Accounts over the API (issue #19): the session (sign in with a password, sign out, sign out
//! everywhere), one's own account and API tokens, self-registration and its review, and the
//! administrator's accounts.

use crate::client::Client;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery, Auth};
use crate::views::{
    AccountAnswer, AccountJson, DecisionJson, EndedJson, Items, NewTokenJson, RegistrationJson,
    RegistrationReceipt, SignedInJson, TokenJson,
};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use duijie_app::{AccountForm, AccountPatch, Action, RegistrationForm, RegistrationStatus};
use duijie_core::DomainError;
use serde::Deserialize;

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
            let body = SignedInJson {
                account: signed.user.clone().into(),
                csrf_token: signed.csrf.clone(),
            };
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
pub async fn current(Auth(caller): Auth) -> ApiResult<Json<AccountAnswer>> {
    let user = caller.require(Action::UseAccount)?;
    Ok(Json(user.clone().into()))
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
) -> ApiResult<Json<EndedJson>> {
    let ended = s.app.sign_out_everywhere(&caller).await?;
    Ok(Json(EndedJson { ended }))
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
) -> ApiResult<Json<AccountAnswer>> {
    let user = s
        .app
        .set_my_contact(&caller, &body.email, &body.phone)
        .await?;
    Ok(Json(user.into()))
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

pub async fn my_tokens(
    State(s): State<AppState>,
    Auth(caller): Auth,
) -> ApiResult<Json<Items<TokenJson>>> {
    Ok(Json(Items::of(s.app.my_tokens(&caller).await?)))
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
) -> ApiResult<(StatusCode, Json<NewTokenJson>)> {
    let (record, token) = s.app.create_my_token(&caller, &body.label).await?;
    Ok((
        StatusCode::CREATED,
        Json(NewTokenJson {
            record: record.into(),
            token,
        }),
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
) -> ApiResult<(StatusCode, Json<RegistrationReceipt>)> {
    let r = s.app.register(&form).await?;
    Ok((
        StatusCode::CREATED,
        Json(RegistrationReceipt {
            id: r.id,
            status: r.status.as_str(),
            message: "注册申请已提交，等待科技局审核",
        }),
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
) -> ApiResult<Json<Items<RegistrationJson>>> {
    let status = match q.status.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
        None => None,
        Some(v) => Some(RegistrationStatus::parse(v).ok_or_else(|| {
            DomainError::invalid("status", "status 须为 pending、approved 或 rejected")
        })?),
    };
    Ok(Json(Items::of(s.app.registrations(&caller, status).await?)))
}

pub async fn approve(
    State(s): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<DecisionJson>> {
    let (r, user) = s.app.approve_registration(&caller, &id).await?;
    Ok(Json(DecisionJson {
        registration: r.into(),
        account: Some(user.into()),
    }))
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
) -> ApiResult<Json<DecisionJson>> {
    let r = s
        .app
        .reject_registration(&caller, &id, &body.reason)
        .await?;
    Ok(Json(DecisionJson {
        registration: r.into(),
        account: None,
    }))
}

pub async fn users(
    State(s): State<AppState>,
    Auth(caller): Auth,
) -> ApiResult<Json<Items<AccountJson>>> {
    Ok(Json(Items::of(s.app.accounts(&caller).await?)))
}

pub async fn create_user(
    State(s): State<AppState>,
    Auth(caller): Auth,
    ApiJson(form): ApiJson<AccountForm>,
) -> ApiResult<(StatusCode, Json<AccountJson>)> {
    let user = s.app.create_account(&caller, &form).await?;
    Ok((StatusCode::CREATED, Json(user.into())))
}

pub async fn update_user(
    State(s): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
    ApiJson(patch): ApiJson<AccountPatch>,
) -> ApiResult<Json<AccountJson>> {
    let user = s.app.update_account(&caller, &id, &patch).await?;
    Ok(Json(user.into()))
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
