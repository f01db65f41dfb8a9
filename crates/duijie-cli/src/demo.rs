//! `serve --demo`: the bundled sample catalogues (compiled into the binary, so the demo works
//! from any folder) loaded into an empty database, and one signed-in account per role.

use anyhow::Result;
use duijie_app::{App, ImportRequest};
use duijie_core::{EntityKind, RecordKind, Role};

const DEMANDS: &[u8] = include_bytes!("../../../data/demo/demands.csv");
const ACHIEVEMENTS: &[u8] = include_bytes!("../../../data/demo/achievements-nsfc-mgmt.csv");

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
