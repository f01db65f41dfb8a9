//! Accounts with passwords (issue #19): sign-in by phone, e-mail or account name with an
//! argon2 password (hashed and checked under `spawn_blocking`), throttled per account and per
//! client address with a lock-out; server-side sessions whose cookie holds a random id (only
//! its SHA-256 is stored) and whose CSRF token is derived from that id; sign-out and sign-out
//! everywhere; several API tokens per account; self-registration of enterprises and
//! institutions, approved or rejected by the bureau; the administrator's account actions.

use crate::audit::entry;
use crate::tokens::{hash_token, new_token};
use crate::{blocking, found, internal, store_err, Action, App, AppResult, Caller};
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::SaltString;
use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier};
use duijie_core::error::FieldErrors;
use duijie_core::validate::{normalize_credit_code, normalize_email, normalize_phone};
use duijie_core::{DomainError, ErrorCode, OrgKind, Role, User};
use duijie_store::{
    ApiToken, AuditAction, AuditSubject, NewAccount, NewRegistration, Registration,
    RegistrationKind, RegistrationStatus, SqlStore,
};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::net::IpAddr;
use std::sync::LazyLock;
use std::time::Duration;

/// The shortest and longest password, in characters.
pub const MIN_PASSWORD_CHARS: usize = 8;
pub const MAX_PASSWORD_CHARS: usize = 128;
/// The most API tokens an account keeps at once.
pub const MAX_TOKENS_PER_ACCOUNT: usize = 20;

/// How sign-in is throttled and how long a session lasts.
#[derive(Debug, Clone)]
pub struct SignInPolicy {
    /// Failed sign-ins to one account name within `window` before it is locked.
    pub account_failures: u32,
    /// Failed sign-ins from one client address within `window` before it is locked.
    pub address_failures: u32,
    /// How long failures are counted.
    pub window: Duration,
    /// How long a lock lasts; a right password is refused until it ends.
    pub lockout: Duration,
    /// How long a session lasts after sign-in.
    pub session_ttl: Duration,
}

impl Default for SignInPolicy {
    fn default() -> Self {
        SignInPolicy {
            account_failures: 5,
            address_failures: 20,
            window: Duration::from_secs(15 * 60),
            lockout: Duration::from_secs(15 * 60),
            session_ttl: Duration::from_secs(7 * 24 * 3600),
        }
    }
}

/// Failed sign-ins per account name and per client address, counted in the database so that
/// every replica on one database counts together (two replicas cannot double the allowance).
/// Keys are stored as SHA-256 digests: no account name or address is kept.
pub struct SignInThrottle {
    policy: SignInPolicy,
}

fn throttle_key(kind: &str, value: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"duijie-sign-in\0");
    h.update(kind.as_bytes());
    h.update([0]);
    h.update(value.as_bytes());
    hex::encode(h.finalize())
}

fn millis_of(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX / 4)
}

impl SignInThrottle {
    pub fn new(policy: SignInPolicy) -> Self {
        SignInThrottle { policy }
    }

    pub fn policy(&self) -> &SignInPolicy {
        &self.policy
    }

    fn account_key(login: &str) -> String {
        throttle_key("account", login)
    }

    fn address_key(ip: IpAddr) -> String {
        throttle_key("address", &ip.to_string())
    }

    /// The time left on a lock of the account or the address, if either is locked.
    async fn locked(
        &self,
        store: &SqlStore,
        login: &str,
        ip: IpAddr,
    ) -> AppResult<Option<Duration>> {
        let now = chrono::Utc::now().timestamp_millis();
        let keys = [Self::account_key(login), Self::address_key(ip)];
        let until = store.sign_in_locked(&keys, now).await.map_err(store_err)?;
        Ok(until.map(|u| Duration::from_millis(u64::try_from(u - now).unwrap_or(0))))
    }

