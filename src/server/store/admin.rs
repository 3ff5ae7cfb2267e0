//! Accounts and team membership as IT manages them, and the conversations that follow from
//! membership (a team's channel and its patient-linked chats).

use async_trait::async_trait;
use uuid::Uuid;

use super::{StoreResult, StoredUser};
use crate::model::Team;

#[async_trait]
pub trait AdminStore: Send + Sync {
    /// Every account that can log in (not the system sender of escalations).
    async fn users(&self) -> StoreResult<Vec<StoredUser>>;
    async fn user_by_id(&self, id: Uuid) -> StoreResult<Option<StoredUser>>;
    /// Disabling also ends every session of the user.
    async fn set_disabled(&self, user: Uuid, disabled: bool) -> StoreResult<()>;
    /// A new password ends every session of the user but `keep` (the session of a user
    /// setting their own); `one_time` when IT set it.
    async fn set_password(
        &self,
        user: Uuid,
        password_hash: &str,
        one_time: bool,
        keep: Option<&str>,
    ) -> StoreResult<()>;
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
