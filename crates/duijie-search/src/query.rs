//! Reading the index: the search box ([`SearchIndex::search`]: filters, facets, highlights),
//! weighted retrieval for ranking ([`SearchIndex::top_weighted`]) and term statistics.
//!
//! Queries are built from analysed tokens only; user text never reaches a query parser.

use crate::at_least::AtLeast;
use crate::facets::{FacetCollector, Facets};
use crate::highlight::{Highlighter, Terms};
use crate::index::SearchIndex;
use crate::schema::{names, IndexDoc, KEYWORD_SEPARATOR, OPEN_ENDED_DAY};
use crate::tokenizer::{analyze_with, QueryToken, TokenKind, GRAM_MARK};
use crate::SearchError;
use duijie_core::EntityKind;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Bound;
use tantivy::collector::{Count, HistogramCollector, TopDocs};
use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, Occur, PhraseQuery, Query, RangeQuery, RegexQuery,
    TermQuery, TermSetQuery,
};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::{
    DocAddress, DocId, DocSet, Order, Searcher, SegmentReader, TantivyDocument, Term, TERMINATED,
};

/// Largest page a search returns, and deepest offset it pages to.
const MAX_LIMIT: usize = 500;
const MAX_OFFSET: usize = 10_000;
/// Word groups of a search-box query beyond this are ignored (a pasted essay stays cheap).
const MAX_GROUPS: usize = 32;
/// Single characters that carry no meaning on their own in a search-box query.
const STOP_CHARS: &[&str] = &[
    "的", "了", "和", "与", "及", "或", "在", "是", "对", "等", "之", "其", "为", "以", "于", "由",
    "把", "被", "将", "并", "而", "也", "有", "中", "用",
];

/// A search-box query over one kind of record.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchQuery {
    pub kind: EntityKind,
    /// Free text; `None` or blank lists everything that passes the filters, newest first.
    pub text: Option<String>,
    /// Taxonomy label.
    pub field: Option<String>,
    pub region: Option<String>,
    /// A cooperation mode the record must offer.
    pub mode: Option<String>,
    /// Allowed statuses; `None` = any.
    pub statuses: Option<Vec<String>>,
    pub org_id: Option<String>,
    /// Achievements led by this expert record.
    pub expert_id: Option<String>,
    /// Demands only: budget and deadline bounds.
    pub ranges: DemandRanges,
    /// Only these documents (ids), e.g. the candidates found by meaning, checked against the
    /// filters.
    pub ids: Option<Vec<String>>,
    pub sort: Sort,
    pub offset: usize,
    pub limit: usize,
}

/// The order of a search-box page.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Sort {
    /// By score when there is text, otherwise newest first.
    #[default]
    Relevance,
    Newest,
    /// Demands: the soonest deadline first; those without a fixed date (长期) last.
    Deadline,
    /// Demands: the largest budget first; 面议 last.
    Budget,
}

/// Bounds on a demand's budget (万元) and deadline (days from 0001-01-01), all inclusive. A
/// demand without an amount (面议) passes no budget bound; one without a fixed deadline (长期)
/// passes every lower deadline bound and no upper one.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct DemandRanges {
    pub budget_min: Option<f64>,
    pub budget_max: Option<f64>,
    pub deadline_from: Option<i64>,
    pub deadline_to: Option<i64>,
}

impl SearchQuery {
    /// Everything of `kind`, first page of 20.
    pub fn new(kind: EntityKind) -> Self {
        SearchQuery {
            kind,
            text: None,
            field: None,
            region: None,
            mode: None,
            statuses: None,
            org_id: None,
            expert_id: None,
            ranges: DemandRanges::default(),
            ids: None,
            sort: Sort::Relevance,
            offset: 0,
            limit: 20,
        }
    }
}

/// One search result.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub id: String,
    /// BM25 score; 0 when listing without text.
    pub score: f32,
    /// The whole title, HTML-escaped, matched words in `<em>`.
    pub title_html: String,
    /// A passage of the body, HTML-escaped, matched words in `<em>`.
    pub snippet_html: String,
}

/// A page of results with the total and facet counts over all of them.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchResults {
    pub total: usize,
    pub hits: Vec<Hit>,
    pub facets: Facets,
}

