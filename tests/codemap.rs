//! The code map's dependency arrows (`docs/ARCHITECTURE.md`, "Dependency arrows") against the
//! workspace as `cargo metadata` reads it: an arrow in the code that the map does not allow, or
//! one the map lists that the code no longer has, fails. The map's table of areas across the
//! layers names files that exist.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

type Arrows = BTreeMap<String, BTreeSet<String>>;

const ARROWS: &str = "## Dependency arrows";
const AREAS: &str = "## Areas across the layers";

/// The text of the map's section under `heading`, up to the next one.
fn section<'a>(doc: &'a str, heading: &str) -> &'a str {
    let start = doc
        .find(heading)
        .unwrap_or_else(|| panic!("docs/ARCHITECTURE.md has no “{heading}” section"));
    let section = &doc[start + heading.len()..];
    &section[..section.find("\n## ").unwrap_or(section.len())]
}

/// The cells of a table row, without the outer bars.
fn cells(line: &str) -> Vec<&str> {
    line.trim().trim_matches('|').split('|').collect()
}

/// The table of the map's arrows section: `| `crate` | `a`, `b` | why |`.
fn map_arrows(doc: &str) -> Arrows {
    let section = section(doc, ARROWS);
    let names = |cell: &str| -> BTreeSet<String> {
        cell.split(',')
            .map(|n| n.trim().trim_matches('`').to_string())
            .filter(|n| n.starts_with("duijie-"))
            .collect()
    };
    section
        .lines()
        .filter_map(|line| {
            let cells = cells(line);
            let name = cells.first()?.trim().trim_matches('`');
            name.starts_with("duijie-")
                .then(|| (name.to_string(), names(cells.get(1).copied().unwrap_or(""))))
        })
        .collect()
}

/// Each workspace member's normal and build dependencies on other members.
fn code_arrows(root: &Path) -> Arrows {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args([
            "metadata",
            "--no-deps",
            "--format-version",
            "1",
            "--offline",
        ])
        .current_dir(root)
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).expect("metadata is JSON");
    let packages = meta["packages"].as_array().expect("packages");
    let members: BTreeSet<&str> = packages.iter().filter_map(|p| p["name"].as_str()).collect();
    packages
        .iter()
        .filter_map(|p| {
            let name = p["name"].as_str()?;
            let deps = p["dependencies"]
                .as_array()?
                .iter()
                .filter(|d| d["kind"].is_null() || d["kind"] == "build")
                .filter_map(|d| d["name"].as_str())
                .filter(|d| *d != name && members.contains(d))
                .map(str::to_string)
                .collect();
            Some((name.to_string(), deps))
        })
        .collect()
}

/// The source files the areas table names, as paths from the workspace root: each layer's
/// column is a crate's `src/`, and a cell names files as `` `x.rs` `` (or `` `api/x.rs` ``).
fn area_files(doc: &str) -> Vec<String> {
    const LAYERS: [&str; 5] = [
        "crates/duijie-core/src",
        "crates/duijie-store/src",
        "crates/duijie-app/src",
        "crates/duijie-server/src",
        "crates/duijie-server/src",
    ];
    section(doc, AREAS)
        .lines()
        .filter(|line| line.trim_start().starts_with('|'))
        .skip(2)
        .flat_map(|line| {
            cells(line)
                .into_iter()
                .skip(1)
                .zip(LAYERS)
                .flat_map(|(cell, dir)| {
                    cell.split('`')
                        .skip(1)
                        .step_by(2)
                        .filter(|name| name.ends_with(".rs"))
                        .map(move |name| format!("{dir}/{name}"))
                        .collect::<Vec<_>>()
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

fn workspace_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests crate sits in the workspace")
}

fn code_map() -> String {
    std::fs::read_to_string(workspace_root().join("docs/ARCHITECTURE.md")).expect("the code map")
}

#[test]
fn the_areas_table_names_files_that_exist() {
    let files = area_files(&code_map());
    assert!(
        files.len() > 40,
        "the areas table lists {} files",
        files.len()
    );
    let missing: Vec<&String> = files
        .iter()
        .filter(|f| !workspace_root().join(f).is_file())
        .collect();
    assert!(
        missing.is_empty(),
        "the areas table of docs/ARCHITECTURE.md names files that do not exist: {missing:?}"
    );
}

#[test]
fn the_areas_table_is_read_by_column() {
    let doc = "## Areas across the layers\n\n| area | core | store | app | server API | server pages |\n\
               |---|---|---|---|---|---|\n\
               | a | `m.rs` (`T`) | — | `x.rs`, `y.rs` (+ `duijie_match::z`) | `api/a.rs` | `pages/a.rs` |\n\
               \n## Next\n| b | `n.rs` | | | | |\n";
    assert_eq!(
        area_files(doc),
        [
            "crates/duijie-core/src/m.rs",
            "crates/duijie-app/src/x.rs",
            "crates/duijie-app/src/y.rs",
            "crates/duijie-server/src/api/a.rs",
            "crates/duijie-server/src/pages/a.rs",
        ]
    );
}

#[test]
fn the_code_map_states_every_dependency_arrow() {
    let root = workspace_root();
    let doc = code_map();
    let map = map_arrows(&doc);
    let code = code_arrows(root);
    let mut wrong = Vec::new();
    for (krate, deps) in &code {
        let Some(allowed) = map.get(krate) else {
            wrong.push(format!("{krate}: not in the map"));
            continue;
        };
        for d in deps.difference(allowed) {
            wrong.push(format!(
                "{krate} → {d}: in the code, not allowed by the map"
            ));
        }
        for d in allowed.difference(deps) {
            wrong.push(format!("{krate} → {d}: in the map, no longer in the code"));
        }
    }
    for krate in map.keys().filter(|k| !code.contains_key(*k)) {
        wrong.push(format!("{krate}: in the map, not a workspace member"));
    }
    assert!(
        wrong.is_empty(),
        "code map and code differ:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_arrows_table_is_read_as_written() {
    let doc = "x\n## Dependency arrows\n\n| crate | depends on | why |\n|---|---|---|\n\
               | `duijie-core` | — | base |\n| `duijie-app` | `duijie-core`, `duijie-store` | wires |\n\
               \n## Next\n| `duijie-zzz` | `duijie-core` | outside |\n";
    let map = map_arrows(doc);
    assert_eq!(map.len(), 2);
    assert!(map["duijie-core"].is_empty());
    assert_eq!(
        map["duijie-app"].iter().collect::<Vec<_>>(),
        ["duijie-core", "duijie-store"]
    );
}
