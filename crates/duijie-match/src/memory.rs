//! An in-memory BM25 index of achievements, experts and demands: the reference [`Retriever`]
//! used by the evaluation harness and the tests. Scoring mirrors a multi-field full-text
//! engine: BM25 per field (title, keywords, body) with per-field statistics, summed with field
//! boosts and the query term weights.

use crate::profile::{ProfileBuilder, ProfileHit, ProfileParams, Profiles};
use crate::rank::{person_key, CandidateKind};
use crate::retrieve::{DocFilter, DocHit, Retriever, WeightedTerm};
use crate::segment::Segmenter;
use crate::MatchError;
use duijie_core::{DemandStatus, EntityKind, Field};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

const N_FIELDS: usize = 4;
const TITLE: usize = 0;
const KEYWORDS: usize = 1;
const BODY: usize = 2;
const GRAMS: usize = 3;

/// A document to index: an achievement, an expert profile or a demand.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexDoc {
    pub kind: EntityKind,
    pub id: String,
    pub title: String,
    pub keywords: Vec<String>,
    pub body: String,
    pub org_id: String,
    pub org_name: String,
    /// Achievement leader (负责人) or expert name.
    pub person: Option<String>,
    pub expert_id: Option<String>,
    pub field: Option<Field>,
    pub region: Option<String>,
    /// Demands only.
    pub status: Option<DemandStatus>,
}

impl IndexDoc {
    /// A document of `kind` with the given id and title; the rest empty.
    pub fn new(kind: EntityKind, id: impl Into<String>, title: impl Into<String>) -> Self {
        IndexDoc {
            kind,
            id: id.into(),
            title: title.into(),
            keywords: Vec::new(),
            body: String::new(),
            org_id: String::new(),
            org_name: String::new(),
            person: None,
            expert_id: None,
            field: None,
            region: None,
            status: None,
        }
    }
}

/// BM25 parameters and field boosts.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Bm25Params {
    pub k1: f32,
    pub b: f32,
    /// Boosts of title, keywords, body and the character bigrams of title and keywords.
    pub field_boosts: [f32; N_FIELDS],
}

