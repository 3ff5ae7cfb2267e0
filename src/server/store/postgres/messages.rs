//! Messages' receipts on PostgreSQL, read for a page of messages at once.

use std::collections::HashMap;

use sqlx::{PgPool, Row};
use uuid::Uuid;

use crate::model::{Message, Receipt, ReceiptState};
use crate::server::store::StoreResult;

/// Fills in each message's receipts, with one query over an array of their ids.
pub(super) async fn attach_receipts(pool: &PgPool, messages: &mut [Message]) -> StoreResult<()> {
    if messages.is_empty() {
        return Ok(());
    }
    let ids: Vec<Uuid> = messages.iter().map(|m| m.id).collect();
    let rows = sqlx::query(
        "SELECT message_id, user_id, state, at, acknowledged_at FROM receipts WHERE message_id = ANY($1)",
    )
    .bind(ids)
    .fetch_all(pool)
    .await?;
    let mut by_message: HashMap<Uuid, Vec<Receipt>> = HashMap::new();
    for row in rows {
        by_message
            .entry(row.try_get("message_id")?)
            .or_default()
            .push(Receipt {
                user_id: row.try_get("user_id")?,
                state: ReceiptState::from_i64(i64::from(row.try_get::<i16, _>("state")?)),
                at: row.try_get("at")?,
                acknowledged_at: row.try_get("acknowledged_at")?,
            });
    }
    for m in messages.iter_mut() {
        m.receipts = by_message.remove(&m.id).unwrap_or_default();
    }
    Ok(())
}
