//! `wardround admin …`: IT manages accounts, teams and messaging policies on a running
//! server, as an administrator.

use clap::Subcommand;
use color_eyre::eyre::{eyre, Result};

use wardround::client::admin::{AuditQuery, NewAccount};
use wardround::client::ApiClient;
use wardround::model::{Assignee, MessagingPolicy, PolicyPatch, TeamTemplate};
use wardround::server::store::Database;

use super::login::log_in;
use super::serve::state_dir;
use super::table::{print_json, Table};
use super::Context;

#[derive(clap::Args)]
pub struct Args {
    /// Work on the server's database directly (a SQLite file or a postgres:// URL),
    /// without a login: `unlock NAME` and `reset-password NAME` only. (Not read from
    /// WARDROUND_DATABASE: every other admin command would stop using the server.)
    #[arg(long)]
    database: Option<String>,
    #[command(subcommand)]
    command: AdminCommand,
}

/// On the server as a logged-in administrator, or (with --database) at its files.
pub async fn run(cx: &Context, args: Args) -> Result<()> {
    match args.database {
        Some(database) => {
            let database = Database::parse(&database);
            run_offline(&database, state_dir(&cx.config).as_deref(), args.command).await
        }
        None => {
            let client = log_in(&cx.config, cx.password_stdin).await?;
            run_on_server(&client, args.command).await
        }
    }
}

#[derive(Subcommand)]
pub enum AdminCommand {
    /// Accounts.
    User {
        #[command(subcommand)]
        action: UserAction,
    },
    /// Teams (each has a channel; members join it and the team's patient chats).
    Team {
        #[command(subcommand)]
        action: TeamAction,
    },
    /// Roles people are reached by, and the rota of who holds them.
    Role {
        #[command(subcommand)]
        action: super::roles::RoleAction,
    },
    /// Messaging policies.
    Policy {
        #[command(subcommand)]
        action: PolicyAction,
    },
    /// The hash-chained audit log.
    Audit {
        #[command(subcommand)]
        action: AuditAction,
    },
    /// Lift the lock failed logins put on NAME (a disabled account stays disabled). Needs
    /// --database: this is the way back in when no administrator can log in.
    Unlock { username: String },
    /// A new one-time password for NAME (printed), ending their sessions and lifting a
    /// lock; with --database, at the server's files without logging in.
    ResetPassword { username: String },
}

/// Who runs this, when the environment does not say: the numeric user id.
fn login_uid() -> String {
    #[cfg(unix)]
    {
        // SAFETY: getuid has no preconditions and cannot fail.
        format!("uid {}", unsafe { libc::getuid() })
    }
    #[cfg(not(unix))]
    {
        "unknown".into()
    }
}

/// `wardround admin --database PATH unlock|reset-password NAME`: whoever holds the
/// server's files (and its audit key) gets an administrator back without a login, on the
/// record as `local:<their login name>` from this machine.
async fn run_offline(
    database: &Database,
    state_dir: Option<&std::path::Path>,
    command: AdminCommand,
) -> Result<()> {
    // A mistyped path would otherwise be a new, empty database, "unlocked".
    if let Database::Sqlite(path) = database {
        if !path.is_file() {
            return Err(eyre!("{} is not a wardround database file", path.display()));
        }
    }
    // The server's own key, never a new one: rows signed with a key the server does not
    // hold would break its audit chain.
    let audit =
        database.audit_setup(state_dir, wardround::server::audit_key::KeyFile::MustExist)?;
    let domain = wardround::server::offline(database, audit).await?;
    let who = format!(
        "local:{}",
        std::env::var("USER")
            .or_else(|_| std::env::var("LOGNAME"))
            .unwrap_or_else(|_| login_uid())
    );
    let host = std::fs::read_to_string("/etc/hostname").unwrap_or_default();
    let from = format!("{} (wardround admin --database)", host.trim());
    let by = wardround::server::domain::audit::Actor {
        name: &who,
        workstation: &from,
    };
    match command {
        AdminCommand::Unlock { username } => {
            domain.unlock_account(&username, by).await?;
            say!("{username}: unlocked");
        }
        AdminCommand::ResetPassword { username } => {
            let password = one_time_password();
            domain.reset_password_by(&username, &password, by).await?;
            say!("{username}: sessions ended, unlocked; one-time password: {password}");
        }
        _ => {
            return Err(eyre!(
                "with --database only `unlock NAME` and `reset-password NAME` run; the rest goes through a running server (--server)"
            ))
        }
    }
    Ok(())
}

