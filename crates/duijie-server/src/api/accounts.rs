//! Accounts over the API (issue #19): the session (sign in with a password, sign out, sign out
//! everywhere), one's own account and API tokens, self-registration and its review, and the
//! administrator's accounts.

use super::errors;
use super::params::IdempotencyKey;
use super::Call;
use super::{created, Created};
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
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct SignInBody {
    account: String,
    password: String,
}

/// Signs in: a new session (a new id every time), its cookies, the account and the CSRF
/// token that cookie-authenticated writes carry in `X-CSRF-Token`.
#[utoipa::path(
    post,
    path = "/api/v1/session",
    tag = "accounts",
    summary = "Sign in with an account name (phone, e-mail or account name) and password: sets the HttpOnly session cookie and returns the account and the session's csrf_token; throttled per account and address (429 with Retry-After during a lock-out); a pending or rejected registration gets 403 saying why",
    description = "Who: anyone.",
    request_body = SignInBody,
    responses(
        (status = 200, description = "success", body = SignedInJson),
        (status = 400, response = errors::Error),
        (status = 401, response = errors::Error),
        (status = 403, response = errors::Error),
        (status = 429, response = errors::Error)
    ),
    security(())
)]
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
#[utoipa::path(
    get,
    path = "/api/v1/session",
    tag = "accounts",
    summary = "The signed-in account",
    description = crate::api::openapi::WHO_SIGNED_IN,
    responses(
        (status = 200, description = "success", body = AccountAnswer),
        errors::Credentials
    )
)]
pub async fn current(Auth(caller): Auth) -> ApiResult<Json<AccountAnswer>> {
    let user = caller.require(Action::UseAccount)?;
    Ok(Json(user.clone().into()))
}

/// The signed-in account, as `GET /me` (the same answer as `GET /session`).
#[utoipa::path(
    get,
    path = "/api/v1/me",
    tag = "accounts",
    summary = "My account (with my e-mail and phone)",
    description = crate::api::openapi::WHO_SIGNED_IN,
    responses(
        (status = 200, description = "success", body = AccountAnswer),
        errors::Credentials
    )
)]
pub async fn me(auth: Auth) -> ApiResult<Json<AccountAnswer>> {
    current(auth).await
}

/// Signs out of this session (the cookie's); a bearer caller has no session to end.
#[utoipa::path(
    delete,
    path = "/api/v1/session",
    tag = "accounts",
    summary = "Sign out: this session (the cookie's) ends at once",
    description = crate::api::openapi::WHO_SIGNED_IN,
    responses(
        (status = 204, description = "done"),
        errors::Restricted
    )
)]
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
#[utoipa::path(
    delete,
    path = "/api/v1/sessions",
    tag = "accounts",
    summary = "Sign out everywhere (退出所有设备): every session of the account ends; API tokens stay",
    description = crate::api::openapi::WHO_SIGNED_IN,
    responses(
        (status = 200, description = "success", body = EndedJson),
        errors::Restricted
    )
)]
pub async fn sign_out_everywhere(Call(s, caller): Call) -> ApiResult<Json<EndedJson>> {
    let ended = s.app.sign_out_everywhere(&caller).await?;
    Ok(Json(EndedJson { ended }))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct ContactBody {
    email: String,
    phone: String,
}

#[utoipa::path(
    patch,
    path = "/api/v1/me",
    tag = "accounts",
    summary = "Set my e-mail and phone (empty clears); each is a sign-in name of one account",
    description = crate::api::openapi::WHO_SIGNED_IN,
    request_body = ContactBody,
    responses(
        (status = 200, description = "success", body = AccountAnswer),
        errors::RestrictedInput
    )
)]
pub async fn update_me(
    Call(s, caller): Call,
    ApiJson(body): ApiJson<ContactBody>,
) -> ApiResult<Json<AccountAnswer>> {
    let user = s
        .app
        .set_my_contact(&caller, &body.email, &body.phone)
        .await?;
    Ok(Json(user.into()))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct PasswordBody {
    old_password: String,
    new_password: String,
}

/// Changes the caller's password; every other session ends.
#[utoipa::path(
    post,
    path = "/api/v1/me/password",
    tag = "accounts",
    summary = "Change my password (the old one required); my other sessions end",
    description = crate::api::openapi::WHO_SIGNED_IN,
    request_body = PasswordBody,
    responses(
        (status = 204, description = "done"),
        errors::RestrictedInput
    )
)]
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

