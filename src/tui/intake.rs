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

/// The action with every string from the server or the EHR cleaned, error texts too
/// (a server's or a proxy's words reach the status bar and the dialogs).
pub fn action(action: Action) -> Action {
    use Action as A;
    match action {
        A::ListsLoaded(r) => A::ListsLoaded(each(r, list)),
        A::ListCreated(l) => A::ListCreated(list(l)),
        A::RowsLoaded(r) => A::RowsLoaded(clean(r, rows)),
        A::ConversationsLoaded(r) => A::ConversationsLoaded(each(r, conversation)),
        A::PatientConversationOpened(r) => A::PatientConversationOpened(clean(r, conversation)),
        A::DetailLoaded(patient, r) => A::DetailLoaded(patient, clean(r, |d| Box::new(detail(*d)))),
        A::SearchResults(query, r) => A::SearchResults(query, each(r, summary)),
        A::WardResults(query, r) => A::WardResults(query, clean(r, via_json)),
        A::MessagesLoaded(id, r) => A::MessagesLoaded(id, each(r, message)),
        A::OlderLoaded {
            conversation,
            before,
            page,
        } => A::OlderLoaded {
            conversation,
            before,
            page: each(page, message),
        },
        A::AwaitingLoaded(r) => A::AwaitingLoaded(each(r, message)),
        A::Sent(m) => A::Sent(message(m)),
        A::SendRefused { id, reason } => A::SendRefused {
            id,
            reason: sanitize(&reason),
        },
        A::PolicyLoaded(r) => A::PolicyLoaded(clean(r, policy)),
        A::PresentationLoaded(r) => A::PresentationLoaded(clean(r, |p| p.map(presentation))),
        A::Unlocked(r) => A::Unlocked(r.map_err(client_error)),
        // The server's reason is shown in the password dialog.
        A::PasswordChanged(r) => A::PasswordChanged(r.map_err(client_error)),
        A::Failed(why) => A::Failed(sanitize(&why)),
        A::Done(what) => A::Done(sanitize(&what)),
        A::FetchFailed(why) => A::FetchFailed(sanitize(&why)),
        A::DirectoryResults(q, r) => A::DirectoryResults(q, clean(r, via_json)),
        A::ConversationOpened(r) => A::ConversationOpened(clean(r, conversation)),
        A::StatusSet(r) => A::StatusSet(clean(r, |p| p)),
        A::OnCallChanged(r) => A::OnCallChanged(clean(r, via_json)),
        A::Stream(StreamUpdate::Event(e)) => A::Stream(StreamUpdate::Event(event(e))),
        A::JobsLoaded(r) => A::JobsLoaded(each(r, via_json)),
        A::JobSaved(r) => A::JobSaved(clean(r, via_json)),
        A::PlanSaved(r) => A::PlanSaved(clean(r, plan)),
        A::HandoverLoaded(list, r) => A::HandoverLoaded(
            list,
            clean(r, |mut sheet| {
                for row in &mut sheet.rows {
                    row.plan = row.plan.take().map(plan);
                }
                via_json_keeping_plans(sheet)
            }),
        ),
        A::Stream(StreamUpdate::Disconnected { reason, retry_in }) => {
            A::Stream(StreamUpdate::Disconnected {
                reason: sanitize(&reason),
                retry_in,
            })
        }
        other => other,
    }
}

/// A load's answer cleaned: the value by `f`, the error text by the sanitiser.
fn clean<T>(r: Result<T, String>, f: impl FnOnce(T) -> T) -> Result<T, String> {
    r.map(f).map_err(|e| sanitize(&e))
}

fn each<T>(r: Result<Vec<T>, String>, f: impl FnMut(T) -> T) -> Result<Vec<T>, String> {
    clean(r, |v| v.into_iter().map(f).collect())
}

