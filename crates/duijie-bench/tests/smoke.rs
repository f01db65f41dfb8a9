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
