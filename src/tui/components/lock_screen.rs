//! The lock screen of a shared workstation: who is logged in, the time, and how many
//! urgent messages wait — no patient data. The password opens it; three wrong ones log
//! the session out; F10 switches user.

use crossterm::event::KeyCode;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use ratatui::Frame;

use super::pane_block;
use crate::tui::action::Effect;
use crate::tui::app::{App, LockState, Overlay, MAX_UNLOCK_FAILURES};
use crate::tui::keymap::{Binding, Command, KeyPress, Scope};
use crate::tui::theme::{Role, Theme};

pub fn bindings() -> Vec<Binding> {
    use Command::*;
    let s = Scope::Lock;
    vec![
        Binding::new(s, &[KeyPress::plain(KeyCode::Enter)], Unlock, "Unlock").hint("unlock"),
        Binding::new(
            s,
            &[KeyPress::plain(KeyCode::F(10)), KeyPress::ctrl('x')],
            SwitchUser,
            "Log out and switch user (unsent messages are lost)",
        )
        .hint("switch user"),
    ]
}

/// Locks now (`idle`: by the idle timer). What was open stays underneath, unseen, until
/// the password opens it; help is closed.
pub fn lock(app: &mut App, idle: bool) -> Vec<Effect> {
    if app.locked() {
        return Vec::new();
    }
    let beneath = match std::mem::take(&mut app.overlay) {
        Overlay::Help { .. } => Overlay::None,
        open => open,
    };
    app.overlay = Overlay::Lock {
        lock: LockState::default(),
        beneath: Box::new(beneath),
    };
    vec![Effect::ReportLock { idle }]
}

fn lock_state(app: &mut App) -> Option<&mut LockState> {
    match &mut app.overlay {
        Overlay::Lock { lock, .. } => Some(lock),
        _ => None,
    }
}

pub fn type_char(app: &mut App, c: char) {
    if let Some(lock) = lock_state(app) {
        // Long enough for any passphrase; a key held down is not one.
        lock.password.insert(c, 256);
    }
}

pub fn handle(app: &mut App, command: Command) -> Vec<Effect> {
    let unsent = app.unsent();
    let Some(lock) = lock_state(app) else {
        return Vec::new();
    };
    match command {
        Command::Edit(edit) => {
            lock.password.edit_secret(edit);
        }
        Command::Unlock if !lock.checking && !lock.password.is_empty() => {
            lock.checking = true;
            lock.error = None;
            return vec![Effect::Unlock(lock.password.take())];
        }
        Command::SwitchUser => {
            if unsent > 0 && !lock.switch_warned {
                // As quitting asks: the second F10 loses them.
                lock.switch_warned = true;
                lock.error = Some(match unsent {
                    1 => "1 unsent message would be lost: F10 again".into(),
                    n => format!("{n} unsent messages would be lost: F10 again"),
                });
            } else {
                switch_user(app);
            }
        }
        _ => {}
    }
    Vec::new()
}

/// What the server said of the password.
pub fn unlocked(app: &mut App, result: Result<(), crate::client::ClientError>) {
    use crate::client::ClientError;
    let now = app.now;
    let Some(lock) = lock_state(app) else {
        return;
    };
    lock.checking = false;
    match result {
        Ok(()) => {
            if let Overlay::Lock { beneath, .. } = std::mem::take(&mut app.overlay) {
                app.overlay = *beneath;
            }
            app.last_input = now;
        }
        Err(ClientError::Rejected { status: 401, .. }) => {
            lock.failures += 1;
            if lock.failures >= MAX_UNLOCK_FAILURES {
                switch_user(app);
            } else {
                let left = MAX_UNLOCK_FAILURES - lock.failures;
                lock.error = Some(format!(
                    "Wrong password; {left} more and this session is logged out."
                ));
            }
        }
        // Locked by the server after repeated failures: nothing to wait for here.
        Err(ClientError::Rejected { status: 403, .. }) => switch_user(app),
        Err(e) => lock.error = Some(e.to_string()),
    }
}

/// Ends the session: every bit of this user's state goes, and the app leaves for the
/// login of whoever is next.
pub fn switch_user(app: &mut App) {
    app.forget_everything();
    app.switch_user = true;
    app.quit = true;
}

pub fn render(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    frame.render_widget(Clear, area);
    let Overlay::Lock { lock, .. } = &app.overlay else {
        return;
    };
    let waiting = app.urgent_waiting().len();
    let alert = match waiting {
        0 => "No urgent messages waiting".to_string(),
        1 => "‼ 1 urgent message waiting".to_string(),
        n => format!("‼ {n} urgent messages waiting"),
    };
    let alert_role = match (waiting, app.reduced_motion, app.pulse_on) {
        (0, _, _) => Role::AlertIdle,
        (_, true, _) => Role::AlertSteady,
        (_, false, true) => Role::AlertPulseA,
        (_, false, false) => Role::AlertPulseB,
    };
    let [bar, rest] = Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(area);
    frame.render_widget(
        Paragraph::new(format!(" {alert}")).style(theme.style(alert_role)),
        bar,
    );
    let time = app
        .now
        .with_timezone(&app.utc_offset)
        .format("%H:%M")
        .to_string();
    let masked = lock.password.masked().with_bar(33);
    let status = if lock.checking {
        Line::from(Span::styled("Checking…", theme.style(Role::Muted)))
    } else if let Some(e) = &lock.error {
        Line::from(Span::styled(e.clone(), theme.style(Role::Warning)))
    } else {
        Line::from("")
    };
    let mut lines = vec![
        Line::from(Span::styled(time, theme.style(Role::Header))),
        Line::from(""),
        Line::from(Span::styled(app.me.label(), theme.style(Role::Text))),
        Line::from(Span::styled(
            format!("Locked · {}", app.team_label),
            theme.style(Role::Muted),
        )),
        Line::from(""),
        Line::from(vec![
            Span::styled("Password: ", theme.style(Role::Text)),
            Span::styled(masked, theme.style(Role::Unread)),
        ]),
        status,
        Line::from(""),
        Line::from(Span::styled(
            app.keymap
                .footer(Scope::Lock, true, |_| true)
                .into_iter()
                .map(|(k, h)| format!("{k} {h}"))
                .collect::<Vec<_>>()
                .join(" · "),
            theme.style(Role::Muted),
        )),
    ];
    if let Some(password) = &app.demo_password {
        // Above the keys: a locked demo is not a dead end.
        let at = lines.len() - 1;
        lines.insert(
            at,
            Line::from(Span::styled(password.clone(), theme.style(Role::Text))),
        );
        lines.insert(
            at,
            Line::from(Span::styled(
                "This is the demo. Its password:",
                theme.style(Role::Muted),
            )),
        );
    }
    let [column] = Layout::horizontal([Constraint::Length(56)])
        .flex(Flex::Center)
        .areas(rest);
    let [card] = Layout::vertical([Constraint::Length(lines.len() as u16 + 2)])
        .flex(Flex::Center)
        .areas(column);
    frame.render_widget(
        Paragraph::new(lines)
            .centered()
            .block(pane_block(" wardround ".into(), true, theme)),
        card,
    );
}
