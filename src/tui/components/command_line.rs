//! The `:` line: commands with an argument, or too rare for a key of their own
//! (`:follow sokafor`, `:diag`). Typed on the bottom line, where the footer was.

use crossterm::event::KeyCode;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;
use unicode_width::UnicodeWidthStr;

use super::diagnostics;
use super::text_field::{Edit, TextField};
use crate::model::{OnCall, StatusChange};
use crate::tui::action::Effect;
use crate::tui::app::{App, Overlay};
use crate::tui::completion::{self, Choice};
use crate::tui::follow;
use crate::tui::keymap::{Binding, Command, KeyPress, Scope};
use crate::tui::theme::{Role, Theme};

/// Every command, with its argument and what it does: help is drawn from this.
pub const COMMANDS: &[(&str, &str)] = &[
    ("follow NAME", "Show what NAME's screen shows"),
    ("unfollow", "Stop following, or presenting"),
    ("hand NAME", "Presenting: let NAME drive"),
    ("lists", "All lists of your teams"),
    ("jobs", "Jobs: mine, my roles, team, …"),
    ("jobs team", "Or: roles, patient, closed"),
    ("handover", "This list's handover sheet"),
    ("members", "Who is in it; add, remove"),
    ("leave", "Leave this group"),
    ("status dnd 30m", "Do not disturb; urgent rings"),
    ("status available", "Or busy; ringing again"),
    ("oncall take ROLE", "Take a role over"),
    ("oncall hand ROLE NAME", "Hand it to NAME"),
    ("oncall drop ROLE", "Give a role up"),
    ("diag", "Connection, lag, server, EHR"),
    ("lock", "Lock the screen now"),
    ("password", "Set your own password"),
    ("present", "Large display, or back"),
    ("help", "These keys and commands"),
];

/// What a typed line asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Typed {
    Follow(String),
    Unfollow,
    Hand(String),
    Diag,
    Lock,
    Password,
    Present,
    Help,
    Members,
    Lists,
    Jobs(crate::tui::jobs::View),
    Handover,
    Leave,
    Status(StatusChange),
    OnCall(OnCall),
}

pub fn parse(line: &str) -> Result<Typed, String> {
    let mut words = line.split_whitespace();
    let name = words.next().unwrap_or_default();
    // These take several words (role names and people's names have spaces).
    match name {
        "status" => return status(words.collect()),
        "jobs" => {
            use crate::tui::jobs::View;
            let rest = words.collect::<Vec<_>>().join(" ");
            return match rest.as_str() {
                "" | "mine" | "me" => Ok(Typed::Jobs(View::Mine)),
                "roles" | "my roles" => Ok(Typed::Jobs(View::Roles)),
                "team" | "all" => Ok(Typed::Jobs(View::Team)),
                "patient" | "this patient" => Ok(Typed::Jobs(View::Patient)),
                "closed" | "done" => Ok(Typed::Jobs(View::Closed)),
                other => Err(format!(
                    "`{other}`: :jobs shows mine, roles, team, patient or closed."
                )),
            };
        }
        "oncall" => return on_call(words.collect()),
        "follow" | "hand" => {
            let who = words.collect::<Vec<_>>().join(" ");
            return match (name, who.is_empty()) {
                (_, true) => Err(format!(
                    ":{name} needs a name or username, e.g. :{name} sokafor"
                )),
                ("follow", false) => Ok(Typed::Follow(who)),
                _ => Ok(Typed::Hand(who)),
            };
        }
        _ => {}
    }
    let typed = match (name, words.next()) {
        ("unfollow", None) => Typed::Unfollow,
        ("diag", None) => Typed::Diag,
        ("lock", None) => Typed::Lock,
        ("password", None) => Typed::Password,
        ("present", None) => Typed::Present,
        ("help", None) => Typed::Help,
        ("members", None) => Typed::Members,
        ("lists", None) => Typed::Lists,
        ("handover", None) => Typed::Handover,
        ("leave", None) => Typed::Leave,
        ("", _) => return Err("Type a command after the colon; :help lists them.".into()),
        (
            known @ ("unfollow" | "diag" | "lock" | "password" | "present" | "help" | "members"
            | "lists" | "leave" | "handover"),
            Some(_),
        ) => return Err(format!(":{known} takes nothing after it.")),
        (other, _) => {
            let known: Vec<&str> = COMMANDS
                .iter()
                .map(|(c, _)| c.split(' ').next().unwrap_or(c))
                .collect();
            return Err(format!("No command :{other}. Try :{}.", known.join(", :")));
        }
    };
    Ok(typed)
}

