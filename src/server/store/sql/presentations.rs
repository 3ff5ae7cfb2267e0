//! The `PresentationStore` trait on either engine: who presents, who follows, who drives
//! and the view they share.

/// Stamps `impl PresentationStore for $engine`, whose connections are `$db`'s.
macro_rules! presentations_impl {
    ($engine:ty, $db:ty) => {
        const _: () = {
            use chrono::{DateTime, Utc};
            use sqlx::Row as _;
            use uuid::Uuid;

            use $crate::model::{EventKind, Member, Presentation, SharedView};
            use $crate::server::store::sql::{uuids, Engine as _, Id};
            use $crate::server::store::{PresentationStore, StoreError, StoreResult, UserEvent};

            type Conn = <$db as sqlx::Database>::Connection;

            async fn member(conn: &mut Conn, id: Uuid) -> StoreResult<Member> {
                let row = sqlx::query("SELECT id, display_name, role FROM users WHERE id = $1")
                    .bind(Id(id))
                    .fetch_one(&mut *conn)
                    .await?;
                <$engine>::member_from(&row)
            }

            /// The presentation `presenter` leads, read inside the caller's connection.
            async fn load(conn: &mut Conn, presenter: Uuid) -> StoreResult<Option<Presentation>> {
                let Some(row) =
                    sqlx::query("SELECT controller_id, view FROM presentations WHERE presenter_id = $1")
                        .bind(Id(presenter))
                        .fetch_optional(&mut *conn)
                        .await?
                else {
                    return Ok(None);
                };
                let controller: Id = row.try_get("controller_id")?;
                let view: Option<String> = row.try_get("view")?;
                let view = view
                    .map(|v| serde_json::from_str::<SharedView>(&v))
                    .transpose()
                    .map_err(|e| StoreError::Corrupt(format!("shared view: {e}")))?;
                let follower_ids = sqlx::query_scalar(
                    "SELECT follower_id FROM follows WHERE presenter_id = $1 ORDER BY since, follower_id",
                )
                .bind(Id(presenter))
                .fetch_all(&mut *conn)
                .await?;
                let mut followers = Vec::with_capacity(follower_ids.len());
                for f in uuids(follower_ids) {
                    followers.push(member(conn, f).await?);
                }
                Ok(Some(Presentation {
                    presenter: member(conn, presenter).await?,
                    controller: member(conn, controller.into()).await?,
                    followers,
                    view,
                }))
            }

            #[async_trait::async_trait]
            impl PresentationStore for $engine {
                async fn presentation_of(&self, user: Uuid) -> StoreResult<Option<Presentation>> {
                    let mut conn = self.reads().acquire().await?;
                    let presenter: Option<Id> = sqlx::query_scalar(
                        "SELECT presenter_id FROM presentations WHERE presenter_id = $1
                         UNION SELECT presenter_id FROM follows WHERE follower_id = $1",
                    )
                    .bind(Id(user))
                    .fetch_optional(&mut *conn)
                    .await?;
                    match presenter {
                        Some(p) => load(&mut conn, p.into()).await,
                        None => Ok(None),
                    }
                }

                async fn follow(
                    &self,
                    follower: Uuid,
                    presenter: Uuid,
                    at: DateTime<Utc>,
                ) -> StoreResult<Presentation> {
                    let mut tx = self.begin_write().await?;
                    sqlx::query(
                        "INSERT INTO presentations (presenter_id, controller_id) VALUES ($1, $1)
                         ON CONFLICT (presenter_id) DO NOTHING",
                    )
                    .bind(Id(presenter))
                    .execute(&mut *tx)
                    .await?;
                    sqlx::query(
                        "INSERT INTO follows (follower_id, presenter_id, since) VALUES ($1, $2, $3)
                         ON CONFLICT (follower_id) DO UPDATE SET presenter_id = excluded.presenter_id, since = excluded.since",
                    )
                    .bind(Id(follower))
                    .bind(Id(presenter))
                    .bind(at)
                    .execute(&mut *tx)
                    .await?;
                    let presentation = load(&mut tx, presenter)
                        .await?
                        .ok_or_else(|| StoreError::Corrupt("presentation vanished".into()))?;
                    tx.commit().await?;
                    Ok(presentation)
                }

                async fn unfollow(&self, follower: Uuid) -> StoreResult<Option<Presentation>> {
                    let mut tx = self.begin_write().await?;
                    let Some(p): Option<Id> = sqlx::query_scalar(
                        "DELETE FROM follows WHERE follower_id = $1 RETURNING presenter_id",
                    )
                    .bind(Id(follower))
                    .fetch_optional(&mut *tx)
                    .await?
                    else {
                        tx.rollback().await?;
                        return Ok(None);
                    };
                    sqlx::query(
                        "UPDATE presentations SET controller_id = presenter_id
                         WHERE presenter_id = $1 AND controller_id = $2",
                    )
                    .bind(p)
                    .bind(Id(follower))
                    .execute(&mut *tx)
                    .await?;
                    let after = load(&mut tx, p.into()).await?;
                    if after.as_ref().is_some_and(|a| a.followers.is_empty()) {
                        sqlx::query("DELETE FROM presentations WHERE presenter_id = $1")
                            .bind(p)
                            .execute(&mut *tx)
                            .await?;
                    }
                    tx.commit().await?;
                    Ok(after)
                }

                async fn end_presentation(&self, presenter: Uuid) -> StoreResult<Option<Presentation>> {
                    let mut tx = self.begin_write().await?;
                    let before = load(&mut tx, presenter).await?;
                    sqlx::query("DELETE FROM follows WHERE presenter_id = $1")
                        .bind(Id(presenter))
                        .execute(&mut *tx)
                        .await?;
                    sqlx::query("DELETE FROM presentations WHERE presenter_id = $1")
                        .bind(Id(presenter))
                        .execute(&mut *tx)
                        .await?;
                    tx.commit().await?;
                    Ok(before)
                }

                async fn set_controller(&self, presenter: Uuid, controller: Uuid) -> StoreResult<()> {
                    sqlx::query("UPDATE presentations SET controller_id = $1 WHERE presenter_id = $2")
                        .bind(Id(controller))
                        .bind(Id(presenter))
                        .execute(self.writes())
                        .await?;
                    Ok(())
                }

                async fn set_shared_view(&self, presenter: Uuid, view: &SharedView) -> StoreResult<()> {
                    let json =
                        serde_json::to_string(view).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                    sqlx::query("UPDATE presentations SET view = $1 WHERE presenter_id = $2")
                        .bind(json)
                        .bind(Id(presenter))
                        .execute(self.writes())
                        .await?;
                    Ok(())
                }

                async fn append_events(
                    &self,
                    events: Vec<(Uuid, EventKind)>,
                    at: DateTime<Utc>,
                ) -> StoreResult<Vec<UserEvent>> {
                    let mut tx = self.begin_write().await?;
                    let written = self.append_events_in(&mut tx, events, at).await?;
                    tx.commit().await?;
                    Ok(written)
                }
            }
        };
    };
}
pub(crate) use presentations_impl;
