//! Roles, who holds them when (a rota, or a person taking one over), and what each person
//! says about being reachable. Times are unix milliseconds, as in the urgent schedule.

use std::collections::HashMap;

use async_trait::async_trait;
use uuid::Uuid;

use super::{StoreResult, UserEvent};
use crate::model::{EventKind, User};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleRecord {
    pub id: Uuid,
    pub name: String,
    pub team_id: Uuid,
    pub team: String,
    /// `team:NAME` or `role:NAME`.
    pub fallback: Option<String>,
}

/// One stretch of holding a role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holding {
    pub role_id: Uuid,
    pub user_id: Uuid,
    pub starts_at: i64,
    /// None: until handed on.
    pub ends_at: Option<i64>,
    pub source: HoldingSource,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HoldingSource {
    Rota,
    App,
}

impl HoldingSource {
    pub fn as_str(self) -> &'static str {
        match self {
            HoldingSource::Rota => "rota",
            HoldingSource::App => "app",
        }
    }
}

/// A person's own word on being reachable: `available`, `busy` or `dnd`, perhaps until a
/// time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusRecord {
    pub status: String,
    pub until: Option<i64>,
}

/// An urgent message whose window is open, with its schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenUrgent {
    pub message_id: Uuid,
    pub conversation_id: Uuid,
    pub interval_ms: i64,
    pub slots: u32,
    pub until_ack: bool,
}

/// An urgent message to a role moving from holders who no longer hold it to those who do.
#[derive(Debug, Clone)]
pub struct UrgentHandover {
    pub message_id: Uuid,
    pub conversation_id: Uuid,
    /// Their receipts go, with their re-notifications: the message is not theirs now.
    pub from: Vec<Uuid>,
    pub to: Vec<Uuid>,
    /// The new holders' next re-notification (none when the window has none left).
    pub next: Option<(u32, i64)>,
    pub until_ack: bool,
}

#[async_trait]
pub trait RoleStore: Send + Sync {
    /// People (not disabled, not the system) whose name, username, job or a team matches
    /// `q` (any case), with their teams' names; all of them for an empty `q`.
    async fn search_people(&self, q: &str, limit: u32) -> StoreResult<Vec<(User, Vec<String>)>>;
    async fn teams_named(&self, users: &[Uuid]) -> StoreResult<HashMap<Uuid, Vec<String>>>;

    /// `Duplicate` when a role of that name (in any case) exists.
    async fn create_role(&self, role: &RoleRecord) -> StoreResult<()>;
    async fn roles(&self) -> StoreResult<Vec<RoleRecord>>;
    async fn role(&self, id: Uuid) -> StoreResult<Option<RoleRecord>>;
    async fn role_by_name(&self, name: &str) -> StoreResult<Option<RoleRecord>>;
    /// Deletes a role and who held it (its threads stay, as history).
    async fn delete_role(&self, id: Uuid) -> StoreResult<bool>;

    /// Holdings that overlap `[from, to)`, of a role or of a user (or all).
    async fn holdings(
        &self,
        role: Option<Uuid>,
        user: Option<Uuid>,
        from: i64,
        to: i64,
    ) -> StoreResult<Vec<Holding>>;
    /// Adds a rota's shifts.
    async fn add_holdings(&self, holdings: &[Holding]) -> StoreResult<()>;
    /// At `at`, with the role locked: the holdings that cover `at` end (`ending`'s, or
    /// for `None` everyone's), and `to` (if anyone) holds it from then, joining the role's
    /// threads; `events` appended with it. `None` (nothing written) when `ending` held it
    /// no longer (someone took it meanwhile).
    async fn hand_role(
        &self,
        role: Uuid,
        ending: Option<Uuid>,
        to: Option<Uuid>,
        at: i64,
        events: Vec<(Uuid, EventKind)>,
    ) -> StoreResult<Option<Vec<UserEvent>>>;
    /// A person stops holding roles at `at` (those of `team`, or all): what covers `at`
    /// ends then, later shifts go. The roles it touched.
    async fn end_holdings(&self, user: Uuid, team: Option<Uuid>, at: i64)
        -> StoreResult<Vec<Uuid>>;
    /// Urgent messages in the role's threads whose window is open.
    async fn open_role_urgents(&self, role: Uuid) -> StoreResult<Vec<OpenUrgent>>;
    /// Roles with a thread holding an urgent message whose window is open.
    async fn roles_with_open_urgents(&self) -> StoreResult<Vec<Uuid>>;
    /// Moves an urgent message; `None` (nothing written) when none of `from` still had it
    /// waiting (another node moved it, or they read it meanwhile).
    async fn hand_urgent(
        &self,
        handover: &UrgentHandover,
        at: chrono::DateTime<chrono::Utc>,
        events: Vec<(Uuid, EventKind)>,
    ) -> StoreResult<Option<Vec<UserEvent>>>;

    async fn set_status(&self, user: Uuid, status: Option<&StatusRecord>) -> StoreResult<()>;
    async fn statuses(&self, users: &[Uuid]) -> StoreResult<HashMap<Uuid, StatusRecord>>;
}
