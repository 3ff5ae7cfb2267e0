//! Follow mode on this side: share my view while I drive a presentation others follow;
//! show the driver's view while I follow. Pure: effects out, no I/O.

use super::action::Effect;
use super::app::App;
use super::keymap::Command;
use crate::model::{Presentation, SharedView};

/// What I am looking at, as a follower would need it.
fn my_view(app: &App) -> Option<SharedView> {
    Some(SharedView {
        list_id: app.patients.list_id?,
        sort: app.patients.sort.clone(),
        patient: app.patients.selected_row().map(|r| r.patient.clone()),
    })
}

/// Someone else drives what I see.
pub fn driven(app: &App) -> Option<&Presentation> {
    app.presentation
        .as_ref()
        .filter(|p| p.controller.id != app.me.id)
}

/// Called after every update: when I drive and someone watches, any change of list, sort
/// or patient goes to the server once.
pub fn share(app: &mut App) -> Vec<Effect> {
    let drives = app
        .presentation
        .as_ref()
        .is_some_and(|p| p.controller.id == app.me.id && p.members().count() > 1);
    if !drives || app.patients.loading {
        return Vec::new();
    }
    let Some(view) = my_view(app) else {
        return Vec::new();
    };
    if app.shared_view.as_ref() == Some(&view) {
        return Vec::new();
    }
    app.shared_view = Some(view.clone());
    vec![Effect::ShareView(view)]
}

/// The presentation as the server says it is now.
pub fn presentation_changed(app: &mut App, p: Option<Presentation>) -> Vec<Effect> {
    let me = app.me.id;
    let was = app.presentation.take();
    let Some(p) = p.filter(|p| p.includes(me) && !p.followers.is_empty()) else {
        app.shared_view = None;
        app.pending_view = None;
        if let Some(was) = was {
            app.notice = Some(if was.presenter.id == me {
                "Nobody follows you now.".into()
            } else {
                format!("You no longer follow {}.", was.presenter.display_name)
            });
        }
        return Vec::new();
    };
    let was_driving = was.as_ref().is_some_and(|w| w.controller.id == me);
    if p.controller.id == me && !was_driving {
        // Followers are to see my screen from now on, whatever I last sent.
        app.shared_view = None;
        app.notice = Some(if p.presenter.id == me {
            followers_notice(&p)
        } else {
            "You have control: the others see your list.".into()
        });
    } else if p.controller.id == me
        && was
            .as_ref()
            .is_some_and(|w| w.followers.len() != p.followers.len())
    {
        // Someone joined or left while I drive.
        app.notice = Some(followers_notice(&p));
    } else if p.controller.id != me && (was.is_none() || was_driving) {
        app.notice = Some(format!("Following {}.", p.controller.display_name));
    }
    let view = (p.controller.id != me).then(|| p.view.clone()).flatten();
    app.presentation = Some(p);
    match view {
        Some(view) => show(app, view),
        None => Vec::new(),
    }
}

fn followers_notice(p: &Presentation) -> String {
    let who: Vec<&str> = p
        .followers
        .iter()
        .map(|f| f.display_name.as_str())
        .collect();
    match who.as_slice() {
        [one] => format!("{one} follows your screen."),
        many => format!("{} follow your screen.", many.join(", ")),
    }
}

/// The driver moved: show the same list, sort and patient.
pub fn show(app: &mut App, view: SharedView) -> Vec<Effect> {
    if driven(app).is_none() {
        return Vec::new();
    }
    if app.patients.list_id != Some(view.list_id) {
        if !app.lists.iter().any(|l| l.id == view.list_id) {
            app.notice = Some("The presenter is showing a list you cannot see.".into());
            return Vec::new();
        }
        app.pending_view = Some(view.clone());
        return super::update::show_list(app, view.list_id);
    }
    apply(app, &view);
    Vec::new()
}

/// Rows arrived: a view waiting for them takes effect.
pub fn rows_loaded(app: &mut App) {
    if let Some(view) = app.pending_view.take() {
        if app.patients.list_id == Some(view.list_id) {
            apply(app, &view);
        }
    }
}

fn apply(app: &mut App, view: &SharedView) {
    app.patients.sort = view.sort.clone();
    app.patients.refresh();
    if let Some(at) = view
        .patient
        .as_ref()
        .and_then(|p| app.patients.visible().position(|r| &r.patient == p))
    {
        app.patients.selected = at;
    }
}

/// Moving the list while someone else drives it: they would only move it back.
pub fn blocks(app: &App, command: Command) -> bool {
    use Command::*;
    driven(app).is_some()
        && matches!(
            command,
            RowDown
                | RowUp
                | RowFirst
                | RowLast
                | PageDown
                | PageUp
                | SortByColumn
                | AddSortKey
                | NextList
                | PrevList
                | OpenListSwitcher
                | OpenList
        )
}

pub fn blocked_notice(app: &App) -> String {
    let Some(p) = driven(app) else {
        return String::new();
    };
    let who = &p.controller.display_name;
    // The presenter takes the screen back; `:unfollow` from them ends it for everyone.
    if p.presenter.id == app.me.id {
        format!(
            "{who} drives this screen; :hand {} takes it back.",
            app.me.username
        )
    } else {
        format!("{who} drives this screen; :unfollow to look on your own.")
    }
}

pub fn unfollow(app: &mut App) -> Vec<Effect> {
    if app.presentation.is_none() {
        app.notice = Some("You are not following anyone, and nobody follows you.".into());
        return Vec::new();
    }
    vec![Effect::Unfollow]
}
