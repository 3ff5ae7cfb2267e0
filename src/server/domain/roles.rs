//! Roles and on-call: named duties within a team, who holds them when (a rota, or a person
//! taking one over in the app), and urgent messages that follow a role to whoever holds it.

use chrono::Duration;
use uuid::Uuid;

use super::{Domain, DomainError, DomainResult, Session};
use crate::model::{
    AuditAction, EscalationTarget, EventKind, Member, Message, NewRole, OnCall, RoleInfo, Shift,
};
use crate::server::store::{
    ConversationInfo, Holding, HoldingSource, OpenUrgent, RoleRecord, StoreError, UrgentHandover,
};

const MAX_ROLE_NAME: usize = 80;
/// A shift longer than this is a mistake in the rota, not a shift.
const MAX_SHIFT: Duration = Duration::days(7);
/// Fallbacks followed from one role to the next before giving up (a loop, perhaps).
pub(super) const MAX_FALLBACKS: usize = 3;

impl Domain {
    pub async fn create_role(&self, session: &Session, new: &NewRole) -> DomainResult<RoleInfo> {
        self.require_admin(session)?;
        let role = self.define_role(new).await?;
        self.audit(
            session,
            AuditAction::RoleCreated,
            None,
            format!("role {} ({}) in team {}", role.id, role.name, role.team),
        )
        .await?;
        Ok(role)
    }

    /// A new role, as IT or the demo's seeding defines it.
    pub async fn define_role(&self, new: &NewRole) -> DomainResult<RoleInfo> {
        let name = new.name.trim();
        if name.is_empty()
            || name.chars().count() > MAX_ROLE_NAME
            || name.chars().any(crate::sanitize::unfit_for_a_name)
        {
            return Err(DomainError::Invalid(format!(
                "A role's name is 1 to {MAX_ROLE_NAME} characters, none of them control or invisible characters."
            )));
        }
        let team = self
            .store
            .team_by_name(new.team.trim())
            .await?
            .ok_or_else(|| {
                DomainError::NotFound(format!("No team is called `{}`.", new.team.trim()))
            })?;
        let fallback = match new
            .fallback
            .as_deref()
            .map(str::trim)
            .filter(|f| !f.is_empty())
        {
            None => None,
            Some(f) => Some(self.valid_fallback(f, name).await?),
        };
        let role = RoleRecord {
            id: Uuid::new_v4(),
            name: name.to_string(),
            team_id: team.id,
            team: team.name,
            fallback,
        };
        match self.store.create_role(&role).await {
            Err(StoreError::Duplicate(what)) => {
                return Err(DomainError::Conflict(format!("There is already {what}.")))
            }
            r => r?,
        }
        self.role_info(role).await
    }

    async fn valid_fallback(&self, fallback: &str, role: &str) -> DomainResult<String> {
        match EscalationTarget::parse(fallback) {
            Some(EscalationTarget::Team(team)) => {
                let t = self.store.team_by_name(&team).await?.ok_or_else(|| {
                    DomainError::Invalid(format!("fallback: no team is called `{team}`."))
                })?;
                if self.store.team_channel(t.id).await?.is_none() {
                    return Err(DomainError::Invalid(format!(
                        "fallback: team `{team}` has no channel to post in."
                    )));
                }
                Ok(format!("team:{}", t.name))
            }
            Some(EscalationTarget::Role(other)) => {
                if other.eq_ignore_ascii_case(role) {
                    return Err(DomainError::Invalid(
                        "A role cannot fall back to itself.".into(),
                    ));
                }
                let r = self.store.role_by_name(&other).await?.ok_or_else(|| {
                    DomainError::Invalid(format!("fallback: no role is called `{other}`."))
                })?;
                // Follow the chain: it must not come back to this role.
                let mut next = r.fallback.clone();
                for _ in 0..16 {
                    match next.as_deref().and_then(EscalationTarget::parse) {
                        Some(EscalationTarget::Role(n)) if n.eq_ignore_ascii_case(role) => {
                            return Err(DomainError::Invalid(format!(
                                "fallback: {} falls back, in the end, to {role}: a loop.",
                                r.name
                            )))
                        }
                        Some(EscalationTarget::Role(n)) => {
                            next = self.store.role_by_name(&n).await?.and_then(|x| x.fallback);
                        }
                        _ => break,
                    }
                }
                Ok(format!("role:{}", r.name))
            }
            _ => Err(DomainError::Invalid(
                "A role's fallback is `team:NAME` (its channel) or `role:NAME`.".into(),
            )),
        }
    }

