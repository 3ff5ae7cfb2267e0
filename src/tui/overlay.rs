//! What is open over the panes, as one value: one thing at a time, so opening one closes
//! whatever was open — except the lock screen, which wins over everything and keeps what
//! it covers until the password opens it again.

use super::app::{LockState, SearchState};
use super::components::column_picker::PickerState;
use super::components::diagnostics::DiagState;
use super::components::members::MembersState;
use super::components::new_chat::NewChatState;
use super::components::prompt::Prompt;
use super::components::ward_search::WardSearchState;
use super::keymap::Scope;

#[derive(Debug, Clone, Default)]
pub enum Overlay {
    /// The panes alone; the focused one has the keys.
    #[default]
    None,
    /// Locked: nothing but the lock screen is drawn and only it takes keys.
    Lock {
        lock: LockState,
        /// Open when the screen locked; unseen until unlocked.
        beneath: Box<Overlay>,
    },
    /// The keymap, scrolled down this many lines.
    Help { scroll: u16 },
    /// The `:diag` pane.
    Diagnostics(DiagState),
    /// The `:` line being typed.
    CommandLine(crate::tui::components::command_line::CommandLineState),
    /// Searching the EHR for a patient to add to the list.
    Search(SearchState),
    /// Searching the EHR for a ward whose census a new list follows.
    WardSearch(WardSearchState),
    /// Choosing, ordering and sizing the list's columns.
    Picker(PickerState),
    /// A one-line question (a list's name, a password).
    Prompt(Prompt),
    /// `N`: choosing whom to write to from the directory.
    NewChat(NewChatState),
    /// `:members` of the open conversation.
    Members(MembersState),
    /// `L`: all lists of my teams.
    Lists(super::components::list_switcher::ListsState),
    /// `J`: a new job on a patient.
    JobForm(super::components::job_form::JobForm),
    /// `:jobs`.
    Jobs(super::components::jobs_pane::JobsState),
    /// `:handover`.
    Handover(super::components::handover::HandoverState),
}

impl Overlay {
    /// Where keys go while this is open; `None` leaves them to the focused pane.
    pub fn scope(&self) -> Option<Scope> {
        Some(match self {
            Overlay::None => return None,
            Overlay::Lock { .. } => Scope::Lock,
            Overlay::Help { .. } => Scope::Help,
            Overlay::Diagnostics(_) => Scope::Diag,
            Overlay::CommandLine(_) => Scope::CommandLine,
            Overlay::Search(_) => Scope::Search,
            Overlay::WardSearch(_) => Scope::WardSearch,
            Overlay::Picker(_) => Scope::Picker,
            Overlay::Prompt(_) => Scope::Prompt,
            Overlay::NewChat(_) => Scope::NewChat,
            Overlay::Members(_) => Scope::Members,
            Overlay::Lists(_) => Scope::Lists,
            Overlay::JobForm(_) => Scope::JobForm,
            Overlay::Jobs(j) if j.asking.is_some() => Scope::JobAsk,
            Overlay::Jobs(_) => Scope::Jobs,
            Overlay::Handover(_) => Scope::Handover,
        })
    }

    pub fn locked(&self) -> bool {
        matches!(self, Overlay::Lock { .. })
    }

    /// Whether it stands between the user and the chat, so that what the chat shows is
    /// not read (the one-line command line and prompt leave it in view).
    pub fn covers_chat(&self) -> bool {
        !matches!(
            self,
            Overlay::None | Overlay::CommandLine(_) | Overlay::Prompt(_)
        )
    }

    /// What is open, under the lock screen if locked: an answer from the server that
    /// arrives while the screen is locked still reaches what asked for it.
    pub fn unlocked_mut(&mut self) -> &mut Overlay {
        match self {
            Overlay::Lock { beneath, .. } => beneath,
            open => open,
        }
    }
}
