//! The urgent schedule on PostgreSQL. Several nodes run the scheduler: each due row is
//! claimed with `FOR UPDATE SKIP LOCKED` and moved on by compare-and-set in the
//! transaction that appends its events, so exactly one node fires each re-notification
//! and closes each window, and a node busy with a row never makes another wait for it.

use async_trait::async_trait;
use chrono::{DateTime, TimeZone, Utc};
use sqlx::{PgConnection, Row};
use uuid::Uuid;

use super::{events, PgStore};
use crate::model::{EventKind, Message};
use crate::server::store::sql::{Engine as _, MESSAGE_COLUMNS};
use crate::server::store::{
    DueRenotify, DueWindow, StoreError, StoreResult, UrgentSchedule, UrgentStore, UserEvent,
};

fn ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

/// Starts an urgent message's window and every recipient's schedule.
pub(super) async fn schedule(
    tx: &mut PgConnection,
    message: &Message,
    schedule: &UrgentSchedule,
) -> StoreResult<()> {
    let sent = ms(message.sent_at);
    sqlx::query(
        "INSERT INTO urgent_windows (message_id, interval_ms, slots, closes_at, until_ack, escalation_target)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(message.id)
    .bind(schedule.interval_ms)
    .bind(i64::from(schedule.slots))
    .bind(sent + schedule.window_ms)
    .bind(schedule.until_ack)
    .bind(&schedule.escalation_target)
    .execute(&mut *tx)
    .await?;
    if schedule.slots == 0 {
        return Ok(());
    }
    let recipients: Vec<Uuid> = message.receipts.iter().map(|r| r.user_id).collect();
    sqlx::query(
        "INSERT INTO renotify (message_id, user_id, slot, due_at) SELECT $1, unnest($2::uuid[]), 1, $3",
    )
    .bind(message.id)
    .bind(recipients)
    .bind(sent + schedule.interval_ms)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Reading ends a recipient's re-notification, unless the message waits for an ack.
pub(super) async fn stop_on_read(
    tx: &mut PgConnection,
    message: Uuid,
    user: Uuid,
) -> StoreResult<()> {
    sqlx::query(
        "DELETE FROM renotify WHERE message_id = $1 AND user_id = $2
           AND NOT EXISTS (SELECT 1 FROM urgent_windows WHERE message_id = $1 AND until_ack)",
    )
    .bind(message)
    .bind(user)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

#[async_trait]
impl UrgentStore for PgStore {
    async fn due_renotifications(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<DueRenotify>> {
        let rows = sqlx::query(
            "SELECT r.message_id, r.user_id, r.slot, w.slots, w.interval_ms, m.sent_at
             FROM renotify r
             JOIN urgent_windows w ON w.message_id = r.message_id
             JOIN messages m ON m.id = r.message_id
             WHERE r.due_at <= $1 ORDER BY r.due_at, r.message_id, r.user_id LIMIT $2",
        )
        .bind(ms(now))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(DueRenotify {
                    message_id: r.try_get("message_id")?,
                    user_id: r.try_get("user_id")?,
                    slot: u32::try_from(r.try_get::<i64, _>("slot")?).unwrap_or(u32::MAX),
                    slots: u32::try_from(r.try_get::<i64, _>("slots")?).unwrap_or(0),
                    interval_ms: r.try_get("interval_ms")?,
                    sent_at: r.try_get("sent_at")?,
                })
            })
            .collect()
    }

    async fn fire_renotify(
        &self,
        due: &DueRenotify,
        events: Vec<(Uuid, EventKind)>,
        at: DateTime<Utc>,
    ) -> StoreResult<Option<Vec<UserEvent>>> {
        let mut tx = self.pool.begin().await?;
        let claimed: Option<i64> = sqlx::query_scalar(
            "SELECT slot FROM renotify WHERE message_id = $1 AND user_id = $2 AND slot = $3
             FOR UPDATE SKIP LOCKED",
        )
        .bind(due.message_id)
        .bind(due.user_id)
        .bind(i64::from(due.slot))
        .fetch_optional(&mut *tx)
        .await?;
        if claimed.is_none() {
            // Fired already, stopped, or being fired by another node right now.
            tx.rollback().await?;
            return Ok(None);
        }
        if due.slot >= due.slots {
            sqlx::query("DELETE FROM renotify WHERE message_id = $1 AND user_id = $2")
                .bind(due.message_id)
                .bind(due.user_id)
                .execute(&mut *tx)
                .await?;
        } else {
            let next = ms(due.sent_at) + due.interval_ms * (i64::from(due.slot) + 1);
            sqlx::query(
                "UPDATE renotify SET slot = slot + 1, due_at = $1 WHERE message_id = $2 AND user_id = $3",
            )
            .bind(next)
            .bind(due.message_id)
            .bind(due.user_id)
            .execute(&mut *tx)
            .await?;
        }
        let written = events::append(&mut tx, &self.channel, events, at).await?;
        tx.commit().await?;
        Ok(Some(written))
    }

    async fn due_windows(&self, now: DateTime<Utc>, limit: u32) -> StoreResult<Vec<DueWindow>> {
        let rows = sqlx::query(
            "SELECT message_id, escalation_target FROM urgent_windows
             WHERE NOT closed AND closes_at <= $1 ORDER BY closes_at LIMIT $2",
        )
        .bind(ms(now))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(DueWindow {
                    message_id: r.try_get("message_id")?,
                    escalation_target: r.try_get("escalation_target")?,
                })
            })
            .collect()
    }

    async fn close_window(
        &self,
        message: Uuid,
        events: Vec<(Uuid, EventKind)>,
        escalation: Option<(&Message, Vec<(Uuid, EventKind)>, Option<&UrgentSchedule>)>,
        at: DateTime<Utc>,
    ) -> StoreResult<Option<Vec<UserEvent>>> {
        let mut tx = self.pool.begin().await?;
        let claimed: Option<Uuid> = sqlx::query_scalar(
            "SELECT message_id FROM urgent_windows WHERE message_id = $1 AND NOT closed
             FOR UPDATE SKIP LOCKED",
        )
        .bind(message)
        .fetch_optional(&mut *tx)
        .await?;
        if claimed.is_none() {
            tx.rollback().await?;
            return Ok(None);
        }
        sqlx::query("UPDATE urgent_windows SET closed = true WHERE message_id = $1")
            .bind(message)
            .execute(&mut *tx)
            .await?;
        // The escalation's message is stored before any event, as in the send path: the
        // events lock is then held only for the appends and the commit.
        // The sender's events say "escalated": they go in only with the escalation.
        if let Some((m, _, schedule)) = &escalation {
            if !PgStore::insert_message_tx(&mut tx, m, *schedule).await? {
                tx.rollback().await?;
                return Err(StoreError::Duplicate(format!(
                    "message {} (an escalation)",
                    m.id
                )));
            }
        }
        let mut written = events::append(&mut tx, &self.channel, events, at).await?;
        if let Some((_, escalation_events, _)) = escalation {
            written.extend(events::append(&mut tx, &self.channel, escalation_events, at).await?);
        }
        tx.commit().await?;
        Ok(Some(written))
    }

    async fn acknowledge(
        &self,
        message: Uuid,
        user: Uuid,
        at: DateTime<Utc>,
        events: Vec<(Uuid, EventKind)>,
    ) -> StoreResult<Option<Vec<UserEvent>>> {
        let mut tx = self.pool.begin().await?;
        let changed = sqlx::query(
            "UPDATE receipts SET acknowledged_at = $1,
                    at = CASE WHEN state < 2 THEN $1 ELSE at END,
                    state = 2
             WHERE message_id = $2 AND user_id = $3 AND acknowledged_at IS NULL",
        )
        .bind(at)
        .bind(message)
        .bind(user)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed == 0 {
            tx.rollback().await?;
            return Ok(None);
        }
        sqlx::query("DELETE FROM renotify WHERE message_id = $1 AND user_id = $2")
            .bind(message)
            .bind(user)
            .execute(&mut *tx)
            .await?;
        let written = events::append(&mut tx, &self.channel, events, at).await?;
        tx.commit().await?;
        Ok(Some(written))
    }

    async fn window_closed(&self, message: Uuid) -> StoreResult<bool> {
        let closed: Option<bool> =
            sqlx::query_scalar("SELECT closed FROM urgent_windows WHERE message_id = $1")
                .bind(message)
                .fetch_optional(&self.pool)
                .await?;
        Ok(closed.unwrap_or(false))
    }

    async fn next_due(&self) -> StoreResult<Option<DateTime<Utc>>> {
        let next: Option<i64> = sqlx::query_scalar(
            "SELECT MIN(t) FROM (
                SELECT MIN(due_at) AS t FROM renotify
                UNION ALL SELECT MIN(closes_at) FROM urgent_windows WHERE NOT closed) AS due",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(next.and_then(|t| Utc.timestamp_millis_opt(t).single()))
    }

    async fn awaiting(&self, user: Uuid, limit: u32) -> StoreResult<Vec<Message>> {
        let sql = format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages m
             JOIN users u ON u.id = m.sender_id
             JOIN receipts r ON r.message_id = m.id AND r.user_id = $1
             WHERE m.priority IN ('urgent', 'important')
               AND (r.state < 2 OR (m.ack_required AND r.acknowledged_at IS NULL))
             ORDER BY m.sent_at, m.seq LIMIT $2"
        );
        let rows = sqlx::query(&sql)
            .bind(user)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        let mut messages = rows
            .iter()
            .map(PgStore::message_from)
            .collect::<StoreResult<Vec<_>>>()?;
        self.attach_receipts(&mut messages).await?;
        Ok(messages)
    }
}
