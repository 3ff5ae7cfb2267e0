//! Conversations people start and change: the pair's one 1:1, groups and who is in them,
//! threads with a role; and each conversation as its caller sees it. Who may change what
//! is decided here, once ([`may_manage`]).

use std::collections::BTreeMap;
use std::sync::Arc;

use uuid::Uuid;

use super::{Domain, DomainError, DomainResult, Session, SYSTEM_USER};
use crate::model::{
    AuditAction, Conversation, ConversationKind, EventKind, Message, PresenceState, Priority,
    StartConversation, User,
};
use crate::server::store::{
    pair_key, ConversationChange, ConversationInfo, NewConversation, StoreError,
};

const MAX_TITLE: usize = 100;

/// Whether `user` may rename a conversation and add or remove its members: a group's
/// creator, its admins, and administrators. Other kinds follow something else (a team's
/// membership, a role's holders, the pair).
pub fn may_manage(info: &ConversationInfo, user: &User) -> bool {
    info.kind == ConversationKind::Group
        && (user.admin || info.created_by == Some(user.id) || info.admins.contains(&user.id))
}

impl Domain {
    pub async fn conversations(&self, session: &Session) -> DomainResult<Vec<Conversation>> {
        let me = &session.user;
        let records = self.store.conversations_for(me.id).await?;
        let mut people: Vec<Uuid> = records
            .iter()
            .filter(|r| r.kind != ConversationKind::Channel)
            .flat_map(|r| r.members.iter().map(|m| m.id))
            .collect();
        people.sort();
        people.dedup();
        let presence = self.presences(&people).await?;
        let mut out = Vec::with_capacity(records.len());
        for r in records {
            let title = match r.kind {
                ConversationKind::Direct => r
                    .members
                    .iter()
                    .find(|m| m.id != me.id)
                    .map(|m| m.display_name.clone())
                    .unwrap_or(r.title),
                // A holder has a thread from each who wrote to the role: named for them.
                ConversationKind::Role if r.created_by != Some(me.id) => r
                    .members
                    .iter()
                    .find(|m| Some(m.id) == r.created_by)
                    .map(|m| format!("{} → {}", m.display_name, r.title))
                    .unwrap_or(r.title),
                _ => r.title,
            };
            let role = match r.role_id {
                Some(id) => match self.store.role(id).await? {
                    Some(role) => Some(self.role_info(role).await?),
                    None => None,
                },
                None => None,
            };
            // A role's thread is the writer's, and its holders' while they hold it; its
            // members are those, not everyone who ever held it.
            let mut members = r.members;
            if r.kind == ConversationKind::Role {
                let holds = |id: Uuid| {
                    role.as_ref()
                        .is_some_and(|role| role.holders.iter().any(|h| h.id == id))
                };
                if r.created_by != Some(me.id)
                    && !holds(me.id)
                    && !self.still_waits_for(me.id, r.id).await?
                {
                    continue;
                }
                members.retain(|m| Some(m.id) == r.created_by || holds(m.id) || m.id == me.id);
            }
            let away: BTreeMap<_, _> = members
                .iter()
                .filter_map(|m| presence.get(&m.id).map(|p| (m.id, *p)))
                .filter(|(_, p)| p.state != PresenceState::Available)
                .collect();
            let manage = r.kind == ConversationKind::Group
                && (me.admin || r.created_by == Some(me.id) || r.admins.contains(&me.id));
            out.push(Conversation {
                id: r.id,
                kind: r.kind,
                title,
                members,
                unread: r.unread,
                subject: r.subject,
                role,
                presence: away,
                admins: r.admins,
                manage,
            });
        }
        Ok(out)
    }

    /// One conversation as the caller sees it.
    pub async fn conversation(&self, session: &Session, id: Uuid) -> DomainResult<Conversation> {
        self.conversations(session)
            .await?
            .into_iter()
            .find(|c| c.id == id)
            .ok_or_else(|| {
                DomainError::Forbidden("You are not a member of this conversation.".into())
            })
    }

