//! Running the real `duijie` binary: commands, a server on a free port, health checks.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// `duijie` with a clean environment and `dir` as its data folder and working directory.
pub fn duijie(dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_duijie"));
    c.env_remove("DUIJIE_DATABASE_URL")
        .env_remove("DUIJIE_CONFIG")
        .env("DUIJIE_DATA_DIR", dir)
        .env("RUST_LOG", "warn")
        .current_dir(dir);
    c
}

/// Runs `user add ...` and returns the printed token.
pub fn token(cmd: &mut Command) -> String {
    let out = cmd.output().expect("user add runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .find(|w| w.starts_with("dj_"))
        .expect("a token is printed")
        .to_string()
}

/// A new enterprise account `ent` of `org` in the data dir `dir`; returns its token.
pub fn enterprise_token(dir: &Path, org: &str) -> String {
    token(duijie(dir).args(["user", "add", "--role", "enterprise", "--org", org, "ent"]))
}

/// Starts `duijie serve` on a free port; returns the child, its base URL and what it printed
/// before listening.
pub fn serve(cmd: &mut Command, extra: &[&str]) -> (Child, String, Vec<String>) {
    let mut child = cmd
        .args(["serve", "--addr", "127.0.0.1:0"])
        .args(extra)
        .stdout(Stdio::piped())
        .spawn()
        .expect("serve starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let mut before = Vec::new();
    let base = loop {
        let line = lines
            .next()
            .expect("serve printed its address")
            .expect("readable stdout");
        if let Some(url) = line.strip_prefix("duijie listening on ") {
            break url.trim().to_string();
        }
        before.push(line);
    };
    (child, base, before)
}

/// Waits until `/healthz` answers 200 and returns its body.
pub async fn healthz(base: &str) -> serde_json::Value {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if let Ok(r) = reqwest::get(format!("{base}/healthz")).await {
            if r.status().is_success() {
                return r.json().await.expect("json");
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{base} never became healthy");
}

/// GETs `url` (as `token`'s holder when given) and returns the JSON body.
pub async fn get_json(url: String, token: Option<&str>) -> serde_json::Value {
    let mut req = reqwest::Client::new().get(url);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    req.send().await.expect("sent").json().await.expect("json")
}

/// Ends a server at the end of a test (one that already exited is fine).
pub fn stop(child: &mut Child) {
    child.kill().ok();
    child.wait().ok();
}

/// SIGKILL: no shutdown handler runs.
pub fn kill9(child: &mut Child) {
    child.kill().expect("kill");
    child.wait().expect("reaped");
}
