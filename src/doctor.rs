//! `wardround doctor`: IT's triage of a workstation. Each check passes, warns or fails,
//! with a one-line fix; any failure makes the exit status non-zero.

use std::time::{Duration, Instant};

use serde::Serialize;

use crate::client::{spawn_event_stream, ApiClient, StreamUpdate};
use crate::config::Config;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Warn,
    Fail,
    /// Not run: an earlier check it needs failed.
    Skipped,
}

#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub check: &'static str,
    pub status: Status,
    pub detail: String,
    /// What to do about a warning or failure.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub fix: String,
}

fn pass(check: &'static str, detail: impl Into<String>) -> Check {
    Check {
        check,
        status: Status::Pass,
        detail: detail.into(),
        fix: String::new(),
    }
}

fn warn(check: &'static str, detail: impl Into<String>, fix: impl Into<String>) -> Check {
    Check {
        check,
        status: Status::Warn,
        detail: detail.into(),
        fix: fix.into(),
    }
}

fn fail(check: &'static str, detail: impl Into<String>, fix: impl Into<String>) -> Check {
    Check {
        check,
        status: Status::Fail,
        detail: detail.into(),
        fix: fix.into(),
    }
}

/// The terminal this runs in: size, colours, Unicode, TERM, and tmux passthrough for
/// desktop notifications. `env` and `size` are passed in so that tests can vary them.
pub fn terminal(env: &dyn Fn(&str) -> Option<String>, size: Option<(u16, u16)>) -> Vec<Check> {
    let mut out = Vec::new();
    out.push(match size {
        Some((w, h)) if w >= 80 && h >= 24 => pass("terminal size", format!("{w}×{h}")),
        Some((w, h)) if w >= 40 && h >= 10 => warn(
            "terminal size",
            format!("{w}×{h}: columns give way below 80×24"),
            "Enlarge the window or use a smaller font.",
        ),
        Some((w, h)) => fail(
            "terminal size",
            format!("{w}×{h}: below the 40×10 the app needs"),
            "Enlarge the window.",
        ),
        None => warn(
            "terminal size",
            "not a terminal (output is redirected)",
            "Run doctor in the terminal the app will use.",
        ),
    });
    let term = env("TERM").unwrap_or_default();
    out.push(match term.as_str() {
        "" => fail(
            "TERM",
            "not set",
            "Set TERM (e.g. xterm-256color) in the shell profile.",
        ),
        "dumb" => fail(
            "TERM",
            "dumb: no cursor movement",
            "Set TERM=xterm-256color.",
        ),
        t => pass("TERM", t),
    });
    let colorterm = env("COLORTERM").unwrap_or_default();
    out.push(if env("NO_COLOR").is_some_and(|v| !v.is_empty()) {
        warn(
            "colours",
            "NO_COLOR is set: no colour, no pulse (urgency still shows in words)",
            "Unset NO_COLOR if colour is wanted.",
        )
    } else if colorterm.contains("truecolor") || colorterm.contains("24bit") {
        pass("colours", "24-bit")
    } else if term.contains("256color") {
        pass("colours", "256")
    } else {
        warn(
            "colours",
            format!("TERM={term} may have only 8 colours"),
            "Use a 256-colour TERM (xterm-256color) if the terminal supports it.",
        )
    });
    let locale = ["LC_ALL", "LC_CTYPE", "LANG"]
        .iter()
        .find_map(|v| env(v).filter(|s| !s.is_empty()))
        .unwrap_or_default();
    out.push(
        if locale
            .to_ascii_uppercase()
            .replace('-', "")
            .contains("UTF8")
        {
            pass("unicode", locale)
        } else {
            warn(
                "unicode",
                format!("locale `{locale}` is not UTF-8: ‼, ✓ and borders may show as junk"),
                "Set LANG=en_GB.UTF-8 (or another UTF-8 locale).",
            )
        },
    );
    if env("TMUX").is_some() {
        out.push(warn(
            "tmux",
            "inside tmux: desktop notifications pass through only if tmux allows it",
            "Add `set -g allow-passthrough on` to ~/.tmux.conf.",
        ));
    }
    out
}

