//! Who may do what. Every permission-checked action of the service has a name ([`Action`]) and
//! one rule saying which roles may take it ([`Action::roles`]): the only place in the
//! workspace that lists roles for a permission. Rules that also depend on a record (the
//! enterprise owns this demand, the institution made this 揭榜) are [`Caller`] methods built
//! on those actions. The server asks the same rules ([`Caller::may`]) to decide what to show.

use duijie_core::{
    Demand, DemandStatus, DomainError, ErrorCode, Interest, InterestStatus, Role, User,
};

/// Declares [`Action`] from one list of its variants, with the list itself for the tests.
macro_rules! actions {
    ($($(#[$doc:meta])* $name:ident,)*) => {
        /// A permission-checked action of the service (meilisearch's `ActionPolicy`: one name
        /// per action rather than role lists at each call site).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Action {
            $($(#[$doc])* $name,)*
        }

        #[cfg(test)]
        impl Action {
            /// Every action, in the order declared.
            const ALL: &'static [Action] = &[$(Action::$name),*];
        }
    };
}

actions! {
    /// Write demands: an enterprise its own, the bureau any (create, edit, add files; the
    /// demand forms). Which demand is decided per record ([`Caller::owns`],
    /// [`Action::EditAnyDemand`]).
    WriteDemand,
    /// List demands (an enterprise its own, the bureau all) and read a demand's history.
    ListDemands,
    /// The owner's moves of its own demands: submit, withdraw, reopen, delete a draft. Only an
    /// account that may take it owns demands ([`Caller::owns`]).
    SubmitDemand,
    /// Approve, return or turn down a submitted demand; the review queue.
    ReviewDemand,
    /// Oversight: every demand in any status, its history, its 揭榜 with their contacts and
    /// their conversations (read only).
    SeeAnyDemand,
    /// Edit any demand in any status, add files to it, enter one for an enterprise.
    EditAnyDemand,
    /// The contact person of any demand the caller may see (owners always see their own).
    SeeDemandContacts,
    /// Read a demand's 揭榜: all for its owner and the bureau, its own for an institution.
    ReadInterests,
    /// Express interest in a demand (揭榜) for one's institution.
    ProposeInterest,
    /// Accept or decline the 揭榜 on one's own demand.
    AnswerInterest,
    /// Keep achievements, experts and instruments: an institution its own, the bureau any
    /// ([`Caller::may_keep_records_of`]).
    KeepRecords,
    /// Keep the records of every institution.
    KeepAnyRecords,
    /// Experts' contact details.
    SeeExpertContacts,
    /// An institution's workspace: its own records, its 揭榜, the demands recommended to it.
    UseWorkspace,
    /// Demands ranked for an institution (whose: [`Caller::may_keep_records_of`]).
    RecommendDemands,
    /// Catalogue editions: create, fill and delete drafts, and see them.
    EditCatalogue,
    /// Publish a catalogue edition.
    PublishCatalogue,
    /// Exports with contact columns (full catalogue exports).
    ExportContacts,
    /// Import catalogue files and read their reports.
    ImportCatalogue,
    /// The ledger: cooperation projects and secondments, read and written.
    KeepLedger,
    /// The annual report.
    ReadAnnualReport,
    /// Expert committees: propose, adjust, confirm, read.
    ManageCommittees,
    /// The audit log and the list of record changes.
    ReadAuditLog,
    /// Approve or reject self-registrations.
    ReviewRegistrations,
    /// Create, disable and change accounts; reset their passwords.
    ManageAccounts,
    /// The e-mail outbox.
    ViewMailOutbox,
    /// One's own account: sessions, password, contact, tokens, notifications.
    UseAccount,
}

const EVERYONE: &[Role] = &Role::ALL;
const WRITERS: &[Role] = &[Role::Enterprise, Role::Bureau, Role::Admin];
const KEEPERS: &[Role] = &[Role::Institution, Role::Bureau, Role::Admin];
const CURATORS: &[Role] = &[Role::Bureau, Role::Admin];

impl Action {
    /// The roles that may take this action: the one rule for it.
    pub fn roles(self) -> &'static [Role] {
        use Action::*;
        match self {
            UseAccount | ReadInterests => EVERYONE,
            WriteDemand | ListDemands => WRITERS,
            SubmitDemand | AnswerInterest => &[Role::Enterprise],
            ProposeInterest | UseWorkspace => &[Role::Institution],
            SeeDemandContacts | KeepRecords | RecommendDemands => KEEPERS,
            ReviewDemand | SeeAnyDemand | EditAnyDemand | KeepAnyRecords | SeeExpertContacts
            | EditCatalogue | PublishCatalogue | ExportContacts | ImportCatalogue | KeepLedger
            | ReadAnnualReport | ManageCommittees | ReadAuditLog | ReviewRegistrations
            | ViewMailOutbox => CURATORS,
            ManageAccounts => &[Role::Admin],
        }
    }
}

/// The caller of a use case.
#[derive(Debug, Clone, PartialEq)]
pub enum Caller {
    Anonymous,
    User(User),
}

impl Caller {
    pub fn user(&self) -> Option<&User> {
        match self {
            Caller::Anonymous => None,
            Caller::User(u) => Some(u),
        }
    }

    pub fn org_id(&self) -> Option<&str> {
        self.user().and_then(|u| u.org_id.as_deref())
    }

    /// Whether the caller may take `action`; anonymous callers take none.
    pub fn may(&self, action: Action) -> bool {
        self.user()
            .is_some_and(|u| action.roles().contains(&u.role))
    }

    /// The signed-in account if it may take `action`: 401 for anonymous callers, 403 for
    /// other roles.
    pub fn require(&self, action: Action) -> Result<&User, DomainError> {
        match self {
            Caller::Anonymous => Err(DomainError::new(ErrorCode::Unauthenticated, "请先登录")),
            Caller::User(u) if action.roles().contains(&u.role) => Ok(u),
            Caller::User(_) => Err(forbidden()),
        }
    }

    /// The caller is the enterprise that owns the demand.
    pub fn owns(&self, demand: &Demand) -> bool {
        self.may(Action::SubmitDemand) && self.org_id() == Some(demand.org_id.as_str())
    }

    /// Published demands are public; the rest only for their owner and the bureau.
    pub fn can_see_demand(&self, demand: &Demand) -> bool {
        demand.status.is_public() || self.may(Action::SeeAnyDemand) || self.owns(demand)
    }

    /// Contact details: the owner, the bureau and signed-in institutions.
    pub fn can_see_contact(&self, demand: &Demand) -> bool {
        self.may(Action::SeeDemandContacts) || self.owns(demand)
    }

    /// The caller is the institution that made this 揭榜.
    pub fn proposed(&self, interest: &Interest) -> bool {
        self.may(Action::ProposeInterest) && self.org_id() == Some(interest.org_id.as_str())
    }

    /// A 揭榜's conversation is read by its two sides (the demand's owner and the institution)
    /// and the bureau; anyone else is told it does not exist.
    pub fn can_read_conversation(&self, demand: &Demand, interest: &Interest) -> bool {
        self.may(Action::SeeAnyDemand) || self.owns(demand) || self.proposed(interest)
    }

    /// Only the two sides write in it; the bureau oversees without being a party.
    pub fn can_write_conversation(&self, demand: &Demand, interest: &Interest) -> bool {
        self.owns(demand) || self.proposed(interest)
    }

    /// The contact person an institution gives with its 揭榜: that institution and the
    /// bureau always, the demand's owner once it accepted the 揭榜.
    pub fn can_see_interest_contact(&self, demand: &Demand, interest: &Interest) -> bool {
        self.may(Action::SeeAnyDemand)
            || self.proposed(interest)
            || (self.owns(demand) && interest.status == InterestStatus::Accepted)
    }

    /// Files of a demand are added by its owner (while it may edit the demand, a rule the
    /// store applies) and by the bureau.
    pub fn can_attach_to_demand(&self, demand: &Demand) -> bool {
        self.may(Action::EditAnyDemand) || self.owns(demand)
    }

    /// Demand statuses the caller's writes of a demand or its files are limited to (the
    /// store's condition; empty for any): those the owner may edit in, none for the bureau.
    pub fn demand_write_statuses(&self) -> Vec<DemandStatus> {
        if self.may(Action::EditAnyDemand) {
            Vec::new()
        } else {
            DemandStatus::all_where(DemandStatus::is_editable_by_owner)
        }
    }

    /// Achievements, experts and instruments of `org_id` (and the recommendations ranked from
    /// them): its own institution keeps them, the bureau keeps them all.
    pub fn may_keep_records_of(&self, org_id: &str) -> bool {
        self.may(Action::KeepAnyRecords)
            || (self.may(Action::KeepRecords) && self.org_id() == Some(org_id))
    }

    /// The organisation of an institution's account, whose workspace (own records, own
    /// expressions of interest) it opens: 401 anonymous, 403 other roles or no organisation.
    pub fn workspace_org(&self) -> Result<&str, DomainError> {
        let user = self.require(Action::UseWorkspace)?;
        user.org_id
            .as_deref()
            .ok_or_else(|| DomainError::new(ErrorCode::Forbidden, "该账号未关联单位"))
    }

    /// Statuses of demands this caller may find in search.
    pub fn visible_statuses(&self) -> Option<Vec<DemandStatus>> {
        if self.may(Action::SeeAnyDemand) {
            None
        } else {
            Some(DemandStatus::all_where(DemandStatus::is_public))
        }
    }
}

pub(crate) fn forbidden() -> DomainError {
    DomainError::new(ErrorCode::Forbidden, "无权执行此操作")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    /// The rights matrix as the product describes it, one row per action, columns enterprise,
    /// institution, bureau, admin. Written independently of [`Action::roles`]; the match has no
    /// catch-all, so a new action does not compile until its row is decided here too.
    fn expected(action: Action) -> &'static str {
        use Action::*;
        match action {
            WriteDemand => "E.BA",
            ListDemands => "E.BA",
            SubmitDemand => "E...",
            ReviewDemand => "..BA",
            SeeAnyDemand => "..BA",
            EditAnyDemand => "..BA",
            SeeDemandContacts => ".IBA",
            ReadInterests => "EIBA",
            ProposeInterest => ".I..",
            AnswerInterest => "E...",
            KeepRecords => ".IBA",
            KeepAnyRecords => "..BA",
            SeeExpertContacts => "..BA",
            UseWorkspace => ".I..",
            RecommendDemands => ".IBA",
            EditCatalogue => "..BA",
            PublishCatalogue => "..BA",
            ExportContacts => "..BA",
            ImportCatalogue => "..BA",
            KeepLedger => "..BA",
            ReadAnnualReport => "..BA",
            ManageCommittees => "..BA",
            ReadAuditLog => "..BA",
            ReviewRegistrations => "..BA",
            ManageAccounts => "...A",
            ViewMailOutbox => "..BA",
            UseAccount => "EIBA",
        }
    }

    fn user(role: Role, org: Option<&str>) -> Caller {
        Caller::User(User {
            id: format!("u-{}", role.as_str()),
            name: role.label().into(),
            role,
            org_id: org.map(str::to_string),
            email: None,
            phone: None,
            created_at: Utc::now(),
            revoked: false,
        })
    }

    #[test]
    fn every_action_has_a_decision_for_every_role() {
        for &action in Action::ALL {
            let row = expected(action).as_bytes();
            for (column, role) in Role::ALL.into_iter().enumerate() {
                // A role's own letter where it may, `.` where it may not.
                let allowed = row[column] == b"EIBA"[column];
                assert!(allowed || row[column] == b'.', "{action:?}: row {row:?}");
                let caller = user(role, Some("org"));
                assert_eq!(
                    caller.may(action),
                    allowed,
                    "{action:?} for {}",
                    role.as_str()
                );
                assert_eq!(caller.require(action).is_ok(), allowed);
            }
            assert!(!Caller::Anonymous.may(action), "{action:?} for anonymous");
        }
    }

    #[test]
    fn refusals_keep_their_codes() {
        let enterprise = user(Role::Enterprise, Some("e1"));
        let bureau = user(Role::Bureau, None);
        let anonymous = Caller::Anonymous;
        assert!(!enterprise.may(Action::ReviewDemand));
        assert!(bureau.may(Action::ReviewDemand));
        assert!(!bureau.may(Action::ManageAccounts));
        assert!(user(Role::Admin, None).may(Action::ManageAccounts));
        let code = |c: &Caller, a| c.require(a).err().map(|e| e.code);
        assert_eq!(
            code(&anonymous, Action::ReviewDemand),
            Some(ErrorCode::Unauthenticated)
        );
        assert_eq!(
            code(&anonymous, Action::UseAccount),
            Some(ErrorCode::Unauthenticated)
        );
        assert_eq!(
            code(&enterprise, Action::ReviewDemand),
            Some(ErrorCode::Forbidden)
        );
        assert_eq!(code(&bureau, Action::ReviewDemand), None);
        // The workspace: 403 for an institution without an organisation, as for other roles.
        assert_eq!(
            user(Role::Institution, None)
                .workspace_org()
                .err()
                .map(|e| e.code),
            Some(ErrorCode::Forbidden)
        );
        assert_eq!(
            user(Role::Institution, Some("i1")).workspace_org().ok(),
            Some("i1")
        );
    }

    #[test]
    fn records_are_kept_by_their_institution_and_the_bureau() {
        let mine = user(Role::Institution, Some("i1"));
        assert!(mine.may_keep_records_of("i1"));
        assert!(!mine.may_keep_records_of("i2"));
        assert!(user(Role::Bureau, None).may_keep_records_of("i2"));
        assert!(!user(Role::Enterprise, Some("i1")).may_keep_records_of("i1"));
        assert!(!Caller::Anonymous.may_keep_records_of("i1"));
    }
}
