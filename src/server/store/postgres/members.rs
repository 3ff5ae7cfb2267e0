//! Who is in a team or a conversation, on PostgreSQL: one statement from an array each (a
//! member named twice is one member).

use sqlx::PgConnection;
use uuid::Uuid;

use crate::server::store::StoreResult;

pub(super) async fn add_team_members(
    tx: &mut PgConnection,
    team: Uuid,
    members: &[Uuid],
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO team_members (team_id, user_id) SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING",
    )
    .bind(team)
    .bind(members)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

pub(super) async fn add_conversation_members(
    tx: &mut PgConnection,
    conversation: Uuid,
    members: &[Uuid],
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO conversation_members (conversation_id, user_id) SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING",
    )
    .bind(conversation)
    .bind(members)
    .execute(&mut *tx)
    .await?;
    Ok(())
}
