//! The pure heart of the app: `update(app, action)` changes state and returns the effects
//! to run. No I/O, no clock, no randomness (see `App::now` and `App::ids`).

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use uuid::Uuid;

use super::action::{Action, Effect};
use super::app::{
    App, ChatMessage, Confirm, Connection, ConversationState, Outbox, Pane, Unanswered,
};
use super::components::{
    chat, column_picker, command_line, conversations, diagnostics, lock_screen, patient_list,
    patient_search, prompt,
};
use super::keymap::{Command, Scope};
use super::{follow, intake};
use crate::client::StreamUpdate;
use crate::model::{ColumnId, EventKind, Message, Priority, ReceiptState};

pub fn update(app: &mut App, action: Action) -> Vec<Effect> {
    let mut effects = match action {
        Action::Key(key) => on_key(app, key),
        Action::Paste(text) if app.lock.is_some() => {
            for c in text.chars().filter(|c| !c.is_control()) {
                lock_screen::type_char(app, c);
            }
            Vec::new()
        }
        Action::Paste(text) => {
            if app.focus == Pane::Chat && !app.show_help {
                for c in crate::sanitize::sanitize(&text).chars() {
                    chat::type_char(app, if c == '\n' { ' ' } else { c });
                }
            }
            Vec::new()
        }
        Action::Resize => Vec::new(),
        Action::Wheel { down } => wheel(app, down),
        Action::Tick => {
            let idle = (app.now - app.last_input).num_seconds();
            if app
                .idle_limit()
                .is_some_and(|limit| idle >= i64::try_from(limit).unwrap_or(i64::MAX))
            {
                lock_screen::lock(app, true)
            } else {
                Vec::new()
            }
        }
        Action::Unlocked(result) => {
            lock_screen::unlocked(app, result);
            Vec::new()
        }
        Action::PasswordChanged(result) => {
            super::components::prompt::password_changed(app, result);
            Vec::new()
        }
        Action::TerminalFocus(focused) => {
            app.terminal_focused = focused;
            Vec::new()
        }
        Action::Pulse => {
            app.pulse_on = app.alert_active() && !app.pulse_on;
            Vec::new()
        }
        Action::ListsLoaded(Ok(lists)) => {
            app.lists = lists
                .into_iter()
                .map(|mut l| {
                    l.name = crate::sanitize::sanitize(&l.name);
                    l
                })
                .collect();
            let keep = app
                .patients
                .list_id
                .filter(|id| app.lists.iter().any(|l| l.id == *id));
            match keep.or_else(|| app.lists.first().map(|l| l.id)) {
                Some(id) => show_list(app, id),
                None => {
                    app.patients.loading = false;
                    app.patients.error =
                        Some("You are not on any team with a patient list.".into());
                    Vec::new()
                }
            }
        }
        Action::ListCreated(mut list) => {
            list.name = crate::sanitize::sanitize(&list.name);
            if !app.lists.iter().any(|l| l.id == list.id) {
                app.lists.push(list.clone());
            }
            show_list(app, list.id)
        }
        Action::SearchResults(query, result) => {
            if let Some(search) = app.search.as_mut().filter(|s| s.query == query) {
                search.results =
                    Some(result.map(|found| found.into_iter().map(intake::summary).collect()));
                search.selected = 0;
                search.results_for = query;
            }
            Vec::new()
        }
        Action::RowsLoaded(Ok(rows)) => {
            let rows = intake::rows(rows);
            // A list's arrangement is applied when it is first shown, not on every reload:
            // the saved view (server) wins, then the config, then the built-in default.
            if app.patients.arranged_for != Some(rows.list.id) {
                app.patients.arranged_for = Some(rows.list.id);
                let prefs = app
                    .list_prefs
                    .get(&rows.list.name)
                    .cloned()
                    .unwrap_or_default();
                let saved = rows.view.clone().unwrap_or_default();
                let columns = [saved.columns, prefs.columns]
                    .into_iter()
                    .find(|c| !c.is_empty());
                app.patients.columns = columns.unwrap_or_else(|| ColumnId::DEFAULT.to_vec());
                app.patients.column = app
                    .patients
                    .column
                    .min(app.patients.columns.len().saturating_sub(1));
                if let Some(sort) = [saved.sort, prefs.sort].into_iter().find(|s| !s.is_empty()) {
                    app.patients.sort = sort;
                }
                app.patients.widths = saved.widths;
            }
            app.patients.title = rows.list.name;
            app.patients.set_rows(rows.rows);
            app.patients.loading = false;
            app.patients.error = None;
            app.patients.refresh();
            follow::rows_loaded(app);
            Vec::new()
        }
        Action::ListsLoaded(Err(e)) | Action::RowsLoaded(Err(e)) => {
            app.patients.loading = false;
            app.patients.error = Some(e);
            Vec::new()
        }
        Action::ConversationsLoaded(Ok(list)) => conversations_loaded(app, list),
        Action::DetailLoaded(patient, result) => {
            if let Some(d) = app.detail.as_mut().filter(|d| d.patient == patient) {
                d.loaded = Some(result.map(|d| intake::detail(*d)));
            }
            Vec::new()
        }
        Action::MessagesLoaded(id, Ok(messages)) => {
            let effects = messages_loaded(app, id, messages);
            sync_patient_unread(app);
            effects
        }
        Action::PolicyLoaded(Ok(policy)) => {
            let policy = intake::policy(policy);
            let was = app.policy.as_ref().map(|p| p.read_receipts_active);
            if was.is_some_and(|w| w != policy.read_receipts_active) {
                app.notice = Some(if policy.read_receipts_active {
                    "Read receipts on: colleagues see when you have read, and you see theirs."
                        .into()
                } else {
                    "Read receipts off: you neither send nor see them.".into()
                });
            }
            app.policy = Some(policy);
            if !app.may_send(app.composer_priority) {
                app.composer_priority = Priority::Normal;
            }
            Vec::new()
        }
        Action::AwaitingLoaded(Ok(messages)) => awaiting_loaded(app, messages),
        Action::PatientConversationOpened(Ok(info)) => {
            let info = intake::conversation(info);
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
        Action::ConversationsLoaded(Err(e))
        | Action::MessagesLoaded(_, Err(e))
        | Action::PolicyLoaded(Err(e))
        | Action::AwaitingLoaded(Err(e))
        | Action::PatientConversationOpened(Err(e))
        | Action::Failed(e) => {
            app.notice = Some(e);
            Vec::new()
        }
        Action::Sent(message) => {
            upsert(app, intake::message(message), Outbox::Stored);
            Vec::new()
        }
        Action::SendRefused { id, reason } => {
            for c in &mut app.conversations {
                if let Some(m) = c.messages.iter_mut().find(|m| m.message.id == id) {
                    m.outbox = Outbox::Refused(reason.clone());
                }
            }
            app.notice = Some(format!("Message not sent: {reason}"));
            Vec::new()
        }
        Action::Stream(update) => on_stream(app, update),
        Action::PresentationLoaded(Ok(p)) => {
            follow::presentation_changed(app, p.map(intake::presentation))
        }
        Action::PresentationLoaded(Err(e)) => {
            app.notice = Some(format!("Follow mode unavailable: {e}"));
            Vec::new()
        }
        Action::Diagnosed(report) => {
            diagnostics::report(app, report);
            Vec::new()
        }
    };
    effects.extend(mark_visible_read(app));
    effects.extend(follow::share(app));
    effects
}

fn on_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    if key.kind == KeyEventKind::Release {
        return Vec::new();
    }
    app.last_input = app.now;
    // Any key acknowledges the last notice.
    app.notice = None;
    // A question waiting for yes: `y` says it, any other key says no.
    if let Some(confirm) = app.confirm.take_if(|_| app.lock.is_none()) {
        return match (key.code, confirm) {
            (KeyCode::Char('y' | 'Y'), Confirm::RemovePatient { list, patient, .. }) => {
                vec![Effect::RemovePatient { list, patient }]
            }
            (KeyCode::Char('y' | 'Y'), Confirm::DeleteList { list, .. }) => {
                vec![Effect::DeleteList(list)]
            }
            (KeyCode::Char('y' | 'Y'), Confirm::QuitWithUnsent(_)) => {
                app.quit = true;
                vec![Effect::Quit]
            }
            _ => Vec::new(),
        };
    }
    let typing = app.typing();
    let scope = app.scope();
    let Some(command) = app.keymap.resolve(scope, typing, &key) else {
        if typing {
            if let KeyCode::Char(c) = key.code {
                if !key
                    .modifiers
                    .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
                {
                    match scope {
                        Scope::Lock => lock_screen::type_char(app, c),
                        Scope::Filter => patient_list::type_char(app, c),
                        Scope::Prompt => prompt::type_char(app, c),
                        Scope::Search => patient_search::type_char(app, c),
                        Scope::CommandLine => command_line::type_char(app, c),
                        _ => chat::type_char(app, c),
                    }
                }
            }
        }
        return Vec::new();
    };
    match command {
        Command::Quit => match app.unsent() {
            0 => {
                app.quit = true;
                vec![Effect::Quit]
            }
            n => {
                app.confirm = Some(Confirm::QuitWithUnsent(n));
                Vec::new()
            }
        },
        Command::ToggleHelp => {
            app.show_help = !app.show_help;
            app.help_scroll = 0;
            Vec::new()
        }
        Command::HelpDown => {
            app.help_scroll = app.help_scroll.saturating_add(5).min(200);
            Vec::new()
        }
        Command::HelpUp => {
            app.help_scroll = app.help_scroll.saturating_sub(5);
            Vec::new()
        }
        // Presenting, the list is the only pane.
        Command::FocusNext | Command::FocusPrev if app.present => Vec::new(),
        Command::FocusNext => {
            app.focus = app.focus.next();
            Vec::new()
        }
        Command::FocusPrev => {
            app.focus = app.focus.prev();
            Vec::new()
        }
        Command::JumpToUrgent => {
            jump_to_urgent(app);
            Vec::new()
        }
        Command::Acknowledge => acknowledge(app),
        c if scope == Scope::Lock => lock_screen::handle(app, c),
        Command::Lock => lock_screen::lock(app, false),
        Command::TogglePresent => {
            toggle_present(app);
            Vec::new()
        }
        Command::OpenCommandLine => {
            command_line::open(app);
            Vec::new()
        }
        c if scope == Scope::CommandLine => command_line::handle(app, c),
        c if scope == Scope::Diag => diagnostics::handle(app, c),
        c if follow::blocks(app, c) => {
            app.notice = Some(follow::blocked_notice(app));
            Vec::new()
        }
        c if scope == Scope::Search => patient_search::handle(app, c),
        c if scope == Scope::Picker => column_picker::handle(app, c),
        c if scope == Scope::Prompt => prompt::handle(app, c),
        c if matches!(scope, Scope::Patients | Scope::Filter) => patient_list::handle(app, c),
        c if scope == Scope::Conversations => conversations::handle(app, c),
        c if scope == Scope::Chat => chat::handle(app, c),
        _ => Vec::new(),
    }
}

