//! `wardround admin role …`: the duties people are reached by ("Medical registrar on
//! call"), and the rota that says who holds each when.

use chrono::{DateTime, Local, NaiveDateTime, TimeZone, Utc};
use clap::Subcommand;
use color_eyre::eyre::{eyre, Result, WrapErr};

use wardround::client::ApiClient;
use wardround::model::{NewRole, Shift};

#[derive(Subcommand)]
pub enum RoleAction {
    /// A role within a team; what is written to it while nobody holds it goes to the
    /// fallback: `team:NAME` (its channel) or `role:NAME`.
    Create {
        name: String,
        #[arg(long)]
        team: String,
        #[arg(long)]
        fallback: Option<String>,
    },
    /// Every role, its team, who holds it now and its fallback.
    List {
        /// The server's objects as JSON, for scripts.
        #[arg(long)]
        json: bool,
    },
    /// Delete a role (its conversations stay, as history).
    Delete { name: String },
    /// Add a rota's shifts from a CSV file: role, username, start, end (a header line is
    /// skipped; times RFC 3339, or `YYYY-MM-DD HH:MM` in this machine's time zone).
    /// Shifts may overlap. All are added, or none if a line is wrong.
    ImportRota { file: std::path::PathBuf },
}

pub async fn run(client: &ApiClient, action: RoleAction) -> Result<()> {
    match action {
        RoleAction::Create {
            name,
            team,
            fallback,
        } => {
            let role = client
                .admin_create_role(&NewRole {
                    name,
                    team,
                    fallback,
                })
                .await?;
            say!(
                "created role {} in {}{}",
                role.name,
                role.team,
                role.fallback
                    .map(|f| format!(" (fallback {f})"))
                    .unwrap_or_default()
            );
        }
        RoleAction::List { json } => {
            let roles = client.roles().await?;
            if json {
                return super::table::print_json(&roles);
            }
            let mut t = super::table::Table::new(&["ROLE", "TEAM", "HELD BY", "FALLBACK"]);
            for r in roles {
                let holders: Vec<&str> =
                    r.holders.iter().map(|m| m.display_name.as_str()).collect();
                t.row(vec![
                    r.name,
                    r.team,
                    holders.join(", "),
                    r.fallback.unwrap_or_default(),
                ]);
            }
            t.print();
        }
        RoleAction::Delete { name } => {
            client.admin_delete_role(&name).await?;
            say!("deleted role {name}");
        }
        RoleAction::ImportRota { file } => {
            let text = std::fs::read_to_string(&file)
                .wrap_err_with(|| format!("cannot read {}", file.display()))?;
            let shifts = parse_rota(&text)?;
            let n = client.admin_import_rota(&shifts).await?;
            say!("imported {n} shifts from {}", file.display());
        }
    }
    Ok(())
}

/// The rota's lines as shifts; an error names the line.
pub fn parse_rota(text: &str) -> Result<Vec<Shift>> {
    let mut shifts = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let fields = csv_fields(line);
        if n == 1
            && fields
                .first()
                .is_some_and(|f| f.eq_ignore_ascii_case("role"))
        {
            continue;
        }
        let [role, username, start, end] = fields.as_slice() else {
            return Err(eyre!(
                "line {n}: write role,username,start,end ({} fields here)",
                fields.len()
            ));
        };
        shifts.push(Shift {
            role: role.clone(),
            username: username.clone(),
            start: time(start).map_err(|e| eyre!("line {n}: start: {e}"))?,
            end: time(end).map_err(|e| eyre!("line {n}: end: {e}"))?,
        });
    }
    if shifts.is_empty() {
        return Err(eyre!("the rota has no shifts"));
    }
    Ok(shifts)
}

/// A CSV line's fields, trimmed; double quotes around a field keep its commas.
fn csv_fields(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => fields.push(std::mem::take(&mut field).trim().to_string()),
            c => field.push(c),
        }
    }
    fields.push(field.trim().to_string());
    fields
}

fn time(s: &str) -> std::result::Result<DateTime<Utc>, String> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    for format in [
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S",
    ] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(s, format) {
            return Local
                .from_local_datetime(&naive)
                .earliest()
                .map(|t| t.with_timezone(&Utc))
                .ok_or_else(|| format!("`{s}` does not exist in this time zone (a clock change)"));
        }
    }
    Err(format!(
        "`{s}`: write RFC 3339 (2026-12-01T08:00:00Z) or YYYY-MM-DD HH:MM"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rota_reads_with_a_header_quotes_and_either_time_form() {
        let rota = "role,username,start,end\n\
                    \"Medical registrar on call\",tom,2026-12-01T08:00:00Z,2026-12-01T20:00:00Z\n\
                    \n\
                    \"4W nurse, in charge\", alex ,2026-12-01 08:00,2026-12-01 20:00\n";
        let shifts = parse_rota(rota).unwrap();
        assert_eq!(shifts.len(), 2);
        assert_eq!(shifts[0].role, "Medical registrar on call");
        assert_eq!(shifts[1].role, "4W nurse, in charge");
        assert_eq!(shifts[1].username, "alex");
        assert_eq!(shifts[1].end - shifts[1].start, chrono::Duration::hours(12));
    }

    #[test]
    fn a_wrong_line_is_named() {
        let err = parse_rota("FY1,tom,2026-12-01T08:00:00Z\n").unwrap_err();
        assert!(err.to_string().contains("line 1"), "{err}");
        let err = parse_rota("FY1,tom,yesterday,2026-12-01T08:00:00Z\n").unwrap_err();
        assert!(err.to_string().contains("line 1: start"), "{err}");
    }
}
