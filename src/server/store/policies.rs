//! Messaging policies, their assignments, and what each user chose for themselves.

use async_trait::async_trait;
use uuid::Uuid;

use super::StoreResult;
use crate::model::{MessagingPolicy, UserSettings};

/// What a policy can be assigned to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    User(Uuid),
    Team(Uuid),
}

#[async_trait]
pub trait PolicyStore: Send + Sync {
    async fn policies(&self) -> StoreResult<Vec<MessagingPolicy>>;
    async fn policy(&self, name: &str) -> StoreResult<Option<MessagingPolicy>>;
    /// Creates or replaces a policy by name.
    async fn save_policy(&self, policy: &MessagingPolicy) -> StoreResult<()>;
    /// Assigns `policy` to `subject`, or (for `None`) removes its assignment; `false` when
    /// there was nothing to remove.
    async fn assign_policy(&self, subject: Subject, policy: Option<&str>) -> StoreResult<bool>;
    async fn assigned_policy(&self, subject: Subject) -> StoreResult<Option<String>>;
    async fn assignments(&self) -> StoreResult<Vec<(Subject, String)>>;
    async fn user_settings(&self, user: Uuid) -> StoreResult<Option<UserSettings>>;
    async fn save_user_settings(&self, user: Uuid, settings: &UserSettings) -> StoreResult<()>;
}
