//! `N`: start a conversation from the directory. Type a name, a job, a team or a role;
//! Enter opens the 1:1 with the person chosen (or the thread with the role), Tab picks
//! several and Enter then makes a group of them. From `:members`, the same picker adds
//! the person chosen to the group.

use crossterm::event::KeyCode;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, List, ListItem, ListState, Paragraph};
use ratatui::Frame;
use uuid::Uuid;

use super::pane_block;
use super::text_field::TextField;
use crate::model::{Directory, PresenceState, StartConversation};
use crate::tui::action::Effect;
use crate::tui::app::{App, Overlay};
use crate::tui::keymap::{Binding, Command, KeyPress, Scope};
use crate::tui::theme::{Role, Theme};

/// A group's title when nobody gave one: its first members' names, and how many more.
const TITLE_NAMES: usize = 3;
/// The server's longest title.
const MAX_TITLE: usize = 100;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewChatState {
    pub query: TextField,
    /// The query the results answer (older answers are dropped).
    pub results_for: String,
    pub found: Option<Result<Directory, String>>,
    pub selected: usize,
    /// People picked with Tab, for a group: (username, name).
    pub picked: Vec<(String, String)>,
    /// Adding to this group rather than starting a conversation.
    pub add_to: Option<Uuid>,
}

/// One line of the picker.
#[derive(Debug, Clone, PartialEq)]
enum Entry {
    Role { name: String },
    Person { username: String, name: String },
}

impl NewChatState {
    fn entries(&self) -> Vec<Entry> {
        let Some(Ok(found)) = &self.found else {
            return Vec::new();
        };
        let roles = found
            .roles
            .iter()
            .filter(|_| self.add_to.is_none())
            .map(|r| Entry::Role {
                name: r.name.clone(),
            });
        let people = found.people.iter().map(|p| Entry::Person {
            username: p.username.clone(),
            name: p.display_name.clone(),
        });
        roles.chain(people).collect()
    }
}

pub fn bindings() -> Vec<Binding> {
    use Command::*;
    let s = Scope::NewChat;
    vec![
        Binding::new(
            s,
            &[KeyPress::plain(KeyCode::Enter)],
            StartChat,
            "Start: 1:1, role, or the group",
        )
        .hint("start"),
        Binding::new(
            s,
            &[KeyPress::plain(KeyCode::Tab)],
            PickPerson,
            "Pick for a group; again unpicks",
        )
        .hint("pick"),
        Binding::new(s, &[KeyPress::plain(KeyCode::Esc)], CloseNewChat, "Close").hint("close"),
        Binding::new(s, &[KeyPress::plain(KeyCode::Down)], ResultDown, "Next"),
        Binding::new(s, &[KeyPress::plain(KeyCode::Up)], ResultUp, "Previous"),
    ]
}

/// Opens the picker, everyone listed until something is typed.
pub fn open(app: &mut App, add_to: Option<Uuid>) -> Vec<Effect> {
    app.overlay = Overlay::NewChat(NewChatState {
        add_to,
        ..Default::default()
    });
    vec![Effect::SearchDirectory(String::new())]
}

pub fn results(app: &mut App, query: String, found: Result<Directory, String>) {
    if let Overlay::NewChat(state) = app.overlay.unlocked_mut() {
        if state.query != query {
            return;
        }
        state.found = Some(found);
        state.results_for = query;
        state.selected = state.selected.min(state.entries().len().saturating_sub(1));
    }
}

/// Type-ahead: each letter asks the directory again.
pub fn type_char(app: &mut App, c: char) -> Vec<Effect> {
    let Overlay::NewChat(state) = &mut app.overlay else {
        return Vec::new();
    };
    if !state.query.insert(c, 60) {
        return Vec::new();
    }
    state.selected = 0;
    vec![Effect::SearchDirectory(state.query.as_str().to_string())]
}