/// `:status dnd 30m`, `:status busy 1h`, `:status available`.
fn status(words: Vec<&str>) -> Result<Typed, String> {
    let usage = ":status dnd|busy|available, and for how long if not until changed (30m, 2h)";
    let (state, minutes) = match words.as_slice() {
        [state] => (*state, None),
        [state, time] => {
            let minutes = minutes_of(time).ok_or_else(|| format!("`{time}`: {usage}"))?;
            (*state, Some(minutes))
        }
        _ => return Err(format!("Write {usage}.")),
    };
    let state = match state {
        "dnd" | "do-not-disturb" => "dnd",
        "busy" => "busy",
        "available" | "free" => "available",
        other => return Err(format!("`{other}`: {usage}")),
    };
    Ok(Typed::Status(StatusChange {
        state: state.into(),
        minutes,
    }))
}

/// `30m`, `2h`, `90` (minutes).
fn minutes_of(text: &str) -> Option<u32> {
    let (number, unit) = match text.strip_suffix('h') {
        Some(n) => (n, 60),
        None => (text.strip_suffix('m').unwrap_or(text), 1),
    };
    number
        .parse::<u32>()
        .ok()
        .filter(|n| *n > 0)
        .and_then(|n| n.checked_mul(unit))
}

/// `:oncall take ROLE`, `:oncall hand ROLE NAME` (NAME one word: a username),
/// `:oncall drop ROLE`.
fn on_call(words: Vec<&str>) -> Result<Typed, String> {
    let usage = "Write :oncall take ROLE, :oncall hand ROLE USERNAME or :oncall drop ROLE.";
    let Some((action, rest)) = words.split_first() else {
        return Err(usage.into());
    };
    let joined = |w: &[&str]| w.join(" ");
    let change = match (*action, rest) {
        ("take", role) if !role.is_empty() => OnCall::Take { role: joined(role) },
        ("drop", role) if !role.is_empty() => OnCall::Drop { role: joined(role) },
        ("hand", [role @ .., to]) if !role.is_empty() => OnCall::Hand {
            role: joined(role),
            to: (*to).to_string(),
        },
        _ => return Err(usage.into()),
    };
    Ok(Typed::OnCall(change))
}

pub fn bindings() -> Vec<Binding> {
    use Command::*;
    let s = Scope::CommandLine;
    vec![
        Binding::new(s, &[KeyPress::plain(KeyCode::Enter)], RunCommand, "Run it").hint("run"),
        Binding::new(s, &[KeyPress::plain(KeyCode::Esc)], PromptCancel, "Cancel").hint("cancel"),
        Binding::new(
            s,
            &[KeyPress::plain(KeyCode::Tab)],
            CompleteNext,
            "Complete it (again: the next)",
        )
        .hint("complete"),
        Binding::new(
            s,
            &[KeyPress::plain(KeyCode::BackTab)],
            CompletePrev,
            "The previous completion",
        ),
    ]
}

/// The `:` line: what is typed, and the completions Tab is going through.
#[derive(Debug, Clone, Default)]
pub struct CommandLineState {
    pub line: TextField,
    pub completing: Option<Completing>,
    /// A directory search asked for on Tab, for a name this session did not know yet:
    /// its answer completes the line if nothing was typed meanwhile.
    pub asked: Option<(String, String)>,
    /// What the last Tab found to say (nothing completes, still looking), above the line.
    pub said: Option<String>,
}

/// Tab going through several completions of the line's end.
#[derive(Debug, Clone)]
pub struct Completing {
    /// The line before the part completed.
    pub stem: String,
    pub choices: Vec<Choice>,
    /// The one in the line now (none yet: only their shared start was filled in).
    pub at: Option<usize>,
}

/// The command names, for completion.
fn command_names() -> Vec<&'static str> {
    let mut names: Vec<&str> = COMMANDS
        .iter()
        .map(|(c, _)| c.split(' ').next().unwrap_or(c))
        .collect();
    names.dedup();
    names
}

pub fn open(app: &mut App) -> Vec<Effect> {
    app.overlay = Overlay::CommandLine(CommandLineState::default());
    // Names to complete: the directory's first page, once a session.
    if app.known.has_people() {
        Vec::new()
    } else {
        vec![Effect::SearchDirectory(String::new())]
    }
}

