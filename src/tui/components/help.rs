//! Help: every binding of the live keymap, by where it applies.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};
use ratatui::Frame;

use super::pane_block;
use crate::tui::app::App;
use crate::tui::keymap::{Binding, Command, KeyPress, Scope};
use crate::tui::theme::{Role, Theme};

pub fn bindings() -> Vec<Binding> {
    use crossterm::event::KeyCode;
    vec![Binding::new(
        Scope::Help,
        &[
            KeyPress::plain(KeyCode::Esc),
            KeyPress::ch('?'),
            KeyPress::ch('q'),
            KeyPress::plain(KeyCode::F(1)),
        ],
        Command::ToggleHelp,
        "Close help",
    )
    .hint("close")]
}

pub fn render(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let mut lines = Vec::new();
    for scope in [
        Scope::Global,
        Scope::Patients,
        Scope::Conversations,
        Scope::Chat,
        Scope::Help,
    ] {
        lines.push(Line::from(Span::styled(
            scope.title(),
            theme.style(Role::Header),
        )));
        for b in app.keymap.in_scope(scope) {
            lines.push(Line::from(vec![
                Span::styled(
                    format!("  {:<18}", b.keys_label()),
                    theme.style(Role::Important),
                ),
                Span::styled(b.help, theme.style(Role::Text)),
            ]));
        }
        lines.push(Line::default());
    }
    let height = (lines.len() as u16 + 2).min(area.height);
    let width = 72.min(area.width);
    let [popup] = Layout::vertical([Constraint::Length(height)])
        .flex(ratatui::layout::Flex::Center)
        .areas(area);
    let [popup] = Layout::horizontal([Constraint::Length(width)])
        .flex(ratatui::layout::Flex::Center)
        .areas(popup);
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(pane_block(" Keys ".into(), true, theme)),
        popup,
    );
}
