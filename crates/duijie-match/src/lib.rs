//! duijie-match: turns a technology demand (技术需求) into a weighted query, ranks research
//! partners (institutions, experts) from their achievements and expert profiles, explains each
//! match, recommends published demands to institutions, and evaluates the ranking on held-out
//! attribution data ([`eval`]). No HTTP and no SQL: the index is reached through the
//! [`Retriever`] trait, implemented for duijie-search's tantivy index by [`IndexRetriever`].
//!
//! The method and every measured experiment are described in `docs/ranking.md`.

mod aggregate;
mod dense;
mod error;
pub mod eval;
mod index;
mod query;
mod rank;
mod recommend;
mod retrieve;
mod segment;

pub use aggregate::Aggregation;
pub use dense::{fuse_lists, quantise, Fusion, QueryEncoder, Semantic, VectorSet};
pub use duijie_search::{is_gram, GRAM_MARK};
pub use error::MatchError;
pub use index::IndexRetriever;
pub use query::{
    build_query, is_boilerplate_compound, is_stop_term, topic_words, MatchInput, QueryConfig,
    WeightedQuery, MAX_INPUT_CHARS, STOP_TERMS,
};
pub use rank::{
    Candidate, CandidateKind, Coverage, Evidence, EvidenceKind, MatchConfig, Matcher, Ranking, Tier,
};
pub use recommend::{DemandMatch, ProfileDoc};
pub use retrieve::{DocFilter, DocHit, FieldWeights, Retriever, WeightedTerm};
pub use segment::{normalize, Segmenter, Word};
