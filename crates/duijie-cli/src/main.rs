//! `duijie`: the command line of duijie (对接) — serve the API, import catalogues, rank
//! partners, rebuild the index, export catalogues, evaluate ranking, manage accounts.

mod config;
mod demo;
mod eval;
mod ingest;
mod output;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use config::{Config, GlobalArgs};
use duijie_app::{App, IndexMode, MatchRequest};
use duijie_core::Role;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Parser, Debug)]
#[command(
    name = "duijie",
    version,
    about = "duijie (对接): match enterprises' technology demands with research partners",
    long_about = "duijie (对接) collects enterprises' technology demands (技术需求), institutions' \
achievements (科技成果) and experts, and ranks the research partners most able to solve each demand."
)]
struct Cli {
    #[command(flatten)]
    global: GlobalArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run the HTTP server (API and pages).
    Serve {
        /// Address to listen on.
        #[arg(long, env = "DUIJIE_ADDR")]
        addr: Option<SocketAddr>,
        /// Load the bundled sample catalogues into an empty database and print demo tokens.
        #[arg(long)]
        demo: bool,
    },
    /// Import catalogue files (xlsx, csv in any encoding, json) into the database.
    Ingest {
        /// What the files hold; detected from the headers when omitted.
        #[arg(long, value_parser = ["demands", "achievements", "experts"])]
        kind: Option<String>,
        /// Write the import report(s) as JSON to this file.
        #[arg(long)]
        report: Option<PathBuf>,
        /// Also compute the semantic vectors of records that have none, here and now, with a
        /// progress bar (by default a running server's background embedder computes them).
        #[arg(long)]
        vectors: bool,
        /// The files to import.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Rank research partners for a demand text.
    Match {
        /// Rank institutions or experts.
        #[arg(long, default_value = "institution", value_parser = ["institution", "expert"])]
        kind: String,
        #[arg(long, default_value_t = 10)]
        limit: usize,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
        /// The demand text (title first).
        #[arg(required = true)]
        text: Vec<String>,
    },
    /// Rebuild the search index from the database.
    Reindex,
    /// Write a published catalogue edition to a file.
    Export {
        #[arg(long)]
        catalogue: String,
        #[arg(long, value_parser = ["xlsx", "csv", "json", "html"])]
        format: String,
        #[arg(long)]
        out: PathBuf,
        /// Include contact columns (联系人, 联系电话, 电子邮箱); public exports leave them out.
        #[arg(long)]
        full: bool,
    },
    /// Evaluate ranking quality (see docs/ranking.md).
    Eval {
        #[command(subcommand)]
        what: eval::EvalCommand,
    },
    /// Manage accounts.
    User {
        #[command(subcommand)]
        action: UserAction,
    },
}

#[derive(Subcommand, Debug)]
enum UserAction {
    /// Create an account and print its API token (shown once).
    Add {
        #[arg(long, value_parser = ["enterprise", "institution", "bureau", "admin"])]
        role: String,
        /// The organisation the account acts for (required for enterprise and institution).
        #[arg(long)]
        org: Option<String>,
        /// Also set a password (for signing in on the pages), read from the first line of
        /// standard input.
        #[arg(long)]
        password_stdin: bool,
        name: String,
    },
    /// Set an account's password (read from the first line of standard input); its sessions end.
    Passwd { name: String },
    /// Disable an account: its tokens and sessions stop working (`user token` enables it again).
    Revoke { name: String },
    /// Give an account a new token (printed once).
    Token { name: String },
    /// List accounts.
    List,
}

/// The server's requests allocate and free many small buffers from several threads at once;
/// glibc's allocator spent ~15% of the search load's CPU on it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let config = match Config::load(&cli.global) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e:#}");
            return std::process::ExitCode::from(2);
        }
    };
    init_tracing();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command, config)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tantivy=warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .init();
}

async fn open(config: &Config, index: IndexMode) -> Result<Arc<App>> {
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("cannot create data dir {}", config.data_dir.display()))?;
    App::open(&config.app_config(index)).await
}

async fn run(command: Command, config: Config) -> Result<()> {
    tracing::debug!(?config, "configuration");
    match command {
        Command::Serve { addr, demo } => {
            let addr = addr.unwrap_or(config.addr);
            serve(&config, addr, demo).await
        }
        Command::Ingest {
            kind,
            report,
            vectors,
            files,
        } => {
            let app = open(&config, IndexMode::Detached).await?;
            ingest::run(&app, kind.as_deref(), report.as_deref(), &files).await?;
            if !vectors {
                return Ok(());
            }
            ingest::vectors(&app).await
        }
        Command::Match {
            kind,
            limit,
            json,
            text,
        } => {
            let app = open(&config, config.index_mode()).await?;
            let req = MatchRequest {
                text: text.join(" "),
                kind: Some(kind),
                limit: Some(limit),
                field: None,
                region: None,
                semantic_ratio: None,
            };
            let ranking = app.match_text(&req).await.map_err(anyhow::Error::new)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&ranking)?);
            } else {
                output::print_ranking(&ranking);
            }
            Ok(())
        }
        Command::Reindex => {
            let app = open(&config, IndexMode::Detached).await?;
            let dir = config.index_dir();
            drop(app);
            reindex(&config, dir).await
        }
        Command::Export {
            catalogue,
            format,
            out,
            full,
        } => {
            let app = open(&config, IndexMode::Detached).await?;
            let format = duijie_app::ExportFormat::parse(&format).map_err(anyhow::Error::new)?;
            let export = app
                .export_edition(&catalogue, format, full)
                .await
                .map_err(anyhow::Error::new)?;
            std::fs::write(&out, &export.bytes)
                .with_context(|| format!("cannot write {}", out.display()))?;
            println!("wrote {} ({} bytes)", out.display(), export.bytes.len());
            Ok(())
        }
        Command::Eval { what } => eval::run(what).await,
        Command::User { action } => user(&config, action).await,
    }
}

