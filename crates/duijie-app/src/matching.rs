//! Ranking partners for demands and demands for institutions, with the rules on who may ask.

use crate::access::forbidden;
use crate::{blocking, cancelled, internal, store_err, Action, App, AppResult, Caller};
use duijie_core::{Demand, DomainError, EntityKind, Field};
use duijie_match::{CandidateKind, DemandMatch, MatchError, MatchInput, ProfileDoc, Ranking};
use duijie_search::SearchQuery;
use duijie_store::Record;
use serde::Deserialize;

pub const MAX_MATCH_LIMIT: usize = 50;
/// Candidates a ranking lists when the request does not say.
pub const DEFAULT_MATCH_LIMIT: usize = 10;
const MAX_MATCH_TEXT: usize = 5_000;
/// Documents of an institution that make up its profile for recommendations.
const PROFILE_DOCS: usize = 60;

/// Body of `POST /api/v1/match`.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MatchRequest {
    pub text: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::candidate_kind_or_null))]
    pub kind: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(default = 10, minimum = 1, maximum = 50))]
    pub limit: Option<usize>,
    #[serde(default)]
    pub field: Option<String>,
    #[serde(default)]
    pub region: Option<String>,
    /// Share of semantic evidence, 0 (words only) to 1 (meaning only); the service's
    /// setting when absent. Ignored when the service runs without vectors.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 1))]
    pub semantic_ratio: Option<f32>,
}

pub type MatchResponse = Ranking;

pub(crate) fn parse_kind(kind: Option<&str>) -> AppResult<CandidateKind> {
    match kind.map(str::trim).filter(|k| !k.is_empty()) {
        None => Ok(CandidateKind::Institution),
        Some(k) => CandidateKind::parse(k).ok_or_else(|| {
            DomainError::invalid(
                "kind",
                format!("kind 须为 institution 或 expert，而不是“{k}”"),
            )
        }),
    }
}

/// A caller's `semantic_ratio`, checked.
pub(crate) fn parse_ratio(ratio: Option<f32>) -> AppResult<Option<f32>> {
    match ratio {
        Some(r) if !duijie_match::is_semantic_ratio(r) => Err(DomainError::invalid(
            "semantic_ratio",
            "semantic_ratio 须在 0 到 1 之间（0 只按词语，1 只按语义）",
        )),
        other => Ok(other),
    }
}

pub(crate) fn parse_limit(limit: Option<usize>) -> AppResult<usize> {
    match limit.unwrap_or(DEFAULT_MATCH_LIMIT) {
        0 => Err(DomainError::invalid("limit", "limit 至少为 1")),
        n if n > MAX_MATCH_LIMIT => Err(DomainError::invalid(
            "limit",
            format!("limit 最大为 {MAX_MATCH_LIMIT}"),
        )),
        n => Ok(n),
    }
}

/// A ranking's failure as its caller sees it: one stopped because its request is gone is no
/// internal failure.
pub(crate) fn match_err(context: &str, err: MatchError) -> DomainError {
    match err {
        MatchError::Cancelled(_) => cancelled(),
        other => internal(context, other),
    }
}

/// A stored demand as the matcher reads it.
pub(crate) fn match_input(d: &Demand) -> MatchInput {
    MatchInput {
        title: d.body.title.clone(),
        description: format!("{}\n{}", d.body.description, d.body.keywords.join("；")),
        goals: d.body.goals.clone(),
        field: d.body.field,
        region: d.body.region.clone(),
    }
}

impl App {
    pub(crate) async fn rank(
        &self,
        input: MatchInput,
        kind: CandidateKind,
        limit: usize,
        semantic_ratio: Option<f32>,
    ) -> AppResult<Ranking> {
        let mut matcher = self.matcher.clone();
        if let Some(ratio) = semantic_ratio {
            let config = duijie_match::MatchConfig {
                semantic_ratio: ratio,
                ..*matcher.config()
            };
            matcher = matcher.with_config(config);
        }
        self.cancellable(move |cancel| {
            matcher
                .with_cancel(cancel.clone())
                .rank(&input, kind, limit)
                .map_err(|e| match_err("match", e))
        })
        .await
    }

    /// Ranks partners for an ad hoc demand text (anyone).
    pub async fn match_text(&self, req: &MatchRequest) -> AppResult<Ranking> {
        let kind = parse_kind(req.kind.as_deref())?;
        let limit = parse_limit(req.limit)?;
        let ratio = parse_ratio(req.semantic_ratio)?;
        let text = req.text.trim();
        if text.is_empty() {
            return Err(DomainError::invalid("text", "请输入需求描述"));
        }
        let text: String = text.chars().take(MAX_MATCH_TEXT).collect();
        let field = match req
            .field
            .as_deref()
            .map(str::trim)
            .filter(|f| !f.is_empty())
        {
            Some(f) => {
                Some(Field::try_from(f.to_string()).map_err(|m| DomainError::invalid("field", m))?)
            }
            None => None,
        };
        let mut input = MatchInput::from_text(&text);
        input.field = field;
        input.region = req.region.clone().filter(|r| !r.trim().is_empty());
        self.rank(input, kind, limit, ratio).await
    }

    /// Ranks partners for a stored demand the caller may see.
    pub async fn match_demand(
        &self,
        caller: &Caller,
        id: &str,
        kind: Option<&str>,
        limit: Option<usize>,
        semantic_ratio: Option<f32>,
    ) -> AppResult<Ranking> {
        let kind = parse_kind(kind)?;
        let limit = parse_limit(limit)?;
        let ratio = parse_ratio(semantic_ratio)?;
        let d = self.demand(caller, id).await?;
        self.rank(match_input(&d), kind, limit, ratio).await
    }

    /// Published demands ranked for an institution (that institution and the bureau).
    pub async fn recommended_demands(
        &self,
        caller: &Caller,
        org_id: &str,
        limit: Option<usize>,
    ) -> AppResult<Vec<DemandMatch>> {
        caller.require(Action::RecommendDemands)?;
        if !caller.may_keep_records_of(org_id) {
            return Err(forbidden());
        }
        let limit = parse_limit(limit)?;
        self.organization(org_id).await?;
        let mut profile = Vec::new();
        for kind in [EntityKind::Achievement, EntityKind::Expert] {
            let mut q = SearchQuery::new(kind);
            q.org_id = Some(org_id.to_string());
            q.limit = PROFILE_DOCS;
            let index = self.index.clone();
            let hits =
                blocking(move || index.search(&q).map_err(|e| internal("search", e))).await?;
            let ids: Vec<String> = hits.hits.into_iter().map(|h| h.id).collect();
            for r in self
                .store
                .get_records(kind, &ids)
                .await
                .map_err(store_err)?
            {
                profile.push(match r {
                    Record::Achievement(a) => ProfileDoc {
                        title: a.body.title,
                        keywords: a.body.keywords,
                        body: a.body.summary,
                    },
                    Record::Expert(e) => ProfileDoc {
                        title: e.body.research_areas.join("；"),
                        keywords: e.body.keywords,
                        body: e.body.bio,
                    },
                    Record::Demand(_) | Record::Instrument(_) => continue,
                });
            }
        }
        let matcher = self.matcher.clone();
        self.cancellable(move |cancel| {
            matcher
                .with_cancel(cancel.clone())
                .recommend_demands(&profile, limit)
                .map_err(|e| match_err("recommend", e))
        })
        .await
    }
}
