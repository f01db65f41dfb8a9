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

/// calamine 0.28 panics on some malformed workbooks (found by this fuzzer: a shared-string index
/// past the end of the table, `xlsx/cells_reader.rs:352`; later calamine releases return an
/// error there). duijie-ingest contains such panics: its workbook guard turns them into a
/// `Corrupt` error naming the file, which the replay test checks. libFuzzer's panic hook,
/// though, aborts on every panic, caught or not; the xlsx target installs this hook so that a
/// panic raised inside calamine is left to that guard (each distinct site is printed once) and
/// any other panic is still a crash.
pub fn leave_calamine_panics_to_the_guard() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let crash = std::panic::take_hook();
        let seen = std::sync::Mutex::new(std::collections::HashSet::new());
        std::panic::set_hook(Box::new(move |info| {
            let site = info
                .location()
                .filter(|l| l.file().contains("/calamine-"))
                .map(|l| format!("{}:{}", l.file(), l.line()));
            match site {
                Some(site) => {
                    let mut seen = seen.lock().unwrap_or_else(|e| e.into_inner());
                    if seen.insert(site.clone()) {
                        eprintln!("contained calamine panic at {site}: {info}");
                    }
                }
                None => crash(info),
            }
        }));
    });
}

/// A fuzz target: its name (the folder of its inputs) and its harness.
pub type Target = (&'static str, fn(&[u8]));

/// Every target, by the name cargo-fuzz and the corpus folders use.
pub const TARGETS: &[Target] = &[
    ("ingest_xlsx", ingest_xlsx),
    ("ingest_csv", ingest_csv),
    ("ingest_json", ingest_json),
    ("query", query),
];
