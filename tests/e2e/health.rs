//! `/healthz` reports the index's progress against the change log's head, and answers 503
//! while the index trails it by more than the configured number of changes.

use duijie_core::{AchievementDraft, Draft};
use duijie_e2e::{Db, TestServer};
use duijie_server::ServerConfig;
use reqwest::StatusCode;

async fn health_follows_the_change_log(db: Db) {
    let config = ServerConfig {
        max_index_lag: 3,
        ..ServerConfig::default()
    };
    let Some(s) = TestServer::start_without_indexer(db, config).await else {
        return;
    };
    let r = s.get("/healthz", None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["status"], "ok");
    assert_eq!(r.body["index"]["behind"], 0);
    assert_eq!(r.body["index"]["caught_up"], true);
    assert_eq!(r.body["index"]["applied_seq"], r.body["index"]["head_seq"]);

    // Two changes the index has not applied: within the allowed lag, and said so.
    let achievement = |i: usize| {
        Draft::Achievement(AchievementDraft {
            org_name: "某大学".into(),
            title: format!("锂电池隔膜涂层工艺{i}"),
            summary: "陶瓷涂覆隔膜".into(),
            ..Default::default()
        })
    };
    s.store_achievements(vec![achievement(1)]).await;
    let r = s.get("/healthz", None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let behind = r.body["index"]["behind"].as_u64().unwrap();
    assert!((1..=3).contains(&behind), "{}", r.body);
    assert_eq!(r.body["index"]["caught_up"], false);

    // More than the allowed lag: the replica is taken out of rotation.
    s.store_achievements((2..6).map(achievement).collect())
        .await;
    let r = s.get("/healthz", None).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", r.body);
    assert_eq!(r.body["status"], "behind");
    let (applied, head) = (
        r.body["index"]["applied_seq"].as_i64().unwrap(),
        r.body["index"]["head_seq"].as_i64().unwrap(),
    );
    assert!(head - applied > 3, "{}", r.body);
    assert_eq!(r.body["index"]["behind"].as_i64().unwrap(), head - applied);

    // The index catches up: healthy again.
    s.indexed().await;
    let r = s.get("/healthz", None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["index"]["behind"], 0);
    assert_eq!(r.body["index"]["head_seq"].as_i64().unwrap(), head);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_follows_the_change_log_on_sqlite() {
    health_follows_the_change_log(Db::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_follows_the_change_log_on_postgres() {
    health_follows_the_change_log(Db::Postgres).await;
}
