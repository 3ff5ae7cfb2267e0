//! The one-line alert bar, always there. While an urgent message waits for me it pulses
//! (steady under reduced motion), and so does an urgent job for me until I have seen it;
//! an important message gets a steady mark, and so does a job of mine past its due time;
//! my own urgent message that nobody answered gets a steady warning.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::ago;
use crate::model::ConversationKind;
use crate::tui::app::{App, UrgentWaiting};
use crate::tui::keymap::{Command, Scope};
use crate::tui::theme::{Role, Theme};

/// When the message whose age the bar shows was sent (an urgent one, else important):
/// the bar is drawn again as that age moves on, not only on the pulse.
pub fn shown_since(app: &App) -> Option<chrono::DateTime<chrono::Utc>> {
    if let Some(oldest) = app.urgent_waiting().first() {
        return Some(oldest.message.sent_at);
    }
    if !app.unanswered.is_empty() || !app.jobs.urgent_unseen().is_empty() {
        return None;
    }
    app.important_waiting()
        .first()
        .map(|oldest| oldest.message.sent_at)
}

/// The bar's text and role, from the app alone.
pub fn content(app: &App) -> (String, Role) {
    let jump = key_for(app, Command::JumpToUrgent);
    let urgent = app.urgent_waiting();
    if let Some(oldest) = urgent.first() {
        let role = if app.reduced_motion {
            Role::AlertSteady
        } else if app.pulse_on {
            Role::AlertPulseA
        } else {
            Role::AlertPulseB
        };
        let me = app.me.id;
        let read_unacked = oldest
            .message
            .receipt_of(me)
            .is_some_and(|r| r.state == crate::model::ReceiptState::Read);
        let (label, hint) = if read_unacked {
            (
                "‼ URGENT · ACK NEEDED",
                format!("[{}] ack", key_for(app, Command::Acknowledge)),
            )
        } else {
            ("‼ URGENT", format!("[{jump}] open"))
        };
        let mut text = format!(
            " {label}  {} · {} · {} · {} waiting",
            oldest.message.sender_name,
            place(app, oldest),
            ago((app.now - oldest.message.sent_at).num_seconds()),
            urgent.len(),
        );
        if !app.unanswered.is_empty() {
            text.push_str(&format!(" · {} of yours unanswered", app.unanswered.len()));
        }
        text.push_str(&format!("   {hint} "));
        return (text, role);
    }
    let urgent_jobs = app.jobs.urgent_unseen();
    if let Some(first) = urgent_jobs.first() {
        let role = if app.reduced_motion {
            Role::AlertSteady
        } else if app.pulse_on {
            Role::AlertPulseA
        } else {
            Role::AlertPulseB
        };
        // Never the job's words: the bar is read across the room.
        let text = format!(
            " ‼ URGENT JOB  from {} · {} · {} for you   [{jump}] open ",
            first.created_by.display_name,
            bed(app, &first.patient),
            urgent_jobs.len(),
        );
        return (text, role);
    }
    if let Some(notice) = app.unanswered.first() {
        let mut text = format!(
            " ⚠ UNANSWERED  your urgent message of {} · not read by {}",
            notice
                .sent_at
                .with_timezone(&app.utc_offset)
                .format("%H:%M"),
            notice.names.join(", ")
        );
        if let Some(to) = &notice.escalated_to {
            text.push_str(&format!(" · escalated to {to}"));
        }
        text.push_str(&format!("   [{jump}] open "));
        return (text, Role::AlertUnanswered);
    }
    let important = app.important_waiting();
    if let Some(oldest) = important.first() {
        let text = format!(
            " ! IMPORTANT  {} · {} · {} · {} waiting   [{jump}] open ",
            oldest.message.sender_name,
            place(app, oldest),
            ago((app.now - oldest.message.sent_at).num_seconds()),
            important.len(),
        );
        return (text, Role::AlertImportant);
    }
    let overdue = app.jobs.overdue_mine(app.now);
    if let Some(first) = overdue.first() {
        let due = first
            .due_at
            .map(|d| crate::tui::jobs::due_label(d, app.now, app.utc_offset))
            .unwrap_or_default();
        let text = format!(
            " ! OVERDUE JOB  {} · due {due} · {} overdue   [{jump}] open ",
            bed(app, &first.patient),
            overdue.len(),
        );
        return (text, Role::AlertImportant);
    }
    if app.offline() {
        // Without the event stream nothing new can arrive: "none waiting" would be a
        // promise the app cannot keep.
        return (
            " offline — urgent messages may be waiting".into(),
            Role::Warning,
        );
    }
    (" No urgent messages waiting".into(), Role::AlertIdle)
}