async fn reindex(config: &Config, dir: PathBuf) -> Result<()> {
    let app = open(config, IndexMode::Dir(dir)).await?;
    let bar = output::progress_bar(0, "reindex");
    let bar2 = bar.clone();
    let n = app
        .rebuild_index(move |done, total| {
            bar2.set_length(total);
            bar2.set_position(done);
        })
        .await
        .map_err(anyhow::Error::new)?;
    bar.finish_and_clear();
    app.sync_index().await.map_err(anyhow::Error::new)?;
    println!("reindexed {n} records");
    Ok(())
}

async fn serve(config: &Config, addr: SocketAddr, demo: bool) -> Result<()> {
    let app = open(config, config.index_mode()).await?;
    if demo {
        demo::load(&app).await?;
    }
    app.spawn_indexer();
    // Vectors catch up in the background; ranking uses words until they are there.
    app.spawn_embedder();
    // One mail worker per replica; the outbox's claims keep replicas from sending one mail twice.
    if let Some(mail) = &config.mail {
        duijie_app::MailWorker::new(app.clone(), mail.clone())?.spawn();
        tracing::info!(host = %mail.host, port = mail.port, "notification mail worker started");
    }
    // One webhook worker per replica, claiming events like the mail worker.
    if let Some(hook) = &config.webhook {
        duijie_app::WebhookWorker::new(app.clone(), hook.clone())?.spawn();
        tracing::info!(
            kinds = hook.kinds.len(),
            "group chat webhook worker started"
        );
    }
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    let local = listener.local_addr()?;
    tracing::info!(addr = %local, database = %duijie_store::redact_url(&config.database_url), "serving");
    println!("duijie listening on http://{local}");
    duijie_server::serve(
        app.clone(),
        config.server.clone(),
        listener,
        shutdown_signal(),
    )
    .await
    .context("server failed")?;
    // In-flight requests are done: commit what the indexer has not yet applied.
    app.sync_index().await.map_err(anyhow::Error::new)?;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
    tracing::info!("shutting down");
}

async fn user(config: &Config, action: UserAction) -> Result<()> {
    let app = open(config, IndexMode::Detached).await?;
    match action {
        UserAction::Add {
            role,
            org,
            password_stdin,
            name,
        } => {
            let role = Role::parse(&role).context("unknown role")?;
            // Read and check the password before anything is created.
            let password = if password_stdin {
                let password = read_password()?;
                duijie_app::check_password("password", &password).map_err(anyhow::Error::new)?;
                Some(password)
            } else {
                None
            };
            let (user, token) = app
                .add_user(&name, role, org.as_deref())
                .await
                .map_err(anyhow::Error::new)?;
            println!("created {} ({})", user.name, user.role.as_str());
            if let Some(password) = password {
                app.set_password_by_name(&user.name, &password)
                    .await
                    .map_err(anyhow::Error::new)?;
                println!(
                    "password set: sign in on the pages with the name {}",
                    user.name
                );
            }
            println!("token (shown once, keep it safe): {token}");
        }
        UserAction::Passwd { name } => {
            let password = read_password()?;
            app.set_password_by_name(&name, &password)
                .await
                .map_err(anyhow::Error::new)?;
            println!("password of {name} set; its sessions have ended");
        }
        UserAction::Revoke { name } => {
            app.revoke_user(&name).await.map_err(anyhow::Error::new)?;
            println!("revoked {name}");
        }
        UserAction::Token { name } => {
            let token = app.reset_token(&name).await.map_err(anyhow::Error::new)?;
            println!("new token for {name} (shown once): {token}");
        }
        UserAction::List => {
            for u in app.users().await.map_err(anyhow::Error::new)? {
                println!(
                    "{}\t{}\t{}\t{}",
                    u.name,
                    u.role.as_str(),
                    u.org_id.unwrap_or_default(),
                    if u.revoked { "disabled" } else { "active" }
                );
            }
        }
    }
    Ok(())
}

/// The first line of standard input (a password piped in, never a command-line argument that
/// other users could read from the process list).
fn read_password() -> Result<String> {
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .context("reading the password from standard input")?;
    let password = line.trim_end_matches(['\r', '\n']).to_string();
    anyhow::ensure!(!password.is_empty(), "no password on standard input");
    Ok(password)
}

#[cfg(test)]
mod tests {
    /// clap checks at run time that no two arguments clash (a subcommand's option named like
    /// a global one panics on use); this runs those checks for every command.
    #[test]
    fn the_command_line_definition_is_consistent() {
        use clap::CommandFactory;
        super::Cli::command().debug_assert();
    }
}
