//! Demands in pages: the public list and a demand's page with its ranked partners, and the
//! lifecycle: the enterprise's form and list, submit and withdraw, the bureau's review queue
//! and decisions, and the institution's recommended demands.

use super::interests::CiteState;
use super::render::{
    datetime, field_labels, ok_page, page_number, pager, problems, query, render, see_other,
    PageError, PageResult, Pager,
};
use super::search::Params;
use super::session::{ById, Form, Session};
use super::view::{strengths, CandidateView, DemandView};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use duijie_app::{Action, DemandForm, ReviewDecision};
use duijie_core::error::FieldErrors;
use duijie_core::{CoopMode, Demand, DemandDraft, DemandStatus, DomainError, ErrorCode};
use minijinja::context;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Rows per page of the demand tables (the enterprise's own, the review queue).
const TABLE_ROWS: u32 = 20;
/// Partners of each kind shown on a demand's page.
const MATCHES_SHOWN: usize = 5;
const RECOMMENDED: usize = 20;

/// A form of the demand's page as the caller sent it (none by default: `200`, blank forms).
#[derive(Default)]
pub struct Sent {
    pub status: StatusCode,
    /// Each problem beside its field (or beside the form an interest's id names).
    pub errors: BTreeMap<String, String>,
    /// The review's or the decline's note as typed.
    pub note: String,
    /// The expression-of-interest form as the institution left it.
    pub cite: CiteState,
}

impl Sent {
    /// The form failed with `e`, shown beside `field`; `note` as it was typed.
    pub fn failed(field: &str, e: DomainError, note: &str) -> Sent {
        Sent {
            status: crate::error::status_of(e.code),
            errors: BTreeMap::from([(field.to_string(), e.message)]),
            note: note.to_string(),
            cite: CiteState::default(),
        }
    }
}

/// A demand with its ranked partners and interests, and the form the caller `sent` again.
pub async fn demand_page(s: &AppState, session: &Session, id: &str, sent: Sent) -> PageResult {
    let Sent {
        status,
        errors,
        note,
        cite,
    } = sent;
    let caller = &session.caller;
    let d = s.app.demand(caller, id).await?;
    let events = if caller.may(Action::SeeAnyDemand) || caller.owns(&d) {
        s.app.demand_history(caller, id).await?
    } else {
        Vec::new()
    };
    // Why the bureau returned or turned the demand down, as a banner above everything.
    let review_note = duijie_app::review_note_in(&events, d.status);
    let history = if !events.is_empty() {
        events
            .into_iter()
            .rev()
            .map(|e| {
                context! {
                    at => datetime(e.at),
                    actor => e.actor_name,
                    to_label => e.to_status.label(),
                    note => e.note,
                }
            })
            .collect()
    } else {
        Vec::new()
    };
    let (institutions, experts) = tokio::join!(
        s.app
            .match_demand(caller, id, Some("institution"), Some(MATCHES_SHOWN), None),
        s.app
            .match_demand(caller, id, Some("expert"), Some(MATCHES_SHOWN), None),
    );
    // (candidates, whether any reaches 部分相关)
    let candidates = |r: Result<duijie_app::MatchResponse, _>| -> (Vec<CandidateView>, bool) {
        match r {
            Ok(r) => (
                CandidateView::list(r.candidates),
                r.coverage != duijie_match::Coverage::None,
            ),
            Err(e) => {
                let e: duijie_core::DomainError = e;
                tracing::warn!(code = e.code.as_str(), "match for demand page failed");
                (Vec::new(), false)
            }
        }
    };
    let (institutions, institutions_covered) = candidates(institutions);
    let (experts, experts_covered) = candidates(experts);
    let interests = super::interests::section(s, caller, &d, &institutions, &cite).await;
    let attachments = super::messages::demand_section(s, caller, &d).await;
    // Values the reviewer should check before approving.
    let reviewing = caller.may(Action::ReviewDemand) && d.status == DemandStatus::Submitted;
    let doubts: Vec<String> = if reviewing {
        duijie_core::curation::doubts(&d.body, duijie_core::time::china_today())
            .into_iter()
            .map(|d| d.message)
            .collect()
    } else {
        Vec::new()
    };
    let view = DemandView::new(caller, d);
    let ctx = context! {
        title => view.demand.title.clone(),
        actions => &view.actions,
        d => &view,
        institutions,
        experts,
        // No candidate reaches 部分相关 at either level: say so instead of ranking noise.
        uncovered => !institutions_covered && !experts_covered,
        review_note,
        doubts,
        interests,
        attachments,
        match_note => "暂无匹配结果：成果库中还没有与该需求相关的记录。",
        history,
        errors,
        note,
    };
    Ok(render(session, "demand.html", "demands", status, ctx))
}

pub async fn demand(ById { s, session, id }: ById) -> PageResult {
    demand_page(&s, &session, &id, Sent::default()).await
}

/// The form as typed, to show it again next to its error.
#[derive(Debug, Default, Serialize)]
struct Values {
    enterprise: String,
    title: String,
    field: String,
    region: String,
    description: String,
    goals: String,
    modes: Vec<String>,
    budget_wan: String,
    budget_negotiable: bool,
    deadline: String,
    keywords: String,
    contact_name: String,
    contact_phone: String,
    contact_email: String,
}

impl Values {
    fn from_form(f: &Form) -> Values {
        Values {
            enterprise: f.text("enterprise"),
            title: f.text("title"),
            field: f.text("field"),
            region: f.text("region"),
            description: f.text("description"),
            goals: f.text("goals"),
            modes: f.all("modes"),
            budget_wan: f.text("budget_wan"),
            budget_negotiable: f.get("budget_negotiable").is_some(),
            deadline: f.text("deadline"),
            keywords: f.text("keywords"),
            contact_name: f.text("contact_name"),
            contact_phone: f.text("contact_phone"),
            contact_email: f.text("contact_email"),
        }
    }

    fn from_demand(d: &Demand) -> Values {
        let b = &d.body;
        Values {
            enterprise: d.org_name.clone(),
            title: b.title.clone(),
            field: b.field.map(|f| f.label().to_string()).unwrap_or_default(),
            region: b.region.clone().unwrap_or_default(),
            description: b.description.clone(),
            goals: b.goals.clone(),
            modes: b.modes.iter().map(|m| m.label().to_string()).collect(),
            budget_wan: b.budget_wan.map(|v| v.to_string()).unwrap_or_default(),
            budget_negotiable: b.budget_negotiable,
            deadline: b.deadline.map(|d| d.to_string()).unwrap_or_default(),
            keywords: b.keywords.join("、"),
            contact_name: b.contact.name.clone().unwrap_or_default(),
            contact_phone: b.contact.phone.clone().unwrap_or_default(),
            contact_email: b.contact.email.clone().unwrap_or_default(),
        }
    }

    /// What the app validates, or every problem of the form at once when the page's own
    /// parsing already failed. `with_enterprise`: the bureau names the enterprise on create.
    fn to_demand_form(&self, with_enterprise: bool) -> Result<DemandForm, DomainError> {
        let mut errs = FieldErrors::default();
        let budget_wan = match self.budget_wan.trim() {
            "" => None,
            _ if self.budget_negotiable => None,
            b => errs.check(b.parse::<f64>().map_err(|_| {
                DomainError::invalid(
                    "budget_wan",
                    "拟投入资金须为数字（单位万元），如 50；尚未确定请勾选“面议”",
                )
            })),
        };
        let keywords = self
            .keywords
            .split(|c: char| "；;、,，".contains(c) || c.is_whitespace())
            .map(str::to_string)
            .filter(|k| !k.is_empty())
            .collect();
        let form = DemandForm {
            title: Some(self.title.clone()),
            description: Some(self.description.clone()),
            goals: Some(self.goals.clone()),
            field: Some(self.field.clone()),
            modes: Some(self.modes.clone()),
            keywords: Some(keywords),
            budget_wan,
            budget_negotiable: Some(self.budget_negotiable),
            region: Some(self.region.clone()),
            deadline: Some(self.deadline.clone()),
            contact_name: Some(self.contact_name.clone()),
            contact_phone: Some(self.contact_phone.clone()),
            contact_email: Some(self.contact_email.clone()),
            enterprise: with_enterprise.then(|| self.enterprise.clone()),
        };
        if errs.has("budget_wan") {
            // Check the rest too, so that the page lists every problem in one go.
            if let Err(rest) = form.apply(&mut DemandDraft::default()) {
                errs.add(rest);
            }
        }
        errs.finish().map(|()| form)
    }
}

/// Where the form posts and what it shows around the fields.
struct FormPage<'a> {
    title: &'a str,
    action: String,
    back: Option<String>,
    show_enterprise: bool,
    /// The bureau's note when it returned the demand for changes.
    review_note: Option<String>,
    /// The version of the demand being edited, sent back with the form (none when creating).
    version: Option<i64>,
}