    pub async fn roles(&self) -> DomainResult<Vec<RoleInfo>> {
        let mut out = Vec::new();
        for r in self.store.roles().await? {
            out.push(self.role_info(r).await?);
        }
        Ok(out)
    }

    pub async fn delete_role(&self, session: &Session, name: &str) -> DomainResult<()> {
        self.require_admin(session)?;
        let role = self.role_named(name).await?;
        let target = format!("role:{}", role.name).to_lowercase();
        let leaning: Vec<String> = self
            .store
            .roles()
            .await?
            .into_iter()
            .filter(|r| r.fallback.as_deref().map(str::to_lowercase) == Some(target.clone()))
            .map(|r| r.name)
            .collect();
        if !leaning.is_empty() {
            return Err(DomainError::Conflict(format!(
                "{} is the fallback of {}: give them another first.",
                role.name,
                leaning.join(", ")
            )));
        }
        let escalating: Vec<String> = self
            .store
            .policies()
            .await?
            .into_iter()
            .filter(|p| {
                matches!(&p.settings.escalation_target,
                    Some(EscalationTarget::Role(r)) if r.eq_ignore_ascii_case(&role.name))
            })
            .map(|p| p.name)
            .collect();
        if !escalating.is_empty() {
            return Err(DomainError::Conflict(format!(
                "{} is where policy {} escalates: change its escalation_target first.",
                role.name,
                escalating.join(", ")
            )));
        }
        self.store.delete_role(role.id).await?;
        self.audit(
            session,
            AuditAction::RoleDeleted,
            None,
            format!("role {} ({})", role.id, role.name),
        )
        .await
    }

    pub(super) async fn role_named(&self, name: &str) -> DomainResult<RoleRecord> {
        self.store
            .role_by_name(name)
            .await?
            .ok_or_else(|| DomainError::NotFound(format!("No role is called `{}`.", name.trim())))
    }

    pub(super) async fn role_info(&self, role: RoleRecord) -> DomainResult<RoleInfo> {
        let holders = self.holders_now(role.id).await?;
        Ok(RoleInfo {
            id: role.id,
            name: role.name,
            team: role.team,
            holders: self.members_named(&holders).await?,
            fallback: role.fallback,
        })
    }

    pub(super) async fn members_named(&self, users: &[Uuid]) -> DomainResult<Vec<Member>> {
        let mut out = Vec::with_capacity(users.len());
        for &u in users {
            if let Some(s) = self.store.user_by_id(u).await? {
                out.push(Member {
                    id: s.user.id,
                    display_name: s.user.display_name,
                    role: s.user.role,
                });
            }
        }
        Ok(out)
    }

    /// Who holds `role` now, each once.
    pub(super) async fn holders_now(&self, role: Uuid) -> DomainResult<Vec<Uuid>> {
        let now = self.clock.now().timestamp_millis();
        let mut users: Vec<Uuid> = self
            .store
            .holdings(Some(role), None, now, now + 1)
            .await?
            .into_iter()
            .map(|h| h.user_id)
            .collect();
        users.sort();
        users.dedup();
        let mut active = Vec::with_capacity(users.len());
        for u in users {
            if self
                .store
                .user_by_id(u)
                .await?
                .is_some_and(|s| !s.disabled && s.user.id != super::SYSTEM_USER)
            {
                active.push(u);
            }
        }
        Ok(active)
    }

