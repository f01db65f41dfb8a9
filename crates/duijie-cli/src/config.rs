//! One typed configuration from flags, environment and an optional `duijie.toml`
//! (flags and environment win over the file, the file over defaults).

use anyhow::{Context, Result};
use duijie_app::{
    AppConfig, Fusion, IndexMode, MailConfig, SemanticConfig, SignInPolicy, SmtpTls, WebhookConfig,
    WebhookFormat,
};
use duijie_core::NotificationKind;
use duijie_server::{ServerConfig, TrustedProxy};
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Options accepted before or after any subcommand.
#[derive(clap::Args, Debug)]
pub struct GlobalArgs {
    /// Folder holding duijie.db and index/.
    #[arg(long, global = true, env = "DUIJIE_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Database URL: sqlite://FILE or postgres://...
    #[arg(long, global = true, env = "DUIJIE_DATABASE_URL")]
    pub database: Option<String>,
    /// Configuration file (default: ./duijie.toml when present).
    #[arg(long, global = true, env = "DUIJIE_CONFIG")]
    pub config: Option<PathBuf>,
}

/// What `duijie.toml` may set.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    data_dir: Option<PathBuf>,
    database_url: Option<String>,
    addr: Option<SocketAddr>,
    max_body_kb: Option<usize>,
    max_upload_mb: Option<usize>,
    /// Largest attachment, and all attachments of one demand, in MB.
    max_attachment_mb: Option<u64>,
    max_demand_attachments_mb: Option<u64>,
    request_timeout_secs: Option<u64>,
    header_read_timeout_secs: Option<u64>,
    max_connections: Option<usize>,
    anonymous_per_second: Option<f64>,
    anonymous_burst: Option<f64>,
    trusted_proxies: Option<Vec<String>>,
    public_url: Option<String>,
    max_index_lag: Option<u64>,
    mail: Option<MailFile>,
    semantic: Option<SemanticFile>,
    sign_in: Option<SignInFile>,
    webhook: Option<WebhookFile>,
}

/// The most documents the meaning side may add per kind: as many as the words side retrieves
/// (`MatchConfig::retrieve_limit`), and within the 128 the approximate graph walks.
const MAX_DENSE_CANDIDATES: usize = 100;

/// `[semantic]`: dense vectors beside the words in ranking (no section: on, with the measured
/// defaults).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SemanticFile {
    /// false: no model is loaded, no vectors computed; ranking by words only.
    enabled: Option<bool>,
    /// Share of dense evidence, 0 to 1.
    ratio: Option<f32>,
    /// normalised | rrf
    fusion: Option<String>,
    /// Records of one kind from which its search goes through an approximate graph.
    graph_from: Option<usize>,
    /// Documents the meaning side adds per kind to a ranking.
    candidates: Option<usize>,
}

/// `[sign_in]`: how wrong passwords are throttled (shared by every replica on one database).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SignInFile {
    /// Wrong passwords for one account within the window before it is locked (default 5).
    account_failures: Option<i64>,
    /// Wrong passwords from one client address within the window (default 20).
    address_failures: Option<i64>,
    /// How long failures are counted, in seconds (default 900).
    window_secs: Option<i64>,
    /// How long a lock lasts, in seconds (default 900).
    lockout_secs: Option<i64>,
    /// How long a session lasts after sign-in, in hours (default 168).
    session_hours: Option<i64>,
}

/// `[webhook]`: the bureau's group chat robot (企业微信 / 钉钉).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WebhookFile {
    url: String,
    /// The robot's signing secret (DingTalk 加签); without it requests are not signed.
    secret: Option<String>,
    /// Kinds of notification sent (default: every kind).
    kinds: Option<Vec<String>>,
    /// markdown (default) | text
    format: Option<String>,
    max_attempts: Option<i64>,
}

