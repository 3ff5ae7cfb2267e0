//! `wardround doctor`: IT's first look at a broken workstation, every check with its fix.

use color_eyre::eyre::{eyre, Result};

use wardround::config::{self, Config};

use super::login::{client_for, stdin_line};

pub async fn run(
    loaded: std::result::Result<Config, config::ConfigError>,
    password_stdin: bool,
    json: bool,
) -> Result<()> {
    use wardround::doctor::{self, Check, Status};
    let mut checks = Vec::new();
    let config = match loaded {
        Ok(c) => {
            let path = config::default_config_path()
                .filter(|p| p.exists())
                .map_or("none (defaults)".to_string(), |p| p.display().to_string());
            checks.push(Check {
                check: "config",
                status: Status::Pass,
                detail: path,
                fix: String::new(),
            });
            c
        }
        Err(e) => {
            checks.push(Check {
                check: "config",
                status: Status::Fail,
                detail: e.to_string(),
                fix: "Correct the file at the line and key named (config.example.toml has every option).".into(),
            });
            doctor::print(&checks, json);
            return Err(eyre!("the config cannot be read"));
        }
    };
    let env = |k: &str| std::env::var(k).ok();
    // Without a terminal (a pipe, cron, CI) crossterm answers 80×24 from nowhere: say
    // there is none rather than pass a size no one has.
    let size = std::io::IsTerminal::is_terminal(&std::io::stdout())
        .then(|| crossterm::terminal::size().ok())
        .flatten();
    checks.extend(doctor::terminal(&env, size));
    let password = if password_stdin {
        Some(stdin_line()?)
    } else {
        None
    };
    match client_for(&config) {
        Ok(client) => checks.extend(doctor::server(&config, client, password).await),
        Err(e) => checks.push(Check {
            check: "server",
            status: Status::Fail,
            detail: e.to_string(),
            fix: "Check [server] url and ca_file.".into(),
        }),
    }
    if doctor::print(&checks, json) {
        Ok(())
    } else {
        Err(eyre!("some checks failed"))
    }
}
