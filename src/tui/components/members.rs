//! `:members`: who is in the open group, whether each can be reached, and (for those who
//! manage it) adding and removing them.

use crossterm::event::KeyCode;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, List, ListItem, ListState, Paragraph};
use ratatui::Frame;
use uuid::Uuid;

use super::new_chat::presence_span;
use super::pane_block;
use crate::model::{ConversationKind, PresenceState};
use crate::tui::action::Effect;
use crate::tui::app::{App, Overlay};
use crate::tui::keymap::{Binding, Command, KeyPress, Scope};
use crate::tui::theme::{Role, Theme};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MembersState {
    pub conversation: Uuid,
    pub selected: usize,
}

pub fn bindings() -> Vec<Binding> {
    use Command::*;
    let s = Scope::Members;
    vec![
        Binding::new(
            s,
            &[KeyPress::ch('a')],
            AddMember,
            "Add someone from the directory",
        )
        .hint("add"),
        Binding::new(
            s,
            &[KeyPress::ch('d'), KeyPress::plain(KeyCode::Delete)],
            RemoveMember,
            "Remove (yourself: leave)",
        )
        .hint("remove"),
        Binding::new(s, &[KeyPress::plain(KeyCode::Esc)], CloseMembers, "Close").hint("close"),
        Binding::new(
            s,
            &[KeyPress::plain(KeyCode::Down), KeyPress::ch('j')],
            ResultDown,
            "Next",
        ),
        Binding::new(
            s,
            &[KeyPress::plain(KeyCode::Up), KeyPress::ch('k')],
            ResultUp,
            "Previous",
        ),
    ]
}

/// Opens the members of the open conversation.
pub fn open(app: &mut App) {
    match app.open().map(|c| c.info.id) {
        Some(conversation) => {
            app.overlay = Overlay::Members(MembersState {
                conversation,
                selected: 0,
            })
        }
        None => app.notice = Some("Open a conversation first: :members shows who is in it.".into()),
    }
}

pub fn handle(app: &mut App, command: Command) -> Vec<Effect> {
    let Overlay::Members(state) = &mut app.overlay else {
        return Vec::new();
    };
    let id = state.conversation;
    let Some(info) = app
        .conversations
        .iter()
        .find(|c| c.info.id == id)
        .map(|c| c.info.clone())
    else {
        app.overlay = Overlay::None;
        return Vec::new();
    };
    let Overlay::Members(state) = &mut app.overlay else {
        return Vec::new();
    };
    match command {
        Command::CloseMembers => app.overlay = Overlay::None,
        Command::ResultDown => {
            state.selected = (state.selected + 1).min(info.members.len().saturating_sub(1))
        }
        Command::ResultUp => state.selected = state.selected.saturating_sub(1),
        Command::AddMember if info.manage => {
            return super::new_chat::open(app, Some(id));
        }
        Command::RemoveMember => {
            let Some(m) = info.members.get(state.selected) else {
                return Vec::new();
            };
            let leaving = m.id == app.me.id;
            let may_leave = leaving && info.kind == ConversationKind::Group;
            if !(info.manage || may_leave) {
                app.notice = Some(refusal(info.kind).into());
                return Vec::new();
            }
            // The server names people by username; a member's is in the directory, and
            // mine I know.
            let username = if leaving {
                app.me.username.clone()
            } else {
                m.id.to_string()
            };
            app.notice = Some(if leaving {
                format!("Leaving {}…", info.title)
            } else {
                format!("Removing {} from {}…", m.display_name, info.title)
            });
            app.overlay = Overlay::None;
            return vec![Effect::RemoveMember {
                conversation: id,
                member: username,
            }];
        }
        Command::AddMember => app.notice = Some(refusal(info.kind).into()),
        _ => {}
    }
    Vec::new()
}

fn refusal(kind: ConversationKind) -> &'static str {
    match kind {
        ConversationKind::Group => {
            "Only the group's creator, its admins and administrators change its members."
        }
        ConversationKind::Direct => "A 1:1 is between two people: N picks several for a group.",
        ConversationKind::Role => "A role's thread follows whoever holds the role.",
        ConversationKind::Channel | ConversationKind::Patient => {
            "A team's conversations follow the team (IT: wardround admin team)."
        }
    }
}

pub fn render(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let Overlay::Members(state) = &app.overlay else {
        return;
    };
    let Some(c) = app
        .conversations
        .iter()
        .find(|c| c.info.id == state.conversation)
    else {
        return;
    };
    let popup = super::centered(area, 70, 16);
    frame.render_widget(Clear, popup);
    let block = pane_block(
        format!(" {} · {} members ", c.info.title, c.info.members.len()),
        true,
        theme,
    );
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    if c.info.members.is_empty() {
        frame.render_widget(
            Paragraph::new("Nobody.").style(theme.style(Role::Muted)),
            inner,
        );
        return;
    }
    let items: Vec<ListItem> = c
        .info
        .members
        .iter()
        .map(|m| {
            let state = c
                .info
                .presence
                .get(&m.id)
                .map_or(PresenceState::Available, |p| p.state);
            let you = match (m.id == app.me.id, c.info.admins.contains(&m.id)) {
                (true, true) => " (you, admin)",
                (true, false) => " (you)",
                (false, true) => " (admin)",
                (false, false) => "",
            };
            ListItem::new(Line::from(vec![
                Span::raw(format!(
                    "{} ",
                    super::column(&format!("{}{you}", m.display_name), 26)
                )),
                Span::styled(
                    format!("{} ", super::column(&m.role, 18)),
                    theme.style(Role::Muted),
                ),
                presence_span(state, theme),
            ]))
        })
        .collect();
    let mut list_state = ListState::default().with_selected(Some(state.selected));
    frame.render_stateful_widget(
        List::new(items).highlight_style(theme.style(Role::Selection)),
        inner,
        &mut list_state,
    );
}