pub fn toggle_present(app: &mut App) {
    app.present = !app.present;
    if app.present {
        // The big screen shows the list; chat stays on the nurse's own screen.
        app.focus = Pane::Patients;
        app.show_help = false;
    }
}

/// The wheel moves what the focused pane would move with ↓/↑, nothing else.
fn wheel(app: &mut App, down: bool) -> Vec<Effect> {
    let command = match (app.scope(), down) {
        (Scope::Patients, true) => Command::RowDown,
        (Scope::Patients, false) => Command::RowUp,
        (Scope::Conversations, true) => Command::ConversationDown,
        (Scope::Conversations, false) => Command::ConversationUp,
        (Scope::Chat, true) => Command::ScrollNewer,
        (Scope::Chat, false) => Command::ScrollOlder,
        (Scope::Help, true) => Command::HelpDown,
        (Scope::Help, false) => Command::HelpUp,
        _ => return Vec::new(),
    };
    app.last_input = app.now;
    if follow::blocks(app, command) {
        app.notice = Some(follow::blocked_notice(app));
        return Vec::new();
    }
    match app.scope() {
        Scope::Patients => patient_list::handle(app, command),
        Scope::Conversations => conversations::handle(app, command),
        Scope::Chat => chat::handle(app, command),
        _ => {
            app.help_scroll = if down {
                app.help_scroll.saturating_add(5).min(200)
            } else {
                app.help_scroll.saturating_sub(5)
            };
            Vec::new()
        }
    }
}

