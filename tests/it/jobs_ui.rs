//! Jobs and handover in the app: making a job from a row or a chat message, the jobs
//! pane and its keys, the jobs column and the alert bar kept live by the event stream,
//! the plan, and the handover sheet.

use crate::common;

use chrono::Duration;
use common::*;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use uuid::Uuid;
use wardround::client::StreamUpdate;
use wardround::model::{
    ColumnId, Directory, Event, EventKind, Job, JobAssignee, JobPatch, JobPriority, JobStatus,
    Person, Plan, RoleInfo, User,
};
use wardround::tui::action::{Action, Effect};
use wardround::tui::app::{App, Overlay};
use wardround::tui::components::alert_bar;
use wardround::tui::update::{key, update};

fn ctrl(c: char) -> Action {
    Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        update(app, key(KeyCode::Char(c)));
    }
}

fn heard(app: &mut App, job: Job) -> Vec<Effect> {
    update(
        app,
        Action::Stream(StreamUpdate::Event(Event {
            cursor: 50,
            kind: EventKind::Job { job: Box::new(job) },
        })),
    )
}

/// The ward's rows, nothing waiting: what the bar says is the jobs' doing.
fn quiet_app() -> App {
    let mut app = App::new(nurse(), "4 West".into(), "http://x".into(), now());
    app.ids = wardround::tui::app::IdSource::Sequential(1000);
    update(&mut app, Action::RowsLoaded(Ok(rows())));
    app.patients.list_id = Some(rows().list.id);
    update(&mut app, Action::Stream(StreamUpdate::Connected));
    update(&mut app, Action::JobsLoaded(Ok(Vec::new())));
    app
}

fn patient(app: &App, at: usize) -> String {
    app.patients.row(at).unwrap().patient.clone()
}

fn job(n: u128, patient: &str, text: &str, by: &User, to: &User, mine: bool) -> Job {
    Job {
        id: Uuid::from_u128(n),
        patient: patient.into(),
        text: text.into(),
        assignee: JobAssignee::user(member(to)),
        due_at: None,
        priority: JobPriority::Routine,
        status: JobStatus::Open,
        created_by: member(by),
        created_at: now() - Duration::minutes(5),
        closed_by: None,
        closed_at: None,
        cancel_reason: None,
        message_id: None,
        conversation_id: None,
        updated_at: now() - Duration::minutes(5),
        overdue: false,
        mine,
    }
}

fn jobs_cell(app: &App, patient: &str) -> String {
    app.patients
        .loaded
        .iter()
        .find(|r| r.patient == patient)
        .and_then(|r| r.cell(ColumnId::Jobs))
        // As drawn: a flagged cell gets its text cue.
        .map(|c| match c.flag {
            Some(_) => format!("{} !", c.text),
            None => c.text.clone(),
        })
        .unwrap_or_default()
}

fn directory() -> Directory {
    let person = |u: &User| Person {
        id: u.id,
        username: u.username.clone(),
        display_name: u.display_name.clone(),
        role: u.role.clone(),
        teams: vec!["4 West".into()],
        presence: Default::default(),
        roles: Vec::new(),
        instead: Vec::new(),
    };
    Directory {
        people: vec![person(&registrar()), person(&charge())],
        roles: vec![RoleInfo {
            id: Uuid::from_u128(77),
            name: "4 West nurse in charge".into(),
            team: "4 West".into(),
            holders: vec![member(&charge())],
            fallback: None,
        }],
    }
}

