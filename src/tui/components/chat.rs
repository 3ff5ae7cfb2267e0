//! The open conversation: messages with priority cues and receipts, and the composer.

use crossterm::event::KeyCode;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;
use unicode_width::UnicodeWidthChar;

use super::{pane_block, truncate};
use crate::model::{ConversationKind, Priority, ReceiptState};
use crate::tui::action::Effect;
use crate::tui::app::{App, ChatMessage, ConversationState, Older, Outbox, Pane};
use crate::tui::keymap::{Binding, Command, KeyPress, Scope};
use crate::tui::theme::{Role, Theme};

pub fn bindings() -> Vec<Binding> {
    use Command::*;
    let s = Scope::Chat;
    vec![
        Binding::new(
            s,
            &[KeyPress::plain(KeyCode::Enter)],
            Send,
            "Send the message",
        )
        .hint("send"),
        Binding::new(
            s,
            &[KeyPress::plain(KeyCode::Esc)],
            LeaveChat,
            "Back to the conversation list",
        )
        .hint("back"),
        Binding::new(
            s,
            &[KeyPress::plain(KeyCode::PageUp)],
            ScrollOlder,
            "Scroll to older messages",
        )
        .hint("scroll"),
        Binding::new(
            s,
            &[KeyPress::plain(KeyCode::PageDown)],
            ScrollNewer,
            "Scroll to newer messages",
        ),
        Binding::new(
            s,
            &[KeyPress::ctrl('p'), KeyPress::plain(KeyCode::F(3))],
            CyclePriority,
            "Next priority (normal, !, ‼)",
        )
        .hint("priority"),
        Binding::new(
            s,
            &[KeyPress::ctrl('r')],
            ShowReceiptNames,
            "Who has read my messages",
        )
        .hint("who read"),
        Binding::new(
            s,
            &[KeyPress::ctrl('t'), KeyPress::plain(KeyCode::F(6))],
            JobFromMessage,
            "A job from the newest message",
        )
        .hint("job"),
    ]
}

/// `Ctrl-T`: the job form, from the newest message someone else wrote here, on the
/// chat's patient (a patient's chat) or else the patient selected on the list.
fn job_from_message(app: &mut App) -> Vec<Effect> {
    let me = app.me.id;
    let Some(conversation) = app.open() else {
        return Vec::new();
    };
    let message = conversation
        .messages
        .iter()
        .rev()
        .map(|m| &m.message)
        .find(|m| m.sender_id != me && m.sender_id != crate::model::SYSTEM_SENDER)
        .map(|m| (m.id, m.body.replace('\n', " "), m.priority));
    let on_selected = conversation.info.subject.is_none();
    let patient = conversation
        .info
        .subject
        .clone()
        .or_else(|| app.patients.selected_row().map(|r| r.patient.clone()));
    match (message, patient) {
        (None, _) => {
            app.notice = Some("No message from someone else here to make a job of.".into());
            Vec::new()
        }
        (_, None) => {
            app.notice =
                Some("Select the patient on the list first: a job is on a patient.".into());
            Vec::new()
        }
        (Some((id, body, priority)), Some(patient)) => {
            let from = super::job_form::FromMessage {
                id,
                body,
                priority,
                on_selected,
            };
            super::job_form::open(app, patient, Some(from))
        }
    }
}

/// Text typed into the composer.
pub fn type_char(app: &mut App, c: char) {
    app.chat.composer.insert(c, crate::model::MAX_BODY_CHARS);
}

pub fn handle(app: &mut App, command: Command) -> Vec<Effect> {
    match command {
        Command::Send => return send(app),
        Command::LeaveChat => app.focus = Pane::Conversations,
        Command::Edit(edit) => {
            app.chat.composer.edit(edit);
        }
        Command::ScrollOlder => return scroll_older(app),
        Command::ScrollNewer => app.chat.scroll = app.chat.scroll.saturating_sub(5),
        Command::CyclePriority => {
            let next = |p| match p {
                Priority::Normal => Priority::Important,
                Priority::Important => Priority::Urgent,
                Priority::Urgent => Priority::Normal,
            };
            let mut p = next(app.chat.priority);
            while !app.may_send(p) {
                p = next(p);
            }
            app.chat.priority = p;
        }
        Command::ShowReceiptNames => app.show_receipt_names = !app.show_receipt_names,
        Command::JobFromMessage => return job_from_message(app),
        _ => {}
    }
    Vec::new()
}