/// The bar's text in `width` columns: its fields (` · ` apart) give way from the last,
/// keeping who sent it and who has not read it, then the key hint goes; a word is never
/// cut while a field can go instead.
pub fn fitted(text: &str, width: usize) -> String {
    let fits = |t: &str| t.chars().count() <= width;
    if fits(text) {
        return text.to_string();
    }
    let (head, hint) = match text.rfind("   [") {
        Some(at) => (&text[..at], Some(text[at..].to_string())),
        None => (text, None),
    };
    let (label, body) = match head.find("  ") {
        Some(at) if at > 0 => (&head[..at + 2], &head[at + 2..]),
        _ => (head, ""),
    };
    let mut fields: Vec<&str> = body.split(" · ").filter(|f| !f.is_empty()).collect();
    // Who sent it (the first field), or for my unanswered message who has not read it.
    let unread_by = fields.iter().any(|f| f.starts_with("not read by"));
    let keep = |i: usize, f: &str| {
        if unread_by {
            f.starts_with("not read by")
        } else {
            i == 0
        }
    };
    let join = |fields: &[&str], hint: Option<&str>| {
        format!("{label}{}{}", fields.join(" · "), hint.unwrap_or(" "))
    };
    loop {
        if fits(&join(&fields, hint.as_deref())) {
            return join(&fields, hint.as_deref());
        }
        let Some(drop) = (0..fields.len()).rev().find(|&i| !keep(i, fields[i])) else {
            break;
        };
        fields.remove(drop);
    }
    let bare = join(&fields, None);
    if fits(&bare) {
        return bare;
    }
    let mut cut: String = bare.chars().take(width.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

pub fn render(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let (text, role) = content(app);
    let text = fitted(&text, usize::from(area.width));
    // A taller bar (the big screen's) has its words on the middle row.
    let above = vec![Line::default(); usize::from(area.height.saturating_sub(1) / 2)];
    if !matches!(role, Role::AlertPulseA | Role::AlertPulseB) {
        let style = theme.style(role);
        let mut lines = above;
        lines.push(Line::from(Span::styled(text, style)));
        frame.render_widget(Paragraph::new(lines).style(style), area);
        return;
    }
    // Only the badge pulses; the rest of the bar holds the steady urgent colour. Each step
    // then rewrites a dozen cells, not the whole width: a few dozen bytes over SSH.
    let badge_end = text.find("  ").map_or(text.len(), |i| i + 1);
    let (badge, rest) = text.split_at(badge_end);
    let steady = theme.style(Role::AlertSteady);
    let mut lines = above;
    lines.push(Line::from(vec![
        Span::styled(badge.to_string(), theme.style(role)),
        Span::styled(rest.to_string(), steady),
    ]));
    frame.render_widget(Paragraph::new(lines).style(steady), area);
}

/// Where the message is: the patient's bed (never the name: the bar is seen across the
/// room), a 1:1, or the conversation's name.
fn place(app: &App, w: &UrgentWaiting<'_>) -> String {
    match (&w.conversation.info.subject, w.conversation.info.kind) {
        (Some(patient), _) => match app.bed_of(patient) {
            Some(bed) => format!("bed {bed}"),
            None => "a patient".into(),
        },
        (None, ConversationKind::Direct) => "1:1".into(),
        _ => w.conversation.info.title.clone(),
    }
}

/// A job's patient as the bar may name them: by bed only.
fn bed(app: &App, patient: &str) -> String {
    match app.bed_of(patient) {
        Some(bed) => format!("bed {bed}"),
        None => "a patient".into(),
    }
}

fn key_for(app: &App, command: Command) -> String {
    app.keymap
        .in_scope(Scope::Global)
        .find(|b| b.command == command)
        .and_then(|b| b.keys.first())
        .map(|k| k.label())
        .unwrap_or_default()
}
