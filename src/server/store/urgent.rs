//! The urgent re-notify schedule and escalation windows. Each change is a compare-and-set
//! in one transaction with the events it produces, so a re-notification or an escalation
//! happens exactly once however many schedulers run and however often the server restarts.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{StoreResult, UserEvent};
use crate::model::{EventKind, Message};

/// How an urgent message chases its recipients, fixed when it is sent (from the sender's
/// policy at that moment).
#[derive(Debug, Clone)]
pub struct UrgentSchedule {
    pub interval_ms: i64,
    /// Re-notifications per recipient: at interval × 1 ..= slots.
    pub slots: u32,
    pub window_ms: i64,
    pub until_ack: bool,
    /// `user:NAME` / `team:NAME`, resolved when the window closes.
    pub escalation_target: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueRenotify {
    pub message_id: Uuid,
    pub user_id: Uuid,
    pub slot: u32,
    pub slots: u32,
    pub interval_ms: i64,
    pub sent_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueWindow {
    pub message_id: Uuid,
    pub escalation_target: Option<String>,
}

#[async_trait]
pub trait UrgentStore: Send + Sync {
    /// Re-notifications due at `now`, oldest first.
    async fn due_renotifications(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<DueRenotify>>;
    /// Fires one: moves the recipient's schedule past `due.slot` and appends `events`, if
    /// nobody fired it first and it is still wanted. `None` (no events) otherwise.
    async fn fire_renotify(
        &self,
        due: &DueRenotify,
        events: Vec<(Uuid, EventKind)>,
        at: DateTime<Utc>,
    ) -> StoreResult<Option<Vec<UserEvent>>>;
    /// Windows that have closed and not been dealt with.
    async fn due_windows(&self, now: DateTime<Utc>, limit: u32) -> StoreResult<Vec<DueWindow>>;
    /// Closes a window and appends `events` and, if any, the escalation message (with its
    /// events and its own schedule), atomically; `None` when it was closed already.
    async fn close_window(
        &self,
        message: Uuid,
        events: Vec<(Uuid, EventKind)>,
        escalation: Option<(&Message, Vec<(Uuid, EventKind)>, Option<&UrgentSchedule>)>,
        at: DateTime<Utc>,
    ) -> StoreResult<Option<Vec<UserEvent>>>;
    /// Records an acknowledgement (which is also a read) and stops re-notification;
    /// `None` when the user had acknowledged already or has no receipt.
    async fn acknowledge(
        &self,
        message: Uuid,
        user: Uuid,
        at: DateTime<Utc>,
        events: Vec<(Uuid, EventKind)>,
    ) -> StoreResult<Option<Vec<UserEvent>>>;
    /// Whether an urgent message's window has closed (its sender was told who had not
    /// answered, if anyone had not). `false` for a message that never had one.
    async fn window_closed(&self, message: Uuid) -> StoreResult<bool>;
    /// When the scheduler next has something to do.
    async fn next_due(&self) -> StoreResult<Option<DateTime<Utc>>>;
    /// Urgent and important messages `user` has not read (or not acknowledged where that
    /// is asked), oldest first.
    async fn awaiting(&self, user: Uuid, limit: u32) -> StoreResult<Vec<Message>>;
}
