//! Urgent and important messages: what waits for me (from the server, re-notified), the
//! jump to it, acknowledging it, and my own urgent messages that went unanswered.

use uuid::Uuid;

use super::messaging::{open_conversation, sync_patient_unread, upsert};
use crate::model::{Message, ReceiptState};
use crate::tui::action::Effect;
use crate::tui::app::{App, Outbox, Overlay, Unanswered};

/// The oldest urgent message waiting for me, else my oldest unanswered urgent message,
/// else the oldest important one waiting.
pub(super) fn jump_to_urgent(app: &mut App) {
    // A message is read on the nurse's screen, not the room's, and not behind a dialog:
    // the jump shows it.
    app.present = false;
    if !app.overlay.locked() {
        app.overlay = Overlay::None;
    }
    // In the order the alert bar shows them: the key opens what the bar says.
    if let Some(target) = app.urgent_waiting().first().map(|w| w.conversation.info.id) {
        open_conversation(app, target);
        return;
    }
    if let Some(job) = app.jobs.urgent_unseen().first().map(|j| j.id) {
        show_job(app, job);
        return;
    }
    if !app.unanswered.is_empty() {
        let notice = app.unanswered.remove(0);
        open_conversation(app, notice.conversation_id);
        return;
    }
    if let Some(target) = app
        .important_waiting()
        .first()
        .map(|w| w.conversation.info.id)
    {
        open_conversation(app, target);
        return;
    }
    if let Some(job) = app.jobs.overdue_mine(app.now).first().map(|j| j.id) {
        show_job(app, job);
        return;
    }
    app.notice = Some("No urgent message is waiting.".into());
}

/// The jobs pane, on my jobs, with the cursor on `job`.
fn show_job(app: &mut App, job: uuid::Uuid) {
    if app.overlay.locked() {
        return;
    }
    let _ = crate::tui::components::jobs_pane::open(app, crate::tui::jobs::View::Mine);
    if let Overlay::Jobs(state) = &mut app.overlay {
        state.selected = Some(job);
    }
}

/// Acknowledges the urgent messages to me in the open chat. From elsewhere it first opens
/// the oldest waiting one: nobody acknowledges what they have not seen.
pub(super) fn acknowledge(app: &mut App) -> Vec<Effect> {
    let here = if app.chat_in_view() {
        app.unacknowledged_here()
    } else {
        Vec::new()
    };
    if here.is_empty() {
        if app.alert_active() {
            jump_to_urgent(app);
            app.notice = Some("Read it, then acknowledge again.".into());
        } else {
            app.notice = Some("No urgent message here to acknowledge.".into());
        }
        return Vec::new();
    }
    let (me, now) = (app.me.id, app.now);
    if let Some(c) = app.chat.open.and_then(|id| app.conversation_mut(id)) {
        for m in c
            .messages
            .iter_mut()
            .filter(|m| here.contains(&m.message.id))
        {
            m.message.acknowledge(me, now);
        }
    }
    if !app.alert_active() {
        app.pulse_on = false;
    }
    vec![Effect::Acknowledge(here)]
}

/// Messages that wait for me, from the server: into their conversations, and delivered.
pub(super) fn awaiting_loaded(app: &mut App, messages: Vec<Message>) -> Vec<Effect> {
    let me = app.me.id;
    let mut effects = Vec::new();
    let mut delivered = Vec::new();
    for mut m in messages {
        if app.conversation(m.conversation_id).is_none() {
            if !effects.contains(&Effect::LoadConversations) {
                effects.push(Effect::LoadConversations);
            }
            continue;
        }
        if m.receipt_of(me)
            .is_some_and(|r| r.state == ReceiptState::Sent)
        {
            m.apply_receipt(me, ReceiptState::Delivered, app.now);
            delivered.push(m.id);
        }
        upsert(app, m, Outbox::Stored);
    }
    if !delivered.is_empty() {
        effects.push(Effect::Mark {
            messages: delivered,
            state: ReceiptState::Delivered,
        });
    }
    if app.alert_active() {
        app.pulse_on = true;
    }
    sync_patient_unread(app);
    effects
}

