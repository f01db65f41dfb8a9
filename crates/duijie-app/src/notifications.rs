//! Notifications (通知): who hears of what (the rules, as [`NewNotice`]s that the store writes
//! in the event's own transaction), the inbox and delivery choices of each account, and the
//! notices written after the fact (new demands matching an institution, ledger milestones
//! coming due), keyed so that a retry or a second replica writes nothing twice.

use crate::{found, store_err, Action, App, AppResult, Caller};
use duijie_core::error::FieldErrors;
use duijie_core::{Delivery, Demand, DemandStatus, DomainError, Interest, NotificationKind};
use duijie_match::{CandidateKind, Tier};
use duijie_store::{Audience, NewNotice, Notification, OutboxEntry, OutboxStatus, ProjectFilter};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};

/// Notifications per page of the inbox.
pub const NOTIFICATIONS_PER_PAGE: u32 = 30;
/// A milestone is announced this many days before it falls due.
pub const MILESTONE_NOTICE_DAYS: i64 = 7;
/// Match jobs claimed per round, how long a claim holds, and attempts before one is dropped.
const MATCH_JOBS_PER_ROUND: u32 = 10;
const MATCH_JOB_LEASE_MS: i64 = 120_000;
const MATCH_JOB_ATTEMPTS: i64 = 10;

/// Institutions ranked for a newly published demand; those above the weak tier are told.
const MATCH_CANDIDATES: usize = 20;
/// Outbox rows shown to the bureau.
const OUTBOX_SHOWN: u32 = 50;

/// One page of an account's inbox.
#[derive(Debug, Clone, Serialize)]
pub struct NotificationPage {
    pub items: Vec<Notification>,
    pub total: i64,
    pub unread: i64,
    pub page: u32,
    pub per_page: u32,
}

/// The bureau's view of the e-mail outbox: the latest rows (no address, no body) and counts.
#[derive(Debug, Clone, Serialize)]
pub struct OutboxOverview {
    pub items: Vec<OutboxEntry>,
    pub pending: i64,
    pub sent: i64,
    pub failed: i64,
}

fn demand_link(d: &Demand) -> String {
    format!("/demands/{}", d.id)
}

/// A notice about demand `d` for organisation `org`, linking to the demand (every notice of a
/// 揭榜 or a review is about one demand).
fn about(d: &Demand, org: &str, kind: NotificationKind, title: String, body: String) -> NewNotice {
    NewNotice {
        kind,
        audience: Audience::Org(org.to_string()),
        title,
        body,
        link: demand_link(d),
        key: None,
    }
}

/// An institution's 揭榜 reached the demand's enterprise.
pub(crate) fn interest_received(d: &Demand, institution: &str) -> NewNotice {
    let title = format!("需求《{}》收到新的揭榜", d.body.title);
    let body = format!("{institution} 对您的需求表达了对接意向，请查看并答复。");
    about(
        d,
        &d.org_id,
        NotificationKind::InterestReceived,
        title,
        body,
    )
}

/// The enterprise answered an institution's 揭榜.
pub(crate) fn interest_answered(d: &Demand, i: &Interest, reason: Option<&str>) -> NewNotice {
    let (kind, title, body) = match reason {
        None => (
            NotificationKind::InterestAccepted,
            format!("您对《{}》的揭榜已被接受", d.body.title),
            format!("{} 接受了贵单位的对接意向，需求进入对接。", d.org_name),
        ),
        Some(reason) => (
            NotificationKind::InterestDeclined,
            format!("您对《{}》的揭榜未被接受", d.body.title),
            format!("{} 的答复：{reason}", d.org_name),
        ),
    };
    about(d, &i.org_id, kind, title, body)
}

/// The bureau's review of a demand, for its enterprise; `None` for moves nobody is told of.
pub(crate) fn demand_moved(d: &Demand, to: DemandStatus, note: &str) -> Option<NewNotice> {
    let note = note.trim();
    let with_note = |text: &str| {
        if note.is_empty() {
            text.to_string()
        } else {
            format!("{text}科技局意见：{note}")
        }
    };
    let (kind, title, body) = match to {
        DemandStatus::Approved => (
            NotificationKind::DemandApproved,
            format!("需求《{}》审核通过", d.body.title),
            with_note("您的需求已通过科技局审核，将随需求目录发布。"),
        ),
        DemandStatus::ChangesRequested => (
            NotificationKind::DemandReturned,
            format!("需求《{}》被退回修改", d.body.title),
            with_note("请按意见修改后重新提交。"),
        ),
        DemandStatus::Rejected => (
            NotificationKind::DemandReturned,
            format!("需求《{}》未通过审核", d.body.title),
            with_note(""),
        ),
        _ => return None,
    };
    Some(about(d, &d.org_id, kind, title, body))
}

/// An approved demand published with a catalogue, for its enterprise.
pub(crate) fn demand_published(d: &Demand, catalogue: &str) -> NewNotice {
    let title = format!("需求《{}》已发布", d.body.title);
    let body = format!("您的需求已随需求目录《{catalogue}》公开发布，高校院所可以揭榜。");
    about(d, &d.org_id, NotificationKind::DemandPublished, title, body)
}

