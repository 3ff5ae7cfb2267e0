//! The urgent schedule on SQLite. Each due row is moved on by compare-and-set (on its slot)
//! in the transaction that appends its events, so of several nodes on one file only one
//! fires each re-notification.

use async_trait::async_trait;
use chrono::{DateTime, TimeZone, Utc};
use sqlx::Row;
use uuid::Uuid;

use super::{events, SqliteStore};
use crate::model::{EventKind, Message};
use crate::server::store::sql::{Engine as _, Id, MESSAGE_COLUMNS};
use crate::server::store::{
    DueRenotify, DueWindow, StoreError, StoreResult, UrgentSchedule, UrgentStore, UserEvent,
};

fn ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

/// Starts an urgent message's window and every recipient's schedule.
pub(super) async fn schedule(
    tx: &mut sqlx::SqliteConnection,
    message: &Message,
    schedule: &UrgentSchedule,
) -> StoreResult<()> {
    let sent = ms(message.sent_at);
    sqlx::query(
        "INSERT INTO urgent_windows (message_id, interval_ms, slots, closes_at, until_ack, escalation_target)
         VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(message.id.to_string())
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
    for r in &message.receipts {
        sqlx::query("INSERT INTO renotify (message_id, user_id, slot, due_at) VALUES (?, ?, 1, ?)")
            .bind(message.id.to_string())
            .bind(r.user_id.to_string())
            .bind(sent + schedule.interval_ms)
            .execute(&mut *tx)
            .await?;
    }
    Ok(())
}

/// Reading ends a recipient's re-notification, unless the message waits for an ack.
pub(super) async fn stop_on_read(
    tx: &mut sqlx::SqliteConnection,
    message: Uuid,
    user: Uuid,
) -> StoreResult<()> {
    sqlx::query(
        "DELETE FROM renotify WHERE message_id = ?1 AND user_id = ?2
           AND NOT EXISTS (SELECT 1 FROM urgent_windows WHERE message_id = ?1 AND until_ack = 1)",
    )
    .bind(message.to_string())
    .bind(user.to_string())
    .execute(&mut *tx)
    .await?;
    Ok(())
}

#[async_trait]
impl UrgentStore for SqliteStore {
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
             WHERE r.due_at <= ? ORDER BY r.due_at, r.message_id, r.user_id LIMIT ?",
        )
        .bind(ms(now))
        .bind(i64::from(limit))
        .fetch_all(&self.reader)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(DueRenotify {
                    message_id: r.try_get::<Id, _>("message_id")?.0,
                    user_id: r.try_get::<Id, _>("user_id")?.0,
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
        let mut tx = self.write_tx().await?;
        let changed = if due.slot >= due.slots {
            sqlx::query("DELETE FROM renotify WHERE message_id = ? AND user_id = ? AND slot = ?")
                .bind(due.message_id.to_string())
                .bind(due.user_id.to_string())
                .bind(i64::from(due.slot))
                .execute(&mut *tx)
                .await?
        } else {
            let next = ms(due.sent_at) + due.interval_ms * (i64::from(due.slot) + 1);
            sqlx::query(
                "UPDATE renotify SET slot = slot + 1, due_at = ?
                 WHERE message_id = ? AND user_id = ? AND slot = ?",
            )
            .bind(next)
            .bind(due.message_id.to_string())
            .bind(due.user_id.to_string())
            .bind(i64::from(due.slot))
            .execute(&mut *tx)
            .await?
        }
        .rows_affected();
        if changed == 0 {
            tx.rollback().await?;
            return Ok(None);
        }
        let written = events::append(&mut tx, events, at).await?;
        tx.commit().await?;
        Ok(Some(written))
    }

    async fn due_windows(&self, now: DateTime<Utc>, limit: u32) -> StoreResult<Vec<DueWindow>> {
        let rows = sqlx::query(
            "SELECT message_id, escalation_target FROM urgent_windows
             WHERE closed = 0 AND closes_at <= ? ORDER BY closes_at LIMIT ?",
        )
        .bind(ms(now))
        .bind(i64::from(limit))
        .fetch_all(&self.reader)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(DueWindow {
                    message_id: r.try_get::<Id, _>("message_id")?.0,
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
        let mut tx = self.write_tx().await?;
        let changed =
            sqlx::query("UPDATE urgent_windows SET closed = 1 WHERE message_id = ? AND closed = 0")
                .bind(message.to_string())
                .execute(&mut *tx)
                .await?
                .rows_affected();
        if changed == 0 {
            tx.rollback().await?;
            return Ok(None);
        }
        let mut written = events::append(&mut tx, events, at).await?;
        if let Some((escalation, escalation_events, schedule)) = escalation {
            // The sender's events say "escalated": they go in only with the escalation.
            if !SqliteStore::insert_message_tx(&mut tx, escalation, schedule).await? {
                tx.rollback().await?;
                return Err(StoreError::Duplicate(format!(
                    "message {} (an escalation)",
                    escalation.id
                )));
            }
            written.extend(events::append(&mut tx, escalation_events, at).await?);
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
        let mut tx = self.write_tx().await?;
        let changed = sqlx::query(
            "UPDATE receipts SET acknowledged_at = ?1,
                    at = CASE WHEN state < 2 THEN ?1 ELSE at END,
                    state = 2
             WHERE message_id = ?2 AND user_id = ?3 AND acknowledged_at IS NULL",
        )
        .bind(at)
        .bind(message.to_string())
        .bind(user.to_string())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed == 0 {
            tx.rollback().await?;
            return Ok(None);
        }
        sqlx::query("DELETE FROM renotify WHERE message_id = ? AND user_id = ?")
            .bind(message.to_string())
            .bind(user.to_string())
            .execute(&mut *tx)
            .await?;
        let written = events::append(&mut tx, events, at).await?;
        tx.commit().await?;
        Ok(Some(written))
    }

    async fn window_closed(&self, message: Uuid) -> StoreResult<bool> {
        let closed: Option<bool> =
            sqlx::query_scalar("SELECT closed = 1 FROM urgent_windows WHERE message_id = ?")
                .bind(message.to_string())
                .fetch_optional(&self.reader)
                .await?;
        Ok(closed.unwrap_or(false))
    }

    async fn next_due(&self) -> StoreResult<Option<DateTime<Utc>>> {
        let next: Option<i64> = sqlx::query_scalar(
            "SELECT MIN(t) FROM (
                SELECT MIN(due_at) AS t FROM renotify
                UNION ALL SELECT MIN(closes_at) FROM urgent_windows WHERE closed = 0)",
        )
        .fetch_one(&self.reader)
        .await?;
        Ok(next.and_then(|t| Utc.timestamp_millis_opt(t).single()))
    }

    async fn awaiting(&self, user: Uuid, limit: u32) -> StoreResult<Vec<Message>> {
        let sql = format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages m
             JOIN users u ON u.id = m.sender_id
             JOIN receipts r ON r.message_id = m.id AND r.user_id = ?
             WHERE m.priority IN ('urgent', 'important')
               AND (r.state < 2 OR (m.ack_required = 1 AND r.acknowledged_at IS NULL))
             ORDER BY m.sent_at LIMIT ?"
        );
        let rows = sqlx::query(&sql)
            .bind(user.to_string())
            .bind(i64::from(limit))
            .fetch_all(&self.reader)
            .await?;
        let mut messages = rows
            .iter()
            .map(SqliteStore::message_from)
            .collect::<StoreResult<Vec<_>>>()?;
        self.attach_receipts(&mut messages).await?;
        Ok(messages)
    }
}
