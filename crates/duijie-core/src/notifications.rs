//! Notifications (通知): what kinds of event tell someone, and how each person wants to hear of
//! each kind (at once by e-mail, in a daily digest, or only in the inbox).

use serde::{Deserialize, Serialize};

/// What a notification is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    /// An institution answered my demand (enterprise).
    InterestReceived,
    /// The enterprise accepted my 揭榜 (institution).
    InterestAccepted,
    /// The enterprise declined my 揭榜, or closed it by withdrawing the demand (institution).
    InterestDeclined,
    /// The bureau returned or turned down my demand (enterprise).
    DemandReturned,
    /// The bureau approved my demand (enterprise).
    DemandApproved,
    /// My demand was published in a catalogue (enterprise).
    DemandPublished,
    /// A demand I answered was withdrawn or changed (institution).
    DemandChanged,
    /// A newly published demand matches my institution (institution).
    DemandMatched,
    /// A ledger milestone falls due soon (bureau).
    MilestoneDue,
}

impl NotificationKind {
    pub const ALL: [NotificationKind; 9] = [
        NotificationKind::InterestReceived,
        NotificationKind::InterestAccepted,
        NotificationKind::InterestDeclined,
        NotificationKind::DemandReturned,
        NotificationKind::DemandApproved,
        NotificationKind::DemandPublished,
        NotificationKind::DemandChanged,
        NotificationKind::DemandMatched,
        NotificationKind::MilestoneDue,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            NotificationKind::InterestReceived => "interest_received",
            NotificationKind::InterestAccepted => "interest_accepted",
            NotificationKind::InterestDeclined => "interest_declined",
            NotificationKind::DemandReturned => "demand_returned",
            NotificationKind::DemandApproved => "demand_approved",
            NotificationKind::DemandPublished => "demand_published",
            NotificationKind::DemandChanged => "demand_changed",
            NotificationKind::DemandMatched => "demand_matched",
            NotificationKind::MilestoneDue => "milestone_due",
        }
    }

    /// How pages and mails name the kind.
    pub fn label(self) -> &'static str {
        match self {
            NotificationKind::InterestReceived => "收到揭榜",
            NotificationKind::InterestAccepted => "揭榜被接受",
            NotificationKind::InterestDeclined => "揭榜未被接受",
            NotificationKind::DemandReturned => "需求被退回或未通过",
            NotificationKind::DemandApproved => "需求审核通过",
            NotificationKind::DemandPublished => "需求已发布",
            NotificationKind::DemandChanged => "揭榜的需求有变化",
            NotificationKind::DemandMatched => "新需求与本单位匹配",
            NotificationKind::MilestoneDue => "台账节点临近",
        }
    }

    pub fn parse(s: &str) -> Option<NotificationKind> {
        NotificationKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// How a person hears of one kind of notification; the inbox always has it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Delivery {
    /// An e-mail of its own, as soon as it happens.
    #[default]
    Immediate,
    /// One e-mail a day listing everything of the day.
    Digest,
    /// No e-mail.
    Off,
}

impl Delivery {
    pub const ALL: [Delivery; 3] = [Delivery::Immediate, Delivery::Digest, Delivery::Off];

    pub fn as_str(self) -> &'static str {
        match self {
            Delivery::Immediate => "immediate",
            Delivery::Digest => "digest",
            Delivery::Off => "off",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Delivery::Immediate => "立即发邮件",
            Delivery::Digest => "每日汇总",
            Delivery::Off => "不发邮件",
        }
    }

    pub fn parse(s: &str) -> Option<Delivery> {
        Delivery::ALL.into_iter().find(|d| d.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for k in NotificationKind::ALL {
            assert_eq!(NotificationKind::parse(k.as_str()), Some(k));
            assert!(!k.label().is_empty());
        }
        for d in Delivery::ALL {
            assert_eq!(Delivery::parse(d.as_str()), Some(d));
        }
        assert_eq!(NotificationKind::parse("x"), None);
        assert_eq!(Delivery::parse("weekly"), None);
    }
}