    /// Someone leaves a team (`Some`) or is disabled (`None`): what they hold of its roles
    /// ends now, their later shifts go, and what waits for them follows the roles.
    pub(super) async fn end_holdings(&self, user: Uuid, team: Option<Uuid>) -> DomainResult<()> {
        let at = self.clock.now().timestamp_millis();
        for role in self.store.end_holdings(user, team, at).await? {
            self.follow_role(role).await?;
            self.jobs_follow_role(role, &[user]).await?;
        }
        Ok(())
    }

    /// `wardround admin role import-rota`: adds every shift, or none if one is wrong.
    pub async fn import_rota(&self, session: &Session, shifts: &[Shift]) -> DomainResult<usize> {
        self.require_admin(session)?;
        let mut holdings = Vec::with_capacity(shifts.len());
        let mut roles = Vec::new();
        for (i, s) in shifts.iter().enumerate() {
            let line = i + 1;
            let role = self.store.role_by_name(&s.role).await?.ok_or_else(|| {
                DomainError::Invalid(format!(
                    "shift {line}: no role is called `{}`.",
                    s.role.trim()
                ))
            })?;
            let user = match self.store.user_by_username(s.username.trim()).await? {
                Some(u) if !u.disabled && u.user.id != super::SYSTEM_USER => u,
                _ => {
                    return Err(DomainError::Invalid(format!(
                        "shift {line}: no account in use is called `{}`.",
                        s.username.trim()
                    )))
                }
            };
            if !self
                .store
                .team_members(role.team_id)
                .await?
                .contains(&user.user.id)
            {
                return Err(DomainError::Invalid(format!(
                    "shift {line}: {} is not in {}, whose role {} is.",
                    s.username.trim(),
                    role.team,
                    role.name
                )));
            }
            if s.end <= s.start {
                return Err(DomainError::Invalid(format!(
                    "shift {line}: it ends before it starts."
                )));
            }
            if s.end - s.start > MAX_SHIFT {
                return Err(DomainError::Invalid(format!(
                    "shift {line}: longer than a week; split it into shifts."
                )));
            }
            if !roles.contains(&role.id) {
                roles.push(role.id);
            }
            let shift = Holding {
                role_id: role.id,
                user_id: user.user.id,
                starts_at: s.start.timestamp_millis(),
                ends_at: Some(s.end.timestamp_millis()),
                source: HoldingSource::Rota,
            };
            // The same shift twice (in this rota, or imported before) is one shift.
            let known = self
                .store
                .holdings(
                    Some(role.id),
                    Some(user.user.id),
                    shift.starts_at,
                    shift.starts_at + 1,
                )
                .await?
                .contains(&shift);
            if !known && !holdings.contains(&shift) {
                holdings.push(shift);
            }
        }
        self.store.add_holdings(&holdings).await?;
        let at = |ms: i64| {
            chrono::DateTime::<chrono::Utc>::from_timestamp_millis(ms)
                .map(|t| t.to_rfc3339())
                .unwrap_or_default()
        };
        for h in &holdings {
            self.audit(
                session,
                AuditAction::RotaImported,
                None,
                format!(
                    "role {} to user {}: {} to {}",
                    h.role_id,
                    h.user_id,
                    at(h.starts_at),
                    h.ends_at.map(at).unwrap_or_default()
                ),
            )
            .await?;
        }
        for role in roles {
            self.follow_role(role).await?;
        }
        Ok(holdings.len())
    }

