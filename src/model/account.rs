//! Who uses wardround: users, teams, logging in and one's own account, as the API carries them.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct User {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    /// Free text shown beside the name ("RN", "Registrar"): how colleagues recognise each other.
    pub role: String,
    /// May use `wardround admin`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub admin: bool,
}

impl User {
    /// "Alex Morgan (RN)", or the name alone when no role is set.
    pub fn label(&self) -> String {
        match self.role.trim() {
            "" => self.display_name.clone(),
            role => format!("{} ({role})", self.display_name),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Team {
    pub id: Uuid,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LoginResponse {
    pub token: String,
    pub user: User,
    /// The password was one-time (IT set it): set your own (`PUT /api/v1/me/password`)
    /// before anything else is answered.
    #[serde(default)]
    pub must_change_password: bool,
}

/// `PUT /api/v1/me/password`.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub current: String,
    pub new: String,
}

/// Who the caller is, and where their event stream stands right now. A client reads this
/// before loading anything else so that the stream, started from `cursor`, covers every
/// change made after the load began.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Me {
    pub user: User,
    pub teams: Vec<Team>,
    pub cursor: i64,
    /// Whether I can be reached now (do-not-disturb holds the bell for all but urgent).
    #[serde(default)]
    pub presence: super::Presence,
    /// The roles I hold now.
    #[serde(default)]
    pub roles: Vec<String>,
}

/// Starting points for a new team, after Teams for Healthcare's templates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TeamTemplate {
    /// A ward: Announcements, Huddles, Rounds, Staffing, Training, and a rounding list.
    Ward,
    /// A hospital: Announcements, Compliance, Custodial, Human Resources, Pharmacy.
    Hospital,
}

impl TeamTemplate {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "ward" => Some(TeamTemplate::Ward),
            "hospital" => Some(TeamTemplate::Hospital),
            _ => None,
        }
    }

    pub fn channels(self) -> &'static [&'static str] {
        match self {
            TeamTemplate::Ward => &["Announcements", "Huddles", "Rounds", "Staffing", "Training"],
            TeamTemplate::Hospital => &[
                "Announcements",
                "Compliance",
                "Custodial",
                "Human Resources",
                "Pharmacy",
            ],
        }
    }
}