/// Pasted text for the chat composer (one line). A paste into the lock screen is a
/// password and is kept as typed.
pub fn pasted(text: &str) -> String {
    // A line break or a TAB drawn raw would move the terminal's cursor past what ratatui
    // thinks it drew: each is a space, as the words they separated need one.
    sanitize(&text.replace("\r\n", " ").replace(['\r', '\n', '\t'], " "))
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
            waiting,
            ack_required,
            escalated_to,
        } => EventKind::Unanswered {
            message_id,
            conversation_id,
            sent_at,
            names: names.iter().map(|n| sanitize(n)).collect(),
            waiting,
            ack_required,
            escalated_to: escalated_to.map(|t| sanitize(&t)),
        },
        EventKind::Notice {
            conversation_id,
            text,
        } => EventKind::Notice {
            conversation_id,
            text: sanitize(&text).replace(['\n', '\t'], " "),
        },
        handed @ EventKind::Handed { .. } => via_json(handed),
        EventKind::Job { job } => EventKind::Job {
            job: Box::new(via_json(*job)),
        },
        EventKind::Plan { plan: p } => EventKind::Plan { plan: plan(p) },
        other => other,
    };
    e
}

/// Every string in `value`, however nested, through the sanitiser (by way of its JSON).
fn via_json<T: serde::Serialize + serde::de::DeserializeOwned>(value: T) -> T {
    match serde_json::to_value(&value) {
        Ok(mut v) => {
            clean_json(&mut v);
            serde_json::from_value(v).unwrap_or(value)
        }
        Err(_) => value,
    }
}

/// A plan cleaned line by line: its line breaks are its own.
fn plan(mut p: crate::model::Plan) -> crate::model::Plan {
    p.text = p
        .text
        .lines()
        .map(|l| sanitize(l).replace('\t', " "))
        .collect::<Vec<_>>()
        .join("\n");
    p.written_by = via_json(p.written_by);
    p.patient = sanitize(&p.patient);
    p
}

/// `via_json`, with each plan (already cleaned by [`plan`]) kept as it is.
fn via_json_keeping_plans(mut sheet: crate::model::HandoverSheet) -> crate::model::HandoverSheet {
    let plans: Vec<Option<crate::model::Plan>> =
        sheet.rows.iter_mut().map(|r| r.plan.take()).collect();
    let mut sheet = via_json(sheet);
    for (row, plan) in sheet.rows.iter_mut().zip(plans) {
        row.plan = plan;
    }
    sheet
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
    c.role = c.role.map(via_json);
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
    let kept = d.plan.take().map(plan);
    let d = detail_strings(d);
    PatientDetail { plan: kept, ..d }
}

fn detail_strings(mut d: PatientDetail) -> PatientDetail {
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

#[cfg(test)]
mod tests {
    use super::*;

    const HOSTILE: &str = "\u{1b}]0;pwned\u{7}\u{1b}[2Jgone";

    fn clean_text(s: &str) -> bool {
        !s.contains('\u{1b}') && !s.contains('\u{7}') && s.contains("gone")
    }

    #[test]
    fn error_texts_from_outside_are_cleaned_too() {
        let Action::Failed(why) = action(Action::Failed(HOSTILE.into())) else {
            panic!("still a failure")
        };
        assert!(clean_text(&why), "{why:?}");
        let Action::RowsLoaded(Err(why)) = action(Action::RowsLoaded(Err(HOSTILE.into()))) else {
            panic!("still a failed load")
        };
        assert!(clean_text(&why), "{why:?}");
        let refused = action(Action::SendRefused {
            id: uuid::Uuid::nil(),
            reason: HOSTILE.into(),
        });
        let Action::SendRefused { reason, .. } = refused else {
            panic!("still refused")
        };
        assert!(clean_text(&reason), "{reason:?}");
        let dropped = action(Action::Stream(StreamUpdate::Disconnected {
            reason: HOSTILE.into(),
            retry_in: std::time::Duration::from_secs(1),
        }));
        let Action::Stream(StreamUpdate::Disconnected { reason, .. }) = dropped else {
            panic!("still a disconnection")
        };
        assert!(clean_text(&reason), "{reason:?}");
        let refused = action(Action::Unlocked(Err(ClientError::Rejected {
            status: 403,
            detail: HOSTILE.into(),
        })));
        let Action::Unlocked(Err(ClientError::Rejected { detail, .. })) = refused else {
            panic!("still rejected")
        };
        assert!(clean_text(&detail), "{detail:?}");
    }
}
