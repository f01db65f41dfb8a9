//! Who may do what. Every permission rule of the API lives here.

use duijie_core::{Demand, DemandStatus, DomainError, ErrorCode, Role, User};

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
