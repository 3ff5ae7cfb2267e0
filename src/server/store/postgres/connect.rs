//! Connecting to PostgreSQL: the pool each node keeps, and what a URL may show in a
//! message.

use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::PgConnection;

use super::{group_commit, migrate, PgStore};
use crate::server::audit_key::AuditKeys;
use crate::server::store::{StoreError, StoreResult};

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Connections per node: request handlers, the scheduler and group commit share them.
const POOL_SIZE: u32 = 16;

impl PgStore {
    /// Connects to `url` (`postgres://user:password@host/db`, with `?options=-c
    /// search_path=…` for a schema of its own) and brings the schema up to date.
    pub async fn connect(url: &str, audit_keys: AuditKeys) -> StoreResult<Self> {
        let open_err = |e: &dyn std::fmt::Display| StoreError::Open {
            path: redact(url),
            reason: e.to_string(),
        };
        let options: PgConnectOptions =
            crate::server::store::logged(url.parse().map_err(|e| open_err(&e))?);
        // One connection first: the pool would retry until its timeout and then report
        // only that it timed out, where this says why (refused, no such database, …).
        use sqlx::Connection as _;
        let probe = tokio::time::timeout(CONNECT_TIMEOUT, PgConnection::connect_with(&options))
            .await
            .map_err(|_| open_err(&"no answer within 10 s"))?
            .map_err(|e| open_err(&e))?;
        let _ = probe.close().await;
        let pool = PgPoolOptions::new()
            .max_connections(POOL_SIZE)
            .acquire_timeout(CONNECT_TIMEOUT)
            .connect_with(options)
            .await
            .map_err(|e| open_err(&e))?;
        migrate::migrate(&pool).await?;
        let schema: String = sqlx::query_scalar("SELECT current_schema()")
            .fetch_one(&pool)
            .await?;
        let channel = super::Channel {
            name: format!("wardround_events_{schema}"),
            node: uuid::Uuid::new_v4().simple().to_string(),
        };
        Ok(PgStore {
            sends: crate::server::store::group_commit::start(group_commit::PgBatches {
                pool: pool.clone(),
                channel: channel.clone(),
                audit_keys: audit_keys.clone(),
            }),
            channel,
            pool,
            audit_keys,
        })
    }
}

/// The server's version, over a connection of its own (nothing is changed).
pub async fn server_version(url: &str) -> sqlx::Result<String> {
    use sqlx::Connection as _;
    let options: PgConnectOptions = url.parse()?;
    let mut conn = PgConnection::connect_with(&options).await?;
    let version = sqlx::query_scalar("SHOW server_version")
        .fetch_one(&mut conn)
        .await?;
    conn.close().await?;
    Ok(version)
}

/// `url` without its password, for messages.
pub fn redact(url: &str) -> String {
    match url.parse::<reqwest::Url>() {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        Ok(u) => u.to_string(),
        Err(_) => "(an unreadable PostgreSQL URL)".into(),
    }
}