/// A page of results without the text of its records (read from the system of record instead):
/// ids and scores, the total and facet counts, and the highlighter for the text shown.
#[derive(Debug)]
pub struct SearchPage {
    pub total: usize,
    /// Document id and BM25 score (0 when listing without text), in rank order.
    pub hits: Vec<(String, f32)>,
    pub facets: Facets,
    pub highlighter: Highlighter,
}

/// What a search-box query found, before the hits are read.
struct Found {
    searcher: Searcher,
    total: usize,
    page: Vec<(f32, DocAddress)>,
    facets: Facets,
    highlighter: Highlighter,
}

/// A page ordered by a fast field carries no score.
fn unscored<T>(docs: Vec<(T, DocAddress)>) -> Vec<(f32, DocAddress)> {
    docs.into_iter().map(|(_, a)| (0.0, a)).collect()
}

/// Optional restrictions for [`SearchIndex::top_weighted`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    pub field: Option<String>,
    pub region: Option<String>,
    /// Allowed statuses; `None` = any.
    pub statuses: Option<Vec<String>>,
    pub org_id: Option<String>,
    pub mode: Option<String>,
    pub expert_id: Option<String>,
}

/// How much a term counts in each text field, for weighted retrieval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FieldBoosts {
    pub title: f32,
    pub keywords: f32,
    pub body: f32,
    /// The organisation's name.
    pub org: f32,
    /// The Han-character bigrams of title and keywords: only terms marked with
    /// [`crate::GRAM_MARK`] are looked up there, and only there.
    pub grams: f32,
}

impl Default for FieldBoosts {
    fn default() -> Self {
        FieldBoosts {
            title: 3.0,
            keywords: 2.0,
            body: 1.0,
            org: 1.0,
            grams: 1.0,
        }
    }
}

/// One document retrieved for ranking, read from fast fields (no document-store access).
#[derive(Debug, Clone, PartialEq)]
pub struct ScoredDoc {
    pub id: String,
    pub kind: EntityKind,
    pub score: f32,
    pub title: String,
    pub org_id: String,
    pub org_name: String,
    pub person: Option<String>,
    pub expert_id: Option<String>,
    pub field: Option<String>,
    pub region: Option<String>,
    pub year: Option<i64>,
    /// The query words found in the document's text fields, in query order (bigram terms are
    /// never reported: they are not words a person would read).
    pub matched_terms: Vec<String>,
}

fn term_query(field: Field, text: &str, option: IndexRecordOption) -> Box<dyn Query> {
    Box::new(TermQuery::new(Term::from_field_text(field, text), option))
}

/// Wraps a filter so it restricts without adding to the score.
fn filter(query: Box<dyn Query>) -> (Occur, Box<dyn Query>) {
    (Occur::Must, Box::new(ConstScoreQuery::new(query, 0.0)))
}

/// Tokens of a search-box query grouped by word: a word with its parts, or a run of single
/// characters with their joined pairs. A document must match most groups.
struct Group {
    tokens: Vec<(String, TokenKind)>,
}

fn group_tokens(tokens: &[QueryToken]) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    let mut seen: HashSet<&str> = HashSet::new();
    // Whether the last group is a run of single characters still open to more.
    let mut in_run = false;
    for t in tokens {
        match t.kind {
            TokenKind::Word => {
                let single = t.text.chars().count() == 1;
                if single && STOP_CHARS.contains(&t.text.as_str()) {
                    in_run = false;
                    continue;
                }
                if !(single && in_run) {
                    if !seen.insert(&t.text) || groups.len() >= MAX_GROUPS {
                        in_run = false;
                        // A repeated word adds nothing; its parts follow and are skipped too.
                        groups.push(Group { tokens: Vec::new() });
                        continue;
                    }
                    groups.push(Group { tokens: Vec::new() });
                }
                in_run = single;
                if let Some(g) = groups.last_mut() {
                    g.tokens.push((t.text.clone(), t.kind));
                }
            }
            TokenKind::Part | TokenKind::Joined => {
                if let Some(g) = groups.last_mut() {
                    if !g.tokens.is_empty() && !g.tokens.iter().any(|(x, _)| *x == t.text) {
                        g.tokens.push((t.text.clone(), t.kind));
                    }
                }
            }
        }
    }
    groups.retain(|g| !g.tokens.is_empty());
    groups
}