    /// Counts a failure; returns the lock's length when the account or the address is locked
    /// by it.
    async fn fail(&self, store: &SqlStore, login: &str, ip: IpAddr) -> AppResult<Option<Duration>> {
        let now = chrono::Utc::now().timestamp_millis();
        let p = &self.policy;
        let mut locked = None;
        for (key, limit) in [
            (Self::account_key(login), p.account_failures),
            (Self::address_key(ip), p.address_failures),
        ] {
            if let Some(until) = store
                .sign_in_failed(&key, limit, now, millis_of(p.window), millis_of(p.lockout))
                .await
                .map_err(store_err)?
            {
                let wait = Duration::from_millis(u64::try_from(until - now).unwrap_or(0));
                locked = Some(locked.map_or(wait, |l: Duration| l.max(wait)));
            }
        }
        Ok(locked)
    }

    /// A right password clears the account's failures (the address's stay counted).
    async fn succeed(&self, store: &SqlStore, login: &str) -> AppResult<()> {
        store
            .sign_in_succeeded(&Self::account_key(login))
            .await
            .map_err(store_err)
    }
}

/// Why a sign-in was refused; `retry_after` is set for a lock-out.
#[derive(Debug, Clone)]
pub struct SignInRefusal {
    pub error: DomainError,
    pub retry_after: Option<Duration>,
}

impl From<DomainError> for SignInRefusal {
    fn from(error: DomainError) -> Self {
        SignInRefusal {
            error,
            retry_after: None,
        }
    }
}

/// A new session: its id goes into the cookie and is never stored; `csrf` is what its forms
/// and cookie-authenticated API writes carry.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub user: User,
    pub session_id: String,
    pub csrf: String,
}

/// The CSRF token of a session: derived from its secret id, so a cookie planted by another
/// site cannot match it.
pub fn session_csrf(session_id: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"duijie-csrf\0");
    h.update(session_id.trim().as_bytes());
    hex::encode(h.finalize())
}

/// What an account name typed into the sign-in form is looked up as: a normalised e-mail or
/// phone number, or the text as typed (an account name).
pub fn normalize_login(raw: &str) -> String {
    let raw = raw.trim();
    if raw.contains('@') {
        normalize_email(raw).unwrap_or_else(|| raw.to_lowercase())
    } else {
        normalize_phone(raw).unwrap_or_else(|| raw.to_string())
    }
}

/// Checks a new password's length and mix; `field` names the form field.
pub fn check_password(field: &str, password: &str) -> Result<(), DomainError> {
    let n = password.chars().count();
    let letters = password.chars().any(char::is_alphabetic);
    let digits = password.chars().any(|c| c.is_ascii_digit());
    if !(MIN_PASSWORD_CHARS..=MAX_PASSWORD_CHARS).contains(&n) || !letters || !digits {
        return Err(DomainError::invalid(
            field,
            format!(
                "密码须为 {MIN_PASSWORD_CHARS} 到 {MAX_PASSWORD_CHARS} 个字符，并同时包含字母和数字"
            ),
        ));
    }
    Ok(())
}

/// An argon2id PHC string of `password` with a fresh salt (blocking).
fn argon2_hash(password: &[u8]) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password, &salt)
        .map(|h| h.to_string())
}

/// An argon2id hash of `password` (PHC string with its own salt), made off the async threads.
pub async fn hash_password(password: &str) -> AppResult<String> {
    let password = password.to_string();
    blocking(move || argon2_hash(password.as_bytes()).map_err(|e| internal("password hash", e)))
        .await
}

/// Whether `password` matches `hash`; an unreadable hash matches nothing.
async fn verify_password(password: &str, hash: &str) -> AppResult<bool> {
    let (password, hash) = (password.to_string(), hash.to_string());
    blocking(move || {
        Ok(PasswordHash::new(&hash).is_ok_and(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        }))
    })
    .await
}

/// A hash no password is checked against in earnest: an unknown account costs the same time
/// as a known one, so timing does not tell whether an account exists.
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| argon2_hash(b"duijie-no-such-account").unwrap_or_default());

fn wrong_password() -> DomainError {
    DomainError::new(ErrorCode::Unauthenticated, "账号或密码不正确")
}

fn locked_out(wait: Duration) -> SignInRefusal {
    let minutes = wait.as_secs().div_ceil(60).max(1);
    SignInRefusal {
        error: DomainError::new(
            ErrorCode::RateLimited,
            format!("登录失败次数过多，已暂时锁定，请 {minutes} 分钟后再试"),
        ),
        retry_after: Some(wait),
    }
}

