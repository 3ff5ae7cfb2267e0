//! Secure chat on the wire: conversations, messages, priorities and read receipts.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The sender of the server's own lines (`Sam added Tom`) and of escalations.
pub const SYSTEM_SENDER: Uuid = Uuid::nil();

/// Long enough for a handover note, short enough to read on a ward screen.
pub const MAX_BODY_CHARS: usize = 8000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConversationKind {
    Direct,
    Group,
    Channel,
    /// A care-team chat whose subject is a patient.
    Patient,
    /// A person's thread with a role: what they write reaches whoever holds it.
    Role,
}

#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    #[default]
    Normal,
    Important,
    Urgent,
}

impl Priority {
    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Normal => "normal",
            Priority::Important => "important",
            Priority::Urgent => "urgent",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "normal" => Some(Priority::Normal),
            "important" => Some(Priority::Important),
            "urgent" => Some(Priority::Urgent),
            _ => None,
        }
    }
}

/// Per-recipient delivery state. Ordered: a receipt only ever moves forward.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ReceiptState {
    Sent,
    Delivered,
    Read,
}

impl ReceiptState {
    pub fn as_i64(self) -> i64 {
        match self {
            ReceiptState::Sent => 0,
            ReceiptState::Delivered => 1,
            ReceiptState::Read => 2,
        }
    }

    pub fn from_i64(v: i64) -> Self {
        match v {
            2 => ReceiptState::Read,
            1 => ReceiptState::Delivered,
            _ => ReceiptState::Sent,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Member {
    pub id: Uuid,
    pub display_name: String,
    pub role: String,
}

/// People by name, as a sentence lists them: `Priya Shah, Tom Reid`.
pub fn names(people: &[Member]) -> String {
    people
        .iter()
        .map(|m| m.display_name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Conversation {
    pub id: Uuid,
    pub kind: ConversationKind,
    /// As the caller should see it: a 1:1 is titled with the other person's name.
    pub title: String,
    pub members: Vec<Member>,
    /// Messages from others that the caller has not read.
    pub unread: u32,
    /// The FHIR Patient id of a patient-linked conversation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// A thread with a role: the role, and who holds it now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<super::RoleInfo>,
    /// Members who are not simply available (busy, do-not-disturb, off shift).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub presence: std::collections::BTreeMap<Uuid, super::Presence>,
    /// A group's admins besides its creator: they change it as its creator does.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub admins: Vec<Uuid>,
    /// The caller may rename it and change its members.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub manage: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Receipt {
    pub user_id: Uuid,
    pub state: ReceiptState,
    pub at: DateTime<Utc>,
    /// An urgent message's recipient confirmed they are on it: distinct from read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acknowledged_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Message {
    /// Chosen by the sending client; a retried send with the same id is the same message.
    pub id: Uuid,
    pub conversation_id: Uuid,
    pub sender_id: Uuid,
    pub sender_name: String,
    pub body: String,
    pub priority: Priority,
    pub sent_at: DateTime<Utc>,
    /// One per recipient (every member but the sender).
    pub receipts: Vec<Receipt>,
    /// Urgent under a policy that re-notifies until acknowledged, not merely read.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub ack_required: bool,
    /// An escalation message: the urgent message nobody read in time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub escalation_of: Option<Uuid>,
}

impl Receipt {
    /// A recipient's receipt as a message is stored: sent, nothing more yet.
    pub fn sent(user_id: Uuid, at: DateTime<Utc>) -> Self {
        Receipt {
            user_id,
            state: ReceiptState::Sent,
            at,
            acknowledged_at: None,
        }
    }
}

impl Message {
    pub fn receipt_of(&self, user: Uuid) -> Option<&Receipt> {
        self.receipts.iter().find(|r| r.user_id == user)
    }

    /// Applies a receipt change; never moves a receipt backwards.
    pub fn apply_receipt(&mut self, user: Uuid, state: ReceiptState, at: DateTime<Utc>) {
        match self.receipts.iter_mut().find(|r| r.user_id == user) {
            Some(r) if r.state < state => {
                r.state = state;
                r.at = at;
            }
            Some(_) => {}
            None => self.receipts.push(Receipt {
                user_id: user,
                state,
                at,
                acknowledged_at: None,
            }),
        }
    }

    pub fn acknowledge(&mut self, user: Uuid, at: DateTime<Utc>) {
        self.apply_receipt(user, ReceiptState::Read, at);
        if let Some(r) = self.receipts.iter_mut().find(|r| r.user_id == user) {
            r.acknowledged_at.get_or_insert(at);
        }
    }

    /// Whether `user` still owes this message attention: unread, or unacknowledged where
    /// acknowledgement is asked for.
    pub fn awaits(&self, user: Uuid) -> bool {
        self.receipt_of(user).is_some_and(|r| {
            r.state < ReceiptState::Read || (self.ack_required && r.acknowledged_at.is_none())
        })
    }

    pub fn count_at_least(&self, state: ReceiptState) -> usize {
        self.receipts.iter().filter(|r| r.state >= state).count()
    }
}

/// A new message's id, chosen by its sender. Time-ordered (UUIDv7: milliseconds, then 74
/// random bits, as unguessable as they need be): the store's indexes keyed by message id
/// then grow at their end, so a group commit dirties a page or two there rather than one
/// page a message scattered through them, and syncs that much less.
pub fn new_message_id() -> Uuid {
    Uuid::now_v7()
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NewMessage {
    pub id: Uuid,
    pub body: String,
    #[serde(default)]
    pub priority: Priority,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ReceiptUpdate {
    /// `delivered` or `read`: `sent` is the server's to say.
    pub state: ReceiptState,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_ids_sort_by_when_they_were_made() {
        let ids: Vec<Uuid> = (0..50)
            .map(|i| {
                if i % 10 == 0 {
                    std::thread::sleep(std::time::Duration::from_millis(2));
                }
                new_message_id()
            })
            .collect();
        assert!(ids.iter().all(|id| id.get_version_num() == 7));
        assert!(
            ids.first() < ids.last(),
            "later ids sort after earlier ones"
        );
        let distinct: std::collections::HashSet<_> = ids.iter().collect();
        assert_eq!(distinct.len(), ids.len());
    }
}