/// Up through the chat; scrolling on at the top asks for the page before the first
/// message shown (once: until it comes, or for good once the start is reached).
fn scroll_older(app: &mut App) -> Vec<Effect> {
    let wanted = app.chat.scroll.saturating_add(5);
    let (Some(id), Some(area)) = (app.chat.open, crate::tui::view::chat_messages_area(app)) else {
        app.chat.scroll = wanted;
        return Vec::new();
    };
    let Some(c) = app.conversation(id) else {
        return Vec::new();
    };
    let lines = message_lines(app, c, &Theme::bare(), usize::from(area.width)).len();
    let top = lines.saturating_sub(usize::from(area.height));
    let first = c
        .messages
        .iter()
        .find(|m| m.outbox == Outbox::Stored)
        .map(|m| m.message.id);
    // Held at the top: a page arriving then shows above what is on screen, not in place
    // of it.
    app.chat.scroll = wanted.min(top);
    match first {
        Some(before) if wanted > top && !app.chat.older.contains_key(&id) => {
            app.chat.older.insert(id, Older::Loading { before });
            vec![Effect::LoadOlder {
                conversation: id,
                before,
            }]
        }
        _ => Vec::new(),
    }
}

/// The chat's message lines within `area`, the pane: above the composer, inside the
/// borders.
pub fn messages_area(area: Rect) -> Rect {
    let [messages, _composer] =
        Layout::vertical([Constraint::Min(1), Constraint::Length(3)]).areas(area);
    ratatui::widgets::Block::bordered().inner(messages)
}

fn send(app: &mut App) -> Vec<Effect> {
    let body = app.chat.composer.as_str().trim().to_string();
    let Some(conversation) = app.chat.open else {
        app.notice = Some("Open a conversation first.".into());
        return Vec::new();
    };
    if body.is_empty() {
        return Vec::new();
    }
    let id = app.ids.next_id();
    let priority = app.chat.priority;
    let message = crate::model::NewMessage {
        id,
        body: body.clone(),
        priority,
    };
    let local = crate::model::Message {
        id,
        conversation_id: conversation,
        sender_id: app.me.id,
        sender_name: app.me.display_name.clone(),
        body,
        priority,
        sent_at: app.now,
        receipts: Vec::new(),
        ack_required: false,
        escalation_of: None,
    };
    if let Some(c) = app.conversation_mut(conversation) {
        c.messages.push(ChatMessage {
            message: local,
            outbox: Outbox::Sending,
        });
    }
    app.chat.composer.clear();
    // Each message is sent at normal priority unless asked otherwise.
    app.chat.priority = Priority::Normal;
    app.chat.scroll = 0;
    vec![Effect::Send {
        conversation,
        message,
    }]
}

/// What the sender sees of a message's progress: ✓ stored, ✓✓ delivered, then read.
pub fn receipt_mark(c: &ConversationState, m: &ChatMessage) -> String {
    match &m.outbox {
        Outbox::Sending => return "sending…".into(),
        Outbox::Refused(_) => return "not sent".into(),
        Outbox::Stored => {}
    }
    let total = m.message.receipts.len();
    let read = m.message.count_at_least(ReceiptState::Read);
    let delivered = m.message.count_at_least(ReceiptState::Delivered);
    let mut mark: String = match c.info.kind {
        _ if total == 0 => "✓".into(),
        _ if read == total && total == 1 => "✓✓ read".into(),
        _ if read == total => format!("✓✓ read by all {total}"),
        _ if read > 0 => format!("✓✓ read by {read} of {total}"),
        _ if delivered == total => "✓✓".into(),
        _ => "✓".into(),
    };
    if m.message.priority == Priority::Urgent && total > 0 {
        let acked = m
            .message
            .receipts
            .iter()
            .filter(|r| r.acknowledged_at.is_some())
            .count();
        if acked > 0 {
            mark.push_str(&format!(" · acknowledged by {acked} of {total}"));
        }
    }
    mark
}

/// Who is at which state, by name: the names behind "read by 3 of 5".
fn receipt_names(c: &ConversationState, m: &ChatMessage) -> Vec<String> {
    let name = |id| {
        c.info
            .members
            .iter()
            .find(|member| member.id == id)
            .map_or_else(
                || "someone".to_string(),
                |member| member.display_name.clone(),
            )
    };
    let at = |state: ReceiptState| -> Vec<String> {
        m.message
            .receipts
            .iter()
            .filter(|r| r.state == state)
            .map(|r| name(r.user_id))
            .collect()
    };
    let mut out = Vec::new();
    for (label, names) in [
        ("read", at(ReceiptState::Read)),
        ("delivered", at(ReceiptState::Delivered)),
        ("not yet delivered", at(ReceiptState::Sent)),
    ] {
        if !names.is_empty() {
            out.push(format!("{label}: {}", names.join(", ")));
        }
    }
    let acked: Vec<String> = m
        .message
        .receipts
        .iter()
        .filter(|r| r.acknowledged_at.is_some())
        .map(|r| name(r.user_id))
        .collect();
    if !acked.is_empty() {
        out.push(format!("acknowledged: {}", acked.join(", ")));
    }
    out
}

