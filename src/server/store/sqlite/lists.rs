//! A list's patients on SQLite: a row each, in order.

use sqlx::SqliteConnection;
use uuid::Uuid;

use crate::server::store::sql::Id;
use crate::server::store::StoreResult;

pub(super) async fn add_entries(
    tx: &mut SqliteConnection,
    list: Uuid,
    patients: &[String],
    first: i64,
) -> StoreResult<()> {
    for (position, patient) in (first..).zip(patients) {
        sqlx::query(
            "INSERT INTO patient_list_entries (list_id, patient_id, position) VALUES ($1, $2, $3)",
        )
        .bind(Id(list))
        .bind(patient)
        .bind(position)
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}
