//! duijie-match: turns a technology demand (技术需求) into a weighted query, ranks research
//! partners (institutions, experts) from their achievements and expert profiles, explains each
//! match, recommends published demands to institutions, and holds the algorithms built on the
//! ranking: expert committees' sub-topics and greedy cover ([`Matcher::subtopics`],
//! [`Matcher::committee_pool`], [`CommitteePool::choose`]) and the counting of trends with
//! their rising terms ([`count_trends`]). No HTTP and no SQL: the index is reached through the
//! [`Retriever`] trait, which duijie-search's tantivy index implements.
//!
//! The method and every measured experiment are described in `docs/ranking.md`; the
//! evaluation harness is the crate duijie-eval.

mod aggregate;
mod ann;
mod committees;
mod dense;
mod error;
mod query;
mod rank;
mod recommend;
mod retrieve;
mod segment;
mod trends;

pub use aggregate::Aggregation;
pub use committees::{subtopic_count, CommitteePick, CommitteePool, MAX_PER_INSTITUTION};
pub use dense::{
    fuse_lists, is_semantic_ratio, quantise, Fusion, QueryEncoder, Semantic, VectorSet, GRAPH_FROM,
};
pub use duijie_search::{is_gram, WeightedTerm, GRAM_MARK};
pub use error::MatchError;
pub use query::{
    build_query, is_boilerplate_compound, is_stop_term, topic_words, MatchInput, QueryConfig,
    WeightedQuery, MAX_INPUT_CHARS, STOP_TERMS,
};
pub use rank::{
    Candidate, CandidateKind, Coverage, Evidence, EvidenceKind, MatchConfig, Matcher, Ranking, Tier,
};
pub use recommend::{DemandMatch, ProfileDoc};
pub use retrieve::{FieldWeights, Retriever};
pub use segment::{normalize, Segmenter, Word};
pub use trends::{count_trends, RisingTerm, TrendCounts, TrendSeries, MAX_PERIODS};
