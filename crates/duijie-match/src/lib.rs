//! duijie-match: turns a technology demand (技术需求) into a weighted query, ranks research
//! partners (institutions, experts) from their achievements and expert profiles, explains each
//! match, recommends published demands to institutions, and evaluates the ranking on held-out
//! attribution data ([`eval`]). No HTTP and no SQL: the index is reached through the
//! [`Retriever`] trait.
//!
//! The method and every measured experiment are described in `docs/ranking.md`.

mod aggregate;
mod error;
pub mod eval;
mod memory;
mod profile;
mod query;
mod rank;
mod recommend;
mod retrieve;
mod segment;

pub use aggregate::Aggregation;
pub use error::MatchError;
pub use memory::{Bm25Params, IndexDoc, MemoryIndex};
pub use profile::{ProfileHit, ProfileParams};
pub use query::{build_query, is_stop_term, MatchInput, QueryConfig, WeightedQuery, STOP_TERMS};
pub use rank::{
    Candidate, CandidateKind, Evidence, EvidenceKind, Fusion, MatchConfig, Matcher, Ranking,
};
pub use recommend::{DemandMatch, ProfileDoc};
pub use retrieve::{DocFilter, DocHit, Retriever, WeightedTerm};
pub use segment::{is_gram, normalize, Segmenter, Word, GRAM_MARK};
