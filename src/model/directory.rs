//! Who is who: people and roles to reach, and whether they can be reached now.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::Member;

/// Whether a person can be reached. Set by the person (for a while or until changed), or
/// by the rota: a person on the rota is off shift outside every shift they hold.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum PresenceState {
    #[default]
    Available,
    Busy,
    /// Normal and important messages do not ring; urgent ones always do.
    Dnd,
    OffShift,
}

impl PresenceState {
    pub fn as_str(self) -> &'static str {
        match self {
            PresenceState::Available => "available",
            PresenceState::Busy => "busy",
            PresenceState::Dnd => "dnd",
            PresenceState::OffShift => "off_shift",
        }
    }

    /// What a person may set themselves (off shift is the rota's to say).
    pub fn settable(s: &str) -> Option<Self> {
        match s {
            "available" => Some(PresenceState::Available),
            "busy" => Some(PresenceState::Busy),
            "dnd" => Some(PresenceState::Dnd),
            _ => None,
        }
    }

    /// As shown beside a name.
    pub fn label(self) -> &'static str {
        match self {
            PresenceState::Available => "available",
            PresenceState::Busy => "busy",
            PresenceState::Dnd => "do not disturb",
            PresenceState::OffShift => "off shift",
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Presence {
    pub state: PresenceState,
    /// When a state the person set ends by itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<DateTime<Utc>>,
}

/// `PUT /api/v1/me/status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StatusChange {
    /// `available`, `busy` or `dnd`.
    #[schema(pattern = "^(available|busy|dnd)$")]
    pub state: String,
    /// For how long (at most a week); none: until changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1, maximum = 10080)]
    pub minutes: Option<u32>,
}

/// A person in the directory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Person {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    /// Their job (`RN`, `Registrar`).
    pub role: String,
    pub teams: Vec<String>,
    pub presence: Presence,
    /// Roles they hold now.
    pub roles: Vec<String>,
    /// Off shift: the roles they hold on the rota, to write to instead.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub instead: Vec<String>,
}

/// A role in the directory: a named duty within a team, and who holds it now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RoleInfo {
    pub id: Uuid,
    pub name: String,
    pub team: String,
    pub holders: Vec<Member>,
    /// `team:NAME` or `role:NAME`: receives what is written while nobody holds it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fallback: Option<String>,
}

/// `GET /api/v1/directory?q=`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Directory {
    pub people: Vec<Person>,
    pub roles: Vec<RoleInfo>,
}

/// `POST /api/v1/conversations`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StartConversation {
    /// The pair's 1:1: `members` is the one other person's username.
    Direct {
        members: Vec<String>,
    },
    Group {
        title: String,
        members: Vec<String>,
    },
    /// A thread with a role: what is written reaches whoever holds it.
    Role {
        role: String,
    },
}

/// `PATCH /api/v1/conversations/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ConversationPatch {
    pub title: String,
}

/// `POST /api/v1/admin/roles`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NewRole {
    pub name: String,
    pub team: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fallback: Option<String>,
}

/// One shift of a rota: `username` holds `role` from `start` to `end`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Shift {
    pub role: String,
    pub username: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// `POST /api/v1/me/oncall`: take a role, hand it to someone, or give it up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum OnCall {
    Take { role: String },
    Hand { role: String, to: String },
    Drop { role: String },
}
