//! A new job on a patient: what, for whom (a colleague or a role, Tab completes), when it
//! is due and how soon. `J` on a patient's row, or `Ctrl-T` on a chat (the newest message
//! from someone else, linked to the job). `e` in the jobs pane opens it on an open job,
//! to change what was said of it.

use crossterm::event::KeyCode;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};
use ratatui::Frame;
use uuid::Uuid;

use super::pane_block;
use super::text_field::TextField;
use crate::model::{JobPriority, NewJob, MAX_JOB_CHARS};
use crate::tui::action::Effect;
use crate::tui::app::{App, Overlay};
use crate::tui::jobs::{due_label, parse_due};
use crate::tui::keymap::{Binding, Command, KeyPress, Scope};
use crate::tui::theme::{Role, Theme};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Field {
    #[default]
    What,
    For,
    Due,
}

#[derive(Debug, Clone, PartialEq)]
pub struct JobForm {
    /// Chosen here, so that a request retried after a dropped connection makes one job.
    pub id: Uuid,
    pub patient: String,
    /// Bed and name, for the title.
    pub label: String,
    /// Made from this chat message.
    pub message: Option<Uuid>,
    /// The chat was about no patient: the job is on the one selected on the list.
    pub on_selected: bool,
    pub field: Field,
    pub what: TextField,
    pub who: TextField,
    pub due: TextField,
    pub priority: JobPriority,
    /// Tab's choices for the `For` field, and the one shown.
    pub choices: Vec<(String, String)>,
    pub choice: usize,
    /// Why the last try would not do.
    pub note: Option<String>,
    /// Sent; the server's word is awaited.
    pub sending: bool,
    /// Changing this job rather than making one: the fields as they were, so that only
    /// what was changed is sent.
    pub editing: Option<Was>,
    /// Opened from the jobs pane: it comes back, as it was, when the form closes.
    pub back_to: Option<Box<super::jobs_pane::JobsState>>,
}

/// An open job's fields as the edit began.
#[derive(Debug, Clone, PartialEq)]
pub struct Was {
    pub what: String,
    pub who: String,
    pub due: String,
    pub priority: JobPriority,
}

pub fn bindings() -> Vec<Binding> {
    use Command::*;
    let s = Scope::JobForm;
    vec![
        Binding::new(
            s,
            &[KeyPress::plain(KeyCode::Enter)],
            PromptDone,
            "Make (or save) the job",
        )
        .hint("save"),
        Binding::new(s, &[KeyPress::plain(KeyCode::Esc)], PromptCancel, "Cancel").hint("cancel"),
        Binding::new(
            s,
            &[KeyPress::plain(KeyCode::Down)],
            ResultDown,
            "Next field",
        )
        .hint("field"),
        Binding::new(
            s,
            &[KeyPress::plain(KeyCode::Up)],
            ResultUp,
            "Previous field",
        ),
        Binding::new(
            s,
            &[KeyPress::plain(KeyCode::Tab)],
            CompleteNext,
            "Complete whom it is for",
        )
        .hint("complete"),
        Binding::new(
            s,
            &[KeyPress::plain(KeyCode::BackTab)],
            CompletePrev,
            "The previous completion",
        ),
        Binding::new(
            s,
            &[KeyPress::ctrl('p'), KeyPress::plain(KeyCode::F(3))],
            CyclePriority,
            "Routine, soon or urgent",
        )
        .hint("priority"),
    ]
}

/// What a job made from a chat message starts from.
#[derive(Debug, Clone, PartialEq)]
pub struct FromMessage {
    pub id: Uuid,
    pub body: String,
    pub priority: crate::model::Priority,
    /// The chat is about no patient: the job goes on the one selected on the list.
    pub on_selected: bool,
}

