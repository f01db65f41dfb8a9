//! Pages anyone may read: the home search, the three searchable lists, and record details.

use super::render::{datetime, pager, query, render, PageResult};
use super::session::Session;
use super::view::{CandidateView, DemandView, FacetLink};
use crate::views::{AchievementJson, ExpertJson, Hit};
use crate::AppState;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use duijie_app::{Action, Page, SearchParams};
use duijie_core::{CoopMode, DemandStatus};
use minijinja::{context, Value};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::convert::Infallible;

pub(super) const PER_PAGE: u32 = 10;
const HOME_ITEMS: u32 = 5;
const MATCHES_SHOWN: usize = 5;
const FACETS_SHOWN: usize = 12;

/// Query-string parameters read leniently: a malformed query string reads as empty.
pub struct Params<T>(pub T);

impl<T: DeserializeOwned + Default, S: Send + Sync> FromRequestParts<S> for Params<T> {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        let q = parts.uri.query().unwrap_or_default();
        Ok(Params(serde_urlencoded::from_str(q).unwrap_or_default()))
    }
}

/// The search form of the list pages.
#[derive(Debug, Default, Deserialize)]
pub(super) struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    field: String,
    #[serde(default)]
    region: String,
    /// Demands: a cooperation mode.
    #[serde(default)]
    mode: String,
    /// Demands: a budget band `min-max` in 万元, either end may be empty (`100-`).
    #[serde(default)]
    budget: String,
    /// Demands: `open` (not yet past) or `30` (closing within 30 days).
    #[serde(default)]
    deadline: String,
    /// `relevance`, `newest`, and for demands `deadline` or `budget`.
    #[serde(default)]
    sort: String,
    /// `1`: records saying the same in other words are found too (语义相近).
    #[serde(default)]
    semantic: String,
    #[serde(default)]
    page: String,
}

/// The budget bands the demand list offers, in 万元.
const BUDGET_BANDS: [(&str, &str); 4] = [
    ("-10", "10 万元以下"),
    ("10-50", "10–50 万元"),
    ("50-100", "50–100 万元"),
    ("100-", "100 万元以上"),
];
const DEADLINES: [(&str, &str); 2] = [("open", "尚未截止"), ("30", "30 天内截止")];
/// The share of meaning when a search asks for 含语义相近.
const SEARCH_SEMANTIC_RATIO: &str = "0.5";
const SORTS: [(&str, &str, bool); 4] = [
    ("relevance", "按相关度", false),
    ("newest", "最新发布", false),
    ("deadline", "截止日期最近", true),
    ("budget", "预算最高", true),
];

impl ListQuery {
    fn page(&self) -> u32 {
        self.page
            .trim()
            .parse()
            .ok()
            .filter(|p| *p >= 1)
            .unwrap_or(1)
    }

    pub(super) fn params(&self, per_page: u32) -> SearchParams {
        let (budget_min, budget_max) = self.budget.split_once('-').unwrap_or((&self.budget, ""));
        let today = duijie_core::time::china_today();
        let (deadline_from, deadline_to) = match self.deadline.as_str() {
            "open" => (Some(today), None),
            "30" => (Some(today), today.checked_add_days(chrono::Days::new(30))),
            _ => (None, None),
        };
        SearchParams {
            q: Some(self.q.clone()),
            field: Some(self.field.clone()),
            region: Some(self.region.clone()),
            mode: Some(self.mode.clone()),
            sort: Some(self.sort.clone()),
            budget_min: Some(budget_min.to_string()),
            budget_max: Some(budget_max.to_string()),
            deadline_from: deadline_from.map(|d| d.to_string()),
            deadline_to: deadline_to.map(|d| d.to_string()),
            page: Some(self.page()),
            per_page: Some(per_page),
            semantic_ratio: (self.semantic == "1").then(|| SEARCH_SEMANTIC_RATIO.to_string()),
            ..SearchParams::default()
        }
    }

    fn url(&self, base: &str, field: &str, region: &str, page: u32) -> String {
        let page = if page > 1 {
            page.to_string()
        } else {
            String::new()
        };
        format!(
            "{base}{}",
            query(&[
                ("q", &self.q),
                ("field", field),
                ("region", region),
                ("mode", &self.mode),
                ("budget", &self.budget),
                ("deadline", &self.deadline),
                ("sort", &self.sort),
                ("semantic", &self.semantic),
                ("page", &page)
            ])
        )
    }

