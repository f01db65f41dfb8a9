//! The outgoing webhook (`[webhook]`): notices of the chosen kinds are posted to the bureau's
//! group chat robot (企业微信 / 钉钉) as `{"msgtype": "markdown", ...}` or `"text"` JSON,
//! signed the DingTalk way — `timestamp` (ms) and `sign` = base64(HMAC-SHA256(secret,
//! timestamp + "\n" + secret)) as query parameters.
//!
//! Events are queued by the store in the transaction of the notice that causes them (one per
//! notice, keyed like the notice: never queued twice) with its title and link only, so no
//! contact detail reaches the chat. A worker per replica claims due events with a lease (two
//! workers never hold one event), posts them, and records the outcome; a failure is retried
//! with exponential backoff up to `max_attempts`, then marked failed. An event is marked sent
//! only after the robot accepted it: a crash between the two may post it once more after the
//! lease, as with mail.

use crate::App;
use base64::Engine;
use duijie_core::NotificationKind;
use duijie_store::{MailOutcome, WebhookEvent};
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;
use std::sync::Arc;
use std::time::Duration;

/// The robot's message type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookFormat {
    Markdown,
    Text,
}

/// Where and how events are posted (`[webhook]` of `duijie.toml`).
#[derive(Clone)]
pub struct WebhookConfig {
    /// The robot's address (`https://oapi.dingtalk.com/robot/send?access_token=...`).
    pub url: String,
    /// The signing secret (加签); `None` posts unsigned.
    pub secret: Option<String>,
    /// Kinds of notification posted.
    pub kinds: Vec<NotificationKind>,
    pub format: WebhookFormat,
    /// The site's address, for links (`https://duijie.example.org`).
    pub base_url: String,
    /// Attempts before an event is given up (marked failed).
    pub max_attempts: i64,
    /// The wait after the first failure; doubled after each further one, at most an hour.
    pub retry_base: Duration,
    /// How long a claimed event is held before another worker may take it.
    pub lease: Duration,
    /// The pause between rounds.
    pub poll: Duration,
    /// The longest wait for the robot's answer.
    pub timeout: Duration,
}

impl std::fmt::Debug for WebhookConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The address carries the robot's access token: only its host is shown.
        let host = self
            .url
            .split("://")
            .nth(1)
            .and_then(|rest| rest.split(['/', '?']).next())
            .unwrap_or_default();
        f.debug_struct("WebhookConfig")
            .field("host", &host)
            .field("secret", &self.secret.as_ref().map(|_| "***"))
            .field("kinds", &self.kinds)
            .field("format", &self.format)
            .finish_non_exhaustive()
    }
}

impl WebhookConfig {
    pub fn new(
        url: &str,
        secret: Option<String>,
        kinds: Vec<NotificationKind>,
        base_url: &str,
    ) -> WebhookConfig {
        WebhookConfig {
            url: url.to_string(),
            secret,
            kinds,
            format: WebhookFormat::Markdown,
            base_url: base_url.trim_end_matches('/').to_string(),
            max_attempts: 8,
            retry_base: Duration::from_secs(30),
            lease: Duration::from_secs(60),
            poll: Duration::from_secs(5),
            timeout: Duration::from_secs(10),
        }
    }
}

/// DingTalk's signature of `timestamp` (ms): base64(HMAC-SHA256 keyed by the secret over
/// `timestamp + "\n" + secret`).
pub fn webhook_signature(timestamp: i64, secret: &str) -> String {
    // HMAC takes a key of any length.
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(m) => m,
        Err(_) => return String::new(),
    };
    mac.update(format!("{timestamp}\n{secret}").as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// What one round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WebhookRound {
    pub sent: u64,
    pub retried: u64,
    pub failed: u64,
}

/// Events claimed per round.
const BATCH: u32 = 20;
const MAX_BACKOFF: Duration = Duration::from_secs(3600);

/// One worker: a name of its own (its claims), the robot and the app.
pub struct WebhookWorker {
    app: Arc<App>,
    config: WebhookConfig,
    name: String,
    client: reqwest::Client,
}

/// Why a post failed; `permanent` gives up at once.
struct Failure {
    text: String,
    permanent: bool,
}

impl WebhookWorker {
    /// A worker; the store queues events of the configured kinds from now on.
    pub fn new(app: Arc<App>, config: WebhookConfig) -> anyhow::Result<WebhookWorker> {
        let client = reqwest::Client::builder().timeout(config.timeout).build()?;
        app.store.set_webhook_kinds(&config.kinds);
        Ok(WebhookWorker {
            app,
            name: format!("webhook-{}", duijie_core::id::new_id("w")),
            config,
            client,
        })
    }