#[test]
fn a_job_made_on_a_row_goes_with_its_id_assignee_due_time_and_priority() {
    let mut app = quiet_app();
    update(
        &mut app,
        Action::DirectoryResults(String::new(), Ok(directory())),
    );
    update(&mut app, key(KeyCode::Char('j')));
    let walsh = patient(&app, 1);
    update(&mut app, key(KeyCode::Char('J')));
    assert!(matches!(app.overlay, Overlay::JobForm(_)));
    typed(&mut app, "Repeat potassium");
    update(&mut app, key(KeyCode::Down));
    typed(&mut app, "nurse in");
    // Tab completes the role from a word of its name.
    update(&mut app, key(KeyCode::Tab));
    update(&mut app, key(KeyCode::Down));
    typed(&mut app, "14:00");
    update(&mut app, ctrl('p'));
    update(&mut app, ctrl('p'));
    let effects = update(&mut app, key(KeyCode::Enter));
    let [Effect::CreateJob(new)] = effects.as_slice() else {
        panic!("{effects:?}");
    };
    assert_eq!(new.patient, walsh);
    assert_eq!(new.text, "Repeat potassium");
    assert_eq!(new.assignee, "role:4 West nurse in charge");
    assert_eq!(new.priority, JobPriority::Urgent);
    // 09:30 now: 14:00 is today's.
    assert_eq!(
        new.due_at,
        Some(now().date_naive().and_hms_opt(14, 0, 0).unwrap().and_utc())
    );
    let id = new
        .id
        .expect("a job made here carries its own id, for retries");
    // Stored: the form goes and says so.
    let mut made = job(1, &walsh, "Repeat potassium", &nurse(), &charge(), false);
    made.id = id;
    made.assignee = JobAssignee::Role {
        id: Uuid::from_u128(77),
        name: "4 West nurse in charge".into(),
    };
    update(&mut app, Action::JobSaved(Ok(made)));
    assert!(matches!(app.overlay, Overlay::None));
    assert_eq!(
        app.notice.as_deref(),
        Some("Job made for 4 West nurse in charge.")
    );
    assert_eq!(jobs_cell(&app, &walsh), "1");
}

#[test]
fn a_refused_job_keeps_what_was_typed_and_says_why() {
    let mut app = quiet_app();
    update(&mut app, key(KeyCode::Char('J')));
    typed(&mut app, "Bloods");
    // Nobody named: asked for, not sent; the cursor goes where the answer is missing.
    assert!(update(&mut app, key(KeyCode::Enter)).is_empty());
    typed(&mut app, "ghost");
    update(&mut app, key(KeyCode::Down));
    typed(&mut app, "half past");
    assert!(
        update(&mut app, key(KeyCode::Enter)).is_empty(),
        "a due time it cannot read"
    );
    for _ in 0..9 {
        update(&mut app, key(KeyCode::Backspace));
    }
    assert_eq!(update(&mut app, key(KeyCode::Enter)).len(), 1);
    update(
        &mut app,
        Action::JobSaved(Err("No one is called `ghost`.".into())),
    );
    let Overlay::JobForm(form) = &app.overlay else {
        panic!("the form closed on a refusal");
    };
    assert_eq!(form.what.as_str(), "Bloods");
    assert!(form.note.as_deref().unwrap().contains("ghost"));
    assert!(!form.sending);
}

#[test]
fn the_jobs_column_follows_the_event_stream() {
    let mut app = quiet_app();
    let p = patient(&app, 0);
    let mut j = job(1, &p, "ECG", &registrar(), &nurse(), true);
    heard(&mut app, j.clone());
    assert_eq!(jobs_cell(&app, &p), "1");
    heard(
        &mut app,
        job(2, &p, "Bloods", &registrar(), &charge(), false),
    );
    assert_eq!(jobs_cell(&app, &p), "2");
    j.due_at = Some(now() - Duration::minutes(1));
    j.overdue = true;
    heard(&mut app, j.clone());
    assert_eq!(jobs_cell(&app, &p), "2 !");
    j.status = JobStatus::Done;
    heard(&mut app, j);
    assert_eq!(jobs_cell(&app, &p), "1");
}

