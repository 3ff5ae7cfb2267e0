//! The terminal app, in the Elm pattern: terminal input, server events and timers become
//! `Action`s; `update` (pure) changes `App` and returns `Effect`s, which `runtime` runs off
//! the loop; `view` draws from `App` only, and only after something changed.

pub mod action;
pub mod app;
pub mod completion;
pub mod components;
pub mod follow;
pub mod hardening;
mod intake;
pub mod jobs;
pub mod keymap;
pub mod overlay;
pub mod patients;
pub mod runtime;
mod tasks;
pub mod terminal;
pub mod theme;
pub mod update;
pub mod view;

use std::time::Duration;

use chrono::{Timelike, Utc};
use crossterm::event::{Event as TermEvent, EventStream, MouseEventKind};
use futures_util::StreamExt;
use tokio::sync::mpsc;

use crate::client::{spawn_event_stream, ApiClient, StreamUpdate};
use crate::model::Me;
use action::{Action, Effect};
use app::App;
use theme::Theme;

/// Half the alert bar's pulse period: two colours alternating about once a second.
pub const PULSE_HALF_PERIOD: Duration = Duration::from_millis(500);
const CLOCK_TICK: Duration = Duration::from_secs(20);

pub struct Options {
    pub theme: Theme,
    /// Start presenting (`--present`); F11 toggles.
    pub present: bool,
    pub present_theme: Theme,
    pub present_columns: Vec<crate::model::ColumnId>,
    pub reduced_motion: bool,
    pub notify: Vec<crate::config::NotifyChannel>,
    /// Capture the mouse for the wheel (`[ui] mouse`).
    pub mouse: bool,
    /// Lock after this many idle seconds (0: only on request or by policy).
    pub lock_idle_secs: u64,
    pub list_prefs: std::collections::BTreeMap<String, crate::config::ListPrefs>,
    /// `wardround demo`: its throwaway password, shown on the lock screen so that a
    /// locked demo is not a dead end.
    pub demo_password: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum TuiError {
    #[error("terminal: {0}")]
    Terminal(#[from] std::io::Error),
}

/// Presenting uses the present profile's theme: readable across a room.
fn theme_for<'a>(app: &App, options: &'a Options) -> &'a Theme {
    if app.present {
        &options.present_theme
    } else {
        &options.theme
    }
}

/// What the clock alone changes on screen: the minute (all ages are shown in) and the
/// offline countdown's second.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClockShown {
    pub minute: u32,
    pub retry_in_secs: Option<u64>,
    /// The age the alert bar shows, as shown.
    pub alert_age: Option<i64>,
}

impl ClockShown {
    pub fn of(app: &App) -> Self {
        let age = components::alert_bar::shown_since(app)
            .map(|sent| (app.now - sent).num_seconds())
            // Equal when `ago` reads the same: the bucket it falls in.
            .map(|s| s + components::ago_changes_in(s).as_secs() as i64);
        ClockShown {
            minute: app.now.minute(),
            retry_in_secs: app.retry_in_secs(),
            alert_age: age,
        }
    }
}

/// Whether the screen can have changed. A clock tick matters only when what the clock
/// shows has moved on, or when it locked the screen; anything else may change what is
/// shown, and ratatui's diff writes only what did.
pub fn redraw_needed(tick: bool, app: &App, shown: ClockShown, was_locked: bool) -> bool {
    !tick || ClockShown::of(app) != shown || app.locked() != was_locked
}

/// Whether the frame after `action` is drawn as one synchronized update: all but the
/// pulse, which restyles a dozen cells of the alert bar.
pub fn synchronize(action: &Action) -> bool {
    !matches!(action, Action::Pulse)
}

/// How the app ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Quit,
    /// The session was logged out (switch user, or too many wrong unlocks): whoever is
    /// next logs in afresh.
    SwitchUser,
}

/// The event stream's state changes, for IT triaging a workstation; never its events.
fn log_stream(update: &StreamUpdate) {
    match update {
        StreamUpdate::Connected => tracing::info!("event stream connected"),
        StreamUpdate::Disconnected { retry_in, .. } => {
            tracing::warn!(retry_in_ms = retry_in.as_millis(), "event stream dropped");
        }
        StreamUpdate::SessionEnded => tracing::info!("session ended by the server"),
        StreamUpdate::Event(e) => tracing::trace!(cursor = e.cursor, "event"),
    }
}

