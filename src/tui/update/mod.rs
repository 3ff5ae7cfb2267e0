//! The pure heart of the app: `update(app, action)` changes state and returns the effects
//! to run. No I/O, no clock, no randomness (see `App::now` and `App::ids`). This entry
//! cleans the action ([`intake`]) and hands it to the part of the app it concerns.

mod jobs;
mod keys;
mod lists;
mod messaging;
mod reach;
mod stream;
mod urgent;

use super::action::{Action, Effect};
use super::app::App;
use super::components::{diagnostics, lock_screen, new_chat, patient_search, prompt};
use super::{follow, intake};

pub use keys::{key, toggle_present};
pub use lists::show_list;
pub use messaging::open_conversation;
pub use reach::OPENING;

pub fn update(app: &mut App, action: Action) -> Vec<Effect> {
    let mut effects = match intake::action(action) {
        Action::Key(key) => keys::on_key(app, key),
        Action::Paste(text) => keys::paste(app, &text),
        Action::Resize => Vec::new(),
        Action::Wheel { down } => keys::wheel(app, down),
        Action::Tick => {
            let mut effects = reach::release_held(app);
            effects.extend(lock_if_idle(app));
            effects
        }
        Action::Unlocked(result) => {
            lock_screen::unlocked(app, result);
            Vec::new()
        }
        Action::PasswordChanged(result) => {
            prompt::password_changed(app, result);
            Vec::new()
        }
        Action::TerminalFocus(focused) => {
            app.terminal_focused = focused;
            Vec::new()
        }
        Action::Pulse => {
            app.pulse_on = app.pulsing() && !app.pulse_on;
            Vec::new()
        }
        Action::ListsLoaded(Ok(lists)) => lists::lists_loaded(app, lists),
        Action::ListCreated(list) => lists::list_created(app, list),
        Action::RowsLoaded(Ok(rows)) => lists::rows_loaded(app, rows),
        Action::ListsLoaded(Err(e)) | Action::RowsLoaded(Err(e)) => {
            app.patients.loading = false;
            app.patients.fetching = None;
            app.patients.refilling = false;
            app.patients.error = Some(e);
            Vec::new()
        }
        Action::WardResults(query, result) => {
            crate::tui::components::ward_search::results(app, query, result);
            Vec::new()
        }
        Action::SearchResults(query, result) => {
            patient_search::results(app, query, result);
            Vec::new()
        }
        Action::DetailLoaded(patient, result) => {
            if let Ok(Some(plan)) = result.as_ref().map(|d| d.plan.clone()) {
                app.jobs.hear_plan(plan);
            }
            let loaded = Some(result.map(|d| *d));
            for shown in [&mut app.detail, &mut app.spotlight] {
                if let Some(d) = shown.as_mut().filter(|d| d.patient == patient) {
                    d.loaded = loaded.clone();
                }
            }
            Vec::new()
        }
        Action::ConversationsLoaded(Ok(list)) => messaging::conversations_loaded(app, list),
        Action::MessagesLoaded(id, Ok(messages)) => messaging::messages_loaded(app, id, messages),
        Action::OlderLoaded {
            conversation,
            before,
            page,
        } => messaging::older_loaded(app, conversation, before, page),
        Action::PolicyLoaded(Ok(policy)) => {
            messaging::policy_loaded(app, policy);
            Vec::new()
        }
        Action::AwaitingLoaded(Ok(messages)) => urgent::awaiting_loaded(app, messages),
        Action::PatientConversationOpened(Ok(info)) => messaging::patient_chat_opened(app, info),
        Action::ConversationsLoaded(Err(e))
        | Action::MessagesLoaded(_, Err(e))
        | Action::PolicyLoaded(Err(e))
        | Action::AwaitingLoaded(Err(e))
        | Action::PatientConversationOpened(Err(e))
        | Action::Done(e)
        | Action::Failed(e) => {
            app.notice = Some(e);
            Vec::new()
        }
        Action::FetchFailed(e) => {
            app.patients.fetching = None;
            app.notice = Some(e);
            Vec::new()
        }
        Action::Sent(message) => {
            messaging::sent(app, message);
            Vec::new()
        }
        Action::SendRefused { id, reason } => {
            messaging::refused(app, id, reason);
            Vec::new()
        }
        Action::Stream(update) => stream::on_stream(app, update),
        Action::PresentationLoaded(Ok(p)) => follow::presentation_changed(app, p),
        Action::PresentationLoaded(Err(e)) => {
            app.notice = Some(format!("Follow mode unavailable: {e}"));
            Vec::new()
        }
        Action::Diagnosed(report) => {
            diagnostics::report(app, report);
            Vec::new()
        }
        Action::DirectoryResults(query, found) => {
            if let Ok(found) = &found {
                app.known.learn(found);
            }
            let effects = crate::tui::components::command_line::directory_answered(app, &query);
            new_chat::results(app, query, found);
            effects
        }
        Action::ConversationOpened(Ok(info)) => reach::conversation_opened(app, info),
        Action::StatusSet(Ok(presence)) => reach::status_set(app, presence),
        Action::OnCallChanged(Ok(role)) => {
            reach::on_call_changed(app, role);
            // The role's threads name its holders in their headers.
            vec![Effect::LoadConversations]
        }
        Action::JobsLoaded(Ok(list)) => jobs::loaded(app, list),
        Action::JobSaved(result) => jobs::saved(app, result),
        Action::PlanSaved(result) => jobs::plan_saved(app, result),
        Action::HandoverLoaded(list, sheet) => {
            crate::tui::components::handover::loaded(app, list, sheet);
            Vec::new()
        }
        Action::JobsLoaded(Err(e)) => {
            app.notice = Some(format!("Jobs could not be read: {e}"));
            Vec::new()
        }
        Action::ConversationOpened(Err(e))
        | Action::StatusSet(Err(e))
        | Action::OnCallChanged(Err(e)) => {
            app.notice = Some(e);
            Vec::new()
        }
    };
    effects.extend(messaging::mark_visible_read(app));
    effects.extend(follow::share(app));
    effects.extend(spotlight_follows_the_cursor(app));
    effects.extend(detail_follows_the_cursor(app));
    jobs::in_view(app);
    effects
}

