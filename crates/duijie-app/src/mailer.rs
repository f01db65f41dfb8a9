//! The e-mail worker: the [outbox worker](crate::outbox) over SMTP. Each round it queues the
//! daily digests (once the configured China-time hour has come), announces ledger milestones
//! coming due, then sends the due outbox mails through the relay.
//!
//! A mail delivered twice (a crash between sending and marking it sent) carries the same
//! Message-ID (derived from the outbox row), by which the relay and mail clients recognise the
//! repeat. Permanent refusals (5xx) are given up at once.

use crate::outbox::{Deliver, Failure, OutboxWorker, Pace};
use crate::App;
use duijie_core::text::escape_html;
use duijie_core::time::{china_local, china_today};
use duijie_store::OutboxMail;
use lettre::message::{header::ContentType, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::sync::Arc;
use std::time::Duration;

/// How the worker reaches the relay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpTls {
    /// Plain SMTP (a relay on the loopback or a trusted network).
    None,
    /// STARTTLS after connecting (port 587).
    StartTls,
    /// TLS from the first byte (port 465).
    Tls,
}

impl SmtpTls {
    pub fn parse(s: &str) -> Option<SmtpTls> {
        match s {
            "none" => Some(SmtpTls::None),
            "starttls" => Some(SmtpTls::StartTls),
            "tls" => Some(SmtpTls::Tls),
            _ => None,
        }
    }
}

/// The SMTP relay and the worker's pace (`[mail]` of `duijie.toml`).
#[derive(Clone)]
pub struct MailConfig {
    pub host: String,
    pub port: u16,
    pub tls: SmtpTls,
    pub user: Option<String>,
    pub password: Option<String>,
    /// `对接平台 <noreply@example.org>`
    pub from: String,
    /// The site's address, for links in mails (`https://duijie.example.org`).
    pub base_url: String,
    /// The China-time hour (0–23) after which the day's digests go out; 24 never (digests only
    /// through [`MailWorker::queue_digests`]).
    pub digest_hour: u32,
    /// Attempts, backoff, lease and the pause between rounds.
    pub pace: Pace,
}

impl std::fmt::Debug for MailConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("user", &self.user.as_ref().map(|_| "***"))
            .field("base_url", &self.base_url)
            .field("digest_hour", &self.digest_hour)
            .finish_non_exhaustive()
    }
}

impl MailConfig {
    /// Defaults for a relay at `host:port` without TLS (tests, a local relay).
    pub fn plain(host: &str, port: u16, from: &str, base_url: &str) -> MailConfig {
        MailConfig {
            host: host.to_string(),
            port,
            tls: SmtpTls::None,
            user: None,
            password: None,
            from: from.to_string(),
            base_url: base_url.to_string(),
            digest_hour: 8,
            pace: Pace {
                max_attempts: 8,
                retry_base: Duration::from_secs(60),
                lease: Duration::from_secs(120),
                poll: Duration::from_secs(5),
            },
        }
    }
}

/// Delivers the mail outbox through the SMTP relay, and queues the day's digests.
pub struct Smtp {
    config: MailConfig,
    from: Mailbox,
    transport: AsyncSmtpTransport<Tokio1Executor>,
    /// The China-time day whose digests and milestones this worker already handled.
    handled_day: Option<chrono::NaiveDate>,
}

/// The mail worker: the outbox worker over SMTP.
pub type MailWorker = OutboxWorker<Smtp>;

impl MailWorker {
    pub fn new(app: Arc<App>, config: MailConfig) -> anyhow::Result<MailWorker> {
        use anyhow::Context;
        let from: Mailbox = config
            .from
            .parse()
            .context("mail.from is not an e-mail address")?;
        let builder = match config.tls {
            SmtpTls::None => {
                AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(config.host.as_str())
            }
            SmtpTls::StartTls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&config.host)
                .context("mail.host")?,
            SmtpTls::Tls => {
                AsyncSmtpTransport::<Tokio1Executor>::relay(&config.host).context("mail.host")?
            }
        };
        let mut builder = builder
            .port(config.port)
            .timeout(Some(Duration::from_secs(20)));
        if let (Some(user), Some(password)) = (&config.user, &config.password) {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        let smtp = Smtp {
            from,
            transport: builder.build(),
            config,
            handled_day: None,
        };
        Ok(OutboxWorker::with(app, smtp))
    }

    /// Queues today's digests now, whatever the hour (the round does it after `digest_hour`).
    pub async fn queue_digests(&self, today: chrono::NaiveDate) -> anyhow::Result<u64> {
        queue_digests(&self.app, today).await
    }
}

