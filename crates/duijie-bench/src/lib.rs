//! duijie-bench: speed and scale of duijie measured in one run — import time end to end,
//! index size, server memory, HTTP search and match latency under concurrent clients —
//! on the real NSFC listing and on generated corpora, side by side with the Python peer.
//! See `docs/performance.md`. Nothing here is a timed test.

pub mod corpus;
pub mod graph;
pub mod import;
pub mod load;
pub mod mixed;
pub mod profile;
pub mod report;
pub mod results;
pub mod run;
pub mod server;
pub mod smoke;
pub mod vectors;
