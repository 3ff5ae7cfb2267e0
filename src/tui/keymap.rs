//! Keys are data: each component declares its bindings (key, command, hint); `update`
//! resolves keys through them, and help and the footer are drawn from them, so the
//! three can never disagree.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Everything a key can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    Quit,
    ToggleHelp,
    FocusNext,
    FocusPrev,
    /// Naming a new list: find a ward in the EHR to follow instead.
    FollowWard,
    JumpToUrgent,
    Acknowledge,
    MessagePatient,
    ToggleMyReceipts,
    ShowReceiptNames,
    RowDown,
    RowUp,
    RowFirst,
    RowLast,
    ColumnLeft,
    ColumnRight,
    SortByColumn,
    ConversationDown,
    ConversationUp,
    OpenConversation,
    Send,
    LeaveChat,
    /// Editing whatever text field has the keys.
    Edit(super::components::text_field::Edit),
    ScrollOlder,
    ScrollNewer,
    CyclePriority,
    AddSortKey,
    StartFilter,
    FilterDone,
    FilterClear,
    PageDown,
    PageUp,
    OpenDetail,
    CloseDetail,
    FetchLatest,
    FetchList,
    NextList,
    /// All lists of my teams, to choose from.
    OpenListSwitcher,
    OpenList,
    PrevList,
    AddPatient,
    RemovePatient,
    SearchOrAdd,
    CloseSearch,
    ResultDown,
    ResultUp,
    OpenPicker,
    PickerDown,
    PickerUp,
    PickerToggle,
    PickerEarlier,
    PickerLater,
    PickerWider,
    PickerNarrower,
    PickerShare,
    PickerDone,
    NewList,
    RenameList,
    DuplicateList,
    DeleteList,
    PromptDone,
    PromptCancel,
    Lock,
    Unlock,
    SwitchUser,
    TogglePresent,
    OpenCommandLine,
    RunCommand,
    CompleteNext,
    CompletePrev,
    RefreshDiag,
    CloseDiag,
    HelpDown,
    HelpUp,
    NewChat,
    StartChat,
    PickPerson,
    CloseNewChat,
    AddMember,
    RemoveMember,
    CloseMembers,
    /// A job on the selected patient.
    NewJob,
    /// A job from the newest message of someone else in the open chat.
    JobFromMessage,
    /// Write the selected patient's plan.
    WritePlan,
    /// In the plan: a new line.
    PlanNewLine,
    JobDone,
    JobCancel,
    JobReassign,
    JobEdit,
    NextJobView,
    PrevJobView,
    /// Show the job's patient on the list.
    JobToPatient,
}

/// Where a binding applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Global,
    Patients,
    Conversations,
    Chat,
    /// Typing a patient-list filter.
    Filter,
    /// Searching the EHR for a patient to add.
    Search,
    /// Searching the EHR for a ward a census list follows.
    WardSearch,
    /// Choosing the list's columns.
    Picker,
    /// Answering a one-line question (a list's name).
    Prompt,
    /// The lock screen (typing is the password).
    Lock,
    /// Typing a `:` command.
    CommandLine,
    /// The diagnostics pane.
    Diag,
    Help,
    /// Starting a conversation from the directory (typing searches it).
    NewChat,
    /// A conversation's members (`:members`).
    Members,
    /// Editing keys, in every field that takes text.
    Text,
    /// Choosing from all lists of my teams (typing narrows).
    Lists,
    /// Making a job (typing fills the field).
    JobForm,
    /// The jobs pane (`:jobs`).
    Jobs,
    /// Answering the jobs pane's question (a reason, whom to).
    JobAsk,
    /// The handover sheet (`:handover`).
    Handover,
}

impl Scope {
    /// One of the panes (the list, its filter, the conversations, the chat) rather than
    /// something open over them.
    pub fn is_pane(self) -> bool {
        matches!(
            self,
            Scope::Global | Scope::Patients | Scope::Filter | Scope::Conversations | Scope::Chat
        )
    }

