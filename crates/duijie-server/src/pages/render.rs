//! Templates (compiled into the binary, HTML-escaped by default), the frame every page shares
//! (role-aware navigation, CSRF token), error pages, and small formatting helpers.

use super::session::{Form, Session};
use crate::error::status_of;
use axum::http::header::LOCATION;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use chrono::{DateTime, Utc};
use duijie_app::{Action, Caller};
use duijie_core::{DomainError, ErrorCode, Field};
use minijinja::{context, Environment, Value};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::LazyLock;

/// `(name, source)` of each template, read from `templates/` at compile time (`include_str!`
/// takes only a literal path, hence a macro rather than a loop over the names).
macro_rules! bundled {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../../templates/", $name)))),*]
    };
}

const TEMPLATES: &[(&str, &str)] = bundled![
    "base.html",
    "macros.html",
    "home.html",
    "search.html",
    "demand.html",
    "conversation.html",
    "record.html",
    "demand_form.html",
    "demand_table.html",
    "recommended.html",
    "imports.html",
    "import_report.html",
    "login.html",
    "error.html",
    "withdraw.html",
    "review.html",
    "catalogues.html",
    "catalogue.html",
    "projects.html",
    "project.html",
    "secondments.html",
    "report.html",
    "instrument_form.html",
    "trends.html",
    "workspace.html",
    "record_form.html",
    "my_interests.html",
    "record_changes.html",
    "committees.html",
    "committee.html",
    "audit.html",
    "register.html",
    "me.html",
    "registrations.html",
    "accounts.html",
    "notifications.html",
    "notification_settings.html",
];

static ENV: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    // `.html` templates escape every value unless the template marks it `|safe`; only the
    // highlighted title and snippet from the index (escaped there) are marked so.
    for (name, source) in TEMPLATES {
        if let Err(e) = env.add_template(name, source) {
            tracing::error!(template = name, error = %e, "bundled template does not parse");
        }
    }
    env
});

/// A failed page handler. The session layer renders it with the caller's navigation.
#[derive(Debug, Clone)]
pub struct PageError(pub DomainError);

impl PageError {
    pub fn internal(context: &str) -> Self {
        tracing::error!(context, "page failed");
        PageError(DomainError::new(
            ErrorCode::Internal,
            "服务器内部错误，请稍后再试",
        ))
    }
}

impl From<DomainError> for PageError {
    fn from(e: DomainError) -> Self {
        PageError(e)
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let mut resp = status_of(self.0.code).into_response();
        resp.extensions_mut().insert(self);
        resp
    }
}

pub type PageResult = Result<Response, PageError>;

#[derive(Debug, Serialize)]
struct NavItem {
    href: &'static str,
    label: &'static str,
    key: &'static str,
}

fn nav(caller: &Caller) -> Vec<NavItem> {
    let item = |href, label, key| NavItem { href, label, key };
    let mut items = vec![
        item("/", "首页", "home"),
        item("/demands", "技术需求", "demands"),
        item("/achievements", "科技成果", "achievements"),
        item("/experts", "专家", "experts"),
        item("/catalogues", "需求目录", "catalogues"),
        item("/instruments", "仪器共享", "instruments"),
        item("/trends", "科技动态", "trends"),
    ];
    // The desks' entries, each shown to whoever may take the action its page needs.
    use Action::*;
    let desks = [
        ("/my/demands", "我的需求", "mine", SubmitDemand),
        ("/demands/new", "发布需求", "new", SubmitDemand),
        ("/recommended", "推荐需求", "recommended", UseWorkspace),
        (
            "/my/interests",
            "我的对接意向",
            "my_interests",
            UseWorkspace,
        ),
        ("/workspace", "本单位资料", "workspace", UseWorkspace),
        ("/review", "审核队列", "review", ReviewDemand),
        ("/imports", "目录导入", "imports", ImportCatalogue),
        ("/projects", "对接台账", "ledger", KeepLedger),
        ("/committees", "专家委员会", "committees", ManageCommittees),
        ("/audit", "审计日志", "audit", ReadAuditLog),
        (
            "/registrations",
            "注册审核",
            "registrations",
            ReviewRegistrations,
        ),
        ("/accounts", "账号管理", "accounts", ManageAccounts),
        (
            "/record-changes",
            "机构资料变更",
            "record_changes",
            ReadAuditLog,
        ),
    ];
    items.extend(
        desks
            .into_iter()
            .filter(|(.., action)| caller.may(*action))
            .map(|(href, label, key, _)| item(href, label, key)),
    );
    items
}

