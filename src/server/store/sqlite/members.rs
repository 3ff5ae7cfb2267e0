//! Who is in a team or a conversation, on SQLite: a row each (SQLite has no arrays to
//! insert from). A member named twice is refused, as the primary key says.

use sqlx::SqliteConnection;
use uuid::Uuid;

use crate::server::store::sql::Id;
use crate::server::store::StoreResult;

pub(super) async fn add_team_members(
    tx: &mut SqliteConnection,
    team: Uuid,
    members: &[Uuid],
) -> StoreResult<()> {
    for m in members {
        sqlx::query("INSERT INTO team_members (team_id, user_id) VALUES ($1, $2)")
            .bind(Id(team))
            .bind(Id(*m))
            .execute(&mut *tx)
            .await?;
    }
    Ok(())
}

pub(super) async fn add_conversation_members(
    tx: &mut SqliteConnection,
    conversation: Uuid,
    members: &[Uuid],
) -> StoreResult<()> {
    for m in members {
        sqlx::query("INSERT INTO conversation_members (conversation_id, user_id) VALUES ($1, $2)")
            .bind(Id(conversation))
            .bind(Id(*m))
            .execute(&mut *tx)
            .await?;
    }
    Ok(())
}
