//! The search box over demands, achievements and experts: validated filters, the index for
//! ranking and facets, the store for the records themselves.

use crate::demands::{contact_ids, redact};
use crate::indexer::to_doc;
use crate::{blocking, found, internal, store_err, Action, App, AppResult, Caller};
use chrono::Datelike;
use duijie_core::error::FieldErrors;
use duijie_core::validate::parse_date;
use duijie_core::{
    Achievement, CoopMode, Demand, DemandStatus, DomainError, EntityKind, Expert, Field, Instrument,
};
use duijie_search::{DemandRanges, Facets, SearchPage, SearchQuery, Sort};
use duijie_store::{AuditSubject, Record};
use serde::Deserialize;
use std::collections::{HashMap, HashSet};

/// A record type as the store and the index hand it out: its kind, and how to take it out of
/// a [`Record`] again.
pub(crate) trait Kind: Sized {
    const KIND: EntityKind;
    fn from_record(r: Record) -> Option<Self>;
}

/// Records anyone may see whole (no personal data to redact): achievements and instruments.
pub(crate) trait Public: Kind {}

impl Public for Achievement {}
impl Public for Instrument {}

impl Kind for Demand {
    const KIND: EntityKind = EntityKind::Demand;
    fn from_record(r: Record) -> Option<Self> {
        match r {
            Record::Demand(d) => Some(d),
            _ => None,
        }
    }
}

impl Kind for Achievement {
    const KIND: EntityKind = EntityKind::Achievement;
    fn from_record(r: Record) -> Option<Self> {
        match r {
            Record::Achievement(a) => Some(a),
            _ => None,
        }
    }
}

impl Kind for Expert {
    const KIND: EntityKind = EntityKind::Expert;
    fn from_record(r: Record) -> Option<Self> {
        match r {
            Record::Expert(e) => Some(e),
            _ => None,
        }
    }
}

impl Kind for Instrument {
    const KIND: EntityKind = EntityKind::Instrument;
    fn from_record(r: Record) -> Option<Self> {
        match r {
            Record::Instrument(i) => Some(i),
            _ => None,
        }
    }
}

pub const MAX_PER_PAGE: u32 = 100;
/// Longest query text looked at; the rest is ignored rather than refused.
const MAX_QUERY_CHARS: usize = 500;
/// Records taken by words and by meaning before a semantic search's page is cut.
const HYBRID_POOL: usize = 100;
/// Records found by meaning only that a semantic search adds to those found by words.
const SEMANTIC_EXTRA: usize = 10;

/// Query-string parameters of the search endpoints.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct SearchParams {
    /// Free text (analysed into words, never parsed as syntax).
    pub q: Option<String>,
    /// 技术领域 label, e.g. 新材料.
    pub field: Option<String>,
    /// Region, e.g. 灵宝市.
    pub region: Option<String>,
    /// Cooperation mode, e.g. 合作开发.
    pub mode: Option<String>,
    /// Demand status (the bureau sees every status).
    pub status: Option<String>,
    /// `relevance` (the default), `newest`; for demands also `deadline` (soonest first, 长期
    /// last) and `budget` (largest first, 面议 last).
    pub sort: Option<String>,
    /// Demands: budget at least this many 万元 (面议 excluded).
    #[cfg_attr(feature = "openapi", param(value_type = Option<f64>))]
    pub budget_min: Option<String>,
    /// Demands: budget at most this many 万元 (面议 excluded).
    #[cfg_attr(feature = "openapi", param(value_type = Option<f64>))]
    pub budget_max: Option<String>,
    /// Demands: deadline on or after this date, `YYYY-MM-DD` (长期 included).
    pub deadline_from: Option<String>,
    /// Demands: deadline on or before this date, `YYYY-MM-DD` (长期 excluded).
    pub deadline_to: Option<String>,
    /// 1-based page.
    pub page: Option<u32>,
    /// 1 to 100, default 20.
    pub per_page: Option<u32>,
    /// 0 (the default: words only) to 1: with text and relevance order, up to 10 records
    /// that say the same in other words join the results, marked `semantic: true`.
    #[cfg_attr(feature = "openapi", param(value_type = Option<f64>))]
    pub semantic_ratio: Option<String>,
}

