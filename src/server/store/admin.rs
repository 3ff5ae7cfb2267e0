//! Accounts and team membership as IT manages them, and the conversations that follow from
//! membership (a team's channel and its patient-linked chats).

use async_trait::async_trait;
use uuid::Uuid;

use super::{StoreResult, StoredUser};
use crate::model::Team;

/// A password to store, and on what terms.
#[derive(Debug, Clone, Copy)]
pub struct NewPassword<'a> {
    pub hash: &'a str,
    /// IT set it: the user must set their own at the next login.
    pub one_time: bool,
    /// The session of a user setting their own, which goes on.
    pub keep_session: Option<&'a str>,
    /// Set only if this is still the stored hash (a user's change, raced by another).
    pub replacing: Option<&'a str>,
}

#[async_trait]
pub trait AdminStore: Send + Sync {
    /// Every account that can log in (not the system sender of escalations).
    async fn users(&self) -> StoreResult<Vec<StoredUser>>;
    async fn user_by_id(&self, id: Uuid) -> StoreResult<Option<StoredUser>>;
    /// Disabling also ends every session of the user.
    async fn set_disabled(&self, user: Uuid, disabled: bool) -> StoreResult<()>;
    /// Sets a password, ending every session of the user but `new.keep_session`; `false`
    /// (nothing changed) when `new.replacing` no longer is the stored hash.
    async fn set_password(&self, user: Uuid, new: &NewPassword<'_>) -> StoreResult<bool>;
    async fn any_admin(&self) -> StoreResult<bool>;

    async fn teams(&self) -> StoreResult<Vec<(Team, Vec<Uuid>)>>;
    async fn team_by_name(&self, name: &str) -> StoreResult<Option<Team>>;
    /// Adds a member to the team and to its channel and patient-linked conversations;
    /// `false` when they were a member already.
    async fn add_team_member(&self, team: Uuid, user: Uuid) -> StoreResult<bool>;
    /// The reverse of `add_team_member`; `false` when they were not a member.
    async fn remove_team_member(&self, team: Uuid, user: Uuid) -> StoreResult<bool>;

    async fn team_channel(&self, team: Uuid) -> StoreResult<Option<Uuid>>;
    async fn direct_between(&self, a: Uuid, b: Uuid) -> StoreResult<Option<Uuid>>;
    async fn patient_conversation(&self, team: Uuid, patient: &str) -> StoreResult<Option<Uuid>>;
}
