//! Where data from outside enters the client's state: every string is sanitized here,
//! once, so nothing drawn later can carry a terminal control sequence. `update` passes
//! each action through [`action`] before anything else sees it.

use super::action::Action;
use crate::client::{ClientError, StreamUpdate};
use crate::model::{
    Cell, CellValue, Conversation, EffectivePolicy, Event, EventKind, ListRows, Message,
    PatientDetail, PatientList, PatientSummary, Presentation, SharedView,
};
use crate::sanitize::{expand_tabs, sanitize};

/// The action with every string from the server or the EHR cleaned.
pub fn action(action: Action) -> Action {
    match action {
        Action::ListsLoaded(Ok(lists)) => {
            Action::ListsLoaded(Ok(lists.into_iter().map(list).collect()))
        }
        Action::ListCreated(l) => Action::ListCreated(list(l)),
        Action::RowsLoaded(Ok(r)) => Action::RowsLoaded(Ok(rows(r))),
        Action::ConversationsLoaded(Ok(cs)) => {
            Action::ConversationsLoaded(Ok(cs.into_iter().map(conversation).collect()))
        }
        Action::PatientConversationOpened(Ok(c)) => {
            Action::PatientConversationOpened(Ok(conversation(c)))
        }
        Action::DetailLoaded(patient, Ok(d)) => {
            Action::DetailLoaded(patient, Ok(Box::new(detail(*d))))
        }
        Action::SearchResults(query, Ok(found)) => {
            Action::SearchResults(query, Ok(found.into_iter().map(summary).collect()))
        }
        Action::MessagesLoaded(id, Ok(ms)) => {
            Action::MessagesLoaded(id, Ok(ms.into_iter().map(message).collect()))
        }
        Action::AwaitingLoaded(Ok(ms)) => {
            Action::AwaitingLoaded(Ok(ms.into_iter().map(message).collect()))
        }
        Action::Sent(m) => Action::Sent(message(m)),
        Action::PolicyLoaded(Ok(p)) => Action::PolicyLoaded(Ok(policy(p))),
        Action::PresentationLoaded(Ok(p)) => Action::PresentationLoaded(Ok(p.map(presentation))),
        // The server's reason is shown in the password dialog.
        Action::PasswordChanged(Err(e)) => Action::PasswordChanged(Err(client_error(e))),
        Action::Stream(StreamUpdate::Event(e)) => Action::Stream(StreamUpdate::Event(event(e))),
        other => other,
    }
}

/// Pasted text for the chat composer (one line). A paste into the lock screen is a
/// password and is kept as typed.
pub fn pasted(text: &str) -> String {
    sanitize(text).replace('\n', " ")
}

fn event(mut e: Event) -> Event {
    e.kind = match e.kind {
        EventKind::Message { message: m } => EventKind::Message {
            message: message(m),
        },
        EventKind::Renotify {
            message: m,
            attempt,
            of,
        } => EventKind::Renotify {
            message: message(m),
            attempt,
            of,
        },
        EventKind::List { list: l } => EventKind::List { list: list(l) },
        EventKind::Presentation { presentation: p } => EventKind::Presentation {
            presentation: presentation(p),
        },
        EventKind::SharedView { presenter, view } => EventKind::SharedView {
            presenter,
            view: shared_view(view),
        },
        EventKind::Unanswered {
            message_id,
            conversation_id,
            sent_at,
            names,
            escalated_to,
        } => EventKind::Unanswered {
            message_id,
            conversation_id,
            sent_at,
            names: names.iter().map(|n| sanitize(n)).collect(),
            escalated_to: escalated_to.map(|t| sanitize(&t)),
        },
        other => other,
    };
    e
}

fn list(mut l: PatientList) -> PatientList {
    l.name = sanitize(&l.name);
    l
}

fn client_error(e: ClientError) -> ClientError {
    match e {
        ClientError::Unreachable { url, reason } => ClientError::Unreachable {
            url: sanitize(&url),
            reason: sanitize(&reason),
        },
        ClientError::Rejected { status, detail } => ClientError::Rejected {
            status,
            detail: sanitize(&detail),
        },
        ClientError::Protocol(what) => ClientError::Protocol(sanitize(&what)),
    }
}

fn message(mut m: Message) -> Message {
    m.body = expand_tabs(&sanitize(&m.body));
    m.sender_name = sanitize(&m.sender_name);
    m
}

fn policy(mut p: EffectivePolicy) -> EffectivePolicy {
    p.policy.name = sanitize(&p.policy.name);
    p.source = sanitize(&p.source);
    p
}

fn conversation(mut c: Conversation) -> Conversation {
    c.title = sanitize(&c.title);
    c.subject = c.subject.map(|s| sanitize(&s));
    for member in &mut c.members {
        member.display_name = sanitize(&member.display_name);
        member.role = sanitize(&member.role);
    }
    c
}

fn rows(mut r: ListRows) -> ListRows {
    r.list.name = sanitize(&r.list.name);
    for row in &mut r.rows {
        for cell in row.columns.values_mut() {
            clean_cell(cell);
        }
    }
    r
}

fn clean_cell(cell: &mut Cell) {
    // Cells are one line: a newline from the EHR would break the table.
    cell.text = sanitize(&cell.text).replace(['\n', '\t'], " ");
    if let Some(CellValue::Text(t)) = &mut cell.value {
        *t = sanitize(t);
    }
}

fn detail(mut d: PatientDetail) -> PatientDetail {
    // Round-trip through JSON so every string, however nested, passes the sanitizer.
    if let Ok(mut v) = serde_json::to_value(&d) {
        clean_json(&mut v);
        if let Ok(clean) = serde_json::from_value(v) {
            d = clean;
        }
    }
    d
}

fn clean_json(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::String(s) => *s = sanitize(s).replace(['\n', '\t'], " "),
        serde_json::Value::Array(a) => a.iter_mut().for_each(clean_json),
        serde_json::Value::Object(o) => o.values_mut().for_each(clean_json),
        _ => {}
    }
}

fn summary(mut s: PatientSummary) -> PatientSummary {
    for field in [&mut s.name, &mut s.mrn, &mut s.birth_date, &mut s.sex] {
        *field = sanitize(field).replace(['\n', '\t'], " ");
    }
    s
}

fn presentation(mut p: Presentation) -> Presentation {
    for m in std::iter::once(&mut p.presenter)
        .chain(std::iter::once(&mut p.controller))
        .chain(&mut p.followers)
    {
        m.display_name = sanitize(&m.display_name);
        m.role = sanitize(&m.role);
    }
    if let Some(v) = &mut p.view {
        v.patient = v.patient.as_deref().map(sanitize);
    }
    p
}

fn shared_view(mut v: SharedView) -> SharedView {
    v.patient = v.patient.as_deref().map(sanitize);
    v
}