/// Switches the patient list to `id` and asks for its rows.
pub fn show_list(app: &mut App, id: Uuid) -> Vec<Effect> {
    let Some(list) = app.lists.iter().find(|l| l.id == id) else {
        return Vec::new();
    };
    if app.patients.list_id != Some(id) {
        app.patients.selected = 0;
        app.detail = None;
    }
    app.patients.list_id = Some(id);
    app.patients.title = list.name.clone();
    app.patients.loading = true;
    // The catalogue, and the observation columns this user asked for.
    let mut columns = ColumnId::ALL.to_vec();
    let prefs = app.list_prefs.get(&list.name).map(|p| p.columns.as_slice());
    for c in prefs.unwrap_or_default().iter().chain(&app.present_columns) {
        if matches!(c, ColumnId::Obs(_)) && !columns.contains(c) {
            columns.push(*c);
        }
    }
    app.patients.requested = columns.clone();
    vec![Effect::LoadRows { list: id, columns }]
}

/// The oldest urgent message waiting for me, else the oldest important one, else my
/// oldest unanswered urgent message.
fn jump_to_urgent(app: &mut App) {
    // A message is read on the nurse's screen, not the room's.
    app.present = false;
    let waiting = app
        .urgent_waiting()
        .first()
        .or(app.important_waiting().first())
        .map(|w| w.conversation.info.id);
    if let Some(target) = waiting {
        open_conversation(app, target);
        return;
    }
    if !app.unanswered.is_empty() {
        let notice = app.unanswered.remove(0);
        open_conversation(app, notice.conversation_id);
        return;
    }
    app.notice = Some("No urgent message is waiting.".into());
}

