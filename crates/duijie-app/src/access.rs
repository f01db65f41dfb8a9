//! Who may do what. Every permission rule of the API lives here.

use duijie_core::{
    Demand, DemandStatus, DomainError, ErrorCode, Interest, InterestStatus, Role, User,
};

/// The caller of a use case.
#[derive(Debug, Clone, PartialEq)]
pub enum Caller {
    Anonymous,
    User(User),
}

impl Caller {
    pub fn role(&self) -> Option<Role> {
        match self {
            Caller::Anonymous => None,
            Caller::User(u) => Some(u.role),
        }
    }

    pub fn user(&self) -> Option<&User> {
        match self {
            Caller::Anonymous => None,
            Caller::User(u) => Some(u),
        }
    }

    pub fn org_id(&self) -> Option<&str> {
        self.user().and_then(|u| u.org_id.as_deref())
    }

    /// Bureau staff and administrators curate everything.
    pub fn is_curator(&self) -> bool {
        matches!(self.role(), Some(Role::Bureau | Role::Admin))
    }

    /// The caller is the enterprise that owns the demand.
    pub fn owns(&self, demand: &Demand) -> bool {
        self.role() == Some(Role::Enterprise) && self.org_id() == Some(demand.org_id.as_str())
    }

    /// Published demands are public; the rest only for their owner and the bureau.
    pub fn can_see_demand(&self, demand: &Demand) -> bool {
        demand.status.is_public() || self.is_curator() || self.owns(demand)
    }

    /// Contact details: the owner, the bureau and signed-in institutions.
    pub fn can_see_contact(&self, demand: &Demand) -> bool {
        self.is_curator() || self.owns(demand) || self.role() == Some(Role::Institution)
    }

    /// Contact details of experts: the bureau only.
    pub fn can_see_expert_contact(&self) -> bool {
        self.is_curator()
    }

    /// The caller is the institution that made this 揭榜.
    pub fn proposed(&self, interest: &Interest) -> bool {
        self.role() == Some(Role::Institution) && self.org_id() == Some(interest.org_id.as_str())
    }

    /// A 揭榜's conversation is read by its two sides (the demand's owner and the institution)
    /// and the bureau; anyone else is told it does not exist.
    pub fn can_read_conversation(&self, demand: &Demand, interest: &Interest) -> bool {
        self.is_curator() || self.owns(demand) || self.proposed(interest)
    }

    /// Only the two sides write in it; the bureau oversees without being a party.
    pub fn can_write_conversation(&self, demand: &Demand, interest: &Interest) -> bool {
        self.owns(demand) || self.proposed(interest)
    }

    /// The contact person an institution gives with its 揭榜: that institution and the
    /// bureau always, the demand's owner once it accepted the 揭榜.
    pub fn can_see_interest_contact(&self, demand: &Demand, interest: &Interest) -> bool {
        self.is_curator()
            || self.proposed(interest)
            || (self.owns(demand) && interest.status == InterestStatus::Accepted)
    }

    /// Files of a demand are added by its owner (while it may edit the demand, a rule the
    /// store applies) and by the bureau.
    pub fn can_attach_to_demand(&self, demand: &Demand) -> bool {
        self.is_curator() || self.owns(demand)
    }

    /// Achievements, experts and instruments of `org_id`: its own institution keeps them, the
    /// bureau curates them all.
    pub fn may_keep_records_of(&self, org_id: &str) -> bool {
        self.is_curator()
            || (self.role() == Some(Role::Institution) && self.org_id() == Some(org_id))
    }

    /// The organisation of an institution's account, whose workspace (own records, own
    /// expressions of interest) it opens: 401 anonymous, 403 other roles or no organisation.
    pub fn workspace_org(&self) -> Result<&str, DomainError> {
        let user = self.require(&[Role::Institution])?;
        user.org_id
            .as_deref()
            .ok_or_else(|| DomainError::new(ErrorCode::Forbidden, "该账号未关联单位"))
    }

    /// Statuses of demands this caller may find in search.
    pub fn visible_statuses(&self) -> Option<Vec<DemandStatus>> {
        if self.is_curator() {
            None
        } else {
            Some(
                DemandStatus::ALL
                    .into_iter()
                    .filter(|s| s.is_public())
                    .collect(),
            )
        }
    }

    /// Fails with 401 for anonymous callers and 403 for other roles.
    pub fn require(&self, roles: &[Role]) -> Result<&User, DomainError> {
        match self {
            Caller::Anonymous => Err(DomainError::new(ErrorCode::Unauthenticated, "请先登录")),
            Caller::User(u) if roles.contains(&u.role) => Ok(u),
            Caller::User(_) => Err(forbidden()),
        }
    }
}

pub(crate) fn forbidden() -> DomainError {
    DomainError::new(ErrorCode::Forbidden, "无权执行此操作")
}
