//! Rows as both engines return them, read into the model (a `bool` reads SQLite's 0 and 1
//! too; ids read through [`super::Id`]).

/// The columns `message_from` reads, of `messages m JOIN users u ON u.id = m.sender_id`.
pub(in crate::server::store) const MESSAGE_COLUMNS: &str = "m.id, m.conversation_id, m.sender_id, u.display_name AS sender_name, m.body, m.priority, m.sent_at, m.ack_required, m.escalation_of";

/// Stamps the row readers onto `$engine`, as associated functions of `$db`'s rows.
macro_rules! rows_impl {
    ($engine:ty, $db:ty) => {
        const _: () = {
            use sqlx::Row as _;

            use $crate::model::{Member, Message, Priority, Team, User};
            use $crate::server::store::sql::Id;
            use $crate::server::store::{StoreError, StoreResult, StoredUser};

            type Row = <$db as sqlx::Database>::Row;

            impl $engine {
                pub(super) fn user_from(row: &Row) -> StoreResult<User> {
                    Ok(User {
                        id: row.try_get::<Id, _>("id")?.0,
                        username: row.try_get("username")?,
                        display_name: row.try_get("display_name")?,
                        role: row.try_get("role")?,
                        admin: row.try_get("admin")?,
                    })
                }

                pub(super) fn stored_user(row: &Row) -> StoreResult<StoredUser> {
                    Ok(StoredUser {
                        user: Self::user_from(row)?,
                        password_hash: row.try_get("password_hash")?,
                        disabled: row.try_get("disabled")?,
                        password_change_due: row.try_get("must_change_password")?,
                    })
                }

                pub(super) fn member_from(row: &Row) -> StoreResult<Member> {
                    Ok(Member {
                        id: row.try_get::<Id, _>("id")?.0,
                        display_name: row.try_get("display_name")?,
                        role: row.try_get("role")?,
                    })
                }

                pub(super) fn team_from(row: &Row) -> StoreResult<Team> {
                    Ok(Team {
                        id: row.try_get::<Id, _>("id")?.0,
                        name: row.try_get("name")?,
                    })
                }

                /// A row of `MESSAGE_COLUMNS`, without its receipts.
                pub(super) fn message_from(row: &Row) -> StoreResult<Message> {
                    let priority: String = row.try_get("priority")?;
                    Ok(Message {
                        id: row.try_get::<Id, _>("id")?.0,
                        conversation_id: row.try_get::<Id, _>("conversation_id")?.0,
                        sender_id: row.try_get::<Id, _>("sender_id")?.0,
                        sender_name: row.try_get("sender_name")?,
                        body: row.try_get("body")?,
                        priority: Priority::parse(&priority)
                            .ok_or_else(|| StoreError::Corrupt(format!("priority {priority:?}")))?,
                        sent_at: row.try_get("sent_at")?,
                        receipts: Vec::new(),
                        ack_required: row.try_get("ack_required")?,
                        escalation_of: row
                            .try_get::<Option<Id>, _>("escalation_of")?
                            .map(Into::into),
                    })
                }
            }
        };
    };
}
pub(crate) use rows_impl;
