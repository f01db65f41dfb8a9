//! Errors of ranking and evaluation.

use std::path::PathBuf;

/// What can go wrong while ranking or evaluating.
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
    /// An evaluation data file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// An evaluation data file was read but is not what the harness expects.
    #[error("{path}: {message}")]
    Data { path: PathBuf, message: String },
}

impl MatchError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        MatchError::Io {
            path: path.into(),
            source,
        }
    }

    pub(crate) fn data(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        MatchError::Data {
            path: path.into(),
            message: message.into(),
        }
    }
}
