//! The app's whole state. Rendering reads it; only `update` changes it.

use std::time::Duration;

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, FixedOffset, Offset, Utc};
use uuid::Uuid;

use super::keymap::{Keymap, Scope};
pub use super::overlay::Overlay;
pub use super::patients::PatientListState;
use crate::config::ListPrefs;
use crate::model::{
    ColumnId, Conversation, EffectivePolicy, Message, PatientDetail, PatientList, PatientSummary,
    Presentation, Priority, ReceiptState, SharedView, SortKey, User,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Patients,
    Conversations,
    Chat,
}

impl Pane {
    pub fn scope(self) -> Scope {
        match self {
            Pane::Patients => Scope::Patients,
            Pane::Conversations => Scope::Conversations,
            Pane::Chat => Scope::Chat,
        }
    }

    pub fn next(self) -> Pane {
        match self {
            Pane::Patients => Pane::Conversations,
            Pane::Conversations => Pane::Chat,
            Pane::Chat => Pane::Patients,
        }
    }

    pub fn prev(self) -> Pane {
        match self {
            Pane::Patients => Pane::Chat,
            Pane::Conversations => Pane::Patients,
            Pane::Chat => Pane::Conversations,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Connection {
    Connecting,
    Live,
    /// The stream is down; the next attempt is due at `retry_at`.
    Reconnecting {
        reason: String,
        retry_at: DateTime<Utc>,
    },
    SessionEnded,
}

/// A message as this client knows it.
#[derive(Debug, Clone, PartialEq)]
pub struct ChatMessage {
    pub message: Message,
    pub outbox: Outbox,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Outbox {
    /// Stored by the server.
    Stored,
    /// In this client's outbox, not yet confirmed stored.
    Sending,
    /// The server refused it, with its reason.
    Refused(String),
}

#[derive(Debug, Clone)]
pub struct ConversationState {
    pub info: Conversation,
    pub messages: Vec<ChatMessage>,
}

impl ConversationState {
    pub fn unread_for(&self, me: Uuid) -> usize {
        self.messages
            .iter()
            .filter(|m| {
                m.message
                    .receipt_of(me)
                    .is_some_and(|r| r.state < ReceiptState::Read)
            })
            .count()
    }
}

/// To the sender: an urgent message whose window closed with people still unread.
#[derive(Debug, Clone, PartialEq)]
pub struct Unanswered {
    pub message_id: Uuid,
    pub conversation_id: Uuid,
    pub sent_at: DateTime<Utc>,
    pub names: Vec<String>,
    /// Who `names` are, in the same order (empty from an older server: then only opening
    /// the chat clears the notice).
    pub waiting: Vec<Uuid>,
    pub ack_required: bool,
    pub escalated_to: Option<String>,
}

/// One unread urgent message, as the alert bar shows it.
#[derive(Debug, Clone)]
pub struct UrgentWaiting<'a> {
    pub conversation: &'a ConversationState,
    pub message: &'a Message,
}

/// Where new message ids come from: `model::new_message_id` in use, a counter in tests,
/// so that `update` stays a function of its inputs.
#[derive(Debug, Clone)]
pub enum IdSource {
    Random,
    Sequential(u128),
}

impl IdSource {
    pub fn next_id(&mut self) -> Uuid {
        match self {
            IdSource::Random => crate::model::new_message_id(),
            IdSource::Sequential(n) => {
                *n += 1;
                Uuid::from_u128(*n)
            }
        }
    }
}

/// The lock screen: the password being typed (never shown), and how unlocking goes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LockState {
    pub password: crate::tui::components::text_field::TextField,
    pub failures: u32,
    /// Waiting for the server to check the password.
    pub checking: bool,
    pub error: Option<String>,
    /// Switching user was asked once with messages still sending, and warned of.
    pub switch_warned: bool,
}

/// Wrong passwords at the lock screen before the session is logged out.
pub const MAX_UNLOCK_FAILURES: u32 = 3;

/// The chat pane: the conversation open in it, the message being written and how far it
/// is scrolled.
#[derive(Debug, Clone, Default)]
pub struct ChatState {
    pub open: Option<Uuid>,
    pub composer: crate::tui::components::text_field::TextField,
    /// The priority the next message goes at.
    pub priority: Priority,
    /// Lines scrolled up from the newest message.
    pub scroll: usize,
    /// What was being written in other conversations, at what priority: a draft and an
    /// urgent priority belong to the chat they were begun in, never to the next one opened.
    pub drafts: HashMap<Uuid, (crate::tui::components::text_field::TextField, Priority)>,
    /// How far back each conversation's history is known; absent: there may be more.
    pub older: HashMap<Uuid, Older>,
}

/// Paging back through a conversation's history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Older {
    /// The page before the first message shown is on its way.
    Loading { before: Uuid },
    /// Nothing is older than the first message shown.
    Start,
}

impl ChatState {
    /// Shows `id`, keeping this chat's draft for when it is open again.
    pub fn show(&mut self, id: Uuid) {
        self.scroll = 0;
        if self.open == Some(id) {
            return;
        }
        let draft = std::mem::take(&mut self.composer);
        let priority = std::mem::take(&mut self.priority);
        if let Some(was) = self.open {
            if !draft.is_empty() || priority != Priority::default() {
                self.drafts.insert(was, (draft, priority));
            }
        }
        (self.composer, self.priority) = self.drafts.remove(&id).unwrap_or_default();
        self.open = Some(id);
    }
}

/// Searching the EHR for a patient to add to the list.
pub type SearchState = super::components::search::Searching<PatientSummary>;

/// Something that needs a yes before it happens.
#[derive(Debug, Clone, PartialEq)]
pub enum Confirm {
    RemovePatient {
        list: Uuid,
        patient: String,
        label: String,
    },
    DeleteList {
        list: Uuid,
        name: String,
    },
    /// Quitting would lose or leave something: messages still sending, urgent messages
    /// waiting unread, a draft typed.
    Quit {
        unsent: usize,
        urgent: usize,
        draft: bool,
    },
}

/// The detail pane: which patient, and what the server said.
#[derive(Debug, Clone)]
pub struct DetailState {
    pub patient: String,
    pub loaded: Option<Result<PatientDetail, String>>,
}

pub struct App {
    pub me: User,
    /// The care area shown in notifications ("4 West"): never patient data.
    pub team_label: String,
    pub server: String,
    pub connection: Connection,
    pub focus: Pane,
    pub patients: PatientListState,
    pub conversations: Vec<ConversationState>,
    pub selected_conversation: usize,
    pub chat: ChatState,
    /// What this user's messaging policy allows; until it loads, only normal messages.
    pub policy: Option<EffectivePolicy>,
    /// My urgent messages that went unanswered, newest last; cleared when opened, or as
    /// those named answer.
    pub unanswered: Vec<Unanswered>,
    /// Under my messages, who has read, received and acknowledged them, by name.
    pub show_receipt_names: bool,
    /// Open while the patient list shows a patient in detail.
    pub detail: Option<DetailState>,
    /// Presenting: the selected patient, large beside the list (it follows the cursor).
    pub spotlight: Option<DetailState>,
    /// The team lists this user can see.
    pub lists: Vec<PatientList>,
    /// The teams I am in (the lists' team names).
    pub teams: Vec<crate::model::Team>,
    /// What is open over the panes (the lock screen over everything).
    pub overlay: Overlay,
    pub confirm: Option<Confirm>,
    pub pulse_on: bool,
    pub reduced_motion: bool,
    pub terminal_focused: bool,
    /// Set by the runtime before each update; `update` never reads the clock itself.
    pub now: DateTime<Utc>,
    /// The terminal's size (columns, rows), set by the runtime like `now`: scrolling the
    /// chat needs to know what fits to know when it has reached the top.
    pub screen: (u16, u16),
    /// Times are shown in the workstation's zone; the runtime sets it, tests keep UTC.
    pub utc_offset: FixedOffset,
    /// Each patient's bed and name as last shown on any list (memory only): a patient's
    /// chat keeps its title whichever list is on screen.
    pub patient_labels: std::collections::HashMap<String, String>,
    /// The demo's password, shown on its lock screen (`wardround demo` only).
    pub demo_password: Option<String>,
    /// Colleagues and roles heard of this session, for Tab on the `:` line.
    pub known: crate::tui::completion::Known,
    /// The last problem worth telling the user, shown in the status bar.
    pub notice: Option<String>,
    pub keymap: Keymap,
    /// This user's columns and sort per list name, from the config.
    pub list_prefs: BTreeMap<String, ListPrefs>,
    pub ids: IdSource,
    pub quit: bool,
    /// Quitting to log in as someone else (the session is logged out first).
    pub switch_user: bool,
    /// The last key press, for the idle lock.
    pub last_input: DateTime<Utc>,
    /// The workstation's idle lock in seconds (0: none); a policy may make it shorter.
    pub lock_idle_secs: u64,
    /// Presenting on a large display: the selected patient large beside the list.
    pub present: bool,
    /// The columns shown while presenting (empty: bed, name, age, NEWS2).
    pub present_columns: Vec<ColumnId>,
    /// Follow mode: the presentation I present or follow, as the server last said.
    pub presentation: Option<Presentation>,
    /// What I last shared while driving (so each change goes out once).
    pub shared_view: Option<SharedView>,
    /// A shared view waiting for its list's rows.
    pub pending_view: Option<SharedView>,
    /// Whether I can be reached, as the server last said.
    pub presence: crate::model::Presence,
    /// Messages that arrived on do-not-disturb without ringing.
    pub held: u32,
    /// The round's work on my teams' patients, and the plans heard of.
    pub jobs: super::jobs::JobBook,
}

impl App {
    pub fn new(me: User, team_label: String, server: String, now: DateTime<Utc>) -> Self {
        App {
            me,
            team_label,
            server,
            connection: Connection::Connecting,
            focus: Pane::Patients,
            patients: PatientListState {
                loading: true,
                columns: ColumnId::DEFAULT.to_vec(),
                // Rounds go bed by bed.
                sort: vec![SortKey {
                    column: ColumnId::Bed,
                    descending: false,
                }],
                ..Default::default()
            },
            conversations: Vec::new(),
            selected_conversation: 0,
            chat: ChatState::default(),
            policy: None,
            unanswered: Vec::new(),
            show_receipt_names: false,
            detail: None,
            spotlight: None,
            lists: Vec::new(),
            teams: Vec::new(),
            overlay: Overlay::None,
            confirm: None,
            pulse_on: false,
            reduced_motion: false,
            terminal_focused: true,
            now,
            screen: (120, 40),
            utc_offset: Utc.fix(),
            patient_labels: Default::default(),
            demo_password: None,
            known: Default::default(),
            notice: None,
            keymap: Keymap::default(),
            list_prefs: BTreeMap::new(),
            ids: IdSource::Random,
            quit: false,
            switch_user: false,
            last_input: now,
            lock_idle_secs: 0,
            present: false,
            present_columns: Vec::new(),
            presentation: None,
            shared_view: None,
            pending_view: None,
            presence: crate::model::Presence::default(),
            held: 0,
            jobs: Default::default(),
        }
    }

