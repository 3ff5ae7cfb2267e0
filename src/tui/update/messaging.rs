//! Conversations and their messages as this client knows them: pages loaded, messages
//! arriving and sent, receipts, and what counts as read.

use uuid::Uuid;

use crate::model::{Conversation, EffectivePolicy, Message, Priority, ReceiptState};
use crate::tui::action::Effect;
use crate::tui::app::{App, ChatMessage, ConversationState, Older, Outbox, Pane};

pub(super) fn conversations_loaded(app: &mut App, list: Vec<Conversation>) -> Vec<Effect> {
    let mut effects = Vec::new();
    let mut next = Vec::with_capacity(list.len());
    for info in list {
        let messages = match app.conversations.iter_mut().find(|c| c.info.id == info.id) {
            Some(existing) => std::mem::take(&mut existing.messages),
            None => {
                effects.push(Effect::LoadMessages(info.id));
                Vec::new()
            }
        };
        next.push(ConversationState { info, messages });
    }
    app.conversations = next;
    app.selected_conversation = app
        .selected_conversation
        .min(app.conversations.len().saturating_sub(1));
    effects
}

/// A conversation's messages from the server; what reached me is now delivered.
pub(super) fn messages_loaded(app: &mut App, id: Uuid, messages: Vec<Message>) -> Vec<Effect> {
    let effects = merge_page(app, id, messages);
    sync_patient_unread(app);
    effects
}

fn merge_page(app: &mut App, id: Uuid, messages: Vec<Message>) -> Vec<Effect> {
    let me = app.me.id;
    // The page replaces what was shown, older pages too: paging starts again from it.
    app.chat.older.remove(&id);
    let Some(c) = app.conversation_mut(id) else {
        return Vec::new();
    };
    // What the outbox still holds is not on the server yet: keep it after the loaded page.
    let pending: Vec<ChatMessage> = c
        .messages
        .drain(..)
        .filter(|m| m.outbox != Outbox::Stored && !messages.iter().any(|l| l.id == m.message.id))
        .collect();
    c.messages = messages
        .into_iter()
        .map(|message| ChatMessage {
            message,
            outbox: Outbox::Stored,
        })
        .chain(pending)
        .collect();
    mark_delivered(c, me)
}

/// Messages to me that this client now holds but the server still has as only sent: they
/// are delivered, here and (through the effect) there.
fn mark_delivered(c: &mut ConversationState, me: Uuid) -> Vec<Effect> {
    let undelivered: Vec<Uuid> = c
        .messages
        .iter_mut()
        .filter(|m| {
            m.message
                .receipt_of(me)
                .is_some_and(|r| r.state == ReceiptState::Sent)
        })
        .map(|m| {
            m.message
                .apply_receipt(me, ReceiptState::Delivered, m.message.sent_at);
            m.message.id
        })
        .collect();
    if undelivered.is_empty() {
        Vec::new()
    } else {
        vec![Effect::Mark {
            messages: undelivered,
            state: ReceiptState::Delivered,
        }]
    }
}

/// The page of history before `before` came back: it goes above what is shown. The chat's
/// scroll counts lines up from the newest message, so the lines on screen stay put.
pub(super) fn older_loaded(
    app: &mut App,
    id: Uuid,
    before: Uuid,
    page: Result<Vec<Message>, String>,
) -> Vec<Effect> {
    if app.chat.older.get(&id) != Some(&Older::Loading { before }) {
        // Asked for before a reload replaced the history: it no longer fits on top.
        return Vec::new();
    }
    app.chat.older.remove(&id);
    let page = match page {
        Ok(page) => page,
        Err(e) => {
            app.notice = Some(format!("Older messages not loaded: {e}"));
            return Vec::new();
        }
    };
    if page.len() < crate::client::HISTORY_PAGE {
        app.chat.older.insert(id, Older::Start);
    }
    let me = app.me.id;
    let Some(c) = app.conversation_mut(id) else {
        return Vec::new();
    };
    let older: Vec<ChatMessage> = page
        .into_iter()
        .filter(|m| !c.messages.iter().any(|shown| shown.message.id == m.id))
        .map(|message| ChatMessage {
            message,
            outbox: Outbox::Stored,
        })
        .collect();
    c.messages.splice(0..0, older);
    let effects = mark_delivered(c, me);
    sync_patient_unread(app);
    effects
}

/// What this user's messaging policy allows; a change of read receipts is said.
pub(super) fn policy_loaded(app: &mut App, policy: EffectivePolicy) {
    let was = app.policy.as_ref().map(|p| p.read_receipts_active);
    if was.is_some_and(|w| w != policy.read_receipts_active) {
        app.notice = Some(if policy.read_receipts_active {
            "Read receipts on: colleagues see when you have read, and you see theirs.".into()
        } else {
            "Read receipts off: you neither send nor see them.".into()
        });
    }
    app.policy = Some(policy);
    if !app.may_send(app.chat.priority) {
        app.chat.priority = Priority::Normal;
    }
}

/// A patient's chat, opened (or made) at this user's asking.
pub(super) fn patient_chat_opened(app: &mut App, info: Conversation) -> Vec<Effect> {
    let id = info.id;
    let mut effects = Vec::new();
    if app.conversation(id).is_none() {
        app.conversations.push(ConversationState {
            info,
            messages: Vec::new(),
        });
        effects.push(Effect::LoadMessages(id));
    }
    open_conversation(app, id);
    effects
}

/// The server stored a message from the outbox.
pub(super) fn sent(app: &mut App, message: Message) {
    upsert(app, message, Outbox::Stored);
}