impl FormPage<'static> {
    /// The form of a new demand; the bureau (`curator`) names the enterprise it is for.
    fn new_demand(curator: bool) -> Self {
        FormPage {
            title: "发布技术需求",
            action: "/demands/new".into(),
            back: None,
            show_enterprise: curator,
            review_note: None,
            version: None,
        }
    }
}

/// Renders the demand form; a validation error goes next to its field, or above the form.
fn form_page(
    session: &Session,
    page: FormPage<'_>,
    values: &Values,
    error: Option<DomainError>,
) -> PageResult {
    let (status, (errors, general)) = problems(error)?;
    let modes: Vec<_> = CoopMode::ALL
        .iter()
        .map(|m| context! { label => m.label(), checked => values.modes.iter().any(|v| v == m.label()) })
        .collect();
    let fields = field_labels();
    let ctx = context! {
        title => page.title,
        action => page.action,
        back => page.back,
        show_enterprise => page.show_enterprise,
        review_note => page.review_note,
        version => page.version,
        v => values,
        errors,
        error => general,
        modes,
        fields,
    };
    Ok(render(session, "demand_form.html", "new", status, ctx))
}

pub async fn new_form(session: Session) -> PageResult {
    session.caller.require(Action::WriteDemand)?;
    let page = FormPage::new_demand(session.caller.may(Action::EditAnyDemand));
    form_page(&session, page, &Values::default(), None)
}