    /// Seconds without input before the screen locks: the config's, or the policy's if
    /// that is sooner; `None` for never.
    pub fn idle_limit(&self) -> Option<u64> {
        let config = (self.lock_idle_secs > 0).then_some(self.lock_idle_secs);
        let policy = self
            .policy
            .as_ref()
            .and_then(|p| p.policy.settings.lock_idle_secs)
            .filter(|s| *s > 0);
        match (config, policy) {
            (Some(c), Some(p)) => Some(c.min(p)),
            (c, p) => c.or(p),
        }
    }

    /// Logging out: everything the user saw goes; only who and where remain for the
    /// login that follows.
    pub fn forget_everything(&mut self) {
        self.patients = PatientListState::default();
        self.conversations.clear();
        self.selected_conversation = 0;
        self.chat = ChatState::default();
        self.detail = None;
        self.lists.clear();
        self.overlay = Overlay::None;
        self.confirm = None;
        self.unanswered.clear();
        self.notice = None;
        self.policy = None;
        self.list_prefs.clear();
        self.presentation = None;
        self.shared_view = None;
        self.pending_view = None;
        self.jobs = Default::default();
    }

    /// Messages in the outbox, not yet stored by the server.
    pub fn unsent(&self) -> usize {
        self.conversations
            .iter()
            .flat_map(|c| &c.messages)
            .filter(|m| m.outbox == Outbox::Sending)
            .count()
    }