/// Presenting, the patient under the cursor is shown large: read from the server when
/// the cursor comes to them (by keys, a shared view or a reload), not on every redraw.
fn spotlight_follows_the_cursor(app: &mut App) -> Vec<Effect> {
    // The big screen shows the list and the patient only: whatever takes the keys to a
    // chat (a patient's chat, a message opened) leaves it, as opening an urgent one does.
    if app.present && app.focus != super::app::Pane::Patients {
        app.present = false;
    }
    if !app.present {
        app.spotlight = None;
        return Vec::new();
    }
    let selected = app.patients.selected_row().map(|r| r.patient.clone());
    if app.spotlight.as_ref().map(|s| &s.patient) == selected.as_ref() {
        return Vec::new();
    }
    match selected {
        Some(patient) => {
            app.spotlight = Some(super::app::DetailState {
                patient: patient.clone(),
                loaded: None,
            });
            // Already read for the detail pane: no second trip.
            if let Some(d) = app.detail.as_ref().filter(|d| d.patient == patient) {
                if let (Some(s), Some(loaded)) = (app.spotlight.as_mut(), &d.loaded) {
                    s.loaded = Some(loaded.clone());
                    return Vec::new();
                }
            }
            vec![Effect::LoadDetail(patient)]
        }
        None => {
            app.spotlight = None;
            Vec::new()
        }
    }
}

/// The detail pane shows the selected patient, however the cursor came to another (a
/// filter typed, a job's patient shown): never one patient beside another's row.
fn detail_follows_the_cursor(app: &mut App) -> Vec<Effect> {
    let Some(detail) = &app.detail else {
        return Vec::new();
    };
    match app.patients.selected_row().map(|r| r.patient.clone()) {
        Some(p) if p == detail.patient => Vec::new(),
        Some(p) => {
            app.detail = Some(super::app::DetailState {
                patient: p.clone(),
                loaded: None,
            });
            vec![Effect::LoadDetail(p)]
        }
        // The filter hides every row: nobody is selected, so nobody is shown.
        None => {
            app.detail = None;
            Vec::new()
        }
    }
}

/// The clock ticked: lock if nobody has touched a key for the idle limit.
fn lock_if_idle(app: &mut App) -> Vec<Effect> {
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
