//! The one-line alert bar: always there; pulses while an urgent message waits unread.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::ago;
use crate::model::ConversationKind;
use crate::tui::app::App;
use crate::tui::keymap::{Command, Scope};
use crate::tui::theme::{Role, Theme};

pub fn render(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let waiting = app.urgent_waiting();
    let Some(oldest) = waiting.first() else {
        let line = Line::from(Span::styled(
            " No urgent messages waiting",
            theme.style(Role::AlertIdle),
        ));
        frame.render_widget(
            Paragraph::new(line).style(theme.style(Role::AlertIdle)),
            area,
        );
        return;
    };
    let role = if app.reduced_motion {
        Role::AlertSteady
    } else if app.pulse_on {
        Role::AlertPulseA
    } else {
        Role::AlertPulseB
    };
    let style = theme.style(role);
    let m = oldest.message;
    let place = match oldest.conversation.info.kind {
        ConversationKind::Direct => "1:1".to_string(),
        _ => oldest.conversation.info.title.clone(),
    };
    let jump = app
        .keymap
        .in_scope(Scope::Global)
        .find(|b| b.command == Command::JumpToUrgent)
        .and_then(|b| b.keys.first())
        .map(|k| k.label())
        .unwrap_or_default();
    let more = if waiting.len() > 1 {
        format!("{} waiting", waiting.len())
    } else {
        "1 waiting".into()
    };
    let text = format!(
        " ‼ URGENT  {} · {} · {} · {}   [{}] open ",
        m.sender_name,
        place,
        ago((app.now - m.sent_at).num_seconds()),
        more,
        jump
    );
    frame.render_widget(
        Paragraph::new(Line::from(Span::styled(text, style))).style(style),
        area,
    );
}
