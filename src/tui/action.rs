//! What can happen (`Action`) and what the app asks the outside world to do (`Effect`).

use crossterm::event::KeyEvent;
use uuid::Uuid;

use crate::client::StreamUpdate;
use crate::model::{
    ColumnId, Conversation, Directory, EffectivePolicy, ListRows, ListView, Message, NewMessage,
    OnCall, PatientDetail, PatientList, PatientSummary, Presence, Presentation, ReceiptState,
    RoleInfo, SharedView, StartConversation, StatusChange, UserSettings,
};
use crate::tui::components::diagnostics::DiagReport;

#[derive(Debug, Clone)]
pub enum Action {
    Key(KeyEvent),
    Paste(String),
    Resize,
    /// The mouse wheel (only with `[ui] mouse`): scrolls the focused pane.
    Wheel {
        down: bool,
    },
    TerminalFocus(bool),
    /// Half a pulse period passed while an urgent message waits.
    Pulse,
    /// The clock moved on (ages and lengths of stay).
    Tick,
    ListsLoaded(Result<Vec<PatientList>, String>),
    RowsLoaded(Result<ListRows, String>),
    ConversationsLoaded(Result<Vec<Conversation>, String>),
    DetailLoaded(String, Result<Box<PatientDetail>, String>),
    /// A list this user just made: show it.
    ListCreated(PatientList),
    /// Search results, for the query they answer.
    SearchResults(String, Result<Vec<PatientSummary>, String>),
    /// Wards the EHR found for a query.
    WardResults(
        String,
        Result<Vec<crate::fhir::census::FoundLocation>, String>,
    ),
    MessagesLoaded(Uuid, Result<Vec<Message>, String>),
    /// The page of a conversation's history just before the message `before`.
    OlderLoaded {
        conversation: Uuid,
        before: Uuid,
        page: Result<Vec<Message>, String>,
    },
    PolicyLoaded(Result<EffectivePolicy, String>),
    /// Urgent and important messages waiting for me, wherever they are.
    AwaitingLoaded(Result<Vec<Message>, String>),
    /// A patient's chat, opened (or made) at this user's asking.
    PatientConversationOpened(Result<Conversation, String>),
    /// The server stored a message from the outbox.
    Sent(Message),
    /// The server refused a message for good (not a network failure: those are retried).
    SendRefused {
        id: Uuid,
        reason: String,
    },
    Stream(StreamUpdate),
    /// What the server said of the lock screen's password.
    Unlocked(Result<(), crate::client::ClientError>),
    /// What the server said of `:password`.
    PasswordChanged(Result<(), crate::client::ClientError>),
    /// Follow mode as the server has it (on connecting, and after `:follow`).
    PresentationLoaded(Result<Option<Presentation>, String>),
    /// A diagnostics measurement came back.
    Diagnosed(DiagReport),
    /// The directory's answer to what was typed in the new-chat picker.
    DirectoryResults(String, Result<Directory, String>),
    /// A conversation started (or found: the pair's 1:1), or changed at this user's asking.
    ConversationOpened(Result<Conversation, String>),
    /// `:status`: my presence as the server has it now.
    StatusSet(Result<Presence, String>),
    /// `:oncall`: the role as it is after.
    OnCallChanged(Result<RoleInfo, String>),
    /// The open jobs on my teams' patients.
    JobsLoaded(Result<Vec<crate::model::Job>, String>),
    /// The server's word on a job made or changed here (the event stream tells everyone).
    JobSaved(Result<crate::model::Job, String>),
    /// A plan written here, as stored.
    PlanSaved(Result<crate::model::Plan, String>),
    /// A list's handover sheet.
    HandoverLoaded(Uuid, Result<crate::model::HandoverSheet, String>),
    /// A background request failed; shown in the status bar.
    Failed(String),
    /// A background request did what was asked; said in the status bar.
    Done(String),
    /// "Fetch latest" (`r`, `R`) failed: said, and no longer shown as under way.
    FetchFailed(String),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    LoadLists,
    /// The list's rows with these columns.
    LoadRows {
        list: Uuid,
        columns: Vec<ColumnId>,
    },
    LoadConversations,
    LoadDetail(String),
    SearchPatients(String),
    FindWards(String),
    /// Someone selected a patient the census brought.
    MarkSeen {
        list: Uuid,
        patient: String,
    },
    /// A list following the census of `location` (`Location/ID`).
    NewCensusList {
        name: String,
        location: String,
    },
    AddPatient {
        list: Uuid,
        patient: String,
        /// As the search showed them, for saying it is done.
        name: String,
    },
    RemovePatient {
        list: Uuid,
        patient: String,
    },
    NewList(String),
    RenameList {
        list: Uuid,
        name: String,
    },
    DuplicateList {
        list: Uuid,
        name: String,
    },
    DeleteList(Uuid),
    /// Keep how this user arranges the list (or, `shared`, the team's default).
    SaveView {
        list: Uuid,
        view: ListView,
        shared: bool,
    },
    /// "Fetch latest" from the EHR (one patient, or the list), then reload.
    Refresh {
        list: Uuid,
        patient: Option<String>,
        columns: Vec<ColumnId>,
    },
    LoadMessages(Uuid),
    /// The page of history just before the message `before`.
    LoadOlder {
        conversation: Uuid,
        before: Uuid,
    },
    /// Deliver through the outbox: retried until stored; the id makes retries harmless.
    Send {
        conversation: Uuid,
        message: NewMessage,
    },
    Mark {
        messages: Vec<Uuid>,
        state: ReceiptState,
    },
    Acknowledge(Vec<Uuid>),
    /// Check the lock screen's password with the server.
    Unlock(String),
    /// `:password`: set the user's own.
    ChangePassword {
        current: String,
        new: String,
    },
    /// The screen locked (idle, or on request): the server's audit log hears of it.
    ReportLock {
        idle: bool,
    },
    LoadPolicy,
    LoadAwaiting,
    SaveSettings(UserSettings),
    OpenPatientConversation {
        list: Uuid,
        patient: String,
    },
    /// Follow this user's screen.
    Follow(String),
    Unfollow,
    HandControl(String),
    /// I drive a presentation: this is what I show now.
    ShareView(SharedView),
    LoadPresentation,
    /// Measure for the diagnostics pane; the token names this round.
    Diagnose(Uuid),
    /// Bell and desktop notification; the text carries no patient data.
    Notify(String),
    SearchDirectory(String),
    StartConversation(StartConversation),
    AddMember {
        conversation: Uuid,
        username: String,
    },
    /// Remove a member (by username or id), or leave.
    RemoveMember {
        conversation: Uuid,
        member: String,
    },
    SetStatus(StatusChange),
    OnCall(OnCall),
    LoadJobs,
    CreateJob(crate::model::NewJob),
    ChangeJob {
        id: Uuid,
        patch: crate::model::JobPatch,
    },
    WritePlan {
        patient: String,
        text: String,
    },
    LoadHandover(Uuid),
    Quit,
}
