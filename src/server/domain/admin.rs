//! What `wardround admin` does: accounts and teams, for callers with the admin flag.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::audit::Actor;
use super::auth::hash_password;
use super::{Domain, DomainError, DomainResult, Session};
use crate::model::{
    AuditAction, ColumnId, ConversationKind, ListView, SortKey, Team, TeamTemplate, User,
};
use crate::server::store::{NewPassword, StoredUser};

/// What a ward team rounds with: where, who, how sick, what to watch for.
const ROUNDING_COLUMNS: [ColumnId; 11] = [
    ColumnId::Bed,
    ColumnId::Name,
    ColumnId::Age,
    ColumnId::Los,
    ColumnId::Reason,
    ColumnId::News2,
    ColumnId::Allergies,
    ColumnId::CodeStatus,
    ColumnId::Isolation,
    ColumnId::Attending,
    ColumnId::Unread,
];

/// An account as IT sees it.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AccountInfo {
    #[serde(flatten)]
    pub user: User,
    pub disabled: bool,
    pub teams: Vec<String>,
}

/// A team and who is in it.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TeamInfo {
    #[serde(flatten)]
    pub team: Team,
    /// Usernames.
    pub members: Vec<String>,
}

impl Domain {
    pub fn require_admin(&self, session: &Session) -> DomainResult<()> {
        if session.user.admin {
            Ok(())
        } else {
            Err(DomainError::Forbidden(
                "This needs an administrator account.".into(),
            ))
        }
    }

    pub async fn accounts(&self) -> DomainResult<Vec<AccountInfo>> {
        let teams = self.store.teams().await?;
        Ok(self
            .store
            .users()
            .await?
            .into_iter()
            .map(|u| AccountInfo {
                teams: teams
                    .iter()
                    .filter(|(_, members)| members.contains(&u.user.id))
                    .map(|(t, _)| t.name.clone())
                    .collect(),
                user: u.user,
                disabled: u.disabled,
            })
            .collect())
    }

    async fn account(&self, username: &str) -> DomainResult<StoredUser> {
        self.store
            .user_by_username(username)
            .await?
            .filter(|u| u.user.id != super::SYSTEM_USER)
            .ok_or_else(|| DomainError::NotFound(format!("No user is called `{username}`.")))
    }

    pub async fn set_account_disabled(&self, username: &str, disabled: bool) -> DomainResult<()> {
        // Whatever was cached of accounts, teams and policies is stale from here on.
        let _stale = super::cache::Caches::invalidate(&self.caches);
        let user = self.account(username).await?;
        if !disabled {
            // Re-enabling is also IT unlocking a name locked by failed logins.
            self.store.clear_failures(&username.to_lowercase()).await?;
        }
        self.store.set_disabled(user.user.id, disabled).await?;
        if disabled {
            // A disabled account holds no role: what waits for it goes to whoever does.
            self.end_holdings(user.user.id, None).await?;
        }
        Ok(())
    }