/// One page of results.
#[derive(Debug, Clone)]
pub struct Page<T> {
    /// Records found; with semantic search, the words' total plus those found by meaning only.
    pub total: usize,
    pub page: u32,
    pub per_page: u32,
    pub items: Vec<Found<T>>,
    /// Counted over the records found by words.
    pub facets: Facets,
}

/// One record of a page with its highlighted title and snippet.
#[derive(Debug, Clone)]
pub struct Found<T> {
    pub record: T,
    pub title_html: String,
    pub snippet_html: String,
    /// Found by meaning only (语义相近): none of the query's words is in it.
    pub semantic: bool,
}

fn nonblank(s: &Option<String>) -> Option<String> {
    s.as_ref()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

impl SearchParams {
    /// The semantic share asked for (`None`: words only).
    pub(crate) fn semantic_ratio(&self) -> AppResult<Option<f32>> {
        let Some(raw) = nonblank(&self.semantic_ratio) else {
            return Ok(None);
        };
        // Not a number reads as out of range: one message for both.
        let ratio = crate::matching::parse_ratio(Some(raw.parse::<f32>().unwrap_or(f32::NAN)))?;
        Ok(ratio.filter(|r| *r > 0.0))
    }

    pub(crate) fn to_query(&self, kind: EntityKind) -> AppResult<(SearchQuery, u32, u32)> {
        let page = self.page.unwrap_or(1);
        if page == 0 {
            return Err(DomainError::invalid("page", "页码从 1 开始"));
        }
        let per_page = self.per_page.unwrap_or(20);
        if per_page == 0 || per_page > MAX_PER_PAGE {
            return Err(DomainError::invalid(
                "per_page",
                format!("per_page 须在 1 到 {MAX_PER_PAGE} 之间"),
            ));
        }
        let field = match nonblank(&self.field) {
            Some(f) => Some(
                Field::try_from(f)
                    .map_err(|m| DomainError::invalid("field", m))?
                    .label()
                    .to_string(),
            ),
            None => None,
        };
        let mode = match nonblank(&self.mode) {
            Some(m) => Some(
                CoopMode::try_from(m)
                    .map_err(|e| DomainError::invalid("mode", e))?
                    .label()
                    .to_string(),
            ),
            None => None,
        };
        let text = nonblank(&self.q).map(|q| q.chars().take(MAX_QUERY_CHARS).collect());
        let (sort, ranges) = self.order_and_ranges(kind)?;
        let offset = (page as usize - 1).saturating_mul(per_page as usize);
        Ok((
            SearchQuery {
                kind,
                text,
                field,
                region: nonblank(&self.region),
                mode,
                statuses: None,
                org_id: None,
                expert_id: None,
                ranges,
                ids: None,
                sort,
                offset,
                limit: per_page as usize,
            },
            page,
            per_page,
        ))
    }

    /// The order and the demand-only bounds, every problem reported at once.
    fn order_and_ranges(&self, kind: EntityKind) -> AppResult<(Sort, DemandRanges)> {
        let mut errs = FieldErrors::default();
        let demands = kind == EntityKind::Demand;
        let sort = match nonblank(&self.sort).as_deref() {
            None | Some("relevance") => Sort::Relevance,
            Some("newest") => Sort::Newest,
            Some("deadline") if demands => Sort::Deadline,
            Some("budget") if demands => Sort::Budget,
            Some(other) => {
                let choices = if demands {
                    "relevance、newest、deadline、budget"
                } else {
                    "relevance、newest"
                };
                errs.add(DomainError::invalid(
                    "sort",
                    format!("不支持的排序“{other}”，可选：{choices}"),
                ));
                Sort::Relevance
            }
        };
        let mut amount = |field: &str, raw: &Option<String>| -> Option<f64> {
            let raw = nonblank(raw)?;
            let v = raw
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite() && *v >= 0.0);
            if v.is_none() {
                errs.add(DomainError::invalid(
                    field,
                    format!("金额“{raw}”无效，应为不小于 0 的万元数"),
                ));
            }
            v
        };
        let budget_min = amount("budget_min", &self.budget_min);
        let budget_max = amount("budget_max", &self.budget_max);
        let mut day = |field: &str, raw: &Option<String>| -> Option<i64> {
            let raw = nonblank(raw)?;
            errs.check(parse_date(&raw).map_err(|m| DomainError::invalid(field, m)))
                .map(|d| i64::from(d.num_days_from_ce()))
        };
        let deadline_from = day("deadline_from", &self.deadline_from);
        let deadline_to = day("deadline_to", &self.deadline_to);
        let ranges = DemandRanges {
            budget_min,
            budget_max,
            deadline_from,
            deadline_to,
        };
        if !demands && ranges != DemandRanges::default() {
            errs.add(DomainError::invalid(
                "budget_min",
                "按预算或截止日期筛选只适用于技术需求",
            ));
        }
        errs.check(self.semantic_ratio());
        errs.finish().map(|()| (sort, ranges))
    }

    fn status_filter(&self, caller: &Caller) -> AppResult<Option<Vec<String>>> {
        let visible = caller.visible_statuses();
        let Some(s) = nonblank(&self.status) else {
            return Ok(visible.map(|v| v.iter().map(|s| s.as_str().to_string()).collect()));
        };
        let wanted = DemandStatus::parse(&s).ok_or_else(|| {
            let all: Vec<&str> = DemandStatus::ALL.iter().map(|s| s.as_str()).collect();
            DomainError::invalid("status", format!("未知状态“{s}”，可选：{}", all.join(", ")))
        })?;
        // Asking for what one may not see finds nothing rather than revealing it exists.
        let allowed = visible.is_none_or(|v| v.contains(&wanted));
        Ok(Some(if allowed {
            vec![wanted.as_str().to_string()]
        } else {
            Vec::new()
        }))
    }
}

