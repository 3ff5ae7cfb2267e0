//! The PostgreSQL store: several `wardround serve` nodes share one database.
//!
//! What one SQLite writer gave for free is made explicit here: events are appended under a
//! transaction-scoped advisory lock, so their cursors become visible in order (a stream
//! that has read cursor 11 can never later find a 10 committed behind it), and the audit
//! chain is appended under another. Each append also NOTIFYs the other nodes (see
//! `events::watch`), and re-notifications are claimed by compare-and-set, as in SQLite.
//! Most of its SQL is shared with SQLite (`store::sql`); what is PostgreSQL's own is here.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool, Postgres};
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

pub use connect::{redact, server_version};
#[cfg(test)]
pub(in crate::server::store) use migrate::MIGRATIONS;

use super::sql::{self, Engine};
use super::{StoreResult, UrgentSchedule, UserEvent};
use crate::model::{EventKind, Message};
use crate::server::audit_key::AuditKeys;

/// Advisory lock keys (an arbitrary prefix, then the purpose), held to commit.
const EVENTS_LOCK: i64 = 0x5741_5244_0001;
const AUDIT_LOCK: i64 = 0x5741_5244_0002;
const MIGRATE_LOCK: i64 = 0x5741_5244_0003;

/// Where this node tells the others of its commits, and how it signs them.
#[derive(Clone)]
pub(super) struct Channel {
    /// The NOTIFY channel of this schema: deployments in other schemas of the same
    /// database do not wake each other.
    name: String,
    /// This node (store) for this run: each NOTIFY carries it, so a node knows its own.
    node: String,
}

pub struct PgStore {
    pool: PgPool,
    channel: Channel,
    sends: super::group_commit::Sends,
    /// What audit rows are MACed with.
    audit_keys: AuditKeys,
}

sql::shared!(PgStore, Postgres);

impl Engine for PgStore {
    type Db = Postgres;
    const MESSAGE_SEQ: &'static str = "m.seq";
    const ADMIT_ATTEMPT: &'static str = logins::ADMIT_ATTEMPT;

    fn reads(&self) -> &PgPool {
        &self.pool
    }

    fn writes(&self) -> &PgPool {
        &self.pool
    }

    async fn begin_write(&self) -> sqlx::Result<sqlx::Transaction<'static, Postgres>> {
        self.pool.begin().await
    }

    fn sends(&self) -> &super::group_commit::Sends {
        &self.sends
    }

    async fn append_events_in(
        &self,
        tx: &mut PgConnection,
        events: Vec<(Uuid, EventKind)>,
        at: DateTime<Utc>,
    ) -> StoreResult<Vec<UserEvent>> {
        events::append(tx, &self.channel, events, at).await
    }

    async fn add_team_members(
        tx: &mut PgConnection,
        team: Uuid,
        members: &[Uuid],
    ) -> StoreResult<()> {
        members::add_team_members(tx, team, members).await
    }

    async fn add_conversation_members(
        tx: &mut PgConnection,
        conversation: Uuid,
        members: &[Uuid],
    ) -> StoreResult<()> {
        members::add_conversation_members(tx, conversation, members).await
    }

    async fn add_list_entries(
        tx: &mut PgConnection,
        list: Uuid,
        patients: &[String],
        first: i64,
    ) -> StoreResult<()> {
        lists::add_entries(tx, list, patients, first).await
    }

    async fn attach_receipts(&self, messages: &mut [Message]) -> StoreResult<()> {
        messages::attach_receipts(&self.pool, messages).await
    }

    async fn schedule_urgent(
        tx: &mut PgConnection,
        message: &Message,
        schedule: &UrgentSchedule,
    ) -> StoreResult<()> {
        urgent::schedule(tx, message, schedule).await
    }

    async fn stop_on_read(tx: &mut PgConnection, message: Uuid, user: Uuid) -> StoreResult<()> {
        urgent::stop_on_read(tx, message, user).await
    }

    async fn watch_latest_event(&self, seen: &(dyn Fn(i64) + Send + Sync)) {
        events::watch(self, seen).await
    }
}