    /// IT lifts a lock left by failed logins (and nothing else: a disabled account stays
    /// disabled), on the record.
    pub async fn unlock_account<'a>(
        &self,
        username: &str,
        by: impl Into<Actor<'a>>,
    ) -> DomainResult<()> {
        let user = self.account(username).await?;
        self.store
            .clear_failures(&user.user.username.to_lowercase())
            .await?;
        let detail = format!("user {}", user.user.username);
        self.audit(by, AuditAction::AccountUnlocked, None, detail)
            .await
    }

    /// `reset_password`, on the record as `by`'s act.
    pub async fn reset_password_by<'a>(
        &self,
        username: &str,
        password: &str,
        by: impl Into<Actor<'a>>,
    ) -> DomainResult<()> {
        self.reset_password(username, password).await?;
        let detail = format!("user {username}");
        self.audit(by, AuditAction::PasswordReset, None, detail)
            .await
    }

    /// IT sets a one-time password: the user's sessions end, a lock is lifted, and the
    /// user sets their own at their next login.
    pub async fn reset_password(&self, username: &str, password: &str) -> DomainResult<()> {
        // Whatever was cached of accounts, teams and policies is stale from here on.
        let _stale = super::cache::Caches::invalidate(&self.caches);
        let user = self.account(username).await?;
        if let Some(why) = super::passwords::refusal(&user.user.username, password) {
            return Err(DomainError::Invalid(why));
        }
        self.store
            .set_password(
                user.user.id,
                &NewPassword {
                    hash: &hash_password(password).await?,
                    one_time: true,
                    keep_session: None,
                    replacing: None,
                },
            )
            .await?;
        Ok(self.store.clear_failures(&username.to_lowercase()).await?)
    }

    /// A team and its channel, named alike.
    pub async fn create_team_with_channel(&self, name: &str) -> DomainResult<Team> {
        self.create_team_from(name, None).await
    }

    /// A team, its channel, and what the template adds: more channels (titled
    /// "TEAM · CHANNEL") and, for a ward, a rounding list with the standard columns.
    pub async fn create_team_from(
        &self,
        name: &str,
        template: Option<TeamTemplate>,
    ) -> DomainResult<Team> {
        // Whatever was cached of accounts, teams and policies is stale from here on.
        let _stale = super::cache::Caches::invalidate(&self.caches);
        let team = self.team_and_its_channel(name).await?;
        let Some(template) = template else {
            return Ok(team);
        };
        for channel in template.channels() {
            self.create_conversation(
                ConversationKind::Channel,
                &format!("{} · {channel}", team.name),
                Some(team.id),
                Vec::new(),
            )
            .await?;
        }
        if template == TeamTemplate::Ward {
            let list = self
                .create_list(team.id, &format!("{} — rounding", team.name), Vec::new())
                .await?;
            let view = ListView {
                columns: ROUNDING_COLUMNS.to_vec(),
                sort: vec![SortKey {
                    column: ColumnId::Bed,
                    descending: false,
                }],
                widths: Default::default(),
            };
            self.store.save_list_view(None, list.id, &view).await?;
        }
        Ok(team)
    }

    async fn team_and_its_channel(&self, name: &str) -> DomainResult<Team> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 80 {
            return Err(DomainError::Invalid(
                "A team needs a name of 1 to 80 characters.".into(),
            ));
        }
        if self.store.team_by_name(name).await?.is_some() {
            return Err(DomainError::Conflict(format!(
                "A team called `{name}` exists already."
            )));
        }
        let team = self.create_team(name, &[]).await?;
        self.create_conversation(ConversationKind::Channel, name, Some(team.id), Vec::new())
            .await?;
        Ok(team)
    }

    async fn team_named(&self, name: &str) -> DomainResult<Team> {
        self.store
            .team_by_name(name)
            .await?
            .ok_or_else(|| DomainError::NotFound(format!("No team is called `{name}`.")))
    }

    pub async fn add_team_member(&self, team: &str, username: &str) -> DomainResult<()> {
        // Whatever was cached of accounts, teams and policies is stale from here on.
        let _stale = super::cache::Caches::invalidate(&self.caches);
        let team = self.team_named(team).await?;
        let user = self.account(username).await?;
        if !self.store.add_team_member(team.id, user.user.id).await? {
            return Err(DomainError::Conflict(format!(
                "{username} is already on {}.",
                team.name
            )));
        }
        Ok(())
    }

    pub async fn remove_team_member(&self, team: &str, username: &str) -> DomainResult<()> {
        // Whatever was cached of accounts, teams and policies is stale from here on.
        let _stale = super::cache::Caches::invalidate(&self.caches);
        let team = self.team_named(team).await?;
        let user = self.account(username).await?;
        if !self.store.remove_team_member(team.id, user.user.id).await? {
            return Err(DomainError::NotFound(format!(
                "{username} is not on {}.",
                team.name
            )));
        }
        // Leaving a team leaves its roles too.
        self.end_holdings(user.user.id, Some(team.id)).await
    }

    pub async fn team_infos(&self) -> DomainResult<Vec<TeamInfo>> {
        let names: std::collections::HashMap<Uuid, String> = self
            .store
            .users()
            .await?
            .into_iter()
            .map(|u| (u.user.id, u.user.username))
            .collect();
        Ok(self
            .store
            .teams()
            .await?
            .into_iter()
            .map(|(team, members)| {
                let mut members: Vec<String> = members
                    .iter()
                    .filter_map(|id| names.get(id).cloned())
                    .collect();
                members.sort();
                TeamInfo { team, members }
            })
            .collect())
    }

    /// On a store with no administrator: creates `admin` with this password.
    pub async fn bootstrap_admin(&self, password: &str) -> DomainResult<Option<User>> {
        self.bootstrap_admin_with(password, false).await
    }

    /// `bootstrap_admin`, with a password that is one-time (one the server made up and
    /// printed) or not (one IT chose, in `WARDROUND_ADMIN_PASSWORD`).
    pub async fn bootstrap_admin_with(
        &self,
        password: &str,
        one_time: bool,
    ) -> DomainResult<Option<User>> {
        if self.store.any_admin().await? {
            return Ok(None);
        }
        let user = self
            .create_account("admin", "Administrator", "IT", password, true, one_time)
            .await?;
        Ok(Some(user))
    }
}
