//! A one-line question with a typed answer: naming a new list, renaming one.

use crossterm::event::KeyCode;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use ratatui::Frame;
use uuid::Uuid;

use super::pane_block;
use crate::tui::action::Effect;
use crate::tui::app::App;
use crate::tui::keymap::{Binding, Command, KeyPress, Scope};
use crate::tui::theme::{Role, Theme};

#[derive(Debug, Clone, PartialEq)]
pub enum Asking {
    NewList,
    RenameList(Uuid),
    DuplicateList(Uuid),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Prompt {
    pub asking: Asking,
    pub text: String,
}

impl Prompt {
    fn question(&self) -> &'static str {
        match self.asking {
            Asking::NewList => "Name of the new list",
            Asking::RenameList(_) => "New name for this list",
            Asking::DuplicateList(_) => "Name of the copy",
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
            &[KeyPress::plain(KeyCode::Backspace)],
            DeleteBack,
            "Delete the last character",
        ),
    ]
}

pub fn ask(app: &mut App, asking: Asking, text: String) {
    app.prompt = Some(Prompt { asking, text });
}

pub fn type_char(app: &mut App, c: char) {
    if let Some(p) = app.prompt.as_mut().filter(|p| p.text.chars().count() < 80) {
        p.text.push(c);
    }
}

pub fn handle(app: &mut App, command: Command) -> Vec<Effect> {
    let Some(prompt) = app.prompt.as_mut() else {
        return Vec::new();
    };
    match command {
        Command::DeleteBack => {
            prompt.text.pop();
        }
        Command::PromptCancel => app.prompt = None,
        Command::PromptDone => {
            let name = prompt.text.trim().to_string();
            if name.is_empty() {
                return Vec::new();
            }
            let asking = prompt.asking.clone();
            app.prompt = None;
            return vec![match asking {
                Asking::NewList => Effect::NewList(name),
                Asking::RenameList(list) => Effect::RenameList { list, name },
                Asking::DuplicateList(list) => Effect::DuplicateList { list, name },
            }];
        }
        _ => {}
    }
    Vec::new()
}

pub fn render(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let Some(prompt) = &app.prompt else { return };
    let popup = super::centered(area, 70, 3);
    frame.render_widget(Clear, popup);
    let line = Line::from(vec![
        Span::styled(format!("{}: ", prompt.question()), theme.style(Role::Muted)),
        Span::raw(format!("{}▏", prompt.text)),
    ]);
    frame.render_widget(
        Paragraph::new(line).block(pane_block(" Patient list ".into(), true, theme)),
        popup,
    );
}