pub async fn create(State(s): State<AppState>, session: Session, form: Form) -> PageResult {
    session.caller.require(Action::WriteDemand)?;
    let values = Values::from_form(&form);
    let curator = session.caller.may(Action::EditAnyDemand);
    let result = match values.to_demand_form(curator) {
        Ok(f) => s.app.create_demand(&session.caller, &f).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(d) => Ok(see_other(&format!("/demands/{}?done=created", d.id))),
        Err(e) => form_page(&session, FormPage::new_demand(curator), &values, Some(e)),
    }
}

/// The edit form of `d`, posting back the `version` the editor started from.
async fn edit_page(
    s: &AppState,
    caller: &duijie_app::Caller,
    d: &Demand,
    version: Option<i64>,
) -> FormPage<'static> {
    let review_note = s.app.review_note(caller, d).await.unwrap_or_else(|e| {
        tracing::warn!(code = e.code.as_str(), "review note unreadable");
        None
    });
    FormPage {
        title: "修改技术需求",
        action: format!("/demands/{}/edit", d.id),
        back: Some(format!("/demands/{}", d.id)),
        show_enterprise: false,
        review_note,
        version,
    }
}

pub async fn edit_form(ById { s, session, id }: ById) -> PageResult {
    session.caller.require(Action::WriteDemand)?;
    let d = s.app.demand(&session.caller, &id).await?;
    if !(session.caller.owns(&d) || session.caller.may(Action::EditAnyDemand)) {
        return Err(PageError(DomainError::new(
            ErrorCode::Forbidden,
            "只有需求单位和科技局可以修改该需求",
        )));
    }
    let page = edit_page(&s, &session.caller, &d, Some(d.version)).await;
    form_page(&session, page, &Values::from_demand(&d), None)
}

pub async fn edit(ById { s, session, id }: ById, form: Form) -> PageResult {
    session.caller.require(Action::WriteDemand)?;
    let d = s.app.demand(&session.caller, &id).await?;
    let values = Values::from_form(&form);
    let version = form.version();
    let result = match values.to_demand_form(false) {
        Ok(f) => s.app.edit_demand(&session.caller, &d.id, &f, version).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(d) => Ok(see_other(&format!("/demands/{}?done=saved", d.id))),
        // Someone saved first: the form now shows their version, to redo the change on it.
        Err(e) if e.code == ErrorCode::PreconditionFailed => {
            let newer = s.app.demand(&session.caller, &id).await?;
            let page = edit_page(&s, &session.caller, &newer, Some(newer.version)).await;
            form_page(&session, page, &Values::from_demand(&newer), Some(e))
        }
        Err(e) => {
            let page = edit_page(&s, &session.caller, &d, version).await;
            form_page(&session, page, &values, Some(e))
        }
    }
}

