//! Conversations and messages: membership, idempotent sends, receipts, event fan-out.

use uuid::Uuid;

use super::policies::receipts_as_seen_by;
use super::urgent::schedule_for;
use super::{Domain, DomainError, DomainResult, Session};
use crate::model::{
    Conversation, ConversationKind, EventKind, Message, NewMessage, Priority, Receipt,
    ReceiptState, MAX_BODY_CHARS,
};
use crate::server::store::{Inserted, NewConversation};

/// A page of history: the most a client is sent at once.
pub const MAX_PAGE: u32 = 100;

impl Domain {
    /// The latest page of a conversation's messages.
    pub async fn messages(
        &self,
        session: &Session,
        conversation: Uuid,
        limit: Option<u32>,
    ) -> DomainResult<Vec<Message>> {
        self.messages_before(session, conversation, None, limit)
            .await
    }

    /// A page of messages strictly older than `before` (a message of this conversation),
    /// or the latest page; at most [`MAX_PAGE`].
    pub async fn messages_before(
        &self,
        session: &Session,
        conversation: Uuid,
        before: Option<Uuid>,
        limit: Option<u32>,
    ) -> DomainResult<Vec<Message>> {
        let members = self.members_for(session, conversation).await?;
        if let Some(before) = before {
            // Said plainly rather than answered with an empty page: a client paging from
            // a wrong id would otherwise take it for the start of the conversation.
            let here = self
                .store
                .message(before)
                .await?
                .is_some_and(|m| m.conversation_id == conversation);
            if !here {
                return Err(DomainError::NotFound(
                    "No such message in this conversation.".into(),
                ));
            }
        }
        let mut messages = self
            .store
            .messages_before(
                conversation,
                before,
                limit.unwrap_or(MAX_PAGE).clamp(1, MAX_PAGE),
            )
            .await?;
        let users: Vec<Uuid> = members
            .into_iter()
            .chain(
                messages
                    .iter()
                    .flat_map(|m| m.receipts.iter().map(|r| r.user_id)),
            )
            .collect();
        let active = self.receipts_active(users).await?;
        for m in &mut messages {
            receipts_as_seen_by(m, session.user.id, &active);
        }
        Ok(messages)
    }

    /// Stores and fans out a message. Returns it and whether it is new: a retried send
    /// (same id) returns the stored message and changes nothing.
    pub async fn send(
        &self,
        session: &Session,
        conversation: Uuid,
        new: NewMessage,
    ) -> DomainResult<(Message, bool)> {
        let thread = self.thread_for(session, conversation).await?;
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
        let policy = self.effective_policy(me).await?.policy;
        let refused = |what: &str| {
            Err(DomainError::Forbidden(format!(
                "Your messaging policy ({}) does not allow {what} messages.",
                policy.name
            )))
        };
        match new.priority {
            Priority::Urgent if !policy.settings.allow_urgent => return refused("urgent"),
            Priority::Important if !policy.settings.allow_important => return refused("important"),
            _ => {}
        }
        let schedule = (new.priority == Priority::Urgent).then(|| schedule_for(&policy.settings));
        let now = self.clock.now();
        let (recipients, role) = self.recipients(&thread, me.id).await?;
        let mut members = thread.members.clone();
        let joining: Vec<Uuid> = recipients
            .iter()
            .copied()
            .filter(|r| !members.contains(r))
            .collect();
        if !joining.is_empty() {
            // A role's holder by the rota, in its thread for the first time.
            self.store.join_conversation(conversation, &joining).await?;
            self.caches.members.remove(&conversation);
            members.extend(joining);
        }
        let message = Message {
            id: new.id,
            conversation_id: conversation,
            sender_id: me.id,
            sender_name: me.display_name.clone(),
            body,
            priority: new.priority,
            sent_at: now,
            receipts: recipients
                .iter()
                .map(|&user_id| Receipt::sent(user_id, now))
                .collect(),
            ack_required: schedule.as_ref().is_some_and(|s| s.until_ack),
            escalation_of: None,
        };
        // A role's thread tells only its writer and the holders now: not those who held it.
        let audience: Vec<Uuid> = match role {
            Some(_) => recipients.iter().copied().chain([me.id]).collect(),
            None => members,
        };
        let events = audience
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
        let detail = format!(
            "message {} ({}) in conversation {conversation}",
            message.id,
            message.priority.as_str()
        );
        let audit = crate::model::AuditAct {
            at: now,
            actor: &me.username,
            workstation: &session.workstation,
            action: crate::model::AuditAction::MessageSent,
            patient: None,
            detail: &detail,
        };
        match self
            .store
            .insert_message(&message, events, schedule.as_ref(), Some(&audit))
            .await?
        {
            Inserted::New(events) => {
                self.hub.wrote(&events);
                self.metrics.messages.inc();
                if schedule.is_some() {
                    self.urgent_sent.notify_one();
                }
                match role {
                    Some(role) if message.receipts.is_empty() => {
                        self.to_fallback(session, &role, &message).await?;
                    }
                    _ => self.tell_sender_about_reach(session, &thread, &message).await?,
                }
                Ok((message, true))
            }
            Inserted::Existing(existing)
                if existing.sender_id == me.id
                    && existing.conversation_id == conversation
                    && existing.body == message.body
                    && existing.priority == message.priority =>
            {
                Ok((existing, false))
            }
            Inserted::Existing(existing)
                if existing.sender_id == me.id && existing.conversation_id == conversation =>
            {
                Err(DomainError::Conflict(
                    "That message id was sent already with other text or priority; a retry must send the same message, and a new message needs a new id.".into(),
                ))
            }
            Inserted::Existing(_) => Err(DomainError::Conflict(
                "That message id is already used by another message.".into(),
            )),
        }
    }