/// A demand withdrawn or changed, for every institution that answered it (once each).
pub(crate) fn responders_told(d: &Demand, interests: &[Interest], what: &str) -> Vec<NewNotice> {
    let mut orgs: Vec<&str> = interests.iter().map(|i| i.org_id.as_str()).collect();
    orgs.sort_unstable();
    orgs.dedup();
    orgs.into_iter()
        .map(|org| {
            let title = format!("您揭榜的需求《{}》{what}", d.body.title);
            let body = format!("{} {what}，请查看最新内容。", d.org_name);
            about(d, org, NotificationKind::DemandChanged, title, body)
        })
        .collect()
}

/// A stable short key part for free text.
fn digest_of(text: &str) -> String {
    hex::encode(&Sha256::digest(text.as_bytes())[..8])
}

impl App {
    /// Every `(kind, delivery)` of a form or JSON body, each problem named by its kind.
    fn parse_prefs(raw: &HashMap<String, String>) -> AppResult<Vec<(NotificationKind, Delivery)>> {
        let mut errors = FieldErrors::default();
        let mut out = Vec::new();
        let mut keys: Vec<&String> = raw.keys().collect();
        keys.sort();
        for key in keys {
            let value = raw[key].trim();
            match (NotificationKind::parse(key), Delivery::parse(value)) {
                (Some(k), Some(d)) => out.push((k, d)),
                (None, _) => errors.add(DomainError::invalid(key, "没有这种通知")),
                (Some(k), None) => errors.add(DomainError::invalid(
                    key,
                    format!(
                        "“{}”的发送方式须为立即发邮件、每日汇总或不发邮件",
                        k.label()
                    ),
                )),
            }
        }
        errors.finish()?;
        Ok(out)
    }

    /// The caller's notifications, newest first (only unread ones when asked), 1-based page.
    pub async fn notifications(
        &self,
        caller: &Caller,
        unread_only: bool,
        page: Option<u32>,
    ) -> AppResult<NotificationPage> {
        let user = signed_in(caller)?;
        let page = page.unwrap_or(1).max(1);
        let offset = (page - 1).saturating_mul(NOTIFICATIONS_PER_PAGE);
        let (items, total) = self
            .store
            .list_notifications(&user.id, unread_only, offset, NOTIFICATIONS_PER_PAGE)
            .await
            .map_err(store_err)?;
        let unread = self.store.unread_count(&user.id).await.map_err(store_err)?;
        Ok(NotificationPage {
            items,
            total,
            unread,
            page,
            per_page: NOTIFICATIONS_PER_PAGE,
        })
    }

    /// How many of the caller's notifications are unread (0 for anonymous callers).
    pub async fn unread_notifications(&self, caller: &Caller) -> AppResult<i64> {
        match caller.user() {
            Some(u) => self.store.unread_count(&u.id).await.map_err(store_err),
            None => Ok(0),
        }
    }

    /// Marks one of the caller's notifications read (404 for anyone else's); returns the
    /// path of what it is about.
    pub async fn mark_notification_read(&self, caller: &Caller, id: &str) -> AppResult<String> {
        let user = signed_in(caller)?;
        let n = found(self.store.get_notification(&user.id, id).await, "通知")?;
        self.store
            .mark_read(&user.id, Some(id))
            .await
            .map_err(store_err)?;
        Ok(n.link)
    }

    /// Marks every notification of the caller read; returns how many were unread.
    pub async fn mark_all_notifications_read(&self, caller: &Caller) -> AppResult<u64> {
        let user = signed_in(caller)?;
        self.store
            .mark_read(&user.id, None)
            .await
            .map_err(store_err)
    }

    /// The caller's delivery choice for every kind, in the order of [`NotificationKind::ALL`].
    pub async fn notification_prefs(
        &self,
        caller: &Caller,
    ) -> AppResult<Vec<(NotificationKind, Delivery)>> {
        let user = signed_in(caller)?;
        let prefs = self
            .store
            .notification_prefs(&user.id)
            .await
            .map_err(store_err)?;
        Ok(NotificationKind::ALL
            .into_iter()
            .map(|k| (k, prefs.get(&k).copied().unwrap_or_default()))
            .collect())
    }

    /// Sets the caller's delivery choices (`kind → immediate|digest|off`); kinds not given
    /// keep theirs. Every wrong entry is named at once.
    pub async fn set_notification_prefs(
        &self,
        caller: &Caller,
        raw: &HashMap<String, String>,
    ) -> AppResult<Vec<(NotificationKind, Delivery)>> {
        let user = signed_in(caller)?;
        let prefs = Self::parse_prefs(raw)?;
        self.store
            .set_notification_prefs(&user.id, &prefs)
            .await
            .map_err(store_err)?;
        self.notification_prefs(caller).await
    }

