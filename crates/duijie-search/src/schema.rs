//! The one schema shared by every kind of document, its version, and the document type callers
//! hand to the index.

use crate::tokenizer::{BIGRAM_TOKENIZER_NAME, TOKENIZER_NAME};
use duijie_core::EntityKind;
use tantivy::schema::{
    Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions, FAST, STORED,
    STRING,
};

/// Bumped whenever the schema or the analysis changes; an index built with another version is
/// recreated empty and reported as needing a rebuild.
pub const SCHEMA_VERSION: u32 = 5;

/// One searchable record: a demand (技术需求), an achievement (科技成果), an expert (专家) or a
/// shared instrument (科研仪器).
#[derive(Debug, Clone, PartialEq)]
pub struct IndexDoc {
    pub kind: EntityKind,
    pub id: String,
    pub title: String,
    pub keywords: Vec<String>,
    /// Demand: description and goals; achievement: summary; expert: bio and research areas.
    pub body: String,
    pub org_id: String,
    pub org_name: String,
    /// Achievement leader (负责人) or the expert's own name.
    pub person: Option<String>,
    /// The expert record: the leader's for achievements, the document itself for experts.
    pub expert_id: Option<String>,
    /// Taxonomy label of the field.
    pub field: Option<String>,
    /// Further taxonomy labels (an instrument serves several fields): filtered and counted in
    /// facets like `field`, never read back by ranking.
    pub more_fields: Vec<String>,
    pub region: Option<String>,
    /// Demand status (`published`, ...).
    pub status: Option<String>,
    /// Cooperation modes (labels).
    pub modes: Vec<String>,
    /// Unix milliseconds.
    pub created_at: i64,
    pub year: Option<i64>,
    /// A demand's deadline as days from 0001-01-01 (CE); `None` when it has no fixed date.
    pub deadline_day: Option<i64>,
    /// A demand's budget in 万元; `None` when negotiable or not given.
    pub budget_wan: Option<f64>,
}

/// The deadline a demand without a fixed date (长期) sorts and filters as: after every date.
pub(crate) const OPEN_ENDED_DAY: i64 = i64::MAX;
/// The budget a demand without an amount (面议) sorts and filters as: below every amount.
pub(crate) const NO_BUDGET: f64 = -1.0;

impl IndexDoc {
    /// A document of `kind` with its id and title and nothing else: no organisation, person,
    /// facets, dates or amounts. Harnesses and fixtures fill in what they need around it
    /// (`IndexDoc { org_id, ..IndexDoc::new(kind, id, title) }`).
    pub fn new(kind: EntityKind, id: impl Into<String>, title: impl Into<String>) -> IndexDoc {
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
            more_fields: Vec::new(),
            region: None,
            status: None,
            modes: Vec::new(),
            created_at: 0,
            year: None,
            deadline_day: None,
            budget_wan: None,
        }
    }

    /// Whether the document has any text to match on (title, keywords or body).
    pub fn has_text(&self) -> bool {
        !self.title.trim().is_empty()
            || self.keywords.iter().any(|k| !k.trim().is_empty())
            || !self.body.trim().is_empty()
    }
}

/// Separator of keywords in the stored `keywords` text.
pub(crate) const KEYWORD_SEPARATOR: &str = "；";

/// Every kind that can be indexed, in the order of [`Fields::text`].
pub(crate) const KINDS: [EntityKind; 5] = [
    EntityKind::Demand,
    EntityKind::Achievement,
    EntityKind::Expert,
    EntityKind::Organization,
    EntityKind::Instrument,
];

/// The analysed text fields of one kind of document.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TextFields {
    pub title: Field,
    pub keywords: Field,
    pub body: Field,
    pub org_name: Field,
    /// Han-character bigrams of title and keywords ([`crate::han_bigrams`]), for ranking.
    pub grams: Field,
}

/// Handles of the schema's fields.
///
/// Text fields exist once per kind (`title_demand`, `title_achievement`, ...): a query over one
/// kind is then a plain disjunction of term queries that visits only that kind's postings,
/// with no intersection with the kind, and BM25 statistics (IDF, average length) are those of
/// the kind.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fields {
    pub id: Field,
    pub kind: Field,
    pub text: [TextFields; KINDS.len()],
    pub org_id: Field,
    pub person: Field,
    pub expert_id: Field,
    pub field: Field,
    pub region: Field,
    pub status: Field,
    pub modes: Field,
    pub created_at: Field,
    pub year: Field,
    /// Demands only, always set ([`OPEN_ENDED_DAY`], [`NO_BUDGET`] when absent), for sorting
    /// and range filters.
    pub deadline: Field,
    pub budget: Field,
}