/// A self-registration as the form and the API send it.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct RegistrationForm {
    /// `enterprise` or `institution`.
    pub kind: String,
    pub org_name: String,
    pub credit_code: String,
    pub contact_name: String,
    pub phone: String,
    pub email: String,
    pub password: String,
}

/// An account the administrator creates.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct AccountForm {
    pub name: String,
    /// `enterprise`, `institution`, `bureau` or `admin`.
    pub role: String,
    /// The organisation of an enterprise or institution account.
    pub org: String,
    pub email: String,
    pub phone: String,
    pub password: String,
}

/// What the administrator changes on an account (absent fields stay).
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct AccountPatch {
    pub role: Option<String>,
    /// The organisation for a new enterprise or institution role.
    pub org: Option<String>,
    pub disabled: Option<bool>,
}

fn text_in(errors: &mut FieldErrors, field: &str, label: &str, value: &str, max: usize) -> String {
    let v = value.trim();
    if v.is_empty() {
        errors.add(DomainError::invalid(field, format!("请填写{label}")));
    } else if v.chars().count() > max {
        errors.add(DomainError::invalid(
            field,
            format!("{label}不能超过 {max} 个字符"),
        ));
    }
    v.to_string()
}

/// An e-mail and phone as typed (either may be empty unless `required`), normalised.
fn contact_in(
    errors: &mut FieldErrors,
    email: &str,
    phone: &str,
    required: bool,
) -> (Option<String>, Option<String>) {
    let email = contact_field(
        errors,
        ("email", email, required),
        |e| normalize_email(e).filter(|e| e.len() <= 254),
        ("请填写电子邮箱", "电子邮箱格式不正确，例如 name@example.cn"),
    );
    let phone = contact_field(
        errors,
        ("phone", phone, required),
        |p| normalize_phone(p).filter(|p| p.len() == 11 && p.starts_with('1')),
        ("请填写手机号", "手机号须为 11 位中国大陆手机号码"),
    );
    (email, phone)
}

/// One contact field (`field`, as typed, whether required): what `normalize` makes of it;
/// `None` when it is empty and may be; otherwise `None` with an error saying it is `missing`
/// (empty) or `malformed`.
fn contact_field(
    errors: &mut FieldErrors,
    (field, raw, required): (&str, &str, bool),
    normalize: impl FnOnce(&str) -> Option<String>,
    (missing, malformed): (&str, &str),
) -> Option<String> {
    let raw = raw.trim();
    let value = normalize(raw);
    if value.is_none() && (required || !raw.is_empty()) {
        let message = if raw.is_empty() { missing } else { malformed };
        errors.add(DomainError::invalid(field, message));
    }
    value
}

fn parse_role(field: &str, raw: &str) -> Result<Role, DomainError> {
    Role::parse(raw.trim()).ok_or_else(|| {
        DomainError::invalid(
            field,
            "角色须为企业 (enterprise)、科研机构 (institution)、科技局 (bureau) 或管理员 (admin)",
        )
    })
}

