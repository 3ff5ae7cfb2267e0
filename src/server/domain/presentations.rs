//! Follow mode: a colleague follows a presenter and sees the list, sort and patient the
//! one in control is looking at. Events carry each change to everyone in it, through the
//! store, so a follower on another node or one that reconnects sees it too.

use uuid::Uuid;

use super::{Domain, DomainError, DomainResult, Session};
use crate::model::{AuditAction, EventKind, Presentation, SharedView};

impl Domain {
    /// The presentation the caller is in, if any.
    pub async fn my_presentation(&self, session: &Session) -> DomainResult<Option<Presentation>> {
        Ok(self.store.presentation_of(session.user.id).await?)
    }

    /// The caller follows the screen of `username` (or the colleague so named).
    pub async fn follow(&self, session: &Session, username: &str) -> DomainResult<Presentation> {
        let me = &session.user;
        let presenter = self.colleague(username).await?;
        if presenter.id == me.id {
            return Err(DomainError::Invalid("You cannot follow yourself.".into()));
        }
        let mine = self.store.teams_of(me.id).await?;
        let theirs = self.store.teams_of(presenter.id).await?;
        if !mine.iter().any(|t| theirs.iter().any(|u| u.id == t.id)) {
            return Err(DomainError::Forbidden(format!(
                "You and {} share no team.",
                presenter.display_name
            )));
        }
        // Every refusal comes before anything changes: a 409 leaves the caller where she was.
        let mine = self.store.presentation_of(me.id).await?;
        if let Some(p) = &mine {
            if p.presenter.id == me.id {
                let verb = if p.followers.len() == 1 {
                    "follows"
                } else {
                    "follow"
                };
                return Err(DomainError::Conflict(format!(
                    "{} {verb} you; end your presentation (:unfollow) first.",
                    names(p)
                )));
            }
            if p.presenter.id == presenter.id {
                return Ok(p.clone());
            }
        }
        if let Some(p) = self.store.presentation_of(presenter.id).await? {
            if p.presenter.id != presenter.id {
                return Err(DomainError::Conflict(format!(
                    "{} is following {}; follow {} instead.",
                    presenter.display_name, p.presenter.display_name, p.presenter.display_name
                )));
            }
        }
        if mine.is_some() {
            // Following someone else now: leave the last one properly.
            self.unfollow(session).await?;
        }
        let p = self
            .store
            .follow(me.id, presenter.id, self.clock.now())
            .await?;
        self.tell_members(&p, None).await?;
        self.audit(
            session,
            AuditAction::FollowStarted,
            None,
            format!("follows {}", presenter.username),
        )
        .await?;
        Ok(p)
    }

    /// The caller stops following; a presenter who handed control on takes it back, and
    /// one in control ends the presentation for everyone.
    pub async fn unfollow(&self, session: &Session) -> DomainResult<()> {
        let me = session.user.id;
        let Some(p) = self.store.presentation_of(me).await? else {
            return Err(DomainError::Conflict(
                "You are not following anyone.".into(),
            ));
        };
        if p.presenter.id == me && p.controller.id != me {
            self.store.set_controller(me, me).await?;
            return self.after_change(me, None).await;
        }
        if p.presenter.id == me {
            if let Some(mut ended) = self.store.end_presentation(me).await? {
                let everyone: Vec<Uuid> = ended.members().map(|m| m.id).collect();
                ended.followers.clear();
                let events = everyone
                    .into_iter()
                    .map(|u| {
                        (
                            u,
                            EventKind::Presentation {
                                presentation: ended.clone(),
                            },
                        )
                    })
                    .collect();
                self.publish(events).await?;
            }
            return Ok(());
        }
        if let Some(after) = self.store.unfollow(me).await? {
            self.tell_members(&after, Some(me)).await?;
        }
        Ok(())
    }

    /// The presenter (or whoever drives) hands control to someone in the presentation.
    pub async fn hand_control(&self, session: &Session, username: &str) -> DomainResult<()> {
        let me = session.user.id;
        let p = self
            .store
            .presentation_of(me)
            .await?
            .filter(|p| p.presenter.id == me || p.controller.id == me)
            .ok_or_else(|| {
                DomainError::Conflict("Only the presenter or whoever drives hands control.".into())
            })?;
        let to = self
            .colleague(username)
            .await
            .ok()
            .map(|u| u.id)
            .filter(|id| p.includes(*id))
            .ok_or_else(|| {
                DomainError::Invalid(format!("{username:?} is not following this presentation."))
            })?;
        self.store.set_controller(p.presenter.id, to).await?;
        self.after_change(p.presenter.id, None).await
    }

    /// The one in control moved: everyone else in the presentation sees it.
    pub async fn share_view(&self, session: &Session, view: SharedView) -> DomainResult<()> {
        let me = session.user.id;
        let p = self
            .store
            .presentation_of(me)
            .await?
            .filter(|p| p.controller.id == me)
            .ok_or_else(|| {
                DomainError::Conflict("You are not in control of a presentation.".into())
            })?;
        if !self
            .store
            .lists_for(me)
            .await?
            .iter()
            .any(|l| l.id == view.list_id)
        {
            return Err(DomainError::Forbidden(
                "That list is not yours to show.".into(),
            ));
        }
        self.store.set_shared_view(p.presenter.id, &view).await?;
        let events = p
            .members()
            .filter(|m| m.id != me)
            .map(|m| {
                (
                    m.id,
                    EventKind::SharedView {
                        presenter: p.presenter.id,
                        view: view.clone(),
                    },
                )
            })
            .collect();
        self.publish(events).await
    }

    /// An event back to the caller only: the stream's round trip, for diagnostics.
    pub async fn ping(&self, session: &Session, token: Uuid) -> DomainResult<()> {
        self.publish(vec![(session.user.id, EventKind::Pong { token })])
            .await
    }

    async fn after_change(&self, presenter: Uuid, left: Option<Uuid>) -> DomainResult<()> {
        if let Some(p) = self.store.presentation_of(presenter).await? {
            self.tell_members(&p, left).await?;
        }
        Ok(())
    }

    /// The presentation as it is now, to everyone in it (and to one who just left it).
    async fn tell_members(&self, p: &Presentation, left: Option<Uuid>) -> DomainResult<()> {
        let events = p
            .members()
            .map(|m| m.id)
            .chain(left)
            .map(|u| {
                (
                    u,
                    EventKind::Presentation {
                        presentation: p.clone(),
                    },
                )
            })
            .collect();
        self.publish(events).await
    }

    async fn publish(&self, events: Vec<(Uuid, EventKind)>) -> DomainResult<()> {
        let written = self.store.append_events(events, self.clock.now()).await?;
        self.hub.wrote(&written);
        Ok(())
    }
}

fn names(p: &Presentation) -> String {
    p.followers
        .iter()
        .map(|f| f.display_name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}