pub fn type_char(app: &mut App, c: char) {
    if let Overlay::CommandLine(state) = &mut app.overlay {
        state.line.insert(c, 120);
        state.completing = None;
        state.asked = None;
        state.said = None;
    }
}

pub fn handle(app: &mut App, command: Command) -> Vec<Effect> {
    let Overlay::CommandLine(state) = &mut app.overlay else {
        return Vec::new();
    };
    match command {
        // Deleting past the colon leaves the line, as in vim.
        Command::Edit(Edit::DeleteBack) if state.line.is_empty() => {
            app.overlay = Overlay::None;
            Vec::new()
        }
        Command::Edit(edit) => {
            state.line.edit(edit);
            state.completing = None;
            state.asked = None;
            state.said = None;
            Vec::new()
        }
        Command::CompleteNext => complete(app, true),
        Command::CompletePrev => complete(app, false),
        Command::PromptCancel => {
            app.overlay = Overlay::None;
            Vec::new()
        }
        Command::RunCommand => {
            let typed = parse(state.line.as_str());
            app.overlay = Overlay::None;
            match typed {
                Ok(typed) => run(app, typed),
                Err(e) => {
                    app.notice = Some(e);
                    Vec::new()
                }
            }
        }
        _ => Vec::new(),
    }
}

/// Tab: one completion fills in; several fill in what they share, and Tab again goes
/// through them (Shift-Tab back). A name nobody has heard of asks the directory.
fn complete(app: &mut App, forward: bool) -> Vec<Effect> {
    let followers = app
        .presentation
        .as_ref()
        .map(|p| p.followers.clone())
        .unwrap_or_default();
    let me = app.me.username.clone();
    let Overlay::CommandLine(state) = &mut app.overlay else {
        return Vec::new();
    };
    if let Some(c) = &mut state.completing {
        let n = c.choices.len();
        let at = match (c.at, forward) {
            (None, true) => 0,
            (None, false) => n - 1,
            (Some(i), true) => (i + 1) % n,
            (Some(i), false) => (i + n - 1) % n,
        };
        c.at = Some(at);
        let choice = &c.choices[at];
        let space = if choice.more { " " } else { "" };
        state.line = TextField::new(format!("{}{}{space}", c.stem, choice.text));
        return Vec::new();
    }
    let typed = state.line.as_str().to_string();
    let found = completion::complete(&app.known, &command_names(), &me, &followers, &typed);
    let stem = typed[..found.start].to_string();
    match found.choices.as_slice() {
        [] => {
            if let Some(query) = found.ask {
                state.asked = Some((query.clone(), typed));
                state.said = Some(format!("Looking for {query} in the directory…"));
                return vec![Effect::SearchDirectory(query)];
            }
            state.said = Some("Nothing completes that.".into());
        }
        [one] => {
            let space = if one.more { " " } else { "" };
            state.line = TextField::new(format!("{stem}{}{space}", one.text));
        }
        several => {
            let shared = completion::shared_start(several).to_string();
            if shared.len() > typed.len() - found.start {
                state.line = TextField::new(format!("{stem}{shared}"));
            }
            state.completing = Some(Completing {
                stem,
                choices: several.to_vec(),
                at: None,
            });
        }
    }
    Vec::new()
}

/// A directory answer: names learned, and the line completed if its Tab asked for it.
pub fn directory_answered(app: &mut App, query: &str) -> Vec<Effect> {
    let Overlay::CommandLine(state) = &mut app.overlay else {
        return Vec::new();
    };
    let Some((asked, line)) = &state.asked else {
        return Vec::new();
    };
    if asked != query {
        return Vec::new();
    }
    let unchanged = state.line.as_str() == line;
    state.asked = None;
    state.said = None;
    if unchanged {
        complete(app, true)
    } else {
        Vec::new()
    }
}

