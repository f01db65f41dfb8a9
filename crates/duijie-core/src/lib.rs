//! Domain of duijie (对接): who the parties are, what they publish, and the rules every layer
//! shares. No IO lives here.

pub mod cancel;
pub mod catalogues;
pub mod committees;
pub mod curation;
pub mod error;
pub mod id;
pub mod instruments;
pub mod interests;
pub mod ledger;
pub mod messages;
pub mod model;
pub mod notifications;
pub mod taxonomy;
pub mod text;
pub mod time;
pub mod validate;
mod wire;

pub use cancel::{Cancel, Cancelled};
pub use catalogues::{CatalogueEdition, CatalogueStatus};
pub use committees::{
    Committee, CommitteeMember, CommitteeStatus, CommitteeUpdate, MemberEvidence, NewCommittee,
    Subtopic,
};
pub use error::{DomainError, ErrorCode};
pub use instruments::{Instrument, InstrumentDraft};
pub use interests::{Interest, InterestStatus, NewInterest};
pub use ledger::{
    Milestone, NewProject, NewSecondment, Project, ProjectPatch, ProjectStatus, Secondment,
};
pub use messages::{Attachment, Message, NewAttachment, NewMessage};
pub use model::*;
pub use notifications::{Delivery, NotificationKind};
pub use taxonomy::{CoopMode, Field, Maturity};
