//! Bytes written to the terminal, the cost that matters over SSH: `cargo bench --bench
//! terminal_bytes`. Drives the app through `update` and the same redraw rule and
//! synchronized, diffed drawing as the real event loop, into a counting writer at 120×40,
//! on a simulated clock. Prints one JSON line.
//!
//! Targets (issue 5): idle 0 B/s; alert bar pulsing ≤ 150 B/s; one-row move in a
//! 1,000-row list ≤ 2 KB.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark over fixed inputs

use std::io::Write;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, TimeZone, Utc};
use crossterm::event::KeyCode;
use ratatui::backend::CrosstermBackend;
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};
use serde_json::json;
use uuid::Uuid;
use wardround::fhir::columns;
use wardround::model::{
    Cell, ColumnId, Conversation, ConversationKind, ListRows, Member, Message, PatientList,
    Priority, Receipt, ReceiptState, Row, User,
};
use wardround::tui::action::Action;
use wardround::tui::app::App;
use wardround::tui::theme::Theme;
use wardround::tui::update::{key, update};
use wardround::tui::{redraw_needed, synchronize, terminal, view, ClockShown};

const WIDTH: u16 = 120;
const HEIGHT: u16 = 40;

#[derive(Clone, Default)]
struct Counter(Arc<Mutex<usize>>);

