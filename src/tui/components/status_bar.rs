//! The bottom line: connection, who is logged in, which server, and the focused pane's keys.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use crate::tui::app::{App, Confirm, Connection};
use crate::tui::keymap::{Command, Scope};
use crate::tui::theme::{Role, Theme};

pub fn render(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let base = theme.style(Role::Status);
    let (conn, role) = match &app.connection {
        Connection::Connecting => ("◌ connecting".to_string(), Role::Down),
        Connection::Live => ("● live".to_string(), Role::Live),
        Connection::Reconnecting { .. } => (
            match app.retry_in_secs() {
                Some(secs) if secs > 0 => format!("↻ offline · retry in {secs}s"),
                _ => "↻ offline · retrying…".to_string(),
            },
            Role::Down,
        ),
        Connection::SessionEnded => ("✕ logged out".to_string(), Role::Down),
    };
    let mut spans = vec![
        Span::styled(format!(" {conn} "), theme.style(role)),
        Span::styled(format!("│ {} ", app.me.label()), base),
    ];
    if app.presence.state != crate::model::PresenceState::Available
        && app.presence.until.is_none_or(|t| t > app.now)
    {
        let text = match app.presence.until {
            Some(t) => format!(
                "{} until {}",
                app.presence.state.label(),
                t.with_timezone(&app.utc_offset).format("%H:%M")
            ),
            None => app.presence.state.label().to_string(),
        };
        spans.push(Span::styled(
            format!("│ {text} "),
            theme.style(Role::Important),
        ));
    }
    if let Some(p) = &app.presentation {
        let me = app.me.id;
        let text = if p.presenter.id == me && p.controller.id == me {
            format!("⇄ presenting to {} ", p.followers.len())
        } else if p.controller.id == me {
            "⇄ you drive ".to_string()
        } else {
            format!("⇄ following {} ", p.controller.display_name)
        };
        spans.push(Span::styled(format!("│ {text}"), theme.style(Role::Header)));
    }
    if let Some(confirm) = &app.confirm {
        let question = match confirm {
            Confirm::RemovePatient { label, .. } => format!("Remove {label} from this list?"),
            Confirm::Quit {
                unsent,
                urgent,
                draft,
            } => {
                let mut why = Vec::new();
                match unsent {
                    0 => {}
                    1 => why.push("1 message is still sending and would be lost".to_string()),
                    n => why.push(format!("{n} messages are still sending and would be lost")),
                }
                match urgent {
                    0 => {}
                    1 => why.push("an urgent message waits unread".to_string()),
                    n => why.push(format!("{n} urgent messages wait unread")),
                }
                if *draft {
                    why.push("a draft is typed".to_string());
                }
                format!("{}. Quit anyway?", capitalised(&why.join("; ")))
            }
            Confirm::DeleteList { name, .. } => {
                format!("Delete the list {name} for the whole team?")
            }
        };
        spans.push(Span::styled(
            format!("│ {question} y to confirm, any other key keeps it "),
            theme.style(Role::Warning),
        ));
    } else if let Some(notice) = &app.notice {
        spans.push(Span::styled(
            format!("│ {notice} "),
            theme.style(Role::Warning),
        ));
    } else {
        let used: usize = spans.iter().map(Span::width).sum();
        let room = usize::from(area.width).saturating_sub(used + 3);
        let hints = if app.present && app.scope() == Scope::Patients {
            presenter_hints(app)
        } else {
            app.keymap
                .footer(app.scope(), app.typing(), |c| app.available(c))
        };
        let hints = fitted_hints(hints, room);
        spans.push(Span::styled(format!("│ {hints} "), base));
    }
    // The server last: the first thing to give way on a narrow terminal.
    spans.push(Span::styled(
        format!("│ {}", app.server),
        theme.style(Role::Muted).patch(base),
    ));
    frame.render_widget(Paragraph::new(Line::from(spans)).style(base), area);
}

/// On the big screen, the keys a presenter uses, in the keymap's keys: nothing for the
/// panes left on the nurse's own screen.
fn presenter_hints(app: &App) -> Vec<(String, &'static str)> {
    use Command::*;
    // The way back first after moving: it must survive a narrow footer.
    [
        (RowDown, "patient"),
        (TogglePresent, "leave"),
        (SortByColumn, "sort"),
        (FetchLatest, "fetch"),
        (OpenListSwitcher, "lists"),
        (OpenCommandLine, "cmd"),
        (ToggleHelp, "help"),
        (Quit, "quit"),
    ]
    .into_iter()
    .filter_map(|(command, word)| {
        let binding = app.keymap.bindings.iter().find(|b| b.command == command)?;
        Some((binding.keys.first()?.label(), word))
    })
    .collect()
}

/// The pane's key hints in `room` columns: help and quit always (they end the line), the
/// others in the keymap's order for as long as they fit whole; none is cut mid-word.
fn fitted_hints(hints: Vec<(String, &'static str)>, room: usize) -> String {
    // The big screen's way back is kept like help and quit.
    let always = |h: &str| matches!(h, "help" | "quit" | "leave");
    let text = |(k, h): &(String, &str)| format!("{k} {h}");
    let kept: Vec<String> = hints.iter().filter(|x| always(x.1)).map(text).collect();
    let mut width: usize = kept.iter().map(|t| t.chars().count() + 2).sum();
    let mut shown = Vec::new();
    for hint in hints.iter().filter(|x| !always(x.1)) {
        let t = text(hint);
        let w = t.chars().count() + 2;
        if width + w > room {
            break;
        }
        width += w;
        shown.push(t);
    }
    shown.extend(kept);
    shown.join("  ")
}

fn capitalised(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
