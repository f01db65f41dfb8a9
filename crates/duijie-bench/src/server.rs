//! The real `duijie serve` binary as a child process on a data dir, its address read from its
//! first line of output, its memory read from `/proc/PID/status`.

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Memory of a process in KiB (`VmRSS`, `VmHWM`).
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
pub struct Memory {
    pub rss_kib: u64,
    pub hwm_kib: u64,
}

pub fn memory(pid: u32) -> Memory {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    Memory {
        rss_kib: field("VmRSS:"),
        hwm_kib: field("VmHWM:"),
    }
}

/// `duijie` next to this binary (`target/release/duijie` for `target/release/duijie-bench`).
pub fn default_binary() -> PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|p| p.parent().map(|d| d.join("duijie")))
        .unwrap_or_else(|| PathBuf::from("duijie"))
}

/// A running `duijie serve`; stopped (SIGTERM, then SIGKILL) when dropped.
pub struct Server {
    child: Child,
    pub base: String,
    pub startup_s: f64,
}

impl Server {
    /// Starts `bin --data-dir DIR serve --addr 127.0.0.1:0` in `dir` (so no stray
    /// `duijie.toml` is read) and waits until `/healthz` answers 200 (index caught up) and, with
    /// semantic matching on, the vectors are loaded.
    pub async fn start(bin: &Path, dir: &Path) -> Result<Server> {
        Self::start_with(bin, dir, None).await
    }

    /// [`Server::start`] over the database at `database_url` instead of the data dir's SQLite
    /// file (the index stays in the data dir).
    pub async fn start_with(bin: &Path, dir: &Path, database_url: Option<&str>) -> Result<Server> {
        let start = Instant::now();
        let mut command = Command::new(bin);
        command.arg("--data-dir").arg(dir);
        if let Some(url) = database_url {
            command.arg("--database").arg(url);
        }
        let mut child = command
            .args(["serve", "--addr", "127.0.0.1:0"])
            .current_dir(dir)
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .with_context(|| format!("cannot start {}", bin.display()))?;
        let stdout = child.stdout.take().context("no stdout")?;
        let line = tokio::task::spawn_blocking(move || {
            let mut reader = BufReader::new(stdout);
            let mut line = String::new();
            let n = reader.read_line(&mut line).unwrap_or(0);
            // Keep draining so the child never blocks on a full pipe.
            std::thread::spawn(move || {
                let mut sink = String::new();
                while reader.read_line(&mut sink).unwrap_or(0) > 0 {
                    sink.clear();
                }
            });
            (n, line)
        })
        .await?;
        let mut server = Server {
            child,
            base: String::new(),
            startup_s: 0.0,
        };
        let Some(base) = line.1.trim().strip_prefix("duijie listening on ") else {
            bail!("server did not start: {:?}", line.1);
        };
        server.base = base.to_string();
        let client = crate::load::client(1);
        let deadline = Instant::now() + Duration::from_secs(600);
        loop {
            if let Ok(resp) = client.get(format!("{}/healthz", server.base)).send().await {
                if resp.status().as_u16() == 200 {
                    // With semantic matching on, also wait until the stored vectors are loaded
                    // and none is pending, so the load meets the dense part it measures.
                    let health: serde_json::Value = resp.json().await.unwrap_or_default();
                    let semantic = &health["semantic"];
                    if semantic.is_null()
                        || (semantic["started"] == true && semantic["pending"] == 0)
                    {
                        break;
                    }
                }
            }
            if Instant::now() > deadline {
                bail!("server not ready after 600 s (index or semantic vectors)");
            }
            if let Ok(Some(status)) = server.child.try_wait() {
                bail!("server exited: {status}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        server.startup_s = start.elapsed().as_secs_f64();
        Ok(server)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn memory(&self) -> Memory {
        memory(self.pid())
    }

    /// SIGTERM (graceful), then SIGKILL after 20 s.
    pub fn stop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            self.stop();
        }
    }
}

/// Where a load goes: the real binary as a child process, or the router served by this process
/// (CI, where no release binary is built).
pub enum Target {
    Child(Server),
    InProcess {
        base: String,
        shutdown: tokio::sync::oneshot::Sender<()>,
        task: tokio::task::JoinHandle<std::io::Result<()>>,
    },
}

impl Target {
    /// Serves `app` with the default limits on a loopback port of this process.
    pub async fn in_process(app: std::sync::Arc<duijie_app::App>) -> Result<Target> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let base = format!("http://{}", listener.local_addr()?);
        let (shutdown, rx) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            duijie_server::serve(
                app,
                duijie_server::ServerConfig::default(),
                listener,
                async {
                    let _ = rx.await;
                },
            )
            .await
        });
        Ok(Target::InProcess {
            base,
            shutdown,
            task,
        })
    }

    pub fn base(&self) -> &str {
        match self {
            Target::Child(s) => &s.base,
            Target::InProcess { base, .. } => base,
        }
    }

    /// The server's memory; `None` in process, where it would include the load client.
    pub fn memory(&self) -> Option<Memory> {
        match self {
            Target::Child(s) => Some(s.memory()),
            Target::InProcess { .. } => None,
        }
    }

    /// Stops the server and waits for it.
    pub async fn stop(self) {
        match self {
            Target::Child(mut s) => s.stop(),
            Target::InProcess { shutdown, task, .. } => {
                let _ = shutdown.send(());
                let _ = task.await;
            }
        }
    }
}
