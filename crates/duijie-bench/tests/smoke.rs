//! The CI smoke path of `duijie-bench`, in-process: a small generated corpus imported, served
//! by the router, a few search and match requests, every answer 200. No timing assertions.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn smoke_path_answers_200() {
    let work = tempfile::tempdir().expect("temp dir");
    let report = duijie_bench::smoke::run(
        &duijie_bench::corpus::default_data_dir(),
        work.path(),
        300,
        5,
        None,
    )
    .await
    .expect("smoke path");
    assert_eq!(report.records, 300);
    assert_eq!(report.ok, report.requests);
    assert!(report.requests >= 11);
}

/// The mixed workload for a few seconds at low concurrency, in process: every operation of
/// every role runs and nothing answers 5xx. No timing assertions.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mixed_path_has_no_server_errors() {
    let work = tempfile::tempdir().expect("temp dir");
    let opts = duijie_bench::mixed::MixedOptions {
        records: 300,
        demands: 40,
        clients: 4,
        duration: std::time::Duration::from_secs(3),
        database_url: None,
        seed: 7,
    };
    let r = duijie_bench::mixed::run(
        &duijie_bench::corpus::default_data_dir(),
        work.path(),
        None,
        &opts,
    )
    .await
    .expect("mixed path");
    assert!(r.requests > 0);
    assert_eq!(r.server_errors, 0, "{:?}", r.statuses);
}
