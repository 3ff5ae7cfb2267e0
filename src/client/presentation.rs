//! Follow mode and the stream ping, for the TUI.

use reqwest::Method;
use serde_json::json;
use uuid::Uuid;

use super::{ApiClient, ClientError};
use crate::model::{FollowRequest, HandControl, Presentation, SharedView};

impl ApiClient {
    /// The presentation I am in, if any (after a reconnect or a restart).
    pub async fn presentation(&self) -> Result<Option<Presentation>, ClientError> {
        self.call(Method::GET, "/api/v1/presentation", None::<&()>)
            .await
    }

    pub async fn follow(&self, username: &str) -> Result<Presentation, ClientError> {
        let body = FollowRequest {
            user: username.to_string(),
        };
        self.call(Method::POST, "/api/v1/presentation/follow", Some(&body))
            .await
    }

    pub async fn unfollow(&self) -> Result<(), ClientError> {
        self.call_empty(Method::DELETE, "/api/v1/presentation/follow", None::<&()>)
            .await
    }

    pub async fn hand_control(&self, username: &str) -> Result<(), ClientError> {
        let body = HandControl {
            to: username.to_string(),
        };
        self.call_empty(Method::POST, "/api/v1/presentation/control", Some(&body))
            .await
    }

    pub async fn share_view(&self, view: &SharedView) -> Result<(), ClientError> {
        self.call_empty(Method::PUT, "/api/v1/presentation/view", Some(view))
            .await
    }

    /// Asks for a `pong` on my own event stream.
    pub async fn ping(&self, token: Uuid) -> Result<(), ClientError> {
        self.call_empty(
            Method::POST,
            "/api/v1/me/ping",
            Some(&json!({ "token": token })),
        )
        .await
    }
}
