//! The store interface: everything the server keeps, in domain terms, in traits by concern.
//! The SQL lives in the implementations: SQLite (one node, one file) and PostgreSQL
//! (several nodes on one database).

mod admin;
mod audit;
pub mod backup;
mod conversations;
mod database;
mod group_commit;
mod jobs;
mod logins;
mod migrations;
mod policies;
mod postgres;
mod presentations;
mod roles;
mod sql;
mod sqlite;
mod urgent;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

pub use admin::{AdminStore, NewPassword};
pub use audit::{AuditFilter, AuditStore};
pub use conversations::{pair_key, ConversationChange, ConversationInfo, ConversationStore};
pub use database::{Database, Synchronous};
pub use jobs::{JobEvents, JobRecord, JobScope, JobStore, JobWrite};
pub use logins::{Failures, LoginStore, Throttle};
pub use policies::{PolicyStore, Subject};
pub use postgres::PgStore;
pub use presentations::PresentationStore;
pub use roles::{
    Holding, HoldingSource, OpenUrgent, RoleRecord, RoleStore, StatusRecord, UrgentHandover,
};
pub use sqlite::SqliteStore;
pub use urgent::{DueRenotify, DueWindow, UrgentSchedule, UrgentStore};

use crate::model::{
    AuditAct, ConversationKind, Event, EventKind, ListView, Member, Message, PatientList,
    ReceiptState, Team, User,
};

/// The sender of escalation messages: a user row the migrations create, which cannot log
/// in and is listed nowhere.
pub const SYSTEM_USER: Uuid = crate::model::SYSTEM_SENDER;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("cannot open the database at {path}: {reason}")]
    Open { path: String, reason: String },
    #[error("stored data is unreadable: {0}")]
    Corrupt(String),
    #[error("{0} already exists")]
    Duplicate(String),
    /// A conversation is at its most members.
    #[error("full: at most {0} members")]
    Full(usize),
    /// A group commit failed; nothing of it was stored.
    #[error("not stored: {reason}")]
    Batch { reason: String, unavailable: bool },
    /// A migration applied to this database was edited since (its checksum differs): the
    /// database is not opened.
    #[error("migration {file} (version {version}, “{description}”) is not the one applied to this database (its checksum in _sqlx_migrations differs): the file was edited after it was applied, so the schema may not be what it says; the database was left as it was. Put the file back as it was (a change to the schema is a new migration)")]
    MigrationEdited {
        version: i64,
        description: String,
        /// Where it is in the source tree: `migrations/sqlite/0009_audit_key.sql`.
        file: String,
    },
    /// The schema cannot be brought up to date (made by a newer version, a migration that
    /// failed).
    #[error("the database schema: {0}")]
    Schema(String),
}

impl StoreError {
    /// The database could not be reached or gave way (down, restarting, out of
    /// connections, a deadlock between nodes): the same request may succeed shortly.
    pub fn is_unavailable(&self) -> bool {
        match self {
            StoreError::Database(e) => unavailable(e),
            StoreError::Batch { unavailable, .. } => *unavailable,
            StoreError::Open { .. }
            | StoreError::Corrupt(_)
            | StoreError::Duplicate(_)
            | StoreError::Full(_)
            | StoreError::MigrationEdited { .. }
            | StoreError::Schema(_) => false,
        }
    }
}

fn unavailable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        // SQLSTATE: connection exceptions (08), shutting down or starting up (57P0x), too
        // many connections (53300), serialization failure and deadlock (40001, 40P01);
        // SQLite's busy and locked (5, 6).
        sqlx::Error::Database(d) => d.code().is_some_and(|c| {
            c.starts_with("08")
                || matches!(
                    c.as_ref(),
                    "57P01" | "57P02" | "57P03" | "53300" | "40001" | "40P01" | "5" | "6"
                )
        }),
        _ => false,
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// How a conversation's kind is stored (the same text in every store).
fn kind_str(kind: ConversationKind) -> &'static str {
    match kind {
        ConversationKind::Direct => "direct",
        ConversationKind::Group => "group",
        ConversationKind::Channel => "channel",
        ConversationKind::Patient => "patient",
        ConversationKind::Role => "role",
    }
}