    /// A conversation as stored, read through the cache.
    pub(super) async fn thread(&self, conversation: Uuid) -> DomainResult<Arc<ConversationInfo>> {
        if let Some(info) = self.caches.members.get(&conversation) {
            return Ok(info);
        }
        let info = Arc::new(
            self.store
                .conversation_info(conversation)
                .await?
                .ok_or_else(|| DomainError::NotFound("No such conversation.".into()))?,
        );
        self.caches.members.put(conversation, info.clone());
        Ok(info)
    }

    /// The conversation, once the caller is known to be one of its members. A role's
    /// thread is for the one who started it and whoever holds the role now: a holder who
    /// handed it on reads no more of it.
    pub(super) async fn thread_for(
        &self,
        session: &Session,
        conversation: Uuid,
    ) -> DomainResult<Arc<ConversationInfo>> {
        let me = session.user.id;
        let info = self.thread(conversation).await?;
        if !info.members.contains(&me) {
            return Err(DomainError::Forbidden(
                "You are not a member of this conversation.".into(),
            ));
        }
        if let Some(role) = info.role_id {
            if info.created_by != Some(me)
                && !self.holders_now(role).await?.contains(&me)
                && !self.still_waits_for(me, conversation).await?
            {
                return Err(DomainError::Forbidden(
                    "This thread is for whoever holds its role now, and you do not.".into(),
                ));
            }
        }
        Ok(info)
    }

    /// Whether something in `conversation` still waits for `user` (left with them when
    /// a role they held went to nobody, with nowhere to fall back to).
    async fn still_waits_for(&self, user: Uuid, conversation: Uuid) -> DomainResult<bool> {
        Ok(self
            .store
            .awaiting(user, 500)
            .await?
            .iter()
            .any(|m| m.conversation_id == conversation))
    }

    /// The members, once the caller is known to be one of them.
    pub(super) async fn members_for(
        &self,
        session: &Session,
        conversation: Uuid,
    ) -> DomainResult<Vec<Uuid>> {
        Ok(self
            .thread_for(session, conversation)
            .await?
            .members
            .clone())
    }