    pub fn title(self) -> &'static str {
        match self {
            Scope::Global => "Everywhere",
            Scope::Patients => "Patient list",
            Scope::Conversations => "Conversations",
            Scope::Chat => "Chat (typing goes to the message)",
            Scope::Filter => "Filtering the list (typing filters)",
            Scope::Search => "Adding a patient (name, MRN or birth date)",
            Scope::WardSearch => "A list from a ward's census (typing searches)",
            Scope::Picker => "Choosing columns",
            Scope::Prompt => "Answering a question",
            Scope::Lock => "Locked (typing is your password)",
            Scope::CommandLine => "Typing a : command",
            Scope::Diag => "Diagnostics (:diag)",
            Scope::Help => "Help",
            Scope::NewChat => "New chat (typing searches the directory)",
            Scope::Members => "Members (:members)",
            Scope::Text => "Editing text (in every field)",
            Scope::Lists => "All lists (typing finds)",
            Scope::JobForm => "A new job (typing fills the field)",
            Scope::Jobs => "Jobs (:jobs)",
            Scope::JobAsk => "Cancelling or handing on a job (typing answers)",
            Scope::Handover => "Handover sheet (:handover)",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyPress {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

impl KeyPress {
    pub const fn plain(code: KeyCode) -> Self {
        KeyPress {
            code,
            mods: KeyModifiers::NONE,
        }
    }

    pub const fn ch(c: char) -> Self {
        Self::plain(KeyCode::Char(c))
    }

    pub const fn ctrl(c: char) -> Self {
        KeyPress {
            code: KeyCode::Char(c),
            mods: KeyModifiers::CONTROL,
        }
    }

    pub fn matches(&self, key: &KeyEvent) -> bool {
        // Shift is part of the character for printable keys ('?' arrives with SHIFT on
        // some terminals and without on others).
        // Shift-Tab arrives as BackTab with SHIFT (crossterm), or as Tab with SHIFT.
        let code = match key.code {
            KeyCode::Tab if key.modifiers.contains(KeyModifiers::SHIFT) => KeyCode::BackTab,
            code => code,
        };
        let mods = match code {
            KeyCode::Char(_) | KeyCode::BackTab => key.modifiers - KeyModifiers::SHIFT,
            _ => key.modifiers,
        };
        code == self.code && mods == self.mods
    }

    pub fn label(&self) -> String {
        let key = match self.code {
            KeyCode::Char(' ') => "Space".to_string(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Up => "↑".into(),
            KeyCode::Down => "↓".into(),
            KeyCode::Left => "←".into(),
            KeyCode::Right => "→".into(),
            KeyCode::Enter => "Enter".into(),
            KeyCode::Esc => "Esc".into(),
            KeyCode::Tab => "Tab".into(),
            KeyCode::BackTab => "Shift-Tab".into(),
            KeyCode::Backspace => "Backspace".into(),
            KeyCode::PageUp => "PgUp".into(),
            KeyCode::PageDown => "PgDn".into(),
            KeyCode::Home => "Home".into(),
            KeyCode::End => "End".into(),
            KeyCode::F(n) => format!("F{n}"),
            other => format!("{other:?}"),
        };
        if self.mods.contains(KeyModifiers::CONTROL) {
            format!("Ctrl-{key}")
        } else if self.mods.contains(KeyModifiers::ALT) {
            format!("Alt-{key}")
        } else {
            key
        }
    }
}

#[derive(Debug, Clone)]
pub struct Binding {
    pub scope: Scope,
    pub keys: Vec<KeyPress>,
    pub command: Command,
    /// What it does, for help.
    pub help: &'static str,
    /// A short word for the footer; `None` keeps it out of the footer.
    pub hint: Option<&'static str>,
    /// Still active while typing in the chat composer.
    pub while_typing: bool,
    /// About the panes (moving between them): out of reach while a dialog is open, so
    /// a dialog may use the key for itself.
    pub panes_only: bool,
}

impl Binding {
    pub fn new(scope: Scope, keys: &[KeyPress], command: Command, help: &'static str) -> Self {
        Binding {
            scope,
            keys: keys.to_vec(),
            command,
            help,
            hint: None,
            while_typing: false,
            panes_only: false,
        }
    }

    pub fn panes_only(mut self) -> Self {
        self.panes_only = true;
        self
    }

    /// Whether this global binding reaches keys pressed in `scope`.
    fn reaches(&self, scope: Scope, typing: bool) -> bool {
        (!typing || self.while_typing) && (!self.panes_only || scope.is_pane())
    }

    pub fn hint(mut self, hint: &'static str) -> Self {
        self.hint = Some(hint);
        self
    }

    pub fn while_typing(mut self) -> Self {
        self.while_typing = true;
        self
    }

    pub fn keys_label(&self) -> String {
        self.keys
            .iter()
            .map(KeyPress::label)
            .collect::<Vec<_>>()
            .join("/")
    }
}

#[derive(Debug, Clone)]
pub struct Keymap {
    pub bindings: Vec<Binding>,
}

impl Default for Keymap {
    fn default() -> Self {
        use super::components::{
            chat, column_picker, command_line, conversations, diagnostics, handover, help,
            job_form, jobs_pane, list_switcher, lock_screen, members, new_chat, patient_list,
            patient_search, prompt, text_field, ward_search,
        };
        let mut bindings = global_bindings();
        bindings.extend(text_field::bindings());
        bindings.extend(patient_list::bindings());
        bindings.extend(patient_search::bindings());
        bindings.extend(ward_search::bindings());
        bindings.extend(column_picker::bindings());
        bindings.extend(prompt::bindings());
        bindings.extend(conversations::bindings());
        bindings.extend(chat::bindings());
        bindings.extend(help::bindings());
        bindings.extend(lock_screen::bindings());
        bindings.extend(command_line::bindings());
        bindings.extend(diagnostics::bindings());
        bindings.extend(new_chat::bindings());
        bindings.extend(members::bindings());
        bindings.extend(list_switcher::bindings());
        bindings.extend(job_form::bindings());
        bindings.extend(jobs_pane::bindings());
        bindings.extend(handover::bindings());
        Keymap { bindings }
    }
}

fn global_bindings() -> Vec<Binding> {
    use Command::*;
    use KeyCode::*;
    let g = Scope::Global;
    vec![
        Binding::new(g, &[KeyPress::plain(Tab)], FocusNext, "Next pane")
            .hint("pane")
            .while_typing()
            .panes_only(),
        Binding::new(g, &[KeyPress::plain(BackTab)], FocusPrev, "Previous pane")
            .while_typing()
            .panes_only(),
        Binding::new(
            g,
            &[KeyPress::ch('u'), KeyPress::plain(F(2))],
            JumpToUrgent,
            "Open what the alert bar shows (oldest first)",
        )
        .hint("urgent"),
        Binding::new(
            g,
            &[KeyPress::ctrl('k'), KeyPress::plain(F(4))],
            Acknowledge,
            "Acknowledge the urgent messages in this chat",
        )
        .hint("ack")
        .while_typing(),
        Binding::new(
            g,
            &[KeyPress::ctrl('l'), KeyPress::plain(F(12))],
            Lock,
            "Lock the screen now",
        )
        .hint("lock")
        .while_typing(),
        Binding::new(
            g,
            &[KeyPress::plain(F(11))],
            TogglePresent,
            "Big screen (the patient large), or back",
        )
        .while_typing(),
        Binding::new(
            g,
            &[KeyPress::ch('N')],
            NewChat,
            "New chat: a colleague, a group or a role",
        )
        .hint("new chat"),
        Binding::new(
            g,
            &[KeyPress::ch(':')],
            OpenCommandLine,
            "Type a command (:follow, :diag, …)",
        )
        .hint("cmd"),
        Binding::new(
            g,
            &[KeyPress::ch('?'), KeyPress::plain(F(1))],
            ToggleHelp,
            "Show or hide this help",
        )
        .hint("help"),
        Binding::new(
            g,
            &[KeyPress::ch('q'), KeyPress::ctrl('c')],
            Quit,
            "Quit (the screen is cleared)",
        )
        .hint("quit"),
    ]
}

impl Keymap {
    /// The command `key` means in `scope`: the scope's own bindings first, then the global
    /// ones (only those marked `while_typing` when the scope takes text).
    pub fn resolve(&self, scope: Scope, typing: bool, key: &KeyEvent) -> Option<Command> {
        let find = |s: Scope, typing: bool| {
            self.bindings
                .iter()
                .filter(|b| b.scope == s && (s != Scope::Global || b.reaches(scope, typing)))
                .find(|b| b.keys.iter().any(|k| k.matches(key)))
                .map(|b| b.command)
        };
        // Where text is typed, the editing keys come after the field's own.
        let own =
            || find(scope, false).or_else(|| typing.then(|| find(Scope::Text, false)).flatten());
        // Help, diagnostics and the lock screen take their own keys only.
        if matches!(scope, Scope::Help | Scope::Lock | Scope::Diag) {
            return own();
        }
        own().or_else(|| find(Scope::Global, typing)).or_else(|| {
            // Ctrl-C always quits, even mid-sentence.
            (typing && KeyPress::ctrl('c').matches(key)).then_some(Command::Quit)
        })
    }

    pub fn in_scope(&self, scope: Scope) -> impl Iterator<Item = &Binding> {
        self.bindings.iter().filter(move |b| b.scope == scope)
    }

    /// `key hint` pairs for the footer of a focused pane, leaving out commands that can do
    /// nothing now (`available` says which can).
    pub fn footer(
        &self,
        scope: Scope,
        typing: bool,
        available: impl Fn(Command) -> bool,
    ) -> Vec<(String, &'static str)> {
        // As `resolve`: help, diagnostics and the lock screen reach no global key.
        let globals = !matches!(scope, Scope::Help | Scope::Lock | Scope::Diag);
        self.in_scope(scope)
            .chain(self.in_scope(Scope::Text).filter(|_| typing))
            .chain(
                self.in_scope(Scope::Global)
                    .filter(|b| globals && b.reaches(scope, typing)),
            )
            .filter(|b| available(b.command))
            .filter_map(|b| Some((b.keys.first()?.label(), b.hint?)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_two_bindings_in_reach_of_each_other_share_a_key() {
        let km = Keymap::default();
        for scope in [
            Scope::Patients,
            Scope::Conversations,
            Scope::Chat,
            Scope::Filter,
            Scope::Search,
            Scope::WardSearch,
            Scope::Picker,
            Scope::Prompt,
            Scope::CommandLine,
            Scope::Diag,
            Scope::Help,
            Scope::NewChat,
            Scope::Members,
            Scope::Lists,
            Scope::JobForm,
            Scope::Jobs,
            Scope::JobAsk,
            Scope::Handover,
        ] {
            let mut seen: Vec<(KeyPress, Scope)> = Vec::new();
            let typing = matches!(
                scope,
                Scope::Chat
                    | Scope::Filter
                    | Scope::Search
                    | Scope::WardSearch
                    | Scope::Prompt
                    | Scope::CommandLine
                    | Scope::NewChat
                    | Scope::Lists
                    | Scope::JobForm
                    | Scope::JobAsk
            );
            let reachable = km
                .in_scope(scope)
                .chain(km.in_scope(Scope::Text).filter(move |_| typing))
                .chain(
                    if matches!(scope, Scope::Help | Scope::Diag) {
                        None
                    } else {
                        Some(
                            km.in_scope(Scope::Global)
                                .filter(move |b| !b.panes_only || scope.is_pane()),
                        )
                    }
                    .into_iter()
                    .flatten(),
                );
            for b in reachable {
                for k in &b.keys {
                    assert!(
                        !seen.iter().any(|(s, _)| s == k),
                        "{} bound twice in {scope:?}",
                        k.label()
                    );
                    seen.push((*k, b.scope));
                }
            }
        }
    }
}