#[test]
fn an_urgent_job_for_me_pulses_the_bar_until_i_have_seen_it() {
    let mut app = quiet_app();
    let p = patient(&app, 3);
    let bed = app.bed_of(&p).unwrap().to_string();
    let mut urgent = job(
        1,
        &p,
        "Recheck obs and lactate",
        &registrar(),
        &nurse(),
        true,
    );
    urgent.priority = JobPriority::Urgent;
    urgent.due_at = Some(now() + Duration::minutes(30));
    let effects = heard(&mut app, urgent.clone());
    // The bell says there is work, never what or for whom.
    let notified: Vec<&String> = effects
        .iter()
        .filter_map(|e| match e {
            Effect::Notify(t) => Some(t),
            _ => None,
        })
        .collect();
    assert_eq!(notified, vec!["An urgent job for you — 4 West"]);
    assert!(app.pulsing());
    let (text, _) = alert_bar::content(&app);
    assert!(
        text.starts_with(" ‼ URGENT JOB  from Dr Priya Shah"),
        "{text}"
    );
    assert!(text.contains(&format!("bed {bed}")), "{text}");
    assert!(
        !text.contains("lactate"),
        "the bar never shows what the job says"
    );
    // `u` opens it in the pane: seen, the pulse stops.
    update(&mut app, key(KeyCode::Char('u')));
    let Overlay::Jobs(state) = &app.overlay else {
        panic!("u did not open the jobs");
    };
    assert_eq!(state.selected, Some(urgent.id));
    assert!(!app.pulsing());
    update(&mut app, key(KeyCode::Esc));
    // Past its time it is marked, steadily.
    app.now = now() + Duration::minutes(31);
    update(&mut app, Action::Tick);
    let (text, _) = alert_bar::content(&app);
    assert!(text.starts_with(" ! OVERDUE JOB  bed "), "{text}");
    assert!(!app.pulsing());
    assert!(jobs_cell(&app, &p).ends_with('!'));
}

#[test]
fn an_urgent_job_i_give_myself_raises_no_alarm() {
    let mut app = quiet_app();
    let p = patient(&app, 0);
    let mut mine = job(1, &p, "Bloods before noon", &nurse(), &nurse(), true);
    mine.priority = JobPriority::Urgent;
    let effects = update(&mut app, Action::JobSaved(Ok(mine)));
    assert!(
        !effects.iter().any(|e| matches!(e, Effect::Notify(_))),
        "{effects:?}"
    );
    assert!(!app.pulsing());
    assert_eq!(jobs_cell(&app, &p), "1");
}

#[test]
fn whoever_set_a_job_is_told_when_it_is_done() {
    let mut app = quiet_app();
    let p = patient(&app, 0);
    let mut mine = job(1, &p, "Chase CXR", &nurse(), &charge(), false);
    heard(&mut app, mine.clone());
    mine.status = JobStatus::Done;
    mine.closed_by = Some(member(&charge()));
    mine.closed_at = Some(now());
    heard(&mut app, mine);
    let notice = app.notice.clone().unwrap();
    assert!(notice.starts_with("Sam Okafor did “Chase CXR”"), "{notice}");
}

#[test]
fn the_pane_ticks_off_cancels_with_a_reason_and_hands_on() {
    let mut app = quiet_app();
    let p = patient(&app, 0);
    heard(
        &mut app,
        job(1, &p, "Cannula", &registrar(), &nurse(), true),
    );
    heard(&mut app, job(2, &p, "ECG", &registrar(), &nurse(), true));
    let effects = update(
        &mut app,
        Action::Key(KeyEvent::new(KeyCode::Char(':'), KeyModifiers::NONE)),
    );
    assert!(
        effects.is_empty()
            || effects
                .iter()
                .all(|e| matches!(e, Effect::SearchDirectory(_)))
    );
    typed(&mut app, "jobs");
    update(&mut app, key(KeyCode::Enter));
    assert!(matches!(app.overlay, Overlay::Jobs(_)));
    let effects = update(&mut app, key(KeyCode::Char('x')));
    assert!(
        matches!(
            effects.as_slice(),
            [Effect::ChangeJob {
                patch: JobPatch::Done,
                ..
            }]
        ),
        "{effects:?}"
    );
    update(&mut app, key(KeyCode::Char('j')));
    update(&mut app, key(KeyCode::Char('c')));
    // Typing now answers the question: `x` is a letter of the reason, not "done".
    typed(&mut app, "Not needed: done in ED");
    let effects = update(&mut app, key(KeyCode::Enter));
    let [Effect::ChangeJob {
        patch: JobPatch::Cancel { reason },
        ..
    }] = effects.as_slice()
    else {
        panic!("{effects:?}");
    };
    assert_eq!(reason, "Not needed: done in ED");
    update(&mut app, key(KeyCode::Char('a')));
    typed(&mut app, "sokafor");
    let effects = update(&mut app, key(KeyCode::Enter));
    assert!(matches!(
        effects.as_slice(),
        [Effect::ChangeJob { patch: JobPatch::Reassign { assignee }, .. }] if assignee == "sokafor"
    ));
}

