//! Reaching people: the new-chat picker's answers, a conversation opened at my asking,
//! my presence (do-not-disturb holds the bell for all but urgent), and on-call changes.

use uuid::Uuid;

use super::messaging::open_conversation;
use crate::model::{Conversation, Presence, PresenceState, RoleInfo};
use crate::tui::action::Effect;
use crate::tui::app::{App, ConversationState};

/// A conversation started, found (the pair's 1:1) or changed: into the list, and open.
pub(super) fn conversation_opened(app: &mut App, info: Conversation) -> Vec<Effect> {
    let id = info.id;
    let mut effects = Vec::new();
    match app.conversations.iter_mut().find(|c| c.info.id == id) {
        Some(c) => c.info = info,
        None => {
            app.conversations.push(ConversationState {
                info,
                messages: Vec::new(),
            });
            effects.push(Effect::LoadMessages(id));
        }
    }
    if app.notice.as_deref() == Some(OPENING) {
        app.notice = None;
    }
    open_conversation(app, id);
    effects
}

/// What the picker says while the server finds or makes the conversation.
pub const OPENING: &str = "Opening the conversation…";

/// My presence as the server has it now.
pub(super) fn status_set(app: &mut App, presence: Presence) -> Vec<Effect> {
    app.presence = presence;
    app.notice = Some(match (presence.state, presence.until) {
        (PresenceState::Dnd, Some(until)) => format!(
            "Do not disturb until {}: only urgent messages ring.",
            until.with_timezone(&app.utc_offset).format("%H:%M")
        ),
        (PresenceState::Dnd, None) => {
            "Do not disturb until you change it: only urgent messages ring.".into()
        }
        (state, Some(until)) => format!(
            "You are {} until {}.",
            state.label(),
            until.with_timezone(&app.utc_offset).format("%H:%M")
        ),
        (state, None) => format!("You are {}.", state.label()),
    });
    release_held(app)
}

/// Do-not-disturb ended (by itself or by me): one ring for what it held.
pub(super) fn release_held(app: &mut App) -> Vec<Effect> {
    if app.dnd_now() || app.held == 0 {
        return Vec::new();
    }
    let held = std::mem::take(&mut app.held);
    vec![Effect::Notify(format!(
        "{held} message{} while on do not disturb - {}",
        if held == 1 { "" } else { "s" },
        app.team_label
    ))]
}

pub(super) fn on_call_changed(app: &mut App, role: RoleInfo) {
    let holders: Vec<&str> = role
        .holders
        .iter()
        .map(|m| m.display_name.as_str())
        .collect();
    app.notice = Some(if holders.is_empty() {
        format!("Nobody holds {} now.", role.name)
    } else {
        format!("{} is held by {}.", role.name, holders.join(", "))
    });
}

/// A message for me that is not urgent: rings unless I am looking at its chat, or on
/// do-not-disturb (then it is held, and rung for once it ends).
pub(super) fn ring_for(app: &mut App, conversation: Uuid) -> Vec<Effect> {
    if app.chat_in_view() && app.chat.open == Some(conversation) {
        return Vec::new();
    }
    if app.dnd_now() {
        app.held += 1;
        return Vec::new();
    }
    vec![Effect::Notify(format!("New message - {}", app.team_label))]
}
