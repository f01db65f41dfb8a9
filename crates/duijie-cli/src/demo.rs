//! `serve --demo`: the bundled sample catalogues (compiled into the binary, so the demo works
//! from any folder) loaded into an empty database, and one signed-in account per role.

use anyhow::{Context, Result};
use duijie_app::{App, ImportRequest};
use duijie_core::{EntityKind, Field, InstrumentDraft, OrgKind, RecordKind, Role};
use duijie_store::Actor;
use serde::Deserialize;

const DEMANDS: &[u8] = include_bytes!("../../../data/demo/demands.csv");
const ACHIEVEMENTS: &[u8] = include_bytes!("../../../data/demo/achievements-nsfc-mgmt.csv");
const LIFE_SCIENCE: &[u8] = include_bytes!("../../../data/demo/achievements-nsfc-life.csv");
const INSTRUMENTS: &str = include_str!("../../../data/demo/instruments.json");

/// One instrument of `data/demo/instruments.json`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoInstrument {
    organization: String,
    name: String,
    model: String,
    fields: Vec<String>,
    description: String,
    location: String,
    booking_terms: String,
}

/// Lists the demo instruments for their institutions.
async fn load_instruments(app: &App) -> Result<usize> {
    let seeds: Vec<DemoInstrument> =
        serde_json::from_str(INSTRUMENTS).context("data/demo/instruments.json is not valid")?;
    let actor = Actor {
        id: None,
        name: "demo".into(),
    };
    for s in &seeds {
        let org = app
            .store
            .ensure_organization(&s.organization, OrgKind::University)
            .await?;
        let draft = InstrumentDraft {
            name: s.name.clone(),
            model: s.model.clone(),
            fields: s
                .fields
                .iter()
                .filter_map(|f| Field::from_label(f))
                .collect(),
            description: s.description.clone(),
            location: s.location.clone(),
            booking_terms: s.booking_terms.clone(),
        };
        app.store.create_instrument(&org.id, &draft, &actor).await?;
    }
    Ok(seeds.len())
}

/// Demo accounts: name, role, organisation.
const ACCOUNTS: &[(&str, Role, Option<&str>)] = &[
    (
        "demo-enterprise",
        Role::Enterprise,
        Some("灵宝市华鑫机械制造有限公司"),
    ),
    ("demo-institution", Role::Institution, Some("清华大学")),
    ("demo-bureau", Role::Bureau, None),
    ("demo-admin", Role::Admin, None),
];

pub async fn load(app: &App) -> Result<()> {
    let mut empty = true;
    for kind in [
        EntityKind::Demand,
        EntityKind::Achievement,
        EntityKind::Expert,
        EntityKind::Instrument,
    ] {
        empty &= app.store.count(kind).await? == 0;
    }
    if empty {
        for (name, bytes, kind) in [
            (
                "achievements-nsfc-mgmt.csv",
                ACHIEVEMENTS,
                RecordKind::Achievements,
            ),
            (
                "achievements-nsfc-life.csv",
                LIFE_SCIENCE,
                RecordKind::Achievements,
            ),
            ("demands.csv", DEMANDS, RecordKind::Demands),
        ] {
            let report = app
                .import_as(
                    "demo",
                    ImportRequest {
                        file_name: name.to_string(),
                        bytes: bytes.to_vec(),
                        kind: Some(kind),
                    },
                )
                .await
                .map_err(anyhow::Error::new)?;
            println!(
                "demo: {name}: {} {} imported",
                report.rows_imported,
                report.kind.as_str()
            );
        }
        let n = load_instruments(app).await?;
        println!("demo: instruments.json: {n} instruments listed");
        app.sync_index().await.map_err(anyhow::Error::new)?;
    } else {
        println!("demo: database not empty, sample catalogues not loaded again");
    }
    println!("demo tokens (new on every start; use as `Authorization: Bearer <token>`):");
    for (name, role, org) in ACCOUNTS {
        let token = match app.reset_token(name).await {
            Ok(token) => token,
            Err(_) => {
                app.add_user(name, *role, *org)
                    .await
                    .map_err(anyhow::Error::new)?
                    .1
            }
        };
        println!("  {:<12} {name:<18} {token}", role.as_str());
    }
    Ok(())
}