pub fn handle(app: &mut App, command: Command) -> Vec<Effect> {
    let Overlay::NewChat(state) = &mut app.overlay else {
        return Vec::new();
    };
    let entries = state.entries();
    // What is listed answers an earlier query: choosing from it would start a chat with
    // whoever headed the list before the last letters were typed.
    let stale = state.results_for != state.query;
    match command {
        Command::PickPerson | Command::StartChat if stale => {
            app.notice = Some("Still searching the directory: a moment.".into());
        }
        Command::CloseNewChat => app.overlay = Overlay::None,
        Command::Edit(edit) if state.query.edit(edit) => {
            state.selected = 0;
            return vec![Effect::SearchDirectory(state.query.as_str().to_string())];
        }
        Command::ResultDown => {
            state.selected = (state.selected + 1).min(entries.len().saturating_sub(1));
        }
        Command::ResultUp => state.selected = state.selected.saturating_sub(1),
        Command::PickPerson => match entries.get(state.selected) {
            Some(Entry::Person { username, name }) if state.add_to.is_none() => {
                if let Some(at) = state.picked.iter().position(|(u, _)| u == username) {
                    state.picked.remove(at);
                } else if username == &app.me.username {
                    app.notice = Some("That is you: you are in any group you make.".into());
                } else {
                    state.picked.push((username.clone(), name.clone()));
                }
            }
            Some(Entry::Role { .. }) => {
                app.notice =
                    Some("A role is written to on its own: Enter opens its thread.".into());
            }
            _ => {}
        },
        Command::StartChat => {
            let chosen = entries.get(state.selected).cloned();
            if let Some(group) = state.add_to {
                let Some(Entry::Person { username, name }) = chosen else {
                    return Vec::new();
                };
                let chosen_id = state.found.as_ref().and_then(|f| {
                    f.as_ref()
                        .ok()?
                        .people
                        .iter()
                        .find(|p| p.username == username)
                        .map(|p| p.id)
                });
                let already = chosen_id.is_some_and(|id| {
                    app.conversation(group)
                        .is_some_and(|c| c.info.members.iter().any(|m| m.id == id))
                });
                if already {
                    app.notice = Some(format!("{name} is in the group already."));
                    return Vec::new();
                }
                app.notice = Some(format!("Adding {name}…"));
                app.overlay = Overlay::None;
                return vec![Effect::AddMember {
                    conversation: group,
                    username,
                }];
            }
            let start = match (state.picked.as_slice(), chosen) {
                ([], Some(Entry::Role { name })) => StartConversation::Role { role: name },
                ([], Some(Entry::Person { username, .. })) if username == app.me.username => {
                    app.notice = Some("That is you: choose someone else.".into());
                    return Vec::new();
                }
                ([], Some(Entry::Person { username, .. })) => StartConversation::Direct {
                    members: vec![username],
                },
                ([], None) => return Vec::new(),
                ([(one, _)], _) => StartConversation::Direct {
                    members: vec![one.clone()],
                },
                (several, _) => StartConversation::Group {
                    title: group_title(several),
                    members: several.iter().map(|(u, _)| u.clone()).collect(),
                },
            };
            app.overlay = Overlay::None;
            app.notice = Some(crate::tui::update::OPENING.into());
            return vec![Effect::StartConversation(start)];
        }
        _ => {}
    }
    Vec::new()
}

