//! Screen parts. Each declares its key bindings and draws itself from `App`; those with
//! keys also handle the commands their keys resolve to.

pub mod alert_bar;
pub mod big_text;
pub mod chat;
pub mod column_picker;
pub mod command_line;
pub mod conversations;
pub mod detail;
pub mod diagnostics;
pub mod handover;
pub mod help;
pub mod job_form;
pub mod jobs_pane;
pub mod list_switcher;
pub mod lock_screen;
pub mod members;
pub mod new_chat;
pub mod patient_list;
pub mod patient_search;
pub mod prompt;
pub mod search;
pub mod spotlight;
pub mod status_bar;
pub mod text_field;
pub mod ward_search;

use ratatui::widgets::{Block, BorderType, Borders};

use super::theme::{Role, Theme};

/// A pane's frame; the focused pane's border stands out in shape as well as colour.
pub fn pane_block<'a>(title: String, focused: bool, theme: &Theme) -> Block<'a> {
    let (role, kind) = if focused {
        (Role::BorderFocused, BorderType::Thick)
    } else {
        (Role::Border, BorderType::Plain)
    };
    Block::default()
        .borders(Borders::ALL)
        .border_type(kind)
        .border_style(theme.style(role))
        .title(title)
        .title_style(theme.style(if focused {
            Role::BorderFocused
        } else {
            Role::Text
        }))
}

/// A `width`×`height` box in the middle of `area` (clipped to it), for a popup.
pub fn centered(area: ratatui::layout::Rect, width: u16, height: u16) -> ratatui::layout::Rect {
    use ratatui::layout::{Constraint, Flex, Layout};
    let [popup] = Layout::vertical([Constraint::Length(height.min(area.height))])
        .flex(Flex::Center)
        .areas(area);
    let [popup] = Layout::horizontal([Constraint::Length(width.min(area.width))])
        .flex(Flex::Center)
        .areas(popup);
    popup
}

/// Shortens `s` to `width` columns, marking the cut with an ellipsis.
pub fn truncate(s: &str, width: usize) -> String {
    use unicode_width::UnicodeWidthChar;
    let mut out = String::new();
    let mut used = 0;
    let total: usize = s.chars().map(|c| c.width().unwrap_or(0)).sum();
    if total <= width {
        return s.to_string();
    }
    for c in s.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        out.push(c);
        used += w;
    }
    if width > 0 {
        out.push('…');
    }
    out
}

/// `s` in exactly `width` columns: cut with an ellipsis, or padded (wide characters
/// counted as the two columns they take).
pub fn column(s: &str, width: usize) -> String {
    let cut = truncate(s, width);
    let used = unicode_width::UnicodeWidthStr::width(cut.as_str());
    format!("{cut}{}", " ".repeat(width.saturating_sub(used)))
}

/// "just now", "40s ago", "12m ago", "3h ago", "2d ago".
/// An age as shown: in tens of seconds under a minute, so that it moves on while shown
/// at one redraw every ten seconds (over SSH, a few bytes), not every second.
pub fn ago(seconds: i64) -> String {
    match seconds.max(0) {
        s if s < 10 => "just now".into(),
        s if s < 60 => format!("{}s ago", s / 10 * 10),
        s if s < 3600 => format!("{}m ago", s / 60),
        s if s < 86_400 => format!("{}h ago", s / 3600),
        s => format!("{}d ago", s / 86_400),
    }
}

/// How long until [`ago`] of an age of `seconds` reads differently.
pub fn ago_changes_in(seconds: i64) -> std::time::Duration {
    let s = seconds.max(0);
    let step = match s {
        s if s < 60 => 10,
        s if s < 3600 => 60,
        s if s < 86_400 => 3600,
        _ => 86_400,
    };
    std::time::Duration::from_secs(u64::try_from(step - s % step).unwrap_or(1))
}

#[cfg(test)]
mod age_tests {
    use super::{ago, ago_changes_in};
    use std::time::Duration;

    #[test]
    fn an_age_reads_in_steps_and_says_when_the_next_one_comes() {
        assert_eq!(ago(3), "just now");
        assert_eq!(ago(42), "40s ago");
        assert_eq!(ago(125), "2m ago");
        assert_eq!(ago_changes_in(42), Duration::from_secs(8));
        assert_eq!(ago_changes_in(125), Duration::from_secs(55));
        assert_eq!(ago_changes_in(7_300), Duration::from_secs(3_500));
    }
}
