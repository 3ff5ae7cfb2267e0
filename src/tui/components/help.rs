//! Help: every binding of the live keymap, by where it applies.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};
use ratatui::Frame;

use super::pane_block;
use crate::tui::app::{App, Overlay};
use crate::tui::keymap::{Binding, Command, KeyPress, Scope};
use crate::tui::theme::{Role, Theme};

pub fn bindings() -> Vec<Binding> {
    use crossterm::event::KeyCode;
    vec![
        Binding::new(
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
        .hint("close"),
        Binding::new(
            Scope::Help,
            &[
                KeyPress::plain(KeyCode::Down),
                KeyPress::plain(KeyCode::PageDown),
            ],
            Command::HelpDown,
            "Scroll help down",
        )
        .hint("more"),
        Binding::new(
            Scope::Help,
            &[
                KeyPress::plain(KeyCode::Up),
                KeyPress::plain(KeyCode::PageUp),
            ],
            Command::HelpUp,
            "Scroll help up",
        ),
    ]
}

/// The `:` commands, listed like keys.
fn commands<'a>(theme: &Theme) -> Vec<Line<'a>> {
    let mut lines = vec![Line::from(Span::styled(
        "Commands (type : then the command, Enter)",
        theme.style(Role::Header),
    ))];
    for (command, help) in super::command_line::COMMANDS {
        lines.push(Line::from(vec![
            Span::styled(format!("  :{command:<12} "), theme.style(Role::Important)),
            Span::styled(*help, theme.style(Role::Text)),
        ]));
    }
    lines
}

/// A scope's keys, leaving out any (same keys, same meaning) an earlier section showed.
fn section<'a>(
    app: &App,
    theme: &Theme,
    scope: Scope,
    shown: &mut Vec<(String, &'static str)>,
) -> Vec<Line<'a>> {
    let mut lines = vec![Line::from(Span::styled(
        scope.title(),
        theme.style(Role::Header),
    ))];
    for b in app.keymap.in_scope(scope) {
        let key = (b.keys_label(), b.help);
        if shown.contains(&key) {
            continue;
        }
        shown.push(key);
        // Keys too long for their column (`Ctrl-w/Alt-Backspace`) get a line of their
        // own, what they do beneath, rather than pushing it out of line.
        if b.keys_label().chars().count() > 13 {
            lines.push(Line::styled(
                format!("  {}", b.keys_label()),
                theme.style(Role::Important),
            ));
            lines.push(Line::from(vec![
                Span::raw(format!("  {:<13} ", "")),
                Span::styled(b.help, theme.style(Role::Text)),
            ]));
            continue;
        }
        lines.push(Line::from(vec![
            Span::styled(
                format!("  {:<13} ", b.keys_label()),
                theme.style(Role::Important),
            ),
            Span::styled(b.help, theme.style(Role::Text)),
        ]));
    }
    lines
}

pub fn render(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let sections: Vec<Vec<Line>> = [
        Scope::Global,
        Scope::Patients,
        Scope::Conversations,
        Scope::Chat,
        Scope::Filter,
        Scope::Search,
        Scope::WardSearch,
        Scope::NewChat,
        Scope::Members,
        Scope::Lists,
        Scope::JobForm,
        Scope::Jobs,
        Scope::JobAsk,
        Scope::Handover,
        Scope::Picker,
        Scope::Prompt,
        Scope::CommandLine,
        Scope::Text,
        Scope::Diag,
        // The lock screen shows its own keys; help cannot open over it.
        Scope::Help,
    ]
    .into_iter()
    .scan(Vec::new(), |shown, s| Some(section(app, theme, s, shown)))
    .chain(std::iter::once(commands(theme)))
    .collect();
    // Split where the two columns come out most even.
    let total: usize = sections.iter().map(Vec::len).sum();
    let split = (0..=sections.len())
        .min_by_key(|&i| {
            let left: usize = sections[..i].iter().map(Vec::len).sum();
            left.max(total - left)
        })
        .unwrap_or(sections.len());
    let right: Vec<Line> = sections[split..].iter().flatten().cloned().collect();
    let left: Vec<Line> = sections[..split].iter().flatten().cloned().collect();
    // Two columns where the screen is wide enough, so the whole keymap fits at 120×40.
    let two = area.width >= 110;
    // Lines too long for their column wrap: count the rows they take, so that scrolling
    // reaches the last of them.
    let width: u16 = if two { 120 } else { 80 };
    let inner_width = width.min(area.width).saturating_sub(2);
    let rows = |lines: &[Line], w: u16| -> u16 {
        let n = Paragraph::new(lines.to_vec())
            .wrap(Wrap { trim: false })
            .line_count(w);
        u16::try_from(n).unwrap_or(u16::MAX)
    };
    let height = if two {
        let [l, r] = columns(Rect::new(0, 0, inner_width, 1));
        rows(&left, l.width).max(rows(&right, r.width))
    } else {
        let all: Vec<Line> = left.iter().chain(&right).cloned().collect();
        rows(&all, inner_width)
    }
    .saturating_add(2);
    let popup = super::centered(area, width, height);
    frame.render_widget(Clear, popup);
    // Scrolling stops where the last line shows.
    let overflow = height.saturating_sub(popup.height);
    let scrolled = match app.overlay {
        Overlay::Help { scroll } => scroll,
        _ => 0,
    };
    let scroll = scrolled.min(overflow);
    let title = if overflow > 0 {
        " Keys · ↓↑ scroll · Esc closes "
    } else {
        " Keys · Esc closes "
    };
    let block = pane_block(title.into(), true, theme);
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    if two {
        let [l, r] = columns(inner);
        let page = |lines| {
            Paragraph::new(lines)
                .wrap(Wrap { trim: false })
                .scroll((scroll, 0))
        };
        frame.render_widget(page(left), l);
        frame.render_widget(page(right), r);
    } else {
        let all: Vec<Line> = left.into_iter().chain(right).collect();
        frame.render_widget(
            Paragraph::new(all)
                .wrap(Wrap { trim: false })
                .scroll((scroll, 0)),
            inner,
        );
    }
}

/// Help's two columns: the wider keys on the left.
fn columns(area: Rect) -> [Rect; 2] {
    Layout::horizontal([Constraint::Percentage(60), Constraint::Percentage(40)]).areas(area)
}