pub async fn submit(ById { s, session, id }: ById, _form: Form) -> PageResult {
    let d = s.app.submit_demand(&session.caller, &id).await?;
    Ok(see_other(&format!("/demands/{}?done=submitted", d.id)))
}

/// Asks before withdrawing: what happens to the demand and to pending 揭榜, and the way back.
pub async fn withdraw_form(ById { s, session, id }: ById) -> PageResult {
    let d = s.app.demand(&session.caller, &id).await?;
    if !(session.caller.owns(&d) && d.status.can_move_to(DemandStatus::Withdrawn)) {
        return Err(PageError(DomainError::new(
            ErrorCode::Conflict,
            "只有需求单位可以撤回尚未对接的需求",
        )));
    }
    let pending = s
        .app
        .pending_interest_counts(&session.caller, std::slice::from_ref(&d))
        .await?
        .get(&d.id)
        .copied()
        .unwrap_or(0);
    let ctx = context! {
        title => "撤回需求",
        d => context! { id => d.id.clone(), title => d.body.title.clone() },
        pending,
    };
    ok_page(&session, "withdraw.html", "demands", ctx)
}

pub async fn delete(ById { s, session, id }: ById, _form: Form) -> PageResult {
    s.app.delete_demand(&session.caller, &id).await?;
    Ok(see_other("/my/demands?done=deleted"))
}

pub async fn reopen(ById { s, session, id }: ById, _form: Form) -> PageResult {
    let d = s.app.reopen_demand(&session.caller, &id).await?;
    Ok(see_other(&format!("/demands/{}?done=reopened", d.id)))
}

pub async fn withdraw(ById { s, session, id }: ById, form: Form) -> PageResult {
    let d = s
        .app
        .withdraw_demand(&session.caller, &id, &form.text("note"))
        .await?;
    Ok(see_other(&format!("/demands/{}?done=withdrawn", d.id)))
}

