//! The SQL both engines run alike, written once and stamped onto each store by [`shared!`].
//!
//! sqlx's SQLite takes PostgreSQL's `$n` placeholders, and [`Id`] binds and reads a uuid in
//! either engine's form, so one statement text and one bind list serve both. It is a macro
//! rather than functions generic over `sqlx::Database`: those would need a bound for every
//! column type, for both executors and for `rows_affected`, where each stamped copy is
//! plain code against one engine's concrete types. What the engines do their own way
//! (events and their cursors, group commit, urgent claiming, notifications, bulk inserts)
//! each store provides through [`Engine`]; the rest of their SQL stays in their modules.

use std::future::Future;

use chrono::{DateTime, Utc};
use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::postgres::{PgTypeInfo, PgValueRef};
use sqlx::sqlite::{SqliteTypeInfo, SqliteValueRef};
use sqlx::{Database, Decode, Encode, Postgres, Sqlite, Type};
use uuid::fmt::Hyphenated;
use uuid::Uuid;

use super::group_commit::Sends;
use super::{StoreResult, UrgentSchedule, UserEvent};
use crate::model::{EventKind, Message, ReceiptState};

pub(super) mod admin;
mod conversations;
pub(super) mod jobs;
mod logins;
pub(super) mod policies;
mod presentations;
mod roles;
mod rows;
mod store;

/// Stamps everything in this module onto `$engine`, whose [`Engine::Db`] is `$db`.
macro_rules! shared {
    ($engine:ty, $db:ty) => {
        $crate::server::store::sql::rows_impl!($engine, $db);
        $crate::server::store::sql::store_impl!($engine);
        $crate::server::store::sql::admin_impl!($engine);
        $crate::server::store::sql::logins_impl!($engine, $db);
        $crate::server::store::sql::policies_impl!($engine);
        $crate::server::store::sql::presentations_impl!($engine, $db);
        $crate::server::store::sql::conversations_impl!($engine);
        $crate::server::store::sql::roles_impl!($engine);
        $crate::server::store::sql::jobs_impl!($engine, $db);
    };
}
pub(super) use rows::MESSAGE_COLUMNS;
pub(super) use shared;
pub(super) use {
    admin::admin_impl, conversations::conversations_impl, jobs::jobs_impl, logins::logins_impl,
    policies::policies_impl, presentations::presentations_impl, roles::roles_impl, rows::rows_impl,
    store::store_impl,
};

/// A uuid as both engines keep it: SQLite as hyphenated text, PostgreSQL as `uuid`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) struct Id(pub Uuid);

impl From<Id> for Uuid {
    fn from(id: Id) -> Uuid {
        id.0
    }
}

/// The uuids of a column read with [`Id`].
pub(super) fn uuids(ids: Vec<Id>) -> Vec<Uuid> {
    ids.into_iter().map(Uuid::from).collect()
}

impl Type<Sqlite> for Id {
    fn type_info() -> SqliteTypeInfo {
        <Hyphenated as Type<Sqlite>>::type_info()
    }
}

impl<'q> Encode<'q, Sqlite> for Id {
    fn encode_by_ref(
        &self,
        buf: &mut <Sqlite as Database>::ArgumentBuffer<'q>,
    ) -> Result<IsNull, BoxDynError> {
        <Hyphenated as Encode<'q, Sqlite>>::encode_by_ref(&self.0.hyphenated(), buf)
    }
}

impl<'r> Decode<'r, Sqlite> for Id {
    fn decode(value: SqliteValueRef<'r>) -> Result<Self, BoxDynError> {
        Ok(Id(
            <Hyphenated as Decode<'r, Sqlite>>::decode(value)?.into_uuid()
        ))
    }
}

impl Type<Postgres> for Id {
    fn type_info() -> PgTypeInfo {
        <Uuid as Type<Postgres>>::type_info()
    }

    fn compatible(ty: &PgTypeInfo) -> bool {
        <Uuid as Type<Postgres>>::compatible(ty)
    }
}

impl<'q> Encode<'q, Postgres> for Id {
    fn encode_by_ref(
        &self,
        buf: &mut <Postgres as Database>::ArgumentBuffer<'q>,
    ) -> Result<IsNull, BoxDynError> {
        <Uuid as Encode<'q, Postgres>>::encode_by_ref(&self.0, buf)
    }
}