pub fn render(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let Overlay::NewChat(state) = &app.overlay else {
        return;
    };
    let popup = super::centered(area, 90, 18);
    frame.render_widget(Clear, popup);
    let title = if state.add_to.is_some() {
        " Add someone to the group "
    } else {
        " New chat: a person, several, or a role "
    };
    let block = pane_block(title.into(), true, theme);
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    let [input, picked, list] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(1),
    ])
    .areas(inner);
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled("Find: ", theme.style(Role::Muted)),
            Span::raw(
                state
                    .query
                    .with_bar(usize::from(input.width).saturating_sub(6)),
            ),
        ])),
        input,
    );
    let picked_line = if state.add_to.is_some() {
        Span::styled("a name, job or team", theme.style(Role::Muted))
    } else if state.picked.is_empty() {
        Span::styled(
            "a name, job, team or role · Tab picks several for a group",
            theme.style(Role::Muted),
        )
    } else {
        Span::styled(
            format!(
                "Group with: {}",
                state
                    .picked
                    .iter()
                    .map(|(_, n)| n.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            theme.style(Role::Header),
        )
    };
    frame.render_widget(Paragraph::new(Line::from(picked_line)), picked);
    let found = match &state.found {
        None => {
            frame.render_widget(
                Paragraph::new("Searching…").style(theme.style(Role::Muted)),
                list,
            );
            return;
        }
        Some(Err(e)) => {
            frame.render_widget(
                Paragraph::new(format!("The directory did not answer: {e}"))
                    .style(theme.style(Role::Warning)),
                list,
            );
            return;
        }
        Some(Ok(found)) => found,
    };
    let mut items: Vec<ListItem> = Vec::new();
    if state.add_to.is_none() {
        for r in &found.roles {
            let holders: Vec<&str> = r.holders.iter().map(|m| m.display_name.as_str()).collect();
            let who = if holders.is_empty() {
                "nobody holds it".to_string()
            } else {
                holders.join(", ")
            };
            items.push(ListItem::new(Line::from(vec![
                Span::styled("~ ", theme.style(Role::Header)),
                Span::raw(format!("{} ", super::column(&r.name, 30))),
                Span::styled(format!("{} · {who}", r.team), theme.style(Role::Muted)),
            ])));
        }
    }
    for p in &found.people {
        let mark = if state.picked.iter().any(|(u, _)| u == &p.username) {
            "✓ "
        } else {
            "  "
        };
        let presence = presence_span(p.presence.state, theme);
        let mut spans = vec![
            Span::styled(mark, theme.style(Role::Header)),
            Span::raw(format!("{} ", super::column(&p.display_name, 24))),
            Span::styled(
                format!("{} ", super::column(&p.role, 18)),
                theme.style(Role::Muted),
            ),
            presence,
        ];
        if !p.roles.is_empty() {
            spans.push(Span::styled(
                format!("  {}", p.roles.join(", ")),
                theme.style(Role::Muted),
            ));
        }
        if !p.instead.is_empty() {
            spans.push(Span::styled(
                format!("  → write to {}", p.instead.join(" or ")),
                theme.style(Role::Important),
            ));
        }
        items.push(ListItem::new(Line::from(spans)));
    }
    if items.is_empty() {
        frame.render_widget(
            Paragraph::new("Nobody matches.").style(theme.style(Role::Muted)),
            list,
        );
        return;
    }
    let mut list_state = ListState::default().with_selected(Some(state.selected));
    frame.render_stateful_widget(
        List::new(items).highlight_style(theme.style(Role::Selection)),
        list,
        &mut list_state,
    );
}

/// A person's presence in words (never colour alone).
pub fn presence_span(state: PresenceState, theme: &Theme) -> Span<'static> {
    let role = match state {
        PresenceState::Available => Role::Muted,
        PresenceState::Busy | PresenceState::OffShift => Role::Important,
        PresenceState::Dnd => Role::Warning,
    };
    Span::styled(format!("● {}", state.label()), theme.style(role))
}

/// `Priya Shah, Tom Reid, Sam Okafor +4`: within the server's longest title however many
/// or however long the names.
fn group_title(picked: &[(String, String)]) -> String {
    let names: Vec<&str> = picked
        .iter()
        .take(TITLE_NAMES)
        .map(|(_, n)| n.as_str())
        .collect();
    let more = picked.len().saturating_sub(TITLE_NAMES);
    let tail = if more > 0 {
        format!(" +{more}")
    } else {
        String::new()
    };
    let room = MAX_TITLE - tail.chars().count();
    let mut title: String = names.join(", ");
    if title.chars().count() > room {
        title = title.chars().take(room - 1).collect::<String>() + "…";
    }
    title + &tail
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_groups_own_title_fits_however_many_are_picked() {
        let pick = |n: usize, name: &str| -> Vec<(String, String)> {
            (0..n)
                .map(|i| (format!("u{i}"), format!("{name} {i}")))
                .collect()
        };
        assert_eq!(group_title(&pick(2, "Dr A")), "Dr A 0, Dr A 1");
        assert_eq!(group_title(&pick(5, "Dr A")), "Dr A 0, Dr A 1, Dr A 2 +2");
        let long = group_title(&pick(9, &"Maximiliana Montgomery-Fitzwilliam".repeat(2)));
        assert!(long.chars().count() <= MAX_TITLE, "{long}");
        assert!(long.ends_with("… +6"), "{long}");
    }
}
