//! A user's event stream: what happened, with a cursor to resume from.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Job, Member, Message, PatientList, Plan, Presentation, ReceiptState, SharedView};

/// One entry in a user's event stream. `cursor` increases strictly per user; a client that
/// reconnects with the last cursor it saw receives exactly the events after it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Event {
    pub cursor: i64,
    #[serde(flatten)]
    pub kind: EventKind,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventKind {
    Message {
        message: Message,
    },
    Receipt {
        message_id: Uuid,
        conversation_id: Uuid,
        user_id: Uuid,
        state: ReceiptState,
        at: DateTime<Utc>,
    },
    /// A recipient acknowledged an urgent message.
    Acknowledged {
        message_id: Uuid,
        conversation_id: Uuid,
        user_id: Uuid,
        at: DateTime<Utc>,
    },
    /// An urgent message still waits for this user: ring again.
    Renotify {
        message: Message,
        /// 1-based, of `of`.
        attempt: u32,
        of: u32,
    },
    /// To the sender: the window of an urgent message closed with these still unread (or
    /// unacknowledged).
    Unanswered {
        message_id: Uuid,
        conversation_id: Uuid,
        sent_at: DateTime<Utc>,
        names: Vec<String>,
        /// The people named, in the same order: their reads (or acknowledgements, where
        /// asked) that follow answer the notice. Empty from a server before this field.
        #[serde(default)]
        waiting: Vec<Uuid>,
        /// Only an acknowledgement answers it, not a read.
        #[serde(default)]
        ack_required: bool,
        /// Where it was escalated to, if the policy names somewhere.
        escalated_to: Option<String>,
    },
    /// A list of one of the user's teams was created or changed.
    List {
        list: PatientList,
    },
    ListDeleted {
        list_id: Uuid,
    },
    /// Charts the EHR was still reading when the list was answered have arrived: the
    /// list's rows for these patients can be read again, at once.
    ListFilled {
        list_id: Uuid,
        patients: Vec<String>,
    },
    /// Someone followed, left, or control changed hands. `presentation` is as it is now;
    /// with no followers left, it is over.
    Presentation {
        presentation: Presentation,
    },
    /// The one in control moved: show this.
    SharedView {
        presenter: Uuid,
        view: SharedView,
    },
    /// The user was added to a conversation, or one of theirs changed (its title, its
    /// members): read it again.
    ConversationChanged {
        conversation_id: Uuid,
    },
    /// The user is no longer in this conversation.
    ConversationLeft {
        conversation_id: Uuid,
    },
    /// Something the server tells this user about what they just did: written to a role
    /// nobody holds, to someone off shift, an urgent message through do-not-disturb.
    Notice {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        conversation_id: Option<Uuid>,
        text: String,
    },
    /// An urgent message to a role moved from those who no longer hold it to those who do
    /// (to the old holders, who are no longer asked, and to its sender).
    Handed {
        message_id: Uuid,
        conversation_id: Uuid,
        role: String,
        from: Vec<Member>,
        to: Vec<Member>,
    },
    /// A job on one of the user's teams' patients was made or changed: show it as this.
    Job {
        job: Box<Job>,
    },
    /// A patient's plan was written (an empty text: cleared).
    Plan {
        plan: Plan,
    },
    /// The answer to this user's own ping: the event stream's round trip, for `:diag`.
    Pong {
        token: Uuid,
    },
}