#[test]
fn a_plan_is_typed_on_one_line_and_kept_as_lines() {
    let mut app = quiet_app();
    let p = patient(&app, 0);
    update(&mut app, key(KeyCode::Char('P')));
    typed(&mut app, "Wean oxygen");
    update(
        &mut app,
        Action::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::ALT)),
    );
    typed(&mut app, "Home tomorrow");
    let effects = update(&mut app, key(KeyCode::Enter));
    assert_eq!(
        effects,
        vec![Effect::WritePlan {
            patient: p.clone(),
            text: "Wean oxygen\nHome tomorrow".into()
        }]
    );
    update(
        &mut app,
        Action::PlanSaved(Ok(Plan {
            patient: p.clone(),
            text: "Wean oxygen\nHome tomorrow".into(),
            written_by: member(&nurse()),
            written_at: now(),
        })),
    );
    // Editing again starts from it, its lines marked.
    update(&mut app, key(KeyCode::Char('P')));
    let Overlay::Prompt(prompt) = &app.overlay else {
        panic!("no plan prompt");
    };
    assert_eq!(prompt.text.as_str(), "Wean oxygen ¶ Home tomorrow");
}

#[test]
fn ctrl_t_makes_a_job_of_the_newest_message_from_someone_else() {
    let mut app = ward_app();
    update(&mut app, key(KeyCode::Char('j')));
    let selected = patient(&app, 1);
    wardround::tui::update::open_conversation(&mut app, DIRECT);
    let effects = update(&mut app, ctrl('t'));
    assert!(effects
        .iter()
        .all(|e| matches!(e, Effect::SearchDirectory(_) | Effect::Mark { .. })));
    let Overlay::JobForm(form) = &app.overlay else {
        panic!("no job form: {:?}", app.notice);
    };
    // The 1:1 is about no patient: the job is on the one selected on the list.
    assert_eq!(form.patient, selected);
    assert!(form.on_selected, "the form says whose row the job lands on");
    assert_eq!(form.message, Some(urgent().id));
    assert!(form.what.as_str().starts_with("4W-4B has a NEWS2 of 7."));
    // Read from the start, and as urgent as the message.
    assert_eq!(form.what.cursor_chars(), 0);
    assert_eq!(form.priority, JobPriority::Urgent);
    let screen = screen_text(&app, 120, 40);
    assert!(
        screen.contains("selected on the list: Esc and select another"),
        "{screen}"
    );
}

#[test]
fn a_paste_into_a_job_is_one_clean_line() {
    let mut app = quiet_app();
    update(&mut app, key(KeyCode::Char('J')));
    update(
        &mut app,
        Action::Paste("Line one\r\nLine\ttwo\u{1b}[2J\u{7f}".into()),
    );
    let Overlay::JobForm(form) = &app.overlay else {
        panic!("the form closed");
    };
    assert_eq!(form.what.as_str(), "Line one Line two[2J");
}

#[test]
fn the_detail_pane_follows_the_patient_a_job_shows() {
    let mut app = quiet_app();
    let (first, other) = (patient(&app, 0), patient(&app, 5));
    heard(
        &mut app,
        job(1, &other, "ECG", &registrar(), &nurse(), true),
    );
    update(&mut app, key(KeyCode::Enter));
    assert_eq!(app.detail.as_ref().map(|d| d.patient.clone()), Some(first));
    typed(&mut app, ":jobs");
    update(&mut app, key(KeyCode::Enter));
    let effects = update(&mut app, key(KeyCode::Enter));
    assert_eq!(app.patients.selected_row().unwrap().patient, other);
    assert_eq!(
        app.detail.as_ref().map(|d| d.patient.clone()),
        Some(other.clone())
    );
    assert!(effects.contains(&Effect::LoadDetail(other)), "{effects:?}");
    // The filter moves the cursor too; the detail goes with it, or goes.
    update(&mut app, key(KeyCode::Char('/')));
    typed(&mut app, "nobody by this name");
    assert!(app.detail.is_none());
}

