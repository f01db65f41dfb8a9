//! duijie-fuzz: the fuzz harnesses of duijie, one function per target. The cargo-fuzz targets
//! in `fuzz/fuzz_targets/` call them with libFuzzer's inputs; `tests/regressions.rs` replays
//! every committed input (`fuzz/seeds/<target>/`, `fuzz/regressions/<target>/`) through the
//! same functions on stable, so a crash found once stays fixed.
//!
//! A harness returns normally when the code under test behaved: a parsed file or a clean error
//! naming the file, a search page or an empty one. It panics (which libFuzzer reports as a
//! crash) when the code panicked or broke one of the invariants checked here.

mod ingest;
mod query;

pub use ingest::{ingest_csv, ingest_json, ingest_xlsx, workbook_from_parts, PART_SEPARATOR};
pub use query::query;

/// A fuzz target: its name (the folder of its inputs) and its harness.
pub type Target = (&'static str, fn(&[u8]));

/// Every target, by the name cargo-fuzz and the corpus folders use.
pub const TARGETS: &[Target] = &[
    ("ingest_xlsx", ingest_xlsx),
    ("ingest_csv", ingest_csv),
    ("ingest_json", ingest_json),
    ("query", query),
];
