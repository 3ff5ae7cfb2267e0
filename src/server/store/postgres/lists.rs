//! A list's patients on PostgreSQL: one statement from an array, in order.

use sqlx::PgConnection;
use uuid::Uuid;

use crate::server::store::StoreResult;

pub(super) async fn add_entries(
    tx: &mut PgConnection,
    list: Uuid,
    patients: &[String],
    first: i64,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO patient_list_entries (list_id, patient_id, position)
         SELECT $1, p, $3 + n - 1 FROM unnest($2::text[]) WITH ORDINALITY AS e(p, n)",
    )
    .bind(list)
    .bind(patients)
    .bind(first)
    .execute(&mut *tx)
    .await?;
    Ok(())
}
