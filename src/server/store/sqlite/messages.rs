//! Messages' receipts on SQLite, read for a page of messages at once.

use std::collections::HashMap;

use sqlx::{Row, SqlitePool};
use uuid::Uuid;

use crate::model::{Message, Receipt, ReceiptState};
use crate::server::store::sql::Id;
use crate::server::store::StoreResult;

/// Fills in each message's receipts, with one query (an `IN` list: SQLite has no arrays).
pub(super) async fn attach_receipts(
    reader: &SqlitePool,
    messages: &mut [Message],
) -> StoreResult<()> {
    if messages.is_empty() {
        return Ok(());
    }
    let placeholders = vec!["?"; messages.len()].join(",");
    let sql = format!("SELECT message_id, user_id, state, at, acknowledged_at FROM receipts WHERE message_id IN ({placeholders})");
    let mut q = sqlx::query(&sql);
    for m in messages.iter() {
        q = q.bind(Id(m.id));
    }
    let mut by_message: HashMap<Uuid, Vec<Receipt>> = HashMap::new();
    for row in q.fetch_all(reader).await? {
        by_message
            .entry(row.try_get::<Id, _>("message_id")?.0)
            .or_default()
            .push(Receipt {
                user_id: row.try_get::<Id, _>("user_id")?.0,
                state: ReceiptState::from_i64(row.try_get("state")?),
                at: row.try_get("at")?,
                acknowledged_at: row.try_get("acknowledged_at")?,
            });
    }
    for m in messages.iter_mut() {
        m.receipts = by_message.remove(&m.id).unwrap_or_default();
    }
    Ok(())
}