impl App {
    /// Signs in with an account name (phone, e-mail or name) and password from client `ip`.
    /// A locked account or address is refused even with the right password; an unknown
    /// account and a wrong password get the same answer in the same time. A pending or
    /// rejected registration is told so, once its password is right.
    pub async fn sign_in(
        &self,
        throttle: &SignInThrottle,
        account: &str,
        password: &str,
        ip: IpAddr,
    ) -> Result<SignedIn, SignInRefusal> {
        let login = normalize_login(account);
        let mut missing = FieldErrors::default();
        if login.is_empty() {
            missing.add(DomainError::invalid("account", "请填写手机号或电子邮箱"));
        }
        if password.is_empty() {
            missing.add(DomainError::invalid("password", "请填写密码"));
        }
        missing.finish()?;
        if login.chars().count() > 254 || password.chars().count() > MAX_PASSWORD_CHARS {
            return Err(wrong_password().into());
        }
        if let Some(wait) = throttle.locked(&self.store, &login, ip).await? {
            return Err(locked_out(wait));
        }
        let found = self
            .store
            .user_for_sign_in(&login)
            .await
            .map_err(store_err)?;
        let hash = found.as_ref().and_then(|(_, h)| h.clone());
        let right = verify_password(password, hash.as_deref().unwrap_or(DUMMY_HASH.as_str()))
            .await?
            && hash.is_some();
        if let (true, Some((user, _))) = (right, found) {
            if user.revoked {
                return Err(DomainError::new(
                    ErrorCode::Forbidden,
                    "该账号已停用，请联系平台管理员",
                )
                .into());
            }
            throttle.succeed(&self.store, &login).await?;
            return self
                .start_session(user, throttle.policy.session_ttl)
                .await
                .map_err(SignInRefusal::from);
        }
        if let Some((reg, reg_hash)) = self
            .store
            .registration_for_sign_in(&login)
            .await
            .map_err(store_err)?
        {
            if verify_password(password, &reg_hash).await? {
                let message = match reg.status {
                    RegistrationStatus::Rejected if !reg.reason.is_empty() => {
                        format!("您的注册申请未通过审核：{}", reg.reason)
                    }
                    RegistrationStatus::Rejected => "您的注册申请未通过审核".to_string(),
                    _ => "您的注册申请正在等待科技局审核，通过后即可登录".to_string(),
                };
                return Err(DomainError::new(ErrorCode::Forbidden, message).into());
            }
        }
        match throttle.fail(&self.store, &login, ip).await? {
            Some(wait) => Err(locked_out(wait)),
            None => Err(wrong_password().into()),
        }
    }

    /// A new session for `user` (always a new id: nothing a visitor held before signing in
    /// carries over).
    async fn start_session(&self, user: User, ttl: Duration) -> AppResult<SignedIn> {
        let session_id = new_token();
        let ttl = chrono::Duration::from_std(ttl).unwrap_or(chrono::Duration::days(7));
        self.store
            .create_session(&hash_token(&session_id), &user.id, chrono::Utc::now() + ttl)
            .await
            .map_err(store_err)?;
        Ok(SignedIn {
            csrf: session_csrf(&session_id),
            user,
            session_id,
        })
    }

    /// The caller of a session cookie: anonymous when it names no live session.
    pub async fn session_caller(&self, session_id: &str) -> AppResult<Caller> {
        let session_id = session_id.trim();
        if session_id.is_empty() {
            return Ok(Caller::Anonymous);
        }
        Ok(self
            .store
            .session_user(&hash_token(session_id))
            .await
            .map_err(store_err)?
            .map_or(Caller::Anonymous, Caller::User))
    }

    /// Ends one session.
    pub async fn sign_out(&self, session_id: &str) -> AppResult<()> {
        self.store
            .delete_session(&hash_token(session_id))
            .await
            .map_err(store_err)?;
        Ok(())
    }

    /// Ends every session of the caller's account (退出所有设备); how many ended.
    pub async fn sign_out_everywhere(&self, caller: &Caller) -> AppResult<u64> {
        let user = caller.require(Action::UseAccount)?;
        let ended = self.store.delete_sessions(&user.id, None).await;
        ended.map_err(store_err)
    }

    /// Changes the caller's password (the old one is required); every other session of the
    /// account ends, `keep_session` (the one making the change) stays.
    pub async fn change_password(
        &self,
        caller: &Caller,
        keep_session: Option<&str>,
        old: &str,
        new: &str,
    ) -> AppResult<()> {
        let user = caller.require(Action::UseAccount)?;
        let mut errors = FieldErrors::default();
        errors.check(check_password("new_password", new));
        let stored = self
            .store
            .password_hash(&user.id)
            .await
            .map_err(store_err)?;
        let right = match &stored {
            Some(h) => verify_password(old, h).await?,
            // An account made with a token only sets its first password without an old one.
            None => true,
        };
        if !right {
            errors.add(DomainError::invalid("old_password", "原密码不正确"));
        }
        errors.finish()?;
        let hash = hash_password(new).await?;
        self.store
            .set_password(&user.id, &hash)
            .await
            .map_err(store_err)?;
        let keep = keep_session.map(hash_token);
        self.store
            .delete_sessions(&user.id, keep.as_deref())
            .await
            .map_err(store_err)?;
        Ok(())
    }

