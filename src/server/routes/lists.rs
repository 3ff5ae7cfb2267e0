use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use uuid::Uuid;

use super::caller::Caller;
use crate::model::ColumnId;
use crate::model::{ListRows, PatientList};
use crate::server::problem::{ApiPath, ApiQuery, Problem};
use crate::server::Domain;

pub async fn index(
    State(domain): State<Domain>,
    Caller(session): Caller,
) -> Result<Json<Vec<PatientList>>, Problem> {
    Ok(Json(domain.lists(&session).await?))
}

#[derive(Deserialize)]
pub struct Wanted {
    /// Comma-separated column ids; the whole catalogue when absent.
    columns: Option<String>,
}

pub async fn rows(
    State(domain): State<Domain>,
    Caller(session): Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(wanted): ApiQuery<Wanted>,
) -> Result<Json<ListRows>, Problem> {
    let columns = match wanted.columns.as_deref() {
        None | Some("") => ColumnId::ALL.to_vec(),
        Some(spec) => spec
            .split(',')
            .map(|c| ColumnId::parse_or_explain(c.trim()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| Problem::new(StatusCode::BAD_REQUEST, e))?,
    };
    Ok(Json(domain.list_rows(&session, id, &columns).await?))
}
