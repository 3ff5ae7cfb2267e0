//! Creating users, teams, lists and conversations: used by the demo, tests and (later) admin.

use uuid::Uuid;

use super::auth::hash_password;
use super::{Domain, DomainError, DomainResult};
use crate::model::{ConversationKind, PatientList, Team, User};
use crate::server::store::NewConversation;

/// The longest username: it is typed at every login and shown in the audit log.
pub const MAX_USERNAME: usize = 64;

impl Domain {
    pub async fn create_user(
        &self,
        username: &str,
        display_name: &str,
        role: &str,
        password: &str,
    ) -> DomainResult<User> {
        self.create_account(username, display_name, role, password, false, false)
            .await
    }

    /// Usernames are also unique ignoring case (the store refuses `Nurse` beside `nurse`).
    /// `one_time`: the password is IT's, and the user sets their own before anything else.
    pub async fn create_account(
        &self,
        username: &str,
        display_name: &str,
        role: &str,
        password: &str,
        admin: bool,
        one_time: bool,
    ) -> DomainResult<User> {
        let valid_name = !username.trim().is_empty()
            && username.len() <= MAX_USERNAME
            && username
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
        if !valid_name {
            return Err(DomainError::Invalid(format!(
                "A username is at most {MAX_USERNAME} letters, digits, `.`, `_` and `-`."
            )));
        }
        if let Some(why) = super::passwords::refusal(username, password) {
            return Err(DomainError::Invalid(why));
        }
        let user = User {
            id: Uuid::new_v4(),
            username: username.to_string(),
            display_name: display_name.to_string(),
            role: role.to_string(),
            admin,
        };
        match self
            .store
            .create_user(&user, &hash_password(password).await?, one_time)
            .await
        {
            Err(crate::server::store::StoreError::Duplicate(_)) => Err(DomainError::Conflict(
                format!("A user called `{username}` exists already."),
            )),
            other => Ok(other.map(|()| user)?),
        }
    }

    pub async fn create_team(&self, name: &str, members: &[Uuid]) -> DomainResult<Team> {
        // Whatever was cached of accounts, teams and policies is stale from here on.
        let _stale = super::cache::Caches::invalidate(&self.caches);
        let team = Team {
            id: Uuid::new_v4(),
            name: name.to_string(),
        };
        self.store.create_team(&team, members).await?;
        Ok(team)
    }

    pub async fn create_list(
        &self,
        team: Uuid,
        name: &str,
        patient_ids: Vec<String>,
    ) -> DomainResult<PatientList> {
        let list = PatientList {
            id: Uuid::new_v4(),
            team_id: team,
            name: name.to_string(),
            patient_ids,
            ..Default::default()
        };
        let none = |_: &PatientList| Vec::new();
        self.store
            .change_list(
                list.id,
                crate::server::store::ListChange::Create(&list),
                &none,
            )
            .await?;
        Ok(list)
    }

    pub async fn create_conversation(
        &self,
        kind: ConversationKind,
        title: &str,
        team: Option<Uuid>,
        members: Vec<Uuid>,
    ) -> DomainResult<Uuid> {
        // Whatever was cached of accounts, teams and policies is stale from here on.
        let _stale = super::cache::Caches::invalidate(&self.caches);
        if kind == ConversationKind::Direct && members.len() != 2 {
            return Err(DomainError::Invalid(
                "A 1:1 conversation has exactly two members.".into(),
            ));
        }
        let id = Uuid::new_v4();
        let pair = match (kind, members.as_slice()) {
            (ConversationKind::Direct, [a, b]) => Some(crate::server::store::pair_key(*a, *b)),
            _ => None,
        };
        let c = NewConversation {
            id,
            kind,
            title: title.to_string(),
            team_id: team,
            members,
            pair,
            ..NewConversation::default()
        };
        self.store.create_conversation(&c).await?;
        Ok(id)
    }
}
