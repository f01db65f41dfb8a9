//! duijie-eval: the evaluation harnesses of duijie's ranking, apart from the ranking itself so
//! that duijie-match does not depend on the importer.
//!
//! - [`attribution`]: the held-out attribution protocol on the NSFC listings ("who did this
//!   project?"), over an in-memory index ([`attribution::in_process`]) or through the whole
//!   production path ([`attribution::production`], `duijie eval attribution`), and the split
//!   the peer script is measured on.
//! - [`demands`]: the judged demand set (`duijie eval demands`): enterprise demands against the
//!   mixed corpus, scored against blind judgements beside a peer's rankings.
//!
//! The data are read by the catalogue importer ([`load_life`], [`load_mgmt`]); the method and
//! every measured figure are in `docs/ranking.md`.

pub mod attribution;
mod data;
pub mod demands;
mod error;
mod metrics;
mod split;
mod vectors;

pub use data::{load_life, load_mgmt, DataSet, Project};
pub use error::EvalError;
pub use metrics::{Latency, Metrics};
pub use vectors::Progress;