impl<'r> Decode<'r, Postgres> for Id {
    fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
        Ok(Id(<Uuid as Decode<'r, Postgres>>::decode(value)?))
    }
}

/// A receipt state as stored: PostgreSQL keeps a `smallint`, SQLite any integer.
pub(super) fn state_i16(state: ReceiptState) -> i16 {
    i16::try_from(state.as_i64()).unwrap_or(i16::MAX)
}

pub(super) fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
}

/// A connection of `E`'s engine, as a transaction lends it.
pub(super) type Conn<E> = <<E as Engine>::Db as Database>::Connection;

/// What each engine does its own way, for the shared SQL to call.
pub(super) trait Engine: Sync + Sized {
    type Db: Database;

    /// Orders messages stored in the same instant (each engine's insertion order).
    const MESSAGE_SEQ: &'static str;

    /// Counts a login attempt, unless the account is locked or still waiting out its
    /// back-off: `$1` username, `$2` now (ms), `$3` lock_after, `$4` backoff_after, `$5`
    /// max_backoff_secs; returns the row when admitted. Each engine's upsert differs.
    const ADMIT_ATTEMPT: &'static str;

    /// Where reads go (SQLite: its reader pool).
    fn reads(&self) -> &sqlx::Pool<Self::Db>;

    /// Where a write outside a transaction goes (SQLite: its one writer connection).
    fn writes(&self) -> &sqlx::Pool<Self::Db>;

    /// A write transaction.
    fn begin_write(
        &self,
    ) -> impl Future<Output = sqlx::Result<sqlx::Transaction<'static, Self::Db>>> + Send;

    /// Where sends go to be committed in batches.
    fn sends(&self) -> &Sends;

    /// Appends `events` in `tx`, so that their cursors become visible in order.
    fn append_events_in(
        &self,
        tx: &mut Conn<Self>,
        events: Vec<(Uuid, EventKind)>,
        at: DateTime<Utc>,
    ) -> impl Future<Output = StoreResult<Vec<UserEvent>>> + Send;

    fn add_team_members(
        tx: &mut Conn<Self>,
        team: Uuid,
        members: &[Uuid],
    ) -> impl Future<Output = StoreResult<()>> + Send;

    fn add_conversation_members(
        tx: &mut Conn<Self>,
        conversation: Uuid,
        members: &[Uuid],
    ) -> impl Future<Output = StoreResult<()>> + Send;

    /// Patients at the end of a list, in order, the first at position `first`; none of
    /// them on it already.
    fn add_list_entries(
        tx: &mut Conn<Self>,
        list: Uuid,
        patients: &[String],
        first: i64,
    ) -> impl Future<Output = StoreResult<()>> + Send;

    /// Fills in each message's receipts.
    fn attach_receipts(
        &self,
        messages: &mut [Message],
    ) -> impl Future<Output = StoreResult<()>> + Send;

    /// Starts an urgent message's window and every recipient's schedule.
    fn schedule_urgent(
        tx: &mut Conn<Self>,
        message: &Message,
        schedule: &UrgentSchedule,
    ) -> impl Future<Output = StoreResult<()>> + Send;

    /// Reading ends a recipient's re-notification, unless the message waits for an ack.
    fn stop_on_read(
        tx: &mut Conn<Self>,
        message: Uuid,
        user: Uuid,
    ) -> impl Future<Output = StoreResult<()>> + Send;

    /// As `Store::watch_events`.
    fn watch_latest_event(
        &self,
        seen: &(dyn Fn(i64) + Send + Sync),
    ) -> impl Future<Output = ()> + Send;
}

#[cfg(test)]
mod tests {
    use sqlx::Connection as _;

    use super::*;

    /// Existing SQLite files hold ids as `Uuid::to_string()` wrote them: `Id` must bind and
    /// read that very text.
    #[tokio::test]
    async fn an_id_is_the_text_sqlite_files_already_hold() {
        let id = Uuid::from_u128(0x0123_4567_89ab_cdef_0123_4567_89ab_cdef);
        let mut conn = sqlx::SqliteConnection::connect("sqlite::memory:")
            .await
            .unwrap();
        let (text, back): (String, Id) = sqlx::query_as("SELECT $1, $2")
            .bind(Id(id))
            .bind(id.to_string())
            .fetch_one(&mut conn)
            .await
            .unwrap();
        assert_eq!(text, id.to_string());
        assert_eq!(back, Id(id));
    }
}