/// Renders `template` inside the shared frame; `active` names the navigation entry.
pub fn render(
    session: &Session,
    template: &str,
    active: &str,
    status: StatusCode,
    ctx: Value,
) -> Response {
    let me = session.caller.user().map(|u| {
        context! {
            name => u.name,
            role => u.role.as_str(),
            role_label => u.role.label(),
        }
    });
    let frame = context! {
        me => me,
        nav => nav(&session.caller),
        active => active,
        csrf => session.csrf,
        notice => session.notice,
        unread => session.unread,
        // A fresh key for a creating form: sending the same form twice makes one record.
        idempotency_key => super::session::random_token(),
    };
    let html = ENV
        .get_template(template)
        .and_then(|t| t.render(context! { ..ctx, ..frame }));
    match html {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(template, error = %e, "template failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                Html("<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\"><title>出错了</title><p>服务器内部错误，请稍后再试。</p></html>"),
            )
                .into_response()
        }
    }
}

/// [`render`] with `200 OK`, as a handler's answer.
pub fn ok_page(session: &Session, template: &str, active: &str, ctx: Value) -> PageResult {
    Ok(render(session, template, active, StatusCode::OK, ctx))
}

/// The page shown for a failed handler; anonymous readers asked to sign in go to `/login`.
pub fn failure_page(session: &Session, err: DomainError, is_get: bool) -> Response {
    if err.code == ErrorCode::Unauthenticated && is_get {
        let next =
            serde_urlencoded::to_string([("next", session.here.as_str())]).unwrap_or_default();
        return see_other(&format!("/login?{next}"));
    }
    let heading = match err.code {
        ErrorCode::NotFound => "页面不存在",
        ErrorCode::Forbidden => "无权访问",
        ErrorCode::Unauthenticated => "请先登录",
        ErrorCode::InvalidInput | ErrorCode::UnreadableFile => "请求有误",
        ErrorCode::Conflict => "操作无法完成",
        ErrorCode::PreconditionFailed => "已被他人修改",
        ErrorCode::TooLarge => "内容过大",
        ErrorCode::RateLimited => "请求过于频繁",
        ErrorCode::NotImplemented => "功能尚未开放",
        ErrorCode::Internal => "服务器出错了",
        ErrorCode::Unavailable => "服务器繁忙",
    };
    render(
        session,
        "error.html",
        "",
        status_of(err.code),
        context! { title => heading, heading => heading, message => err.message },
    )
}

/// The per-field errors and the banner of a failed form.
pub type Shown = (BTreeMap<String, String>, Option<String>);

/// Splits an error the user can fix (shown on the page, every field's problem beside its field)
/// from one that ends the request.
pub fn shown(e: DomainError) -> Result<Shown, PageError> {
    // A stale version is fixed by redoing the change on the newer record the page shows.
    if !matches!(
        e.code,
        ErrorCode::InvalidInput | ErrorCode::Conflict | ErrorCode::PreconditionFailed
    ) {
        return Err(e.into());
    }
    let mut errors = BTreeMap::new();
    if e.code == ErrorCode::InvalidInput && !e.fields.is_empty() {
        let n = e.fields.len();
        let mut general = Vec::new();
        for f in e.fields {
            if f.field.is_empty() {
                general.push(f.message);
            } else {
                errors.entry(f.field).or_insert(f.message);
            }
        }
        if n > 1 {
            general.insert(0, format!("有 {n} 处需要修改，已在下方标出"));
        }
        return Ok((errors, (!general.is_empty()).then(|| general.join("；"))));
    }
    Ok(match e.field {
        Some(f) if e.code == ErrorCode::InvalidInput => {
            errors.insert(f, e.message);
            (errors, None)
        }
        _ => (errors, Some(e.message)),
    })
}

/// Every problem of a form beside its field; one without a field beside `default`.
pub fn by_field(e: &DomainError, default: &str) -> BTreeMap<String, String> {
    let mut errors: BTreeMap<String, String> = e
        .fields
        .iter()
        .map(|f| (f.field.clone(), f.message.clone()))
        .collect();
    errors
        .entry(e.field.clone().unwrap_or_else(|| default.into()))
        .or_insert_with(|| e.message.clone());
    errors
}

