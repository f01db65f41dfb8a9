//! duijie-search: the Chinese full-text index of duijie (对接).
//!
//! Owns the jieba tokenizer for tantivy (one shared dictionary with duijie's user words), the
//! schema shared by demands, achievements and experts, the writer that follows the change log
//! (batched upserts, commits that record the applied sequence), the search box (filters,
//! facets, highlights) and weighted retrieval for ranking. Pure library: no SQL, no HTTP; every
//! call blocks, so async callers use `spawn_blocking`.

mod at_least;
mod columns;
mod facets;
mod highlight;
mod index;
mod retrieval;
mod schema;
mod search_box;
mod stats;
mod tokenizer;

pub use facets::Facets;
pub use highlight::Highlighter;
pub use index::SearchIndex;
pub use retrieval::{FieldBoosts, Filter, ScoredDoc, WeightedTerm};
pub use schema::{IndexDoc, SCHEMA_VERSION};
pub use search_box::{DemandRanges, Hit, SearchPage, SearchQuery, SearchResults, Sort};
pub use tokenizer::{
    analyze, analyze_with, han_bigrams, is_gram, jieba_without_user_dict, shared_jieba,
    BigramTokenizer, BufferedTokenStream, JiebaTokenizer, QueryToken, TokenKind,
    BIGRAM_TOKENIZER_NAME, GRAM_MARK, TOKENIZER_NAME, USER_DICT,
};

/// Re-exported so callers can hold the dictionary type without depending on jieba-rs.
pub use jieba_rs::Jieba;

use std::path::PathBuf;

/// Why an index operation failed. Details are for logs; callers map every variant to an
/// internal error (a search over bad input never fails: it finds nothing).
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("search index: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    #[error("search index directory {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("search index commit payload: {0}")]
    Payload(#[from] serde_json::Error),
}

impl SearchError {
    /// The transport-neutral code for this error.
    pub fn code(&self) -> duijie_core::ErrorCode {
        duijie_core::ErrorCode::Internal
    }
}
