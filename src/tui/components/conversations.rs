//! The conversation list: channels, group chats and 1:1s, with unread counts.

use crossterm::event::KeyCode;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{List, ListItem, ListState};
use ratatui::Frame;

use super::{pane_block, truncate};
use crate::model::{ConversationKind, Priority, ReceiptState};
use crate::tui::action::Effect;
use crate::tui::app::{App, Pane};
use crate::tui::keymap::{Binding, Command, KeyPress, Scope};
use crate::tui::theme::{Role, Theme};

pub fn bindings() -> Vec<Binding> {
    use Command::*;
    let s = Scope::Conversations;
    vec![
        Binding::new(
            s,
            &[KeyPress::ch('j'), KeyPress::plain(KeyCode::Down)],
            ConversationDown,
            "Next conversation",
        )
        .hint("move"),
        Binding::new(
            s,
            &[KeyPress::ch('k'), KeyPress::plain(KeyCode::Up)],
            ConversationUp,
            "Previous conversation",
        ),
        Binding::new(
            s,
            &[KeyPress::plain(KeyCode::Enter), KeyPress::ch('l')],
            OpenConversation,
            "Open the conversation",
        )
        .hint("open"),
        Binding::new(
            s,
            &[KeyPress::ch('R')],
            ToggleMyReceipts,
            "My read receipts off or on",
        ),
    ]
}

pub fn handle(app: &mut App, command: Command) -> Vec<Effect> {
    let last = app.conversations.len().saturating_sub(1);
    match command {
        Command::ConversationDown => {
            app.selected_conversation = (app.selected_conversation + 1).min(last)
        }
        Command::ConversationUp => {
            app.selected_conversation = app.selected_conversation.saturating_sub(1)
        }
        Command::OpenConversation => {
            if let Some(id) = app
                .conversations
                .get(app.selected_conversation)
                .map(|c| c.info.id)
            {
                crate::tui::update::open_conversation(app, id);
            }
        }
        Command::ToggleMyReceipts => {
            let Some(policy) = &app.policy else {
                app.notice = Some("Your messaging policy has not loaded yet.".into());
                return Vec::new();
            };
            if !policy.read_receipts_adjustable {
                app.notice = Some(format!(
                    "Read receipts are set by your messaging policy ({}).",
                    policy.policy.name
                ));
                return Vec::new();
            }
            return vec![Effect::SaveSettings(crate::model::UserSettings {
                read_receipts: !policy.read_receipts_active,
            })];
        }
        _ => {}
    }
    Vec::new()
}

/// The pane's title, saying whether my read receipts are on: what the toggle changed
/// stays in view after its message goes.
/// On a narrow pane the note goes whole, never cut mid-word.
fn title(app: &App, width: usize) -> String {
    let full = match app.policy.as_ref().map(|p| p.read_receipts_active) {
        Some(true) => " Conversations · receipts on ",
        Some(false) => " Conversations · receipts off ",
        None => " Conversations ",
    };
    if full.chars().count() <= width {
        full.into()
    } else {
        " Conversations ".into()
    }
}

pub fn render(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let focused = app.focus == Pane::Conversations;
    let width = area.width.saturating_sub(4) as usize;
    let items: Vec<ListItem> = app
        .conversations
        .iter()
        .map(|c| {
            let sigil = match c.info.kind {
                ConversationKind::Channel => "#",
                ConversationKind::Group => "∗",
                ConversationKind::Direct => "@",
                ConversationKind::Patient => "+",
                ConversationKind::Role => "~",
            };
            let unread = c.unread_for(app.me.id);
            let urgent = c.messages.iter().any(|m| {
                m.message.priority == Priority::Urgent
                    && m.message
                        .receipt_of(app.me.id)
                        .is_some_and(|r| r.state < ReceiptState::Read)
            });
            let marker = if urgent { "‼" } else { " " };
            let count = if unread > 0 {
                format!(" ({unread})")
            } else {
                String::new()
            };
            let name = truncate(&app.title_of(c), width.saturating_sub(4 + count.len()));
            let name_role = if unread > 0 { Role::Unread } else { Role::Text };
            ListItem::new(Line::from(vec![
                // Only a waiting urgent message is styled: themes that mark urgency with a
                // background would otherwise paint a blank cell on every row.
                if urgent {
                    Span::styled(marker, theme.style(Role::Urgent))
                } else {
                    Span::raw(marker)
                },
                Span::styled(format!("{sigil} "), theme.style(Role::Muted)),
                Span::styled(name, theme.style(name_role)),
                Span::styled(count, theme.style(Role::Unread)),
            ]))
        })
        .collect();
    let selection = if focused {
        theme.style(Role::Selection)
    } else {
        theme.style(Role::Unread)
    };
    let list = List::new(items)
        .block(pane_block(
            title(app, usize::from(area.width.saturating_sub(2))),
            focused,
            theme,
        ))
        .highlight_style(selection);
    let mut state = ListState::default()
        .with_selected((!app.conversations.is_empty()).then_some(app.selected_conversation));
    frame.render_stateful_widget(list, area, &mut state);
}