#[test]
fn e_changes_only_what_was_changed() {
    let mut app = quiet_app();
    let p = patient(&app, 0);
    let mut j = job(1, &p, "Repeat potassium", &registrar(), &nurse(), true);
    j.due_at = Some(now() + Duration::minutes(30));
    heard(&mut app, j.clone());
    typed(&mut app, ":jobs");
    update(&mut app, key(KeyCode::Enter));
    update(&mut app, key(KeyCode::Char('e')));
    let Overlay::JobForm(form) = &app.overlay else {
        panic!("e did not open the job");
    };
    assert_eq!(
        (form.what.as_str(), form.who.as_str(), form.due.as_str()),
        ("Repeat potassium", "me", "10:00")
    );
    // Nothing changed: nothing sent.
    assert!(update(&mut app, key(KeyCode::Enter)).is_empty());
    assert_eq!(app.notice.as_deref(), Some("Nothing changed."));
    typed(&mut app, ":jobs");
    update(&mut app, key(KeyCode::Enter));
    update(&mut app, key(KeyCode::Char('e')));
    update(&mut app, key(KeyCode::Up));
    update(&mut app, ctrl('u'));
    typed(&mut app, "11:00");
    update(&mut app, ctrl('p'));
    let effects = update(&mut app, key(KeyCode::Enter));
    assert_eq!(
        effects,
        vec![Effect::ChangeJob {
            id: j.id,
            patch: JobPatch::Edit {
                text: None,
                due_at: Some(now().date_naive().and_hms_opt(11, 0, 0).unwrap().and_utc()),
                clear_due: false,
                priority: Some(JobPriority::Soon),
            },
        }]
    );
    j.due_at = Some(now() + Duration::minutes(90));
    j.priority = JobPriority::Soon;
    update(&mut app, Action::JobSaved(Ok(j.clone())));
    // Back to the pane it was opened from, on the same job.
    let Overlay::Jobs(state) = &app.overlay else {
        panic!("not back in the jobs pane: {:?}", app.overlay);
    };
    assert_eq!(state.selected, Some(j.id));
    assert!(app.notice.as_deref().unwrap().starts_with("Job changed"));
    // Handing it on from the form is a reassignment; clearing the due time clears it.
    typed(&mut app, ":jobs");
    update(&mut app, key(KeyCode::Enter));
    update(&mut app, key(KeyCode::Char('e')));
    update(&mut app, key(KeyCode::Down));
    update(&mut app, ctrl('u'));
    typed(&mut app, "sokafor");
    update(&mut app, key(KeyCode::Down));
    update(&mut app, ctrl('u'));
    let effects = update(&mut app, key(KeyCode::Enter));
    assert!(
        matches!(
            effects.as_slice(),
            [
                Effect::ChangeJob { patch: JobPatch::Edit { clear_due: true, due_at: None, .. }, .. },
                Effect::ChangeJob { patch: JobPatch::Reassign { assignee }, .. },
            ] if assignee == "sokafor"
        ),
        "{effects:?}"
    );
}

#[test]
fn q_closes_the_jobs_pane_not_the_app() {
    let mut app = quiet_app();
    typed(&mut app, ":jobs");
    update(&mut app, key(KeyCode::Enter));
    assert!(matches!(app.overlay, Overlay::Jobs(_)));
    let effects = update(&mut app, key(KeyCode::Char('q')));
    assert!(effects.is_empty() && !app.quit);
    assert!(matches!(app.overlay, Overlay::None));
}

#[test]
fn hostile_job_text_reaches_the_screen_clean() {
    let mut app = quiet_app();
    let p = patient(&app, 0);
    heard(
        &mut app,
        job(
            1,
            &p,
            "ECG\u{1b}]52;c;cHduZWQ=\u{7} now\u{1b}[2J",
            &registrar(),
            &nurse(),
            true,
        ),
    );
    typed(&mut app, ":jobs");
    update(&mut app, key(KeyCode::Enter));
    let screen = screen_text(&app, 120, 40);
    assert!(!screen.contains('\u{1b}') && !screen.contains('\u{7}'));
    assert!(screen.contains("ECG]52;c;cHduZWQ= now[2J"), "{screen}");
}

