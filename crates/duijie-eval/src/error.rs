//! Errors of reading evaluation data and of the in-process runs.

use std::path::PathBuf;

/// What can go wrong while reading the evaluation data or ranking it in process.
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
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
    /// The in-memory index failed.
    #[error(transparent)]
    Index(#[from] duijie_search::SearchError),
    /// Ranking failed.
    #[error(transparent)]
    Match(#[from] duijie_match::MatchError),
}

impl EvalError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        EvalError::Io {
            path: path.into(),
            source,
        }
    }

    pub(crate) fn data(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        EvalError::Data {
            path: path.into(),
            message: message.into(),
        }
    }
}