    /// `POST /api/v1/conversations`.
    pub async fn start_conversation(
        &self,
        session: &Session,
        start: &StartConversation,
    ) -> DomainResult<Conversation> {
        let me = &session.user;
        let (id, what) = match start {
            StartConversation::Direct { members } => {
                let [other] = members.as_slice() else {
                    return Err(DomainError::Invalid(
                        "A 1:1 names exactly one other person in `members`.".into(),
                    ));
                };
                let other = self.person(other, false).await?;
                if other.id == me.id {
                    return Err(DomainError::Invalid("A 1:1 is with someone else.".into()));
                }
                let pair = pair_key(me.id, other.id);
                let existing = match self.store.direct_by_pair(&pair).await? {
                    Some(id) => Some(id),
                    None => self.store.direct_between(me.id, other.id).await?,
                };
                let id = match existing {
                    Some(id) => id,
                    None => {
                        self.create_once(NewConversation {
                            id: Uuid::new_v4(),
                            kind: ConversationKind::Direct,
                            members: vec![me.id, other.id],
                            created_by: Some(me.id),
                            pair: Some(pair.clone()),
                            ..NewConversation::default()
                        })
                        .await?;
                        self.store.direct_by_pair(&pair).await?.ok_or_else(|| {
                            DomainError::NotFound("The conversation vanished.".into())
                        })?
                    }
                };
                (id, format!("1:1 with {}", other.username))
            }
            StartConversation::Group { title, members } => {
                let title = valid_title(title)?;
                let mut ids = vec![me.id];
                for name in members {
                    let u = self.person(name, false).await?;
                    if !ids.contains(&u.id) {
                        ids.push(u.id);
                    }
                }
                if ids.len() < 2 {
                    return Err(DomainError::Invalid(
                        "A group needs at least one other member.".into(),
                    ));
                }
                self.within_max_group(ids.len())?;
                let id = Uuid::new_v4();
                self.create_once(NewConversation {
                    id,
                    kind: ConversationKind::Group,
                    title: title.clone(),
                    members: ids.clone(),
                    created_by: Some(me.id),
                    ..NewConversation::default()
                })
                .await?;
                let names = self.members_named(&ids[1..]).await?;
                let text = format!(
                    "{} made the group with {}",
                    me.display_name,
                    crate::model::names(&names)
                );
                let line = self.notice_line(id, text);
                let events = ids
                    .iter()
                    .flat_map(|&u| {
                        [
                            (
                                u,
                                EventKind::ConversationChanged {
                                    conversation_id: id,
                                },
                            ),
                            (
                                u,
                                EventKind::Message {
                                    message: line.clone(),
                                },
                            ),
                        ]
                    })
                    .collect();
                if let crate::server::store::Inserted::New(written) =
                    self.store.insert_message(&line, events, None, None).await?
                {
                    self.hub.wrote(&written);
                }
                (id, format!("group {} members", ids.len()))
            }
            StartConversation::Role { role } => {
                let role = self.role_named(role).await?;
                let id = match self.store.role_thread(role.id, me.id).await? {
                    Some(id) => id,
                    None => {
                        let mut members = vec![me.id];
                        for h in self.holders_now(role.id).await? {
                            if !members.contains(&h) {
                                members.push(h);
                            }
                        }
                        self.create_once(NewConversation {
                            id: Uuid::new_v4(),
                            kind: ConversationKind::Role,
                            title: role.name.clone(),
                            members,
                            created_by: Some(me.id),
                            role_id: Some(role.id),
                            ..NewConversation::default()
                        })
                        .await?;
                        self.store
                            .role_thread(role.id, me.id)
                            .await?
                            .ok_or_else(|| {
                                DomainError::NotFound("The conversation vanished.".into())
                            })?
                    }
                };
                (id, format!("thread with role {}", role.id))
            }
        };
        self.caches.members.remove(&id);
        self.audit(
            session,
            AuditAction::ConversationStarted,
            None,
            format!("conversation {id}: {what}"),
        )
        .await?;
        self.conversation(session, id).await
    }

