//! The schema's migrations, run by sqlx's migrator. Each store embeds its files
//! (`migrations/sqlite/*.sql`, `migrations/postgres/*.sql`); the migrator records every one
//! it applies in `_sqlx_migrations` with the SHA-384 of its text, and refuses a database on
//! which an applied migration's file no longer matches: the start fails, naming the file.
//!
//! Migrations are append-only: an applied one is never edited (existing databases must keep
//! working); a change to the schema is a new file, added to its store's list.
//!
//! Databases made before the migrator kept a table of their own, `schema_migrations`
//! (version, applied_at). The first start of this version records those versions in
//! `_sqlx_migrations` with the checksums of the files embedded here, trusting they were
//! the files that shipped, and drops the old table in the same transaction: one record of
//! what was applied, and the presence of `schema_migrations` alone says the carry-over is
//! still to be done (it never runs twice, and a half-done one cannot exist). An older
//! wardround started on a carried-over database finds no record, tries to create the
//! first tables again and refuses to start, rather than run on a schema it does not know.

use std::borrow::Cow;

use futures_util::future::BoxFuture;
use sqlx::error::BoxDynError;
use sqlx::migrate::{MigrateError, Migration, MigrationSource, MigrationType, Migrator};

use super::StoreError;

/// One migration file as embedded: where it is in the source tree and its text.
#[derive(Debug)]
pub(super) struct File {
    /// `migrations/sqlite/0003_secure_messaging.sql`.
    pub path: &'static str,
    pub sql: &'static str,
}

/// The files of one store, in order: `embed!("sqlite", "0001_initial.sql", …)`.
macro_rules! embed {
    ($dir:literal, $($file:literal),* $(,)?) => {
        &[$(crate::server::store::migrations::File {
            path: concat!("migrations/", $dir, "/", $file),
            sql: include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/", $dir, "/", $file)),
        }),*]
    };
}
pub(super) use embed;

impl File {
    /// The file's name, as sqlx names migrations: `0003_secure_messaging.sql` is version
    /// 3, "secure messaging" (what `sqlx migrate` would make of the same directory).
    fn migration(&self) -> Result<Migration, String> {
        let name = self.path.rsplit('/').next().unwrap_or(self.path);
        let (version, rest) = name
            .split_once('_')
            .ok_or_else(|| format!("{}: not named VERSION_DESCRIPTION.sql", self.path))?;
        let version: i64 = version
            .parse()
            .map_err(|_| format!("{}: its name does not start with a version", self.path))?;
        let description = rest
            .strip_suffix(".sql")
            .ok_or_else(|| format!("{}: not a .sql file", self.path))?
            .replace('_', " ");
        // Every migration runs in the one transaction that runs them all (see the stores'
        // `migrate`): a file cannot opt out of it.
        let no_tx = false;
        Ok(Migration::new(
            version,
            Cow::Owned(description),
            MigrationType::Simple,
            Cow::Borrowed(self.sql),
            no_tx,
        ))
    }
}

/// A store's embedded files as the migrator's source (sqlx reads a directory at run time
/// or, with its `macros` feature, embeds one; this embeds without the proc macros).
#[derive(Debug)]
struct Embedded(&'static [File]);

impl MigrationSource<'static> for Embedded {
    fn resolve(self) -> BoxFuture<'static, Result<Vec<Migration>, BoxDynError>> {
        Box::pin(async move {
            let mut migrations = self
                .0
                .iter()
                .map(File::migration)
                .collect::<Result<Vec<_>, _>>()?;
            migrations.sort_by_key(|m| m.version);
            Ok(migrations)
        })
    }
}

/// The migrator over `files`.
pub(super) async fn migrator(files: &'static [File]) -> Result<Migrator, StoreError> {
    Migrator::new(Embedded(files))
        .await
        .map_err(|e| StoreError::Schema(format!("the embedded migrations: {e}")))
}

/// The file of migration `version`, and its migration.
pub(super) fn find(files: &'static [File], version: i64) -> Option<(&'static File, Migration)> {
    files
        .iter()
        .filter_map(|f| Some((f, f.migration().ok()?)))
        .find(|(_, m)| m.version == version)
}

/// The carry-over found a version in `schema_migrations` that this build does not have.
pub(super) fn newer(version: i64) -> StoreError {
    StoreError::Schema(format!(
        "schema_migrations lists migration {version}, which this build does not have: a newer wardround migrated this database; run that version or a newer one"
    ))
}

/// What the migrator refused, in words that name the migration.
pub(super) fn refused(files: &'static [File], e: MigrateError) -> StoreError {
    let named = |version: i64| match find(files, version) {
        Some((file, m)) => format!("{} (version {version}, “{}”)", file.path, m.description),
        None => format!("version {version}"),
    };
    match e {
        MigrateError::VersionMismatch(version) => {
            let (file, description) = match find(files, version) {
                Some((file, m)) => (file.path.to_string(), m.description.to_string()),
                None => (format!("version {version}"), String::new()),
            };
            StoreError::MigrationEdited {
                version,
                description,
                file,
            }
        }
        MigrateError::VersionMissing(version) => StoreError::Schema(format!(
            "migration {version} was applied to this database but this build does not have it: a newer wardround migrated it; run that version or a newer one"
        )),
        MigrateError::ExecuteMigration(e, version) => {
            StoreError::Schema(format!("migration {} failed: {e}", named(version)))
        }
        MigrateError::Dirty(version) => StoreError::Schema(format!(
            "migration {} is recorded as failed in _sqlx_migrations",
            named(version)
        )),
        MigrateError::Execute(e) => StoreError::Database(e),
        e => StoreError::Schema(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every file in `migrations/<dir>` is in `files`, in order, and the migrator sees
    /// them as `sqlx migrate` would the directory (same versions, names and checksums).
    async fn embedded_as_the_directory(dir: &str, files: &'static [File]) {
        let on_disk = Migrator::new(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("migrations")
                .join(dir),
        )
        .await
        .unwrap();
        let embedded = migrator(files).await.unwrap();
        let seen = |m: &Migrator| {
            m.iter()
                .map(|m| {
                    (
                        m.version,
                        m.description.to_string(),
                        m.checksum.to_vec(),
                        m.no_tx,
                    )
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(seen(&embedded), seen(&on_disk), "migrations/{dir}");
        let paths: Vec<_> = files.iter().map(|f| f.path).collect();
        let mut sorted = paths.clone();
        sorted.sort_unstable();
        assert_eq!(paths, sorted, "listed in order");
    }

    #[tokio::test]
    async fn the_embedded_migrations_are_the_directories() {
        embedded_as_the_directory("sqlite", super::super::sqlite::MIGRATIONS).await;
        embedded_as_the_directory("postgres", super::super::postgres::MIGRATIONS).await;
    }

    #[test]
    fn an_edited_migration_is_named_by_its_file() {
        let files = super::super::sqlite::MIGRATIONS;
        let e = refused(files, MigrateError::VersionMismatch(3));
        let shown = e.to_string();
        assert!(
            shown.contains("migrations/sqlite/0003_secure_messaging.sql")
                && shown.contains("version 3")
                && shown.contains("secure messaging"),
            "{shown}"
        );
    }
}
