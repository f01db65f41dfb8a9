//! Errors of ranking.

/// What can go wrong while ranking.
#[derive(Debug, thiserror::Error)]
pub enum MatchError {
    /// The demand text has no informative term left after boilerplate is removed.
    #[error("the demand text has no informative terms to match on")]
    EmptyQuery,
    /// The request the ranking was for is gone (the client left, its time ran out).
    #[error(transparent)]
    Cancelled(#[from] duijie_core::Cancelled),
    /// The retriever (search index) failed.
    #[error("search failed: {0}")]
    Search(String),
    /// The approximate search graph of a kind could not be built (it is scanned exactly).
    #[error("approximate search graph not built: {0}")]
    Graph(String),
}