impl SearchIndex {
    /// Filter clauses; the kind only when `kind` is given (text fields already imply it).
    fn filter_clauses(&self, kind: Option<EntityKind>, f: &Filter) -> Vec<(Occur, Box<dyn Query>)> {
        let fields = &self.fields;
        let basic = IndexRecordOption::Basic;
        let mut clauses = Vec::new();
        if let Some(kind) = kind {
            clauses.push(filter(term_query(fields.kind, kind.as_str(), basic)));
        }
        let exact = [
            (fields.field, &f.field),
            (fields.region, &f.region),
            (fields.modes, &f.mode),
            (fields.org_id, &f.org_id),
            (fields.expert_id, &f.expert_id),
        ];
        for (field, value) in exact {
            if let Some(v) = value {
                clauses.push(filter(term_query(field, v, basic)));
            }
        }
        if let Some(statuses) = &f.statuses {
            let any: Vec<(Occur, Box<dyn Query>)> = statuses
                .iter()
                .map(|s| (Occur::Should, term_query(fields.status, s, basic)))
                .collect();
            clauses.push(filter(Box::new(BooleanQuery::new(any))));
        }
        clauses
    }

    /// The range filters of a demand search. Open-ended deadlines are stored as the largest
    /// day and 面议 as a negative budget, so the bounds treat them as [`DemandRanges`] says.
    fn range_clauses(&self, r: &DemandRanges) -> Vec<(Occur, Box<dyn Query>)> {
        let f = &self.fields;
        let mut out = Vec::new();
        if r.budget_min.is_some() || r.budget_max.is_some() {
            let lower = Term::from_field_f64(f.budget, r.budget_min.unwrap_or(0.0).max(0.0));
            let upper = r.budget_max.map_or(Bound::Unbounded, |m| {
                Bound::Included(Term::from_field_f64(f.budget, m))
            });
            let q = RangeQuery::new(Bound::Included(lower), upper);
            out.push(filter(Box::new(q)));
        }
        if r.deadline_from.is_some() || r.deadline_to.is_some() {
            let bound = |d: Option<i64>| {
                d.map_or(Bound::Unbounded, |d| {
                    Bound::Included(Term::from_field_i64(f.deadline, d))
                })
            };
            let q = RangeQuery::new(bound(r.deadline_from), bound(r.deadline_to));
            out.push(filter(Box::new(q)));
        }
        out
    }

    /// The text part of a search-box query, or `None` when the text has no searchable token.
    fn text_query(
        &self,
        kind: EntityKind,
        text: &str,
        tokens: &[QueryToken],
    ) -> Option<Box<dyn Query>> {
        let f = &self.fields;
        let t = f.text(kind);
        let freqs = IndexRecordOption::WithFreqs;
        let weighted = [
            (t.title, 3.0),
            (t.keywords, 2.0),
            (t.org_name, 1.0),
            (t.body, 1.0),
        ];
        let groups = group_tokens(tokens);
        let mut group_queries: Vec<Box<dyn Query>> = Vec::new();
        for g in &groups {
            let mut alternatives: Vec<(Occur, Box<dyn Query>)> = Vec::new();
            for (token, kind) in &g.tokens {
                // A part only stands in for the word; the whole word ranks higher.
                let weight = if *kind == TokenKind::Word { 1.0 } else { 0.5 };
                for (field, boost) in weighted {
                    let q = BoostQuery::new(term_query(field, token, freqs), boost * weight);
                    alternatives.push((Occur::Should, Box::new(q)));
                }
                // One Han character (铝) is rarely a word of its own: find it inside the
                // words of titles and keywords (氧化铝) through their character bigrams.
                if let Some(q) = Self::inside_words(t.grams, token) {
                    alternatives.push((Occur::Should, q));
                }
            }
            group_queries.push(Box::new(BooleanQuery::new(alternatives)));
        }
        let n = group_queries.len();
        let mut any: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        if n > 0 {
            let groups: Box<dyn Query> = if n <= 3 {
                Box::new(BooleanQuery::new(
                    group_queries
                        .into_iter()
                        .map(|q| (Occur::Must, q))
                        .collect(),
                ))
            } else {
                Box::new(AtLeast::new(group_queries, (2 * n).div_ceil(3)))
            };
            any.push((Occur::Should, groups));
        }
        // A person's name is stored whole: match the query as typed. The person field is
        // shared by every kind, so this clause alone needs the kind.
        let name = duijie_core::text::clean_line(text);
        if !name.is_empty() && name.chars().count() <= 16 {
            let basic = IndexRecordOption::Basic;
            let person = BoostQuery::new(term_query(f.person, &name, basic), 2.0);
            any.push((
                Occur::Should,
                Box::new(BooleanQuery::new(vec![
                    (Occur::Must, Box::new(person)),
                    filter(term_query(f.kind, kind.as_str(), basic)),
                ])),
            ));
        }
        if any.is_empty() {
            None
        } else {
            Some(Box::new(BooleanQuery::new(any)))
        }
    }

