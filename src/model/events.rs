use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Message, PatientList, ReceiptState};

/// One entry in a user's event stream. `cursor` increases strictly per user; a client that
/// reconnects with the last cursor it saw receives exactly the events after it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub cursor: i64,
    #[serde(flatten)]
    pub kind: EventKind,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
    /// A list of one of the user's teams was created or changed.
    List {
        list: PatientList,
    },
    ListDeleted {
        list_id: Uuid,
    },
}