#[derive(Subcommand)]
pub enum AuditAction {
    /// Rows, oldest first: who did what, to which patient.
    Query {
        /// Only this user's acts (by username).
        #[arg(long)]
        by: Option<String>,
        /// Only acts on this FHIR Patient id.
        #[arg(long)]
        patient: Option<String>,
        /// Only from this instant on, RFC 3339 with its zone: 2026-11-01T00:00:00Z.
        #[arg(long)]
        since: Option<chrono::DateTime<chrono::Utc>>,
        /// The server's objects as JSON, for scripts.
        #[arg(long)]
        json: bool,
    },
    /// Check the chain; names the first row that was changed or follows a removed one.
    Verify,
    /// The log as FHIR R4 AuditEvent NDJSON (IHE BALP shapes), on standard output.
    Export {
        #[arg(long)]
        patient: Option<String>,
        #[arg(long)]
        since: Option<chrono::DateTime<chrono::Utc>>,
    },
}

#[derive(Subcommand)]
pub enum UserAction {
    /// Create an account; a one-time password is printed.
    Add {
        username: String,
        /// The name colleagues see.
        #[arg(long)]
        name: String,
        /// Shown beside the name (RN, Registrar…).
        #[arg(long, default_value = "")]
        role: String,
        /// May use `wardround admin`.
        #[arg(long)]
        admin: bool,
    },
    /// Every account, with its state and teams.
    List {
        /// The server's objects as JSON, for scripts.
        #[arg(long)]
        json: bool,
    },
    /// Disable an account and end its sessions (`--enable` to undo).
    Disable {
        username: String,
        #[arg(long)]
        enable: bool,
    },
    /// Set a new one-time password (printed) and end the user's sessions.
    ResetPassword { username: String },
}

#[derive(Subcommand)]
pub enum TeamAction {
    /// A team and its channel; a template adds channels (and, for a ward, a rounding list).
    Create {
        name: String,
        /// `ward` or `hospital`.
        #[arg(long, value_parser = template)]
        template: Option<TeamTemplate>,
    },
    /// Add to the team, its channels and its patient chats.
    AddMember { team: String, username: String },
    /// Remove from the team, its channels and its patient chats.
    RemoveMember { team: String, username: String },
    /// Every team with its members.
    List {
        /// The server's objects as JSON, for scripts.
        #[arg(long)]
        json: bool,
    },
}

/// Who a policy applies to: `user:USERNAME` or `team:TEAM NAME`. (Not `--user`: that
/// flag says who logs in.)
fn assignee(s: &str) -> Result<Assignee, String> {
    match s.split_once(':') {
        Some(("user", name)) if !name.trim().is_empty() => Ok(Assignee::User(name.trim().into())),
        Some(("team", name)) if !name.trim().is_empty() => Ok(Assignee::Team(name.trim().into())),
        _ => Err(format!("`{s}`: write user:USERNAME or team:TEAM")),
    }
}

fn template(s: &str) -> Result<TeamTemplate, String> {
    TeamTemplate::parse(s).ok_or_else(|| format!("`{s}`: templates are ward and hospital"))
}

#[derive(Subcommand)]
pub enum PolicyAction {
    /// Every policy and every assignment.
    List {
        /// The server's objects as JSON, for scripts.
        #[arg(long)]
        json: bool,
    },
    /// One policy's settings.
    Show {
        /// The policy's name (`policy list` names them; Global applies to everyone else).
        name: String,
        /// The server's objects as JSON, for scripts.
        #[arg(long)]
        json: bool,
    },
    /// A new policy: Global's settings with these changes (key=value).
    Create { name: String, settings: Vec<String> },
    /// Change settings: read_receipts=user_controlled|on|off, allow_urgent=true|false,
    /// allow_important=…, renotify_interval=2m, renotify_window=20m,
    /// renotify_until=read|ack, escalation_target=user:NAME|team:NAME|role:NAME|none,
    /// lock_idle=2m|none.
    Set { name: String, settings: Vec<String> },
    /// Assign to user:USERNAME or team:TEAM.
    Assign {
        name: String,
        #[arg(value_parser = assignee)]
        to: Assignee,
    },
    /// Remove a user's or team's assignment (Global or the team's applies again).
    Unassign {
        #[arg(value_parser = assignee)]
        from: Assignee,
    },
    /// Assign a preset: clinical_worker, information_worker or patient_room.
    ApplyPackage {
        package: String,
        #[arg(value_parser = assignee)]
        to: Assignee,
    },
}

