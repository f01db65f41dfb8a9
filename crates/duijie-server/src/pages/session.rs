//! Who is looking at a page. The session cookie holds the random id of a server-side session
//! (HttpOnly, SameSite=Lax; only its hash is stored, see `duijie_app::accounts`). Forms carry a
//! CSRF token: for a signed-in visitor it is derived from the session id, so a `dj_csrf` cookie
//! planted by another site does not match it and a signed-out session's token dies with it;
//! before sign-in a random token in a second cookie is sent back by the form (double submit).

use super::render::{failure_page, PageError};
use crate::AppState;
use axum::extract::{FromRequest, FromRequestParts, Path, Request, State};
use axum::http::header::{COOKIE, RETRY_AFTER, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use duijie_app::Caller;
use duijie_core::{DomainError, ErrorCode};
use rand::RngCore;

pub const SESSION_COOKIE: &str = "dj_session";
pub const CSRF_COOKIE: &str = "dj_csrf";
/// The form field carrying the CSRF token.
pub const CSRF_FIELD: &str = "csrf";

/// The caller of a page and what its forms need.
#[derive(Debug, Clone)]
pub struct Session {
    pub caller: Caller,
    /// The CSRF token forms carry.
    pub csrf: String,
    /// Whether the token can vouch for a POST: derived from the session, or (before sign-in)
    /// sent back in the CSRF cookie (a fresh token cannot).
    csrf_from_cookie: bool,
    /// The id of the visitor's session (from the cookie), when it is live.
    pub session_id: Option<String>,
    /// Path and query of this request, for the way back after signing in.
    pub here: String,
    /// Cookies get `Secure` when the request came over HTTPS (through a proxy).
    pub secure: bool,
    /// A confirmation after a redirect (`?done=...`), from a fixed list.
    pub notice: Option<&'static str>,
    /// The signed-in caller's unread notifications, for the header.
    pub unread: Option<i64>,
}

impl Session {
    /// Refuses a form whose token does not match the cookie.
    pub fn check_csrf(&self, sent: Option<&str>) -> Result<(), PageError> {
        match sent {
            Some(sent) if self.csrf_from_cookie && same(sent.as_bytes(), self.csrf.as_bytes()) => {
                Ok(())
            }
            _ => Err(PageError(DomainError::new(
                ErrorCode::Forbidden,
                "表单已失效或来源不明，请刷新页面后重试",
            ))),
        }
    }

    pub fn clear_session_cookie(&self) -> HeaderValue {
        clear_session_cookie(self.secure)
    }

    /// A new CSRF cookie (on sign-out, so a token never outlives a session).
    pub fn fresh_csrf_cookie(&self) -> HeaderValue {
        cookie_value(CSRF_COOKIE, &random_token(), "Strict", None, self.secure)
    }
}

/// The cookies of a new session: its id, and its CSRF token for forms.
pub(crate) fn signed_in_cookies(
    signed: &duijie_app::SignedIn,
    max_age: std::time::Duration,
    secure: bool,
) -> [HeaderValue; 2] {
    let age = u32::try_from(max_age.as_secs()).unwrap_or(u32::MAX);
    [
        cookie_value(SESSION_COOKIE, &signed.session_id, "Lax", Some(age), secure),
        cookie_value(CSRF_COOKIE, &signed.csrf, "Strict", None, secure),
    ]
}

pub(crate) fn clear_session_cookie(secure: bool) -> HeaderValue {
    cookie_value(SESSION_COOKIE, "", "Lax", Some(0), secure)
}

/// Compares without stopping at the first difference.
pub(crate) fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

pub(crate) fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// The session id a request's cookie carries, if it looks like one.
pub(crate) fn session_cookie_of(headers: &HeaderMap) -> Option<&str> {
    cookie(headers, SESSION_COOKIE).filter(|t| cookie_safe(t))
}

/// Tokens are ASCII letters, digits, `_` and `-`: safe as cookie values without quoting.
pub fn cookie_safe(token: &str) -> bool {
    !token.is_empty()
        && token.len() <= 200
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

fn cookie_value(
    name: &str,
    value: &str,
    same_site: &str,
    max_age: Option<u32>,
    secure: bool,
) -> HeaderValue {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite={same_site}");
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={age}"));
    }
    if secure {
        c.push_str("; Secure");
    }
    // Names are constants and values pass `cookie_safe` (or are hex), so this always holds.
    HeaderValue::from_str(&c).unwrap_or_else(|_| HeaderValue::from_static("dj_invalid=; Max-Age=0"))
}

/// The value of one cookie of the request.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim())
}