/// Opens the form for `patient`, perhaps from a chat message (its text and urgency to
/// start from).
pub fn open(app: &mut App, patient: String, message: Option<FromMessage>) -> Vec<Effect> {
    let label = app.patient_label(&patient);
    let on_selected = message.as_ref().is_some_and(|m| m.on_selected);
    let priority = match message.as_ref().map(|m| m.priority) {
        Some(crate::model::Priority::Urgent) => JobPriority::Urgent,
        Some(crate::model::Priority::Important) => JobPriority::Soon,
        _ => JobPriority::Routine,
    };
    let (message, what) = match message {
        Some(m) => {
            let mut what = TextField::new(m.body.chars().take(MAX_JOB_CHARS).collect::<String>());
            // Read from its start: a long message's end says less of what it is.
            what.edit(super::text_field::Edit::Home);
            (Some(m.id), what)
        }
        None => (None, TextField::default()),
    };
    let id = app.ids.next_id();
    app.overlay = Overlay::JobForm(JobForm {
        id,
        patient,
        label,
        message,
        on_selected,
        field: Field::What,
        what,
        who: TextField::default(),
        due: TextField::default(),
        priority,
        choices: Vec::new(),
        choice: 0,
        note: None,
        sending: false,
        editing: None,
        back_to: None,
    });
    // Names to complete with, if this session has heard none yet.
    if app.known.has_people() {
        Vec::new()
    } else {
        vec![Effect::SearchDirectory(String::new())]
    }
}

/// `e` in the jobs pane: the form on an open job, as it is.
pub fn edit(app: &mut App, job: &crate::model::Job) {
    let who = match &job.assignee {
        crate::model::JobAssignee::Role { .. } => format!("role:{}", job.assignee.name()),
        crate::model::JobAssignee::User { .. } if job.mine => "me".into(),
        crate::model::JobAssignee::User { display_name, .. } => display_name.clone(),
    };
    // As the ward reads it; left as it is (whatever its seconds or day) unless typed over.
    let due = job
        .due_at
        .map(|d| due_label(d, app.now, app.utc_offset))
        .unwrap_or_default();
    let was = Was {
        what: job.text.clone(),
        who: who.clone(),
        due: due.clone(),
        priority: job.priority,
    };
    app.overlay = Overlay::JobForm(JobForm {
        id: job.id,
        patient: job.patient.clone(),
        label: app.patient_label(&job.patient),
        message: None,
        on_selected: false,
        field: Field::What,
        what: TextField::new(job.text.clone()),
        who: TextField::new(who),
        due: TextField::new(due),
        priority: job.priority,
        choices: Vec::new(),
        choice: 0,
        note: None,
        sending: false,
        editing: Some(was),
        back_to: None,
    });
}

/// Opened from the jobs pane, the form returns there when it closes.
pub fn from_pane(app: &mut App, pane: super::jobs_pane::JobsState) {
    if let Overlay::JobForm(form) = &mut app.overlay {
        form.back_to = Some(Box::new(pane));
    }
}

/// The form closes: back to the jobs pane it came from, else to the panes.
fn close(app: &mut App) {
    let back = match std::mem::take(app.overlay.unlocked_mut()) {
        Overlay::JobForm(form) => form.back_to,
        other => {
            *app.overlay.unlocked_mut() = other;
            return;
        }
    };
    *app.overlay.unlocked_mut() = match back {
        Some(pane) => Overlay::Jobs(*pane),
        None => Overlay::None,
    };
}

/// What an edit changes, as the requests that change it; none when nothing changed.
fn changes(form: &JobForm, was: &Was, due: Option<chrono::DateTime<chrono::Utc>>) -> Vec<Effect> {
    use crate::model::JobPatch;
    let (text, who) = (form.what.as_str().trim(), form.who.as_str().trim());
    let due_changed = form.due.as_str().trim() != was.due;
    let mut effects = Vec::new();
    if text != was.what || due_changed || form.priority != was.priority {
        effects.push(Effect::ChangeJob {
            id: form.id,
            patch: JobPatch::Edit {
                text: (text != was.what).then(|| text.to_string()),
                due_at: due.filter(|_| due_changed),
                clear_due: due_changed && due.is_none(),
                priority: (form.priority != was.priority).then_some(form.priority),
            },
        });
    }
    if who != was.who {
        effects.push(Effect::ChangeJob {
            id: form.id,
            patch: JobPatch::Reassign {
                assignee: who.to_string(),
            },
        });
    }
    effects
}