    /// The choices of the demand list's filter and sort menus, the current one selected.
    fn menus(&self, demands: bool) -> Value {
        let options = |choices: &[(&str, &str)], current: &str| -> Vec<Value> {
            choices
                .iter()
                .map(|(value, label)| context! { value, label, selected => *value == current })
                .collect()
        };
        let modes: Vec<(&str, &str)> = CoopMode::ALL
            .iter()
            .map(|m| (m.label(), m.label()))
            .collect();
        let sorts: Vec<(&str, &str)> = SORTS
            .iter()
            .filter(|(_, _, demands_only)| demands || !demands_only)
            .map(|(value, label, _)| (*value, *label))
            .collect();
        context! {
            modes => options(&modes, &self.mode),
            budgets => options(&BUDGET_BANDS, &self.budget),
            deadlines => options(&DEADLINES, &self.deadline),
            sorts => options(&sorts, &self.sort),
            filtered => !(self.mode.is_empty() && self.budget.is_empty() && self.deadline.is_empty()),
        }
    }

    fn facet_links(
        &self,
        base: &str,
        facets: duijie_search::Facets,
    ) -> (Vec<FacetLink>, Vec<FacetLink>) {
        let field = facets
            .field
            .into_iter()
            .take(FACETS_SHOWN)
            .map(|(value, count)| {
                let on = value == self.field;
                let href = self.url(base, if on { "" } else { &value }, &self.region, 1);
                FacetLink {
                    value,
                    count,
                    href,
                    on,
                }
            })
            .collect();
        let region = facets
            .region
            .into_iter()
            .take(FACETS_SHOWN)
            .map(|(value, count)| {
                let on = value == self.region;
                let href = self.url(base, &self.field, if on { "" } else { &value }, 1);
                FacetLink {
                    value,
                    count,
                    href,
                    on,
                }
            })
            .collect();
        (field, region)
    }
}

fn hits<R, T>(page_items: Vec<duijie_app::Found<R>>, view: impl Fn(R) -> T) -> Vec<Hit<T>> {
    page_items
        .into_iter()
        .map(|f| Hit::from_found(f, &view))
        .collect()
}

/// `/`: the search box over published demands and achievements, with field facets.
pub async fn home(
    State(s): State<AppState>,
    session: Session,
    Params(q): Params<ListQuery>,
) -> PageResult {
    let params = ListQuery {
        page: String::new(),
        ..q
    };
    let search = params.params(HOME_ITEMS);
    let (demands, achievements) = tokio::join!(
        s.app.search_demands(&session.caller, &search),
        s.app.search_achievements(&search),
    );
    let (demands, achievements) = (demands?, achievements?);
    // Field counts of both kinds together, most frequent first.
    let mut fields: Vec<(String, u64)> = Vec::new();
    for (value, count) in demands
        .facets
        .field
        .iter()
        .chain(&achievements.facets.field)
    {
        match fields.iter_mut().find(|(v, _)| v == value) {
            Some((_, c)) => *c += count,
            None => fields.push((value.clone(), *count)),
        }
    }
    fields.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let fields: Vec<FacetLink> = fields
        .into_iter()
        .map(|(value, count)| FacetLink {
            href: params.url("/demands", &value, "", 1),
            value,
            count,
            on: false,
        })
        .collect();
    let caller = session.caller.clone();
    let ctx = context! {
        title => "首页",
        q => params.q,
        fields => fields,
        demands => context! {
            total => demands.total,
            more => params.url("/demands", "", "", 1),
            items => hits(demands.items, |d| DemandView::new(&caller, d)),
        },
        achievements => context! {
            total => achievements.total,
            more => params.url("/achievements", "", "", 1),
            items => hits(achievements.items, AchievementJson::from),
        },
    };
    Ok(render(&session, "home.html", "home", StatusCode::OK, ctx))
}

pub(super) struct Listing<T> {
    pub kind: &'static str,
    pub base: &'static str,
    pub title: &'static str,
    pub placeholder: &'static str,
    pub page: Page<T>,
    /// The service keeps semantic vectors: the form offers 含语义相近.
    pub semantic: bool,
}

pub(super) fn list_page<T, V: Serialize>(
    session: &Session,
    q: &ListQuery,
    listing: Listing<T>,
    view: impl Fn(T) -> V,
) -> PageResult {
    let Listing {
        kind,
        base,
        title,
        placeholder,
        page,
        semantic,
    } = listing;
    let (field_links, region_links) = q.facet_links(base, page.facets);
    let pager = pager(page.total, page.page, page.per_page, |n| {
        q.url(base, &q.field, &q.region, n)
    });
    let can_create = session.caller.may(Action::WriteDemand);
    let can_list_instrument = session.caller.may(Action::KeepRecords);
    let ctx = context! {
        kind, base, title, placeholder,
        q => q.q, field => q.field, region => q.region,
        clear => ListQuery { q: q.q.clone(), sort: q.sort.clone(), ..ListQuery::default() }.url(base, "", "", 1),
        menus => q.menus(kind == "demands"),
        semantic_available => semantic,
        semantic => q.semantic == "1",
        total => page.total,
        facets => context! { field => field_links, region => region_links },
        items => hits(page.items, view),
        pager,
        can_create,
        can_list_instrument,
    };
    Ok(render(session, "search.html", kind, StatusCode::OK, ctx))
}