    /// Documents whose title or keywords hold the single Han character `token` inside a word:
    /// their bigram field has a bigram starting or ending with it. `None` for anything else.
    fn inside_words(grams: Field, token: &str) -> Option<Box<dyn Query>> {
        let mut chars = token.chars();
        let c = chars.next()?;
        if chars.next().is_some() || !crate::tokenizer::is_cjk(c) {
            return None;
        }
        // A CJK character is never regex syntax.
        let q = RegexQuery::from_pattern(&format!("{c}.|.{c}"), grams).ok()?;
        Some(Box::new(BoostQuery::new(Box::new(q), 1.5)))
    }

    /// Rewards titles containing the query's words in order (optional clause, never required).
    fn title_phrase(&self, kind: EntityKind, tokens: &[QueryToken]) -> Option<Box<dyn Query>> {
        let title = self.fields.text(kind).title;
        let words: Vec<&QueryToken> = tokens
            .iter()
            .filter(|t| t.kind == TokenKind::Word)
            .take(16)
            .collect();
        let first = words.first()?.position;
        if words.len() < 2 {
            return None;
        }
        let terms = words
            .iter()
            .map(|t| (t.position - first, Term::from_field_text(title, &t.text)))
            .collect();
        Some(Box::new(BoostQuery::new(
            Box::new(PhraseQuery::new_with_offset(terms)),
            2.0,
        )))
    }

    /// The search box: filters, optional free text, a page of hits with highlights, the total
    /// and facet counts. Any text is safe: it is analysed into tokens, never parsed.
    pub fn search(&self, q: &SearchQuery) -> Result<SearchResults, SearchError> {
        let found = self.find(q)?;
        let f = &self.fields;
        let t = f.text(q.kind);
        let mut hits = Vec::with_capacity(found.page.len());
        for (score, address) in found.page {
            let doc: TantivyDocument = found.searcher.doc(address)?;
            let text_of = |field: Field| {
                doc.get_first(field)
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
            };
            hits.push(Hit {
                id: text_of(f.id).to_string(),
                score,
                title_html: found.highlighter.title(text_of(t.title)),
                snippet_html: found.highlighter.snippet(text_of(t.body)),
            });
        }
        Ok(SearchResults {
            total: found.total,
            hits,
            facets: found.facets,
        })
    }

    /// [`SearchIndex::search`] without reading the hits' stored text: ids from the fast field,
    /// for a caller that reads the records from the store and highlights what it shows with
    /// [`SearchPage::highlighter`].
    pub fn search_page(&self, q: &SearchQuery) -> Result<SearchPage, SearchError> {
        let found = self.find(q)?;
        let mut by_segment: BTreeMap<u32, Vec<usize>> = BTreeMap::new();
        for (i, (_, address)) in found.page.iter().enumerate() {
            by_segment.entry(address.segment_ord).or_default().push(i);
        }
        let mut hits: Vec<(String, f32)> = found
            .page
            .iter()
            .map(|(score, _)| (String::new(), *score))
            .collect();
        for (segment_ord, at) in by_segment {
            let docs: Vec<DocId> = at.iter().map(|&i| found.page[i].1.doc_id).collect();
            let segment = found.searcher.segment_reader(segment_ord);
            let ids = self.str_values(&found.searcher, segment, names::ID, &docs)?;
            for (i, id) in at.into_iter().zip(ids) {
                hits[i].0 = id.unwrap_or_default();
            }
        }
        Ok(SearchPage {
            total: found.total,
            hits,
            facets: found.facets,
            highlighter: found.highlighter,
        })
    }