#[utoipa::path(
    get,
    path = "/api/v1/me/tokens",
    tag = "accounts",
    summary = "My API tokens (never the tokens themselves)",
    description = crate::api::openapi::WHO_SIGNED_IN,
    responses(
        (status = 200, description = "success", body = Items<TokenJson>),
        errors::Credentials
    )
)]
pub async fn my_tokens(Call(s, caller): Call) -> ApiResult<Json<Items<TokenJson>>> {
    Ok(Json(Items::of(s.app.my_tokens(&caller).await?)))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct TokenBody {
    label: String,
}

/// A new API token, shown in this answer only.
#[utoipa::path(
    post,
    path = "/api/v1/me/tokens",
    tag = "accounts",
    summary = "Create an API token: the token is in this answer only",
    description = crate::api::openapi::WHO_SIGNED_IN,
    request_body = TokenBody,
    responses(
        (status = 201, description = "success", body = NewTokenJson),
        errors::Create
    )
)]
pub async fn create_token(
    Call(s, caller): Call,
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

#[utoipa::path(
    delete,
    path = "/api/v1/me/tokens/{id}",
    tag = "accounts",
    summary = "Revoke one of my API tokens",
    description = crate::api::openapi::WHO_SIGNED_IN,
    params(("id" = String, Path, description = "token id")),
    responses(
        (status = 204, description = "done"),
        errors::RestrictedRecord
    )
)]
pub async fn revoke_token(Call(s, caller): Call, Path(id): Path<String>) -> ApiResult<StatusCode> {
    s.app.revoke_my_token(&caller, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A self-registration (anyone): pending until the bureau decides.
#[utoipa::path(
    post,
    path = "/api/v1/registrations",
    tag = "accounts",
    summary = "Self-registration of an enterprise (统一社会信用代码 required, check digit verified) or an institution; pending until the bureau decides",
    description = "Who: anyone.",
    params(IdempotencyKey),
    request_body = RegistrationForm,
    responses(
        (status = 201, description = "success", body = RegistrationReceipt),
        (status = 400, response = errors::Error),
        (status = 409, response = errors::Error)
    ),
    security(())
)]
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

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct RegistrationQuery {
    /// `pending`, `approved` or `rejected`.
    status: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/v1/registrations",
    tag = "accounts",
    summary = "Registrations: with a status oldest first, else every one newest first",
    description = "Who: bureau/admin.",
    params(RegistrationQuery),
    responses(
        (status = 200, description = "success", body = Items<RegistrationJson>),
        errors::RestrictedInput
    )
)]
pub async fn registrations(
    Call(s, caller): Call,
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

#[utoipa::path(
    post,
    path = "/api/v1/registrations/{id}/approve",
    tag = "accounts",
    summary = "Approve a pending registration: its organisation is created (or the existing one of that name joined) and an active account made",
    description = "Who: bureau/admin.",
    params(("id" = String, Path, description = "registration id")),
    responses(
        (status = 200, description = "success", body = DecisionJson),
        errors::Write
    )
)]
pub async fn approve(
    Call(s, caller): Call,
    Path(id): Path<String>,
) -> ApiResult<Json<DecisionJson>> {
    let (r, user) = s.app.approve_registration(&caller, &id).await?;
    Ok(Json(DecisionJson {
        registration: r.into(),
        account: Some(user.into()),
    }))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct RejectBody {
    reason: String,
}

#[utoipa::path(
    post,
    path = "/api/v1/registrations/{id}/reject",
    tag = "accounts",
    summary = "Reject a pending registration with a reason the applicant is shown at sign-in",
    description = "Who: bureau/admin.",
    params(("id" = String, Path, description = "registration id")),
    request_body = RejectBody,
    responses(
        (status = 200, description = "success", body = DecisionJson),
        errors::Write
    )
)]
pub async fn reject(
    Call(s, caller): Call,
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

#[utoipa::path(
    get,
    path = "/api/v1/users",
    tag = "accounts",
    summary = "Every account",
    description = "Who: admin.",
    responses(
        (status = 200, description = "success", body = Items<AccountJson>),
        errors::Restricted
    )
)]
pub async fn users(Call(s, caller): Call) -> ApiResult<Json<Items<AccountJson>>> {
    Ok(Json(Items::of(s.app.accounts(&caller).await?)))
}

#[utoipa::path(
    post,
    path = "/api/v1/users",
    tag = "accounts",
    summary = "Create an account with an initial password",
    description = "Who: admin.",
    params(IdempotencyKey),
    request_body = AccountForm,
    responses(
        (status = 201, description = "success", body = AccountJson),
        errors::Write
    )
)]
pub async fn create_user(
    Call(s, caller): Call,
    ApiJson(form): ApiJson<AccountForm>,
) -> ApiResult<Created<AccountJson>> {
    created(s.app.create_account(&caller, &form).await?)
}

#[utoipa::path(
    patch,
    path = "/api/v1/users/{id}",
    tag = "accounts",
    summary = "Change an account's role (with `org` for enterprise and institution) or disable / enable it (its sessions end); not one's own",
    description = "Who: admin.",
    params(("id" = String, Path, description = "account id")),
    request_body = AccountPatch,
    responses(
        (status = 200, description = "success", body = AccountJson),
        errors::Write
    )
)]
pub async fn update_user(
    Call(s, caller): Call,
    Path(id): Path<String>,
    ApiJson(patch): ApiJson<AccountPatch>,
) -> ApiResult<Json<AccountJson>> {
    let user = s.app.update_account(&caller, &id, &patch).await?;
    Ok(Json(user.into()))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct ResetBody {
    password: String,
}

/// Sets a new password for an account (administrator); its sessions end.
#[utoipa::path(
    post,
    path = "/api/v1/users/{id}/password",
    tag = "accounts",
    summary = "Set a new password for an account; its sessions end",
    description = "Who: admin.",
    params(("id" = String, Path, description = "account id")),
    request_body = ResetBody,
    responses(
        (status = 204, description = "done"),
        errors::Write
    )
)]
pub async fn reset_password(
    Call(s, caller): Call,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ResetBody>,
) -> ApiResult<StatusCode> {
    s.app.reset_password(&caller, &id, &body.password).await?;
    Ok(StatusCode::NO_CONTENT)
}
