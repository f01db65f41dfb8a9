//! The matcher: a demand in, a ranking of institutions or experts out, each with its evidence
//! and a one-line reason.
//!
//! Institutions are scored from their achievements and experts, experts from the achievements
//! they lead and their own profile documents. Document scores are multiplied by the field and
//! region priors, grouped per candidate and aggregated ([`Aggregation`]). With
//! [`MatchConfig::via_experts`] an institution's score is aggregated from its people's scores
//! instead of its raw documents, so that one researcher with a body of closely related work
//! counts more than scattered single matches.

use crate::aggregate::Aggregation;
use crate::dense::{fuse, DenseView, Fusion, Semantic};
use crate::query::{build_query, MatchInput, QueryConfig, WeightedQuery};
use crate::retrieve::{FieldWeights, Retriever};
use crate::segment::Segmenter;
use crate::MatchError;
use duijie_core::{Cancel, EntityKind, Field, OrgKind};
use duijie_search::{Filter, ScoredDoc, WeightedTerm};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Instant;

/// What is being ranked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum CandidateKind {
    /// Universities and institutes (科研机构).
    #[default]
    Institution,
    /// Researchers (专家).
    Expert,
}

impl CandidateKind {
    pub const ALL: [CandidateKind; 2] = [CandidateKind::Institution, CandidateKind::Expert];

    pub fn as_str(self) -> &'static str {
        match self {
            CandidateKind::Institution => "institution",
            CandidateKind::Expert => "expert",
        }
    }

    pub fn parse(s: &str) -> Option<CandidateKind> {
        CandidateKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// What a piece of evidence is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceKind {
    Achievement,
    Expert,
    /// A shared instrument (科研仪器) of the institution: shown as capacity, never scored.
    Instrument,
}

impl EvidenceKind {
    pub const ALL: [EvidenceKind; 3] = [
        EvidenceKind::Achievement,
        EvidenceKind::Expert,
        EvidenceKind::Instrument,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EvidenceKind::Achievement => "achievement",
            EvidenceKind::Expert => "expert",
            EvidenceKind::Instrument => "instrument",
        }
    }
}

/// One document that supports a candidate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    pub kind: EvidenceKind,
    pub id: String,
    pub title: String,
    pub score: f64,
    pub matched_terms: Vec<String>,
    /// Found by meaning only (语义相近): no word of the demand is in it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub semantic: bool,
}

/// How well a candidate's evidence covers the demand, calibrated on the judged demand set
/// (`docs/ranking.md`): 强相关 / 部分相关 / 弱相关.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    Strong,
    Partial,
    Weak,
}

impl Tier {
    pub const ALL: [Tier; 3] = [Tier::Strong, Tier::Partial, Tier::Weak];

    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Strong => "strong",
            Tier::Partial => "partial",
            Tier::Weak => "weak",
        }
    }

    /// The label shown to users.
    pub fn label(self) -> &'static str {
        match self {
            Tier::Strong => "强相关",
            Tier::Partial => "部分相关",
            Tier::Weak => "弱相关",
        }
    }
}

/// Whether the corpus serves the demand at all: the best candidate's tier (`None`: no
/// candidate reaches 部分相关, so the honest answer is "no good partner found").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Coverage {
    Good,
    Partial,
    None,
}

impl Coverage {
    fn of(candidates: &[Candidate]) -> Coverage {
        match candidates.iter().map(|c| c.tier).min_by_key(|t| *t as u8) {
            Some(Tier::Strong) => Coverage::Good,
            Some(Tier::Partial) => Coverage::Partial,
            _ => Coverage::None,
        }
    }
}

/// One ranked institution or expert.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    /// 1-based.
    pub rank: usize,
    /// Organisation id, expert id, or `org_id|name` for a leader without an expert record.
    pub id: String,
    /// The expert record of a person candidate; `None` for an institution and for a leader
    /// without an expert record. Not on the wire: there `id` says it.
    #[serde(skip)]
    pub expert_id: Option<String>,
    pub name: String,
    pub institution: String,
    pub score: f64,
    /// How much of the demand's core its best document covers, 0–1: the matched share of
    /// the weight × IDF of the demand's heaviest words ([`MatchConfig::core_terms`]).
    pub strength: f64,
    pub tier: Tier,
    /// One Chinese line: `3 项相关成果，关键词：锂电池、正极材料`; only evidence above the weak
    /// tier is counted.
    pub reason: String,
    pub evidence: Vec<Evidence>,
    /// The institution's shared instruments relevant to the demand (institution rankings
    /// only): evidence of capacity beside the score, which they do not change.
    #[serde(default)]
    pub instruments: Vec<Evidence>,
}