/// `[mail]`: the SMTP relay notifications are sent through (no section: no e-mail).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MailFile {
    host: String,
    port: Option<u16>,
    /// none | starttls | tls
    tls: Option<String>,
    user: Option<String>,
    password: Option<String>,
    from: String,
    /// China-time hour of the daily digest, 0–23 (default 8).
    digest_hour: Option<u32>,
    max_attempts: Option<i64>,
}

#[derive(Clone)]
pub struct Config {
    pub data_dir: PathBuf,
    pub database_url: String,
    pub addr: SocketAddr,
    pub server: ServerConfig,
    /// The notification mail worker's relay, when `[mail]` is set.
    pub mail: Option<MailConfig>,
    /// Semantic matching (`None`: turned off in `[semantic]`).
    pub semantic: Option<SemanticConfig>,
    /// The group chat robot, when `[webhook]` is set.
    pub webhook: Option<WebhookConfig>,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("data_dir", &self.data_dir)
            .field(
                "database_url",
                &duijie_store::redact_url(&self.database_url),
            )
            .field("addr", &self.addr)
            .field("server", &self.server)
            .field("mail", &self.mail)
            .field("semantic", &self.semantic)
            .field("webhook", &self.webhook)
            .finish()
    }
}

fn semantic_config(file: Option<SemanticFile>) -> Result<Option<SemanticConfig>> {
    let defaults = SemanticConfig::default();
    let Some(file) = file else {
        return Ok(Some(defaults));
    };
    if file.enabled == Some(false) {
        return Ok(None);
    }
    let ratio = file.ratio.unwrap_or(defaults.ratio);
    anyhow::ensure!(
        duijie_match::is_semantic_ratio(ratio),
        "semantic.ratio must be between 0 (words only) and 1 (meaning only), not {ratio}"
    );
    let fusion = match file.fusion.as_deref() {
        None => defaults.fusion,
        Some("normalised") => Fusion::Normalised,
        Some("rrf") => Fusion::Rrf,
        Some(other) => anyhow::bail!("semantic.fusion must be normalised or rrf, not {other}"),
    };
    let graph_from = file.graph_from.unwrap_or(defaults.graph_from);
    anyhow::ensure!(
        graph_from > 0,
        "semantic.graph_from must be a number of records above 0, not {graph_from}"
    );
    let candidates = file.candidates.unwrap_or(defaults.candidates);
    anyhow::ensure!(
        (1..=MAX_DENSE_CANDIDATES).contains(&candidates),
        "semantic.candidates must be between 1 and {MAX_DENSE_CANDIDATES}, not {candidates}"
    );
    Ok(Some(SemanticConfig {
        ratio,
        fusion,
        graph_from,
        candidates,
    }))
}

/// A whole number within `min..=max`, or an error naming the key and what is wrong.
fn bounded(key: &str, value: Option<i64>, default: i64, min: i64, max: i64) -> Result<i64> {
    let v = value.unwrap_or(default);
    anyhow::ensure!(
        (min..=max).contains(&v),
        "{key} must be between {min} and {max}, not {v}"
    );
    Ok(v)
}

fn sign_in_policy(file: Option<SignInFile>) -> Result<SignInPolicy> {
    let d = SignInPolicy::default();
    let Some(f) = file else { return Ok(d) };
    let secs = |d: Duration| i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
    let count = |key, v, default: u32| -> Result<u32> {
        let n = bounded(key, v, i64::from(default), 1, 1_000_000)?;
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    };
    let duration = |key, v, default: Duration, max| -> Result<Duration> {
        let n = bounded(key, v, secs(default), 1, max)?;
        Ok(Duration::from_secs(n.unsigned_abs()))
    };
    Ok(SignInPolicy {
        account_failures: count(
            "sign_in.account_failures",
            f.account_failures,
            d.account_failures,
        )?,
        address_failures: count(
            "sign_in.address_failures",
            f.address_failures,
            d.address_failures,
        )?,
        window: duration("sign_in.window_secs", f.window_secs, d.window, 30 * 86_400)?,
        lockout: duration(
            "sign_in.lockout_secs",
            f.lockout_secs,
            d.lockout,
            30 * 86_400,
        )?,
        session_ttl: Duration::from_secs(
            bounded(
                "sign_in.session_hours",
                f.session_hours,
                secs(d.session_ttl) / 3600,
                1,
                24 * 366,
            )?
            .unsigned_abs()
                * 3600,
        ),
    })
}