/// The server, as this workstation reaches it: address, TLS, version, clock, login, the
/// event stream, and the EHR as the server sees it.
/// The server's checks, in the order they run: one that cannot run because an earlier
/// one failed is listed as skipped, so that a report always has the same lines.
const SERVER_CHECKS: [&str; 8] = [
    "dns",
    "tcp",
    "tls",
    "version",
    "clock skew",
    "ehr",
    "login",
    "event stream",
];

pub async fn server(config: &Config, client: ApiClient, password: Option<String>) -> Vec<Check> {
    let mut out = server_checks(config, client, password).await;
    let stopped_at = out
        .iter()
        .rev()
        .find(|c| c.status != Status::Pass)
        .map(|c| c.check)
        .unwrap_or("an earlier check");
    for check in SERVER_CHECKS {
        if !out.iter().any(|c| c.check == check) {
            out.push(Check {
                check,
                status: Status::Skipped,
                detail: format!("not checked: needs {stopped_at}"),
                fix: String::new(),
            });
        }
    }
    out
}

async fn server_checks(config: &Config, client: ApiClient, password: Option<String>) -> Vec<Check> {
    let mut out = Vec::new();
    let url = &config.server.url;
    let Some(host_port) = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .map(|rest| rest.split('/').next().unwrap_or(rest).to_string())
    else {
        out.push(fail(
            "server address",
            format!("`{url}` is not an http(s) URL"),
            "Set [server] url, e.g. https://wardround.hospital.local:8470.",
        ));
        return out;
    };
    let with_port = if host_port.contains(':') {
        host_port.clone()
    } else if url.starts_with("https://") {
        format!("{host_port}:443")
    } else {
        format!("{host_port}:80")
    };
    match tokio::time::timeout(Duration::from_secs(5), tokio::net::lookup_host(&with_port)).await {
        Ok(Ok(mut addrs)) => match addrs.next() {
            Some(addr) => {
                out.push(pass("dns", format!("{host_port} → {}", addr.ip())));
                let started = Instant::now();
                match tokio::time::timeout(
                    Duration::from_secs(5),
                    tokio::net::TcpStream::connect(addr),
                )
                .await
                {
                    Ok(Ok(_)) => out.push(pass(
                        "tcp",
                        format!("connected in {} ms", started.elapsed().as_millis()),
                    )),
                    Ok(Err(e)) => {
                        out.push(fail(
                            "tcp",
                            format!("{addr}: {e}"),
                            "Is the server running? Is a firewall in the way?",
                        ));
                        return out;
                    }
                    Err(_) => {
                        out.push(fail(
                            "tcp",
                            format!("{addr}: no answer in 5 s"),
                            "A firewall is probably dropping the connection.",
                        ));
                        return out;
                    }
                }
            }
            None => {
                out.push(fail(
                    "dns",
                    format!("{host_port}: no address"),
                    "Check the server name.",
                ));
                return out;
            }
        },
        _ => {
            out.push(fail(
                "dns",
                format!("{host_port} does not resolve"),
                "Check the server name in [server] url and this machine's DNS.",
            ));
            return out;
        }
    }
    match client.version().await {
        Ok((version, date)) => {
            out.push(if url.starts_with("https://") {
                pass("tls", "certificate verified")
            } else {
                warn(
                    "tls",
                    "plain HTTP: passwords and messages cross the network readable",
                    "Serve with --tls-cert/--tls-key and use an https:// url.",
                )
            });
            let mine = env!("CARGO_PKG_VERSION");
            let major_minor = |v: &str| v.split('.').take(2).collect::<Vec<_>>().join(".");
            out.push(if major_minor(&version) == major_minor(mine) {
                pass("version", format!("server {version}, client {mine}"))
            } else {
                warn(
                    "version",
                    format!("server {version}, client {mine}"),
                    "Install the same wardround version as the server.",
                )
            });
            out.push(match date {
                Some(server_time) => {
                    let skew = (chrono::Utc::now() - server_time).num_seconds();
                    if skew.abs() <= 5 {
                        pass("clock skew", format!("{skew:+} s"))
                    } else {
                        warn(
                            "clock skew",
                            format!("{skew:+} s from the server: message ages will be off"),
                            "Enable NTP on this workstation (timedatectl set-ntp true).",
                        )
                    }
                }
                None => warn("clock skew", "the server sent no Date", ""),
            });
        }
        Err(e) => {
            let certificate = e.to_string().contains("certificate");
            out.push(fail(
                if certificate { "tls" } else { "server" },
                e.to_string(),
                if certificate {
                    "Set [server] ca_file to the hospital CA's certificate."
                } else {
                    "Is this the wardround server's address?"
                },
            ));
            return out;
        }
    }
    match client.readiness().await {
        Ok(ready) => out.push(pass(
            "ehr",
            format!(
                "as the server sees it: {}",
                ready["ehr"].as_str().unwrap_or("ready")
            ),
        )),
        Err(e) => out.push(fail(
            "ehr",
            e.to_string(),
            "The server's log and /readyz say more; check [ehr] on the server.",
        )),
    }
    let (Some(password), false) = (password, config.server.username.is_empty()) else {
        out.push(warn(
            "login",
            "skipped: give --user and --password-stdin to check it",
            "",
        ));
        return out;
    };
    let logged_in = match client.login(&config.server.username, &password).await {
        Ok((c, _)) => {
            out.push(pass("login", format!("as {}", config.server.username)));
            c
        }
        Err(e) => {
            out.push(fail(
                "login",
                e.to_string(),
                "Check the username and password with IT.",
            ));
            return out;
        }
    };
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let started = Instant::now();
    let cursor = logged_in.me().await.map(|m| m.cursor).unwrap_or(0);
    let stream = spawn_event_stream(logged_in.clone(), cursor, tx);
    let connected = tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(u) = rx.recv().await {
            if matches!(u, StreamUpdate::Connected) {
                return true;
            }
        }
        false
    })
    .await;
    stream.abort();
    out.push(match connected {
        Ok(true) => pass(
            "event stream",
            format!("open in {} ms", started.elapsed().as_millis()),
        ),
        _ => fail(
            "event stream",
            "did not open within 10 s",
            "A proxy may be buffering server-sent events; exempt /api/v1/events.",
        ),
    });
    let _ = logged_in.logout().await;
    out
}