impl Write for Counter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) += buf.len();
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Counter {
    fn take(&self) -> usize {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

/// The app on a terminal, as the event loop runs it.
struct Screen {
    app: App,
    term: Terminal<CrosstermBackend<Counter>>,
    wire: Counter,
    theme: Theme,
    shown: ClockShown,
    start: DateTime<Utc>,
}

impl Screen {
    fn new(app: App) -> Screen {
        let wire = Counter::default();
        let mut term = Terminal::with_options(
            CrosstermBackend::new(wire.clone()),
            TerminalOptions {
                viewport: Viewport::Fixed(Rect::new(0, 0, WIDTH, HEIGHT)),
            },
        )
        .expect("a terminal over a counter");
        let theme = Theme::default();
        terminal::draw(&mut term, true, |f| view::draw(f, &app, &theme)).expect("first frame");
        wire.take();
        Screen {
            shown: ClockShown::of(&app),
            start: app.now,
            app,
            term,
            wire,
            theme,
        }
    }

    /// One action at `at` seconds into the run; the bytes it put on the wire.
    fn step(&mut self, at_ms: i64, action: Action) -> usize {
        self.app.now = self.start + Duration::milliseconds(at_ms);
        let was_locked = self.app.locked();
        let tick = matches!(action, Action::Tick);
        let synchronized = synchronize(&action);
        update(&mut self.app, action);
        if redraw_needed(tick, &self.app, self.shown, was_locked) {
            self.shown = ClockShown::of(&self.app);
            let (app, theme) = (&self.app, &self.theme);
            terminal::draw(&mut self.term, synchronized, |f| view::draw(f, app, theme))
                .expect("frame");
        }
        self.wire.take()
    }
}

fn user(n: u128, name: &str) -> User {
    User {
        id: Uuid::from_u128(n),
        username: format!("u{n}"),
        display_name: name.into(),
        role: "RN".into(),
        admin: false,
    }
}

fn start() -> DateTime<Utc> {
    // Half a minute in: an idle minute crosses one minute boundary, as it would live.
    Utc.with_ymd_and_hms(2026, 11, 21, 9, 30, 30)
        .single()
        .expect("a valid time")
}

/// The demo ward's rows, copied to `n` with their own beds.
fn rows(n: usize) -> Vec<Row> {
    let ward = wardround::demo::ward_source(start());
    let base: Vec<Row> = ward
        .charts()
        .map(|c| columns::row(c, &ColumnId::ALL, start()))
        .collect();
    (0..n)
        .map(|i| {
            let mut r = base[i % base.len()].clone();
            r.patient = format!("p{i}");
            r.columns
                .insert(ColumnId::Bed, Cell::text(format!("W{}-{:03}", i / 100, i)));
            r
        })
        .collect()
}

/// A nurse's screen with `n` patients and a 1:1 with a registrar; `urgent`: an urgent
/// message from them is waiting.
fn ward(n: usize, urgent: bool) -> App {
    let nurse = user(1, "Alex Morgan");
    let doctor = user(2, "Priya Shah");
    let mut app = App::new(
        nurse.clone(),
        "4 West".into(),
        "https://wardround.example:8470".into(),
        start(),
    );
    let list = PatientList {
        id: Uuid::from_u128(50),
        team_id: Uuid::from_u128(60),
        name: "4 West — all beds".into(),
        ..Default::default()
    };
    update(
        &mut app,
        Action::RowsLoaded(Ok(ListRows {
            list,
            rows: rows(n),
            view: None,
        })),
    );
    let chat = Uuid::from_u128(101);
    let member = |u: &User| Member {
        id: u.id,
        display_name: u.display_name.clone(),
        role: u.role.clone(),
    };
    update(
        &mut app,
        Action::ConversationsLoaded(Ok(vec![Conversation {
            id: chat,
            kind: ConversationKind::Direct,
            title: doctor.display_name.clone(),
            members: vec![member(&nurse), member(&doctor)],
            unread: 0,
            subject: None,
            role: None,
            presence: Default::default(),
            admins: Vec::new(),
            manage: false,
        }])),
    );
    let sent_at = start() - Duration::minutes(3);
    let message = Message {
        id: Uuid::from_u128(900),
        conversation_id: chat,
        sender_id: doctor.id,
        sender_name: doctor.display_name.clone(),
        body: "Bed 4B has a NEWS2 of 7: repeat obs now, call me on 4417.".into(),
        priority: if urgent {
            Priority::Urgent
        } else {
            Priority::Normal
        },
        sent_at,
        receipts: vec![Receipt {
            user_id: nurse.id,
            state: if urgent {
                ReceiptState::Delivered
            } else {
                ReceiptState::Read
            },
            at: sent_at,
            acknowledged_at: None,
        }],
        ack_required: false,
        escalation_of: None,
    };
    update(&mut app, Action::MessagesLoaded(chat, Ok(vec![message])));
    update(
        &mut app,
        Action::Stream(wardround::client::StreamUpdate::Connected),
    );
    app
}

/// What the event loop sees in `secs` of nobody touching anything: the clock tick every
/// 20 s and, while an urgent message waits and motion is allowed, a pulse every 500 ms.
/// The bytes of each frame that wrote any.
fn left_alone(screen: &mut Screen, secs: i64) -> Vec<usize> {
    let mut events: Vec<(i64, Action)> = (1..=secs / 20)
        .map(|i| (i * 20_000, Action::Tick))
        .collect();
    if screen.app.alert_active() && !screen.app.reduced_motion {
        let half = wardround::tui::PULSE_HALF_PERIOD.as_millis() as i64;
        events.extend((1..=secs * 1000 / half).map(|i| (i * half, Action::Pulse)));
    }
    events.sort_by_key(|(t, _)| *t);
    events
        .into_iter()
        .map(|(t, a)| screen.step(t, a))
        .filter(|b| *b > 0)
        .collect()
}

fn main() {
    const SECS: i64 = 60;
    let idle = left_alone(&mut Screen::new(ward(30, false)), SECS);

    let mut pulsing = Screen::new(ward(30, true));
    assert!(pulsing.app.alert_active(), "the urgent message waits");
    let pulse = left_alone(&mut pulsing, SECS);

    let mut basic_app = ward(30, true);
    basic_app.reduced_motion = true;
    let basic = left_alone(&mut Screen::new(basic_app), SECS);

    let rate = |frames: &[usize]| frames.iter().sum::<usize>() as f64 / SECS as f64;

    let mut list = Screen::new(ward(1_000, false));
    let mut per_row: Vec<usize> = (0..999).map(|i| list.step(i, key(KeyCode::Down))).collect();
    assert_eq!(list.app.patients.selected, 999, "moved to the last row");
    let mean = per_row.iter().sum::<usize>() as f64 / per_row.len() as f64;
    per_row.sort_unstable();
    let pct = |p: f64| per_row[((per_row.len() - 1) as f64 * p).round() as usize];

    println!(
        "{}",
        json!({
            "terminal": format!("{WIDTH}x{HEIGHT}"),
            "seconds": SECS,
            "idle_bytes_per_s": rate(&idle),
            "idle_frames_bytes": idle,
            "pulse_bytes_per_s": rate(&pulse),
            "pulse_frames": pulse.len(),
            "pulse_basic_bytes_per_s": rate(&basic),
            "row_move_1000_rows_bytes": {
                "mean": mean.round(),
                "p50": pct(0.5),
                "p95": pct(0.95),
                "max": pct(1.0),
            },
            "targets": {"idle_bytes_per_s": 0, "pulse_bytes_per_s": 150, "row_move_bytes": 2048},
        })
    );
}