async fn queue_digests(app: &App, today: chrono::NaiveDate) -> anyhow::Result<u64> {
    let subject = format!("对接平台每日通知汇总（{today}）");
    Ok(app
        .store
        .queue_digests(&today.to_string(), &subject)
        .await?)
}

impl Deliver for Smtp {
    type Row = OutboxMail;
    const NAME: &'static str = "mailer";

    fn pace(&self) -> Pace {
        self.config.pace
    }

    /// The day's digests and milestones, once the configured hour has come.
    async fn prepare(&mut self, app: &App) -> anyhow::Result<u64> {
        let today = china_today();
        if self.handled_day == Some(today)
            || chrono::Timelike::hour(&china_local(chrono::Utc::now())) < self.config.digest_hour
        {
            return Ok(0);
        }
        let digests = queue_digests(app, today).await?;
        app.check_milestones(today).await?;
        self.handled_day = Some(today);
        Ok(digests)
    }

    async fn deliver(&self, mail: &OutboxMail) -> Result<(), Failure> {
        let message = self.message(mail).map_err(|_| Failure {
            text: "邮件地址或内容无效".into(),
            permanent: true,
        })?;
        self.transport.send(message).await.map(|_| ()).map_err(|e| {
            let permanent = e.is_permanent();
            let text = match e.status() {
                Some(code) => format!("邮件服务器拒绝（{code}）"),
                None if e.is_timeout() => "连接邮件服务器超时".into(),
                None => "无法连接邮件服务器".into(),
            };
            Failure { text, permanent }
        })
    }
}

impl Smtp {
    /// The mail of an outbox row: Chinese plain text with an HTML alternative, and a
    /// Message-ID derived from the row, the same at every attempt.
    fn message(&self, mail: &OutboxMail) -> anyhow::Result<Message> {
        let base = self.config.base_url.trim_end_matches('/');
        let (text, html) = render(base, mail);
        let domain = self.from.email.domain().to_string();
        Ok(Message::builder()
            .from(self.from.clone())
            .to(mail.to_addr.parse()?)
            .subject(mail.subject.clone())
            .message_id(Some(format!("<{}@{domain}>", mail.id)))
            .multipart(
                MultiPart::alternative()
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_PLAIN)
                            .body(text),
                    )
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_HTML)
                            .body(html),
                    ),
            )?)
    }
}

/// The plain text and HTML of a mail.
fn render(base: &str, mail: &OutboxMail) -> (String, String) {
    let mut text = String::new();
    let mut html =
        String::from("<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\"><body>");
    if mail.items.len() > 1 {
        text.push_str(&format!("您有 {} 条新通知：\n\n", mail.items.len()));
        html.push_str(&format!("<p>您有 {} 条新通知：</p>", mail.items.len()));
    }
    for item in &mail.items {
        let url = format!("{base}{}", item.link);
        text.push_str(&format!("{}\n{}\n查看：{url}\n\n", item.title, item.body));
        html.push_str(&format!(
            "<h3>{}</h3><p>{}</p><p><a href=\"{}\">查看详情</a></p>",
            escape_html(&item.title),
            escape_html(&item.body),
            escape_html(&url)
        ));
    }
    let settings = format!("{base}/notifications/settings");
    text.push_str(&format!(
        "——\n对接 科技需求对接平台。每类通知可选择立即发邮件、每日汇总或不发邮件：{settings}\n"
    ));
    html.push_str(&format!(
        "<hr><p>对接 科技需求对接平台。<a href=\"{}\">通知设置</a></p></body></html>",
        escape_html(&settings)
    ));
    (text, html)
}

#[cfg(test)]
mod tests {
    use super::*;
    use duijie_store::MailItem;

    #[test]
    fn a_digest_lists_every_item_with_its_link() {
        let mail = OutboxMail {
            id: "mail_1".into(),
            to_addr: "a@example.org".into(),
            subject: "汇总".into(),
            items: vec![
                MailItem {
                    title: "甲<b>".into(),
                    body: "一".into(),
                    link: "/demands/d1".into(),
                },
                MailItem {
                    title: "乙".into(),
                    body: "二".into(),
                    link: "/projects/p1".into(),
                },
            ],
            attempts: 0,
        };
        let (text, html) = render("https://dj.example.org", &mail);
        assert!(text.starts_with("您有 2 条新通知"));
        assert!(text.contains("https://dj.example.org/demands/d1"));
        assert!(text.contains("https://dj.example.org/projects/p1"));
        assert!(html.contains("甲&lt;b&gt;"));
        assert!(!html.contains("甲<b>"));
    }
}
