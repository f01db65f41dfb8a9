//! The search box ([`SearchIndex::search`]): filters, ranges, facets, highlights, and "most
//! words must match" over the query's word groups, sorted by relevance, newest, deadline or
//! budget.
//!
//! Queries are built from analysed tokens only; user text never reaches a query parser.

use crate::at_least::AtLeast;
use crate::facets::{FacetCollector, Facets};
use crate::highlight::{Highlighter, Terms};
use crate::index::SearchIndex;
use crate::retrieval::{filter, term_query, Filter};
use crate::schema::names;
use crate::tokenizer::{analyze_with, QueryToken, TokenKind};
use crate::SearchError;
use duijie_core::EntityKind;
use std::collections::{BTreeMap, HashSet};
use std::ops::Bound;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{
    BooleanQuery, BoostQuery, Occur, PhraseQuery, Query, RangeQuery, RegexQuery, TermSetQuery,
};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::{DocAddress, DocId, Order, Searcher, TantivyDocument, Term};

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
}