/// Shows a conversation in the chat pane, focused.
pub fn open_conversation(app: &mut App, id: Uuid) {
    app.selected_conversation = app
        .conversations
        .iter()
        .position(|c| c.info.id == id)
        .unwrap_or(0);
    app.open_conversation = Some(id);
    app.focus = Pane::Chat;
    app.chat_scroll = 0;
    app.detail = None;
    // Opening the chat of my unanswered message is having seen the notice.
    app.unanswered.retain(|u| u.conversation_id != id);
}

/// Acknowledges the urgent messages to me in the open chat. From elsewhere it first opens
/// the oldest waiting one: nobody acknowledges what they have not seen.
fn acknowledge(app: &mut App) -> Vec<Effect> {
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
    if let Some(c) = app
        .open_conversation
        .and_then(|id| app.conversation_mut(id))
    {
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
fn awaiting_loaded(app: &mut App, messages: Vec<Message>) -> Vec<Effect> {
    let me = app.me.id;
    let mut effects = Vec::new();
    let mut delivered = Vec::new();
    for mut m in messages.into_iter().map(intake::message) {
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

/// Keeps each listed patient's `unread` cell equal to what this client knows of their
/// chat. Re-indexes the rows only when a count changed.
fn sync_patient_unread(app: &mut App) {
    let me = app.me.id;
    let counts: Vec<(String, usize)> = app
        .conversations
        .iter()
        .filter_map(|c| Some((c.info.subject.clone()?, c.unread_for(me))))
        .collect();
    if counts.is_empty() {
        return;
    }
    let mut changed = false;
    for (patient, n) in counts {
        let Some(row) = app
            .patients
            .loaded
            .iter_mut()
            .find(|r| r.patient == patient)
        else {
            continue;
        };
        let cell = crate::model::Cell::unread(u32::try_from(n).unwrap_or(u32::MAX));
        if row.cell(ColumnId::Unread) != Some(&cell) {
            row.columns.insert(ColumnId::Unread, cell);
            changed = true;
        }
    }
    if changed {
        let rows = std::mem::take(&mut app.patients.loaded);
        app.patients.set_rows(rows);
        app.patients.refresh();
    }
}

fn conversations_loaded(app: &mut App, list: Vec<crate::model::Conversation>) -> Vec<Effect> {
    let mut effects = Vec::new();
    let mut next = Vec::with_capacity(list.len());
    for info in list.into_iter().map(intake::conversation) {
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

fn messages_loaded(app: &mut App, id: Uuid, messages: Vec<Message>) -> Vec<Effect> {
    let me = app.me.id;
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
        .map(|m| ChatMessage {
            message: intake::message(m),
            outbox: Outbox::Stored,
        })
        .chain(pending)
        .collect();
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

/// Adds or replaces a message (by id), keeping time order.
fn upsert(app: &mut App, message: Message, outbox: Outbox) -> bool {
    let Some(c) = app.conversation_mut(message.conversation_id) else {
        return false;
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
    true
}

fn on_stream(app: &mut App, update: StreamUpdate) -> Vec<Effect> {
    match update {
        StreamUpdate::Connected => {
            app.connection = Connection::Live;
            // What waits for me may have changed while the stream was down.
            vec![
                Effect::LoadAwaiting,
                Effect::LoadPolicy,
                Effect::LoadPresentation,
            ]
        }
        StreamUpdate::Disconnected { reason, retry_in } => {
            app.connection = Connection::Reconnecting { reason, retry_in };
            Vec::new()
        }
        StreamUpdate::SessionEnded => {
            app.connection = Connection::SessionEnded;
            app.notice = Some("Your session has ended; restart wardround to log in again.".into());
            Vec::new()
        }
        StreamUpdate::Event(event) => match event.kind {
            EventKind::Message { message } => {
                let effects = on_message(app, intake::message(message));
                sync_patient_unread(app);
                effects
            }
            EventKind::List { mut list } => {
                list.name = crate::sanitize::sanitize(&list.name);
                let current = app.patients.list_id == Some(list.id);
                match app.lists.iter_mut().find(|l| l.id == list.id) {
                    Some(l) => *l = list.clone(),
                    None => app.lists.push(list.clone()),
                }
                // Someone changed the list being looked at: show it as it is now.
                if current {
                    app.patients.title = list.name.clone();
                    vec![Effect::LoadRows {
                        list: list.id,
                        columns: app.patients.requested.clone(),
                    }]
                } else {
                    Vec::new()
                }
            }
            EventKind::ListDeleted { list_id } => {
                app.lists.retain(|l| l.id != list_id);
                if app.patients.list_id != Some(list_id) {
                    return Vec::new();
                }
                app.notice = Some("The list you were viewing was deleted.".into());
                app.patients.list_id = None;
                app.patients.set_rows(Vec::new());
                app.patients.refresh();
                match app.lists.first().map(|l| l.id) {
                    Some(id) => show_list(app, id),
                    None => Vec::new(),
                }
            }
            EventKind::Acknowledged {
                message_id,
                conversation_id,
                user_id,
                at,
            } => {
                if let Some(m) = app
                    .conversation_mut(conversation_id)
                    .and_then(|c| c.messages.iter_mut().find(|m| m.message.id == message_id))
                {
                    m.message.acknowledge(user_id, at);
                }
                if !app.alert_active() {
                    app.pulse_on = false;
                }
                Vec::new()
            }
            EventKind::Renotify { message, .. } => on_renotify(app, intake::message(message)),
            EventKind::Presentation { presentation } => {
                follow::presentation_changed(app, Some(intake::presentation(presentation)))
            }
            EventKind::SharedView { presenter, view } => {
                if app
                    .presentation
                    .as_ref()
                    .is_some_and(|p| p.presenter.id == presenter)
                {
                    follow::show(app, intake::shared_view(view))
                } else {
                    Vec::new()
                }
            }
            EventKind::Pong { token } => {
                diagnostics::pong(app, token);
                Vec::new()
            }
            EventKind::Unanswered {
                message_id,
                conversation_id,
                sent_at,
                names,
                escalated_to,
            } => {
                app.unanswered.retain(|u| u.message_id != message_id);
                app.unanswered.push(Unanswered {
                    message_id,
                    conversation_id,
                    sent_at,
                    names: names.iter().map(|n| crate::sanitize::sanitize(n)).collect(),
                    escalated_to: escalated_to.map(|t| crate::sanitize::sanitize(&t)),
                });
                vec![Effect::Notify(format!(
                    "Urgent message unanswered - {}",
                    app.team_label
                ))]
            }
            EventKind::Receipt {
                message_id,
                conversation_id,
                user_id,
                state,
                at,
            } => {
                if let Some(m) = app
                    .conversation_mut(conversation_id)
                    .and_then(|c| c.messages.iter_mut().find(|m| m.message.id == message_id))
                {
                    m.message.apply_receipt(user_id, state, at);
                }
                Vec::new()
            }
        },
    }
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
            app.pulse_on = true;
            effects.push(Effect::Notify(format!(
                "Urgent message - {}",
                app.team_label
            )));
        }
    }
    upsert(app, message, Outbox::Stored);
    effects
}

/// The server rings again for an urgent message I have not dealt with.
fn on_renotify(app: &mut App, message: Message) -> Vec<Effect> {
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

/// Messages on screen in a looked-at chat are read: mark them, here and on the server.
fn mark_visible_read(app: &mut App) -> Vec<Effect> {
    if !app.chat_in_view() {
        return Vec::new();
    }
    let me = app.me.id;
    let now = app.now;
    let Some(id) = app.open_conversation else {
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

/// For tests and the demo: a key press as crossterm would deliver it.
pub fn key(code: KeyCode) -> Action {
    Action::Key(KeyEvent::new(code, KeyModifiers::NONE))
}