/// Runs the app for a logged-in user until they quit or switch user.
pub async fn run(client: ApiClient, me: Me, options: &Options) -> Result<Exit, TuiError> {
    let mut term = terminal::enter(options.mouse)?;
    let result = event_loop(&mut term, client.clone(), me, options).await;
    terminal::leave();
    if result.as_ref().is_ok_and(|e| *e == Exit::SwitchUser) {
        // Revoked on the server too; a failure here is a session that ends anyway.
        let _ = client.logout().await;
    }
    result
}

async fn event_loop(
    term: &mut terminal::Term,
    client: ApiClient,
    me: Me,
    options: &Options,
) -> Result<Exit, TuiError> {
    let (tx, mut actions) = mpsc::unbounded_channel::<Action>();
    let (stream_tx, mut stream) = mpsc::unbounded_channel();
    // Every task of this session is owned by `effects` and ends with this function, on
    // any way out: a switch of user leaves nothing of the old session running.
    let mut effects = runtime::Effects::new(client.clone(), tx, options.notify.clone());
    effects.adopt(spawn_event_stream(client.clone(), me.cursor, stream_tx));

    let team_label = me
        .teams
        .first()
        .map(|t| t.name.clone())
        .unwrap_or_else(|| "wardround".into());
    let presence = me.presence;
    let mut app = App::new(me.user, team_label, client.base().to_string(), Utc::now());
    app.presence = presence;
    app.teams = me.teams.clone();
    app.reduced_motion = options.reduced_motion;
    app.lock_idle_secs = options.lock_idle_secs;
    app.demo_password = options.demo_password.clone();
    app.present = options.present;
    app.present_columns = options.present_columns.clone();
    app.list_prefs = options.list_prefs.clone();
    app.utc_offset = *chrono::Local::now().offset();
    if let Ok(size) = crossterm::terminal::size() {
        app.screen = size;
    }
    tracing::info!(
        version = env!("CARGO_PKG_VERSION"),
        server = %client.base(),
        width = app.screen.0,
        height = app.screen.1,
        "app started"
    );
    effects.run(Effect::LoadLists);
    effects.run(Effect::LoadConversations);

    let mut input = EventStream::new();
    let mut pulse = tokio::time::interval(PULSE_HALF_PERIOD);
    let mut clock = tokio::time::interval(CLOCK_TICK);
    pulse.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    terminal::draw(term, true, |f| {
        view::draw(f, &app, theme_for(&app, options))
    })?;
    let mut shown = ClockShown::of(&app);

    while !app.quit {
        let alerting = app.pulsing() && !app.reduced_motion;
        // Offline, the footer counts down to the next retry: wake when its second turns,
        // not on a frame timer.
        let now = Utc::now();
        // The alert bar's age too: when it next reads differently.
        let countdown = [
            app.countdown_changes_in(now),
            components::alert_bar::shown_since(&app).map(|sent| {
                components::ago_changes_in((now - sent).num_seconds()) + Duration::from_millis(50)
            }),
        ]
        .into_iter()
        .flatten()
        .min();
        let action = tokio::select! {
            event = input.next() => match event {
                Some(Ok(TermEvent::Key(k))) => Action::Key(k),
                Some(Ok(TermEvent::Resize(width, height))) => {
                    app.screen = (width, height);
                    Action::Resize
                }
                Some(Ok(TermEvent::FocusGained)) => Action::TerminalFocus(true),
                Some(Ok(TermEvent::FocusLost)) => Action::TerminalFocus(false),
                Some(Ok(TermEvent::Paste(s))) => Action::Paste(s),
                Some(Ok(TermEvent::Mouse(m))) => match m.kind {
                    MouseEventKind::ScrollDown => Action::Wheel { down: true },
                    MouseEventKind::ScrollUp => Action::Wheel { down: false },
                    _ => continue,
                },
                Some(Err(e)) => return Err(e.into()),
                None => break,
            },
            Some(a) = actions.recv() => a,
            Some(u) = stream.recv() => {
                log_stream(&u);
                Action::Stream(u)
            }
            _ = pulse.tick(), if alerting => Action::Pulse,
            _ = clock.tick() => Action::Tick,
            _ = tokio::time::sleep(countdown.unwrap_or_default()), if countdown.is_some() => {
                Action::Tick
            }
        };
        app.now = Utc::now();
        let was_locked = app.locked();
        let tick = matches!(action, Action::Tick);
        let synchronized = synchronize(&action);
        for effect in update::update(&mut app, action) {
            effects.run(effect);
        }
        if redraw_needed(tick, &app, shown, was_locked) {
            shown = ClockShown::of(&app);
            terminal::draw(term, synchronized, |f| {
                view::draw(f, &app, theme_for(&app, options))
            })?;
        }
    }
    Ok(if app.switch_user {
        Exit::SwitchUser
    } else {
        Exit::Quit
    })
}
