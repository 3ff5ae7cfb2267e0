//! Which messaging policy governs a user (their own assignment, else a team's, else
//! Global), what it lets them do, and who sees whose read receipts.

use std::collections::HashMap;

use uuid::Uuid;

use super::{Domain, DomainError, DomainResult, Session};
use crate::model::{
    Assignee, Assignment, EffectivePolicy, MessagingPolicy, Package, PolicyPatch, PolicySettings,
    ReadReceipts, ReceiptState, User, UserSettings, GLOBAL,
};
use crate::server::store::Subject;

/// Shortest re-notify interval a policy may set: faster is noise, not safety.
const MIN_INTERVAL_SECS: u64 = 5;
const MAX_WINDOW_SECS: u64 = 24 * 3600;
/// Longest idle time a policy may set before a workstation locks: a policy only ever
/// locks sooner than the workstation's own setting, and a day is later than any.
const MAX_LOCK_IDLE_SECS: u64 = 24 * 3600;

impl Domain {
    /// Creates the Global policy with the defaults on a new store.
    pub(crate) async fn ensure_global_policy(&self) -> DomainResult<()> {
        if self.store.policy(GLOBAL).await?.is_none() {
            self.store
                .save_policy(&MessagingPolicy {
                    name: GLOBAL.into(),
                    settings: PolicySettings::default(),
                })
                .await?;
        }
        Ok(())
    }

    pub async fn effective_policy(&self, user: &User) -> DomainResult<EffectivePolicy> {
        if let Some(cached) = self.caches.policies.get(&user.id) {
            return Ok(cached);
        }
        let effective = self.resolve_policy(user).await?;
        self.caches.policies.put(user.id, effective.clone());
        Ok(effective)
    }

    /// User's own assignment, else their first team's (by name), else Global.
    async fn resolve_policy(&self, user: &User) -> DomainResult<EffectivePolicy> {
        let mut chosen = self
            .store
            .assigned_policy(Subject::User(user.id))
            .await?
            .map(|name| (name, "user".to_string()));
        if chosen.is_none() {
            // Teams in name order: with several assigned, the first by name wins.
            for team in self.store.teams_of(user.id).await? {
                if let Some(name) = self.store.assigned_policy(Subject::Team(team.id)).await? {
                    chosen = Some((name, format!("team {}", team.name)));
                    break;
                }
            }
        }
        let (name, source) = chosen.unwrap_or_else(|| (GLOBAL.into(), "global".into()));
        let policy = match self.store.policy(&name).await? {
            Some(p) => p,
            None => MessagingPolicy {
                name: GLOBAL.into(),
                settings: self.global_settings().await?,
            },
        };
        let own = self.store.user_settings(user.id).await?;
        let read_receipts_active = match policy.settings.read_receipts {
            ReadReceipts::On => true,
            ReadReceipts::Off => false,
            ReadReceipts::UserControlled => own.is_none_or(|s| s.read_receipts),
        };
        Ok(EffectivePolicy {
            read_receipts_adjustable: policy.settings.read_receipts == ReadReceipts::UserControlled,
            policy,
            source,
            read_receipts_active,
        })
    }

    async fn global_settings(&self) -> DomainResult<PolicySettings> {
        Ok(self
            .store
            .policy(GLOBAL)
            .await?
            .map(|p| p.settings)
            .unwrap_or_default())
    }

    pub async fn my_policy(&self, session: &Session) -> DomainResult<EffectivePolicy> {
        self.effective_policy(&session.user).await
    }

    pub async fn save_settings(
        &self,
        session: &Session,
        settings: UserSettings,
    ) -> DomainResult<EffectivePolicy> {
        // Whatever was cached of accounts, teams and policies is stale from here on.
        let stale = super::cache::Caches::invalidate(&self.caches);
        let policy = self.effective_policy(&session.user).await?;
        if !policy.read_receipts_adjustable {
            return Err(DomainError::Forbidden(format!(
                "Read receipts are set by your messaging policy ({}) and cannot be changed.",
                policy.policy.name
            )));
        }
        self.store
            .save_user_settings(session.user.id, &settings)
            .await?;
        // The answer is the new setting, not what was cached before it.
        drop(stale);
        self.effective_policy(&session.user).await
    }

    /// Whether each user sends and sees read receipts; asks once per user.
    pub(super) async fn receipts_active(
        &self,
        users: impl IntoIterator<Item = Uuid>,
    ) -> DomainResult<HashMap<Uuid, bool>> {
        let mut out = HashMap::new();
        for id in users {
            if out.contains_key(&id) {
                continue;
            }
            let active = match self.store.user_by_id(id).await? {
                Some(u) => self.effective_policy(&u.user).await?.read_receipts_active,
                None => false,
            };
            out.insert(id, active);
        }
        Ok(out)
    }

