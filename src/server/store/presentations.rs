//! Follow mode: who presents, who follows them, who drives, and what was last shown.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{StoreResult, UserEvent};
use crate::model::{EventKind, Presentation, SharedView};

#[async_trait]
pub trait PresentationStore: Send + Sync {
    /// The presentation `user` is in, as presenter or follower.
    async fn presentation_of(&self, user: Uuid) -> StoreResult<Option<Presentation>>;
    /// `follower` follows `presenter` (starting the presentation if it is the first).
    async fn follow(
        &self,
        follower: Uuid,
        presenter: Uuid,
        at: DateTime<Utc>,
    ) -> StoreResult<Presentation>;
    /// `follower` stops following; control held by them returns to the presenter, and a
    /// presentation left without followers ends. The presentation as it is after.
    async fn unfollow(&self, follower: Uuid) -> StoreResult<Option<Presentation>>;
    /// Every follower of `presenter` stops; the presentation ends.
    async fn end_presentation(&self, presenter: Uuid) -> StoreResult<Option<Presentation>>;
    async fn set_controller(&self, presenter: Uuid, controller: Uuid) -> StoreResult<()>;
    async fn set_shared_view(&self, presenter: Uuid, view: &SharedView) -> StoreResult<()>;
    /// Appends events that go with no other write (presentation changes, pongs).
    async fn append_events(
        &self,
        events: Vec<(Uuid, EventKind)>,
        at: DateTime<Utc>,
    ) -> StoreResult<Vec<UserEvent>>;
}