    /// A message the caller received. A member without a receipt is the sender, refused
    /// with `refusal`; anyone else learns only that they are not a member.
    pub(super) async fn received(
        &self,
        session: &Session,
        message_id: Uuid,
        refusal: &str,
    ) -> DomainResult<Message> {
        let message = self
            .store
            .message(message_id)
            .await?
            .ok_or_else(|| DomainError::NotFound("No such message.".into()))?;
        if message.receipt_of(session.user.id).is_none() {
            self.members_for(session, message.conversation_id).await?;
            return Err(DomainError::Invalid(refusal.into()));
        }
        Ok(message)
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
            .received(
                session,
                message_id,
                "Receipts are for messages you received.",
            )
            .await?;
        let me = session.user.id;
        let at = self.clock.now();
        let kind = EventKind::Receipt {
            message_id,
            conversation_id: message.conversation_id,
            user_id: me,
            state,
            at,
        };
        // A read is news to the sender only where both of them have read receipts on, or
        // where the server itself told the sender this reader had not read it: an urgent
        // message whose window closed unanswered (a reader now was unread then). That
        // notice named them whatever their receipts; leaving it standing after they read
        // would keep a colleague chasing a message already dealt with.
        let tell_sender = state < ReceiptState::Read
            || (message.priority == Priority::Urgent
                && self.store.window_closed(message_id).await?)
            || {
                let active = self.receipts_active([me, message.sender_id]).await?;
                active.get(&me) == Some(&true) && active.get(&message.sender_id) == Some(&true)
            };
        let mut events = vec![(me, kind.clone())];
        if tell_sender {
            events.push((message.sender_id, kind));
        }
        if let Some(events) = self
            .store
            .advance_receipt(message_id, me, state, at, events)
            .await?
        {
            self.hub.wrote(&events);
            if state == ReceiptState::Read {
                let detail = format!("message {message_id}");
                self.audit(
                    session,
                    crate::model::AuditAction::MessageRead,
                    None,
                    detail,
                )
                .await?;
            }
        }
        Ok(())
    }
}

impl Domain {
    /// The care-team chat about a patient on one of the caller's team lists, created on
    /// first use with the team as its members.
    pub async fn patient_conversation(
        &self,
        session: &Session,
        list_id: Uuid,
        patient: &str,
    ) -> DomainResult<Conversation> {
        let list = self.team_list(session, list_id).await?;
        if !list.patient_ids.iter().any(|p| p == patient) {
            return Err(DomainError::NotFound(
                "That patient is not on this list.".into(),
            ));
        }
        if self
            .store
            .patient_conversation(list.team_id, patient)
            .await?
            .is_none()
        {
            let members = self.store.team_members(list.team_id).await?;
            let created = self
                .store
                .create_conversation(&NewConversation {
                    id: Uuid::new_v4(),
                    kind: ConversationKind::Patient,
                    title: String::new(),
                    team_id: Some(list.team_id),
                    members,
                    subject: Some(patient.to_string()),
                    ..NewConversation::default()
                })
                .await;
            // Two colleagues opening it at once: the second finds the first's.
            match created {
                Ok(()) | Err(crate::server::store::StoreError::Duplicate(_)) => {}
                Err(e) => return Err(e.into()),
            }
        }
        let id = self
            .store
            .patient_conversation(list.team_id, patient)
            .await?
            .ok_or_else(|| DomainError::NotFound("The conversation vanished.".into()))?;
        self.conversations(session)
            .await?
            .into_iter()
            .find(|c| c.id == id)
            .ok_or_else(|| {
                DomainError::Forbidden("You are not a member of this conversation.".into())
            })
    }
}