    pub fn conversation(&self, id: Uuid) -> Option<&ConversationState> {
        self.conversations.iter().find(|c| c.info.id == id)
    }

    pub fn conversation_mut(&mut self, id: Uuid) -> Option<&mut ConversationState> {
        self.conversations.iter_mut().find(|c| c.info.id == id)
    }

    pub fn open(&self) -> Option<&ConversationState> {
        self.chat.open.and_then(|id| self.conversation(id))
    }

    /// Urgent messages to me that I have not read (or not acknowledged, where asked),
    /// oldest first.
    pub fn urgent_waiting(&self) -> Vec<UrgentWaiting<'_>> {
        self.waiting(Priority::Urgent)
    }

    pub fn alert_active(&self) -> bool {
        !self.urgent_waiting().is_empty()
    }

    /// The alert bar pulses: an urgent message, or an urgent job for me not yet seen.
    pub fn pulsing(&self) -> bool {
        self.alert_active() || !self.jobs.urgent_unseen().is_empty()
    }

    /// Important messages to me that I have not read, oldest first: a steady mark.
    pub fn important_waiting(&self) -> Vec<UrgentWaiting<'_>> {
        self.waiting(Priority::Important)
    }

    fn waiting(&self, priority: Priority) -> Vec<UrgentWaiting<'_>> {
        let me = self.me.id;
        let mut waiting: Vec<UrgentWaiting<'_>> = self
            .conversations
            .iter()
            .flat_map(|c| {
                c.messages.iter().filter_map(move |m| {
                    let m = &m.message;
                    (m.priority == priority && m.sender_id != me && m.awaits(me)).then_some(
                        UrgentWaiting {
                            conversation: c,
                            message: m,
                        },
                    )
                })
            })
            .collect();
        waiting.sort_by_key(|w| w.message.sent_at);
        waiting
    }

    /// Urgent messages to me in the open conversation that I have not acknowledged.
    pub fn unacknowledged_here(&self) -> Vec<Uuid> {
        let me = self.me.id;
        self.open()
            .map(|c| {
                c.messages
                    .iter()
                    .filter(|m| {
                        m.message.priority == Priority::Urgent
                            && m.message
                                .receipt_of(me)
                                .is_some_and(|r| r.acknowledged_at.is_none())
                    })
                    .map(|m| m.message.id)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Out of touch with the server: nothing said of what waits for me can be trusted.
    pub fn offline(&self) -> bool {
        matches!(
            self.connection,
            Connection::Reconnecting { .. } | Connection::SessionEnded
        )
    }

    /// Whole seconds until the event stream is tried again, rounded up (a countdown that
    /// shows 0 while there is still time left would say "now" too early); `Some(0)` once
    /// the attempt is under way. `None` unless reconnecting.
    pub fn retry_in_secs(&self) -> Option<u64> {
        let Connection::Reconnecting { retry_at, .. } = &self.connection else {
            return None;
        };
        let ms = u64::try_from((*retry_at - self.now).num_milliseconds()).unwrap_or(0);
        Some(ms.div_ceil(1000))
    }

    /// How long until the offline countdown shows another second: the runtime redraws
    /// then, and only then. `None` when no countdown is moving.
    pub fn countdown_changes_in(&self, now: DateTime<Utc>) -> Option<Duration> {
        let Connection::Reconnecting { retry_at, .. } = &self.connection else {
            return None;
        };
        let ms = u64::try_from((*retry_at - now).num_milliseconds())
            .ok()
            .filter(|&ms| ms > 0)?;
        // From 3.4 s left ("4s") the display changes at 3.0 s left: in 0.4 s.
        let shown = ms.div_ceil(1000);
        Some(Duration::from_millis(ms - (shown - 1) * 1000))
    }

    /// Whether a command can do anything now: the footer offers only those.
    pub fn available(&self, command: super::keymap::Command) -> bool {
        use super::keymap::Command;
        match command {
            Command::CyclePriority => {
                self.may_send(Priority::Important) || self.may_send(Priority::Urgent)
            }
            Command::Acknowledge => !self.unacknowledged_here().is_empty() || self.alert_active(),
            Command::ToggleMyReceipts => self
                .policy
                .as_ref()
                .is_some_and(|p| p.read_receipts_adjustable),
            _ => true,
        }
    }

    /// Whether this user's policy lets them send at `priority`. Until the policy is known
    /// the server decides (and says why it refuses).
    pub fn may_send(&self, priority: Priority) -> bool {
        let Some(p) = &self.policy else {
            return true;
        };
        match priority {
            Priority::Normal => true,
            Priority::Important => p.policy.settings.allow_important,
            Priority::Urgent => p.policy.settings.allow_urgent,
        }
    }

    /// The bed of a patient on the list shown, for the alert bar and chat headers.
    pub fn bed_of(&self, patient: &str) -> Option<&str> {
        self.patients
            .loaded
            .iter()
            .find(|r| r.patient == patient)
            .and_then(|r| r.cell(ColumnId::Bed))
            .map(|c| c.text.as_str())
            .filter(|t| !t.is_empty())
    }

    /// How a patient-linked conversation is titled: bed and name as any list last showed
    /// them, else the patient's id.
    pub fn patient_label(&self, patient: &str) -> String {
        let shown = self.patients.loaded.iter().find(|r| r.patient == patient);
        shown
            .and_then(label_of)
            .or_else(|| self.patient_labels.get(patient).cloned())
            .unwrap_or_else(|| format!("Patient {patient}"))
    }

    /// Remembers the bed and name of every patient on the list just loaded.
    pub fn remember_labels(&mut self) {
        for row in &self.patients.loaded {
            if let Some(label) = label_of(row) {
                self.patient_labels.insert(row.patient.clone(), label);
            }
        }
    }

    /// A conversation's title as shown: a patient's bed and name for a patient chat.
    pub fn title_of(&self, c: &ConversationState) -> String {
        match &c.info.subject {
            Some(patient) => self.patient_label(patient),
            None => c.info.title.clone(),
        }
    }

    /// The columns the list shows now.
    pub fn shown_columns(&self) -> &[ColumnId] {
        if self.present && !self.present_columns.is_empty() {
            &self.present_columns
        } else if self.present {
            // Beside the patient shown large, the list needs only to say who is where.
            &[
                ColumnId::Bed,
                ColumnId::Name,
                ColumnId::Age,
                ColumnId::News2,
            ]
        } else {
            &self.patients.columns
        }
    }

    /// The column the cursor is on, among those shown (the big screen shows its own).
    pub fn focused_column(&self) -> Option<ColumnId> {
        let shown = self.shown_columns();
        shown
            .get(self.patients.column.min(shown.len().saturating_sub(1)))
            .copied()
    }

    /// Where keys go now: what is open over the panes, else the focused pane.
    pub fn scope(&self) -> Scope {
        self.overlay.scope().unwrap_or(match self.focus {
            Pane::Patients if self.patients.filtering => Scope::Filter,
            pane => pane.scope(),
        })
    }

    /// Locked: nothing but the lock screen is drawn and only it takes keys.
    pub fn locked(&self) -> bool {
        self.overlay.locked()
    }

    /// Printable keys are text, not commands.
    pub fn typing(&self) -> bool {
        matches!(
            self.scope(),
            Scope::Chat
                | Scope::Filter
                | Scope::Search
                | Scope::WardSearch
                | Scope::Prompt
                | Scope::Lock
                | Scope::CommandLine
                | Scope::NewChat
                | Scope::Lists
                | Scope::JobForm
                | Scope::JobAsk
        )
    }

    /// On do-not-disturb now (it ends by itself at its time).
    pub fn dnd_now(&self) -> bool {
        self.presence.state == crate::model::PresenceState::Dnd
            && self.presence.until.is_none_or(|t| t > self.now)
    }

    /// The chat is on screen and looked at: what it shows counts as read.
    pub fn chat_in_view(&self) -> bool {
        self.focus == Pane::Chat
            && !self.overlay.covers_chat()
            && self.terminal_focused
            && self.chat.open.is_some()
    }
}

/// A row's bed and name, as a patient's chat is titled; none while its chart is coming.
fn label_of(row: &crate::model::Row) -> Option<String> {
    let text = |c: ColumnId| {
        row.cell(c)
            .map(|c| c.text.clone())
            .filter(|t| !t.is_empty() && t != "…" && t != "?")
    };
    match (text(ColumnId::Bed), text(ColumnId::Name)) {
        (Some(bed), Some(name)) => Some(format!("{bed} {name}")),
        (None, Some(name)) => Some(name),
        (Some(bed), None) => Some(bed),
        (None, None) => None,
    }
}
