//! Who a message reaches: the members, or for a thread with a role whoever holds the role
//! when it is sent, or the role's fallback when nobody does; and what the sender is told
//! (nobody held it, the recipient is off shift, an urgent message rang through
//! do-not-disturb).

use std::sync::Arc;

use uuid::Uuid;

use super::roles::MAX_FALLBACKS;
use super::urgent::schedule_for;
use super::{Domain, DomainResult, Session, SYSTEM_USER};
use crate::model::{
    AuditAction, ConversationKind, EscalationTarget, EventKind, Message, PresenceState, Priority,
    Receipt,
};
use crate::server::store::{ConversationInfo, Inserted, NewConversation, RoleRecord, StoreError};

impl Domain {
    /// Who receives what `sender` writes in `thread`, and the role when it is a role's
    /// thread. In a role's thread: the holders now, and the one who started the thread
    /// (when a holder writes back).
    pub(super) async fn recipients(
        &self,
        thread: &ConversationInfo,
        sender: Uuid,
    ) -> DomainResult<(Vec<Uuid>, Option<RoleRecord>)> {
        let Some(role_id) = thread.role_id else {
            return Ok((
                thread
                    .members
                    .iter()
                    .copied()
                    .filter(|&m| m != sender)
                    .collect(),
                None,
            ));
        };
        let role =
            self.store.role(role_id).await?.ok_or_else(|| {
                super::DomainError::NotFound("That role no longer exists.".into())
            })?;
        let mut to: Vec<Uuid> = thread.created_by.into_iter().collect();
        for h in self.holders_now(role_id).await? {
            if !to.contains(&h) {
                to.push(h);
            }
        }
        to.retain(|&u| u != sender);
        Ok((to, Some(role)))
    }

    /// Nobody held the role: the message goes to the role's fallback (following a chain of
    /// roles nobody holds, a few deep), and the sender is told at once where it went.
    pub(super) async fn to_fallback(
        &self,
        session: &Session,
        role: &RoleRecord,
        message: &Message,
    ) -> DomainResult<()> {
        let mut current = role.clone();
        let mut went = None;
        // Fallback roles nobody held either, to name to the sender.
        let mut unheld: Vec<String> = Vec::new();
        for _ in 0..MAX_FALLBACKS {
            match current
                .fallback
                .as_deref()
                .and_then(EscalationTarget::parse)
            {
                Some(EscalationTarget::Team(team)) => {
                    let Some(t) = self.store.team_by_name(&team).await? else {
                        break;
                    };
                    let Some(channel) = self.store.team_channel(t.id).await? else {
                        break;
                    };
                    let body = format!(
                        "For {} (nobody holds it) from {}: {}",
                        role.name, message.sender_name, message.body
                    );
                    self.post_as_system(&session.user, channel, None, body, message)
                        .await?;
                    went = Some(format!("the {} channel", t.name));
                    break;
                }
                Some(EscalationTarget::Role(next)) => {
                    let Some(next) = self.store.role_by_name(&next).await? else {
                        break;
                    };
                    let holders = self.holders_now(next.id).await?;
                    if holders.is_empty() {
                        unheld.push(next.name.clone());
                        current = next;
                        continue;
                    }
                    let body = format!("(For {}, which nobody holds) {}", role.name, message.body);
                    let thread = self.role_thread_of(session, &next).await?;
                    let forwarded = crate::model::NewMessage {
                        id: Uuid::new_v4(),
                        body,
                        priority: message.priority,
                    };
                    // Boxed: `send` may come back here for the next role in the chain.
                    Box::pin(self.send(session, thread, forwarded)).await?;
                    let names = self.members_named(&holders).await?;
                    went = Some(format!("{} ({})", next.name, crate::model::names(&names)));
                    break;
                }
                _ => break,
            }
        }
        let text = match &went {
            Some(to) => format!("Nobody holds {} now: your message went to {to}.", role.name),
            None if unheld.is_empty() => format!(
                "Nobody holds {} now and it has no fallback: nobody has your message. Write to someone directly.",
                role.name
            ),
            None => format!(
                "Nobody holds {} now, nor its fallback {}: nobody has your message. Write to someone directly.",
                role.name,
                unheld.join(", then ")
            ),
        };
        self.tell(session.user.id, Some(message.conversation_id), text)
            .await?;
        self.audit(
            session,
            AuditAction::RoleFallback,
            None,
            format!(
                "message {} to role {} ({}): {}",
                message.id,
                role.id,
                role.name,
                went.as_deref().unwrap_or("no fallback")
            ),
        )
        .await
    }