pub async fn demands(
    State(s): State<AppState>,
    session: Session,
    Params(q): Params<ListQuery>,
) -> PageResult {
    let page = s
        .app
        .search_demands(&session.caller, &q.params(PER_PAGE))
        .await?;
    let caller = session.caller.clone();
    let listing = Listing {
        kind: "demands",
        base: "/demands",
        title: "技术需求",
        placeholder: "搜索需求名称、描述、企业，如：冷链物流",
        page,
        semantic: s.app.vector_status().is_some(),
    };
    list_page(&session, &q, listing, |d| DemandView::new(&caller, d))
}

pub async fn achievements(
    State(s): State<AppState>,
    session: Session,
    Params(q): Params<ListQuery>,
) -> PageResult {
    let page = s.app.search_achievements(&q.params(PER_PAGE)).await?;
    let listing = Listing {
        kind: "achievements",
        base: "/achievements",
        title: "科技成果",
        placeholder: "搜索成果名称、简介、完成单位，如：多属性决策",
        page,
        semantic: s.app.vector_status().is_some(),
    };
    list_page(&session, &q, listing, AchievementJson::from)
}

pub async fn experts(
    State(s): State<AppState>,
    session: Session,
    Params(q): Params<ListQuery>,
) -> PageResult {
    let page = s
        .app
        .search_experts(&session.caller, &q.params(PER_PAGE))
        .await?;
    let listing = Listing {
        kind: "experts",
        base: "/experts",
        title: "专家",
        placeholder: "搜索专家姓名、研究方向、工作单位",
        page,
        semantic: s.app.vector_status().is_some(),
    };
    list_page(&session, &q, listing, ExpertJson::from)
}

/// A demand with its ranked partners and interests; `errors` and `note` refill the form
/// that failed (review, proposal or decline).
pub async fn demand_page(
    s: &AppState,
    session: &Session,
    id: &str,
    status: StatusCode,
    errors: std::collections::BTreeMap<String, String>,
    note: &str,
) -> PageResult {
    let cite = super::interests::CiteState::default();
    demand_page_with(s, session, id, status, errors, note, &cite).await
}