/// Prints the checks as lines (or JSON); true when none failed.
pub fn print(checks: &[Check], json: bool) -> bool {
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(checks).unwrap_or_else(|_| "[]".into())
        );
    } else {
        for c in checks {
            let mark = match c.status {
                Status::Pass => "PASS",
                Status::Skipped => "SKIPPED",
                Status::Warn => "WARN",
                Status::Fail => "FAIL",
            };
            if c.fix.is_empty() {
                println!("{mark}  {:<14} {}", c.check, c.detail);
            } else {
                println!("{mark}  {:<14} {} — {}", c.check, c.detail, c.fix);
            }
        }
    }
    !checks.iter().any(|c| c.status == Status::Fail)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |k| {
            pairs
                .iter()
                .find(|(name, _)| *name == k)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn a_good_terminal_passes_and_a_poor_one_says_why() {
        let good = env_of(&[("TERM", "xterm-256color"), ("LANG", "en_GB.UTF-8")]);
        let checks = terminal(&good, Some((120, 40)));
        assert!(
            checks.iter().all(|c| c.status == Status::Pass),
            "{checks:?}"
        );

        let poor = env_of(&[("TERM", "dumb"), ("LANG", "C"), ("TMUX", "/tmp/x")]);
        let checks = terminal(&poor, Some((30, 8)));
        let status = |name: &str| checks.iter().find(|c| c.check == name).map(|c| c.status);
        assert_eq!(status("terminal size"), Some(Status::Fail));
        assert_eq!(status("TERM"), Some(Status::Fail));
        assert_eq!(status("unicode"), Some(Status::Warn));
        assert_eq!(status("tmux"), Some(Status::Warn));
        assert!(checks
            .iter()
            .all(|c| c.status == Status::Pass || !c.fix.is_empty()));
    }
}