pub async fn review(ById { s, session, id }: ById, form: Form) -> PageResult {
    let mut note = form.text("note");
    let (decision, done) = match form.get("decision") {
        Some("approve") => (ReviewDecision::Approve, "approve"),
        Some("request_changes") => (ReviewDecision::RequestChanges, "request_changes"),
        Some("reject") => (ReviewDecision::Reject, "reject"),
        _ => {
            return Err(PageError(DomainError::invalid(
                "decision",
                "请选择审核结论",
            )))
        }
    };
    // The note box comes filled with what a return would ask for; approving with that
    // suggestion untouched sends no note (it would read as a condition of the approval).
    // (A textarea sends its line breaks as CRLF: compared without white space.)
    let bare = |t: &str| t.split_whitespace().collect::<String>();
    if decision == ReviewDecision::Approve && bare(&note) == bare(&form.text("suggested")) {
        note.clear();
    }
    match s
        .app
        .review_demand(&session.caller, &id, decision, &note, form.version())
        .await
    {
        Ok(d) => Ok(see_other(&format!(
            "/review{}",
            query(&[("done", done), ("last", &d.id)])
        ))),
        // Invalid, or edited since the page was shown: the page again (with the newer text).
        Err(e)
            if matches!(
                e.code,
                ErrorCode::InvalidInput | ErrorCode::PreconditionFailed
            ) =>
        {
            let field = e.field.clone().unwrap_or_else(|| "note".into());
            demand_page(&s, &session, &id, Sent::failed(&field, e, &note)).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    #[serde(default)]
    page: String,
}

impl PageQuery {
    fn page(&self) -> u32 {
        page_number(&self.page)
    }
}

/// Rows of the tables before page `page`.
fn skipped(page: u32) -> u32 {
    (page - 1).saturating_mul(TABLE_ROWS)
}

/// The pages of a table of `total` rows at `path`.
fn table_pager(path: &str, total: i64, page: u32) -> Pager {
    let total = usize::try_from(total).unwrap_or_default();
    pager(total, page, TABLE_ROWS, |n| {
        format!("{path}{}", query(&[("page", &n.to_string())]))
    })
}

struct Table {
    path: &'static str,
    title: &'static str,
    intro: &'static str,
    empty: &'static str,
    active: &'static str,
    show_enterprise: bool,
    /// Count the interests waiting for an answer (the owner's own list).
    count_interests: bool,
}

async fn demand_table(
    s: &AppState,
    session: &Session,
    statuses: Option<Vec<DemandStatus>>,
    page: u32,
    table: Table,
) -> PageResult {
    let caller = &session.caller;
    let (items, total) = s
        .app
        .list_demands(caller, statuses, skipped(page), TABLE_ROWS)
        .await?;
    let counts = if table.count_interests {
        s.app
            .pending_interest_counts(&session.caller, &items)
            .await?
    } else {
        Default::default()
    };
    let items: Vec<DemandView> = items
        .into_iter()
        .map(|d| {
            let pending = (table.count_interests && d.status.accepts_interests()).then(|| {
                counts
                    .get(&d.id)
                    .map_or(0, |&n| usize::try_from(n).unwrap_or(usize::MAX))
            });
            let mut view = DemandView::new(&session.caller, d);
            view.pending_interests = pending;
            view
        })
        .collect();
    let pager = table_pager(table.path, total, page);
    let ctx = context! {
        title => table.title,
        intro => table.intro,
        empty => table.empty,
        show_enterprise => table.show_enterprise,
        count_interests => table.count_interests,
        can_create => session.caller.may(Action::SubmitDemand),
        items,
        pager,
    };
    ok_page(session, "demand_table.html", table.active, ctx)
}

/// The enterprise's own demands in every status.
pub async fn mine(
    State(s): State<AppState>,
    session: Session,
    Params(q): Params<PageQuery>,
) -> PageResult {
    session.caller.require(Action::SubmitDemand)?;
    let table = Table {
        path: "/my/demands",
        title: "我的需求",
        intro: "草稿和退回修改的需求可以编辑后提交审核；审核通过后由科技局发布。",
        empty: "还没有需求，点击“发布需求”填写第一条。",
        active: "mine",
        show_enterprise: false,
        count_interests: true,
    };
    demand_table(&s, &session, None, q.page(), table).await
}

/// Submitted demands waiting for the bureau, each with what it lacks and what it may repeat.
pub async fn queue(
    State(s): State<AppState>,
    session: Session,
    Params(q): Params<PageQuery>,
) -> PageResult {
    let page = q.page();
    let (items, total) = s
        .app
        .review_queue(&session.caller, skipped(page), TABLE_ROWS)
        .await?;
    let items: Vec<_> = items
        .into_iter()
        .map(|it| {
            let gaps: Vec<_> = it
                .gaps
                .iter()
                .map(|g| context! { message => g.message })
                .collect();
            let doubts: Vec<_> = it.doubts.iter().map(|d| d.message.clone()).collect();
            let duplicates: Vec<_> = it
                .duplicates
                .iter()
                .map(|d| {
                    context! {
                        id => d.id,
                        title => d.title,
                        enterprise => d.enterprise,
                        percent => format!("{:.0}", d.similarity * 100.0),
                    }
                })
                .collect();
            context! {
                d => DemandView::new(&session.caller, it.demand),
                gaps,
                doubts,
                duplicates,
                suggested_note => it.suggested_note,
            }
        })
        .collect();
    let pager = table_pager("/review", total, page);
    let total = usize::try_from(total).unwrap_or_default();
    let ctx = context! { title => "审核队列", total, items, pager };
    ok_page(&session, "review.html", "review", ctx)
}

/// Published demands ranked for the institution of the signed-in account.
pub async fn recommended(State(s): State<AppState>, session: Session) -> PageResult {
    let user = session.caller.require(Action::UseWorkspace)?;
    let org_id = user
        .org_id
        .clone()
        .ok_or_else(|| DomainError::new(ErrorCode::Forbidden, "该账号未关联科研机构"))?;
    let (org, _) = s.app.organization(&org_id).await?;
    let ranked = s
        .app
        .recommended_demands(&session.caller, &org_id, Some(RECOMMENDED))
        .await?;
    let scores: Vec<f64> = ranked.iter().map(|m| m.score).collect();
    let items: Vec<_> = ranked
        .into_iter()
        .zip(strengths(&scores))
        .map(|(m, strength)| {
            context! {
                rank => m.rank,
                id => m.id,
                title => m.title,
                enterprise => m.enterprise,
                strength,
                matched_terms => m.matched_terms,
            }
        })
        .collect();
    let ctx = context! { title => "推荐需求", org => org.name, items };
    ok_page(&session, "recommended.html", "recommended", ctx)
}