impl App {
    /// Runs `query` on the index, loads the hits' records from the store (the system of
    /// record), keeps those `keep` returns, in rank order, and highlights the text of each as
    /// the store has it. With a `semantic` share (a text query ordered by relevance, vectors
    /// on), records found by meaning are fused into the order ([`App::hybrid_hits`]).
    pub(crate) async fn run_search<T>(
        &self,
        query: SearchQuery,
        (page, per_page): (u32, u32),
        semantic: Option<f32>,
        keep: impl Fn(Record) -> Option<T>,
    ) -> AppResult<Page<T>> {
        let kind = query.kind;
        let hybrid = match (semantic, query.text.as_deref(), query.sort) {
            (Some(ratio), Some(text), Sort::Relevance) if self.dense.is_some() => {
                Some((ratio, text.to_string()))
            }
            _ => None,
        };
        let (results, by_meaning) = match hybrid {
            Some((ratio, text)) => self.hybrid_hits(query, &text, ratio).await?,
            None => {
                let index = self.index.clone();
                let results =
                    blocking(move || index.search_page(&query).map_err(|e| internal("search", e)))
                        .await?;
                (results, HashSet::new())
            }
        };
        let ids: Vec<String> = results.hits.iter().map(|(id, _)| id.clone()).collect();
        let mut records: HashMap<String, Record> = self
            .store
            .get_records(kind, &ids)
            .await
            .map_err(store_err)?
            .into_iter()
            .map(|r| (r.id().to_string(), r))
            .collect();
        // Highlighting a page is tens of microseconds of CPU: it stays on this task.
        let highlighter = &results.highlighter;
        let items = results
            .hits
            .iter()
            .filter_map(|(id, _)| {
                let record = records.remove(id)?;
                let text = to_doc(&record);
                let record = keep(record)?;
                Some(Found {
                    record,
                    title_html: highlighter.title(&text.title),
                    snippet_html: highlighter.snippet(&text.body),
                    semantic: by_meaning.contains(id),
                })
            })
            .collect();
        Ok(Page {
            total: results.total,
            page,
            per_page,
            items,
            facets: results.facets,
        })
    }

