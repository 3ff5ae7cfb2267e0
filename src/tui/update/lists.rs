//! The team's patient lists as the server has them: which list is shown, its rows
//! arriving, and lists made, changed or deleted (here or by someone else).

use uuid::Uuid;

use crate::model::{ColumnId, ListRows, PatientList};
use crate::tui::action::Effect;
use crate::tui::app::App;
use crate::tui::follow;

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

/// The lists this user can see: the one shown stays if it still exists, else the first.
pub(super) fn lists_loaded(app: &mut App, lists: Vec<PatientList>) -> Vec<Effect> {
    app.lists = lists;
    let keep = app
        .patients
        .list_id
        .filter(|id| app.lists.iter().any(|l| l.id == *id));
    match keep.or_else(|| app.lists.first().map(|l| l.id)) {
        Some(id) => show_list(app, id),
        None => {
            app.patients.loading = false;
            app.patients.error = Some("You are not on any team with a patient list.".into());
            Vec::new()
        }
    }
}

/// A list this user just made: show it.
pub(super) fn list_created(app: &mut App, list: PatientList) -> Vec<Effect> {
    if !app.lists.iter().any(|l| l.id == list.id) {
        app.lists.push(list.clone());
    }
    show_list(app, list.id)
}

pub(super) fn rows_loaded(app: &mut App, rows: ListRows) -> Vec<Effect> {
    let prefs = app.list_prefs.get(&rows.list.name).cloned();
    let list = rows.list.id;
    app.patients.rows_loaded(rows, prefs.as_ref());
    app.remember_labels();
    // The jobs known here are at least as new as the server's count in the rows.
    if app.jobs.loaded {
        let counts = app.jobs.counts(app.now);
        app.patients.show_jobs(&counts);
    }
    app.patients.refilling = false;
    let again = std::mem::take(&mut app.patients.refill_again);
    let mut effects = Vec::new();
    // A fetch is done when nothing it brought is still coming (`list_filled` reloads).
    if !app.patients.loaded.iter().any(|r| r.pending) {
        if let Some(what) = app.patients.fetching.take() {
            // The detail open (and the big screen's patient) shows what was just
            // fetched, not its earlier read.
            let mut shown: Vec<String> = [&app.detail, &app.spotlight]
                .into_iter()
                .flatten()
                .map(|d| d.patient.clone())
                .collect();
            shown.dedup();
            effects.extend(shown.into_iter().map(Effect::LoadDetail));
            let at = app.now.with_timezone(&app.utc_offset).format("%H:%M");
            let rows = &app.patients.loaded;
            let failed = rows.iter().filter(|r| r.problem.is_some()).count();
            app.notice = Some(match failed {
                0 => format!("Fetched the latest for {what} from the EHR at {at}."),
                n if n == rows.len() => {
                    format!("The EHR gave nothing for {what} at {at}; the detail pane says why.")
                }
                n => format!(
                    "Fetched the latest for {what} from the EHR at {at}; {n} could not be read."
                ),
            });
        }
    }
    follow::rows_loaded(app);
    if again {
        effects.extend(list_filled(app, list));
    }
    effects
}

/// A list was made or changed (renamed, a patient added or removed).
pub(super) fn list_changed(app: &mut App, list: PatientList) -> Vec<Effect> {
    let current = app.patients.list_id == Some(list.id);
    match app.lists.iter_mut().find(|l| l.id == list.id) {
        Some(l) => *l = list.clone(),
        None => app.lists.push(list.clone()),
    }
    // Someone changed the list being looked at: show it as it is now.
    if current {
        app.patients.title = list.name.clone();
        app.patients.marked(&list);
        vec![Effect::LoadRows {
            list: list.id,
            columns: app.patients.requested.clone(),
        }]
    } else {
        Vec::new()
    }
}

/// Charts the EHR was slow with have arrived: the list on screen reads its rows again
/// (the server has them now), and `…` cells fill in.
pub(super) fn list_filled(app: &mut App, list_id: Uuid) -> Vec<Effect> {
    if app.patients.list_id != Some(list_id) || !app.patients.loaded.iter().any(|r| r.pending) {
        return Vec::new();
    }
    // One read at a time: events arriving meanwhile make one more, not one each.
    if app.patients.refilling {
        app.patients.refill_again = true;
        return Vec::new();
    }
    app.patients.refilling = true;
    vec![Effect::LoadRows {
        list: list_id,
        columns: app.patients.requested.clone(),
    }]
}

pub(super) fn list_deleted(app: &mut App, list_id: Uuid) -> Vec<Effect> {
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