    /// Sets the caller's e-mail and phone (empty clears).
    pub async fn set_my_contact(
        &self,
        caller: &Caller,
        email: &str,
        phone: &str,
    ) -> AppResult<User> {
        let user = caller.require(Action::UseAccount)?;
        let mut errors = FieldErrors::default();
        let (email, phone) = contact_in(&mut errors, email, phone, false);
        errors.finish()?;
        self.check_contact_free(&user.id, email.as_deref(), phone.as_deref())
            .await?;
        self.store
            .set_user_contact(&user.id, email.as_deref(), phone.as_deref())
            .await
            .map_err(store_err)?;
        found(self.store.get_user(&user.id).await, "账号")
    }

    /// Fails naming the field when another account or a waiting registration uses the e-mail
    /// or phone (they are sign-in names, so each belongs to one account).
    async fn check_contact_free(
        &self,
        own_id: &str,
        email: Option<&str>,
        phone: Option<&str>,
    ) -> AppResult<()> {
        let mut errors = FieldErrors::default();
        for (field, value, label) in [("email", email, "电子邮箱"), ("phone", phone, "手机号")]
        {
            let Some(value) = value else { continue };
            let user = self
                .store
                .user_for_sign_in(value)
                .await
                .map_err(store_err)?;
            let by_other = user.is_some_and(|(u, _)| u.id != own_id);
            let pending = self
                .store
                .registration_for_sign_in(value)
                .await
                .map_err(store_err)?
                .is_some_and(|(r, _)| r.status == RegistrationStatus::Pending);
            if by_other || pending {
                errors.add(DomainError::invalid(
                    field,
                    format!("该{label}已被其他账号使用"),
                ));
            }
        }
        errors.finish()
    }

    /// The caller's account as stored now (the session's copy may predate a change made on
    /// this request) and the name of the organisation it acts for.
    pub async fn my_account(&self, caller: &Caller) -> AppResult<(User, Option<String>)> {
        let user = caller.require(Action::UseAccount)?;
        let user = self
            .store
            .get_user(&user.id)
            .await
            .map_err(store_err)?
            .unwrap_or_else(|| user.clone());
        let org_name = match &user.org_id {
            Some(id) => self
                .store
                .get_organization(id)
                .await
                .map_err(store_err)?
                .map(|o| o.name),
            None => None,
        };
        Ok((user, org_name))
    }

    /// The caller's live API tokens.
    pub async fn my_tokens(&self, caller: &Caller) -> AppResult<Vec<ApiToken>> {
        let user = caller.require(Action::UseAccount)?;
        self.store
            .list_api_tokens(&user.id)
            .await
            .map_err(store_err)
    }

    /// A new API token for the caller, returned once with its record.
    pub async fn create_my_token(
        &self,
        caller: &Caller,
        label: &str,
    ) -> AppResult<(ApiToken, String)> {
        let user = caller.require(Action::UseAccount)?;
        let label = label.trim();
        let label = if label.is_empty() {
            "API 令牌"
        } else {
            label
        };
        if label.chars().count() > 64 {
            return Err(DomainError::invalid("label", "令牌名称不能超过 64 个字符"));
        }
        if self.my_tokens(caller).await?.len() >= MAX_TOKENS_PER_ACCOUNT {
            return Err(DomainError::new(
                ErrorCode::Conflict,
                format!("每个账号最多保留 {MAX_TOKENS_PER_ACCOUNT} 个令牌，请先撤销不用的令牌"),
            ));
        }
        let token = new_token();
        let record = self
            .store
            .create_api_token(&user.id, label, &hash_token(&token))
            .await
            .map_err(store_err)?;
        Ok((record, token))
    }

    pub async fn revoke_my_token(&self, caller: &Caller, token_id: &str) -> AppResult<()> {
        let user = caller.require(Action::UseAccount)?;
        if self
            .store
            .revoke_api_token(&user.id, token_id)
            .await
            .map_err(store_err)?
        {
            Ok(())
        } else {
            Err(DomainError::not_found("令牌"))
        }
    }