/// The answer of the match endpoints.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ranking {
    pub kind: CandidateKind,
    pub took_ms: f64,
    pub coverage: Coverage,
    pub candidates: Vec<Candidate>,
}

/// Every knob of ranking. The defaults are the configuration measured in `docs/ranking.md`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MatchConfig {
    pub query: QueryConfig,
    /// Weights of the text fields in retrieval.
    pub fields: FieldWeights,
    /// Documents fetched per kind (achievements, experts) before grouping.
    pub retrieve_limit: usize,
    /// Documents the meaning (dense) side adds per kind when `semantic_ratio` > 0: fewer is
    /// faster and costs some quality (`docs/performance.md`, "Fewer dense candidates").
    pub dense_limit: usize,
    /// Aggregation of an institution's documents (or, with `via_experts`, of its people).
    pub institution_agg: Aggregation,
    /// Aggregation of one person's documents.
    pub expert_agg: Aggregation,
    /// Score institutions from their people's aggregated scores.
    pub via_experts: bool,
    /// Multiplier of expert-profile documents relative to achievements.
    pub expert_doc_weight: f32,
    /// Multiplier of a document whose field is the demand's field (1 = no prior).
    pub field_boost: f32,
    /// Multiplier of a document whose region contains, or is contained in, the demand's region.
    pub region_boost: f32,
    /// Evidence items listed per candidate.
    pub evidence_limit: usize,
    /// Leave organisations whose name says they are companies out of institution rankings.
    pub research_only: bool,
    /// Expert rankings: a person's score is their own documents' aggregate plus this share of
    /// their organisation's (all its retrieved documents, aggregated as for institutions), so
    /// that of two people with similar own work the one in the stronger group ranks first
    /// (0 = own work only).
    pub expert_org_weight: f32,
    /// The demand's core: this many of its heaviest words (weight × IDF of the kind) are
    /// what a document's strength is measured against.
    pub core_terms: usize,
    /// Each document's score is multiplied by its strength to this power (0 = plain BM25):
    /// a document that shares only a peripheral word with the demand sinks.
    pub strength_power: f32,
    /// A candidate whose strength reaches this is 强相关.
    pub strong_at: f32,
    /// A candidate whose strength reaches this is at least 部分相关.
    pub partial_at: f32,
    /// Share of semantic (dense) evidence in each document's score: 0 = words only, 1 =
    /// meaning only. Needs a matcher with [`Matcher::with_semantic`].
    pub semantic_ratio: f32,
    /// How dense and lexical evidence are combined.
    pub fusion: Fusion,
}

impl MatchConfig {
    /// The tier of a candidate of this strength.
    pub fn tier_of(&self, strength: f32) -> Tier {
        if strength >= self.strong_at {
            Tier::Strong
        } else if strength >= self.partial_at {
            Tier::Partial
        } else {
            Tier::Weak
        }
    }
}

impl Default for MatchConfig {
    fn default() -> Self {
        MatchConfig {
            query: QueryConfig::default(),
            fields: FieldWeights::default(),
            retrieve_limit: 100,
            dense_limit: 100,
            institution_agg: Aggregation::RankDecay { k: 5, decay: 0.5 },
            expert_agg: Aggregation::RankDecay { k: 5, decay: 0.3 },
            via_experts: false,
            expert_doc_weight: 1.0,
            field_boost: 1.2,
            region_boost: 1.1,
            evidence_limit: 3,
            research_only: true,
            expert_org_weight: 0.5,
            core_terms: 4,
            strength_power: 0.5,
            strong_at: 0.7,
            partial_at: 0.5,
            semantic_ratio: 0.0,
            fusion: Fusion::Normalised,
        }
    }
}

/// Ranks partners for demands against one index.
#[derive(Clone)]
pub struct Matcher {
    index: Arc<dyn Retriever>,
    segmenter: Segmenter,
    config: MatchConfig,
    semantic: Option<Semantic>,
    /// Checked inside the loops of ranking: a clone made for one request stops when the
    /// request is gone ([`Matcher::with_cancel`]).
    pub(crate) cancel: Cancel,
}