    // Administration.

    pub async fn policies(&self) -> DomainResult<Vec<MessagingPolicy>> {
        Ok(self.store.policies().await?)
    }

    pub async fn policy_named(&self, name: &str) -> DomainResult<MessagingPolicy> {
        self.store
            .policy(name)
            .await?
            .ok_or_else(|| DomainError::NotFound(format!("No policy is called `{name}`.")))
    }

    pub async fn create_policy(
        &self,
        name: &str,
        patch: &PolicyPatch,
    ) -> DomainResult<MessagingPolicy> {
        // Whatever was cached of accounts, teams and policies is stale from here on.
        let _stale = super::cache::Caches::invalidate(&self.caches);
        let name = name.trim();
        if name.is_empty() || name.len() > 64 {
            return Err(DomainError::Invalid(
                "A policy needs a name of 1 to 64 characters.".into(),
            ));
        }
        if self.store.policy(name).await?.is_some() {
            return Err(DomainError::Conflict(format!(
                "A policy called `{name}` exists already; change it with `set`."
            )));
        }
        let mut settings = self.global_settings().await?;
        patch.apply(&mut settings);
        let policy = MessagingPolicy {
            name: name.into(),
            settings,
        };
        self.validate(&policy.settings).await?;
        self.store.save_policy(&policy).await?;
        Ok(policy)
    }

    pub async fn update_policy(
        &self,
        name: &str,
        patch: &PolicyPatch,
    ) -> DomainResult<MessagingPolicy> {
        if *patch == PolicyPatch::default() {
            return Err(DomainError::Invalid(
                "Say which setting to change (read_receipts, allow_urgent, …).".into(),
            ));
        }
        // Whatever was cached of accounts, teams and policies is stale from here on.
        let _stale = super::cache::Caches::invalidate(&self.caches);
        let mut policy = self.policy_named(name).await?;
        patch.apply(&mut policy.settings);
        self.validate(&policy.settings).await?;
        self.store.save_policy(&policy).await?;
        Ok(policy)
    }

    async fn validate(&self, s: &PolicySettings) -> DomainResult<()> {
        if s.renotify_interval_secs < MIN_INTERVAL_SECS {
            return Err(DomainError::Invalid(format!(
                "renotify_interval must be at least {MIN_INTERVAL_SECS} s."
            )));
        }
        if s.renotify_window_secs < s.renotify_interval_secs
            || s.renotify_window_secs > MAX_WINDOW_SECS
        {
            return Err(DomainError::Invalid(
                "renotify_window must be at least the interval and at most 24 h.".into(),
            ));
        }
        if s.lock_idle_secs
            .is_some_and(|secs| secs > MAX_LOCK_IDLE_SECS)
        {
            return Err(DomainError::Invalid(
                "lock_idle must be at most 24 h.".into(),
            ));
        }
        match &s.escalation_target {
            Some(crate::model::EscalationTarget::User(name))
                if self.store.user_by_username(name).await?.is_none() =>
            {
                return Err(DomainError::Invalid(format!(
                    "escalation_target: no user is called `{name}`."
                )));
            }
            Some(crate::model::EscalationTarget::Team(name)) => {
                let team = self.store.team_by_name(name).await?.ok_or_else(|| {
                    DomainError::Invalid(format!("escalation_target: no team is called `{name}`."))
                })?;
                if self.store.team_channel(team.id).await?.is_none() {
                    return Err(DomainError::Invalid(format!(
                        "escalation_target: team `{name}` has no channel to post in."
                    )));
                }
            }
            Some(crate::model::EscalationTarget::Role(name))
                if self.store.role_by_name(name).await?.is_none() =>
            {
                return Err(DomainError::Invalid(format!(
                    "escalation_target: no role is called `{name}`."
                )));
            }
            _ => {}
        }
        Ok(())
    }

    async fn subject_of(&self, assignee: &Assignee) -> DomainResult<Subject> {
        match assignee {
            Assignee::User(name) => Ok(Subject::User(
                self.store
                    .user_by_username(name)
                    .await?
                    .ok_or_else(|| DomainError::NotFound(format!("No user is called `{name}`.")))?
                    .user
                    .id,
            )),
            Assignee::Team(name) => Ok(Subject::Team(
                self.store
                    .team_by_name(name)
                    .await?
                    .ok_or_else(|| DomainError::NotFound(format!("No team is called `{name}`.")))?
                    .id,
            )),
        }
    }

    pub async fn assign_policy(&self, policy: &str, assignee: &Assignee) -> DomainResult<()> {
        // Whatever was cached of accounts, teams and policies is stale from here on.
        let _stale = super::cache::Caches::invalidate(&self.caches);
        self.policy_named(policy).await?;
        let subject = self.subject_of(assignee).await?;
        self.store.assign_policy(subject, Some(policy)).await?;
        Ok(())
    }

