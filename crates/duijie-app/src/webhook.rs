//! The outgoing webhook (`[webhook]`): notices of the chosen kinds are posted to the bureau's
//! group chat robot (企业微信 / 钉钉) as `{"msgtype": "markdown", ...}` or `"text"` JSON,
//! signed the DingTalk way — `timestamp` (ms) and `sign` = base64(HMAC-SHA256(secret,
//! timestamp + "\n" + secret)) as query parameters.
//!
//! Events are queued by the store in the transaction of the notice that causes them (one per
//! notice, keyed like the notice: never queued twice) with its title and link only, so no
//! contact detail reaches the chat. The [outbox worker](crate::outbox) posts them (claims with a
//! lease, backoff, give-up after `max_attempts`, at least once), as it sends mail.

use crate::outbox::{Deliver, Failure, OutboxWorker, Pace};
use crate::App;
use base64::Engine;
use duijie_core::NotificationKind;
use duijie_store::WebhookEvent;
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
    /// Attempts, backoff, lease and the pause between rounds.
    pub pace: Pace,
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
            pace: Pace {
                max_attempts: 8,
                retry_base: Duration::from_secs(30),
                lease: Duration::from_secs(60),
                poll: Duration::from_secs(5),
            },
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

/// Delivers the webhook outbox to the group chat robot.
pub struct Robot {
    config: WebhookConfig,
    client: reqwest::Client,
}

/// The webhook worker: the outbox worker over the robot's HTTP API.
pub type WebhookWorker = OutboxWorker<Robot>;

impl WebhookWorker {
    /// A worker; the store queues events of the configured kinds from now on.
    pub fn new(app: Arc<App>, config: WebhookConfig) -> anyhow::Result<WebhookWorker> {
        let client = reqwest::Client::builder().timeout(config.timeout).build()?;
        app.store.set_webhook_kinds(&config.kinds);
        Ok(OutboxWorker::with(app, Robot { config, client }))
    }
}

impl Robot {
    /// The JSON body of an event: title and link only.
    fn payload(&self, e: &WebhookEvent) -> Value {
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
}

impl Deliver for Robot {
    type Row = WebhookEvent;
    const NAME: &'static str = "webhook";

    fn pace(&self) -> Pace {
        self.config.pace
    }

    async fn deliver(&self, e: &WebhookEvent) -> Result<(), Failure> {
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
