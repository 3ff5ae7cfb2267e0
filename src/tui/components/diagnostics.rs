//! `:diag`: what IT asks first at a ward workstation — is it connected, how slow is the
//! server, do events arrive, which version, can the server reach the EHR. Each figure is
//! measured when the pane opens (and on `r`), never on a timer.

use std::time::Duration;

use chrono::{DateTime, Utc};
use crossterm::event::KeyCode;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use ratatui::Frame;
use uuid::Uuid;

use super::pane_block;
use crate::tui::action::Effect;
use crate::tui::app::{App, Connection, Overlay};
use crate::tui::keymap::{Binding, Command, KeyPress, Scope};
use crate::tui::theme::{Role, Theme};

/// The server as one request found it.
#[derive(Debug, Clone, PartialEq)]
pub struct ServerInfo {
    pub version: String,
    /// Round trip of `GET /api/v1/version`.
    pub latency: Duration,
    /// Server clock minus ours, from the response's Date header (whole seconds).
    pub skew_secs: Option<i64>,
}

/// One measurement's results as they come in.
#[derive(Debug, Clone, PartialEq)]
pub enum DiagReport {
    Server(Uuid, Result<ServerInfo, String>),
    /// `/readyz`: the EHR as the server sees it.
    Ready(Uuid, Result<String, String>),
    PingFailed(Uuid, String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct DiagState {
    /// Names this round of measurements: late answers to an earlier one are dropped.
    pub token: Uuid,
    pub asked_at: DateTime<Utc>,
    pub server: Option<Result<ServerInfo, String>>,
    pub ehr: Option<Result<String, String>>,
    /// From the ping's request to its `pong` on the event stream.
    pub event_lag: Option<Result<Duration, String>>,
}

pub fn bindings() -> Vec<Binding> {
    use Command::*;
    let s = Scope::Diag;
    vec![
        Binding::new(s, &[KeyPress::ch('r')], RefreshDiag, "Measure again").hint("again"),
        Binding::new(
            s,
            &[KeyPress::plain(KeyCode::Esc), KeyPress::ch('q')],
            CloseDiag,
            "Close diagnostics",
        )
        .hint("close"),
    ]
}

pub fn open(app: &mut App) -> Vec<Effect> {
    let token = app.ids.next_id();
    app.overlay = Overlay::Diagnostics(DiagState {
        token,
        asked_at: app.now,
        server: None,
        ehr: None,
        event_lag: None,
    });
    vec![Effect::Diagnose(token)]
}

pub fn handle(app: &mut App, command: Command) -> Vec<Effect> {
    match command {
        Command::RefreshDiag => open(app),
        Command::CloseDiag => {
            app.overlay = Overlay::None;
            Vec::new()
        }
        _ => Vec::new(),
    }
}

pub fn report(app: &mut App, report: DiagReport) {
    let Overlay::Diagnostics(d) = app.overlay.unlocked_mut() else {
        return;
    };
    match report {
        DiagReport::Server(t, r) if t == d.token => d.server = Some(r),
        DiagReport::Ready(t, r) if t == d.token => d.ehr = Some(r),
        DiagReport::PingFailed(t, e) if t == d.token => d.event_lag = Some(Err(e)),
        _ => {}
    }
}

/// Our own ping came back through the event stream.
pub fn pong(app: &mut App, token: Uuid) {
    let now = app.now;
    if let Overlay::Diagnostics(d) = app.overlay.unlocked_mut() {
        if d.token != token {
            return;
        }
        d.event_lag = Some(Ok((now - d.asked_at).to_std().unwrap_or_default()));
    }
}

fn ms(d: Duration) -> String {
    format!("{} ms", d.as_millis())
}

pub fn render(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let Overlay::Diagnostics(d) = &app.overlay else {
        return;
    };
    let waiting = || ("measuring…".to_string(), Role::Muted);
    let (conn, conn_role) = match &app.connection {
        Connection::Connecting => ("connecting".to_string(), Role::Warning),
        Connection::Live => ("live (event stream open)".to_string(), Role::Live),
        Connection::Reconnecting { reason, .. } => (
            format!(
                "offline: {reason}; retry in {} s",
                app.retry_in_secs().unwrap_or(0)
            ),
            Role::Down,
        ),
        Connection::SessionEnded => ("session ended: log in again".to_string(), Role::Down),
    };
    let ours = env!("CARGO_PKG_VERSION");
    let (version, version_role) = match &d.server {
        None => waiting(),
        Some(Ok(s)) if s.version == ours => {
            (format!("{} (same as this client)", s.version), Role::Text)
        }
        Some(Ok(s)) => (
            format!("{} (this client {ours}: update one)", s.version),
            Role::Warning,
        ),
        Some(Err(e)) => (e.clone(), Role::Down),
    };
    let (latency, latency_role) = match &d.server {
        None => waiting(),
        Some(Ok(s)) => (format!("{} (one API request)", ms(s.latency)), Role::Text),
        Some(Err(_)) => ("—".into(), Role::Muted),
    };
    let (skew, skew_role) = match d.server.as_ref().and_then(|s| s.as_ref().ok()) {
        None => waiting(),
        Some(ServerInfo {
            skew_secs: None, ..
        }) => ("unknown (no Date header)".into(), Role::Muted),
        Some(ServerInfo {
            skew_secs: Some(s), ..
        }) if s.abs() > 30 => (
            format!("{s:+} s: set this workstation's clock (NTP)"),
            Role::Warning,
        ),
        Some(ServerInfo {
            skew_secs: Some(s), ..
        }) => (format!("{s:+} s"), Role::Text),
    };
    let (lag, lag_role) = match &d.event_lag {
        None => waiting(),
        Some(Ok(l)) => (format!("{} (ping to its event)", ms(*l)), Role::Text),
        Some(Err(e)) => (e.clone(), Role::Down),
    };
    let (ehr, ehr_role) = match &d.ehr {
        None => waiting(),
        Some(Ok(s)) => (s.clone(), Role::Live),
        Some(Err(e)) => (e.clone(), Role::Down),
    };
    let follow = match &app.presentation {
        None => "—".to_string(),
        Some(p) if p.presenter.id == app.me.id => format!(
            "presenting to {} (driving: {})",
            p.followers.len(),
            p.controller.display_name
        ),
        Some(p) => format!(
            "following {} (driving: {})",
            p.presenter.display_name, p.controller.display_name
        ),
    };
    let rows = [
        ("Connection", conn, conn_role),
        ("Server", app.server.clone(), Role::Text),
        ("Server version", version, version_role),
        ("Latency", latency, latency_role),
        ("Event lag", lag, lag_role),
        ("Clock skew", skew, skew_role),
        ("EHR", ehr, ehr_role),
        ("Follow mode", follow, Role::Text),
    ];
    let lines: Vec<Line> = rows
        .into_iter()
        .map(|(label, value, role)| {
            Line::from(vec![
                Span::styled(format!(" {label:<15}"), theme.style(Role::Header)),
                Span::styled(value, theme.style(role)),
            ])
        })
        .collect();
    let popup = super::centered(area, 90, lines.len() as u16 + 2);
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines).block(pane_block(
            " Diagnostics · r again · Esc closes ".into(),
            true,
            theme,
        )),
        popup,
    );
}
