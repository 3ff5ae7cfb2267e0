//! Wire and domain types shared by the client and the server.

mod account;
mod audit;
mod column_id;
mod columns;
mod detail;
mod directory;
mod events;
mod jobs;
mod messaging;
mod policy;
mod presentation;
pub mod sort;

pub use account::{LoginRequest, LoginResponse, Me, PasswordChange, Team, TeamTemplate, User};
pub use audit::{AuditAct, AuditAction, AuditEntry, AuditVerdict, AUDIT_GENESIS};
pub use column_id::{CellKind, ColumnId, ListView, Loinc, SortKey};
pub use columns::{
    natural_cmp, Cell, CellValue, EntryMark, Flag, ImportOutcome, ImportRow, Imported, ListRows,
    ListSource, PatientList, PatientQuery, PatientSummary, Row,
};
pub use detail::{News2Detail, News2Point, PatientDetail, Stay, Trend};
pub use directory::{
    ConversationPatch, Directory, NewRole, OnCall, Person, Presence, PresenceState, RoleInfo,
    Shift, StartConversation, StatusChange,
};
pub use events::{Event, EventKind};
pub use jobs::{
    work_order, HandoverRow, HandoverSheet, Job, JobAssignee, JobPatch, JobPriority, JobQuery,
    JobStatus, NewJob, Plan, PlanText, MAX_JOB_CHARS, MAX_PLAN_CHARS, MAX_PLAN_LINES,
    MAX_REASON_CHARS,
};
pub use messaging::{
    names, new_message_id, Conversation, ConversationKind, Member, Message, NewMessage, Priority,
    Receipt, ReceiptState, ReceiptUpdate, MAX_BODY_CHARS, SYSTEM_SENDER,
};
pub use policy::{
    Assignee, Assignment, EffectivePolicy, EscalationTarget, MessagingPolicy, Package, PolicyPatch,
    PolicySettings, ReadReceipts, RenotifyUntil, UserSettings, GLOBAL,
};
pub use presentation::{FollowRequest, HandControl, Presentation, SharedView};
