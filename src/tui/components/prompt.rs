//! A one-line question with a typed answer: naming a new list, renaming one; and the
//! three questions of `:password` (the answers drawn as dots, held in memory only until
//! the server has answered).

use crossterm::event::KeyCode;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use ratatui::Frame;
use uuid::Uuid;

use unicode_width::UnicodeWidthStr;

use super::pane_block;
use super::text_field::TextField;
use crate::tui::action::Effect;
use crate::tui::app::{App, Overlay};
use crate::tui::keymap::{Binding, Command, KeyPress, Scope};
use crate::tui::theme::{Role, Theme};

#[derive(Debug, Clone, PartialEq)]
pub enum Asking {
    NewList,
    /// The name of a list that follows the census of `location` (`Location/ID`).
    CensusList {
        location: String,
    },
    RenameList(Uuid),
    DuplicateList(Uuid),
    CurrentPassword,
    NewPassword {
        current: String,
    },
    NewPasswordAgain {
        current: String,
        new: String,
    },
    /// A patient's plan: its lines kept apart with ` ¶ ` while typed on one line.
    Plan {
        patient: String,
        /// Bed and name, in the title: whose plan it is.
        label: String,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Prompt {
    pub asking: Asking,
    pub text: TextField,
    /// Why the last answer would not do.
    pub note: Option<String>,
    /// The answers went to the server; its word is awaited.
    pub sending: bool,
}

impl Prompt {
    fn question(&self) -> &'static str {
        match self.asking {
            Asking::NewList => "Name of the new list",
            Asking::CensusList { .. } => "Name of the census list",
            Asking::RenameList(_) => "New name for this list",
            Asking::DuplicateList(_) => "Name of the copy",
            Asking::CurrentPassword => "Your current password",
            Asking::NewPassword { .. } => "New password (12+ characters)",
            Asking::NewPasswordAgain { .. } => "The new password again",
            Asking::Plan { .. } => "Plan",
        }
    }

    fn secret(&self) -> bool {
        matches!(
            self.asking,
            Asking::CurrentPassword | Asking::NewPassword { .. } | Asking::NewPasswordAgain { .. }
        )
    }

    fn title(&self) -> String {
        match &self.asking {
            _ if self.secret() => " Your password ".into(),
            Asking::Plan { label, .. } => format!(" Plan for handover · {label} "),
            _ => " Patient list ".into(),
        }
    }
}

pub fn bindings() -> Vec<Binding> {
    use Command::*;
    let s = Scope::Prompt;
    vec![
        Binding::new(s, &[KeyPress::plain(KeyCode::Enter)], PromptDone, "Do it").hint("ok"),
        Binding::new(s, &[KeyPress::plain(KeyCode::Esc)], PromptCancel, "Cancel").hint("cancel"),
        Binding::new(
            s,
            &[KeyPress::plain(KeyCode::Tab)],
            FollowWard,
            "Or follow a ward's census",
        ),
        Binding::new(
            s,
            &[KeyPress {
                code: KeyCode::Enter,
                mods: crossterm::event::KeyModifiers::ALT,
            }],
            PlanNewLine,
            "In a plan: start a new line",
        ),
    ]
}

/// The line mark a plan's lines are typed between.
pub const PLAN_LINE: &str = " ¶ ";

/// `P`: the patient's plan, as last heard of, to edit on one line.
pub fn write_plan(app: &mut App, patient: String) {
    let now = app
        .jobs
        .plan(&patient)
        .map(|p| p.text.lines().collect::<Vec<_>>().join(PLAN_LINE))
        .unwrap_or_default();
    let label = app.patient_label(&patient);
    ask(app, Asking::Plan { patient, label }, now);
}

/// A plan typed on one line, as its lines.
pub fn plan_lines(typed: &str) -> String {
    typed
        .split('¶')
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn ask(app: &mut App, asking: Asking, text: String) {
    app.overlay = Overlay::Prompt(Prompt {
        asking,
        text: TextField::new(text),
        note: None,
        sending: false,
    });
}

/// `:password`: the current password, then the new one twice, then the server.
pub fn change_password(app: &mut App) {
    ask(app, Asking::CurrentPassword, String::new());
}

/// What the server said of the new password. The dialog stays open until then, so a
/// new password the rules refuse is asked for again, with the reason, without the
/// current one again.
pub fn password_changed(app: &mut App, result: Result<(), crate::client::ClientError>) {
    use crate::client::ClientError;
    // The answer may come while the screen is locked: the dialog waits beneath the lock.
    let open = app.overlay.unlocked_mut();
    let waiting = match std::mem::take(open) {
        Overlay::Prompt(p) => Some(p).filter(|p| p.sending),
        other => {
            *open = other;
            None
        }
    };
    let reopen = |asking: Asking, note: String| Prompt {
        asking,
        text: TextField::default(),
        note: Some(note),
        sending: false,
    };
    match (result, waiting) {
        (Ok(()), _) => {
            app.notice = Some("Password changed; your other sessions have ended.".into());
        }
        (Err(ClientError::Rejected { status: 401, .. }), Some(_)) => {
            app.notice = None;
            *app.overlay.unlocked_mut() = Overlay::Prompt(reopen(
                Asking::CurrentPassword,
                "That is not your current password.".into(),
            ));
        }
        (
            Err(ClientError::Rejected {
                status: 422,
                detail,
            }),
            Some(Prompt {
                asking: Asking::NewPasswordAgain { current, .. },
                ..
            }),
        ) => {
            app.notice = None;
            *app.overlay.unlocked_mut() =
                Overlay::Prompt(reopen(Asking::NewPassword { current }, detail));
        }
        // Closed meanwhile (Esc), or something else went wrong: said in the footer.
        (Err(e), _) => {
            app.notice = Some(format!(
                "Password not changed: {e} (:password to try again)"
            ));
        }
    }
}

pub fn type_char(app: &mut App, c: char) {
    if let Overlay::Prompt(p) = &mut app.overlay {
        if p.sending {
            return;
        }
        let max = match p.asking {
            _ if p.secret() => 256,
            Asking::Plan { .. } => crate::model::MAX_PLAN_CHARS,
            _ => 80,
        };
        p.text.insert(c, max);
    }
}

pub fn handle(app: &mut App, command: Command) -> Vec<Effect> {
    let Overlay::Prompt(prompt) = &mut app.overlay else {
        return Vec::new();
    };
    match command {
        Command::Edit(edit) if !prompt.sending && prompt.secret() => {
            prompt.text.edit_secret(edit);
        }
        Command::Edit(edit) if !prompt.sending => {
            prompt.text.edit(edit);
        }
        Command::PromptCancel => app.overlay = Overlay::None,
        Command::PlanNewLine if matches!(prompt.asking, Asking::Plan { .. }) => {
            for c in PLAN_LINE.chars() {
                prompt.text.insert(c, crate::model::MAX_PLAN_CHARS);
            }
        }
        Command::PromptDone if matches!(prompt.asking, Asking::Plan { .. }) => {
            let Asking::Plan { patient, .. } = prompt.asking.clone() else {
                return Vec::new();
            };
            let text = plan_lines(prompt.text.as_str());
            if text.lines().count() > crate::model::MAX_PLAN_LINES {
                prompt.note = Some(format!(
                    "A plan is at most {} lines.",
                    crate::model::MAX_PLAN_LINES
                ));
                return Vec::new();
            }
            app.overlay = Overlay::None;
            return vec![Effect::WritePlan { patient, text }];
        }
        Command::FollowWard if prompt.asking == Asking::NewList => {
            let typed = prompt.text.take();
            super::ward_search::open(app, typed);
        }
        Command::PromptDone if prompt.secret() => {
            if prompt.text.is_empty() || prompt.sending {
                return Vec::new();
            }
            let typed = prompt.text.take();
            let next = match std::mem::replace(&mut prompt.asking, Asking::CurrentPassword) {
                Asking::CurrentPassword => Asking::NewPassword { current: typed },
                Asking::NewPassword { current } => Asking::NewPasswordAgain {
                    current,
                    new: typed,
                },
                Asking::NewPasswordAgain { current, new } if new == typed => {
                    let effect = Effect::ChangePassword {
                        current: current.clone(),
                        new: new.clone(),
                    };
                    prompt.asking = Asking::NewPasswordAgain { current, new };
                    prompt.sending = true;
                    prompt.note = Some("Changing your password…".into());
                    return vec![effect];
                }
                Asking::NewPasswordAgain { current, .. } => {
                    prompt.note = Some("The two differ: the new password once more.".into());
                    prompt.asking = Asking::NewPassword { current };
                    return Vec::new();
                }
                other => other,
            };
            prompt.asking = next;
            prompt.note = None;
        }
        Command::PromptDone => {
            let name = prompt.text.as_str().trim().to_string();
            if name.is_empty() {
                return Vec::new();
            }
            let asking = prompt.asking.clone();
            app.overlay = Overlay::None;
            return match asking {
                Asking::NewList => vec![Effect::NewList(name)],
                Asking::CensusList { location } => vec![Effect::NewCensusList { name, location }],
                Asking::RenameList(list) => vec![Effect::RenameList { list, name }],
                Asking::DuplicateList(list) => vec![Effect::DuplicateList { list, name }],
                Asking::CurrentPassword
                | Asking::NewPassword { .. }
                | Asking::NewPasswordAgain { .. }
                | Asking::Plan { .. } => Vec::new(),
            };
        }
        _ => {}
    }
    Vec::new()
}

pub fn render(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let Overlay::Prompt(prompt) = &app.overlay else {
        return;
    };
    // Naming a new list, the other kind is one key away.
    let hint = match prompt.asking {
        Asking::NewList => Some("Tab: a ward's census from the EHR instead, kept up to date"),
        Asking::Plan { .. } => Some("Alt-Enter (or ¶) starts a new line · empty clears it"),
        _ => None,
    };
    let height = 3 + u16::from(prompt.note.is_some()) + u16::from(hint.is_some());
    // A plan is a few lines typed as one: it has the room.
    let width = if matches!(prompt.asking, Asking::Plan { .. }) {
        110
    } else {
        70
    };
    let popup = super::centered(area, width, height);
    frame.render_widget(Clear, popup);
    // A password shows as one dot a character, and never more than the field holds.
    let question = format!("{}: ", prompt.question());
    let room = usize::from(popup.width.saturating_sub(2)).saturating_sub(question.width());
    let shown = if prompt.secret() {
        prompt.text.masked().with_bar(room.min(40))
    } else {
        prompt.text.with_bar(room)
    };
    let mut lines = vec![Line::from(vec![
        Span::styled(question, theme.style(Role::Muted)),
        Span::raw(shown),
    ])];
    if let Some(note) = &prompt.note {
        lines.push(Line::styled(note.clone(), theme.style(Role::Warning)));
    }
    if let Some(hint) = hint {
        lines.push(Line::styled(hint, theme.style(Role::Muted)));
    }
    frame.render_widget(
        Paragraph::new(lines).block(pane_block(prompt.title(), true, theme)),
        popup,
    );
}