/// The server rings again for an urgent message I have not dealt with.
pub(super) fn renotified(app: &mut App, message: Message) -> Vec<Effect> {
    if app.conversation(message.conversation_id).is_none() {
        return vec![Effect::LoadConversations];
    }
    let id = message.id;
    let conversation = message.conversation_id;
    upsert(app, message, Outbox::Stored);
    let still_waiting = app
        .conversation(conversation)
        .and_then(|c| c.messages.iter().find(|m| m.message.id == id))
        .is_some_and(|m| m.message.awaits(app.me.id));
    if !still_waiting {
        // Read here a moment ago; the server will hear of it.
        return Vec::new();
    }
    app.pulse_on = true;
    vec![Effect::Notify(format!(
        "Urgent message - {}",
        app.team_label
    ))]
}

/// A recipient acknowledged an urgent message (I, elsewhere, or someone I sent it to).
pub(super) fn acknowledged(
    app: &mut App,
    conversation_id: Uuid,
    message_id: Uuid,
    user_id: Uuid,
    at: chrono::DateTime<chrono::Utc>,
) {
    if let Some(m) = app
        .conversation_mut(conversation_id)
        .and_then(|c| c.messages.iter_mut().find(|m| m.message.id == message_id))
    {
        m.message.acknowledge(user_id, at);
    }
    if !app.alert_active() {
        app.pulse_on = false;
    }
}

/// Someone I named as not having answered my urgent message has now read it (`ack`:
/// acknowledged it). Once all have answered, as the message asks, the notice goes: the
/// bar must not keep me chasing a colleague who is already on it.
pub(super) fn answered(app: &mut App, message_id: Uuid, user_id: Uuid, ack: bool) {
    let Some(i) = app
        .unanswered
        .iter()
        .position(|u| u.message_id == message_id)
    else {
        return;
    };
    let notice = &mut app.unanswered[i];
    if notice.ack_required && !ack {
        return;
    }
    let Some(at) = notice.waiting.iter().position(|&w| w == user_id) else {
        return;
    };
    notice.waiting.remove(at);
    if at < notice.names.len() {
        notice.names.remove(at);
    }
    if notice.waiting.is_empty() {
        app.unanswered.remove(i);
    }
}

/// My urgent message's window closed with people still unread: said until I open it or
/// they answer.
pub(super) fn unanswered(app: &mut App, notice: Unanswered) -> Vec<Effect> {
    app.unanswered.retain(|u| u.message_id != notice.message_id);
    app.unanswered.push(notice);
    vec![Effect::Notify(format!(
        "Urgent message unanswered - {}",
        app.team_label
    ))]
}

/// An urgent message to a role moved to whoever holds it now: the old holders are no
/// longer asked; its sender hears where it went.
pub(super) fn handed(
    app: &mut App,
    message_id: Uuid,
    conversation_id: Uuid,
    role: &str,
    from: &[crate::model::Member],
    to: &[crate::model::Member],
) -> Vec<Effect> {
    let me = app.me.id;
    let names = crate::model::names;
    if let Some(m) = app
        .conversation_mut(conversation_id)
        .and_then(|c| c.messages.iter_mut().find(|m| m.message.id == message_id))
    {
        m.message
            .receipts
            .retain(|r| !from.iter().any(|f| f.id == r.user_id));
    }
    app.notice = Some(if to.is_empty() {
        format!("Nobody holds {role} now: its urgent message went to its fallback.")
    } else if from.iter().any(|f| f.id == me) {
        format!(
            "{role} is with {} now: the urgent message went to them.",
            names(to)
        )
    } else {
        format!(
            "Your urgent message to {role} passed from {} to {}.",
            names(from),
            names(to)
        )
    });
    if !app.alert_active() {
        app.pulse_on = false;
    }
    // The thread's header names the role's holders: read it again.
    vec![Effect::LoadConversations]
}