fn kind_from(s: &str) -> StoreResult<ConversationKind> {
    match s {
        "direct" => Ok(ConversationKind::Direct),
        "group" => Ok(ConversationKind::Group),
        "channel" => Ok(ConversationKind::Channel),
        "patient" => Ok(ConversationKind::Patient),
        "role" => Ok(ConversationKind::Role),
        other => Err(StoreError::Corrupt(format!("conversation kind {other:?}"))),
    }
}

/// An event as stored: its cursor and its kind as JSON (an object with a `type`).
#[derive(Debug, Clone)]
pub struct RawEvent {
    pub cursor: i64,
    pub payload: String,
}

impl RawEvent {
    /// The wire form of [`Event`] (`{"cursor":…, "type":…, …}`) without a parse and
    /// re-serialisation: the payload is an object this server wrote.
    pub fn to_json(&self) -> String {
        match self.payload.strip_prefix('{') {
            Some(rest) if rest.trim_start() != "}" => {
                format!("{{\"cursor\":{},{rest}", self.cursor)
            }
            _ => format!("{{\"cursor\":{}}}", self.cursor),
        }
    }

    /// A row of either store's `events` table (`seq`, `payload`).
    pub(super) fn from_row<R>(r: &R) -> StoreResult<Self>
    where
        R: sqlx::Row,
        for<'a> &'a str: sqlx::ColumnIndex<R>,
        for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
        for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    {
        Ok(RawEvent {
            cursor: r.try_get("seq")?,
            payload: r.try_get("payload")?,
        })
    }
}

/// An event as stored, with whose stream it belongs to.
#[derive(Debug, Clone)]
pub struct StoredEvent {
    pub user_id: Uuid,
    pub raw: RawEvent,
}

/// An event as written: whose stream it belongs to, and the event with its cursor.
#[derive(Debug, Clone)]
pub struct UserEvent {
    pub user_id: Uuid,
    pub event: Event,
}

#[derive(Debug, Clone)]
pub struct StoredUser {
    pub user: User,
    pub password_hash: String,
    pub disabled: bool,
    /// The password is one-time (IT set it): the user must set their own first.
    pub password_change_due: bool,
}

#[derive(Debug, Clone)]
pub struct NewConversation {
    pub id: Uuid,
    pub kind: ConversationKind,
    pub title: String,
    pub team_id: Option<Uuid>,
    pub members: Vec<Uuid>,
    /// A patient-linked conversation's FHIR Patient id.
    pub subject: Option<String>,
    pub created_by: Option<Uuid>,
    /// A 1:1's [`pair_key`]: one per pair.
    pub pair: Option<String>,
    /// A thread with a role.
    pub role_id: Option<Uuid>,
}

impl Default for NewConversation {
    fn default() -> Self {
        NewConversation {
            id: Uuid::nil(),
            kind: ConversationKind::Group,
            title: String::new(),
            team_id: None,
            members: Vec::new(),
            subject: None,
            created_by: None,
            pair: None,
            role_id: None,
        }
    }
}

/// A conversation as stored, before it is titled for a particular viewer.
#[derive(Debug, Clone)]
pub struct ConversationRecord {
    pub id: Uuid,
    pub kind: ConversationKind,
    pub title: String,
    pub subject: Option<String>,
    pub created_by: Option<Uuid>,
    pub role_id: Option<Uuid>,
    pub members: Vec<Member>,
    /// A group's admins besides its creator.
    pub admins: Vec<Uuid>,
    pub unread: u32,
}

pub enum Inserted {
    /// The message is new; these events were appended with it.
    New(Vec<UserEvent>),
    /// A message with this id was stored before: a retried send.
    Existing(Message),
}