    /// Creates a conversation; one made meanwhile by someone else (the same pair, the
    /// same role thread) is as good.
    async fn create_once(&self, new: NewConversation) -> DomainResult<()> {
        match self.store.create_conversation(&new).await {
            Ok(()) | Err(StoreError::Duplicate(_)) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// Someone who may be written to: a username (any case), or a user id, of an account
    /// in use.
    async fn person(&self, username: &str, even_disabled: bool) -> DomainResult<User> {
        let by_id = match username.trim().parse::<Uuid>() {
            Ok(id) => self.store.user_by_id(id).await?,
            Err(_) => None,
        };
        let found = match by_id {
            Some(u) => Some(u),
            None => self.store.user_by_username(username.trim()).await?,
        };
        let found = match found {
            Some(u) => Some(u),
            // Usernames are unique ignoring case.
            None => {
                self.store
                    .user_by_username(&username.trim().to_lowercase())
                    .await?
            }
        };
        match found {
            Some(u) if (even_disabled || !u.disabled) && u.user.id != SYSTEM_USER => Ok(u.user),
            _ => Err(DomainError::NotFound(format!(
                "No one has the username `{}`.",
                username.trim()
            ))),
        }
    }

    fn within_max_group(&self, members: usize) -> DomainResult<()> {
        if members > self.max_group {
            return Err(DomainError::Invalid(format!(
                "A group has at most {} members ([messaging] max_group).",
                self.max_group
            )));
        }
        Ok(())
    }

    /// A line members see in the conversation, from nobody in particular.
    pub(super) fn notice_line(&self, conversation: Uuid, text: String) -> Message {
        Message {
            id: Uuid::new_v4(),
            conversation_id: conversation,
            sender_id: SYSTEM_USER,
            sender_name: "wardround".into(),
            body: text,
            priority: Priority::Normal,
            sent_at: self.clock.now(),
            receipts: Vec::new(),
            ack_required: false,
            escalation_of: None,
        }
    }

    /// A conversation the caller may change: they manage it, or (to leave) `leaving`.
    async fn changeable(
        &self,
        session: &Session,
        id: Uuid,
        leaving: bool,
    ) -> DomainResult<Arc<ConversationInfo>> {
        let me = &session.user;
        let info = self.thread(id).await?;
        let member = info.members.contains(&me.id);
        if !member && !me.admin {
            return Err(DomainError::Forbidden(
                "You are not a member of this conversation.".into(),
            ));
        }
        if leaving && member && info.kind == ConversationKind::Group {
            return Ok(info);
        }
        if !may_manage(&info, me) {
            let why = match info.kind {
                ConversationKind::Group => {
                    "Only the group's creator, its admins and administrators change it."
                }
                ConversationKind::Direct => {
                    "A 1:1 is between two people: start a group to add someone."
                }
                ConversationKind::Role => "A role's thread follows whoever holds the role.",
                ConversationKind::Channel | ConversationKind::Patient => {
                    "A team's conversations follow the team's membership (`wardround admin team`)."
                }
            };
            return Err(DomainError::Forbidden(why.into()));
        }
        Ok(info)
    }

    /// `PATCH /api/v1/conversations/{id}`.
    pub async fn rename_conversation(
        &self,
        session: &Session,
        id: Uuid,
        title: &str,
    ) -> DomainResult<Conversation> {
        self.changeable(session, id, false).await?;
        let title = valid_title(title)?;
        let text = format!("{} renamed the group to {title}", session.user.display_name);
        self.change(session, id, ConversationChange::Rename(&title), text, None)
            .await?;
        self.audit(
            session,
            AuditAction::ConversationRenamed,
            None,
            format!("conversation {id}"),
        )
        .await?;
        self.conversation_or_gone(session, id).await
    }

    /// `PUT /api/v1/conversations/{id}/members/{username}[?admin=true|false]`: adds, and
    /// makes (or unmakes) one of the group's admins.
    pub async fn put_member(
        &self,
        session: &Session,
        id: Uuid,
        username: &str,
        admin: Option<bool>,
    ) -> DomainResult<Conversation> {
        let conversation = self.add_member(session, id, username).await?;
        let Some(admin) = admin else {
            return Ok(conversation);
        };
        let info = self.thread(id).await?;
        let user = self.person(username, false).await?;
        if info.created_by == Some(user.id) {
            return Err(DomainError::Invalid(
                "The group's creator manages it already.".into(),
            ));
        }
        let me = &session.user.display_name;
        let text = if admin {
            format!("{me} made {} an admin", user.display_name)
        } else {
            format!("{me} made {} no longer an admin", user.display_name)
        };
        let change = ConversationChange::Admin {
            user: user.id,
            admin,
        };
        if self.change(session, id, change, text, None).await? {
            self.audit(
                session,
                AuditAction::MemberAdded,
                None,
                format!("conversation {id}: user {} admin {admin}", user.id),
            )
            .await?;
        }
        self.conversation_or_gone(session, id).await
    }

    async fn add_member(
        &self,
        session: &Session,
        id: Uuid,
        username: &str,
    ) -> DomainResult<Conversation> {
        let info = self.changeable(session, id, false).await?;
        let user = self.person(username, false).await?;
        if let Some(team) = info.team_id {
            if !self.store.team_members(team).await?.contains(&user.id) {
                return Err(DomainError::Invalid(format!(
                    "{} is not in the team this group belongs to.",
                    user.display_name
                )));
            }
        }
        if !info.members.contains(&user.id) {
            self.within_max_group(info.members.len() + 1)?;
        }
        let text = format!("{} added {}", session.user.display_name, user.display_name);
        let add = ConversationChange::Add {
            user: user.id,
            max: self.max_group,
        };
        if self.change(session, id, add, text, None).await? {
            self.audit(
                session,
                AuditAction::MemberAdded,
                None,
                format!("conversation {id}: user {}", user.id),
            )
            .await?;
        }
        self.conversation_or_gone(session, id).await
    }

    /// `DELETE /api/v1/conversations/{id}/members/{username}`: a manager removes, anyone
    /// leaves.
    pub async fn remove_member(
        &self,
        session: &Session,
        id: Uuid,
        username: &str,
    ) -> DomainResult<()> {
        // A disabled account may still be taken out of a group.
        let user = self.person(username, true).await?;
        let me = &session.user;
        let leaving = user.id == me.id;
        let info = self.changeable(session, id, leaving).await?;
        if !info.members.contains(&user.id) {
            return Err(DomainError::NotFound(format!(
                "{} is not in this conversation.",
                user.display_name
            )));
        }
        // The creator leaves, or IT takes them out; the admins they made do not.
        if info.created_by == Some(user.id) && !leaving && !me.admin {
            return Err(DomainError::Forbidden(
                "The group's creator leaves it themselves (or IT removes them).".into(),
            ));
        }
        let text = if leaving {
            format!("{} left", me.display_name)
        } else {
            format!("{} removed {}", me.display_name, user.display_name)
        };
        if self
            .change(
                session,
                id,
                ConversationChange::Remove(user.id),
                text,
                Some(user.id),
            )
            .await?
        {
            self.audit(
                session,
                AuditAction::MemberRemoved,
                None,
                format!("conversation {id}: user {}", user.id),
            )
            .await?;
        }
        Ok(())
    }

    /// Writes a change with its line; whether anything changed.
    async fn change(
        &self,
        _session: &Session,
        id: Uuid,
        change: ConversationChange<'_>,
        text: String,
        removed: Option<Uuid>,
    ) -> DomainResult<bool> {
        let line = self.notice_line(id, text);
        let events = |told: Vec<Uuid>| {
            told.into_iter()
                .flat_map(|u| {
                    if Some(u) == removed {
                        vec![(
                            u,
                            EventKind::ConversationLeft {
                                conversation_id: id,
                            },
                        )]
                    } else {
                        vec![
                            (
                                u,
                                EventKind::Message {
                                    message: line.clone(),
                                },
                            ),
                            (
                                u,
                                EventKind::ConversationChanged {
                                    conversation_id: id,
                                },
                            ),
                        ]
                    }
                })
                .collect()
        };
        let written = self
            .store
            .change_conversation(id, change, &line, &events)
            .await;
        self.caches.members.remove(&id);
        let written = match written {
            Err(StoreError::Full(max)) => {
                return Err(DomainError::Invalid(format!(
                    "A group has at most {max} members ([messaging] max_group)."
                )))
            }
            w => w?,
        };
        match written {
            Some(w) => {
                self.hub.wrote(&w);
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// The conversation after a change; an administrator who is not in it sees it bare.
    async fn conversation_or_gone(
        &self,
        session: &Session,
        id: Uuid,
    ) -> DomainResult<Conversation> {
        match self.conversation(session, id).await {
            Ok(c) => Ok(c),
            Err(DomainError::Forbidden(_)) => {
                let info = self.thread(id).await?;
                Ok(Conversation {
                    id,
                    kind: info.kind,
                    title: info.title.clone(),
                    members: self.members_named(&info.members).await?,
                    unread: 0,
                    subject: None,
                    role: None,
                    presence: BTreeMap::new(),
                    admins: info.admins.clone(),
                    manage: may_manage(&info, &session.user),
                })
            }
            Err(e) => Err(e),
        }
    }
}

fn valid_title(title: &str) -> DomainResult<String> {
    let title = title.trim();
    if title.is_empty()
        || title.chars().count() > MAX_TITLE
        || title.chars().any(crate::sanitize::unfit_for_a_name)
    {
        return Err(DomainError::Invalid(format!(
            "A group's title is 1 to {MAX_TITLE} characters, none of them control or invisible characters."
        )));
    }
    Ok(title.to_string())
}