fn ack_key(app: &App) -> String {
    app.keymap
        .in_scope(Scope::Global)
        .find(|b| b.command == Command::Acknowledge)
        .and_then(|b| b.keys.first())
        .map(|k| k.label())
        .unwrap_or_default()
}

/// Word-wraps to `width` columns, breaking words longer than a line.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        let mut used = 0;
        for word in paragraph.split(' ') {
            let w: usize = word.chars().map(|c| c.width().unwrap_or(0)).sum();
            if used > 0 && used + 1 + w > width {
                lines.push(std::mem::take(&mut line));
                used = 0;
            }
            if used > 0 {
                line.push(' ');
                used += 1;
            }
            for c in word.chars() {
                let cw = c.width().unwrap_or(0);
                if used + cw > width {
                    lines.push(std::mem::take(&mut line));
                    used = 0;
                }
                line.push(c);
                used += cw;
            }
        }
        lines.push(line);
    }
    lines
}

fn message_lines<'a>(
    app: &App,
    c: &ConversationState,
    theme: &Theme,
    width: usize,
) -> Vec<Line<'a>> {
    let mut lines = Vec::new();
    if app.chat.older.get(&c.info.id) == Some(&Older::Start) {
        lines.push(Line::from(Span::styled(
            "— start of conversation —",
            theme.style(Role::Muted),
        )));
    }
    for m in &c.messages {
        let msg = &m.message;
        // The server's own lines (who joined, who left) read as lines, not messages.
        if msg.sender_id == crate::model::SYSTEM_SENDER
            && msg.escalation_of.is_none()
            && msg.receipts.is_empty()
        {
            let time = msg
                .sent_at
                .with_timezone(&app.utc_offset)
                .format("%H:%M ")
                .to_string();
            for l in wrap(&format!("— {} —", msg.body), width.saturating_sub(6)) {
                lines.push(Line::from(vec![
                    Span::styled(time.clone(), theme.style(Role::Muted)),
                    Span::styled(l, theme.style(Role::Muted)),
                ]));
            }
            continue;
        }
        let mine = msg.sender_id == app.me.id;
        let who = if mine {
            "You".to_string()
        } else {
            msg.sender_name.clone()
        };
        let mut head = vec![
            Span::styled(
                msg.sent_at
                    .with_timezone(&app.utc_offset)
                    .format("%H:%M ")
                    .to_string(),
                theme.style(Role::Muted),
            ),
            Span::styled(who, theme.style(Role::Header)),
        ];
        if msg.escalation_of.is_some() {
            head.push(Span::styled(" ↪ ESCALATION", theme.style(Role::Warning)));
        }
        match msg.priority {
            Priority::Urgent => head.push(Span::styled(" ‼ URGENT", theme.style(Role::Urgent))),
            Priority::Important => {
                head.push(Span::styled(" ! IMPORTANT", theme.style(Role::Important)))
            }
            Priority::Normal => {}
        }
        if !mine && msg.priority == Priority::Urgent {
            match msg.receipt_of(app.me.id) {
                Some(r) if r.acknowledged_at.is_some() => head.push(Span::styled(
                    "  ✓ acknowledged",
                    theme.style(Role::ReceiptRead),
                )),
                Some(_) => head.push(Span::styled(
                    format!("  [{}] acknowledge", ack_key(app)),
                    theme.style(Role::Urgent),
                )),
                None => {}
            }
        }
        if mine {
            let mark = receipt_mark(c, m);
            let role = if mark.contains("read") {
                Role::ReceiptRead
            } else {
                Role::Receipt
            };
            head.push(Span::styled(format!("  {mark}"), theme.style(role)));
        }
        lines.push(Line::from(head));
        let body_role = match msg.priority {
            Priority::Urgent => Role::Urgent,
            _ => Role::Text,
        };
        for l in wrap(&msg.body, width.saturating_sub(2)) {
            lines.push(Line::from(Span::styled(
                format!("  {l}"),
                theme.style(body_role),
            )));
        }
        if mine && app.show_receipt_names && m.outbox == Outbox::Stored {
            for l in receipt_names(c, m) {
                lines.push(Line::from(Span::styled(
                    format!("  · {l}"),
                    theme.style(Role::Receipt),
                )));
            }
        }
        if let Outbox::Refused(reason) = &m.outbox {
            lines.push(Line::from(Span::styled(
                format!("  Not sent: {reason}"),
                theme.style(Role::Warning),
            )));
        }
    }
    lines
}