    /// A page of a text search with the records found by meaning fused in: the best
    /// [`HYBRID_POOL`] by words and by meaning (those passing the query's filters), fused as
    /// the matcher fuses them, then the page cut from the fused order. Also returns the ids
    /// found by meaning only.
    async fn hybrid_hits(
        &self,
        query: SearchQuery,
        text: &str,
        ratio: f32,
    ) -> AppResult<(SearchPage, HashSet<String>)> {
        let (offset, limit) = (query.offset, query.limit);
        let words = SearchQuery {
            offset: 0,
            limit: HYBRID_POOL.max(offset.saturating_add(limit)),
            ..query.clone()
        };
        let index = self.index.clone();
        let mut lexical =
            blocking(move || index.search_page(&words).map_err(|e| internal("search", e))).await?;
        let lexical_ids: Vec<String> = lexical.hits.iter().map(|(id, _)| id.clone()).collect();
        let dense = self
            .dense_candidates(query.kind, text, HYBRID_POOL, lexical_ids.clone())
            .await?;
        let Some((top, cosine)) = dense else {
            // No vectors or no query vector: words only.
            lexical.hits = lexical.hits.into_iter().skip(offset).take(limit).collect();
            return Ok((lexical, HashSet::new()));
        };
        // Those found by meaning only must pass the query's filters too.
        let known: HashSet<&str> = lexical_ids.iter().map(String::as_str).collect();
        let only: Vec<String> = top
            .iter()
            .map(|(id, _)| id.clone())
            .filter(|id| !known.contains(id.as_str()))
            .collect();
        let allowed: HashSet<String> = if only.is_empty() {
            HashSet::new()
        } else {
            let check = SearchQuery {
                text: None,
                offset: 0,
                limit: only.len(),
                ids: Some(only),
                ..query
            };
            let index = self.index.clone();
            let passed =
                blocking(move || index.search_page(&check).map_err(|e| internal("search", e)))
                    .await?;
            let passed: HashSet<String> = passed.hits.into_iter().map(|(id, _)| id).collect();
            // Meaning always finds something: only the closest few join the words' results.
            top.iter()
                .map(|(id, _)| id)
                .filter(|id| passed.contains(*id))
                .take(SEMANTIC_EXTRA)
                .cloned()
                .collect()
        };
        let fused = duijie_match::fuse_lists(
            self.matcher.config().fusion,
            ratio,
            &lexical.hits,
            top,
            cosine,
            &allowed,
        );
        lexical.total += allowed.len();
        lexical.hits = fused.into_iter().skip(offset).take(limit).collect();
        Ok((lexical, allowed))
    }

    /// Published demands for everyone; all demands for the bureau.
    pub async fn search_demands(
        &self,
        caller: &Caller,
        p: &SearchParams,
    ) -> AppResult<Page<Demand>> {
        let (mut query, page, per_page) = p.to_query(EntityKind::Demand)?;
        query.statuses = p.status_filter(caller)?;
        let found = self
            .run_search(query, (page, per_page), p.semantic_ratio()?, |r| match r {
                Record::Demand(d) if caller.can_see_demand(&d) => Some(redact(caller, d)),
                _ => None,
            })
            .await?;
        let ids = contact_ids(caller, found.items.iter().map(|f| &f.record));
        self.audit_contact_read(caller, AuditSubject::Demand, ids, "需求检索结果")
            .await?;
        Ok(found)
    }

    pub async fn search_achievements(&self, p: &SearchParams) -> AppResult<Page<Achievement>> {
        self.search_public(p).await
    }

    /// The stored records of type `T` among `ids`, by id (ids of other kinds or gone are left
    /// out).
    pub(crate) async fn records_by_id<T: Kind>(
        &self,
        ids: &[String],
    ) -> AppResult<HashMap<String, T>> {
        let records = self
            .store
            .get_records(T::KIND, ids)
            .await
            .map_err(store_err)?;
        Ok(records
            .into_iter()
            .filter_map(|r| {
                let id = r.id().to_string();
                T::from_record(r).map(|t| (id, t))
            })
            .collect())
    }

    /// Searches a kind of public record: anyone may, and sees it whole.
    pub(crate) async fn search_public<T: Public>(&self, p: &SearchParams) -> AppResult<Page<T>> {
        let (query, page, per_page) = p.to_query(T::KIND)?;
        let semantic = p.semantic_ratio()?;
        self.run_search(query, (page, per_page), semantic, T::from_record)
            .await
    }