impl std::fmt::Debug for Matcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Matcher")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// An organisation's evidence as a whole, for ranking its people.
struct OrgContext<'h> {
    score: f32,
    /// Ids of its documents above the weak tier and at least [`STRONG_MATCH`] times as good as
    /// the query's best one.
    strong: Vec<&'h str>,
}

/// The query as one kind of document sees it ([`Matcher::kind_query`]).
struct KindQuery {
    terms: Vec<WeightedTerm>,
    core: Core,
}

/// The demand's words as one kind of document sees them.
struct Core {
    /// Query weight × IDF of each word.
    mass: HashMap<String, f32>,
    /// The mass of the heaviest words: a document matching all of them has strength 1.
    core: f32,
}

impl Core {
    /// The matched share of the core, capped at 1.
    fn strength(&self, hit: &ScoredDoc) -> f32 {
        if self.core <= 0.0 {
            return 0.0;
        }
        let matched: f32 = hit
            .matched_terms
            .iter()
            .filter_map(|t| self.mass.get(t))
            .sum();
        (matched / self.core).min(1.0)
    }
}

/// Documents of a kind below which no term is too common to count (see `Matcher::kind_query`).
const CEILING_MIN_DOCS: u64 = 100;

/// The kinds of document partners are ranked from.
const RANKED_KINDS: [EntityKind; 2] = [EntityKind::Achievement, EntityKind::Expert];

/// A document matches strongly when it scores at least this share of the query's best one.
const STRONG_MATCH: f32 = 0.5;

/// A document's score after the priors, with the document and its strength.
#[derive(Clone, Copy)]
struct Scored<'a> {
    score: f32,
    strength: f32,
    hit: &'a ScoredDoc,
    /// Found by the dense side only.
    semantic: bool,
}

struct Group<'a> {
    id: String,
    expert_id: Option<String>,
    name: String,
    institution: String,
    docs: Vec<Scored<'a>>,
}

