//! Urgent messages chase their readers: re-notify every interval until read (or
//! acknowledged), then tell the sender who never answered and escalate. The schedule is in
//! the store; `run_urgent` does whatever is due and is safe to run anywhere, any number of
//! times: each re-notification and each escalation is a compare-and-set in the store.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::policies::receipts_as_seen_by;
use super::{Domain, DomainError, DomainResult, Session};
use crate::model::{
    AuditAction, ConversationKind, EscalationTarget, EventKind, Message, PolicySettings, Priority,
    Receipt, RenotifyUntil,
};
pub use crate::server::store::SYSTEM_USER;
use crate::server::store::{DueWindow, NewConversation, UrgentSchedule};

const BATCH: u32 = 200;

pub(super) fn schedule_for(settings: &PolicySettings) -> UrgentSchedule {
    let interval = settings.renotify_interval_secs.max(1);
    UrgentSchedule {
        interval_ms: i64::try_from(interval * 1000).unwrap_or(i64::MAX),
        slots: u32::try_from(settings.renotify_window_secs / interval).unwrap_or(u32::MAX),
        window_ms: i64::try_from(settings.renotify_window_secs * 1000).unwrap_or(i64::MAX),
        until_ack: settings.renotify_until == RenotifyUntil::Ack,
        escalation_target: settings.escalation_target.as_ref().map(|t| t.to_string()),
    }
}

impl Domain {
    /// The caller acknowledges an urgent message: they are on it. Also a read.
    pub async fn acknowledge(&self, session: &Session, message_id: Uuid) -> DomainResult<()> {
        let message = self
            .received(
                session,
                message_id,
                "Only a recipient can acknowledge a message.",
            )
            .await?;
        let me = session.user.id;
        if message.priority != Priority::Urgent {
            return Err(DomainError::Invalid(
                "Only urgent messages are acknowledged.".into(),
            ));
        }
        let at = self.clock.now();
        let kind = EventKind::Acknowledged {
            message_id,
            conversation_id: message.conversation_id,
            user_id: me,
            at,
        };
        let events = vec![(message.sender_id, kind.clone()), (me, kind)];
        if let Some(events) = self.store.acknowledge(message_id, me, at, events).await? {
            self.hub.wrote(&events);
            let detail = format!("message {message_id}");
            self.audit(session, AuditAction::MessageAcknowledged, None, detail)
                .await?;
        }
        Ok(())
    }

    /// Urgent and important messages still waiting for the caller, oldest first.
    pub async fn awaiting(&self, session: &Session) -> DomainResult<Vec<Message>> {
        let mut messages = self.store.awaiting(session.user.id, 500).await?;
        let users: Vec<Uuid> = messages
            .iter()
            .flat_map(|m| m.receipts.iter().map(|r| r.user_id))
            .chain([session.user.id])
            .collect();
        let active = self.receipts_active(users).await?;
        for m in &mut messages {
            receipts_as_seen_by(m, session.user.id, &active);
        }
        Ok(messages)
    }

    /// Does everything due by now; returns how many events it wrote.
    pub async fn run_urgent(&self) -> DomainResult<usize> {
        let now = self.clock.now();
        // A rota's shift may have ended since: waiting messages follow the role first.
        let mut written = self.follow_roles().await?;
        // Repeats until nothing fires: a server that was down owes several slots, each
        // due only once the one before it has fired.
        loop {
            let due = self.store.due_renotifications(now, BATCH).await?;
            let mut fired = 0;
            // Each message once, with whether each of its people has read receipts on.
            let mut messages: HashMap<Uuid, (Message, HashMap<Uuid, bool>)> = HashMap::new();
            for d in &due {
                if let std::collections::hash_map::Entry::Vacant(slot) =
                    messages.entry(d.message_id)
                {
                    if let Some(m) = self.store.message(d.message_id).await? {
                        let people: Vec<Uuid> = m
                            .receipts
                            .iter()
                            .map(|r| r.user_id)
                            .chain([m.sender_id])
                            .collect();
                        let active = self.receipts_active(people).await?;
                        slot.insert((m, active));
                    }
                }
                let Some((message, active)) = messages.get(&d.message_id) else {
                    continue;
                };
                let mut message = message.clone();
                receipts_as_seen_by(&mut message, d.user_id, active);
                let kind = EventKind::Renotify {
                    message,
                    attempt: d.slot,
                    of: d.slots,
                };
                let events = vec![(d.user_id, kind)];
                if let Some(events) = self.store.fire_renotify(d, events, now).await? {
                    fired += 1;
                    self.metrics.renotifications.inc();
                    let detail = format!(
                        "message {} to user {} ({} of {})",
                        d.message_id, d.user_id, d.slot, d.slots
                    );
                    self.audit("wardround", AuditAction::UrgentRenotified, None, detail)
                        .await?;
                    written += events.len();
                    self.hub.wrote(&events);
                }
            }
            if fired == 0 {
                break;
            }
        }
        loop {
            let windows = self.store.due_windows(now, BATCH).await?;
            for w in &windows {
                written += self.close_window(w, now).await?;
            }
            if windows.len() < BATCH as usize {
                break;
            }
        }
        Ok(written)
    }