    /// The caller's thread with a role, started if need be.
    pub(super) async fn role_thread_of(
        &self,
        session: &Session,
        role: &RoleRecord,
    ) -> DomainResult<Uuid> {
        if let Some(id) = self.store.role_thread(role.id, session.user.id).await? {
            return Ok(id);
        }
        let new = NewConversation {
            id: Uuid::new_v4(),
            kind: ConversationKind::Role,
            title: role.name.clone(),
            members: vec![session.user.id],
            created_by: Some(session.user.id),
            role_id: Some(role.id),
            ..NewConversation::default()
        };
        match self.store.create_conversation(&new).await {
            Ok(()) | Err(StoreError::Duplicate(_)) => {}
            Err(e) => return Err(e.into()),
        }
        self.store
            .role_thread(role.id, session.user.id)
            .await?
            .ok_or_else(|| super::DomainError::NotFound("The conversation vanished.".into()))
    }

    /// A message from the server into `conversation` (a team's channel, a role's thread),
    /// to `to` (else its members), chasing its readers as the original would have under
    /// its sender's policy.
    pub(super) async fn post_as_system(
        &self,
        sender: &crate::model::User,
        conversation: Uuid,
        to: Option<Vec<Uuid>>,
        body: String,
        original: &Message,
    ) -> DomainResult<()> {
        let members = match to {
            Some(to) => to,
            None => self
                .store
                .conversation_members(conversation)
                .await?
                .unwrap_or_default(),
        };
        let now = self.clock.now();
        let recipients: Vec<Uuid> = members
            .iter()
            .copied()
            .filter(|&m| m != SYSTEM_USER)
            .collect();
        let schedule = if original.priority == Priority::Urgent {
            let settings = self.effective_policy(sender).await?.policy.settings;
            let mut s = schedule_for(&settings);
            s.escalation_target = None;
            Some(s)
        } else {
            None
        };
        let message = Message {
            id: Uuid::new_v4(),
            conversation_id: conversation,
            sender_id: SYSTEM_USER,
            sender_name: "wardround".into(),
            body,
            priority: original.priority,
            sent_at: now,
            receipts: recipients
                .iter()
                .map(|&user_id| Receipt::sent(user_id, now))
                .collect(),
            ack_required: schedule.as_ref().is_some_and(|s| s.until_ack),
            escalation_of: None,
        };
        let events = recipients
            .iter()
            .map(|&u| {
                (
                    u,
                    EventKind::Message {
                        message: message.clone(),
                    },
                )
            })
            .collect();
        if let Inserted::New(written) = self
            .store
            .insert_message(&message, events, schedule.as_ref(), None)
            .await?
        {
            self.hub.wrote(&written);
            if schedule.is_some() {
                self.urgent_sent.notify_one();
            }
        }
        Ok(())
    }

    /// Tells the sender what they would want to know about who they wrote to: someone
    /// off shift (and which role to write to instead), an urgent message that rang
    /// through do-not-disturb.
    pub(super) async fn tell_sender_about_reach(
        &self,
        session: &Session,
        thread: &Arc<ConversationInfo>,
        message: &Message,
    ) -> DomainResult<()> {
        // Only where it is worth a look: a 1:1, or an urgent message to a few.
        let few = message.receipts.len() <= 20;
        if !(thread.kind == ConversationKind::Direct
            || (message.priority == Priority::Urgent && few))
        {
            return Ok(());
        }
        let people: Vec<Uuid> = message.receipts.iter().map(|r| r.user_id).collect();
        let presence = self.presences(&people).await?;
        for (&user, p) in &presence {
            let text = match p.state {
                PresenceState::Dnd if message.priority == Priority::Urgent => {
                    Some("is on do-not-disturb: your urgent message rang through.".to_string())
                }
                PresenceState::OffShift if thread.kind == ConversationKind::Direct => {
                    let instead = self.instead_of(user).await?;
                    Some(if instead.is_empty() {
                        "is off shift.".to_string()
                    } else {
                        format!("is off shift: write to {} instead.", instead.join(" or "))
                    })
                }
                _ => None,
            };
            if let Some(text) = text {
                let name = self
                    .members_named(&[user])
                    .await?
                    .into_iter()
                    .next()
                    .map_or_else(|| "They".into(), |m| m.display_name);
                self.tell(
                    session.user.id,
                    Some(message.conversation_id),
                    format!("{name} {text}"),
                )
                .await?;
            }
        }
        Ok(())
    }

    /// A notice for one user's stream.
    pub(super) async fn tell(
        &self,
        user: Uuid,
        conversation_id: Option<Uuid>,
        text: String,
    ) -> DomainResult<()> {
        let written = self
            .store
            .append_events(
                vec![(
                    user,
                    EventKind::Notice {
                        conversation_id,
                        text,
                    },
                )],
                self.clock.now(),
            )
            .await?;
        self.hub.wrote(&written);
        Ok(())
    }
}