    /// Records a self-registration (anyone), pending until the bureau decides. Every problem
    /// of the form is reported at once.
    pub async fn register(&self, form: &RegistrationForm) -> AppResult<Registration> {
        let mut errors = FieldErrors::default();
        let kind = RegistrationKind::parse(form.kind.trim());
        if kind.is_none() {
            errors.add(DomainError::invalid(
                "kind",
                "请选择注册类型：企业或科研机构",
            ));
        }
        let org_name = text_in(&mut errors, "org_name", "单位名称", &form.org_name, 100);
        let code = form.credit_code.trim();
        let credit_code = if code.is_empty() {
            if kind == Some(RegistrationKind::Enterprise) {
                errors.add(DomainError::invalid(
                    "credit_code",
                    "请填写统一社会信用代码（18 位）",
                ));
            }
            None
        } else {
            let c = normalize_credit_code(code);
            if c.is_none() {
                errors.add(DomainError::invalid(
                    "credit_code",
                    "统一社会信用代码无效：须为 18 位且校验位正确",
                ));
            }
            c
        };
        let contact_name = text_in(
            &mut errors,
            "contact_name",
            "联系人姓名",
            &form.contact_name,
            32,
        );
        let (email, phone) = contact_in(&mut errors, &form.email, &form.phone, true);
        errors.check(check_password("password", &form.password));
        errors.finish()?;
        let (Some(kind), Some(email), Some(phone)) = (kind, email, phone) else {
            return Err(internal("registration", "validated fields missing"));
        };
        self.check_contact_free("", Some(&email), Some(&phone))
            .await?;
        let password_hash = hash_password(&form.password).await?;
        self.store
            .create_registration(&NewRegistration {
                kind,
                org_name,
                credit_code,
                contact_name,
                phone,
                email,
                password_hash,
            })
            .await
            .map_err(store_err)
    }

    /// Registrations for the bureau: pending ones oldest first, or every one newest first.
    pub async fn registrations(
        &self,
        caller: &Caller,
        status: Option<RegistrationStatus>,
    ) -> AppResult<Vec<Registration>> {
        caller.require(Action::ReviewRegistrations)?;
        self.store
            .list_registrations(status)
            .await
            .map_err(store_err)
    }

    /// Approves a pending registration: the organisation is created (or the existing one of
    /// that name joined) and an active account made that signs in with the registration's
    /// phone or e-mail and password.
    pub async fn approve_registration(
        &self,
        caller: &Caller,
        id: &str,
    ) -> AppResult<(Registration, User)> {
        caller.require(Action::ReviewRegistrations)?;
        let reg = found(self.store.get_registration(id).await, "注册申请")?;
        if reg.status != RegistrationStatus::Pending {
            return Err(DomainError::new(ErrorCode::Conflict, "该注册申请已处理过"));
        }
        let (_, hash) = self
            .store
            .registration_for_sign_in(&reg.phone)
            .await
            .map_err(store_err)?
            .filter(|(r, _)| r.id == reg.id)
            .ok_or_else(|| DomainError::new(ErrorCode::Conflict, "该注册申请已处理过"))?;
        let org_kind = match reg.kind {
            RegistrationKind::Enterprise => OrgKind::Enterprise,
            RegistrationKind::Institution => OrgKind::infer(&reg.org_name, OrgKind::University),
        };
        let org = self
            .store
            .ensure_organization(&reg.org_name, org_kind)
            .await
            .map_err(store_err)?;
        // The account is named after its organisation (never after the person, whose name is
        // personal data); a second account of one organisation gets a number.
        let mut last = None;
        for n in 1..=5 {
            let name = if n == 1 {
                reg.org_name.clone()
            } else {
                format!("{}（{n}）", reg.org_name)
            };
            let account = NewAccount {
                name,
                role: reg.kind.role(),
                org_id: Some(org.id.clone()),
                email: Some(reg.email.clone()),
                phone: Some(reg.phone.clone()),
                password_hash: hash.clone(),
            };
            match self.store.approve_registration(id, &account).await {
                Ok((reg, user)) => {
                    let summary = format!("通过{}注册申请“{}”", reg.kind.label(), reg.org_name);
                    let ids = [&reg.id, &user.id];
                    self.audit_users(caller, AuditAction::RegistrationApprove, &ids, summary)
                        .await;
                    return Ok((reg, user));
                }
                Err(duijie_store::StoreError::Conflict(m)) => last = Some(m),
                Err(e) => return Err(store_err(e)),
            }
            // Decided meanwhile: no other name helps.
            let now = self.store.get_registration(id).await.map_err(store_err)?;
            if now.is_none_or(|r| r.status != RegistrationStatus::Pending) {
                break;
            }
        }
        Err(DomainError::new(
            ErrorCode::Conflict,
            last.unwrap_or_else(|| "该注册申请已处理过".to_string()),
        ))
    }