    async fn close_window(&self, window: &DueWindow, now: DateTime<Utc>) -> DomainResult<usize> {
        let Some(message) = self.store.message(window.message_id).await? else {
            return Ok(0);
        };
        let waiting: Vec<Uuid> = message
            .receipts
            .iter()
            .map(|r| r.user_id)
            .filter(|&u| message.awaits(u))
            .collect();
        if waiting.is_empty() {
            let closed = self
                .store
                .close_window(message.id, Vec::new(), None, now)
                .await?;
            return Ok(closed.map_or(0, |e| e.len()));
        }
        let mut named = Vec::with_capacity(waiting.len());
        for id in &waiting {
            if let Some(u) = self.store.user_by_id(*id).await? {
                named.push((u.user.display_name, *id));
            }
        }
        named.sort();
        let (names, waiting): (Vec<String>, Vec<Uuid>) = named.into_iter().unzip();
        let target = match window.escalation_target.as_deref() {
            Some(t) => self.escalation_conversation(t).await?,
            None => None,
        };
        let escalation = match &target {
            Some((conversation, _, to)) => Some(
                self.escalation_message(&message, *conversation, to.clone(), &names, now)
                    .await?,
            ),
            None => None,
        };
        let sender_event = EventKind::Unanswered {
            message_id: message.id,
            conversation_id: message.conversation_id,
            sent_at: message.sent_at,
            names,
            waiting,
            ack_required: message.ack_required,
            escalated_to: target.map(|(_, label, _)| label),
        };
        let escalated = escalation.is_some();
        let escalation = escalation
            .as_ref()
            .map(|(m, events, schedule)| (m, events.clone(), Some(schedule)));
        let written = self
            .store
            .close_window(
                message.id,
                vec![(message.sender_id, sender_event)],
                escalation,
                now,
            )
            .await?;
        match written {
            Some(events) => {
                if escalated {
                    self.metrics.escalations.inc();
                    let detail = format!("message {}", message.id);
                    self.audit("wardround", AuditAction::UrgentEscalated, None, detail)
                        .await?;
                }
                let n = events.len();
                self.hub.wrote(&events);
                Ok(n)
            }
            None => Ok(0),
        }
    }

    /// The conversation an escalation goes to, how to name it to the sender, and who in
    /// it receives it (for a role: whoever holds it now).
    pub(super) async fn escalation_conversation(
        &self,
        target: &str,
    ) -> DomainResult<Option<(Uuid, String, Option<Vec<Uuid>>)>> {
        let unusable = |why: &str| {
            tracing::error!(target_name = %target, reason = %why, "escalation target unusable");
            Ok(None)
        };
        let mut target = target.to_string();
        // A role nobody holds passes it to its fallback, a few deep.
        for _ in 0..=super::roles::MAX_FALLBACKS {
            match EscalationTarget::parse(&target) {
                Some(EscalationTarget::User(name)) => {
                    let Some(user) = self.store.user_by_username(&name).await? else {
                        return unusable("no such user");
                    };
                    let id = match self.store.direct_between(SYSTEM_USER, user.user.id).await? {
                        Some(id) => id,
                        None => {
                            let id = Uuid::new_v4();
                            self.store
                                .create_conversation(&NewConversation {
                                    id,
                                    kind: ConversationKind::Direct,
                                    title: "Escalations".into(),
                                    team_id: None,
                                    members: vec![SYSTEM_USER, user.user.id],
                                    subject: None,
                                    ..NewConversation::default()
                                })
                                .await?;
                            id
                        }
                    };
                    return Ok(Some((id, user.user.display_name, None)));
                }
                Some(EscalationTarget::Team(name)) => {
                    let Some(team) = self.store.team_by_name(&name).await? else {
                        return unusable("no such team");
                    };
                    return match self.store.team_channel(team.id).await? {
                        Some(id) => Ok(Some((id, format!("{} channel", team.name), None))),
                        None => unusable("the team has no channel"),
                    };
                }
                Some(EscalationTarget::Role(name)) => {
                    let Some(role) = self.store.role_by_name(&name).await? else {
                        return unusable("no such role");
                    };
                    let holders = self.holders_now(role.id).await?;
                    if holders.is_empty() {
                        match role.fallback {
                            Some(f) => {
                                target = f;
                                continue;
                            }
                            None => {
                                return unusable("nobody holds the role and it has no fallback")
                            }
                        }
                    }
                    // The server's own thread with the role: a hand-over moves what waits there.
                    let id = match self.store.role_thread(role.id, SYSTEM_USER).await? {
                        Some(id) => id,
                        None => {
                            let created = self
                                .store
                                .create_conversation(&NewConversation {
                                    id: Uuid::new_v4(),
                                    kind: ConversationKind::Role,
                                    title: format!("Escalations to {}", role.name),
                                    members: holders.clone(),
                                    created_by: Some(SYSTEM_USER),
                                    role_id: Some(role.id),
                                    ..NewConversation::default()
                                })
                                .await;
                            match created {
                                Ok(()) | Err(crate::server::store::StoreError::Duplicate(_)) => {}
                                Err(e) => return Err(e.into()),
                            }
                            match self.store.role_thread(role.id, SYSTEM_USER).await? {
                                Some(id) => id,
                                None => return unusable("its thread vanished"),
                            }
                        }
                    };
                    self.store.join_conversation(id, &holders).await?;
                    self.caches.members.remove(&id);
                    let names = self.members_named(&holders).await?;
                    let label = format!("{} ({})", role.name, crate::model::names(&names));
                    return Ok(Some((id, label, Some(holders))));
                }
                None => return unusable("not user:NAME, team:NAME or role:NAME"),
            }
        }
        unusable("a chain of fallbacks nobody holds")
    }