pub fn render(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let focused = app.focus == Pane::Chat;
    let Some(c) = app.open() else {
        let block = pane_block(" Chat ".into(), focused, theme);
        let hint = Paragraph::new("Choose a conversation and press Enter.")
            .style(theme.style(Role::Muted))
            .block(block);
        frame.render_widget(hint, area);
        return;
    };
    let [messages_area, composer_area] =
        Layout::vertical([Constraint::Min(1), Constraint::Length(3)]).areas(area);
    let who = match c.info.kind {
        ConversationKind::Direct => {
            // The other person's presence, in words: a reason the answer may wait.
            let away = c
                .info
                .members
                .iter()
                .filter(|m| m.id != app.me.id)
                .find_map(|m| c.info.presence.get(&m.id))
                .map(|p| match p.until {
                    Some(t) => format!(
                        " · {} until {}",
                        p.state.label(),
                        t.with_timezone(&app.utc_offset).format("%H:%M")
                    ),
                    None => format!(" · {}", p.state.label()),
                })
                .unwrap_or_default();
            format!(" {}{away} ", c.info.title)
        }
        ConversationKind::Role => match &c.info.role {
            Some(role) if role.holders.is_empty() => format!(
                " {} · nobody holds it{} ",
                role.name,
                role.fallback
                    .as_deref()
                    .map(|f| format!(": goes to {f}"))
                    .unwrap_or_default()
            ),
            Some(role) => format!(
                " {} → {} ",
                role.name,
                role.holders
                    .iter()
                    .map(|m| m.display_name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            None => format!(" {} · role ", c.info.title),
        },
        ConversationKind::Patient => {
            // Gone from the ward: the chat stays, and says why the patient is greyed.
            let gone = c
                .info
                .subject
                .as_deref()
                .and_then(|p| app.patients.mark(p).gone_at)
                .map(|at| {
                    let word = app
                        .patients
                        .source
                        .as_ref()
                        .map_or("gone", |s| s.gone_word());
                    let at = at.with_timezone(&app.utc_offset).format("%H:%M");
                    format!(" · {word} {at}, chat kept")
                })
                .unwrap_or_default();
            format!(
                " {}{gone} · patient chat · {} members ",
                app.title_of(c),
                c.info.members.len()
            )
        }
        _ => format!(" {} · {} members ", c.info.title, c.info.members.len()),
    };
    let block = pane_block(
        truncate(&who, area.width.saturating_sub(4) as usize),
        focused,
        theme,
    );
    let inner = block.inner(messages_area);
    let lines = message_lines(app, c, theme, inner.width as usize);
    // Newest at the bottom; scrolling moves up from there.
    let visible = inner.height as usize;
    let bottom = lines
        .len()
        .saturating_sub(app.chat.scroll.min(lines.len().saturating_sub(visible)));
    let top = bottom.saturating_sub(visible);
    let shown: Vec<Line> = lines[top..bottom].to_vec();
    frame.render_widget(Paragraph::new(shown).block(block), messages_area);

    let prompt_width = composer_area.width.saturating_sub(2) as usize;
    // As much of a long draft as fits, with the cursor in view.
    let (text, cursor) = app.chat.composer.window(prompt_width);
    // The priority is in words as well as colour.
    let (title, role) = match app.chat.priority {
        Priority::Normal => (" Message ".to_string(), None),
        Priority::Important => (" Message · ! IMPORTANT ".to_string(), Some(Role::Important)),
        Priority::Urgent => (" Message · ‼ URGENT ".to_string(), Some(Role::Urgent)),
    };
    let mut composer_block = pane_block(title, focused, theme);
    if let Some(role) = role {
        composer_block = composer_block.title_style(theme.style(role));
    }
    frame.render_widget(
        Paragraph::new(text.to_string()).block(composer_block),
        composer_area,
    );
    // The terminal's own cursor shows here and nowhere else: where the next letter goes,
    // for screen readers and input methods, and never blinking over the list.
    if focused && app.scope() == crate::tui::keymap::Scope::Chat {
        let x = composer_area.x + 1 + u16::try_from(cursor).unwrap_or(u16::MAX);
        frame.set_cursor_position((
            x.min(composer_area.right().saturating_sub(2)),
            composer_area.y + 1,
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn long_words_break_and_short_ones_wrap() {
        assert_eq!(
            wrap("call me on 4417 please", 10),
            vec!["call me on", "4417", "please"]
        );
        assert_eq!(wrap("abcdefghijkl", 5), vec!["abcde", "fghij", "kl"]);
        assert_eq!(wrap("one\ntwo", 10), vec!["one", "two"]);
    }
}