    /// Runs a search-box query: the page's documents, the total, the facets and the
    /// highlighter of the query's words.
    fn find(&self, q: &SearchQuery) -> Result<Found, SearchError> {
        let filter_spec = Filter {
            field: q.field.clone(),
            region: q.region.clone(),
            statuses: q.statuses.clone(),
            org_id: q.org_id.clone(),
            mode: q.mode.clone(),
            expert_id: q.expert_id.clone(),
        };
        let text = q.text.as_deref().map(str::trim).filter(|t| !t.is_empty());
        // Text is matched in the kind's own fields (see `text_query`), which restricts to the
        // kind without intersecting every match with the kind's whole posting list.
        let mut clauses = self.filter_clauses(text.is_none().then_some(q.kind), &filter_spec);
        clauses.extend(self.range_clauses(&q.ranges));
        if let Some(ids) = &q.ids {
            let terms = ids
                .iter()
                .map(|id| Term::from_field_text(self.fields.id, id));
            clauses.push(filter(Box::new(TermSetQuery::new(terms))));
        }
        let tokens = text
            .map(|t| analyze_with(&self.jieba, t))
            .unwrap_or_default();
        let searcher = self.reader.searcher();
        let highlighter = self.highlighter(&searcher, q.kind, &tokens)?;
        let mut scored = false;
        if let Some(t) = text {
            match self.text_query(q.kind, t, &tokens) {
                Some(tq) => {
                    clauses.push((Occur::Must, tq));
                    if let Some(phrase) = self.title_phrase(q.kind, &tokens) {
                        clauses.push((Occur::Should, phrase));
                    }
                    scored = true;
                }
                // Only punctuation or spaces: nothing can match.
                None => {
                    return Ok(Found {
                        searcher,
                        total: 0,
                        page: Vec::new(),
                        facets: Facets::default(),
                        highlighter,
                    })
                }
            }
        }
        let query = BooleanQuery::new(clauses);
        let offset = q.offset.min(MAX_OFFSET);
        let limit = q.limit.clamp(1, MAX_LIMIT);
        let facets = FacetCollector::new(names::FIELD, names::REGION);
        let top = TopDocs::with_limit(limit).and_offset(offset);
        let sort = match q.sort {
            Sort::Relevance if scored => None,
            Sort::Relevance | Sort::Newest => Some((names::CREATED_AT, Order::Desc)),
            Sort::Deadline => Some((names::DEADLINE, Order::Asc)),
            Sort::Budget => Some((names::BUDGET, Order::Desc)),
        };
        let (page, total, facets): (Vec<(f32, DocAddress)>, usize, Facets) = match sort {
            None => {
                let stats = self.stats.provider(&searcher, self.kind_term(q.kind));
                searcher.search_with_statistics_provider(&query, &(top, Count, facets), &stats)?
            }
            Some((key, order)) if key == names::BUDGET => {
                let by = top.order_by_fast_field::<f64>(key, order);
                let (docs, total, facets) = searcher.search(&query, &(by, Count, facets))?;
                (unscored(docs), total, facets)
            }
            Some((key, order)) => {
                let by = top.order_by_fast_field::<i64>(key, order);
                let (docs, total, facets) = searcher.search(&query, &(by, Count, facets))?;
                (unscored(docs), total, facets)
            }
        };
        let page = if q.limit == 0 { Vec::new() } else { page };
        Ok(Found {
            searcher,
            total,
            page,
            facets,
            highlighter,
        })
    }

    fn highlighter(
        &self,
        searcher: &Searcher,
        kind: EntityKind,
        tokens: &[QueryToken],
    ) -> Result<Highlighter, SearchError> {
        let body = self.fields.text(kind).body;
        // Rarer terms make a better passage, as in tantivy's own generator.
        let mut weights = BTreeMap::new();
        for token in tokens {
            let df = self
                .stats
                .doc_freq(searcher, &Term::from_field_text(body, &token.text))?;
            weights.insert(token.text.clone(), 1.0 / (1.0 + df as f32));
        }
        let terms = Terms::new(tokens.iter().map(|t| t.text.as_str()));
        Ok(Highlighter::new(terms, weights))
    }

