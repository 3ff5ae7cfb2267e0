use axum::extract::State;
use axum::Json;
use uuid::Uuid;

use super::caller::Caller;
use crate::model::{ListRows, PatientList};
use crate::server::problem::{ApiPath, Problem};
use crate::server::Domain;

pub async fn index(
    State(domain): State<Domain>,
    Caller(session): Caller,
) -> Result<Json<Vec<PatientList>>, Problem> {
    Ok(Json(domain.lists(&session).await?))
}

pub async fn rows(
    State(domain): State<Domain>,
    Caller(session): Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<ListRows>, Problem> {
    Ok(Json(domain.list_rows(&session, id).await?))
}
