//! Follow mode: a presenter's list, sort and selected patient, mirrored on the screens of
//! those who follow them. Whoever holds control drives; the presenter can hand it on.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Member, SortKey};

/// What the one in control is looking at: enough for a follower to show the same.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SharedView {
    pub list_id: Uuid,
    #[serde(default)]
    pub sort: Vec<SortKey>,
    /// The selected patient's FHIR id.
    #[serde(default)]
    pub patient: Option<String>,
}

/// One presenter and those following them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Presentation {
    /// Whom the followers asked to follow.
    pub presenter: Member,
    /// Who drives now: the presenter, or a follower they handed control to.
    pub controller: Member,
    pub followers: Vec<Member>,
    /// The last view the controller shared, if any yet.
    #[serde(default)]
    pub view: Option<SharedView>,
}

impl Presentation {
    /// Whether `user` is in it, as presenter or follower.
    pub fn includes(&self, user: Uuid) -> bool {
        self.presenter.id == user || self.followers.iter().any(|f| f.id == user)
    }

    /// Everyone in it: the presenter first.
    pub fn members(&self) -> impl Iterator<Item = &Member> {
        std::iter::once(&self.presenter).chain(&self.followers)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FollowRequest {
    /// The presenter's username.
    pub user: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct HandControl {
    /// The follower's username.
    pub to: String,
}
