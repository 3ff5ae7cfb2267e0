//! `:jobs`: the round's work, live. Views: mine (and my roles'), my roles, the team's,
//! this patient's, and what was closed this session; sorted by due time, priority or
//! bed. One key marks a job done; others cancel it (with a reason) or hand it on.

use crossterm::event::KeyCode;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, List, ListItem, ListState, Paragraph};
use ratatui::Frame;
use uuid::Uuid;

use super::text_field::TextField;
use super::{column, pane_block};
use crate::model::{Job, JobAssignee, JobPatch, JobPriority, JobStatus};
use crate::tui::action::Effect;
use crate::tui::app::{App, Overlay};
use crate::tui::jobs::{due_label, overdue, shown, SortBy, View};
use crate::tui::keymap::{Binding, Command, KeyPress, Scope};
use crate::tui::theme::{Role, Theme};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct JobsState {
    pub view: View,
    pub sort: SortBy,
    /// The job under the cursor (kept by id: jobs come and go while it is open).
    pub selected: Option<Uuid>,
    /// The patient "this patient" means: the one selected when the pane opened.
    pub patient: Option<String>,
    /// A question about the selected job, being answered.
    pub asking: Option<Ask>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Ask {
    pub job: Uuid,
    pub kind: AskKind,
    pub text: TextField,
    pub choices: Vec<(String, String)>,
    pub choice: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AskKind {
    /// Why it is cancelled.
    Cancel,
    /// Whom it goes to.
    Reassign,
}

pub fn bindings() -> Vec<Binding> {
    use Command::*;
    let s = Scope::Jobs;
    let a = Scope::JobAsk;
    vec![
        Binding::new(
            s,
            &[KeyPress::ch('x'), KeyPress::ch(' ')],
            JobDone,
            "Mark the job done",
        )
        .hint("done"),
        Binding::new(
            s,
            &[KeyPress::ch('c')],
            JobCancel,
            "Cancel the job (say why)",
        )
        .hint("cancel"),
        Binding::new(
            s,
            &[KeyPress::ch('a')],
            JobReassign,
            "Hand the job to someone else",
        )
        .hint("hand on"),
        Binding::new(s, &[KeyPress::ch('e')], JobEdit, "Change the job").hint("edit"),
        Binding::new(
            s,
            &[KeyPress::ch('J')],
            NewJob,
            "A new job for that patient",
        )
        .hint("new"),
        Binding::new(
            s,
            &[KeyPress::plain(KeyCode::Tab)],
            NextJobView,
            "Next view (mine, team, …)",
        )
        .hint("view"),
        Binding::new(
            s,
            &[KeyPress::plain(KeyCode::BackTab)],
            PrevJobView,
            "Previous view",
        ),
        Binding::new(
            s,
            &[KeyPress::ch('s')],
            SortByColumn,
            "Sort: due, priority or bed",
        )
        .hint("sort"),
        Binding::new(
            s,
            &[KeyPress::plain(KeyCode::Enter)],
            JobToPatient,
            "Show the patient on the list",
        )
        .hint("patient"),
        Binding::new(
            s,
            &[KeyPress::plain(KeyCode::Down), KeyPress::ch('j')],
            ResultDown,
            "Next job",
        ),
        Binding::new(
            s,
            &[KeyPress::plain(KeyCode::Up), KeyPress::ch('k')],
            ResultUp,
            "Previous job",
        ),
        Binding::new(s, &[KeyPress::plain(KeyCode::Esc)], CloseSearch, "Close").hint("close"),
        Binding::new(a, &[KeyPress::plain(KeyCode::Enter)], PromptDone, "Do it").hint("ok"),
        Binding::new(
            a,
            &[KeyPress::plain(KeyCode::Esc)],
            PromptCancel,
            "Never mind",
        )
        .hint("back"),
        Binding::new(
            a,
            &[KeyPress::plain(KeyCode::Tab)],
            CompleteNext,
            "Complete a colleague or role",
        )
        .hint("complete"),
    ]
}

/// `:jobs`: on my own, or (`view`) another view; "this patient" is the one selected.
pub fn open(app: &mut App, view: View) -> Vec<Effect> {
    let patient = app.patients.selected_row().map(|r| r.patient.clone());
    app.overlay = Overlay::Jobs(JobsState {
        view,
        patient,
        ..Default::default()
    });
    keep_selection_shown(app);
    // The book is kept live; a first open before it loaded asks for it.
    if app.jobs.loaded {
        Vec::new()
    } else {
        vec![Effect::LoadJobs]
    }
}

/// The jobs the pane shows now, in order.
pub fn visible(app: &App) -> Vec<&Job> {
    let Overlay::Jobs(state) = &app.overlay else {
        return Vec::new();
    };
    shown(
        &app.jobs,
        state.view,
        state.patient.as_deref(),
        state.sort,
        |p| app.bed_of(p).map(str::to_string),
        app.now,
    )
}

/// After the jobs or the view change: the cursor on a job still shown, else the first.
pub fn keep_selection_shown(app: &mut App) {
    let ids: Vec<Uuid> = visible(app).iter().map(|j| j.id).collect();
    if let Overlay::Jobs(state) = &mut app.overlay {
        if !state.selected.is_some_and(|id| ids.contains(&id)) {
            state.selected = ids.first().copied();
        }
    }
}

pub fn type_char(app: &mut App, c: char) {
    if let Overlay::Jobs(JobsState {
        asking: Some(ask), ..
    }) = &mut app.overlay
    {
        ask.text.insert(c, crate::model::MAX_REASON_CHARS);
        ask.choices.clear();
    }
}

pub fn handle(app: &mut App, command: Command) -> Vec<Effect> {
    if matches!(
        &app.overlay,
        Overlay::Jobs(JobsState {
            asking: Some(_),
            ..
        })
    ) {
        return answer(app, command);
    }
    let ids: Vec<Uuid> = visible(app).iter().map(|j| j.id).collect();
    let selected_job = match &app.overlay {
        Overlay::Jobs(s) => s.selected.and_then(|id| app.jobs.get(id)).cloned(),
        _ => None,
    };
    let Overlay::Jobs(state) = &mut app.overlay else {
        return Vec::new();
    };
    match command {
        Command::CloseSearch => app.overlay = Overlay::None,
        Command::ResultDown | Command::ResultUp => {
            let at = ids.iter().position(|id| Some(*id) == state.selected);
            let next = match (at, command == Command::ResultDown) {
                (None, _) => 0,
                (Some(i), true) => (i + 1).min(ids.len().saturating_sub(1)),
                (Some(i), false) => i.saturating_sub(1),
            };
            state.selected = ids.get(next).copied();
        }
        Command::NextJobView | Command::PrevJobView => {
            state.view = state.view.next(command == Command::PrevJobView);
            state.selected = None;
            keep_selection_shown(app);
        }
        Command::SortByColumn => state.sort = state.sort.next(),
        Command::JobDone | Command::JobCancel | Command::JobReassign => {
            let Some(job) = selected_job.filter(Job::is_open) else {
                app.notice = Some("No open job is selected.".into());
                return Vec::new();
            };
            match command {
                Command::JobDone => {
                    app.notice = Some(format!("Marking “{}” done…", job.text));
                    return vec![Effect::ChangeJob {
                        id: job.id,
                        patch: JobPatch::Done,
                    }];
                }
                c => {
                    state.asking = Some(Ask {
                        job: job.id,
                        kind: if c == Command::JobCancel {
                            AskKind::Cancel
                        } else {
                            AskKind::Reassign
                        },
                        text: TextField::default(),
                        choices: Vec::new(),
                        choice: 0,
                    })
                }
            }
        }
        Command::JobEdit => match selected_job.filter(Job::is_open) {
            Some(job) => {
                let pane = state.clone();
                super::job_form::edit(app, &job);
                super::job_form::from_pane(app, pane);
            }
            None => app.notice = Some("No open job is selected.".into()),
        },
        Command::NewJob => {
            let Some(job) = selected_job else {
                return Vec::new();
            };
            let pane = state.clone();
            let effects = super::job_form::open(app, job.patient, None);
            super::job_form::from_pane(app, pane);
            return effects;
        }
        Command::JobToPatient => {
            let Some(job) = selected_job else {
                return Vec::new();
            };
            app.overlay = Overlay::None;
            app.focus = crate::tui::app::Pane::Patients;
            if !app.patients.select_patient(&job.patient) {
                app.notice = Some(format!(
                    "{} is not on the list shown: L shows your other lists.",
                    app.patient_label(&job.patient)
                ));
            }
        }
        _ => {}
    }
    Vec::new()
}

/// A key while a question about the job is open.
fn answer(app: &mut App, command: Command) -> Vec<Effect> {
    let known = &app.known;
    let Overlay::Jobs(JobsState {
        asking: Some(ask), ..
    }) = &mut app.overlay
    else {
        return Vec::new();
    };
    match command {
        Command::PromptCancel => {
            if let Overlay::Jobs(state) = &mut app.overlay {
                state.asking = None;
            }
        }
        Command::Edit(edit) => {
            ask.text.edit(edit);
            ask.choices.clear();
        }
        Command::CompleteNext if ask.kind == AskKind::Reassign => {
            if ask.choices.is_empty() {
                ask.choices = crate::tui::completion::assignees(known, ask.text.as_str());
                ask.choice = 0;
            } else {
                ask.choice = (ask.choice + 1) % ask.choices.len();
            }
            if let Some((text, _)) = ask.choices.get(ask.choice) {
                ask.text = TextField::new(text.clone());
            }
        }
        Command::PromptDone => {
            let text = ask.text.as_str().trim().to_string();
            if text.is_empty() {
                return Vec::new();
            }
            let patch = match ask.kind {
                AskKind::Cancel => JobPatch::Cancel { reason: text },
                AskKind::Reassign => JobPatch::Reassign { assignee: text },
            };
            let id = ask.job;
            if let Overlay::Jobs(state) = &mut app.overlay {
                state.asking = None;
            }
            return vec![Effect::ChangeJob { id, patch }];
        }
        _ => {}
    }
    Vec::new()
}

/// A job as one line: due, bed, what, for whom, how soon (or, closed, who closed it).
fn line<'a>(app: &App, job: &Job, widths: (usize, usize, usize), theme: &Theme) -> Line<'a> {
    let late = overdue(job, app.now);
    let mark = match (job.status, late, job.priority) {
        (JobStatus::Done, ..) => "✓",
        (JobStatus::Cancelled, ..) => "✗",
        (_, _, JobPriority::Urgent) => "‼",
        (_, true, _) => "!",
        _ => " ",
    };
    let due = due_of(app, job);
    let bed = app.bed_of(&job.patient).unwrap_or("").to_string();
    let who = match &job.assignee {
        JobAssignee::User { .. } if job.mine => "me".to_string(),
        JobAssignee::User { .. } => job.assignee.name().to_string(),
        JobAssignee::Role { .. } => format!("role: {}", job.assignee.name()),
    };
    let tail = match job.status {
        JobStatus::Open => format!("{who} · {}", job.priority.as_str()),
        JobStatus::Done => format!("done by {}", closer(app, job)),
        JobStatus::Cancelled => format!(
            "cancelled by {}: {}",
            closer(app, job),
            job.cancel_reason.as_deref().unwrap_or_default()
        ),
    };
    let role = match (job.status, late, job.priority) {
        (JobStatus::Open, true, _) | (JobStatus::Open, _, JobPriority::Urgent) => Role::Urgent,
        (JobStatus::Open, _, JobPriority::Soon) => Role::Important,
        (JobStatus::Open, ..) => Role::Text,
        _ => Role::Muted,
    };
    let (due_width, text_width, tail_width) = widths;
    Line::from(vec![
        Span::styled(
            format!("{mark} {} ", column(&due, due_width)),
            theme.style(role),
        ),
        Span::styled(format!("{} ", column(&bed, 8)), theme.style(Role::Header)),
        Span::styled(
            format!("{} ", column(&job.text, text_width)),
            theme.style(Role::Text),
        ),
        Span::styled(column(&tail, tail_width), theme.style(Role::Muted)),
    ])
}

/// When it is due (open), or when it was closed.
fn due_of(app: &App, job: &Job) -> String {
    let at = if job.is_open() {
        job.due_at
    } else {
        job.closed_at
    };
    at.map(|d| due_label(d, app.now, app.utc_offset))
        .unwrap_or_else(|| "—".into())
}

/// Who closed it, and how long ago.
fn closer(app: &App, job: &Job) -> String {
    let who = job
        .closed_by
        .as_ref()
        .map_or("", |m| m.display_name.as_str());
    match job.closed_at {
        Some(at) => format!("{who} {}", super::ago((app.now - at).num_seconds())),
        None => who.to_string(),
    }
}

pub fn render(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let Overlay::Jobs(state) = &app.overlay else {
        return;
    };
    let jobs = visible(app);
    let popup = super::centered(area, 120, area.height.saturating_sub(2).max(8));
    frame.render_widget(Clear, popup);
    let count = match state.view {
        View::Patient => format!(
            "{} · {}",
            state
                .patient
                .as_deref()
                .map_or("no patient selected".into(), |p| app.patient_label(p)),
            jobs.len()
        ),
        _ => jobs.len().to_string(),
    };
    let order = if state.view == View::Closed {
        "newest first"
    } else {
        state.sort.label()
    };
    let title = format!(" Jobs · {} ({count}) · by {order} ", state.view.label());
    let block = pane_block(
        super::truncate(&title, usize::from(popup.width)),
        true,
        theme,
    );
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    let [views, list_area, ask_area] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(if state.asking.is_some() { 2 } else { 0 }),
    ])
    .areas(inner);
    let mut tabs = vec![Span::styled("  ", theme.style(Role::Muted))];
    for v in View::ALL {
        let role = if v == state.view {
            Role::Selection
        } else {
            Role::Muted
        };
        tabs.push(Span::styled(format!(" {} ", v.label()), theme.style(role)));
    }
    frame.render_widget(Paragraph::new(Line::from(tabs)), views);
    if jobs.is_empty() {
        let text = if !app.jobs.loaded {
            "Loading jobs…"
        } else {
            match state.view {
                View::Mine => "Nothing for you or your roles. Tab shows the team's.",
                View::Roles => "Nothing for the roles you hold.",
                View::Team => "No open jobs on your teams' patients. J on a patient makes one.",
                View::Patient => "No open jobs on this patient. J makes one.",
                View::Closed => "Nothing done or cancelled this session.",
            }
        };
        frame.render_widget(
            Paragraph::new(format!("\n  {text}")).style(theme.style(Role::Muted)),
            list_area,
        );
    } else {
        // The due column as wide as its widest time, so the words get the room.
        let due_width = jobs
            .iter()
            .map(|j| unicode_width::UnicodeWidthStr::width(due_of(app, j).as_str()))
            .max()
            .unwrap_or(1)
            .max(3);
        let rest = usize::from(list_area.width).saturating_sub(2 + due_width + 3 + 9);
        let tail = (rest * 2 / 5).clamp(8, 48);
        let widths = (due_width, rest.saturating_sub(tail), tail);
        let selected = jobs.iter().position(|j| Some(j.id) == state.selected);
        let items: Vec<ListItem> = jobs
            .iter()
            .map(|j| ListItem::new(line(app, j, widths, theme)))
            .collect();
        let mut list_state = ListState::default().with_selected(selected);
        frame.render_stateful_widget(
            List::new(items)
                .highlight_style(theme.style(Role::Selection))
                .highlight_symbol("▸"),
            list_area,
            &mut list_state,
        );
    }
    if let Some(ask) = &state.asking {
        let question = match ask.kind {
            AskKind::Cancel => "Why cancel it? ",
            AskKind::Reassign => "Hand it to (me, a username, role:NAME): ",
        };
        let width = usize::from(ask_area.width).saturating_sub(question.len() + 1);
        let choice = ask
            .choices
            .get(ask.choice)
            .map(|(_, label)| format!("  {label}"))
            .unwrap_or_default();
        frame.render_widget(
            Paragraph::new(vec![
                Line::default(),
                Line::from(vec![
                    Span::styled(question, theme.style(Role::Header)),
                    Span::raw(ask.text.with_bar(width)),
                    Span::styled(choice, theme.style(Role::Muted)),
                ]),
            ]),
            ask_area,
        );
    }
}