    /// Weighted retrieval for ranking with the default [`FieldBoosts`].
    pub fn top_weighted(
        &self,
        kind: EntityKind,
        terms: &[(String, f32)],
        filter: &Filter,
        limit: usize,
    ) -> Result<Vec<ScoredDoc>, SearchError> {
        self.top_weighted_with(kind, terms, filter, &FieldBoosts::default(), limit)
    }

    /// The best `limit` documents of `kind` for analysed `terms` (see [`crate::analyze`]), each
    /// with its query weight: the score is the sum over terms and fields of
    /// `weight × field boost × BM25`. Repeated terms have their weights added. A term marked
    /// with [`crate::GRAM_MARK`] is a character bigram and is looked up in the bigram field only.
    pub fn top_weighted_with(
        &self,
        kind: EntityKind,
        terms: &[(String, f32)],
        filter: &Filter,
        boosts: &FieldBoosts,
        limit: usize,
    ) -> Result<Vec<ScoredDoc>, SearchError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let t = self.fields.text(kind);
        let mut merged: Vec<(&str, f32)> = Vec::new();
        let mut at: HashMap<&str, usize> = HashMap::new();
        for (term, weight) in terms {
            if !(weight.is_finite() && *weight > 0.0) || term.is_empty() {
                continue;
            }
            match at.get(term.as_str()) {
                Some(&i) => merged[i].1 += weight,
                None => {
                    at.insert(term, merged.len());
                    merged.push((term, *weight));
                }
            }
        }
        let text_fields: Vec<(Field, f32)> = [
            (t.title, boosts.title),
            (t.keywords, boosts.keywords),
            (t.body, boosts.body),
            (t.org_name, boosts.org),
        ]
        .into_iter()
        .filter(|(_, b)| b.is_finite() && *b > 0.0)
        .collect();
        let grams = (boosts.grams.is_finite() && boosts.grams > 0.0).then_some(boosts.grams);
        let mut weighted = Vec::with_capacity(merged.len() * text_fields.len());
        let mut words: Vec<&str> = Vec::new();
        for (term, weight) in &merged {
            if let Some(gram) = term.strip_prefix(GRAM_MARK) {
                if let (Some(boost), false) = (grams, gram.is_empty()) {
                    weighted.push((Term::from_field_text(t.grams, gram), weight * boost));
                }
                continue;
            }
            words.push(term);
            for (field, boost) in &text_fields {
                weighted.push((Term::from_field_text(*field, term), weight * boost));
            }
        }
        let searcher = self.reader.searcher();
        // A (term, field) pair in no document adds nothing but an empty scorer (~2 KB, built
        // and moved per segment): leave it out, by the document frequencies remembered per
        // index generation (`stats.rs`).
        weighted.retain(|(term, _)| self.stats.doc_freq(&searcher, term).map_or(true, |n| n > 0));
        if weighted.is_empty() {
            return Ok(Vec::new());
        }
        // `Σ boost × BM25(term)` over the (term, field) pairs, any of them matching. One clause
        // required keeps tantivy's buffered union, which scores every matching document in
        // blocks of 4,096. With ~200 term scorers (dozens of words in three fields, plus
        // bigrams) that beats pruning: at 1M records block-max WAND (no clause required) served
        // about a fifth, and a MaxScore walk a seventh, of the matches per second
        // (docs/performance.md).
        let clauses: Vec<(Occur, Box<dyn Query>)> = weighted
            .into_iter()
            .map(|(term, boost)| {
                let q = TermQuery::new(term, IndexRecordOption::WithFreqs);
                let q: Box<dyn Query> = Box::new(BoostQuery::new(Box::new(q), boost));
                (Occur::Should, q)
            })
            .collect();
        let any = BooleanQuery::with_minimum_required_clauses(clauses, 1);
        let top_docs = TopDocs::with_limit(limit);
        // Each kind is scored among its own documents only.
        let stats = self.stats.provider(&searcher, self.kind_term(kind));
        let mut clauses = self.filter_clauses(None, filter);
        clauses.push((Occur::Must, Box::new(any)));
        let top = searcher.search_with_statistics_provider(
            &BooleanQuery::new(clauses),
            &top_docs,
            &stats,
        )?;
        let text_fields: Vec<Field> = text_fields.into_iter().map(|(f, _)| f).collect();
        self.scored_docs(&searcher, kind, top, &words, &text_fields)
    }

    /// Reads ranking fields from fast fields and checks which terms each hit contains, one
    /// postings cursor per (segment, term, field) advanced over the segment's hits in order.
    fn scored_docs(
        &self,
        searcher: &Searcher,
        kind: EntityKind,
        top: Vec<(f32, DocAddress)>,
        terms: &[&str],
        text_fields: &[Field],
    ) -> Result<Vec<ScoredDoc>, SearchError> {
        let mut out: Vec<Option<ScoredDoc>> = vec![None; top.len()];
        let mut by_segment: HashMap<u32, Vec<(DocId, usize)>> = HashMap::new();
        for (rank, (_, address)) in top.iter().enumerate() {
            by_segment
                .entry(address.segment_ord)
                .or_default()
                .push((address.doc_id, rank));
        }
        for (segment_ord, mut docs) in by_segment {
            docs.sort_unstable();
            let segment = searcher.segment_reader(segment_ord);
            let doc_ids: Vec<DocId> = docs.iter().map(|(doc, _)| *doc).collect();
            let values = |name: &str| self.str_values(searcher, segment, name, &doc_ids);
            let year = segment.fast_fields().i64(names::YEAR).ok();
            // matched[i][t]: hit i of this segment contains term t.
            let mut matched = vec![vec![false; terms.len()]; docs.len()];
            for (t, term) in terms.iter().enumerate() {
                for &field in text_fields {
                    let inverted = segment.inverted_index(field)?;
                    let postings = inverted
                        .read_postings(
                            &Term::from_field_text(field, term),
                            IndexRecordOption::Basic,
                        )
                        .map_err(tantivy::TantivyError::from)?;
                    let Some(mut postings) = postings else {
                        continue;
                    };
                    for (i, (doc, _)) in docs.iter().enumerate() {
                        if matched[i][t] {
                            continue;
                        }
                        let at = if postings.doc() >= *doc {
                            postings.doc()
                        } else {
                            postings.seek(*doc)
                        };
                        if at == TERMINATED {
                            break;
                        }
                        matched[i][t] |= at == *doc;
                    }
                }
            }
            let (mut id, mut title, mut org_id, mut org_name) = (
                values(names::ID)?,
                values(&names::title(kind))?,
                values(names::ORG_ID)?,
                values(&names::org_name(kind))?,
            );
            let (mut person, mut expert_id, mut field, mut region) = (
                values(names::PERSON)?,
                values(names::EXPERT_ID)?,
                values(names::FIELD)?,
                values(names::REGION)?,
            );
            for (i, (doc, rank)) in docs.into_iter().enumerate() {
                out[rank] = Some(ScoredDoc {
                    id: id[i].take().unwrap_or_default(),
                    kind,
                    score: top[rank].0,
                    title: title[i].take().unwrap_or_default(),
                    org_id: org_id[i].take().unwrap_or_default(),
                    org_name: org_name[i].take().unwrap_or_default(),
                    person: person[i].take(),
                    expert_id: expert_id[i].take(),
                    field: field[i].take(),
                    region: region[i].take(),
                    year: year.as_ref().and_then(|c| c.first(doc)),
                    matched_terms: terms
                        .iter()
                        .zip(&matched[i])
                        .filter(|(_, m)| **m)
                        .map(|(t, _)| t.to_string())
                        .collect(),
                });
            }
        }
        Ok(out.into_iter().flatten().collect())
    }

    /// The value of the string fast field `name` for each of `docs` of one segment.
    fn str_values(
        &self,
        searcher: &Searcher,
        segment: &SegmentReader,
        name: &str,
        docs: &[DocId],
    ) -> Result<Vec<Option<String>>, SearchError> {
        let Some(column) = segment.fast_fields().str(name)? else {
            return Ok(vec![None; docs.len()]);
        };
        let terms = self
            .columns
            .terms(searcher, segment.segment_id(), name, &column)?;
        Ok(docs
            .iter()
            .map(|doc| {
                column
                    .term_ords(*doc)
                    .next()
                    .and_then(|ord| terms.get(ord))
                    .map(str::to_string)
            })
            .collect())
    }

    /// Documents of `kind` containing `term` (analysed form) in their title, keywords or body:
    /// the largest of the three counts, a lower bound good enough for IDF weights. For a
    /// bigram term ([`crate::GRAM_MARK`]), the documents with it in their bigram field.
    pub fn doc_freq_in(&self, kind: EntityKind, term: &str) -> u64 {
        let searcher = self.reader.searcher();
        let t = self.fields.text(kind);
        let (fields, term) = match term.strip_prefix(GRAM_MARK) {
            Some(gram) => (vec![t.grams], gram),
            None => (vec![t.title, t.keywords, t.body], term),
        };
        fields
            .into_iter()
            .map(|field| {
                self.stats
                    .doc_freq(&searcher, &Term::from_field_text(field, term))
                    .unwrap_or_else(|error| {
                        tracing::warn!(%error, "doc_freq failed");
                        0
                    })
            })
            .max()
            .unwrap_or(0)
    }

    /// Documents of `kind` per year (the `year` field), oldest first; years without any
    /// document, and documents without a year, are left out.
    pub fn year_counts(&self, kind: EntityKind) -> Result<Vec<(i64, u64)>, SearchError> {
        const FIRST: i64 = 1900;
        const YEARS: usize = 200;
        let query = TermQuery::new(
            Term::from_field_text(self.fields.kind, kind.as_str()),
            IndexRecordOption::Basic,
        );
        let histogram = HistogramCollector::new(names::YEAR.to_string(), FIRST, 1, YEARS);
        let counts = self.reader.searcher().search(&query, &histogram)?;
        Ok(counts
            .into_iter()
            .zip(FIRST..)
            .filter(|(n, _)| *n > 0)
            .map(|(n, year)| (year, n))
            .collect())
    }

    /// Documents of `kind` in the index, as BM25 counts them for that kind (deleted ones
    /// until their segment is merged).
    pub fn num_docs_in(&self, kind: EntityKind) -> u64 {
        let searcher = self.reader.searcher();
        self.stats
            .doc_freq(&searcher, &self.kind_term(kind))
            .unwrap_or_else(|error| {
                tracing::warn!(%error, "kind count failed");
                0
            })
    }

    fn kind_term(&self, kind: EntityKind) -> Term {
        Term::from_field_text(self.fields.kind, kind.as_str())
    }

    /// The stored record with this id, if indexed and committed.
    pub fn get(&self, id: &str) -> Result<Option<IndexDoc>, SearchError> {
        let f = &self.fields;
        let searcher = self.reader.searcher();
        let query = TermQuery::new(Term::from_field_text(f.id, id), IndexRecordOption::Basic);
        let Some((_, address)) = searcher
            .search(&query, &TopDocs::with_limit(1))?
            .into_iter()
            .next()
        else {
            return Ok(None);
        };
        let doc: TantivyDocument = searcher.doc(address)?;
        let text = |field: Field| {
            doc.get_first(field)
                .and_then(|v| v.as_str())
                .map(str::to_string)
        };
        let int = |field: Field| doc.get_first(field).and_then(|v| v.as_i64());
        let Some(kind) = text(f.kind).as_deref().and_then(EntityKind::parse) else {
            return Ok(None);
        };
        let t = f.text(kind);
        Ok(Some(IndexDoc {
            kind,
            id: text(f.id).unwrap_or_default(),
            title: text(t.title).unwrap_or_default(),
            keywords: text(t.keywords)
                .map(|k| {
                    k.split(KEYWORD_SEPARATOR)
                        .filter(|s| !s.is_empty())
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default(),
            body: text(t.body).unwrap_or_default(),
            org_id: text(f.org_id).unwrap_or_default(),
            org_name: text(t.org_name).unwrap_or_default(),
            person: text(f.person),
            expert_id: text(f.expert_id),
            field: text(f.field),
            more_fields: doc
                .get_all(f.field)
                .skip(1)
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
            region: text(f.region),
            status: text(f.status),
            modes: doc
                .get_all(f.modes)
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
            created_at: int(f.created_at).unwrap_or_default(),
            year: int(f.year),
            deadline_day: int(f.deadline).filter(|d| *d != OPEN_ENDED_DAY),
            budget_wan: doc
                .get_first(f.budget)
                .and_then(|v| v.as_f64())
                .filter(|b| *b >= 0.0),
        }))
    }
}