fn field_mut(form: &mut JobForm) -> &mut TextField {
    match form.field {
        Field::What => &mut form.what,
        Field::For => &mut form.who,
        Field::Due => &mut form.due,
    }
}

pub fn type_char(app: &mut App, c: char) {
    if let Overlay::JobForm(form) = &mut app.overlay {
        let limit = if form.field == Field::What {
            MAX_JOB_CHARS
        } else {
            100
        };
        field_mut(form).insert(c, limit);
        form.choices.clear();
        form.note = None;
    }
}

pub fn handle(app: &mut App, command: Command) -> Vec<Effect> {
    let (now, zone) = (app.now, app.utc_offset);
    let Overlay::JobForm(form) = &mut app.overlay else {
        return Vec::new();
    };
    match command {
        Command::PromptCancel => close(app),
        Command::Edit(edit) => {
            field_mut(form).edit(edit);
            form.choices.clear();
        }
        Command::ResultDown => form.field = next(form.field, false),
        Command::ResultUp => form.field = next(form.field, true),
        Command::CyclePriority => {
            form.priority = match form.priority {
                JobPriority::Routine => JobPriority::Soon,
                JobPriority::Soon => JobPriority::Urgent,
                JobPriority::Urgent => JobPriority::Routine,
            }
        }
        Command::CompleteNext | Command::CompletePrev if form.field == Field::For => {
            if form.choices.is_empty() {
                form.choices = crate::tui::completion::assignees(&app.known, form.who.as_str());
                form.choice = 0;
            } else {
                let n = form.choices.len();
                form.choice = if command == Command::CompleteNext {
                    (form.choice + 1) % n
                } else {
                    (form.choice + n - 1) % n
                };
            }
            match form.choices.get(form.choice) {
                Some((text, _)) => {
                    form.who = TextField::new(text.clone());
                    form.note = None;
                }
                None => form.note = Some("Nobody this session knows of: type a username.".into()),
            }
        }
        Command::CompleteNext => form.field = next(form.field, false),
        Command::CompletePrev => form.field = next(form.field, true),
        Command::PromptDone if !form.sending => {
            let text = form.what.as_str().trim().to_string();
            let who = form.who.as_str().trim().to_string();
            // An edit's due time left as it was is not read again (it may be another day's).
            let due_kept = form
                .editing
                .as_ref()
                .is_some_and(|was| was.due == form.due.as_str().trim());
            let due = if due_kept {
                Ok(None)
            } else {
                parse_due(form.due.as_str(), now, zone)
            };
            let problem = if text.is_empty() {
                Some((Field::What, "Say what the job is.".to_string()))
            } else if who.is_empty() {
                Some((
                    Field::For,
                    "Say who it is for: me, a username or role:NAME (Tab completes).".into(),
                ))
            } else {
                due.as_ref().err().map(|e| (Field::Due, e.clone()))
            };
            if let Some((field, why)) = problem {
                form.field = field;
                form.note = Some(why);
                return Vec::new();
            }
            if let Some(was) = &form.editing {
                let effects = changes(form, was, due.ok().flatten());
                if effects.is_empty() {
                    close(app);
                    app.notice = Some("Nothing changed.".into());
                    return Vec::new();
                }
                form.sending = true;
                form.note = None;
                return effects;
            }
            form.sending = true;
            form.note = None;
            return vec![Effect::CreateJob(NewJob {
                id: Some(form.id),
                patient: form.patient.clone(),
                text,
                assignee: who,
                due_at: due.ok().flatten(),
                priority: form.priority,
                message_id: form.message,
            })];
        }
        _ => {}
    }
    Vec::new()
}

fn next(field: Field, back: bool) -> Field {
    match (field, back) {
        (Field::What, false) | (Field::Due, true) => Field::For,
        (Field::For, false) | (Field::What, true) => Field::Due,
        (Field::Due, false) | (Field::For, true) => Field::What,
    }
}

