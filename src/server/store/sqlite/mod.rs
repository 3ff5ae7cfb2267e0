//! The SQLite store: one file, WAL, one writer connection (SQLite has one writer anyway;
//! funnelling writes through one connection avoids lock-upgrade failures under load).
//! Most of its SQL is shared with PostgreSQL (`store::sql`); what is SQLite's own is here.

use chrono::{DateTime, Utc};
use sqlx::{Sqlite, SqliteConnection, SqlitePool};
use uuid::Uuid;

mod audit;
mod connect;
mod events;
mod group_commit;
mod lists;
mod logins;
mod members;
mod messages;
mod migrate;
mod urgent;

#[cfg(test)]
pub(in crate::server::store) use migrate::MIGRATIONS;

use super::sql::{self, Engine};
use super::{StoreResult, UrgentSchedule, UserEvent};
use crate::model::{EventKind, Message};
use crate::server::audit_key::AuditKeys;

pub struct SqliteStore {
    writer: SqlitePool,
    reader: SqlitePool,
    /// Sends go through group commit (see `group_commit`).
    sends: super::group_commit::Sends,
    /// The background checkpointer, stopped with the store.
    checkpointer: Option<tokio::task::AbortHandle>,
    /// What audit rows are MACed with.
    audit_keys: AuditKeys,
}

impl Drop for SqliteStore {
    fn drop(&mut self) {
        if let Some(task) = self.checkpointer.take() {
            task.abort();
        }
    }
}

sql::shared!(SqliteStore, Sqlite);

impl Engine for SqliteStore {
    type Db = Sqlite;
    // Messages have no sequence column of their own here.
    const MESSAGE_SEQ: &'static str = "m.rowid";
    const ADMIT_ATTEMPT: &'static str = logins::ADMIT_ATTEMPT;

    fn reads(&self) -> &SqlitePool {
        &self.reader
    }

    fn writes(&self) -> &SqlitePool {
        &self.writer
    }

    async fn begin_write(&self) -> sqlx::Result<sqlx::Transaction<'static, Sqlite>> {
        self.write_tx().await
    }

    fn sends(&self) -> &super::group_commit::Sends {
        &self.sends
    }

    async fn append_events_in(
        &self,
        tx: &mut SqliteConnection,
        events: Vec<(Uuid, EventKind)>,
        at: DateTime<Utc>,
    ) -> StoreResult<Vec<UserEvent>> {
        events::append(tx, events, at).await
    }

    async fn add_team_members(
        tx: &mut SqliteConnection,
        team: Uuid,
        members: &[Uuid],
    ) -> StoreResult<()> {
        members::add_team_members(tx, team, members).await
    }

    async fn add_conversation_members(
        tx: &mut SqliteConnection,
        conversation: Uuid,
        members: &[Uuid],
    ) -> StoreResult<()> {
        members::add_conversation_members(tx, conversation, members).await
    }

    async fn add_list_entries(
        tx: &mut SqliteConnection,
        list: Uuid,
        patients: &[String],
        first: i64,
    ) -> StoreResult<()> {
        lists::add_entries(tx, list, patients, first).await
    }

    async fn attach_receipts(&self, messages: &mut [Message]) -> StoreResult<()> {
        messages::attach_receipts(&self.reader, messages).await
    }

    async fn schedule_urgent(
        tx: &mut SqliteConnection,
        message: &Message,
        schedule: &UrgentSchedule,
    ) -> StoreResult<()> {
        urgent::schedule(tx, message, schedule).await
    }

    async fn stop_on_read(tx: &mut SqliteConnection, message: Uuid, user: Uuid) -> StoreResult<()> {
        urgent::stop_on_read(tx, message, user).await
    }

    async fn watch_latest_event(&self, seen: &(dyn Fn(i64) + Send + Sync)) {
        events::watch(self, seen).await
    }
}