impl Default for Bm25Params {
    fn default() -> Self {
        Bm25Params {
            k1: 1.2,
            b: 0.75,
            field_boosts: [1.0, 1.0, 0.5, 1.0],
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Posting {
    doc: u32,
    field: u8,
    tf: u16,
}

#[derive(Debug, Default)]
struct TermEntry {
    df_any: u32,
    df: [u32; N_FIELDS],
    postings: Vec<Posting>,
}

/// The in-memory index. Build once with [`MemoryIndex::build`]; it is immutable afterwards.
#[derive(Debug)]
pub struct MemoryIndex {
    docs: Vec<IndexDoc>,
    lens: Vec<[u16; N_FIELDS]>,
    avg_len: [f32; N_FIELDS],
    terms: HashMap<String, TermEntry>,
    params: Bm25Params,
    profiles: Profiles,
}

impl MemoryIndex {
    /// Segments and indexes the documents.
    pub fn build(docs: Vec<IndexDoc>, segmenter: &Segmenter, params: Bm25Params) -> Self {
        let mut terms: HashMap<String, TermEntry> = HashMap::new();
        let mut lens = Vec::with_capacity(docs.len());
        let mut total = [0f64; N_FIELDS];
        let experts = expert_links(&docs);
        let mut org_profiles = ProfileBuilder::default();
        let mut person_profiles = ProfileBuilder::default();
        for (i, d) in docs.iter().enumerate() {
            let mut bag: Vec<(String, f32)> = Vec::new();
            let keywords = d.keywords.join(" ");
            let fields = [
                segmenter.tokens(&d.title),
                segmenter.tokens(&keywords),
                segmenter.tokens(&d.body),
                segmenter.bigrams(&format!("{} {keywords}", d.title)),
            ];
            let mut len = [0u16; N_FIELDS];
            let mut seen_any: Vec<String> = Vec::new();
            for (f, tokens) in fields.into_iter().enumerate() {
                len[f] = u16::try_from(tokens.len()).unwrap_or(u16::MAX);
                total[f] += f64::from(len[f]);
                let mut tf: HashMap<String, u16> = HashMap::new();
                for t in tokens {
                    *tf.entry(t).or_default() += 1;
                }
                for (t, n) in tf.iter().filter(|_| f != GRAMS) {
                    bag.push((t.clone(), f32::from(*n) * params.field_boosts[f]));
                }
                for (t, n) in tf {
                    let e = terms.entry(t.clone()).or_default();
                    e.df[f] += 1;
                    e.postings.push(Posting {
                        doc: i as u32,
                        field: f as u8,
                        tf: n,
                    });
                    if !seen_any.contains(&t) {
                        e.df_any += 1;
                        seen_any.push(t);
                    }
                }
            }
            lens.push(len);
            if d.kind != EntityKind::Demand && !d.org_id.is_empty() {
                org_profiles.add(&d.org_id, &bag);
                let own = if d.kind == EntityKind::Expert {
                    Some(d.id.as_str())
                } else {
                    d.expert_id.as_deref()
                };
                if let Some(key) = person_key(&d.org_id, d.person.as_deref(), own, &experts) {
                    person_profiles.add(&key, &bag);
                }
            }
        }
        let n = docs.len().max(1) as f64;
        let avg_len = [
            (total[TITLE] / n).max(1.0) as f32,
            (total[KEYWORDS] / n).max(1.0) as f32,
            (total[BODY] / n).max(1.0) as f32,
            (total[GRAMS] / n).max(1.0) as f32,
        ];
        MemoryIndex {
            docs,
            lens,
            avg_len,
            terms,
            params,
            profiles: Profiles {
                institutions: org_profiles.build(),
                experts: person_profiles.build(),
            },
        }
    }

    /// Number of indexed documents.
    pub fn len(&self) -> usize {
        self.docs.len()
    }

    /// `true` when nothing is indexed.
    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    fn idf(&self, df: u32) -> f32 {
        let n = self.docs.len() as f32;
        let df = df as f32;
        (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
    }

    fn keep(&self, doc: &IndexDoc, kind: EntityKind, filter: &DocFilter) -> bool {
        doc.kind == kind
            && (filter.statuses.is_empty()
                || doc.status.is_some_and(|s| filter.statuses.contains(&s)))
    }
}

/// `(org_id, name)` → expert id, from expert documents and linked achievements.
fn expert_links(docs: &[IndexDoc]) -> HashMap<(String, String), String> {
    let mut links = HashMap::new();
    for d in docs {
        let expert_id = match d.kind {
            EntityKind::Expert => Some(&d.id),
            EntityKind::Achievement => d.expert_id.as_ref(),
            _ => None,
        };
        if let (Some(e), Some(p)) = (expert_id, &d.person) {
            links.insert((d.org_id.clone(), p.trim().to_string()), e.clone());
        }
    }
    links
}

impl Retriever for MemoryIndex {
    fn top_profiles(
        &self,
        kind: CandidateKind,
        terms: &[WeightedTerm],
        params: &ProfileParams,
        limit: usize,
    ) -> Result<Vec<ProfileHit>, MatchError> {
        Ok(self.profiles.of(kind).top(terms, params, limit))
    }

    fn doc_freq(&self, term: &str) -> u64 {
        self.terms.get(term).map_or(0, |e| u64::from(e.df_any))
    }

    fn num_docs(&self) -> u64 {
        self.docs.len() as u64
    }

    fn top(
        &self,
        kind: EntityKind,
        terms: &[WeightedTerm],
        filter: &DocFilter,
        limit: usize,
    ) -> Result<Vec<DocHit>, MatchError> {
        let Bm25Params {
            k1,
            b,
            field_boosts,
        } = self.params;
        // Score and a bit set of the matched query terms (at most 64 terms are used).
        let mut acc: HashMap<u32, (f32, u64)> = HashMap::new();
        for (qi, wt) in terms.iter().take(64).enumerate() {
            let Some(entry) = self.terms.get(&wt.term) else {
                continue;
            };
            let idf: [f32; N_FIELDS] = [
                self.idf(entry.df[TITLE]),
                self.idf(entry.df[KEYWORDS]),
                self.idf(entry.df[BODY]),
                self.idf(entry.df[GRAMS]),
            ];
            for p in &entry.postings {
                let doc = &self.docs[p.doc as usize];
                if !self.keep(doc, kind, filter) {
                    continue;
                }
                let f = usize::from(p.field);
                let tf = f32::from(p.tf);
                let dl = f32::from(self.lens[p.doc as usize][f]);
                let norm = k1 * (1.0 - b + b * dl / self.avg_len[f]);
                let s = wt.weight * field_boosts[f] * idf[f] * tf * (k1 + 1.0) / (tf + norm);
                let slot = acc.entry(p.doc).or_insert((0.0, 0));
                slot.0 += s;
                slot.1 |= 1u64 << qi;
            }
        }
        let mut scored: Vec<(u32, f32, u64)> = acc
            .into_iter()
            .filter(|(_, (s, _))| *s > 0.0)
            .map(|(d, (s, m))| (d, s, m))
            .collect();
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        scored.truncate(limit);
        Ok(scored
            .into_iter()
            .map(|(d, score, mask)| {
                let doc = &self.docs[d as usize];
                DocHit {
                    kind: doc.kind,
                    id: doc.id.clone(),
                    score,
                    title: doc.title.clone(),
                    org_id: doc.org_id.clone(),
                    org_name: doc.org_name.clone(),
                    person: doc.person.clone(),
                    expert_id: doc.expert_id.clone(),
                    field: doc.field,
                    region: doc.region.clone(),
                    matched_terms: terms
                        .iter()
                        .take(64)
                        .enumerate()
                        .filter(|(i, _)| mask & (1u64 << i) != 0)
                        .map(|(_, t)| t.term.clone())
                        .collect(),
                }
            })
            .collect())
    }
}
