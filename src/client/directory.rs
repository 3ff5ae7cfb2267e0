//! The client's side of reaching people: the directory, starting and changing
//! conversations, presence, on-call, and (for IT) roles and rotas.

use reqwest::Method;
use serde_json::json;
use uuid::Uuid;

use super::{segment, ApiClient, ClientError};
use crate::model::{
    Conversation, Directory, NewRole, OnCall, Presence, RoleInfo, Shift, StartConversation,
    StatusChange,
};

impl ApiClient {
    pub async fn directory(&self, q: &str) -> Result<Directory, ClientError> {
        self.call(
            Method::GET,
            &format!("/api/v1/directory?q={}", segment(q)),
            None::<&()>,
        )
        .await
    }

    pub async fn start_conversation(
        &self,
        start: &StartConversation,
    ) -> Result<Conversation, ClientError> {
        self.call(Method::POST, "/api/v1/conversations", Some(start))
            .await
    }

    pub async fn rename_conversation(
        &self,
        id: Uuid,
        title: &str,
    ) -> Result<Conversation, ClientError> {
        self.call(
            Method::PATCH,
            &format!("/api/v1/conversations/{id}"),
            Some(&json!({ "title": title })),
        )
        .await
    }

    pub async fn add_member(&self, id: Uuid, username: &str) -> Result<Conversation, ClientError> {
        self.call(
            Method::PUT,
            &format!("/api/v1/conversations/{id}/members/{}", segment(username)),
            None::<&()>,
        )
        .await
    }

    /// Makes a member one of the group's admins, or not.
    pub async fn member_admin(
        &self,
        id: Uuid,
        username: &str,
        admin: bool,
    ) -> Result<Conversation, ClientError> {
        self.call(
            Method::PUT,
            &format!(
                "/api/v1/conversations/{id}/members/{}?admin={admin}",
                segment(username)
            ),
            None::<&()>,
        )
        .await
    }

    pub async fn remove_member(&self, id: Uuid, username: &str) -> Result<(), ClientError> {
        self.call_empty(
            Method::DELETE,
            &format!("/api/v1/conversations/{id}/members/{}", segment(username)),
            None::<&()>,
        )
        .await
    }

    pub async fn set_status(&self, change: &StatusChange) -> Result<Presence, ClientError> {
        self.call(Method::PUT, "/api/v1/me/status", Some(change))
            .await
    }

    pub async fn on_call(&self, change: &OnCall) -> Result<RoleInfo, ClientError> {
        self.call(Method::POST, "/api/v1/me/oncall", Some(change))
            .await
    }

    pub async fn roles(&self) -> Result<Vec<RoleInfo>, ClientError> {
        self.call(Method::GET, "/api/v1/roles", None::<&()>).await
    }

    pub async fn admin_create_role(&self, role: &NewRole) -> Result<RoleInfo, ClientError> {
        self.call(Method::POST, "/api/v1/admin/roles", Some(role))
            .await
    }

    pub async fn admin_delete_role(&self, name: &str) -> Result<(), ClientError> {
        self.call_empty(
            Method::DELETE,
            &format!("/api/v1/admin/roles/{}", segment(name)),
            None::<&()>,
        )
        .await
    }

    /// Imports a rota's shifts; how many were added.
    pub async fn admin_import_rota(&self, shifts: &[Shift]) -> Result<usize, ClientError> {
        let answer: serde_json::Value = self
            .call(Method::POST, "/api/v1/admin/rota", Some(&shifts))
            .await?;
        answer["shifts"]
            .as_u64()
            .and_then(|n| usize::try_from(n).ok())
            .ok_or_else(|| ClientError::Protocol("the rota import answered no count".into()))
    }
}