/// The status a failed action calls for (`status_of`: 400 invalid input, 409 conflict, 412
/// stale version) and its problems as [`shown`]; `200` and none when nothing failed.
pub fn problems(failure: Option<DomainError>) -> Result<(StatusCode, Shown), PageError> {
    let Some(e) = failure else {
        return Ok((StatusCode::OK, (BTreeMap::new(), None)));
    };
    let status = status_of(e.code);
    Ok((status, shown(e)?))
}

/// A form as its page shows it: blank when first shown; after a failed submit, the values sent
/// (as `values` reads them back from the form), each problem beside its field or in the
/// banner, and the status the error calls for.
pub struct Refill {
    pub status: StatusCode,
    pub v: Value,
    pub errors: BTreeMap<String, String>,
    pub error: Option<String>,
}

pub fn refill(
    failure: Option<(&Form, DomainError)>,
    values: impl FnOnce(&Form) -> Value,
) -> Result<Refill, PageError> {
    let (form, e) = failure.unzip();
    let (status, (errors, error)) = problems(e)?;
    let v = form.map_or_else(|| Value::from(BTreeMap::<String, String>::new()), values);
    Ok(Refill {
        status,
        v,
        errors,
        error,
    })
}

impl Refill {
    /// Renders `template` with `ctx` and the form as `v`, `errors` and `error`.
    pub fn render(self, session: &Session, template: &str, active: &str, ctx: Value) -> PageResult {
        let form = context! { v => self.v, errors => self.errors, error => self.error };
        Ok(render(
            session,
            template,
            active,
            self.status,
            context! { ..ctx, ..form },
        ))
    }
}

/// The status and banner of a page that shows a failed action in one line above its content
/// (a field's problem when there is no general one).
pub fn banner(failure: Option<DomainError>) -> Result<(StatusCode, Option<String>), PageError> {
    let (status, (mut errors, general)) = problems(failure)?;
    Ok((
        status,
        general.or_else(|| errors.pop_first().map(|(_, m)| m)),
    ))
}

/// `303 See Other` to a path of this site.
pub fn see_other(location: &str) -> Response {
    let value = HeaderValue::from_str(location).unwrap_or_else(|_| HeaderValue::from_static("/"));
    let mut resp = StatusCode::SEE_OTHER.into_response();
    resp.headers_mut().insert(LOCATION, value);
    resp
}

/// A path to return to after signing in: only paths of this site.
pub fn local_path(next: &str) -> Option<&str> {
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && next.bytes().all(|b| b.is_ascii_graphic());
    ok.then_some(next)
}

/// China Standard Time, minutes.
pub fn datetime(t: DateTime<Utc>) -> String {
    duijie_core::time::china_local(t)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// The labels of every field of the taxonomy, for a form's choices.
pub fn field_labels() -> Vec<&'static str> {
    Field::ALL.iter().map(|f| f.label()).collect()
}

pub fn budget(budget_wan: Option<f64>, negotiable: bool) -> String {
    match budget_wan {
        _ if negotiable => "面议".to_string(),
        Some(b) if b.fract() == 0.0 => format!("{b:.0} 万元"),
        Some(b) => format!("{b} 万元"),
        None => "未填写".to_string(),
    }
}

/// A page number from the query string: 1 when it is missing, malformed or below 1.
pub fn page_number(text: &str) -> u32 {
    text.trim().parse().ok().filter(|p| *p >= 1).unwrap_or(1)
}

/// A query string from the non-empty pairs, with `?`.
pub fn query(pairs: &[(&str, &str)]) -> String {
    let kept: Vec<(&str, &str)> = pairs
        .iter()
        .copied()
        .filter(|(_, v)| !v.is_empty())
        .collect();
    match serde_urlencoded::to_string(&kept) {
        Ok(q) if !q.is_empty() => format!("?{q}"),
        _ => String::new(),
    }
}

#[derive(Debug, Serialize)]
pub struct Pager {
    prev: Option<String>,
    next: Option<String>,
    pages: Vec<PageLink>,
}

#[derive(Debug, Serialize)]
struct PageLink {
    number: u32,
    href: String,
    current: bool,
    gap: bool,
}