/// [`demand_page`] with the expression-of-interest form as the institution left it.
pub async fn demand_page_with(
    s: &AppState,
    session: &Session,
    id: &str,
    status: StatusCode,
    errors: std::collections::BTreeMap<String, String>,
    note: &str,
    cite: &super::interests::CiteState,
) -> PageResult {
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
    let interests = super::interests::section(s, caller, &d, &institutions, cite).await;
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

pub async fn demand(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> PageResult {
    demand_page(&s, &session, &id, StatusCode::OK, Default::default(), "").await
}

pub async fn achievement(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> PageResult {
    let a = AchievementJson::from(s.app.achievement(&id).await?);
    let mut facts = Vec::new();
    // Evidence leads somewhere: the institution's page and the leader's.
    let mut links = vec![link(
        "完成单位",
        &a.institution.name,
        "organizations",
        &a.institution.id,
    )];
    match (&a.leader, &a.expert_id) {
        (Some(leader), Some(expert)) => {
            links.push(link("负责人", leader, "experts", expert));
        }
        (Some(leader), None) => facts.push(("负责人", leader.clone())),
        _ => {}
    }
    if let Some(f) = a.field {
        facts.push(("技术领域", f.label().to_string()));
    }
    if let Some(m) = a.maturity {
        facts.push(("成熟度", m.label().to_string()));
    }
    if let Some(y) = a.year {
        facts.push(("年份", y.to_string()));
    }
    if let Some(r) = &a.region {
        facts.push(("所在地区", r.clone()));
    }
    if !a.keywords.is_empty() {
        facts.push(("关键词", a.keywords.join("、")));
    }
    let mut sections = vec![
        context! { heading => "成果简介", text => if a.summary.is_empty() { "（目录未提供简介）".to_string() } else { a.summary.clone() } },
    ];
    if let Some(raw) = &a.field_raw {
        sections.push(context! { heading => "原始领域", text => raw });
    }
    let ctx = context! {
        title => a.title,
        heading => a.title,
        tags => a.field.map(|f| vec![f.label()]).unwrap_or_default(),
        org => a.institution.name,
        back => "/achievements",
        sections,
        facts,
        links,
        lists => Vec::<minijinja::Value>::new(),
    };
    Ok(render(
        &session,
        "record.html",
        "achievements",
        StatusCode::OK,
        ctx,
    ))
}

pub async fn expert(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> PageResult {
    let e = ExpertJson::from(s.app.expert(&session.caller, &id).await?);
    let led = s.app.achievements_led_by(&id, RECORDS_LISTED).await?;
    let mut facts = Vec::new();
    let links = vec![link(
        "工作单位",
        &e.institution.name,
        "organizations",
        &e.institution.id,
    )];
    for (label, value) in [
        ("职称", &e.title),
        ("院系", &e.department),
        ("电话", &e.phone),
        ("电子邮箱", &e.email),
    ] {
        if let Some(v) = value {
            facts.push((label, v.clone()));
        }
    }
    if let Some(f) = e.field {
        facts.push(("技术领域", f.label().to_string()));
    }
    if !e.keywords.is_empty() {
        facts.push(("关键词", e.keywords.join("、")));
    }
    let mut sections = Vec::new();
    if !e.research_areas.is_empty() {
        sections.push(context! { heading => "研究方向", text => e.research_areas.join("；") });
    }
    sections.push(context! { heading => "个人简介", text => if e.bio.is_empty() { "（目录未提供简介）".to_string() } else { e.bio.clone() } });
    let ctx = context! {
        title => e.name,
        heading => e.name,
        tags => e.title.iter().collect::<Vec<_>>(),
        org => e.institution.name,
        back => "/experts",
        sections,
        facts,
        links,
        lists => vec![record_list(
            "负责的项目与成果",
            "achievements",
            led.iter().map(|a| (a.id.as_str(), a.body.title.clone(), a.body.year.map(|y| y.to_string()))),
        )],
    };
    Ok(render(
        &session,
        "record.html",
        "experts",
        StatusCode::OK,
        ctx,
    ))
}

/// Records listed per kind on an expert's or an institution's page.
const RECORDS_LISTED: usize = 20;

/// A fact that links to another record's page (`/{path}/{id}`).
fn link(label: &str, text: &str, path: &str, id: &str) -> minijinja::Value {
    context! { label => label, text => text, path => path, id => id }
}

/// A titled list of records of one kind (`/{path}/{id}`): (id, title, note).
fn record_list<'a>(
    heading: &str,
    path: &str,
    items: impl Iterator<Item = (&'a str, String, Option<String>)>,
) -> minijinja::Value {
    let items: Vec<minijinja::Value> = items
        .map(|(id, title, note)| context! { path => path, id => id, title => title, note => note })
        .collect();
    context! { heading => heading, items => items }
}

/// An institution's page: what it offers — achievements, experts and shared instruments —
/// so that evidence behind a match leads to the whole organisation.
pub async fn organization(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> PageResult {
    let (org, counts) = s.app.organization(&id).await?;
    let (achievements, experts, instruments) = s
        .app
        .organization_records(&session.caller, &id, RECORDS_LISTED)
        .await?;
    let facts = vec![
        ("科技成果", counts.achievements.to_string()),
        ("专家", counts.experts.to_string()),
        ("技术需求", counts.demands.to_string()),
    ];
    let lists = vec![
        record_list(
            "科技成果",
            "achievements",
            achievements
                .iter()
                .map(|a| (a.id.as_str(), a.body.title.clone(), a.body.leader.clone())),
        ),
        record_list(
            "专家",
            "experts",
            experts.iter().map(|e| {
                (
                    e.id.as_str(),
                    e.body.name.clone(),
                    (!e.body.research_areas.is_empty()).then(|| e.body.research_areas.join("；")),
                )
            }),
        ),
        record_list(
            "可共享的科研仪器",
            "instruments",
            instruments.iter().map(|i| {
                (
                    i.id.as_str(),
                    i.body.name.clone(),
                    (!i.body.model.is_empty()).then(|| i.body.model.clone()),
                )
            }),
        ),
    ];
    let ctx = context! {
        title => org.name.clone(),
        heading => org.name.clone(),
        tags => vec![org.kind.label()],
        org => "",
        back => "/achievements",
        sections => Vec::<minijinja::Value>::new(),
        facts,
        links => Vec::<minijinja::Value>::new(),
        lists,
    };
    Ok(render(
        &session,
        "record.html",
        "achievements",
        StatusCode::OK,
        ctx,
    ))
}