/// A candidate's strength: that of its best-covering document.
fn strongest(docs: &[Scored<'_>]) -> f32 {
    docs.iter().map(|d| d.strength).fold(0.0f32, f32::max)
}

fn sorted_scores(docs: &[Scored<'_>]) -> Vec<f32> {
    let mut s: Vec<f32> = docs.iter().map(|d| d.score).collect();
    s.sort_by(|a, b| b.total_cmp(a));
    s
}

fn regions_match(a: &str, b: &str) -> bool {
    let a = a.trim();
    let b = b.trim();
    !a.is_empty() && !b.is_empty() && (a.contains(b) || b.contains(a))
}

fn round3(x: f32) -> f64 {
    (f64::from(x) * 1000.0).round() / 1000.0
}

/// A person candidate: the id it is ranked under and its expert record.
struct PersonKey {
    /// The expert record's id, else the synthetic `org_id|name`.
    id: String,
    expert_id: Option<String>,
}

/// The person of a document: their expert record (their own, or the one linked to their name
/// at the organisation), else only their name at the organisation.
fn person_key(
    org_id: &str,
    person: Option<&str>,
    expert_id: Option<&str>,
    links: &HashMap<(String, String), String>,
) -> Option<PersonKey> {
    let p = person?.trim();
    if p.is_empty() {
        return None;
    }
    let record = match expert_id {
        Some(e) => Some(e.to_string()),
        None => links.get(&(org_id.to_string(), p.to_string())).cloned(),
    };
    Some(match record {
        Some(id) => PersonKey {
            expert_id: Some(id.clone()),
            id,
        },
        None => PersonKey {
            id: format!("{org_id}|{p}"),
            expert_id: None,
        },
    })
}

impl Matcher {
    /// A matcher with the default configuration; queries are segmented with the index's
    /// dictionary.
    pub fn new(index: Arc<dyn Retriever>) -> Self {
        Matcher {
            segmenter: Segmenter::new(index.jieba()),
            index,
            config: MatchConfig::default(),
            semantic: None,
            cancel: Cancel::never(),
        }
    }

    /// This matcher for one request's work: its rankings stop with
    /// [`MatchError::Cancelled`] once `cancel` is set or its deadline has passed.
    pub fn with_cancel(&self, cancel: Cancel) -> Matcher {
        Matcher {
            cancel,
            ..self.clone()
        }
    }

    /// Replaces the configuration.
    pub fn with_config(mut self, config: MatchConfig) -> Self {
        self.config = config;
        self
    }

    /// Adds dense evidence (used when `semantic_ratio` > 0).
    pub fn with_semantic(mut self, semantic: Semantic) -> Self {
        self.semantic = Some(semantic);
        self
    }

    pub fn config(&self) -> &MatchConfig {
        &self.config
    }

    pub(crate) fn index(&self) -> &dyn Retriever {
        self.index.as_ref()
    }

    pub(crate) fn segmenter(&self) -> &Segmenter {
        &self.segmenter
    }

    /// The weighted query a demand becomes (for explanations and debugging).
    pub fn query(&self, input: &MatchInput) -> WeightedQuery {
        build_query(
            input,
            &self.segmenter,
            self.index.as_ref(),
            &RANKED_KINDS,
            &self.config.query,
            &self.cancel,
        )
    }

    /// The query as the documents of `kind` see it, each term's document frequency looked up
    /// once: the terms informative there (a term in more than [`QueryConfig::max_df_ratio`] of
    /// them is boilerplate; a kind with fewer than [`CEILING_MIN_DOCS`] documents has no
    /// ceiling, a handful cannot tell boilerplate from topic), and the demand's core among
    /// them (its words weighed by IDF, the heaviest [`MatchConfig::core_terms`] summed).
    fn kind_query(&self, kind: EntityKind, query: &WeightedQuery) -> KindQuery {
        let n = self.index.num_docs(kind);
        let ceiling = (n >= CEILING_MIN_DOCS).then_some(self.config.query.max_df_ratio * n as f32);
        let n = n as f32;
        let mut terms = Vec::with_capacity(query.terms.len());
        let mut mass: HashMap<String, f32> = HashMap::new();
        for t in &query.terms {
            let df = self.index.doc_freq(kind, &t.term) as f32;
            if ceiling.is_some_and(|c| df > c) {
                continue;
            }
            // A word no document of the kind has cannot be matched there: in the core it
            // would only lower every strength of the kind alike.
            if df > 0.0 && !crate::is_gram(&t.term) {
                let idf = (1.0 + (n - df + 0.5) / (df + 0.5)).ln();
                mass.insert(t.term.clone(), t.weight * idf);
            }
            terms.push(t.clone());
        }
        let mut heaviest: Vec<f32> = mass.values().copied().collect();
        heaviest.sort_by(|a, b| b.total_cmp(a));
        let core = heaviest.iter().take(self.config.core_terms.max(1)).sum();
        KindQuery {
            terms,
            core: Core { mass, core },
        }
    }

    /// What a demand is about, as the ranking sees it: its core words (the heaviest
    /// [`MatchConfig::core_terms`] by weight × IDF among research records, boilerplate and
    /// words no record has left out), heaviest first. A generic word of the description
    /// (不足, 优化, 路径) weighs less than the technology the title names. With no research
    /// record to weigh against, the first topic words of the text stand in.
    pub fn topic_terms(&self, input: &MatchInput) -> Vec<String> {
        let [title, description, goals] = input.texts();
        let text = format!("{title}\n{description}\n{goals}");
        // Whole informative words only: the query also holds the parts of long words
        // (氧化 and 化铝 of 氧化铝), which find documents but name nothing.
        let mut words = crate::topic_words(&self.segmenter, &text);
        let query = self.query(input);
        let mut mass: HashMap<String, f32> = HashMap::new();
        for kind in RANKED_KINDS {
            for (term, m) in self.kind_query(kind, &query).core.mass {
                if words.contains(&term) {
                    let e = mass.entry(term).or_insert(0.0);
                    *e = e.max(m);
                }
            }
        }
        let n = self.config.core_terms.max(1);
        if mass.is_empty() {
            words.truncate(n);
            return words;
        }
        let mut terms: Vec<(String, f32)> = mass.into_iter().collect();
        terms.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        terms.into_iter().take(n).map(|(t, _)| t).collect()
    }

    /// Ranks institutions or experts for a demand.
    pub fn rank(
        &self,
        input: &MatchInput,
        kind: CandidateKind,
        limit: usize,
    ) -> Result<Ranking, MatchError> {
        let start = Instant::now();
        self.cancel.check()?;
        let query = self.query(input);
        self.cancel.check()?;
        // A demand none of whose words any record uses can still be found by meaning.
        let mut candidates = if limit == 0 || (query.is_empty() && !self.semantic_on()) {
            Vec::new()
        } else {
            self.rank_query(input, &query, kind, limit)?
        };
        if kind == CandidateKind::Institution && !candidates.is_empty() {
            self.attach_instruments(&query, &mut candidates)?;
        }
        Ok(Ranking {
            kind,
            took_ms: start.elapsed().as_secs_f64() * 1000.0,
            coverage: Coverage::of(&candidates),
            candidates,
        })
    }

    /// Whether dense evidence takes part in ranking: a share above 0 and vectors to search.
    fn semantic_on(&self) -> bool {
        self.config.semantic_ratio > 0.0
            && self
                .semantic
                .as_ref()
                .is_some_and(|s| !s.vectors.is_empty())
    }

    /// The best documents of each ranked kind for its view of the query.
    fn retrieve(&self, views: &[(EntityKind, KindQuery)]) -> Result<Vec<ScoredDoc>, MatchError> {
        let mut hits = Vec::new();
        for (kind, view) in views {
            self.cancel.check()?;
            if view.terms.is_empty() {
                continue;
            }
            hits.extend(self.index.top(
                *kind,
                &view.terms,
                &Filter::default(),
                &self.config.fields.boosts(),
                self.config.retrieve_limit,
            )?);
        }
        Ok(hits)
    }

    /// Dense evidence per ranked kind when `semantic_ratio` > 0 and vectors are attached: the
    /// kind's best documents by cosine to the demand (those not found by words are added to
    /// `hits` with score 0 and no matched words) and the cosine of every hit.
    fn dense_views(
        &self,
        input: &MatchInput,
        views: &[(EntityKind, KindQuery)],
        hits: &mut Vec<ScoredDoc>,
    ) -> Result<HashMap<EntityKind, DenseView>, MatchError> {
        let mut out = HashMap::new();
        let Some(semantic) = self.semantic.as_ref().filter(|_| self.semantic_on()) else {
            return Ok(out);
        };
        let Some(q) = semantic.encoder.encode_query(&input.semantic_text()) else {
            return Ok(out);
        };
        self.cancel.check()?;
        for (kind, _) in views {
            let lexical: Vec<String> = hits
                .iter()
                .filter(|h| h.kind == *kind)
                .map(|h| h.id.clone())
                .collect();
            let also: Vec<&str> = lexical.iter().map(String::as_str).collect();
            let (top, mut cosine) =
                semantic
                    .vectors
                    .search(*kind, &q, self.config.dense_limit, &also);
            for (id, c) in &top {
                cosine.insert(id.clone(), *c);
            }
            let known: HashSet<&str> = also.iter().copied().collect();
            let meaning_only: Vec<&str> = top
                .iter()
                .map(|(id, _)| id.as_str())
                .filter(|id| !known.contains(id))
                .collect();
            hits.extend(self.index.hits(*kind, &meaning_only)?);
            out.insert(*kind, DenseView { top, cosine });
        }
        Ok(out)
    }

    /// Lists each institution's instruments that share words with the demand, best first.
    /// Retrieval is the same weighted query as for achievements; scores stay as ranked.
    fn attach_instruments(
        &self,
        query: &WeightedQuery,
        candidates: &mut [Candidate],
    ) -> Result<(), MatchError> {
        if query.is_empty() {
            return Ok(());
        }
        let hits = self.index.top(
            EntityKind::Instrument,
            &self.kind_query(EntityKind::Instrument, query).terms,
            &Filter::default(),
            &self.config.fields.boosts(),
            self.config.retrieve_limit,
        )?;
        for c in candidates.iter_mut() {
            c.instruments = hits
                .iter()
                .filter(|h| h.org_id == c.id && !h.matched_terms.is_empty())
                .take(self.config.evidence_limit)
                .map(|h| Evidence {
                    kind: EvidenceKind::Instrument,
                    id: h.id.clone(),
                    title: h.title.clone(),
                    score: round3(h.score),
                    matched_terms: h.matched_terms.clone(),
                    semantic: false,
                })
                .collect();
        }
        Ok(())
    }

    /// Per organisation, its retrieved documents aggregated as for an institution ranking,
    /// and how many of them match strongly (at least half as well as the query's best
    /// document): the context an expert's own work is ranked in.
    fn org_context<'h>(&self, hits: &[Scored<'h>]) -> HashMap<&'h str, OrgContext<'h>> {
        let mut per_org: HashMap<&str, Vec<(f32, &str, f32)>> = HashMap::new();
        for d in hits.iter().filter(|d| !d.hit.org_id.is_empty()) {
            per_org.entry(d.hit.org_id.as_str()).or_default().push((
                d.score,
                d.hit.id.as_str(),
                d.strength,
            ));
        }
        let best = per_org.values().flatten().fold(0.0f32, |a, d| a.max(d.0));
        per_org
            .into_iter()
            .map(|(org, docs)| {
                let strong = docs
                    .iter()
                    .filter(|d| d.0 >= STRONG_MATCH * best && d.2 >= self.config.partial_at)
                    .map(|d| d.1)
                    .collect();
                let mut scores: Vec<f32> = docs.iter().map(|d| d.0).collect();
                scores.sort_by(|a, b| b.total_cmp(a));
                let context = OrgContext {
                    score: self.config.institution_agg.combine(&scores),
                    strong,
                };
                (org, context)
            })
            .collect()
    }

    fn prior(&self, input: &MatchInput, hit: &ScoredDoc) -> f32 {
        let mut m = if hit.kind == EntityKind::Expert {
            self.config.expert_doc_weight
        } else {
            1.0
        };
        if input.field.is_some() && hit.field.as_deref().and_then(Field::from_label) == input.field
        {
            m *= self.config.field_boost;
        }
        if let (Some(want), Some(have)) = (&input.region, &hit.region) {
            if regions_match(want, have) {
                m *= self.config.region_boost;
            }
        }
        m
    }

    fn rank_query(
        &self,
        input: &MatchInput,
        query: &WeightedQuery,
        kind: CandidateKind,
        limit: usize,
    ) -> Result<Vec<Candidate>, MatchError> {
        let views: Vec<(EntityKind, KindQuery)> = RANKED_KINDS
            .into_iter()
            .filter(|k| *k != EntityKind::Expert || self.config.expert_doc_weight > 0.0)
            .map(|k| (k, self.kind_query(k, query)))
            .collect();
        let mut hits = self.retrieve(&views)?;
        let dense = self.dense_views(input, &views, &mut hits)?;
        let lexical_ids: HashSet<(EntityKind, &str)> = hits
            .iter()
            .filter(|h| h.score > 0.0)
            .map(|h| (h.kind, h.id.as_str()))
            .collect();
        // Leaders of achievements are linked to expert records when any hit links them.
        let mut links: HashMap<(String, String), String> = HashMap::new();
        for h in &hits {
            if let (Some(p), Some(e)) = (&h.person, &h.expert_id) {
                links.insert((h.org_id.clone(), p.trim().to_string()), e.clone());
            }
        }
        let person_key = |h: &ScoredDoc| -> Option<PersonKey> {
            person_key(
                &h.org_id,
                h.person.as_deref(),
                h.expert_id.as_deref(),
                &links,
            )
        };

        // Each document's lexical score (BM25 × strength), its rank among its kind's, and
        // then its score after fusion and the priors, computed once for grouping and context.
        let lexical: Vec<(f32, f32)> = hits
            .iter()
            .map(|h| {
                let strength = views
                    .iter()
                    .find(|(k, _)| *k == h.kind)
                    .map_or(0.0, |(_, v)| v.core.strength(h));
                // `powf(0.0)` is 1 for every strength, 0 included: power 0 is plain BM25.
                (
                    h.score * strength.powf(self.config.strength_power),
                    strength,
                )
            })
            .collect();
        let mut best: HashMap<EntityKind, f32> = HashMap::new();
        let mut order: Vec<usize> = (0..hits.len()).filter(|&i| lexical[i].0 > 0.0).collect();
        order.sort_by(|&a, &b| lexical[b].0.total_cmp(&lexical[a].0));
        let mut lexical_rank: HashMap<usize, usize> = HashMap::new();
        let mut seen: HashMap<EntityKind, usize> = HashMap::new();
        for i in order {
            let kind = hits[i].kind;
            let n = seen.entry(kind).or_default();
            *n += 1;
            lexical_rank.insert(i, *n);
            best.entry(kind).or_insert(lexical[i].0);
        }
        let weighted: Vec<Scored<'_>> = hits
            .iter()
            .enumerate()
            .map(|(i, h)| {
                let (lex, strength) = lexical[i];
                let fused = match dense.get(&h.kind) {
                    Some(view) => fuse(
                        self.config.fusion,
                        self.config.semantic_ratio,
                        lex,
                        lexical_rank.get(&i).copied(),
                        best.get(&h.kind).copied().unwrap_or(0.0),
                        view,
                        &h.id,
                    ),
                    None => lex,
                };
                Scored {
                    score: fused * self.prior(input, h),
                    strength,
                    hit: h,
                    semantic: !lexical_ids.contains(&(h.kind, h.id.as_str())),
                }
            })
            .filter(|d| d.score > 0.0 || dense.is_empty())
            .collect();
        let mut groups: Vec<Group<'_>> = Vec::new();
        let mut slot: HashMap<String, usize> = HashMap::new();
        for d in &weighted {
            self.cancel.check()?;
            let h = d.hit;
            let (id, expert_id, name) = match kind {
                CandidateKind::Institution => {
                    if self.config.research_only
                        && OrgKind::infer(&h.org_name, OrgKind::Institute) == OrgKind::Enterprise
                    {
                        continue;
                    }
                    (h.org_id.clone(), None, h.org_name.clone())
                }
                CandidateKind::Expert => match person_key(h) {
                    Some(key) => (key.id, key.expert_id, h.person.clone().unwrap_or_default()),
                    None => continue,
                },
            };
            if h.org_id.is_empty() {
                continue;
            }
            let i = *slot.entry(id.clone()).or_insert_with(|| {
                groups.push(Group {
                    id,
                    expert_id,
                    name,
                    institution: h.org_name.clone(),
                    docs: Vec::new(),
                });
                groups.len() - 1
            });
            groups[i].docs.push(*d);
        }

        let orgs = if kind == CandidateKind::Expert && self.config.expert_org_weight > 0.0 {
            self.org_context(&weighted)
        } else {
            HashMap::new()
        };
        // (score, colleagues' matching documents, candidate)
        let mut scored: Vec<(f32, usize, Group<'_>)> = groups
            .into_iter()
            .map(|g| {
                let own = self.group_score(&g, kind, &person_key);
                let org = g.docs.first().map(|d| d.hit.org_id.as_str());
                match org.and_then(|o| orgs.get(o)) {
                    Some(c) => (
                        own + self.config.expert_org_weight * c.score,
                        c.strong
                            .iter()
                            .filter(|id| !g.docs.iter().any(|d| d.hit.id == **id))
                            .count(),
                        g,
                    ),
                    None => (own, 0, g),
                }
            })
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.2.id.cmp(&b.2.id)));
        scored.truncate(limit);
        Ok(scored
            .into_iter()
            .enumerate()
            .map(|(i, (score, colleagues, g))| {
                self.candidate(i + 1, score, g, colleagues, query, kind)
            })
            .collect())
    }

    fn group_score(
        &self,
        g: &Group<'_>,
        kind: CandidateKind,
        person_key: &dyn Fn(&ScoredDoc) -> Option<PersonKey>,
    ) -> f32 {
        match kind {
            CandidateKind::Expert => self.config.expert_agg.combine(&sorted_scores(&g.docs)),
            CandidateKind::Institution if !self.config.via_experts => {
                self.config.institution_agg.combine(&sorted_scores(&g.docs))
            }
            CandidateKind::Institution => {
                let mut people: HashMap<String, Vec<f32>> = HashMap::new();
                for d in &g.docs {
                    let key = person_key(d.hit).map_or_else(|| d.hit.id.clone(), |p| p.id);
                    people.entry(key).or_default().push(d.score);
                }
                let mut per_person: Vec<f32> = people
                    .into_values()
                    .map(|mut s| {
                        s.sort_by(|a, b| b.total_cmp(a));
                        self.config.expert_agg.combine(&s)
                    })
                    .collect();
                per_person.sort_by(|a, b| b.total_cmp(a));
                self.config.institution_agg.combine(&per_person)
            }
        }
    }

    fn candidate(
        &self,
        rank: usize,
        score: f32,
        mut g: Group<'_>,
        colleagues: usize,
        query: &WeightedQuery,
        kind: CandidateKind,
    ) -> Candidate {
        g.docs.sort_by(|a, b| b.score.total_cmp(&a.score));
        let strength = strongest(&g.docs);
        let tier = self.config.tier_of(strength);
        let reason = reason(&g.docs, colleagues, query, kind, self.config.partial_at);
        let evidence = g
            .docs
            .iter()
            .take(self.config.evidence_limit)
            .map(|d| Evidence {
                kind: if d.hit.kind == EntityKind::Expert {
                    EvidenceKind::Expert
                } else {
                    EvidenceKind::Achievement
                },
                id: d.hit.id.clone(),
                title: d.hit.title.clone(),
                score: round3(d.score),
                matched_terms: d.hit.matched_terms.clone(),
                semantic: d.semantic,
            })
            .collect();
        Candidate {
            rank,
            id: g.id,
            expert_id: g.expert_id,
            name: g.name,
            institution: g.institution,
            score: round3(score),
            strength: round3(strength),
            tier,
            reason,
            evidence,
            instruments: Vec::new(),
        }
    }
}