/// One change to a patient list. Each is applied to the list as stored, never by writing
/// back a copy read earlier, so two changes at once both take effect.
#[derive(Debug, Clone, Copy)]
pub enum ListChange<'a> {
    /// A new list, with its patients (its id is the one changed).
    Create(&'a PatientList),
    Rename(&'a str),
    /// These patients at the end, those already there left where they are.
    Add(&'a [String]),
    Remove(&'a str),
    /// Someone selected a patient the list's source brought: no longer new.
    Seen(&'a str),
    /// What the list's source (the census) says changed since it was last asked.
    Follow(&'a SourceMoves),
}

/// The moves a list's source made, to apply to the list as stored.
#[derive(Debug, Clone, Default)]
pub struct SourceMoves {
    /// Arrived (at the end, marked new), or back after leaving today.
    pub arrived: Vec<String>,
    /// No longer listed by the source: marked gone at `at`, kept until the next day.
    pub gone: Vec<String>,
    /// Gone before today: off the list.
    pub dropped: Vec<String>,
    pub at: chrono::DateTime<chrono::Utc>,
    /// A patient moved bed: nothing stored changes, but everyone's rows must be read again.
    pub moved: bool,
}

/// The events a list change writes, made from the list as the change leaves it.
pub type ListEvents = dyn for<'l> Fn(&'l PatientList) -> Vec<(Uuid, EventKind)> + Send + Sync;

/// The list after a change, and the events written for it.
#[derive(Debug, Clone)]
pub struct ListChanged {
    pub list: PatientList,
    pub written: Vec<UserEvent>,
    /// `false`: nothing to do (the patients were there already; the one to remove was not).
    pub changed: bool,
}

#[async_trait]
pub trait Store:
    AdminStore
    + AuditStore
    + ConversationStore
    + JobStore
    + LoginStore
    + PolicyStore
    + PresentationStore
    + RoleStore
    + UrgentStore
    + Send
    + Sync
{
    /// `one_time`: the password is IT's, to be changed at first login.
    async fn create_user(
        &self,
        user: &User,
        password_hash: &str,
        one_time: bool,
    ) -> StoreResult<()>;
    async fn user_by_username(&self, username: &str) -> StoreResult<Option<StoredUser>>;

    async fn create_session(
        &self,
        token_hash: &str,
        user: Uuid,
        expires_at: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// The user a live, unexpired session token belongs to, and whether their password
    /// is one-time (to be changed before anything else).
    async fn session_user(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<(User, bool)>>;
    async fn delete_session(&self, token_hash: &str) -> StoreResult<()>;

    async fn create_team(&self, team: &Team, members: &[Uuid]) -> StoreResult<()>;
    async fn teams_of(&self, user: Uuid) -> StoreResult<Vec<Team>>;

    /// Applies `change` to list `id` as it is when the change is made (one change to a
    /// list at a time), and appends the events `events` makes of the list it leaves, all in
    /// one transaction; no events when nothing changed. `None` when there is no such list
    /// (deleted, perhaps, a moment before): a change never makes a list again.
    async fn change_list(
        &self,
        id: Uuid,
        change: ListChange<'_>,
        events: &ListEvents,
    ) -> StoreResult<Option<ListChanged>>;
    /// Deletes a list and appends `events`, atomically; `None` when there was no such list.
    async fn delete_list(
        &self,
        id: Uuid,
        events: Vec<(Uuid, EventKind)>,
    ) -> StoreResult<Option<Vec<UserEvent>>>;
    async fn team_members(&self, team: Uuid) -> StoreResult<Vec<Uuid>>;
    /// How `user` arranged `list`, else the list's shared default.
    async fn list_view(&self, user: Uuid, list: Uuid) -> StoreResult<Option<ListView>>;
    /// Saves `user`'s arrangement of `list`, or (for `None`) the list's shared default.
    async fn save_list_view(
        &self,
        user: Option<Uuid>,
        list: Uuid,
        view: &ListView,
    ) -> StoreResult<()>;
    async fn list(&self, id: Uuid) -> StoreResult<Option<PatientList>>;
    /// Lists of every team the user belongs to.
    async fn lists_for(&self, user: Uuid) -> StoreResult<Vec<PatientList>>;
    /// Every list that keeps itself from the EHR (a census, an EHR list).
    async fn sourced_lists(&self) -> StoreResult<Vec<PatientList>>;

    async fn create_conversation(&self, conversation: &NewConversation) -> StoreResult<()>;
    async fn conversations_for(&self, user: Uuid) -> StoreResult<Vec<ConversationRecord>>;
    /// The members of a conversation; `None` when there is no such conversation.
    async fn conversation_members(&self, conversation: Uuid) -> StoreResult<Option<Vec<Uuid>>>;

    /// The latest `limit` messages, oldest first.
    async fn messages(&self, conversation: Uuid, limit: u32) -> StoreResult<Vec<Message>> {
        self.messages_before(conversation, None, limit).await
    }
    /// The latest `limit` messages strictly older than `before` (in the conversation's
    /// order: sent, then stored), oldest first; with no `before`, the latest. A `before`
    /// that is not a message of this conversation finds nothing.
    async fn messages_before(
        &self,
        conversation: Uuid,
        before: Option<Uuid>,
        limit: u32,
    ) -> StoreResult<Vec<Message>>;
    async fn message(&self, id: Uuid) -> StoreResult<Option<Message>>;
    /// Stores a message with a receipt per recipient, its re-notify schedule if urgent,
    /// `events` and its audit row, atomically; returns once that is committed.
    async fn insert_message(
        &self,
        message: &Message,
        events: Vec<(Uuid, EventKind)>,
        schedule: Option<&UrgentSchedule>,
        audit: Option<&AuditAct<'_>>,
    ) -> StoreResult<Inserted>;
    /// Moves a receipt forward and appends `events`, atomically; `None` (and no events)
    /// when the receipt was already at or past `state`, or does not exist. Reading stops
    /// re-notification unless the message waits for acknowledgement.
    async fn advance_receipt(
        &self,
        message: Uuid,
        user: Uuid,
        state: ReceiptState,
        at: DateTime<Utc>,
        events: Vec<(Uuid, EventKind)>,
    ) -> StoreResult<Option<Vec<UserEvent>>>;

    /// Events of `user` after `cursor`, oldest first.
    async fn events_after(&self, user: Uuid, cursor: i64, limit: u32) -> StoreResult<Vec<Event>> {
        self.raw_events_after(user, cursor, limit)
            .await?
            .into_iter()
            .map(|raw| {
                Ok(Event {
                    cursor: raw.cursor,
                    kind: serde_json::from_str(&raw.payload)
                        .map_err(|e| StoreError::Corrupt(format!("event payload: {e}")))?,
                })
            })
            .collect()
    }
    /// The same, as stored: the event stream sends them on without parsing them.
    async fn raw_events_after(
        &self,
        user: Uuid,
        cursor: i64,
        limit: u32,
    ) -> StoreResult<Vec<RawEvent>>;
    /// Everyone's events after `cursor`, in cursor order, as stored.
    async fn all_events_after(&self, cursor: i64, limit: u32) -> StoreResult<Vec<StoredEvent>>;
    /// The newest event's cursor, anyone's (0 when none).
    async fn latest_event(&self) -> StoreResult<i64>;
    /// The cursor of the user's newest event (0 when none).
    async fn latest_cursor(&self, user: Uuid) -> StoreResult<i64>;
    /// Calls `seen` with the newest event's cursor whenever it may have moved, so that a
    /// node learns of events other nodes sharing the store wrote. Never returns.
    async fn watch_events(&self, seen: &(dyn Fn(i64) + Send + Sync));
}

/// A statement this slow is logged (its SQL, never its values) as a warning.
const SLOW_STATEMENT: std::time::Duration = std::time::Duration::from_millis(250);

/// How the stores' connections log: every statement at `trace` (SQL only, no values), a
/// slow one as a warning.
fn logged<O: sqlx::ConnectOptions>(options: O) -> O {
    options
        .log_statements(log::LevelFilter::Trace)
        .log_slow_statements(log::LevelFilter::Warn, SLOW_STATEMENT)
}

/// Creates `dir` (and its parents) for the server's user alone (0700 where it is new).
pub fn create_private_dir(dir: &std::path::Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt as _;
        builder.mode(0o700);
    }
    builder.create(dir)
}

/// Creates an empty `path` readable by its owner alone (0600), if there is none yet.
pub fn create_private_file(path: &std::path::Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_raw_event_reads_as_the_event_it_stores() {
        let kind = EventKind::ListDeleted {
            list_id: Uuid::from_u128(7),
        };
        let raw = RawEvent {
            cursor: 42,
            payload: serde_json::to_string(&kind).unwrap(),
        };
        let parsed: Event = serde_json::from_str(&raw.to_json()).unwrap();
        assert_eq!(parsed, Event { cursor: 42, kind });
    }
}
