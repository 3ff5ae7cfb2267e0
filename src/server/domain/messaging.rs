//! Conversations and messages: membership, idempotent sends, receipts, event fan-out.

use chrono::Utc;
use uuid::Uuid;

use super::{Domain, DomainError, DomainResult, Session};
use crate::model::{
    Conversation, ConversationKind, EventKind, Message, NewMessage, Receipt, ReceiptState,
    MAX_BODY_CHARS,
};
use crate::server::store::Inserted;

const MAX_PAGE: u32 = 500;

impl Domain {
    pub async fn conversations(&self, session: &Session) -> DomainResult<Vec<Conversation>> {
        let me = session.user.id;
        let records = self.store.conversations_for(me).await?;
        Ok(records
            .into_iter()
            .map(|r| {
                let title = match r.kind {
                    ConversationKind::Direct => r
                        .members
                        .iter()
                        .find(|m| m.id != me)
                        .map(|m| m.display_name.clone())
                        .unwrap_or(r.title),
                    _ => r.title,
                };
                Conversation {
                    id: r.id,
                    kind: r.kind,
                    title,
                    members: r.members,
                    unread: r.unread,
                }
            })
            .collect())
    }

    /// The members, once the caller is known to be one of them.
    async fn members_for(&self, session: &Session, conversation: Uuid) -> DomainResult<Vec<Uuid>> {
        let members = self
            .store
            .conversation_members(conversation)
            .await?
            .ok_or_else(|| DomainError::NotFound("No such conversation.".into()))?;
        if !members.contains(&session.user.id) {
            return Err(DomainError::Forbidden(
                "You are not a member of this conversation.".into(),
            ));
        }
        Ok(members)
    }

    pub async fn messages(
        &self,
        session: &Session,
        conversation: Uuid,
        limit: Option<u32>,
    ) -> DomainResult<Vec<Message>> {
        self.members_for(session, conversation).await?;
        Ok(self
            .store
            .messages(conversation, limit.unwrap_or(100).clamp(1, MAX_PAGE))
            .await?)
    }

    /// Stores and fans out a message. Returns it and whether it is new: a retried send
    /// (same id) returns the stored message and changes nothing.
    pub async fn send(
        &self,
        session: &Session,
        conversation: Uuid,
        new: NewMessage,
    ) -> DomainResult<(Message, bool)> {
        let members = self.members_for(session, conversation).await?;
        let body = new.body.trim_end().to_string();
        if body.trim().is_empty() {
            return Err(DomainError::Invalid("A message needs some text.".into()));
        }
        if body.chars().count() > MAX_BODY_CHARS {
            return Err(DomainError::Invalid(format!(
                "A message may be at most {MAX_BODY_CHARS} characters."
            )));
        }
        let me = &session.user;
        let now = Utc::now();
        let message = Message {
            id: new.id,
            conversation_id: conversation,
            sender_id: me.id,
            sender_name: me.display_name.clone(),
            body,
            priority: new.priority,
            sent_at: now,
            receipts: members
                .iter()
                .filter(|&&m| m != me.id)
                .map(|&user_id| Receipt {
                    user_id,
                    state: ReceiptState::Sent,
                    at: now,
                })
                .collect(),
        };
        let events = members
            .iter()
            .map(|&m| {
                (
                    m,
                    EventKind::Message {
                        message: message.clone(),
                    },
                )
            })
            .collect();
        match self.store.insert_message(&message, events).await? {
            Inserted::New(events) => {
                self.hub.publish(events);
                Ok((message, true))
            }
            Inserted::Existing(existing)
                if existing.sender_id == me.id && existing.conversation_id == conversation =>
            {
                Ok((existing, false))
            }
            Inserted::Existing(_) => Err(DomainError::Conflict(
                "That message id is already used by another message.".into(),
            )),
        }
    }

    /// Records that the caller's client received (`delivered`) or showed (`read`) a message.
    /// The sender and the caller's own other clients hear of it.
    pub async fn mark(
        &self,
        session: &Session,
        message_id: Uuid,
        state: ReceiptState,
    ) -> DomainResult<()> {
        if state == ReceiptState::Sent {
            return Err(DomainError::Invalid(
                "A receipt can be `delivered` or `read`.".into(),
            ));
        }
        let message = self
            .store
            .message(message_id)
            .await?
            .ok_or_else(|| DomainError::NotFound("No such message.".into()))?;
        let me = session.user.id;
        if message.receipt_of(me).is_none() {
            self.members_for(session, message.conversation_id).await?;
            // A member without a receipt is the sender: their own message needs none.
            return Err(DomainError::Invalid(
                "Receipts are for messages you received.".into(),
            ));
        }
        let at = Utc::now();
        let kind = EventKind::Receipt {
            message_id,
            conversation_id: message.conversation_id,
            user_id: me,
            state,
            at,
        };
        let events = vec![(message.sender_id, kind.clone()), (me, kind)];
        if let Some(events) = self
            .store
            .advance_receipt(message_id, me, state, at, events)
            .await?
        {
            self.hub.publish(events);
        }
        Ok(())
    }
}