fn slot(kind: EntityKind) -> usize {
    match kind {
        EntityKind::Demand => 0,
        EntityKind::Achievement => 1,
        EntityKind::Expert => 2,
        EntityKind::Organization => 3,
        EntityKind::Instrument => 4,
    }
}

impl Fields {
    pub fn text(&self, kind: EntityKind) -> &TextFields {
        &self.text[slot(kind)]
    }
}

/// Field names also used for fast-field columns.
pub(crate) mod names {
    use duijie_core::EntityKind;

    pub const ID: &str = "id";
    pub const ORG_ID: &str = "org_id";
    pub const PERSON: &str = "person";
    pub const EXPERT_ID: &str = "expert_id";
    pub const FIELD: &str = "field";
    pub const REGION: &str = "region";
    pub const CREATED_AT: &str = "created_at";
    pub const YEAR: &str = "year";
    pub const DEADLINE: &str = "deadline";
    pub const BUDGET: &str = "budget";

    pub fn title(kind: EntityKind) -> String {
        format!("title_{}", kind.as_str())
    }

    pub fn org_name(kind: EntityKind) -> String {
        format!("org_name_{}", kind.as_str())
    }
}

/// Builds the schema. Everything ranking reads per hit (ids, names, title, year) is a fast
/// field, so retrieving hundreds of candidates never touches the document store.
/// A number to sort and filter by, read back by [`crate::SearchIndex::get`].
fn sortable() -> NumericOptions {
    NumericOptions::default()
        .set_fast()
        .set_indexed()
        .set_stored()
}

pub(crate) fn build_schema() -> (Schema, Fields) {
    use names::*;
    let mut b = Schema::builder();
    let analysed = |positions: bool| {
        let option = if positions {
            IndexRecordOption::WithFreqsAndPositions
        } else {
            IndexRecordOption::WithFreqs
        };
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(TOKENIZER_NAME)
                .set_index_option(option),
        )
    };
    let id = b.add_text_field(ID, STRING | STORED | FAST);
    let kind = b.add_text_field("kind", STRING | STORED);
    let text = KINDS.map(|k| TextFields {
        title: b.add_text_field(&title(k), analysed(true).set_stored().set_fast(None)),
        keywords: b.add_text_field(
            &format!("keywords_{}", k.as_str()),
            analysed(true).set_stored(),
        ),
        // Body positions would double the postings for little: phrases matter in titles.
        body: b.add_text_field(
            &format!("body_{}", k.as_str()),
            analysed(false).set_stored(),
        ),
        org_name: b.add_text_field(&org_name(k), analysed(false).set_stored().set_fast(None)),
        grams: b.add_text_field(
            &format!("grams_{}", k.as_str()),
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(BIGRAM_TOKENIZER_NAME)
                    .set_index_option(IndexRecordOption::WithFreqs),
            ),
        ),
    });
    let fields = Fields {
        id,
        kind,
        text,
        org_id: b.add_text_field(ORG_ID, STRING | STORED | FAST),
        person: b.add_text_field(PERSON, STRING | STORED | FAST),
        expert_id: b.add_text_field(EXPERT_ID, STRING | STORED | FAST),
        field: b.add_text_field(FIELD, STRING | STORED | FAST),
        region: b.add_text_field(REGION, STRING | STORED | FAST),
        status: b.add_text_field("status", STRING | STORED | FAST),
        modes: b.add_text_field("modes", STRING | STORED),
        created_at: b.add_i64_field(
            CREATED_AT,
            NumericOptions::default()
                .set_fast()
                .set_indexed()
                .set_stored(),
        ),
        year: b.add_i64_field(YEAR, NumericOptions::default().set_fast().set_stored()),
        deadline: b.add_i64_field(DEADLINE, sortable()),
        budget: b.add_f64_field(BUDGET, sortable()),
    };
    (b.build(), fields)
}
