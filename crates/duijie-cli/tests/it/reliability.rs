//! Crash safety and replicas, with the real binary: `kill -9` during an import and during
//! concurrent writes loses nothing acknowledged and duplicates nothing; two servers on one
//! PostgreSQL database see each other's writes through the shared change log.

use crate::common::{duijie, enterprise_token, get_json, healthz, kill9, serve, stop, token};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[tokio::test]
async fn ingest_killed_midway_then_rerun_has_every_row_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("大表.csv");
    let mut csv = String::from("成果名称,完成单位,负责人,关键词\n");
    for i in 0..20_000 {
        csv.push_str(&format!(
            "第{i}号高性能复合材料制备技术,测试大学{},专家{},复合材料；制备\n",
            i % 10,
            i % 50
        ));
    }
    std::fs::write(&file, csv).unwrap();
    // Warm up: the database exists and is migrated before the timed kill.
    token(duijie(dir.path()).args(["user", "add", "--role", "admin", "root"]));

    let mut child = duijie(dir.path())
        .arg("ingest")
        .arg(&file)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert!(
        child.try_wait().unwrap().is_none(),
        "the import finished before it could be killed: make the file larger"
    );
    kill9(&mut child);

    let out = duijie(dir.path())
        .arg("ingest")
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        summary.contains("20000 imported, 0 unchanged")
            || summary.contains("0 imported, 20000 unchanged"),
        "{summary}"
    );
    let store = duijie_store::connect(&duijie_store::testing::sqlite_url(dir.path()))
        .await
        .unwrap();
    assert_eq!(
        store
            .count(duijie_core::EntityKind::Achievement)
            .await
            .unwrap(),
        20_000
    );
    // Leaders are people of an institution: 50 distinct (institution, name) pairs.
    assert_eq!(
        store.count(duijie_core::EntityKind::Expert).await.unwrap(),
        50
    );
    let imports = store.list_imports(10).await.unwrap();
    assert!(imports.iter().all(|r| r.rows_total == 20_000));
}

#[tokio::test]
async fn server_killed_during_writes_keeps_every_acknowledged_record() {
    let dir = tempfile::tempdir().unwrap();
    let ent = enterprise_token(dir.path(), "甲公司");
    let (mut child, base, _) = serve(&mut duijie(dir.path()), &[]);
    healthz(&base).await;

    // The writers run until the server dies under them; it is killed once some writes are
    // acknowledged (however loaded the machine), so writes are in flight when it dies.
    let client = reqwest::Client::new();
    let done = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for w in 0..8 {
        let (client, base, ent, done) = (client.clone(), base.clone(), ent.clone(), done.clone());
        tasks.push(tokio::spawn(async move {
            let mut acked = Vec::new();
            let mut i = 0;
            loop {
                i += 1;
                let body = serde_json::json!({
                    "title": format!("写入{w}-{i}号需求"),
                    "description": "压力测试中写入的需求描述",
                });
                match client
                    .post(format!("{base}/api/v1/demands"))
                    .bearer_auth(&ent)
                    .json(&body)
                    .send()
                    .await
                {
                    Ok(r) if r.status() == reqwest::StatusCode::CREATED => {
                        if let Ok(v) = r.json::<serde_json::Value>().await {
                            if let Some(id) = v["id"].as_str() {
                                acked.push(id.to_string());
                                done.fetch_add(1, Ordering::SeqCst);
                            }
                        }
                    }
                    _ => break,
                }
            }
            acked
        }));
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    while done.load(Ordering::SeqCst) < 40 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    kill9(&mut child);
    let mut acked = Vec::new();
    for t in tasks {
        acked.extend(t.await.unwrap());
    }
    assert!(acked.len() > 5, "only {} writes acknowledged", acked.len());

    let (mut child, base, _) = serve(&mut duijie(dir.path()), &[]);
    healthz(&base).await;
    for id in &acked {
        let r = client
            .get(format!("{base}/api/v1/demands/{id}"))
            .bearer_auth(&ent)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), reqwest::StatusCode::OK, "{id} lost");
    }
    let listed: serde_json::Value =
        get_json(format!("{base}/api/v1/my/demands?per_page=1"), Some(&ent)).await;
    let stored = listed["total"].as_u64().unwrap() as usize;
    assert!(stored >= acked.len());
    // The index caught up on restart: it finds what the database has.
    let admin = token(duijie(dir.path()).args(["user", "add", "--role", "bureau", "kjj"]));
    let found: serde_json::Value = get_json(
        format!("{base}/api/v1/demands?q=压力测试&per_page=1"),
        Some(&admin),
    )
    .await;
    assert_eq!(found["total"].as_u64().unwrap() as usize, stored);
    stop(&mut child);
}

