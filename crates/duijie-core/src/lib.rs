//! Domain of duijie (对接): who the parties are, what they publish, and the rules every layer
//! shares. No IO lives here.

pub mod cancel;
pub mod catalogues;
pub mod curation;
pub mod error;
pub mod id;
pub mod interests;
pub mod ledger;
pub mod market;
pub mod messages;
pub mod model;
pub mod notifications;
pub mod taxonomy;
pub mod text;
pub mod time;
pub mod validate;

pub use cancel::{Cancel, Cancelled};
pub use catalogues::{CatalogueEdition, CatalogueStatus};
pub use error::{DomainError, ErrorCode};
pub use interests::{Interest, InterestStatus, NewInterest};
pub use ledger::{
    Milestone, NewProject, NewSecondment, Project, ProjectPatch, ProjectStatus, Secondment,
};
pub use market::{
    Committee, CommitteeMember, CommitteeStatus, CommitteeUpdate, Instrument, InstrumentDraft,
    MemberEvidence, NewCommittee, Subtopic,
};
pub use messages::{Attachment, Message, NewAttachment, NewMessage};
pub use model::*;
pub use notifications::{Delivery, NotificationKind};
pub use taxonomy::{CoopMode, Field, Maturity};