fn webhook_config(
    file: Option<WebhookFile>,
    public_url: Option<&str>,
) -> Result<Option<WebhookConfig>> {
    let Some(f) = file else { return Ok(None) };
    let url = f.url.trim();
    anyhow::ensure!(
        url.starts_with("https://") || url.starts_with("http://"),
        "webhook.url must start with https:// or http://, not {url:?}"
    );
    let kinds = match f.kinds {
        None => NotificationKind::ALL.to_vec(),
        Some(list) => {
            anyhow::ensure!(
                !list.is_empty(),
                "webhook.kinds is empty: leave it out to send every kind"
            );
            list.iter()
                .map(|k| {
                    NotificationKind::parse(k.trim()).with_context(|| {
                        let known: Vec<&str> =
                            NotificationKind::ALL.iter().map(|k| k.as_str()).collect();
                        format!(
                            "webhook.kinds: unknown kind {k:?} (known: {})",
                            known.join(", ")
                        )
                    })
                })
                .collect::<Result<Vec<_>>>()?
        }
    };
    let format = match f.format.as_deref() {
        None | Some("markdown") => WebhookFormat::Markdown,
        Some("text") => WebhookFormat::Text,
        Some(other) => anyhow::bail!("webhook.format must be markdown or text, not {other:?}"),
    };
    let base_url = public_url.unwrap_or("http://127.0.0.1:8080");
    let mut c = WebhookConfig::new(url, f.secret.filter(|s| !s.is_empty()), kinds, base_url);
    c.format = format;
    c.pace.max_attempts = bounded(
        "webhook.max_attempts",
        f.max_attempts,
        c.pace.max_attempts,
        1,
        100,
    )?;
    Ok(Some(c))
}

fn read_file(path: &Path) -> Result<FileConfig> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read config file {}", path.display()))?;
    toml::from_str(&text).with_context(|| format!("invalid config file {}", path.display()))
}

