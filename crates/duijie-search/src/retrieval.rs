//! Weighted retrieval for ranking ([`SearchIndex::top_weighted`]): the best documents of one
//! kind for weighted terms, with the fields ranking reads from fast fields and the query words
//! each contains; the filters it shares with the search box, and one document by id.
//!
//! Queries are built from analysed tokens only; user text never reaches a query parser.

use crate::index::SearchIndex;
use crate::schema::{names, IndexDoc, KEYWORD_SEPARATOR, OPEN_ENDED_DAY};
use crate::tokenizer::GRAM_MARK;
use crate::SearchError;
use duijie_core::EntityKind;
use std::collections::HashMap;
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, ConstScoreQuery, Occur, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::{DocAddress, DocId, DocSet, Searcher, TantivyDocument, Term, TERMINATED};

/// One query term of weighted retrieval and how much it counts.
#[derive(Debug, Clone, PartialEq)]
pub struct WeightedTerm {
    pub term: String,
    pub weight: f32,
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

pub(crate) fn term_query(field: Field, text: &str, option: IndexRecordOption) -> Box<dyn Query> {
    Box::new(TermQuery::new(Term::from_field_text(field, text), option))
}

/// Wraps a filter so it restricts without adding to the score.
pub(crate) fn filter(query: Box<dyn Query>) -> (Occur, Box<dyn Query>) {
    (Occur::Must, Box::new(ConstScoreQuery::new(query, 0.0)))
}

impl SearchIndex {
    /// Filter clauses; the kind only when `kind` is given (text fields already imply it).
    pub(crate) fn filter_clauses(
        &self,
        kind: Option<EntityKind>,
        f: &Filter,
    ) -> Vec<(Occur, Box<dyn Query>)> {
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

    /// Weighted retrieval for ranking with the default [`FieldBoosts`].
    pub fn top_weighted(
        &self,
        kind: EntityKind,
        terms: &[WeightedTerm],
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
        terms: &[WeightedTerm],
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
        for WeightedTerm { term, weight } in terms {
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

    /// The documents `ids` of `kind` as retrieval returns them, with score 0 and no matched
    /// words (documents found otherwise, e.g. by meaning), in the order of `ids`; an id not
    /// indexed as `kind` is left out. Read from fast fields like the words' hits, not from the
    /// stored documents.
    pub fn hits(&self, kind: EntityKind, ids: &[&str]) -> Result<Vec<ScoredDoc>, SearchError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let searcher = self.reader.searcher();
        // Each id's postings read directly (one term-dictionary lookup), then kept when the kind's
        // postings hold the document: no query, weight or collector per call, which cost a
        // third of a hybrid match at 100k when built as a term-set query.
        let kind_term = self.kind_term(kind);
        let mut top = Vec::new();
        for (segment_ord, segment) in searcher.segment_readers().iter().enumerate() {
            let id_index = segment.inverted_index(self.fields.id)?;
            let mut docs: Vec<DocId> = Vec::new();
            for id in ids {
                let term = Term::from_field_text(self.fields.id, id);
                let Some(mut postings) = id_index
                    .read_postings(&term, IndexRecordOption::Basic)
                    .map_err(tantivy::TantivyError::from)?
                else {
                    continue;
                };
                // An id rewritten since the last merge has a deleted older copy.
                let mut doc = postings.doc();
                while doc != TERMINATED {
                    if segment
                        .alive_bitset()
                        .is_none_or(|alive| alive.is_alive(doc))
                    {
                        docs.push(doc);
                    }
                    doc = postings.advance();
                }
            }
            docs.sort_unstable();
            docs.dedup();
            let Some(mut of_kind) = segment
                .inverted_index(kind_term.field())?
                .read_postings(&kind_term, IndexRecordOption::Basic)
                .map_err(tantivy::TantivyError::from)?
            else {
                continue;
            };
            for doc in docs {
                let at = if of_kind.doc() >= doc {
                    of_kind.doc()
                } else {
                    of_kind.seek(doc)
                };
                if at == TERMINATED {
                    break;
                }
                if at == doc {
                    top.push((0.0, DocAddress::new(segment_ord as u32, doc)));
                }
            }
        }
        let mut docs = self.scored_docs(&searcher, kind, top, &[], &[])?;
        let position: HashMap<&str, usize> =
            ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
        docs.sort_by_key(|d| position.get(d.id.as_str()).copied());
        Ok(docs)
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
