//! Logging in from the command line: the password prompt (never echoed), `--password-stdin`
//! for scripts, and choosing one's own password when the one given was one-time.

use std::io::Write;

use color_eyre::eyre::{eyre, Result, WrapErr};

use wardround::client::ApiClient;
use wardround::config::Config;

/// A client for the configured server, trusting the configured CA as well.
pub fn client_for(config: &Config) -> Result<ApiClient> {
    if config.server.ca_file.is_empty() {
        return Ok(ApiClient::new(&config.server.url)?);
    }
    let pem = std::fs::read(&config.server.ca_file)
        .wrap_err_with(|| format!("cannot read [server] ca_file `{}`", config.server.ca_file))?;
    Ok(ApiClient::with_ca(&config.server.url, Some(&pem))?)
}

/// Asks for the password (and the username if the config has none) and logs in; a
/// one-time password is replaced, there and then, by one the user chooses.
pub async fn log_in(config: &Config, password_stdin: bool) -> Result<ApiClient> {
    let (client, resp, password) = log_in_first(config, password_stdin).await?;
    if !resp.must_change_password {
        return Ok(client);
    }
    eprintln!(
        "wardround: {} logged in with a one-time password: choose your own now.",
        resp.user.username
    );
    set_own_password(&client, &resp.user.username, &password, password_stdin).await
}

/// Logs in as asked: the client, what the server said, and the password given.
pub async fn log_in_first(
    config: &Config,
    password_stdin: bool,
) -> Result<(ApiClient, wardround::model::LoginResponse, String)> {
    let anon = client_for(config)?;
    anon.health().await?;
    let username = if config.server.username.is_empty() {
        prompt("Username: ")?
    } else {
        config.server.username.clone()
    };
    let password = if password_stdin {
        stdin_line()?
    } else {
        read_password(&format!(
            "Password for {username} at {}: ",
            config.server.url
        ))?
    };
    let (client, resp) = anon.login(&username, &password).await?;
    Ok((client, resp, password))
}

pub fn stdin_line() -> Result<String> {
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

/// Asks for a new password (twice at a terminal; the next line of standard input with
/// --password-stdin) until the server takes one; the client with the session it gives.
pub async fn set_own_password(
    client: &ApiClient,
    username: &str,
    current: &str,
    password_stdin: bool,
) -> Result<ApiClient> {
    for _ in 0..5 {
        let new = if password_stdin {
            let line = stdin_line()?;
            if line.is_empty() {
                return Err(eyre!(
                    "give the new password on the next line of standard input"
                ));
            }
            line
        } else {
            let new = read_password(&format!(
                "New password for {username} (at least 12 characters; a few words make a good one): "
            ))?;
            if read_password("The new password again: ")? != new {
                eprintln!("wardround: the two differ; once more.");
                continue;
            }
            new
        };
        match client.change_password(current, &new).await {
            Ok(()) => {
                eprintln!("wardround: password changed; your other sessions have ended.");
                return Ok(client.clone());
            }
            Err(wardround::client::ClientError::Rejected {
                status: 422,
                detail,
            }) if !password_stdin => {
                eprintln!("wardround: {detail}");
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(eyre!("no new password was set"))
}

fn prompt(label: &str) -> Result<String> {
    eprint!("{label}");
    std::io::stderr().flush()?;
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    Ok(line.trim().to_string())
}

/// Reads a line without echoing it.
fn read_password(label: &str) -> Result<String> {
    use crossterm::event::{read, Event, KeyCode, KeyEventKind, KeyModifiers};
    use std::io::IsTerminal;
    if !std::io::stdin().is_terminal() {
        return Err(eyre!("the password must be typed at a terminal"));
    }
    eprint!("{label}");
    std::io::stderr().flush()?;
    crossterm::terminal::enable_raw_mode()?;
    let mut password = String::new();
    let outcome = loop {
        match read() {
            Ok(Event::Key(k)) if k.kind != KeyEventKind::Release => match k.code {
                KeyCode::Enter => break Ok(()),
                KeyCode::Char('c') if k.modifiers.contains(KeyModifiers::CONTROL) => {
                    break Err(eyre!("cancelled"))
                }
                KeyCode::Char(c) => password.push(c),
                KeyCode::Backspace => {
                    password.pop();
                }
                KeyCode::Esc => break Err(eyre!("cancelled")),
                _ => {}
            },
            Ok(_) => {}
            Err(e) => break Err(e.into()),
        }
    };
    crossterm::terminal::disable_raw_mode()?;
    eprintln!();
    outcome.map(|_| password)
}