impl Config {
    pub fn load(args: &GlobalArgs) -> Result<Config> {
        let file = match &args.config {
            Some(p) => read_file(p)?,
            None if Path::new("duijie.toml").exists() => read_file(Path::new("duijie.toml"))?,
            None => FileConfig::default(),
        };
        let data_dir = args
            .data_dir
            .clone()
            .or(file.data_dir)
            .unwrap_or_else(|| PathBuf::from("./duijie-data"));
        let database_url = args
            .database
            .clone()
            .or(file.database_url)
            .unwrap_or_else(|| format!("sqlite://{}", data_dir.join("duijie.db").display()));
        let defaults = ServerConfig::default();
        let trusted_proxies = file
            .trusted_proxies
            .unwrap_or_default()
            .iter()
            .map(|p| p.parse::<TrustedProxy>().map_err(anyhow::Error::msg))
            .collect::<Result<Vec<_>>>()
            .context("invalid trusted_proxies in the config file")?;
        let mail = match file.mail {
            None => None,
            Some(m) => {
                let tls = match m.tls.as_deref() {
                    None => SmtpTls::StartTls,
                    Some(t) => SmtpTls::parse(t).with_context(|| {
                        format!("mail.tls must be none, starttls or tls, not {t}")
                    })?,
                };
                let digest_hour = m.digest_hour.unwrap_or(8);
                anyhow::ensure!(digest_hour < 24, "mail.digest_hour must be 0 to 23");
                let base_url = file
                    .public_url
                    .clone()
                    .unwrap_or_else(|| "http://127.0.0.1:8080".to_string());
                let mut c = MailConfig::plain(&m.host, 0, &m.from, &base_url);
                c.tls = tls;
                c.port = m.port.unwrap_or(match tls {
                    SmtpTls::None => 25,
                    SmtpTls::StartTls => 587,
                    SmtpTls::Tls => 465,
                });
                c.user = m.user;
                c.password = m.password;
                c.digest_hour = digest_hour;
                c.pace.max_attempts = m.max_attempts.unwrap_or(c.pace.max_attempts).max(1);
                Some(c)
            }
        };
        let semantic = semantic_config(file.semantic)?;
        let sign_in = sign_in_policy(file.sign_in)?;
        let webhook = webhook_config(file.webhook, file.public_url.as_deref())?;
        Ok(Config {
            mail,
            semantic,
            webhook,
            data_dir,
            database_url,
            addr: file
                .addr
                .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8080))),
            server: ServerConfig {
                max_body_bytes: file
                    .max_body_kb
                    .map_or(defaults.max_body_bytes, |kb| kb * 1024),
                max_upload_bytes: file
                    .max_upload_mb
                    .map_or(defaults.max_upload_bytes, |mb| mb * 1024 * 1024),
                attachments: duijie_app::AttachmentLimits {
                    per_file: file
                        .max_attachment_mb
                        .map_or(defaults.attachments.per_file, |mb| mb * 1024 * 1024),
                    per_demand: file
                        .max_demand_attachments_mb
                        .map_or(defaults.attachments.per_demand, |mb| mb * 1024 * 1024),
                },
                request_timeout: file
                    .request_timeout_secs
                    .map_or(defaults.request_timeout, Duration::from_secs),
                header_read_timeout: file
                    .header_read_timeout_secs
                    .map_or(defaults.header_read_timeout, Duration::from_secs),
                max_connections: file.max_connections.unwrap_or(defaults.max_connections),
                anonymous_per_second: file
                    .anonymous_per_second
                    .unwrap_or(defaults.anonymous_per_second),
                anonymous_burst: file.anonymous_burst.unwrap_or(defaults.anonymous_burst),
                trusted_proxies,
                public_url: file.public_url,
                max_index_lag: file.max_index_lag.unwrap_or(defaults.max_index_lag),
                sign_in,
            },
        })
    }

    pub fn app_config(&self, index: IndexMode) -> AppConfig {
        AppConfig {
            database_url: self.database_url.clone(),
            index,
            semantic: self.semantic,
        }
    }

    pub fn index_dir(&self) -> PathBuf {
        self.data_dir.join("index")
    }

    pub fn index_mode(&self) -> IndexMode {
        IndexMode::Dir(self.index_dir())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(toml: &str) -> Result<Config> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("duijie.toml");
        std::fs::write(&path, toml)?;
        Config::load(&GlobalArgs {
            data_dir: None,
            database: None,
            config: Some(path),
        })
    }

    #[test]
    fn the_http_limits_are_read_from_the_file() {
        let c = load(
            "trusted_proxies = [\"10.0.0.0/8\", \"::1\"]\nmax_connections = 50\n\
             header_read_timeout_secs = 5\nmax_index_lag = 7\n",
        )
        .unwrap();
        assert_eq!(
            c.server.trusted_proxies,
            ["10.0.0.0/8".parse().unwrap(), "::1".parse().unwrap()]
        );
        assert_eq!(c.server.max_connections, 50);
        assert_eq!(c.server.header_read_timeout, Duration::from_secs(5));
        assert_eq!(c.server.max_index_lag, 7);
        let defaults = load("").unwrap().server;
        assert!(defaults.trusted_proxies.is_empty());
        assert_eq!(defaults.max_index_lag, 1_000);
    }

    #[test]
    fn the_sign_in_policy_is_read_with_defaults_and_checked() {
        let c = load(
            "[sign_in]\naccount_failures = 3\naddress_failures = 9\nwindow_secs = 60\n\
             lockout_secs = 120\n",
        )
        .unwrap();
        let p = &c.server.sign_in;
        assert_eq!((p.account_failures, p.address_failures), (3, 9));
        assert_eq!(p.window, Duration::from_secs(60));
        assert_eq!(p.lockout, Duration::from_secs(120));
        let defaults = SignInPolicy::default();
        assert_eq!(p.session_ttl, defaults.session_ttl);
        let none = load("").unwrap().server.sign_in;
        assert_eq!(none.account_failures, defaults.account_failures);
        assert_eq!(none.window, defaults.window);
        for (toml, key) in [
            (
                "[sign_in]\naccount_failures = 0\n",
                "sign_in.account_failures",
            ),
            ("[sign_in]\nwindow_secs = -5\n", "sign_in.window_secs"),
            ("[sign_in]\nlockout_secs = \"long\"\n", "lockout_secs"),
            ("[sign_in]\nfailures = 3\n", "failures"),
        ] {
            let err = format!("{:#}", load(toml).unwrap_err());
            assert!(err.contains(key), "{toml}: {err}");
        }
    }

    #[test]
    fn the_webhook_is_read_and_checked() {
        let c = load(
            "public_url = \"https://duijie.example.org\"\n[webhook]\n\
             url = \"https://oapi.dingtalk.com/robot/send?access_token=abc\"\n\
             secret = \"SEC123\"\nkinds = [\"interest_received\"]\nformat = \"text\"\n",
        )
        .unwrap();
        let w = c.webhook.unwrap();
        assert_eq!(w.kinds, [NotificationKind::InterestReceived]);
        assert_eq!(w.format, WebhookFormat::Text);
        assert_eq!(w.base_url, "https://duijie.example.org");
        assert!(
            !format!("{:?}", w).contains("SEC123"),
            "the secret is redacted"
        );
        assert!(load("").unwrap().webhook.is_none());
        let err = format!(
            "{:#}",
            load("[webhook]\nurl = \"x\"\nkinds = [\"nope\"]\n").unwrap_err()
        );
        assert!(err.contains("webhook.url"), "{err}");
        let err = format!(
            "{:#}",
            load("[webhook]\nurl = \"http://127.0.0.1:9/\"\nkinds = [\"nope\"]\n").unwrap_err()
        );
        assert!(
            err.contains("webhook.kinds") && err.contains("nope"),
            "{err}"
        );
    }

    #[test]
    fn the_semantic_settings_are_read_and_checked() {
        let c = load("[semantic]\nratio = 0.3\nfusion = \"rrf\"\ncandidates = 50\n").unwrap();
        let s = c.semantic.unwrap();
        assert_eq!((s.ratio, s.fusion, s.candidates), (0.3, Fusion::Rrf, 50));
        let defaults = load("").unwrap().semantic.unwrap();
        assert_eq!(defaults, SemanticConfig::default());
        assert!(load("[semantic]\nenabled = false\n")
            .unwrap()
            .semantic
            .is_none());
        for (toml, key) in [
            ("[semantic]\ncandidates = 0\n", "semantic.candidates"),
            ("[semantic]\ncandidates = 101\n", "semantic.candidates"),
            ("[semantic]\nratio = 1.5\n", "semantic.ratio"),
            ("[semantic]\nfusion = \"max\"\n", "semantic.fusion"),
        ] {
            let err = format!("{:#}", load(toml).unwrap_err());
            assert!(err.contains(key), "{toml}: {err}");
        }
    }

    #[test]
    fn a_proxy_that_is_not_an_address_is_refused() {
        let err = load("trusted_proxies = [\"proxy.internal\"]\n").unwrap_err();
        assert!(format!("{err:#}").contains("proxy.internal"), "{err:#}");
    }
}
