//! The search box: the home page over published demands and achievements, and the search form,
//! facets and layout every list page (demands, records, instruments) shares.

use super::render::{ok_page, page_number, pager, query, PageResult};
use super::session::Session;
use super::view::{DemandView, FacetLink};
use crate::views::{AchievementJson, ExpertJson, Hit, InstrumentJson};
use crate::AppState;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;

use duijie_app::{Action, Page, SearchParams};
use duijie_core::CoopMode;
use minijinja::{context, Value};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::convert::Infallible;

const PER_PAGE: u32 = 10;
const HOME_ITEMS: u32 = 5;
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
        page_number(&self.page)
    }

    fn params(&self, per_page: u32) -> SearchParams {
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
        // Each value links to the list filtered by it; the active one clears its filter.
        let links = |values: Vec<(String, u64)>, current: &str, href: &dyn Fn(&str) -> String| {
            values
                .into_iter()
                .take(FACETS_SHOWN)
                .map(|(value, count)| {
                    let on = value == current;
                    let href = href(if on { "" } else { &value });
                    FacetLink {
                        value,
                        count,
                        href,
                        on,
                    }
                })
                .collect()
        };
        let field = links(facets.field, &self.field, &|v| {
            self.url(base, v, &self.region, 1)
        });
        let region = links(facets.region, &self.region, &|v| {
            self.url(base, &self.field, v, 1)
        });
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
    ok_page(&session, "home.html", "home", ctx)
}

/// The searchable lists.
#[derive(Debug, Clone, Copy)]
enum List {
    Demands,
    Achievements,
    Experts,
    Instruments,
}

impl List {
    /// The list's path segment (also its navigation entry), title and search box hint.
    fn words(self) -> (&'static str, &'static str, &'static str) {
        match self {
            List::Demands => (
                "demands",
                "技术需求",
                "搜索需求名称、描述、企业，如：冷链物流",
            ),
            List::Achievements => (
                "achievements",
                "科技成果",
                "搜索成果名称、简介、完成单位，如：多属性决策",
            ),
            List::Experts => ("experts", "专家", "搜索专家姓名、研究方向、工作单位"),
            List::Instruments => (
                "instruments",
                "科研仪器共享",
                "搜索仪器名称、型号、功能，如：X射线衍射",
            ),
        }
    }
}

pub async fn demands(
    State(s): State<AppState>,
    session: Session,
    Params(q): Params<ListQuery>,
) -> PageResult {
    let caller = session.caller.clone();
    let page = s.app.search_demands(&caller, &q.params(PER_PAGE)).await?;
    List::Demands.show(&s, &session, &q, page, |d| DemandView::new(&caller, d))
}

pub async fn achievements(
    State(s): State<AppState>,
    session: Session,
    Params(q): Params<ListQuery>,
) -> PageResult {
    let page = s.app.search_achievements(&q.params(PER_PAGE)).await?;
    List::Achievements.show(&s, &session, &q, page, AchievementJson::from)
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
    List::Experts.show(&s, &session, &q, page, ExpertJson::from)
}

pub async fn instruments(
    State(s): State<AppState>,
    session: Session,
    Params(q): Params<ListQuery>,
) -> PageResult {
    let page = s.app.search_instruments(&q.params(PER_PAGE)).await?;
    List::Instruments.show(&s, &session, &q, page, InstrumentJson::from)
}

impl List {
    /// The list page of `page`'s results, each shown as `view` makes it.
    fn show<T, V: Serialize>(
        self,
        s: &AppState,
        session: &Session,
        q: &ListQuery,
        page: Page<T>,
        view: impl Fn(T) -> V,
    ) -> PageResult {
        let (kind, title, placeholder) = self.words();
        let base = &format!("/{kind}");
        let (field_links, region_links) = q.facet_links(base, page.facets);
        let pager = pager(page.total, page.page, page.per_page, |n| {
            q.url(base, &q.field, &q.region, n)
        });
        // The service keeps semantic vectors: the form offers 含语义相近.
        let semantic = s.app.vector_status().is_some();
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
        ok_page(session, "search.html", kind, ctx)
    }
}