/// The server refused a message for good.
pub(super) fn refused(app: &mut App, id: Uuid, reason: String) {
    for c in &mut app.conversations {
        if let Some(m) = c.messages.iter_mut().find(|m| m.message.id == id) {
            m.outbox = Outbox::Refused(reason.clone());
        }
    }
    app.notice = Some(format!("Message not sent: {reason}"));
}

/// Adds or replaces a message (by id), keeping time order.
pub(super) fn upsert(app: &mut App, message: Message, outbox: Outbox) {
    let Some(c) = app.conversation_mut(message.conversation_id) else {
        return;
    };
    match c.messages.iter_mut().find(|m| m.message.id == message.id) {
        Some(existing) => {
            // Receipts that arrived before the message's own echo are kept.
            let mut merged = message;
            for r in &existing.message.receipts {
                merged.apply_receipt(r.user_id, r.state, r.at);
            }
            existing.message = merged;
            existing.outbox = outbox;
        }
        None => {
            let at = c
                .messages
                .iter()
                .rposition(|m| m.message.sent_at <= message.sent_at)
                .map_or(0, |i| i + 1);
            c.messages.insert(at, ChatMessage { message, outbox });
        }
    }
}

/// A message from the event stream: mine echoed, or someone's to me (delivered now).
pub(super) fn arrived(app: &mut App, message: Message) -> Vec<Effect> {
    let effects = on_message(app, message);
    sync_patient_unread(app);
    effects
}

fn on_message(app: &mut App, mut message: Message) -> Vec<Effect> {
    let me = app.me.id;
    if app.conversation(message.conversation_id).is_none() {
        // A conversation this client has not seen: someone added us to it.
        return vec![Effect::LoadConversations];
    }
    let mut effects = Vec::new();
    let for_me = message.sender_id != me
        && message
            .receipt_of(me)
            .is_some_and(|r| r.state == ReceiptState::Sent);
    if for_me {
        message.apply_receipt(me, ReceiptState::Delivered, app.now);
        effects.push(Effect::Mark {
            messages: vec![message.id],
            state: ReceiptState::Delivered,
        });
        if message.priority == Priority::Urgent {
            // Urgent rings through do-not-disturb, always.
            app.pulse_on = true;
            effects.push(Effect::Notify(format!(
                "Urgent message - {}",
                app.team_label
            )));
        } else if message.sender_id != crate::model::SYSTEM_SENDER {
            effects.extend(super::reach::ring_for(app, message.conversation_id));
        }
    }
    upsert(app, message, Outbox::Stored);
    effects
}

/// Someone's client received or read a message.
pub(super) fn receipt(
    app: &mut App,
    conversation_id: Uuid,
    message_id: Uuid,
    user_id: Uuid,
    state: ReceiptState,
    at: chrono::DateTime<chrono::Utc>,
) {
    if let Some(m) = app
        .conversation_mut(conversation_id)
        .and_then(|c| c.messages.iter_mut().find(|m| m.message.id == message_id))
    {
        m.message.apply_receipt(user_id, state, at);
    }
}

/// Keeps each listed patient's `unread` cell equal to what this client knows of their
/// chat.
pub(super) fn sync_patient_unread(app: &mut App) {
    let me = app.me.id;
    let counts: Vec<(String, usize)> = app
        .conversations
        .iter()
        .filter_map(|c| Some((c.info.subject.clone()?, c.unread_for(me))))
        .collect();
    if counts.is_empty() {
        return;
    }
    app.patients.show_unread(counts);
}

/// Shows a conversation in the chat pane, focused.
pub fn open_conversation(app: &mut App, id: Uuid) {
    app.selected_conversation = app
        .conversations
        .iter()
        .position(|c| c.info.id == id)
        .unwrap_or(0);
    app.chat.show(id);
    // A draft's priority kept from before a policy tightened goes back to normal.
    if !app.may_send(app.chat.priority) {
        app.chat.priority = Priority::Normal;
    }
    app.focus = Pane::Chat;
    app.detail = None;
    // Opening the chat of my unanswered message is having seen the notice.
    app.unanswered.retain(|u| u.conversation_id != id);
}

/// Messages on screen in a looked-at chat are read: mark them, here and on the server.
pub(super) fn mark_visible_read(app: &mut App) -> Vec<Effect> {
    if !app.chat_in_view() {
        return Vec::new();
    }
    let me = app.me.id;
    let now = app.now;
    let Some(id) = app.chat.open else {
        return Vec::new();
    };
    let Some(c) = app.conversation_mut(id) else {
        return Vec::new();
    };
    let read: Vec<Uuid> = c
        .messages
        .iter_mut()
        .filter(|m| {
            m.message
                .receipt_of(me)
                .is_some_and(|r| r.state < ReceiptState::Read)
        })
        .map(|m| {
            m.message.apply_receipt(me, ReceiptState::Read, now);
            m.message.id
        })
        .collect();
    if !app.alert_active() {
        app.pulse_on = false;
    }
    if read.is_empty() {
        Vec::new()
    } else {
        sync_patient_unread(app);
        vec![Effect::Mark {
            messages: read,
            state: ReceiptState::Read,
        }]
    }
}

/// I am no longer in a conversation: it goes, and the chat with it if it was open.
pub(super) fn left(app: &mut App, id: Uuid) {
    if let Some(c) = app.conversation(id) {
        app.notice = Some(format!("You are no longer in {}.", c.info.title));
    }
    app.conversations.retain(|c| c.info.id != id);
    if app.chat.open == Some(id) {
        app.chat.open = None;
    }
    app.selected_conversation = app
        .selected_conversation
        .min(app.conversations.len().saturating_sub(1));
}