fn ward_with_jobs() -> App {
    let mut app = quiet_app();
    let (a, b, c) = (patient(&app, 0), patient(&app, 3), patient(&app, 7));
    let mut urgent = job(
        1,
        &b,
        "Repeat full set of obs and a lactate",
        &registrar(),
        &nurse(),
        true,
    );
    urgent.priority = JobPriority::Urgent;
    urgent.due_at = Some(now() + Duration::minutes(30));
    let mut late = job(2, &a, "Repeat potassium", &registrar(), &nurse(), true);
    late.due_at = Some(now() - Duration::minutes(10));
    late.overdue = true;
    let mut role = job(3, &c, "TTO for discharge", &registrar(), &charge(), false);
    role.assignee = JobAssignee::Role {
        id: Uuid::from_u128(77),
        name: "4 West nurse in charge".into(),
    };
    role.priority = JobPriority::Soon;
    for j in [urgent, late, role] {
        heard(&mut app, j);
    }
    update(
        &mut app,
        Action::PlanSaved(Ok(Plan {
            patient: b,
            text: "Sepsis six given; IV antibiotics.\nICU outreach if NEWS2 stays 7 or more."
                .into(),
            written_by: member(&registrar()),
            written_at: now() - Duration::minutes(20),
        })),
    );
    app.notice = None;
    app
}

#[test]
fn jobs_pane_at_120x40() {
    let mut app = ward_with_jobs();
    typed(&mut app, ":jobs team");
    update(&mut app, key(KeyCode::Enter));
    insta::assert_snapshot!(screen_text(&app, 120, 40));
}

#[test]
fn job_form_at_80x24() {
    let mut app = ward_with_jobs();
    update(&mut app, key(KeyCode::Char('J')));
    typed(&mut app, "Chase the chest X-ray report");
    update(&mut app, key(KeyCode::Down));
    typed(&mut app, "pshah");
    update(&mut app, key(KeyCode::Down));
    typed(&mut app, "+2h");
    insta::assert_snapshot!(screen_text(&app, 80, 24));
}

#[test]
fn detail_shows_the_plan_and_open_jobs() {
    let mut app = ward_with_jobs();
    for _ in 0..3 {
        update(&mut app, key(KeyCode::Char('j')));
    }
    let p = patient(&app, 3);
    update(&mut app, key(KeyCode::Enter));
    let detail = wardround::fhir::detail::detail(
        wardround::demo::ward_source(now())
            .charts()
            .find(|c| c.patient.id.as_deref() == Some(p.as_str()))
            .unwrap(),
        now(),
    );
    update(&mut app, Action::DetailLoaded(p, Ok(Box::new(detail))));
    let screen = screen_text(&app, 120, 40);
    assert!(
        screen.contains("Plan Sepsis six given; IV antibiotics."),
        "{screen}"
    );
    assert!(
        screen.contains("ICU outreach if NEWS2 stays 7 or more."),
        "{screen}"
    );
    assert!(screen.contains("— Dr Priya Shah, 20m ago"), "{screen}");
    assert!(
        screen.contains("Jobs ☐ Repeat full set of obs and a lactate — me, due 10:00, urgent"),
        "{screen}"
    );
}

#[test]
fn handover_sheet_at_120x40() {
    let mut app = ward_with_jobs();
    let list = app.patients.list_id.unwrap();
    typed(&mut app, ":handover");
    let effects = update(&mut app, key(KeyCode::Enter));
    assert_eq!(effects, vec![Effect::LoadHandover(list)]);
    let row = |at: usize, plan: Option<Plan>| {
        let r = app.patients.row(at).unwrap();
        let text = |c| r.cell(c).map(|c| c.text.clone()).unwrap_or_default();
        wardround::model::HandoverRow {
            patient: r.patient.clone(),
            bed: text(ColumnId::Bed),
            name: text(ColumnId::Name),
            news2: text(ColumnId::News2),
            news2_score: None,
            discharged_at: None,
            plan,
            jobs: app
                .jobs
                .open_for(&r.patient, now())
                .into_iter()
                .cloned()
                .collect(),
        }
    };
    let plan = app.jobs.plan(&patient(&app, 3)).cloned();
    let sheet = wardround::model::HandoverSheet {
        list_id: list,
        list: "4 West — all beds".into(),
        at: now(),
        rows: vec![row(0, None), row(3, plan), row(7, None)],
    };
    update(&mut app, Action::HandoverLoaded(list, Ok(sheet)));
    insta::assert_snapshot!(screen_text(&app, 120, 40));
    // A job changing while it is open reads it again.
    let first = patient(&app, 0);
    let effects = heard(
        &mut app,
        job(9, &first, "New job", &registrar(), &charge(), false),
    );
    assert!(effects.contains(&Effect::LoadHandover(list)));
}