fn run(app: &mut App, typed: Typed) -> Vec<Effect> {
    match typed {
        Typed::Follow(user) => vec![Effect::Follow(user)],
        Typed::Unfollow => follow::unfollow(app),
        Typed::Hand(user) => vec![Effect::HandControl(user)],
        Typed::Diag => diagnostics::open(app),
        Typed::Lock => super::lock_screen::lock(app, false),
        Typed::Password => {
            super::prompt::change_password(app);
            Vec::new()
        }
        Typed::Present => {
            crate::tui::update::toggle_present(app);
            Vec::new()
        }
        Typed::Help => {
            app.overlay = Overlay::Help { scroll: 0 };
            Vec::new()
        }
        Typed::Members => {
            super::members::open(app);
            Vec::new()
        }
        Typed::Lists => {
            super::list_switcher::open(app);
            Vec::new()
        }
        Typed::Jobs(view) => super::jobs_pane::open(app, view),
        Typed::Handover => super::handover::open(app),
        Typed::Leave => match app.open().map(|c| (c.info.id, c.info.kind)) {
            Some((conversation, crate::model::ConversationKind::Group)) => {
                app.notice = Some("Leaving the group…".into());
                vec![Effect::RemoveMember {
                    conversation,
                    member: app.me.username.clone(),
                }]
            }
            _ => {
                app.notice = Some("Open a group to leave it.".into());
                Vec::new()
            }
        },
        Typed::Status(change) => vec![Effect::SetStatus(change)],
        Typed::OnCall(change) => vec![Effect::OnCall(change)],
    }
}

pub fn render(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let Overlay::CommandLine(state) = &app.overlay else {
        return;
    };
    let text = Line::from(vec![
        Span::styled(":", theme.style(Role::Header)),
        Span::raw(
            state
                .line
                .with_bar(usize::from(area.width.saturating_sub(1))),
        ),
    ]);
    // The whole line: nothing of the status bar beneath may show through.
    frame.render_widget(ratatui::widgets::Clear, area);
    frame.render_widget(Paragraph::new(text).style(theme.style(Role::Status)), area);
    let Some(y) = area.y.checked_sub(1) else {
        return;
    };
    let above = Rect { y, ..area };
    let line = match (&state.completing, &state.said) {
        (Some(c), _) => choices_line(c, theme, usize::from(area.width)),
        (None, Some(said)) => Line::styled(format!(" {said}"), theme.style(Role::Status)),
        (None, None) => return,
    };
    frame.render_widget(ratatui::widgets::Clear, above);
    frame.render_widget(Paragraph::new(line), above);
}

/// The completions in one line above the `:` line, the one in the line marked, as
/// many as fit around it.
fn choices_line<'a>(c: &'a Completing, theme: &Theme, width: usize) -> Line<'a> {
    // Each is drawn ` label ` and a space; an ellipsis either side says there are more.
    let cell = |i: usize| c.choices[i].label.width() + 3;
    let room = width.saturating_sub(2);
    let first = c.at.unwrap_or(0);
    // From the chosen one, back as far as keeps it in view.
    let mut start = first;
    let mut used = cell(first);
    while start > 0 && used + cell(start - 1) <= room {
        start -= 1;
        used += cell(start);
    }
    let mut spans = Vec::new();
    if start > 0 {
        spans.push(Span::styled("…", theme.style(Role::Muted)));
    }
    let mut used = 0;
    for (i, choice) in c.choices.iter().enumerate().skip(start) {
        let w = cell(i);
        if used + w > room {
            spans.push(Span::styled("…", theme.style(Role::Muted)));
            break;
        }
        used += w;
        let role = if Some(i) == c.at {
            Role::Selection
        } else {
            Role::Status
        };
        spans.push(Span::styled(
            format!(" {} ", choice.label),
            theme.style(role),
        ));
        spans.push(Span::styled(" ", theme.style(Role::Status)));
    }
    Line::from(spans).style(theme.style(Role::Status))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_parse_and_mistakes_say_what_would_work() {
        assert_eq!(parse("follow sokafor"), Ok(Typed::Follow("sokafor".into())));
        assert_eq!(parse("  diag "), Ok(Typed::Diag));
        assert_eq!(parse("hand treid"), Ok(Typed::Hand("treid".into())));
        assert!(parse("follow")
            .unwrap_err()
            .contains("needs a name or username"));
        assert!(parse("diag now").unwrap_err().contains("takes nothing"));
        assert_eq!(
            parse("follow  Dr Priya Shah "),
            Ok(Typed::Follow("Dr Priya Shah".into()))
        );
        let unknown = parse("folow x").unwrap_err();
        assert!(
            unknown.contains(":follow") && unknown.contains(":diag"),
            "{unknown}"
        );
    }
}