/// `3 项相关成果、1 位相关专家，关键词：锂电池、正极材料` — counts of the candidate's documents
/// above the weak tier (for an expert also the matching work of others at their organisation,
/// which adds to their score), and the (at most three) query terms that carried most of its
/// score, a term left out when a longer chosen term contains it. A candidate with no document
/// above the weak tier says so: `证据较弱，仅共享词语：系统、模型`.
fn reason(
    all: &[Scored<'_>],
    colleagues: usize,
    query: &WeightedQuery,
    kind: CandidateKind,
    partial_at: f32,
) -> String {
    let relevant: Vec<Scored<'_>> = all
        .iter()
        .filter(|d| d.strength >= partial_at)
        .copied()
        .collect();
    let weak = relevant.is_empty();
    let docs: &[Scored<'_>] = if weak { all } else { &relevant };
    let achievements = docs
        .iter()
        .filter(|d| d.hit.kind != EntityKind::Expert)
        .count();
    let experts = docs.len() - achievements;
    let mut parts: Vec<String> = Vec::new();
    if weak {
        // Nothing to count: only the shared words are said.
    } else if achievements > 0 {
        parts.push(format!("{achievements} 项相关成果"));
    }
    if experts > 0 && !weak {
        parts.push(match kind {
            CandidateKind::Institution => format!("{experts} 位相关专家"),
            CandidateKind::Expert => "研究方向相关".to_string(),
        });
    }
    if colleagues > 0 && !weak {
        parts.push(format!("所在单位另有 {colleagues} 项相关工作"));
    }
    let weight: HashMap<&str, f32> = query
        .terms
        .iter()
        .map(|t| (t.term.as_str(), t.weight))
        .collect();
    let mut mass: HashMap<&str, f32> = HashMap::new();
    for d in docs {
        for t in &d.hit.matched_terms {
            if let Some((term, w)) = weight.get_key_value(t.as_str()) {
                *mass.entry(term).or_default() += w;
            }
        }
    }
    let mut by_mass: Vec<(&str, f32)> = mass.into_iter().collect();
    by_mass.sort_by(|a, b| {
        b.1.total_cmp(&a.1)
            .then(b.0.chars().count().cmp(&a.0.chars().count()))
            .then(a.0.cmp(b.0))
    });
    let mut chosen: Vec<&str> = Vec::new();
    for (t, _) in by_mass {
        if chosen.len() == 3 {
            break;
        }
        if chosen.iter().any(|c| c.contains(t) || t.contains(c)) {
            continue;
        }
        chosen.push(t);
    }
    let mut line = parts.join("、");
    if !chosen.is_empty() {
        if !line.is_empty() {
            line.push('，');
        }
        line.push_str(if weak {
            "证据较弱，仅共享词语："
        } else {
            "关键词："
        });
        line.push_str(&chosen.join("、"));
    }
    // Documents found by meaning share no word with the demand: said as such, never
    // dressed up with words.
    let by_meaning = all.iter().filter(|d| d.semantic).count();
    if by_meaning > 0 {
        if !line.is_empty() {
            line.push('；');
        }
        if by_meaning == all.len() {
            line.push_str("仅语义相近，未共享需求中的词语，请核实");
        } else {
            line.push_str(&format!("另有 {by_meaning} 项语义相近"));
        }
    }
    line
}
