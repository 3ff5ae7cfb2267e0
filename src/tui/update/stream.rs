//! The server's event stream: the connection coming and going, and each event handed to
//! the part of the app it concerns.

use super::{lists, messaging, urgent};
use crate::client::StreamUpdate;
use crate::model::{EventKind, ReceiptState};
use crate::tui::action::Effect;
use crate::tui::app::{App, Connection, Unanswered};
use crate::tui::components::diagnostics;
use crate::tui::follow;

pub(super) fn on_stream(app: &mut App, update: StreamUpdate) -> Vec<Effect> {
    match update {
        StreamUpdate::Connected => {
            app.connection = Connection::Live;
            // What waits for me may have changed while the stream was down.
            vec![
                Effect::LoadAwaiting,
                Effect::LoadPolicy,
                Effect::LoadPresentation,
                Effect::LoadJobs,
            ]
        }
        StreamUpdate::Disconnected { reason, retry_in } => {
            let retry_at =
                app.now + chrono::Duration::from_std(retry_in).unwrap_or(chrono::Duration::zero());
            app.connection = Connection::Reconnecting { reason, retry_at };
            Vec::new()
        }
        StreamUpdate::SessionEnded => {
            app.connection = Connection::SessionEnded;
            app.notice = Some("Your session has ended; restart wardround to log in again.".into());
            Vec::new()
        }
        StreamUpdate::Event(event) => on_event(app, event.kind),
    }
}

fn on_event(app: &mut App, kind: EventKind) -> Vec<Effect> {
    match kind {
        EventKind::Message { message } => messaging::arrived(app, message),
        EventKind::Receipt {
            message_id,
            conversation_id,
            user_id,
            state,
            at,
        } => {
            messaging::receipt(app, conversation_id, message_id, user_id, state, at);
            if state == ReceiptState::Read {
                urgent::answered(app, message_id, user_id, false);
            }
            Vec::new()
        }
        EventKind::Acknowledged {
            message_id,
            conversation_id,
            user_id,
            at,
        } => {
            urgent::acknowledged(app, conversation_id, message_id, user_id, at);
            urgent::answered(app, message_id, user_id, true);
            Vec::new()
        }
        EventKind::Renotify { message, .. } => urgent::renotified(app, message),
        EventKind::Unanswered {
            message_id,
            conversation_id,
            sent_at,
            names,
            waiting,
            ack_required,
            escalated_to,
        } => urgent::unanswered(
            app,
            Unanswered {
                message_id,
                conversation_id,
                sent_at,
                names,
                waiting,
                ack_required,
                escalated_to,
            },
        ),
        EventKind::List { list } => lists::list_changed(app, list),
        EventKind::ListDeleted { list_id } => lists::list_deleted(app, list_id),
        EventKind::ListFilled { list_id, .. } => lists::list_filled(app, list_id),
        EventKind::Presentation { presentation } => {
            follow::presentation_changed(app, Some(presentation))
        }
        EventKind::SharedView { presenter, view } => {
            if app
                .presentation
                .as_ref()
                .is_some_and(|p| p.presenter.id == presenter)
            {
                follow::show(app, view)
            } else {
                Vec::new()
            }
        }
        EventKind::ConversationChanged { .. } => {
            // What I asked for is done: its line in the conversation says so.
            if app
                .notice
                .as_deref()
                .is_some_and(|n| n.starts_with("Removing ") || n.starts_with("Adding "))
            {
                app.notice = None;
            }
            vec![Effect::LoadConversations]
        }
        EventKind::ConversationLeft { conversation_id } => {
            messaging::left(app, conversation_id);
            vec![Effect::LoadConversations]
        }
        EventKind::Notice { text, .. } => {
            app.notice = Some(text);
            Vec::new()
        }
        EventKind::Handed {
            message_id,
            conversation_id,
            role,
            from,
            to,
        } => urgent::handed(app, message_id, conversation_id, &role, &from, &to),
        EventKind::Job { job } => super::jobs::heard(app, *job),
        EventKind::Plan { plan } => super::jobs::plan_heard(app, plan),
        EventKind::Pong { token } => {
            diagnostics::pong(app, token);
            Vec::new()
        }
    }
}