fn patch_of(settings: &[String]) -> Result<PolicyPatch> {
    let mut patch = PolicyPatch::default();
    for s in settings {
        let (k, v) = s
            .split_once('=')
            .ok_or_else(|| eyre!("`{s}`: write settings as key=value"))?;
        patch.set(k.trim(), v.trim()).map_err(|e| eyre!(e))?;
    }
    Ok(patch)
}

pub fn one_time_password() -> String {
    use argon2::password_hash::rand_core::{OsRng, RngCore};
    let mut bytes = [0u8; 9];
    OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A policy's settings, a row each, under the policy's name.
fn print_policy(p: &MessagingPolicy) {
    let s = &p.settings;
    say!("Policy {}", p.name);
    let json = serde_json::to_value(s).unwrap_or_default();
    let word = |key: &str| json[key].as_str().unwrap_or("?").to_string();
    let mut t = Table::new(&["SETTING", "VALUE"]);
    for (setting, value) in [
        ("read_receipts", word("read_receipts")),
        ("allow_urgent", s.allow_urgent.to_string()),
        ("allow_important", s.allow_important.to_string()),
        (
            "renotify_interval",
            format!("{}s", s.renotify_interval_secs),
        ),
        ("renotify_window", format!("{}s", s.renotify_window_secs)),
        ("renotify_until", word("renotify_until")),
        (
            "escalation_target",
            s.escalation_target
                .as_ref()
                .map_or("none".to_string(), |t| t.to_string()),
        ),
        (
            "lock_idle",
            s.lock_idle_secs
                .map_or("as the workstation's config".to_string(), |t| {
                    format!("{t}s")
                }),
        ),
    ] {
        t.row(vec![setting.to_string(), value]);
    }
    t.print();
}

async fn run_on_server(client: &ApiClient, command: AdminCommand) -> Result<()> {
    match command {
        AdminCommand::Unlock { .. } => {
            return Err(eyre!(
                "unlock works at the server's files: wardround admin --database PATH unlock NAME (on a running server, `admin user reset-password NAME` also unlocks)"
            ))
        }
        AdminCommand::ResetPassword { username } => {
            let password = one_time_password();
            client.admin_reset_password(&username, &password).await?;
            say!("{username}: sessions ended; one-time password: {password}");
        }
        AdminCommand::User { action } => match action {
            UserAction::Add {
                username,
                name,
                role,
                admin,
            } => {
                let password = one_time_password();
                let user = client
                    .admin_add_user(&NewAccount {
                        username: &username,
                        display_name: &name,
                        role: &role,
                        password: &password,
                        admin,
                        one_time: true,
                    })
                    .await?;
                say!("created {} ({})", user.username, user.display_name);
                say!("one-time password: {password}");
            }
            UserAction::List { json } => {
                let users = client.admin_users().await?;
                if json {
                    return print_json(&users);
                }
                let mut t = Table::new(&["USERNAME", "NAME", "ROLE", "STATE", "TEAMS"]);
                for a in users {
                    let state = if a.disabled { "disabled" } else { "active" };
                    let admin = if a.user.admin { ", admin" } else { "" };
                    t.row(vec![
                        a.user.username,
                        a.user.display_name,
                        a.user.role,
                        format!("{state}{admin}"),
                        a.teams.join(", "),
                    ]);
                }
                t.print();
            }
            UserAction::Disable { username, enable } => {
                client.admin_set_disabled(&username, !enable).await?;
                say!(
                    "{username} {}",
                    if enable {
                        "enabled"
                    } else {
                        "disabled; their sessions ended"
                    }
                );
            }
            UserAction::ResetPassword { username } => {
                let password = one_time_password();
                client.admin_reset_password(&username, &password).await?;
                say!("{username}: sessions ended; one-time password: {password}");
            }
        },
        AdminCommand::Role { action } => super::roles::run(client, action).await?,
        AdminCommand::Team { action } => match action {
            TeamAction::Create { name, template } => {
                let team = client.admin_create_team(&name, template).await?;
                match template {
                    None => say!("created team {} with its channel", team.name),
                    Some(t) => say!(
                        "created team {} with its channel and {}{}",
                        team.name,
                        t.channels().join(", "),
                        if t == TeamTemplate::Ward {
                            ", and a rounding list"
                        } else {
                            ""
                        }
                    ),
                }
            }
            TeamAction::AddMember { team, username } => {
                client.admin_team_member(&team, &username, true).await?;
                say!("{username} joined {team}");
            }
            TeamAction::RemoveMember { team, username } => {
                client.admin_team_member(&team, &username, false).await?;
                say!("{username} left {team}");
            }
            TeamAction::List { json } => {
                let teams = client.admin_teams().await?;
                if json {
                    return print_json(&teams);
                }
                let mut t = Table::new(&["TEAM", "MEMBERS"]);
                for team in teams {
                    t.row(vec![team.team.name, team.members.join(", ")]);
                }
                t.print();
            }
        },
        AdminCommand::Audit { action } => match action {
            AuditAction::Query {
                by,
                patient,
                since,
                json,
            } => {
                let query = AuditQuery {
                    actor: by.as_deref(),
                    patient: patient.as_deref(),
                    since,
                };
                let rows = client.admin_audit(&query).await?;
                if json {
                    return print_json(&rows);
                }
                // The detail last: it is the long one.
                let mut t = Table::new(&[
                    "SEQ",
                    "AT",
                    "ACTOR",
                    "ACTION",
                    "PATIENT",
                    "WORKSTATION",
                    "DETAIL",
                ]);
                for e in rows {
                    t.row(vec![
                        e.seq.to_string(),
                        e.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                        e.actor,
                        e.action.as_str().to_string(),
                        e.patient.unwrap_or_default(),
                        e.workstation,
                        e.detail,
                    ]);
                }
                t.print();
            }
            AuditAction::Verify => {
                let verdict = client.admin_audit_verify().await?;
                match verdict.broken_at {
                    None => say!("audit log intact: {} rows", verdict.rows),
                    Some(seq) => {
                        let why = verdict.problem.unwrap_or_else(|| {
                            "it was changed, or a row before it was removed".into()
                        });
                        return Err(eyre!("audit log broken at row {seq}: {why}"));
                    }
                }
            }
            AuditAction::Export { patient, since } => {
                let query = AuditQuery {
                    actor: None,
                    patient: patient.as_deref(),
                    since,
                };
                print!("{}", client.admin_audit_fhir(&query).await?);
            }
        },
        AdminCommand::Policy { action } => match action {
            PolicyAction::List { json } => {
                let all = client.admin_policies().await?;
                if json {
                    return print_json(&all);
                }
                let mut t = Table::new(&["POLICY", "ASSIGNED TO"]);
                for p in &all.policies {
                    let assigned: Vec<String> = all
                        .assignments
                        .iter()
                        .filter(|a| a.policy == p.name)
                        .map(|a| match &a.assignee {
                            Assignee::User(u) => format!("user {u}"),
                            Assignee::Team(t) => format!("team {t}"),
                        })
                        .collect();
                    t.row(vec![p.name.clone(), assigned.join(", ")]);
                }
                t.print();
            }
            PolicyAction::Show { name, json } => {
                let policy = client.admin_policy(&name).await?;
                if json {
                    return print_json(&policy);
                }
                print_policy(&policy);
            }
            PolicyAction::Create { name, settings } => print_policy(
                &client
                    .admin_create_policy(&name, &patch_of(&settings)?)
                    .await?,
            ),
            PolicyAction::Set { name, settings } => {
                if settings.is_empty() {
                    return Err(eyre!("say what to set, as key=value"));
                }
                print_policy(
                    &client
                        .admin_set_policy(&name, &patch_of(&settings)?)
                        .await?,
                )
            }
            PolicyAction::Assign { name, to } => {
                client.admin_assign(Some(&name), &to).await?;
                say!("assigned {name}");
            }
            PolicyAction::Unassign { from } => {
                client.admin_assign(None, &from).await?;
                say!("unassigned");
            }
            PolicyAction::ApplyPackage { package, to } => {
                let p = client.admin_apply_package(&package, &to).await?;
                say!("assigned {}", p.name);
            }
        },
    }
    Ok(())
}