    /// `:oncall take|hand|drop`.
    pub async fn on_call(&self, session: &Session, change: &OnCall) -> DomainResult<RoleInfo> {
        let me = &session.user;
        let (name, to) = match change {
            OnCall::Take { role } => (role, Some(me.clone())),
            OnCall::Hand { role, to } => {
                let user = self.colleague(to).await?;
                (role, Some(user))
            }
            OnCall::Drop { role } => (role, None),
        };
        let role = self.role_named(name).await?;
        let team = self.store.team_members(role.team_id).await?;
        let holders = self.holders_now(role.id).await?;
        let holds = holders.contains(&me.id);
        if !me.admin && !team.contains(&me.id) {
            return Err(DomainError::Forbidden(format!(
                "Only members of {} take or hand over its roles.",
                role.team
            )));
        }
        // Who stops holding it: everyone, for a take-over (or IT handing it on for someone
        // absent); else the one handing it on. Decided again with the role locked, so of
        // several taking it at once the last is the one who holds it.
        let ending: Option<Uuid> = match change {
            OnCall::Take { .. } if holds => {
                return Err(DomainError::Conflict(format!(
                    "You hold {} already.",
                    role.name
                )))
            }
            OnCall::Take { .. } => None,
            OnCall::Hand { .. } | OnCall::Drop { .. } if !holds && !me.admin => {
                return Err(DomainError::Forbidden(format!(
                    "You do not hold {}.",
                    role.name
                )))
            }
            OnCall::Hand { .. } | OnCall::Drop { .. } if !holds => None,
            _ => Some(me.id),
        };
        if let Some(to) = &to {
            if !team.contains(&to.id) {
                return Err(DomainError::Invalid(format!(
                    "{} is not in {}: only its members hold its roles.",
                    to.display_name, role.team
                )));
            }
            if holders.contains(&to.id) && matches!(change, OnCall::Hand { .. }) {
                return Err(DomainError::Conflict(format!(
                    "{} holds {} already.",
                    to.display_name, role.name
                )));
            }
        }
        let text = match (&to, change) {
            (Some(to), OnCall::Take { .. }) => format!("{} took {}.", to.display_name, role.name),
            (Some(to), _) => format!(
                "{} handed {} to {}.",
                me.display_name, role.name, to.display_name
            ),
            (None, _) => format!(
                "{} gave up {}: nobody holds it now.",
                me.display_name, role.name
            ),
        };
        let told: Vec<Uuid> = match ending {
            Some(one) => vec![one],
            None => holders.clone(),
        }
        .into_iter()
        .chain(to.as_ref().map(|t| t.id))
        .collect();
        let events = told
            .iter()
            .map(|&u| {
                (
                    u,
                    EventKind::Notice {
                        conversation_id: None,
                        text: text.clone(),
                    },
                )
            })
            .collect();
        let at = self.clock.now().timestamp_millis();
        let Some(written) = self
            .store
            .hand_role(role.id, ending, to.as_ref().map(|t| t.id), at, events)
            .await?
        else {
            return Err(DomainError::Conflict(format!(
                "You no longer hold {}: someone took it a moment ago.",
                role.name
            )));
        };
        self.hub.wrote(&written);
        self.caches.members.clear();
        self.audit(
            session,
            AuditAction::RoleHandedOver,
            None,
            format!(
                "role {} ({}): from [{}] to {}",
                role.id,
                role.name,
                told.iter()
                    .filter(|&&u| Some(u) != to.as_ref().map(|t| t.id))
                    .map(Uuid::to_string)
                    .collect::<Vec<_>>()
                    .join(", "),
                to.as_ref().map_or("nobody".into(), |t| t.username.clone())
            ),
        )
        .await?;
        self.follow_role(role.id).await?;
        self.jobs_follow_role(role.id, &told).await?;
        self.role_info(role).await
    }

    /// A colleague by username, or by a display name (or one word of it: `Priya`) only
    /// they have.
    pub(super) async fn colleague(&self, name: &str) -> DomainResult<crate::model::User> {
        let name = name.trim();
        if let Some(u) = self.store.user_by_username(name).await? {
            if !u.disabled {
                return Ok(u.user);
            }
        }
        let found: Vec<_> = self
            .store
            .search_people(name, 20)
            .await?
            .into_iter()
            .filter(|(u, _)| {
                u.display_name.eq_ignore_ascii_case(name)
                    || u.display_name
                        .split_whitespace()
                        .any(|w| w.eq_ignore_ascii_case(name))
            })
            .collect();
        match found.as_slice() {
            [(u, _)] => Ok(u.clone()),
            [] => Err(DomainError::NotFound(format!("No one is called `{name}`."))),
            many => Err(DomainError::Invalid(format!(
                "Several people are called `{name}` ({}): use their username.",
                many.iter()
                    .map(|(u, _)| format!("{} is {}", u.display_name, u.username))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))),
        }
    }

