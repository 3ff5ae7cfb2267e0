//! Conversations people start and change: 1:1s (one per pair), groups and their members,
//! threads with a role. Each change is written with its notice line and its events in one
//! transaction.

use async_trait::async_trait;
use uuid::Uuid;

use super::{StoreResult, UserEvent};
use crate::model::{ConversationKind, EventKind, Message};

/// A conversation as the rules about changing it need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConversationInfo {
    pub id: Uuid,
    pub kind: ConversationKind,
    pub title: String,
    /// A team's conversation follows the team's membership.
    pub team_id: Option<Uuid>,
    pub created_by: Option<Uuid>,
    /// A thread with this role.
    pub role_id: Option<Uuid>,
    pub members: Vec<Uuid>,
    /// Members who manage a group besides its creator.
    pub admins: Vec<Uuid>,
}

#[derive(Debug, Clone, Copy)]
pub enum ConversationChange<'a> {
    Rename(&'a str),
    /// A member, unless the conversation would then have more than `max`.
    Add {
        user: Uuid,
        max: usize,
    },
    Remove(Uuid),
    /// A member becomes one of the group's admins, or stops being one.
    Admin {
        user: Uuid,
        admin: bool,
    },
}

#[async_trait]
pub trait ConversationStore: Send + Sync {
    async fn conversation_info(&self, id: Uuid) -> StoreResult<Option<ConversationInfo>>;
    /// The 1:1 of a pair (see [`pair_key`]) started here.
    async fn direct_by_pair(&self, pair: &str) -> StoreResult<Option<Uuid>>;
    /// `user`'s thread with `role`.
    async fn role_thread(&self, role: Uuid, user: Uuid) -> StoreResult<Option<Uuid>>;
    /// Adds members without a line (a role's holder joining its thread).
    async fn join_conversation(&self, id: Uuid, users: &[Uuid]) -> StoreResult<()>;
    /// Applies `change`, stores `notice` (the line members see) and appends `events`,
    /// atomically; `None` (nothing written) when it changes nothing: the member was there
    /// already, or was not, or the title is the same. `Full` when an addition would pass
    /// its `max` (counted with the conversation locked, so additions at once cannot). Removing a member stops their
    /// re-notifications about the conversation.
    async fn change_conversation(
        &self,
        id: Uuid,
        change: ConversationChange<'_>,
        notice: &Message,
        events: &(dyn Fn(Vec<Uuid>) -> Vec<(Uuid, EventKind)> + Send + Sync),
    ) -> StoreResult<Option<Vec<UserEvent>>>;
}

/// A 1:1's key: its two members in order, so both ask for the same one.
pub fn pair_key(a: Uuid, b: Uuid) -> String {
    let (x, y) = if a <= b { (a, b) } else { (b, a) };
    format!("{x}|{y}")
}
