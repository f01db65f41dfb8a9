//! Replays every committed fuzz input — the seed corpus (`fuzz/seeds/<target>/`) and the
//! inputs that once crashed or hung a target (`fuzz/regressions/<target>/`) — through the
//! same harness the fuzzer runs, on stable. A harness panics when the code under test does.

use std::path::{Path, PathBuf};

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz")
}

fn inputs(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

#[test]
fn every_committed_input_replays_cleanly() {
    for (target, harness) in duijie_fuzz::TARGETS {
        let seeds = inputs(&fuzz_dir().join("seeds").join(target));
        assert!(!seeds.is_empty(), "no seed inputs for {target}");
        let found = inputs(&fuzz_dir().join("regressions").join(target));
        for path in seeds.iter().chain(&found) {
            let data = std::fs::read(path).expect("a committed input is readable");
            eprintln!("{target}: {}", path.display());
            harness(&data);
        }
    }
}

#[test]
fn empty_and_tiny_inputs() {
    for (_, harness) in duijie_fuzz::TARGETS {
        for data in [&b""[..], b"\0", b"PK", b"\xFF\xFE", b"{", b"[", b"\n\n\n"] {
            harness(data);
        }
    }
}