    /// The e-mail outbox for the bureau: the latest rows, failed ones only when asked.
    pub async fn mail_outbox(
        &self,
        caller: &Caller,
        failed_only: bool,
    ) -> AppResult<OutboxOverview> {
        caller.require(Action::ViewMailOutbox)?;
        let status = failed_only.then_some(OutboxStatus::Failed);
        let (items, counts) = self
            .store
            .outbox(status, OUTBOX_SHOWN)
            .await
            .map_err(store_err)?;
        let n = |s| counts.get(&s).copied().unwrap_or(0);
        Ok(OutboxOverview {
            items,
            pending: n(OutboxStatus::Pending),
            sent: n(OutboxStatus::Sent),
            failed: n(OutboxStatus::Failed),
        })
    }

    /// Writes the match notices of newly published demands: claims due match jobs (queued in
    /// the publication's transaction, so a process that stops right after publishing loses
    /// none) and tells the institutions that each demand suits — candidates of the ranking at
    /// 部分相关 or above — once per demand and institution, however often it runs. A job that
    /// fails is tried again later with a growing wait; returns how many jobs were done.
    pub async fn run_match_jobs(&self) -> AppResult<u64> {
        let now = chrono::Utc::now().timestamp_millis();
        let jobs = self
            .store
            .claim_match_jobs(&self.worker, now, MATCH_JOB_LEASE_MS, MATCH_JOBS_PER_ROUND)
            .await
            .map_err(store_err)?;
        let mut done = 0;
        for job in jobs {
            let retry_at = match self.notify_matches(&job.demand_id).await {
                Ok(()) => None,
                Err(e) if job.attempts + 1 >= MATCH_JOB_ATTEMPTS => {
                    tracing::warn!(demand = %job.demand_id, code = e.code.as_str(), "match notices given up");
                    None
                }
                Err(e) => {
                    tracing::warn!(demand = %job.demand_id, code = e.code.as_str(), "match notices failed, retrying");
                    let wait = 1_000_i64 << job.attempts.clamp(0, 12);
                    Some(chrono::Utc::now().timestamp_millis() + wait)
                }
            };
            if retry_at.is_none() {
                done += 1;
            }
            self.store
                .finish_match_job(&job.demand_id, &self.worker, retry_at)
                .await
                .map_err(store_err)?;
        }
        Ok(done)
    }

    /// The match notices of one published demand (none once it is no longer public).
    async fn notify_matches(&self, demand_id: &str) -> AppResult<()> {
        let Some(d) = self.store.get_demand(demand_id).await.map_err(store_err)? else {
            return Ok(());
        };
        if !d.status.is_public() {
            return Ok(());
        }
        let ranking = self
            .rank(
                crate::matching::match_input(&d),
                CandidateKind::Institution,
                MATCH_CANDIDATES,
                None,
            )
            .await?;
        let notices: Vec<NewNotice> = ranking
            .candidates
            .iter()
            .filter(|c| matches!(c.tier, Tier::Strong | Tier::Partial))
            .map(|c| NewNotice {
                kind: NotificationKind::DemandMatched,
                audience: Audience::Org(c.id.clone()),
                title: format!("新发布的需求《{}》与本单位相关", d.body.title),
                body: format!(
                    "{} 发布了技术需求，匹配度：{}。{}",
                    d.org_name,
                    c.tier.label(),
                    c.reason
                ),
                link: demand_link(&d),
                key: Some(format!("match:{}", d.id)),
            })
            .collect();
        self.store.notify(&notices).await.map_err(store_err)?;
        Ok(())
    }

    /// Tells the bureau of ledger milestones not done that fall due within
    /// [`MILESTONE_NOTICE_DAYS`] of `today` (China time), once per milestone.
    pub async fn check_milestones(&self, today: chrono::NaiveDate) -> AppResult<u64> {
        let projects = self
            .store
            .list_projects(&ProjectFilter::default())
            .await
            .map_err(store_err)?;
        let horizon = today + chrono::Duration::days(MILESTONE_NOTICE_DAYS);
        let mut notices = Vec::new();
        for p in &projects {
            for m in p.milestones.iter().filter(|m| !m.done) {
                if m.date < today || m.date > horizon {
                    continue;
                }
                notices.push(NewNotice {
                    kind: NotificationKind::MilestoneDue,
                    audience: Audience::Bureau,
                    title: format!("台账节点临近：{}", p.demand_title),
                    body: format!(
                        "{} 到期：{}（承接单位：{}）",
                        m.date, m.text, p.institution_name
                    ),
                    link: format!("/projects/{}", p.id),
                    key: Some(format!(
                        "milestone:{}:{}:{}",
                        p.id,
                        m.date,
                        digest_of(&m.text)
                    )),
                });
            }
        }
        self.store.notify(&notices).await.map_err(store_err)
    }
}

fn signed_in(caller: &Caller) -> AppResult<&duijie_core::User> {
    caller.require(Action::UseAccount)
}

/// The inbox API's `{kind: delivery}` object, in the order of the kinds.
pub fn prefs_map(prefs: &[(NotificationKind, Delivery)]) -> BTreeMap<&'static str, &'static str> {
    prefs
        .iter()
        .map(|(k, d)| (k.as_str(), d.as_str()))
        .collect()
}
