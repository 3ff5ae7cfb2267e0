//! A search typed over the panes, answered by the server: what is typed, the answer to
//! it, and the one chosen in it. Finding a patient to add and finding a ward to follow
//! are both this, with their own words and lines.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, List, ListItem, ListState, Paragraph};
use ratatui::Frame;

use unicode_width::UnicodeWidthStr;

use super::pane_block;
use super::text_field::TextField;
use crate::tui::theme::{Role, Theme};

/// The longest query typed.
const MOST_TYPED: usize = 60;

#[derive(Debug, Clone, PartialEq)]
pub struct Searching<T> {
    pub query: TextField,
    /// The query the results are for; Enter searches again when the query has changed.
    pub results_for: String,
    pub results: Option<Result<Vec<T>, String>>,
    pub selected: usize,
}

impl<T> Default for Searching<T> {
    fn default() -> Self {
        Searching {
            query: TextField::default(),
            results_for: String::new(),
            results: None,
            selected: 0,
        }
    }
}

/// What a key did to the search.
pub enum Enter<T> {
    /// Nothing the caller need act on (an edit, a move, an empty Enter).
    Nothing,
    /// Esc: close the search.
    Close,
    /// Ask the server about this query.
    Search(String),
    Chosen(T),
}

impl<T: Clone> Searching<T> {
    pub fn typed(query: String) -> Self {
        Searching {
            query: TextField::new(query),
            ..Searching::default()
        }
    }

    /// The server's answer, if it is to what is typed now: older answers are dropped.
    pub fn answered(&mut self, query: String, result: Result<Vec<T>, String>) {
        if self.query != query {
            return;
        }
        self.results = Some(result);
        self.selected = 0;
        self.results_for = query;
    }

    pub fn type_char(&mut self, c: char) {
        self.query.insert(c, MOST_TYPED);
    }

    pub fn down(&mut self) {
        let found = match &self.results {
            Some(Ok(found)) => found.len(),
            _ => 0,
        };
        self.selected = (self.selected + 1).min(found.saturating_sub(1));
    }

    pub fn up(&mut self) {
        self.selected = self.selected.saturating_sub(1);
    }

    /// The search's own keys: editing, moving, Esc and Enter.
    pub fn command(&mut self, command: crate::tui::keymap::Command) -> Enter<T> {
        use crate::tui::keymap::Command;
        match command {
            Command::CloseSearch => return Enter::Close,
            Command::Edit(edit) => {
                self.query.edit(edit);
            }
            Command::ResultDown => self.down(),
            Command::ResultUp => self.up(),
            Command::SearchOrAdd => return self.enter(),
            _ => {}
        }
        Enter::Nothing
    }

    /// The one chosen from the answer to what is typed, else the search to make.
    pub fn enter(&mut self) -> Enter<T> {
        if self.query.as_str().trim().is_empty() {
            return Enter::Nothing;
        }
        let chosen = match &self.results {
            Some(Ok(found)) if self.results_for == self.query => found.get(self.selected).cloned(),
            _ => None,
        };
        match chosen {
            Some(chosen) => Enter::Chosen(chosen),
            None => {
                self.results = None;
                self.results_for = self.query.as_str().to_string();
                Enter::Search(self.query.as_str().to_string())
            }
        }
    }
}

/// How a search is drawn: its title, the prompt and hint above what is typed, what it
/// says while the server answers and when nothing matches, and a line per result.
pub struct Look<'a, T> {
    pub title: String,
    pub prompt: &'a str,
    pub hint: &'a str,
    pub asking: &'a str,
    pub none: &'a str,
    pub line: &'a dyn Fn(&T) -> String,
}

pub fn render<T>(
    search: &Searching<T>,
    look: Look<'_, T>,
    theme: &Theme,
    frame: &mut Frame,
    popup: Rect,
) {
    frame.render_widget(Clear, popup);
    let block = pane_block(look.title, true, theme);
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    let [input, results] =
        Layout::vertical([Constraint::Length(2), Constraint::Min(1)]).areas(inner);
    frame.render_widget(
        Paragraph::new(vec![
            Line::from(vec![
                Span::styled(look.prompt, theme.style(Role::Muted)),
                Span::raw(
                    search
                        .query
                        .with_bar(usize::from(input.width).saturating_sub(look.prompt.width())),
                ),
            ]),
            Line::from(Span::styled(look.hint, theme.style(Role::Muted))),
        ]),
        input,
    );
    match &search.results {
        None if search.results_for.is_empty() => {}
        None => frame.render_widget(
            Paragraph::new(look.asking).style(theme.style(Role::Muted)),
            results,
        ),
        Some(Err(e)) => frame.render_widget(
            Paragraph::new(format!("Search failed: {e}")).style(theme.style(Role::Warning)),
            results,
        ),
        Some(Ok(found)) if found.is_empty() => frame.render_widget(
            Paragraph::new(look.none).style(theme.style(Role::Muted)),
            results,
        ),
        Some(Ok(found)) => {
            let items: Vec<ListItem> = found
                .iter()
                .map(|r| ListItem::new((look.line)(r)))
                .collect();
            let mut state = ListState::default().with_selected(Some(search.selected));
            frame.render_stateful_widget(
                List::new(items).highlight_style(theme.style(Role::Selection)),
                results,
                &mut state,
            );
        }
    }
}