#[tokio::test]
async fn two_replicas_on_one_postgres_follow_the_same_change_log() {
    let Some(url) = duijie_store::testing::postgres_url().await else {
        return;
    };
    let a_dir = tempfile::tempdir().unwrap();
    let b_dir = tempfile::tempdir().unwrap();
    let bureau = token(duijie(a_dir.path()).args([
        "--database",
        &url,
        "user",
        "add",
        "--role",
        "bureau",
        "kjj",
    ]));
    let (mut a, a_base, _) = serve(duijie(a_dir.path()).args(["--database", &url]), &[]);
    let (mut b, b_base, _) = serve(duijie(b_dir.path()).args(["--database", &url]), &[]);
    healthz(&a_base).await;
    healthz(&b_base).await;

    let csv = "需求名称,需求单位,需求内容\n\
               盐碱地改良微生物菌剂,复本测试农业有限公司,需要耐盐碱的微生物菌剂改良土壤\n";
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(csv.as_bytes().to_vec()).file_name("需求.csv"),
    );
    let client = reqwest::Client::new();
    let r = client
        .post(format!("{a_base}/api/v1/imports"))
        .bearer_auth(&bureau)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), reqwest::StatusCode::CREATED);

    // Published through replica A, found by anyone searching replica B.
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let v: serde_json::Value = get_json(format!("{b_base}/api/v1/demands?q=盐碱"), None).await;
        if v["total"] == 1 {
            assert_eq!(v["items"][0]["title"], "盐碱地改良微生物菌剂");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "replica B never saw the demand: {v}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    for c in [&mut a, &mut b] {
        stop(c);
    }
}

#[tokio::test]
async fn sigterm_finishes_in_flight_work_and_exits_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let ent = enterprise_token(dir.path(), "乙公司");
    let (mut child, base, _) = serve(&mut duijie(dir.path()), &[]);
    healthz(&base).await;
    let r = reqwest::Client::new()
        .post(format!("{base}/api/v1/demands"))
        .bearer_auth(&ent)
        .json(&serde_json::json!({"title": "优雅停机测试需求", "description": "写入后立即停机"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), reqwest::StatusCode::CREATED);
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(20);
    let exit = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(
            Instant::now() < deadline,
            "server did not stop after SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(exit.success(), "exit status {exit:?}");
    // The index was committed on the way out: it already holds the demand before any catch-up.
    let index = duijie_search::SearchIndex::open(&dir.path().join("index")).unwrap();
    assert!(!index.needs_rebuild());
    assert_eq!(index.doc_count(), 1);
}

#[tokio::test]
async fn personal_data_never_reaches_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let ent = enterprise_token(dir.path(), "丙公司");
    let bureau = token(duijie(dir.path()).args(["user", "add", "--role", "bureau", "kjj"]));
    let log = dir.path().join("server.log");
    let mut child = duijie(dir.path())
        .env("RUST_LOG", "trace")
        .args(["serve", "--addr", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let base = BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .find_map(|l| {
            l.strip_prefix("duijie listening on ")
                .map(|u| u.trim().to_string())
        })
        .expect("address printed");
    healthz(&base).await;
    let client = reqwest::Client::new();
    let body = serde_json::json!({
        "title": "日志隐私测试需求",
        "description": "含联系人信息的需求",
        "contact_name": "隐私张三",
        "contact_phone": "13912345678",
        "contact_email": "privacy.test@example.cn",
    });
    let created: serde_json::Value = client
        .post(format!("{base}/api/v1/demands"))
        .bearer_auth(&ent)
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = created["id"].as_str().unwrap();
    // A bad phone is echoed in no error either.
    client
        .patch(format!("{base}/api/v1/demands/{id}"))
        .bearer_auth(&ent)
        .json(&serde_json::json!({"contact_phone": "1391234567x"}))
        .send()
        .await
        .unwrap();
    client
        .get(format!("{base}/api/v1/demands/{id}"))
        .bearer_auth(&bureau)
        .send()
        .await
        .unwrap();
    client
        .get(format!("{base}/api/v1/demands?q=隐私"))
        .bearer_auth(&bureau)
        .send()
        .await
        .unwrap();
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    child.wait().unwrap();
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.len() > 200, "trace log unexpectedly short: {text}");
    for secret in [
        "隐私张三",
        "13912345678",
        "1391234567x",
        "privacy.test@example.cn",
        &ent,
        &bureau,
    ] {
        assert!(!text.contains(secret), "log contains {secret}");
    }
}
