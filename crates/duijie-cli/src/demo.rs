//! `serve --demo`: the bundled sample catalogues (compiled into the binary, so the demo works
//! from any folder) loaded into an empty database, and one account per role with a fixed
//! password.

use anyhow::{Context, Result};
use duijie_app::{App, ImportRequest};
use duijie_core::{EntityKind, Field, InstrumentDraft, RecordKind, Role};
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
    for s in &seeds {
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
        app.add_instrument_as("demo", &s.organization, &draft)
            .await
            .map_err(anyhow::Error::new)?;
    }
    Ok(seeds.len())
}

/// A demo account: name, role, organisation, the e-mail it signs in with, and its fixed
/// password (printed on every start; the accounts and passwords stay across restarts).
struct DemoAccount {
    name: &'static str,
    role: Role,
    org: Option<&'static str>,
    email: &'static str,
    password: &'static str,
}

const ACCOUNTS: &[DemoAccount] = &[
    DemoAccount {
        name: "demo-enterprise",
        role: Role::Enterprise,
        org: Some("灵宝市华鑫机械制造有限公司"),
        email: "enterprise@demo.duijie.cn",
        password: "demo-enterprise-2026",
    },
    DemoAccount {
        name: "demo-institution",
        role: Role::Institution,
        org: Some("清华大学"),
        email: "institution@demo.duijie.cn",
        password: "demo-institution-2026",
    },
    DemoAccount {
        name: "demo-bureau",
        role: Role::Bureau,
        org: None,
        email: "bureau@demo.duijie.cn",
        password: "demo-bureau-2026",
    },
    DemoAccount {
        name: "demo-admin",
        role: Role::Admin,
        org: None,
        email: "admin@demo.duijie.cn",
        password: "demo-admin-2026",
    },
];

/// Makes the demo accounts that are missing and gives a password to those without one; an
/// account that exists keeps its password and sessions, so a restart signs nobody out.
async fn ensure_accounts(app: &App) -> Result<()> {
    for a in ACCOUNTS {
        let existing = app.users().await.map_err(anyhow::Error::new)?;
        let user = match existing.into_iter().find(|u| u.name == a.name) {
            Some(user) => {
                let has_password = app
                    .has_password(&user.id)
                    .await
                    .map_err(anyhow::Error::new)?;
                (user, has_password)
            }
            None => {
                let (user, _token) = app
                    .add_user(a.name, a.role, a.org)
                    .await
                    .map_err(anyhow::Error::new)?;
                (user, false)
            }
        };
        if user.0.email.is_none() {
            app.set_contact_of(&user.0.id, Some(a.email), user.0.phone.as_deref())
                .await
                .map_err(anyhow::Error::new)?;
        }
        if !user.1 {
            app.set_password_by_name(a.name, a.password)
                .await
                .map_err(anyhow::Error::new)?;
        }
    }
    Ok(())
}

pub async fn load(app: &App) -> Result<()> {
    let mut empty = true;
    for kind in [
        EntityKind::Demand,
        EntityKind::Achievement,
        EntityKind::Expert,
        EntityKind::Instrument,
    ] {
        empty &= app.record_count(kind).await.map_err(anyhow::Error::new)? == 0;
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
    ensure_accounts(app).await?;
    println!("demo accounts (fixed passwords, kept across restarts; sign in at /login of the address below, or POST /api/v1/session):");
    for a in ACCOUNTS {
        println!("  {:<12} {:<28} {}", a.role.as_str(), a.email, a.password);
    }
    Ok(())
}