    /// Rounds every `poll` until the process ends.
    pub fn spawn(self) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            loop {
                if let Err(e) = self.round().await {
                    tracing::warn!(error = %e, "webhook round failed");
                }
                tokio::time::sleep(self.config.poll).await;
            }
        })
    }

    /// The JSON body of an event: title and link only.
    pub fn payload(&self, e: &WebhookEvent) -> Value {
        let link = format!("{}{}", self.config.base_url, e.link);
        let label = e.kind.label();
        match self.config.format {
            WebhookFormat::Markdown => {
                let text = format!("#### 【{label}】{}\n\n[在对接平台查看]({link})", e.title);
                // 企业微信 reads `content`, 钉钉 `title` and `text`.
                json!({"msgtype": "markdown",
                       "markdown": {"content": text, "title": label, "text": text}})
            }
            WebhookFormat::Text => json!({"msgtype": "text",
                "text": {"content": format!("【{label}】{}\n{link}", e.title)}}),
        }
    }

    /// One round: posts the due events.
    pub async fn round(&self) -> anyhow::Result<WebhookRound> {
        let mut round = WebhookRound::default();
        let now = chrono::Utc::now().timestamp_millis();
        let events = self
            .app
            .store
            .claim_webhooks(
                &self.name,
                now,
                i64::try_from(self.config.lease.as_millis()).unwrap_or(i64::MAX),
                BATCH,
            )
            .await?;
        for e in events {
            let outcome = match self.post(&e).await {
                Ok(()) => {
                    round.sent += 1;
                    self.finish(&e, MailOutcome::Sent).await?;
                    continue;
                }
                Err(f) => f,
            };
            tracing::warn!(event = %e.id, attempts = e.attempts + 1, "webhook post failed");
            if outcome.permanent || e.attempts + 1 >= self.config.max_attempts {
                round.failed += 1;
                self.finish(
                    &e,
                    MailOutcome::GiveUp {
                        error: &outcome.text,
                    },
                )
                .await?;
            } else {
                round.retried += 1;
                let wait = self.backoff(e.attempts + 1);
                let at = chrono::Utc::now().timestamp_millis()
                    + i64::try_from(wait.as_millis()).unwrap_or(i64::MAX / 4);
                self.finish(
                    &e,
                    MailOutcome::Retry {
                        error: &outcome.text,
                        at,
                    },
                )
                .await?;
            }
        }
        Ok(round)
    }

    fn backoff(&self, attempts: i64) -> Duration {
        let exp = u32::try_from(attempts.saturating_sub(1).clamp(0, 20)).unwrap_or(20);
        self.config
            .retry_base
            .saturating_mul(2u32.saturating_pow(exp))
            .min(MAX_BACKOFF)
    }

    async fn finish(&self, e: &WebhookEvent, outcome: MailOutcome<'_>) -> anyhow::Result<()> {
        if !self
            .app
            .store
            .finish_webhook(&e.id, &self.name, outcome)
            .await?
        {
            tracing::warn!(event = %e.id, "webhook claim lost before its outcome was recorded");
        }
        Ok(())
    }

    async fn post(&self, e: &WebhookEvent) -> Result<(), Failure> {
        let mut req = self.client.post(&self.config.url).json(&self.payload(e));
        if let Some(secret) = &self.config.secret {
            let timestamp = chrono::Utc::now().timestamp_millis();
            let sign = webhook_signature(timestamp, secret);
            req = req.query(&[("timestamp", timestamp.to_string()), ("sign", sign)]);
        }
        let resp = req.send().await.map_err(|_| Failure {
            text: "无法连接群机器人".into(),
            permanent: false,
        })?;
        let status = resp.status();
        if !status.is_success() {
            let permanent = status.is_client_error()
                && status != reqwest::StatusCode::TOO_MANY_REQUESTS
                && status != reqwest::StatusCode::REQUEST_TIMEOUT;
            return Err(Failure {
                text: format!("群机器人返回 HTTP {}", status.as_u16()),
                permanent,
            });
        }
        // Both robots answer 200 with `errcode` 0 on success and another code on refusal
        // (a bad signature, too many messages).
        let body: Value = resp.json().await.unwrap_or(Value::Null);
        match body.get("errcode").and_then(Value::as_i64) {
            None | Some(0) => Ok(()),
            Some(code) => Err(Failure {
                text: format!("群机器人拒收（errcode {code}）"),
                permanent: false,
            }),
        }
    }
}