    pub async fn search_experts(
        &self,
        caller: &Caller,
        p: &SearchParams,
    ) -> AppResult<Page<Expert>> {
        let (query, page, per_page) = p.to_query(EntityKind::Expert)?;
        let found = self
            .run_search(query, (page, per_page), p.semantic_ratio()?, |r| match r {
                Record::Expert(e) => Some(redact_expert(caller, e)),
                _ => None,
            })
            .await?;
        let ids = expert_contact_ids(found.items.iter().map(|f| &f.record));
        self.audit_contact_read(caller, AuditSubject::Expert, ids, "专家检索结果")
            .await?;
        Ok(found)
    }

    pub async fn achievement(&self, id: &str) -> AppResult<Achievement> {
        found(self.store.get_achievement(id).await, "成果")
    }

    pub async fn expert(&self, caller: &Caller, id: &str) -> AppResult<Expert> {
        let e = found(self.store.get_expert(id).await, "专家")?;
        Ok(redact_expert(caller, e))
    }

    /// Experts whose name starts with `prefix`, for choosing a person by name.
    pub async fn experts_named(
        &self,
        caller: &Caller,
        prefix: &str,
        limit: u32,
    ) -> AppResult<Vec<Expert>> {
        let prefix: String = prefix.trim().chars().take(MAX_QUERY_CHARS).collect();
        Ok(self
            .store
            .experts_named(&prefix, limit)
            .await
            .map_err(store_err)?
            .into_iter()
            .map(|e| redact_expert(caller, e))
            .collect())
    }

    /// What an organisation offers, for its page: its latest achievements, experts and
    /// instruments (at most `limit` of each).
    pub async fn organization_records(
        &self,
        caller: &Caller,
        org_id: &str,
        limit: usize,
    ) -> AppResult<(Vec<Achievement>, Vec<Expert>, Vec<Instrument>)> {
        let of = |kind| SearchQuery {
            org_id: Some(org_id.to_string()),
            limit,
            ..SearchQuery::new(kind)
        };
        let first = (1, limit as u32);
        let achievements = self
            .run_search(
                of(EntityKind::Achievement),
                first,
                None,
                Achievement::from_record,
            )
            .await?;
        let experts = self
            .run_search(of(EntityKind::Expert), first, None, |r| match r {
                Record::Expert(e) => Some(redact_expert(caller, e)),
                _ => None,
            })
            .await?;
        let instruments = self
            .run_search(
                of(EntityKind::Instrument),
                first,
                None,
                Instrument::from_record,
            )
            .await?;
        let experts = records(experts.items);
        self.audit_contact_read(
            caller,
            AuditSubject::Expert,
            expert_contact_ids(&experts),
            "单位主页的专家列表",
        )
        .await?;
        Ok((
            records(achievements.items),
            experts,
            records(instruments.items),
        ))
    }

    /// The achievements an expert leads (负责人), newest first, at most `limit`.
    pub async fn achievements_led_by(
        &self,
        expert_id: &str,
        limit: usize,
    ) -> AppResult<Vec<Achievement>> {
        let query = SearchQuery {
            expert_id: Some(expert_id.to_string()),
            limit,
            ..SearchQuery::new(EntityKind::Achievement)
        };
        let page = self
            .run_search(query, (1, limit as u32), None, Achievement::from_record)
            .await?;
        Ok(records(page.items))
    }

    pub async fn organization(
        &self,
        id: &str,
    ) -> AppResult<(duijie_core::Organization, duijie_store::OrgCounts)> {
        let org = found(self.store.get_organization(id).await, "单位")?;
        let counts = self
            .store
            .organization_counts(id)
            .await
            .map_err(store_err)?;
        Ok((org, counts))
    }
}

fn redact_expert(caller: &Caller, mut e: Expert) -> Expert {
    if !caller.may(Action::SeeExpertContacts) {
        e.body.contact = Default::default();
    }
    e
}

/// The experts of an answer whose contact details reach the caller.
fn expert_contact_ids<'a>(experts: impl IntoIterator<Item = &'a Expert>) -> Vec<String> {
    experts
        .into_iter()
        .filter(|e| !e.body.contact.is_empty())
        .map(|e| e.id.clone())
        .collect()
}

/// The records of a page, without their highlights.
fn records<T>(items: Vec<Found<T>>) -> Vec<T> {
    items.into_iter().map(|f| f.record).collect()
}