fn notice(query: Option<&str>) -> Option<&'static str> {
    let done = query?.split('&').find_map(|kv| kv.strip_prefix("done="))?;
    Some(match done {
        "created" => "需求已保存为草稿。确认无误后请点击“提交审核”。",
        "saved" => "修改已保存。",
        "submitted" => "需求已提交，等待科技局审核。",
        "withdrawn" => "需求已撤回。",
        "reopened" => "需求已重新打开为草稿，修改后可再次提交审核。",
        "deleted" => "草稿已删除。",
        "approve" => "审核通过。",
        "request_changes" => "已退回企业修改。",
        "reject" => "已标记为不予通过。",
        "imported" => "导入完成，报告如下。",
        "signed_in" => "登录成功。",
        "password" => "密码已修改，其他设备上的登录已退出。",
        "contact" => "联系方式已保存。",
        "revoked" => "令牌已撤销。",
        "registered" => "注册申请已提交，科技局审核通过后即可用手机号或电子邮箱登录。",
        "approved" => "已通过注册申请，账号已开通。",
        "rejected" => "已驳回注册申请。",
        "account_saved" => "账号已更新。",
        "account_created" => "账号已创建。",
        "password_reset" => "密码已重置，该账号的登录已全部退出。",
        _ => return None,
    })
}

/// Middleware of every page: finds the caller, keeps the CSRF cookie, and turns a failed
/// handler ([`PageError`]) into an error page (or the sign-in page for anonymous readers).
pub async fn layer(State(s): State<AppState>, mut req: Request, next: Next) -> Response {
    let headers = req.headers();
    let secure = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("https"));
    let sid = cookie(headers, SESSION_COOKIE)
        .filter(|t| cookie_safe(t))
        .map(str::to_string);
    let (caller, stale_session) = match &sid {
        None => (Caller::Anonymous, false),
        Some(sid) => match s.app.session_caller(sid).await {
            Ok(Caller::Anonymous) => (Caller::Anonymous, true),
            Ok(caller) => (caller, false),
            Err(e) => (Caller::Anonymous, {
                tracing::warn!(code = e.code.as_str(), "page authentication failed");
                false
            }),
        },
    };
    let unread = match caller.user() {
        Some(_) => s.app.unread_notifications(&caller).await.ok(),
        None => None,
    };
    let sent_csrf = cookie(headers, CSRF_COOKIE)
        .filter(|t| cookie_safe(t))
        .map(str::to_string);
    let live = sid.filter(|_| caller.user().is_some());
    // Signed in, the token is the session's (never the cookie's); before, the cookie's.
    let (csrf, csrf_from_cookie) = match &live {
        Some(sid) => (duijie_app::session_csrf(sid), true),
        None => match sent_csrf.clone() {
            Some(c) => (c, true),
            None => (random_token(), false),
        },
    };
    let csrf_cookie_current = sent_csrf.as_deref() == Some(csrf.as_str());
    let session = Session {
        caller,
        csrf,
        csrf_from_cookie,
        session_id: live,
        here: req
            .uri()
            .path_and_query()
            .map_or_else(|| "/".to_string(), |p| p.as_str().to_string()),
        secure,
        notice: notice(req.uri().query()),
        unread,
    };
    let is_get = req.method() == Method::GET;
    req.extensions_mut().insert(session.clone());

    let mut resp = next.run(req).await;
    if let Some(failure) = resp.extensions_mut().remove::<PageError>() {
        // A rate limit's wait outlives the page that replaces the bare response.
        let retry_after = resp.headers().get(RETRY_AFTER).cloned();
        resp = failure_page(&session, failure.0, is_get);
        if let Some(v) = retry_after {
            resp.headers_mut().insert(RETRY_AFTER, v);
        }
    }
    if !csrf_cookie_current && !sets_cookie(&resp, CSRF_COOKIE) {
        let c = cookie_value(CSRF_COOKIE, &session.csrf, "Strict", None, secure);
        resp.headers_mut().append(SET_COOKIE, c);
    }
    if stale_session && !sets_cookie(&resp, SESSION_COOKIE) {
        resp.headers_mut()
            .append(SET_COOKIE, session.clear_session_cookie());
    }
    resp
}

