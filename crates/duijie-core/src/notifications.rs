//! Notifications (通知): what kinds of event tell someone, and how each person wants to hear of
//! each kind (at once by e-mail, in a daily digest, or only in the inbox).

use crate::wire::wire_enum;
use serde::{Deserialize, Serialize};

wire_enum! {
    /// What a notification is about.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum NotificationKind {
        /// An institution answered my demand (enterprise).
        InterestReceived => ("interest_received", "收到揭榜"),
        /// The enterprise accepted my 揭榜 (institution).
        InterestAccepted => ("interest_accepted", "揭榜被接受"),
        /// The enterprise declined my 揭榜, or closed it by withdrawing the demand (institution).
        InterestDeclined => ("interest_declined", "揭榜未被接受"),
        /// The bureau returned or turned down my demand (enterprise).
        DemandReturned => ("demand_returned", "需求被退回或未通过"),
        /// The bureau approved my demand (enterprise).
        DemandApproved => ("demand_approved", "需求审核通过"),
        /// My demand was published in a catalogue (enterprise).
        DemandPublished => ("demand_published", "需求已发布"),
        /// A demand I answered was withdrawn or changed (institution).
        DemandChanged => ("demand_changed", "揭榜的需求有变化"),
        /// A newly published demand matches my institution (institution).
        DemandMatched => ("demand_matched", "新需求与本单位匹配"),
        /// A ledger milestone falls due soon (bureau).
        MilestoneDue => ("milestone_due", "台账节点临近"),
    }
}

wire_enum! {
    /// How a person hears of one kind of notification; the inbox always has it.
    #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum Delivery {
        /// An e-mail of its own, as soon as it happens.
        #[default]
        Immediate => ("immediate", "立即发邮件"),
        /// One e-mail a day listing everything of the day.
        Digest => ("digest", "每日汇总"),
        /// No e-mail.
        Off => ("off", "不发邮件"),
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