    /// Rejects a pending registration with a reason the applicant is shown at sign-in.
    pub async fn reject_registration(
        &self,
        caller: &Caller,
        id: &str,
        reason: &str,
    ) -> AppResult<Registration> {
        caller.require(Action::ReviewRegistrations)?;
        let reason = reason.trim();
        if reason.is_empty() || reason.chars().count() > 500 {
            return Err(DomainError::invalid(
                "reason",
                "请填写驳回理由（不超过 500 个字符）",
            ));
        }
        let reg = self
            .store
            .reject_registration(id, reason)
            .await
            .map_err(store_err)?;
        let summary = format!("驳回{}注册申请“{}”", reg.kind.label(), reg.org_name);
        self.audit_users(caller, AuditAction::RegistrationReject, &[&reg.id], summary)
            .await;
        Ok(reg)
    }

    /// Every account, for the administrator.
    pub async fn accounts(&self, caller: &Caller) -> AppResult<Vec<User>> {
        caller.require(Action::ManageAccounts)?;
        self.users().await
    }

    /// Creates an account with an initial password (administrator).
    pub async fn create_account(&self, caller: &Caller, form: &AccountForm) -> AppResult<User> {
        caller.require(Action::ManageAccounts)?;
        let mut errors = FieldErrors::default();
        let name = text_in(&mut errors, "name", "账号名", &form.name, 64);
        let role = errors.check(parse_role("role", &form.role));
        let (email, phone) = contact_in(&mut errors, &form.email, &form.phone, false);
        errors.check(check_password("password", &form.password));
        let org = form.org.trim();
        if role.is_some_and(Role::acts_for_organization) && org.is_empty() {
            errors.add(DomainError::invalid(
                "org",
                "企业和科研机构账号须填写所属单位",
            ));
        }
        errors.finish()?;
        let Some(role) = role else {
            return Err(internal("account", "validated role missing"));
        };
        self.check_contact_free("", email.as_deref(), phone.as_deref())
            .await?;
        let org_id = self.org_for_role(role, org).await?;
        let password_hash = hash_password(&form.password).await?;
        let user = self
            .store
            .create_account(&NewAccount {
                name,
                role,
                org_id,
                email,
                phone,
                password_hash,
            })
            .await
            .map_err(store_err)?;
        let summary = format!("新建{}账号“{}”", role.label(), user.name);
        self.audit_users(caller, AuditAction::UserAdd, &[&user.id], summary)
            .await;
        Ok(user)
    }

    /// The organisation an account of `role` acts for (`org` by name; none for the bureau and
    /// administrators).
    async fn org_for_role(&self, role: Role, org: &str) -> AppResult<Option<String>> {
        let org = org.trim();
        if org.is_empty() || !role.acts_for_organization() {
            return Ok(None);
        }
        let kind = if role == Role::Enterprise {
            OrgKind::Enterprise
        } else {
            OrgKind::infer(org, OrgKind::University)
        };
        Ok(Some(
            self.store
                .ensure_organization(org, kind)
                .await
                .map_err(store_err)?
                .id,
        ))
    }

    async fn account(&self, id: &str) -> AppResult<User> {
        found(self.store.get_user(id).await, "账号")
    }