    /// Moves each waiting urgent message in the role's threads from those who no longer
    /// hold the role to those who do. The window keeps its end; the new holders are asked
    /// from the next interval on; the old holders and the sender are told.
    pub(super) async fn follow_role(&self, role_id: Uuid) -> DomainResult<usize> {
        let Some(role) = self.store.role(role_id).await? else {
            return Ok(0);
        };
        let holders = self.holders_now(role_id).await?;
        if holders.is_empty() {
            return self.to_fallback_unheld(&role).await;
        }
        let now = self.clock.now();
        let mut moved = 0;
        for open in self.store.open_role_urgents(role_id).await? {
            let Some((message, thread, from)) = self.left_with_others(&open, &holders).await?
            else {
                continue;
            };
            let to: Vec<Uuid> = holders
                .iter()
                .copied()
                .filter(|&h| h != message.sender_id && message.receipt_of(h).is_none())
                .collect();
            if to.is_empty() {
                continue;
            }
            let elapsed = (now - message.sent_at).num_milliseconds().max(0);
            let slot = u32::try_from(elapsed / open.interval_ms.max(1) + 1).unwrap_or(u32::MAX);
            let next = (slot <= open.slots).then(|| {
                (
                    slot,
                    message.sent_at.timestamp_millis() + i64::from(slot) * open.interval_ms,
                )
            });
            let from_members = self.members_named(&from).await?;
            let to_members = self.members_named(&to).await?;
            // Said in the thread too, where the writer and the new holder look for it.
            let line = self.notice_line(
                message.conversation_id,
                format!(
                    "{} passed from {} to {}: the urgent message is theirs now",
                    role.name,
                    crate::model::names(&from_members),
                    crate::model::names(&to_members)
                ),
            );
            let mut moved_message = message.clone();
            moved_message
                .receipts
                .retain(|r| !from.contains(&r.user_id));
            for &t in &to {
                moved_message.apply_receipt(t, crate::model::ReceiptState::Sent, now);
            }
            let handed = EventKind::Handed {
                message_id: message.id,
                conversation_id: message.conversation_id,
                role: role.name.clone(),
                from: from_members,
                to: to_members,
            };
            let mut events: Vec<(Uuid, EventKind)> = from
                .iter()
                .chain([&message.sender_id])
                .map(|&u| (u, handed.clone()))
                .collect();
            events.extend(to.iter().map(|&u| {
                (
                    u,
                    EventKind::Message {
                        message: moved_message.clone(),
                    },
                )
            }));
            let handover = UrgentHandover {
                message_id: message.id,
                conversation_id: message.conversation_id,
                from: from.clone(),
                to: to.clone(),
                next,
                until_ack: open.until_ack,
            };
            if let Some(written) = self.store.hand_urgent(&handover, now, events).await? {
                moved += 1;
                self.hub.wrote(&written);
                self.caches.members.remove(&message.conversation_id);
                self.urgent_sent.notify_one();
                let readers: Vec<Uuid> = thread
                    .created_by
                    .into_iter()
                    .chain([message.sender_id])
                    .chain(to.iter().copied())
                    .filter(|&u| u != super::SYSTEM_USER)
                    .collect::<std::collections::BTreeSet<_>>()
                    .into_iter()
                    .collect();
                let events = readers
                    .iter()
                    .map(|&u| {
                        (
                            u,
                            EventKind::Message {
                                message: line.clone(),
                            },
                        )
                    })
                    .collect();
                if let crate::server::store::Inserted::New(w) =
                    self.store.insert_message(&line, events, None, None).await?
                {
                    self.hub.wrote(&w);
                }
                let ids = |v: &[Uuid]| v.iter().map(Uuid::to_string).collect::<Vec<_>>().join(", ");
                self.audit(
                    "wardround",
                    AuditAction::UrgentHandedOver,
                    None,
                    format!(
                        "message {} to role {} ({}): from [{}] to [{}]",
                        message.id,
                        role.id,
                        role.name,
                        ids(&from),
                        ids(&to)
                    ),
                )
                .await?;
            }
        }
        Ok(moved)
    }