/// Links to the first, last and nearby pages; `href(n)` is the URL of page `n`.
pub fn pager(total: usize, page: u32, per_page: u32, href: impl Fn(u32) -> String) -> Pager {
    let last = (total.div_ceil(per_page.max(1) as usize)).max(1) as u32;
    let mut pages = Vec::new();
    let mut previous = 0;
    for n in 1..=last {
        if n == 1 || n == last || n.abs_diff(page) <= 2 {
            if n > previous + 1 {
                pages.push(PageLink {
                    number: 0,
                    href: String::new(),
                    current: false,
                    gap: true,
                });
            }
            pages.push(PageLink {
                number: n,
                href: href(n),
                current: n == page,
                gap: false,
            });
            previous = n;
        }
    }
    Pager {
        prev: (page > 1 && page <= last).then(|| href(page - 1)),
        next: (page < last).then(|| href(page + 1)),
        pages,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_parses() {
        for (name, _) in TEMPLATES {
            assert!(ENV.get_template(name).is_ok(), "{name}");
        }
    }

    /// The form macros write each field as the pages wrote it by hand: the refilled value, the
    /// box marked where the problem is, the problem beside its field, no value for a password.
    #[test]
    fn form_fields_render_with_their_value_and_problem() {
        let html = |source: &str| {
            let errors = context! { phone => "号码有误" };
            let ctx = context! { errors, v => context! { phone => "138" } };
            let source = format!("{{% import \"macros.html\" as m %}}{source}");
            // Named `.html` as the pages are, so that it escapes as they do.
            ENV.template_from_named_str("field.html", &source)
                .and_then(|t| t.render(ctx))
                .unwrap_or_else(|e| panic!("{e}"))
        };
        let phone =
            html(r#"{{ m.input(errors, "phone", "手机号", v.phone, type="tel", required=true) }}"#);
        assert!(phone.contains(r#"<div class="bad">"#), "{phone}");
        assert!(phone.contains(r#"<label for="phone">手机号<span class="req">*</span></label>"#));
        assert!(phone.contains(r#"<input type="tel" id="phone" name="phone" value="138">"#));
        assert!(phone.contains(r#"<div class="err" id="err-phone">号码有误</div>"#));
        let password = html(r#"{{ m.input(errors, "pw", "密码", type="password", full=true) }}"#);
        assert!(password.contains(r#"<div class="full">"#), "{password}");
        assert!(password.contains(r#"<input type="password" id="pw" name="pw">"#));
        let notes = html(r#"{{ m.input(errors, "notes", "备注", "<b>", type="textarea") }}"#);
        assert!(
            notes.contains(r#"<textarea id="notes" name="notes">&lt;b&gt;</textarea>"#),
            "{notes}"
        );
        let field = html(r#"{{ m.select(errors, "f", "领域", ["甲", "乙"], "乙", blank="无") }}"#);
        assert!(field.contains(r#"<option value="">无</option>"#), "{field}");
        assert!(field.contains(r#"<option value="乙" selected>乙</option>"#));
    }

    #[test]
    fn page_numbers_start_at_one_whatever_is_typed() {
        assert_eq!(page_number("3"), 3);
        assert_eq!(page_number(" 2 "), 2);
        for typed in ["", "0", "-1", "二", "1.5", "99999999999"] {
            assert_eq!(page_number(typed), 1, "{typed:?}");
        }
    }

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(local_path("/demands/1"), Some("/demands/1"));
        assert_eq!(local_path("//evil.example"), None);
        assert_eq!(local_path("https://evil.example"), None);
        assert_eq!(local_path("/\\evil"), None);
        assert_eq!(local_path("/a\nb"), None);
    }

    #[test]
    fn pager_elides_far_pages() {
        let p = pager(200, 5, 10, |n| format!("?page={n}"));
        let numbers: Vec<u32> = p.pages.iter().map(|l| l.number).collect();
        assert_eq!(numbers, vec![1, 0, 3, 4, 5, 6, 7, 0, 20]);
        assert_eq!(p.prev.as_deref(), Some("?page=4"));
        assert_eq!(p.next.as_deref(), Some("?page=6"));
        assert_eq!(pager(0, 1, 10, |n| n.to_string()).pages.len(), 1);
    }

    #[test]
    fn budgets_read_naturally() {
        assert_eq!(budget(Some(50.0), false), "50 万元");
        assert_eq!(budget(Some(2.5), false), "2.5 万元");
        assert_eq!(budget(None, true), "面议");
        assert_eq!(budget(None, false), "未填写");
    }

    #[test]
    fn queries_skip_empty_values() {
        assert_eq!(
            query(&[("q", "锂 电"), ("field", "")]),
            "?q=%E9%94%82+%E7%94%B5"
        );
        assert_eq!(query(&[("q", "")]), "");
    }
}