    pub async fn unassign_policy(&self, assignee: &Assignee) -> DomainResult<()> {
        // Whatever was cached of accounts, teams and policies is stale from here on.
        let _stale = super::cache::Caches::invalidate(&self.caches);
        let subject = self.subject_of(assignee).await?;
        if !self.store.assign_policy(subject, None).await? {
            return Err(DomainError::NotFound(
                "No policy was assigned there; Global applies already.".into(),
            ));
        }
        Ok(())
    }

    /// Creates the package's policy if it is missing, then assigns it.
    pub async fn apply_package(
        &self,
        package: Package,
        assignee: &Assignee,
    ) -> DomainResult<MessagingPolicy> {
        // Whatever was cached of accounts, teams and policies is stale from here on.
        let _stale = super::cache::Caches::invalidate(&self.caches);
        let policy = match self.store.policy(package.name()).await? {
            Some(p) => p,
            None => {
                let p = MessagingPolicy {
                    name: package.name().into(),
                    settings: package.settings(),
                };
                self.store.save_policy(&p).await?;
                p
            }
        };
        self.assign_policy(&policy.name, assignee).await?;
        Ok(policy)
    }

    pub async fn policy_assignments(&self) -> DomainResult<Vec<Assignment>> {
        let users: HashMap<Uuid, String> = self
            .store
            .users()
            .await?
            .into_iter()
            .map(|u| (u.user.id, u.user.username))
            .collect();
        let teams: HashMap<Uuid, String> = self
            .store
            .teams()
            .await?
            .into_iter()
            .map(|(t, _)| (t.id, t.name))
            .collect();
        Ok(self
            .store
            .assignments()
            .await?
            .into_iter()
            .filter_map(|(subject, policy)| {
                let assignee = match subject {
                    Subject::User(id) => Assignee::User(users.get(&id)?.clone()),
                    Subject::Team(id) => Assignee::Team(teams.get(&id)?.clone()),
                };
                Some(Assignment { assignee, policy })
            })
            .collect())
    }
}

/// Shows `viewer` a message as their receipts policy allows: a read by someone whose
/// receipts are off, or seen by a viewer whose receipts are off, shows as delivered.
/// The viewer's own receipt is theirs to know.
pub(super) fn receipts_as_seen_by(
    message: &mut crate::model::Message,
    viewer: Uuid,
    active: &HashMap<Uuid, bool>,
) {
    let on = |u: &Uuid| active.get(u).copied().unwrap_or(false);
    let viewer_on = on(&viewer);
    for r in &mut message.receipts {
        if r.user_id != viewer && r.state == ReceiptState::Read && !(viewer_on && on(&r.user_id)) {
            r.state = ReceiptState::Delivered;
        }
    }
}

/// Policy changes made by an administrator: each is done, then audited under their name.
impl Domain {
    pub async fn create_policy_as(
        &self,
        admin: &Session,
        name: &str,
        patch: &PolicyPatch,
    ) -> DomainResult<MessagingPolicy> {
        let policy = self.create_policy(name, patch).await?;
        self.audit_policy(admin, format!("created {name}: {patch:?}"))
            .await?;
        Ok(policy)
    }

    pub async fn update_policy_as(
        &self,
        admin: &Session,
        name: &str,
        patch: &PolicyPatch,
    ) -> DomainResult<MessagingPolicy> {
        let policy = self.update_policy(name, patch).await?;
        self.audit_policy(admin, format!("changed {name}: {patch:?}"))
            .await?;
        Ok(policy)
    }

    /// Assigns `policy` to `assignee`, or (`None`) takes theirs away.
    pub async fn assign_policy_as(
        &self,
        admin: &Session,
        policy: Option<&str>,
        assignee: &Assignee,
    ) -> DomainResult<()> {
        match policy {
            Some(policy) => self.assign_policy(policy, assignee).await?,
            None => self.unassign_policy(assignee).await?,
        }
        self.audit_policy(admin, format!("assigned {policy:?} to {assignee:?}"))
            .await
    }

    pub async fn apply_package_as(
        &self,
        admin: &Session,
        package: Package,
        assignee: &Assignee,
    ) -> DomainResult<MessagingPolicy> {
        let policy = self.apply_package(package, assignee).await?;
        self.audit_policy(admin, format!("package {} to {assignee:?}", package.name()))
            .await?;
        Ok(policy)
    }

    async fn audit_policy(&self, admin: &Session, detail: String) -> DomainResult<()> {
        self.audit(
            admin,
            crate::model::AuditAction::PolicyChanged,
            None,
            detail,
        )
        .await
    }
}
