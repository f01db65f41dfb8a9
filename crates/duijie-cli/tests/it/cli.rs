//! The `duijie` binary as a user runs it.

use crate::common::{duijie, get_json, healthz, serve, stop};

use std::process::{Command, Output};

fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("duijie runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).to_string()
}

#[test]
fn help_lists_every_command_and_each_has_its_own_help() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(duijie(dir.path()).arg("--help"));
    assert!(out.status.success());
    let help = text(&out.stdout);
    for cmd in [
        "serve", "ingest", "match", "reindex", "export", "eval", "user",
    ] {
        assert!(help.contains(cmd), "--help lacks {cmd}: {help}");
        let sub = run(duijie(dir.path()).args([cmd, "--help"]));
        assert!(sub.status.success(), "{cmd} --help failed");
        assert!(text(&sub.stdout).contains("Usage"));
    }
    assert!(help.contains("--data-dir") && help.contains("--database"));
}

#[test]
fn ingest_reports_rows_writes_a_report_and_fails_on_unreadable_files() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("成果.csv");
    std::fs::write(
        &csv,
        "成果名称,完成单位,负责人,关键词\n高镍正极材料,浙江大学,李四,锂电池\n,浙江大学,王五,x\n",
    )
    .unwrap();
    let report = dir.path().join("report.json");
    let out = run(duijie(dir.path())
        .args(["ingest", "--report"])
        .arg(&report)
        .arg(&csv));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("1 imported"), "{stdout}");
    assert!(stdout.contains("1 skipped"), "{stdout}");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(json["rows_imported"], 1);
    assert_eq!(json["errors"][0]["row"], 3);
    assert!(
        dir.path().join("duijie.db").exists(),
        "sqlite file created on first use"
    );

    let again = run(duijie(dir.path()).arg("ingest").arg(&csv));
    assert!(text(&again.stdout).contains("0 imported, 1 unchanged"));

    let bad = dir.path().join("坏文件.xlsx");
    std::fs::write(&bad, b"PK\x03\x04 definitely not a workbook").unwrap();
    let out = run(duijie(dir.path()).arg("ingest").arg(&bad));
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("坏文件.xlsx"),
        "{}",
        text(&out.stderr)
    );

    let missing = run(duijie(dir.path()).args(["ingest", "nope.csv"]));
    assert!(!missing.status.success());
    assert!(text(&missing.stderr).contains("nope.csv"));
}

#[test]
fn user_add_prints_a_token_once_and_rejects_missing_org() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(duijie(dir.path()).args(["user", "add", "--role", "bureau", "kjj"]));
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("dj_"));
    let out = run(duijie(dir.path()).args(["user", "add", "--role", "enterprise", "ent"]));
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("--org"));
    let out = run(duijie(dir.path()).args(["user", "list"]));
    assert!(text(&out.stdout).contains("kjj\tbureau"));
    assert!(
        !text(&out.stdout).contains("dj_"),
        "tokens are never listed"
    );
}

#[tokio::test]
async fn serve_answers_healthz_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, base, _) = serve(&mut duijie(dir.path()), &[]);
    let body = healthz(&base).await;
    assert_eq!(body["status"], "ok");
    assert!(dir.path().join("duijie.db").exists());
    assert!(dir.path().join("index").exists());
    stop(&mut child);
}

#[tokio::test]
async fn serve_answers_healthz_on_postgres() {
    let Some(url) = duijie_store::testing::postgres_url().await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (mut child, base, _) = serve(duijie(dir.path()).args(["--database", &url]), &[]);
    let body = healthz(&base).await;
    assert_eq!(body["status"], "ok");
    assert!(
        !dir.path().join("duijie.db").exists(),
        "no sqlite file with postgres"
    );
    stop(&mut child);
}

#[tokio::test]
async fn serve_demo_loads_sample_catalogues_and_prints_a_password_per_role() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, base, printed) = serve(&mut duijie(dir.path()), &["--demo"]);
    healthz(&base).await;
    let printed = printed.join("\n");
    let mut accounts = Vec::new();
    for role in ["enterprise", "institution", "bureau", "admin"] {
        let line = printed
            .lines()
            .find(|l| l.trim_start().starts_with(role) && l.contains('@'))
            .unwrap_or_else(|| panic!("no {role} account in: {printed}"));
        let parts: Vec<&str> = line.split_whitespace().collect();
        accounts.push((parts[1].to_string(), parts[2].to_string()));
    }
    assert!(
        printed.contains("/login"),
        "says where to sign in: {printed}"
    );
    let sign_in = |base: String, account: String, password: String| async move {
        reqwest::Client::new()
            .post(format!("{base}/api/v1/session"))
            .json(&serde_json::json!({"account": account, "password": password}))
            .send()
            .await
            .unwrap()
            .status()
    };
    for (account, password) in &accounts {
        assert_eq!(
            sign_in(base.clone(), account.clone(), password.clone()).await,
            200,
            "{account} signs in with its printed password"
        );
    }
    let demands: serde_json::Value =
        get_json(format!("{base}/api/v1/demands?per_page=1"), None).await;
    assert_eq!(demands["total"], 19, "{demands}");
    // The demo shows both outcomes: a life-science demand with a real partner, and a
    // metallurgy demand the research side cannot serve, answered as such.
    let client = reqwest::Client::new();
    let rank = |text: &'static str| {
        let client = client.clone();
        let url = format!("{base}/api/v1/match");
        async move {
            let r: serde_json::Value = client
                .post(url)
                .json(&serde_json::json!({"text": text}))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            r
        }
    };
    let served = rank("丹参道地药材有效成分含量提升。丹参酮和丹酚酸B含量批次间波动大，希望研究丹参有效成分合成积累的调控机制").await;
    assert_ne!(served["coverage"], "none", "{served}");
    assert_ne!(served["candidates"][0]["tier"], "weak", "{served}");
    let unserved = rank(
        "氧化铝焙烧炉能耗降低与结圈控制。气态悬浮焙烧炉天然气单耗偏高，炉内结圈导致频繁停炉清理",
    )
    .await;
    assert_eq!(unserved["coverage"], "none", "{unserved}");
    let achievements: serde_json::Value =
        get_json(format!("{base}/api/v1/achievements?q=供应链"), None).await;
    assert!(
        achievements["total"].as_u64().unwrap() > 10,
        "{achievements}"
    );
    let ranking = rank("中小制造企业供应链协同与库存优化").await;
    assert!(
        !ranking["candidates"].as_array().unwrap().is_empty(),
        "{ranking}"
    );
    let instruments: serde_json::Value =
        get_json(format!("{base}/api/v1/instruments?q=仿真"), None).await;
    assert_eq!(
        instruments["items"][0]["institution"]["name"], "上海交通大学",
        "{instruments}"
    );
    stop(&mut child);
    // A restart keeps the accounts and their printed passwords.
    let (mut child, base, again) = serve(&mut duijie(dir.path()), &["--demo"]);
    healthz(&base).await;
    let (account, password) = &accounts[0];
    assert!(again.join("\n").contains(password.as_str()));
    assert_eq!(
        sign_in(base.clone(), account.clone(), password.clone()).await,
        200
    );
    stop(&mut child);
}