/// The server's word on the job sent: made (the form closes), or why not (it stays, with
/// what was typed).
pub fn saved(app: &mut App, result: &Result<crate::model::Job, String>) -> bool {
    let open = app.overlay.unlocked_mut();
    let Overlay::JobForm(form) = open else {
        return false;
    };
    if !form.sending {
        return false;
    }
    match result {
        Ok(job) if job.id == form.id => {
            let said = if form.editing.is_some() {
                format!("Job changed: “{}”, for {}.", job.text, job.assignee.name())
            } else {
                format!("Job made for {}.", job.assignee.name())
            };
            close(app);
            app.notice = Some(said);
        }
        Ok(_) => return false,
        Err(e) => {
            let what = if form.editing.is_some() {
                "changed"
            } else {
                "made"
            };
            form.sending = false;
            form.note = Some(format!("Not {what}: {e}"));
        }
    }
    true
}

pub fn render(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let Overlay::JobForm(form) = &app.overlay else {
        return;
    };
    let height = 9 + u16::from(form.message.is_some()) + u16::from(form.on_selected);
    let popup = super::centered(area, 76, height);
    frame.render_widget(Clear, popup);
    let title = if form.editing.is_some() {
        format!(" Edit job · {} ", form.label)
    } else {
        format!(" New job · {} ", form.label)
    };
    let block = pane_block(
        super::truncate(&title, usize::from(popup.width)),
        true,
        theme,
    );
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    let width = usize::from(inner.width).saturating_sub(11);
    let row = |name: &str, field: Field, shown: String, after: String| {
        let focused = form.field == field;
        Line::from(vec![
            Span::styled(
                format!("{}{name:<9}", if focused { "▸ " } else { "  " }),
                theme.style(if focused { Role::Header } else { Role::Muted }),
            ),
            Span::styled(shown, theme.style(Role::Text)),
            Span::styled(after, theme.style(Role::Muted)),
        ])
    };
    let text = |f: &TextField, field: Field| {
        if form.field == field {
            f.with_bar(width)
        } else {
            f.window(width).0.to_string()
        }
    };
    let kept = form
        .editing
        .as_ref()
        .is_some_and(|was| !was.due.is_empty() && was.due == form.due.as_str().trim());
    let due_note = match parse_due(form.due.as_str(), app.now, app.utc_offset) {
        _ if kept => "  (as it was; empty clears it)".into(),
        Ok(Some(at)) => format!("  → {}", due_label(at, app.now, app.utc_offset)),
        Ok(None) => "  none (or 14:00, +2h, tomorrow 9:00)".into(),
        Err(_) => "  ?".into(),
    };
    let who_note = match form.choices.get(form.choice) {
        Some((_, label)) if form.choices.len() > 1 => {
            format!("  {label} ({} of {})", form.choice + 1, form.choices.len())
        }
        Some((_, label)) => format!("  {label}"),
        None => String::new(),
    };
    let priority_role = match form.priority {
        JobPriority::Urgent => Role::Urgent,
        JobPriority::Soon => Role::Important,
        JobPriority::Routine => Role::Text,
    };
    let mut lines = vec![
        row(
            "What",
            Field::What,
            text(&form.what, Field::What),
            String::new(),
        ),
        row("For", Field::For, text(&form.who, Field::For), who_note),
        row("Due", Field::Due, text(&form.due, Field::Due), due_note),
        Line::from(vec![
            Span::styled(format!("  {:<9}", "Priority"), theme.style(Role::Muted)),
            Span::styled(form.priority.as_str(), theme.style(priority_role)),
            Span::styled("  (Ctrl-P or F3 changes)", theme.style(Role::Muted)),
        ]),
    ];
    if form.message.is_some() {
        lines.push(Line::styled(
            "  Linked to the chat message it was made from.",
            theme.style(Role::Muted),
        ));
    }
    if form.on_selected {
        // The chat named no patient: say whose row the job lands on, in words.
        lines.push(Line::styled(
            format!(
                "  On {}, selected on the list: Esc and select another to change.",
                form.label
            ),
            theme.style(Role::Warning),
        ));
    }
    lines.push(Line::default());
    if form.sending {
        lines.push(Line::styled("  Sending…", theme.style(Role::Muted)));
    } else if let Some(note) = &form.note {
        lines.push(Line::styled(
            format!("  {note}"),
            theme.style(Role::Warning),
        ));
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}