    /// Changes an account's role or disables / enables it (administrator). An administrator
    /// cannot disable or demote their own account.
    pub async fn update_account(
        &self,
        caller: &Caller,
        id: &str,
        patch: &AccountPatch,
    ) -> AppResult<User> {
        let admin = caller.require(Action::ManageAccounts)?;
        let user = self.account(id).await?;
        if user.id == admin.id && (patch.disabled == Some(true) || patch.role.is_some()) {
            return Err(DomainError::new(
                ErrorCode::Conflict,
                "不能停用或更改自己的账号",
            ));
        }
        if let Some(role) = &patch.role {
            let role = parse_role("role", role)?;
            let org = patch.org.as_deref().unwrap_or_default();
            let org_id = match self.org_for_role(role, org).await? {
                Some(id) => Some(id),
                None if role.acts_for_organization() => {
                    Some(user.org_id.clone().ok_or_else(|| {
                        DomainError::invalid("org", "企业和科研机构账号须填写所属单位")
                    })?)
                }
                None => None,
            };
            self.store
                .set_user_role(&user.id, role, org_id.as_deref())
                .await
                .map_err(store_err)?;
            let summary = format!(
                "账号“{}”的角色由{}改为{}",
                user.name,
                user.role.label(),
                role.label()
            );
            self.audit_users(caller, AuditAction::RoleChange, &[&user.id], summary)
                .await;
        }
        if let Some(disabled) = patch.disabled {
            self.store
                .set_user_disabled(&user.id, disabled)
                .await
                .map_err(store_err)?;
            let action = if disabled {
                AuditAction::UserDisable
            } else {
                AuditAction::UserEnable
            };
            let summary = format!("{}：账号“{}”", action.label(), user.name);
            self.audit_users(caller, action, &[&user.id], summary).await;
        }
        self.account(id).await
    }

    /// Sets a new password for an account (administrator); its sessions end.
    pub async fn reset_password(&self, caller: &Caller, id: &str, password: &str) -> AppResult<()> {
        caller.require(Action::ManageAccounts)?;
        check_password("password", password)?;
        let user = self.account(id).await?;
        self.set_password_of(&user, password).await?;
        let summary = format!("重置账号“{}”的密码", user.name);
        self.audit_users(caller, AuditAction::PasswordReset, &[&user.id], summary)
            .await;
        Ok(())
    }

    /// Records, once committed, what `caller` did to accounts or registrations (`ids`).
    async fn audit_users(
        &self,
        caller: &Caller,
        action: AuditAction,
        ids: &[&String],
        summary: String,
    ) {
        let ids = ids.iter().map(|id| id.to_string()).collect();
        self.audit_committed(entry(caller, action, AuditSubject::User, ids, summary))
            .await;
    }

    async fn set_password_of(&self, user: &User, password: &str) -> AppResult<()> {
        let hash = hash_password(password).await?;
        self.store
            .set_password(&user.id, &hash)
            .await
            .map_err(store_err)?;
        self.store
            .delete_sessions(&user.id, None)
            .await
            .map_err(store_err)?;
        Ok(())
    }

    /// Sets the password of the account `name` from the local command (`duijie user passwd`).
    pub async fn set_password_by_name(&self, name: &str, password: &str) -> AppResult<User> {
        check_password("password", password)?;
        let user = self
            .users()
            .await?
            .into_iter()
            .find(|u| u.name == name)
            .ok_or_else(|| DomainError::not_found("用户"))?;
        self.set_password_of(&user, password).await?;
        let summary = format!("重置账号“{}”的密码", user.name);
        self.audit_users(
            &Caller::Anonymous,
            AuditAction::PasswordReset,
            &[&user.id],
            summary,
        )
        .await;
        Ok(user)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_need_length_letters_and_digits() {
        assert!(check_password("p", "abc12345").is_ok());
        assert!(check_password("p", "abc1234").is_err());
        assert!(check_password("p", "abcdefgh").is_err());
        assert!(check_password("p", "12345678").is_err());
        assert!(check_password("p", &"a1".repeat(65)).is_err());
    }

    #[test]
    fn logins_are_normalised() {
        assert_eq!(normalize_login(" Zhang@Example.CN "), "zhang@example.cn");
        assert_eq!(normalize_login("+86 138 0013 8000"), "13800138000");
        assert_eq!(normalize_login("demo-admin"), "demo-admin");
    }

    #[test]
    fn csrf_tokens_follow_their_session() {
        assert_eq!(session_csrf("abc"), session_csrf("abc"));
        assert_ne!(session_csrf("abc"), session_csrf("abd"));
        assert!(!session_csrf("abc").contains("abc"));
    }

    #[tokio::test]
    async fn hashes_verify_only_their_password() {
        let h = hash_password("secret123").await.unwrap_or_default();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("secret123", &h).await.unwrap_or(false));
        assert!(!verify_password("secret124", &h).await.unwrap_or(true));
        assert!(!verify_password("secret123", "garbage")
            .await
            .unwrap_or(true));
    }
}