    async fn escalation_message(
        &self,
        original: &Message,
        conversation: Uuid,
        to: Option<Vec<Uuid>>,
        names: &[String],
        now: DateTime<Utc>,
    ) -> DomainResult<(Message, Vec<(Uuid, EventKind)>, UrgentSchedule)> {
        let members = match to {
            Some(to) => to,
            None => self
                .store
                .conversation_members(conversation)
                .await?
                .unwrap_or_default(),
        };
        let minutes = (now - original.sent_at).num_minutes();
        let body = format!(
            "Escalation: an urgent message from {} sent {} min ago is still unanswered by {}. It said: {}",
            original.sender_name,
            minutes,
            names.join(", "),
            original.body
        );
        let message = Message {
            // The server's own id, never one derived from the original's: clients choose
            // message ids, and one who could predict this one could post it first. A
            // closed window is closed once (compare-and-set in the store) and
            // `escalation_of` is unique, so there is still one escalation per message.
            id: Uuid::new_v4(),
            conversation_id: conversation,
            sender_id: SYSTEM_USER,
            sender_name: "wardround escalation".into(),
            body,
            priority: Priority::Urgent,
            sent_at: now,
            receipts: members
                .iter()
                .filter(|&&m| m != SYSTEM_USER)
                .map(|&user_id| Receipt::sent(user_id, now))
                .collect(),
            ack_required: original.ack_required,
            escalation_of: Some(original.id),
        };
        let events = members
            .iter()
            .filter(|&&m| m != SYSTEM_USER)
            .map(|&m| {
                (
                    m,
                    EventKind::Message {
                        message: message.clone(),
                    },
                )
            })
            .collect();
        // The escalation chases its readers like the original did, but escalates no further.
        let sender_policy = match self.store.user_by_id(original.sender_id).await? {
            Some(u) => self.effective_policy(&u.user).await?.policy.settings,
            None => PolicySettings::default(),
        };
        let mut schedule = schedule_for(&sender_policy);
        schedule.escalation_target = None;
        Ok((message, events, schedule))
    }

    /// The scheduler: sleeps until something is due (or an urgent message arrives) and
    /// runs it. Several nodes may each run one.
    pub async fn urgent_scheduler(self) {
        const IDLE: std::time::Duration = std::time::Duration::from_secs(30);
        // A floor, so that something due that cannot fire (another node holds it) is not
        // retried in a tight loop.
        const BREATH: std::time::Duration = std::time::Duration::from_millis(200);
        loop {
            if let Err(e) = self.run_urgent().await {
                tracing::error!(error = %e, "re-notify scheduler");
            }
            if let Err(e) = self.run_jobs_due().await {
                tracing::error!(error = %e, "jobs falling due");
            }
            let next = match (self.store.next_due().await, self.next_job_due().await) {
                (Ok(a), Ok(b)) => Ok(a.into_iter().chain(b).min()),
                (Err(e), _) => Err(e.into()),
                (_, Err(e)) => Err(e),
            };
            let wait = match next {
                Ok(Some(next)) => (next - self.clock.now())
                    .to_std()
                    .unwrap_or_default()
                    .clamp(BREATH, IDLE),
                _ => IDLE,
            };
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = self.urgent_sent.notified() => {}
                _ = self.hub.closed() => return,
            }
        }
    }
}