/// Whether the handler's answer already sets the cookie `name` (the layer then leaves it be).
fn sets_cookie(resp: &Response, name: &str) -> bool {
    resp.headers()
        .get_all(SET_COOKIE)
        .iter()
        .any(|v| v.as_bytes().starts_with(name.as_bytes()))
}

impl FromRequestParts<AppState> for Session {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, PageError> {
        parts
            .extensions
            .get::<Session>()
            .cloned()
            .ok_or_else(|| PageError::internal("session layer missing"))
    }
}

/// What a handler about one record (`…/{id}…`) starts from: the service, the caller's session
/// and the record's id.
pub struct ById {
    pub s: AppState,
    pub session: Session,
    pub id: String,
}

impl FromRequestParts<AppState> for ById {
    /// The session's and the path's own rejections, answered as they would be alone.
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let session = Session::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let Path(id) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        Ok(ById {
            s: state.clone(),
            session,
            id,
        })
    }
}

/// A url-encoded form whose CSRF token has been checked. Keeps repeated fields (checkboxes).
#[derive(Debug)]
pub struct Form(Vec<(String, String)>);

impl Form {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The field's value, or empty.
    pub fn text(&self, name: &str) -> String {
        self.get(name).unwrap_or_default().to_string()
    }

    /// The version of the record the form was rendered with (hidden field `version`), for
    /// the write to hold only if nobody else wrote since.
    pub fn version(&self) -> Option<i64> {
        self.get("version").and_then(|v| v.trim().parse().ok())
    }

    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }
}

impl FromRequest<AppState> for Form {
    type Rejection = PageError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, PageError> {
        let session = req
            .extensions()
            .get::<Session>()
            .cloned()
            .ok_or_else(|| PageError::internal("session layer missing"))?;
        let axum::Form(fields) = axum::Form::<Vec<(String, String)>>::from_request(req, state)
            .await
            .map_err(|r| {
                PageError(DomainError::new(
                    ErrorCode::InvalidInput,
                    format!("表单内容无法读取: {}", r.body_text()),
                ))
            })?;
        let form = Form(fields);
        session.check_csrf(form.get(CSRF_FIELD))?;
        Ok(form)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_found_by_name() {
        let mut h = HeaderMap::new();
        h.append(COOKIE, HeaderValue::from_static("a=1; dj_session=dj_abc"));
        h.append(COOKIE, HeaderValue::from_static("dj_csrf=ff00"));
        assert_eq!(cookie(&h, SESSION_COOKIE), Some("dj_abc"));
        assert_eq!(cookie(&h, CSRF_COOKIE), Some("ff00"));
        assert_eq!(cookie(&h, "b"), None);
    }

    #[test]
    fn only_plain_tokens_become_cookies() {
        assert!(cookie_safe("dj_0123abcdef"));
        assert!(!cookie_safe(""));
        assert!(!cookie_safe("a;b"));
        assert!(!cookie_safe("令牌"));
        assert!(!cookie_safe("a b"));
    }

    #[test]
    fn tokens_compare_in_full() {
        assert!(same(b"abc", b"abc"));
        assert!(!same(b"abc", b"abd"));
        assert!(!same(b"abc", b"ab"));
    }

    #[test]
    fn notices_come_from_a_fixed_list() {
        assert!(notice(Some("done=submitted")).is_some());
        assert!(notice(Some("q=x&done=%3Cscript%3E")).is_none());
        assert!(notice(None).is_none());
    }
}