    /// Every role with an urgent message waiting: the rota may have moved on since.
    /// Nobody holds the role now: an urgent message still waiting for those who held it
    /// goes to the role's fallback (as a message from the server, chasing its readers as
    /// the original did), and its sender is told where. With no fallback it stays with
    /// them (they may still read it) and escalates as it would.
    async fn to_fallback_unheld(&self, role: &RoleRecord) -> DomainResult<usize> {
        let Some(fallback) = role.fallback.as_deref() else {
            return Ok(0);
        };
        let now = self.clock.now();
        let mut moved = 0;
        // Found only once something is to go there: the scheduler comes here often.
        let mut target = None;
        for open in self.store.open_role_urgents(role.id).await? {
            let Some((message, _, from)) = self.left_with_others(&open, &[]).await? else {
                continue;
            };
            if target.is_none() {
                target = self.escalation_conversation(fallback).await?;
            }
            let Some((conversation, label, to)) = target.clone() else {
                return Ok(moved);
            };
            let handed = EventKind::Handed {
                message_id: message.id,
                conversation_id: message.conversation_id,
                role: role.name.clone(),
                from: self.members_named(&from).await?,
                to: Vec::new(),
            };
            let events = from.iter().map(|&u| (u, handed.clone())).collect();
            let handover = UrgentHandover {
                message_id: message.id,
                conversation_id: message.conversation_id,
                from: from.clone(),
                to: Vec::new(),
                next: None,
                until_ack: open.until_ack,
            };
            let Some(written) = self.store.hand_urgent(&handover, now, events).await? else {
                continue;
            };
            self.hub.wrote(&written);
            let Some(sender) = self.store.user_by_id(message.sender_id).await? else {
                continue;
            };
            let body = format!(
                "For {} (nobody holds it now) from {}: {}",
                role.name, message.sender_name, message.body
            );
            self.post_as_system(&sender.user, conversation, to.clone(), body, &message)
                .await?;
            self.tell(
                message.sender_id,
                Some(message.conversation_id),
                format!(
                    "Nobody holds {} now: your urgent message went to {label}.",
                    role.name
                ),
            )
            .await?;
            self.audit(
                "wardround",
                AuditAction::RoleFallback,
                None,
                format!(
                    "message {} to role {} ({}): unheld, to {fallback}",
                    message.id, role.id, role.name
                ),
            )
            .await?;
            moved += 1;
        }
        Ok(moved)
    }

    /// An urgent message in a role's thread with those it still waits for who do not
    /// hold the role (now among `holders`), its writer aside; `None` when there are none.
    async fn left_with_others(
        &self,
        open: &OpenUrgent,
        holders: &[Uuid],
    ) -> DomainResult<Option<(Message, ConversationInfo, Vec<Uuid>)>> {
        let Some(message) = self.store.message(open.message_id).await? else {
            return Ok(None);
        };
        let Some(thread) = self.store.conversation_info(open.conversation_id).await? else {
            return Ok(None);
        };
        let from: Vec<Uuid> = message
            .receipts
            .iter()
            .map(|r| r.user_id)
            .filter(|&u| message.awaits(u) && !holders.contains(&u) && Some(u) != thread.created_by)
            .collect();
        Ok((!from.is_empty()).then_some((message, thread, from)))
    }

    pub(super) async fn follow_roles(&self) -> DomainResult<usize> {
        let mut moved = 0;
        for role in self.store.roles_with_open_urgents().await? {
            moved += self.follow_role(role).await?;
        }
        Ok(moved)
    }

    /// The names of the roles a person holds now.
    pub(super) async fn roles_held(&self, user: Uuid) -> DomainResult<Vec<String>> {
        let ms = self.clock.now().timestamp_millis();
        let mut names = Vec::new();
        for h in self.store.holdings(None, Some(user), ms, ms + 1).await? {
            if let Some(r) = self.store.role(h.role_id).await? {
                if !names.contains(&r.name) {
                    names.push(r.name);
                }
            }
        }
        Ok(names)
    }
}
