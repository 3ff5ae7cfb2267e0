//! Whether a person can be reached: what they set (busy, do-not-disturb, for a while or
//! until changed), else what the rota says (off shift outside every shift they hold).

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use super::{Domain, DomainError, DomainResult, Session};
use crate::model::{AuditAction, Presence, PresenceState, StatusChange};
use crate::server::store::{HoldingSource, StatusRecord};

/// How far either side of now a rota shift makes someone a person "on the rota".
const ROTA_REACH: Duration = Duration::days(7);
/// The longest a status may be set for (a week); longer is "until changed".
const MAX_MINUTES: u32 = 7 * 24 * 60;

impl Domain {
    /// Each user's presence now.
    pub(super) async fn presences(&self, users: &[Uuid]) -> DomainResult<HashMap<Uuid, Presence>> {
        let now = self.clock.now();
        let set = self.store.statuses(users).await?;
        let ms = now.timestamp_millis();
        let rota = self.shifts_near(users).await?;
        let mut out = HashMap::with_capacity(users.len());
        for &u in users {
            let own = set.get(&u).filter(|s| s.until.is_none_or(|t| t > ms));
            let presence =
                match own.and_then(|s| PresenceState::settable(&s.status).map(|p| (p, s))) {
                    Some((state, s)) => Presence {
                        state,
                        until: s.until.and_then(DateTime::<Utc>::from_timestamp_millis),
                    },
                    None => {
                        let mut shifts = rota
                            .iter()
                            .filter(|h| h.user_id == u && h.source == HoldingSource::Rota)
                            .peekable();
                        let on_rota = shifts.peek().is_some();
                        let on_shift = rota.iter().any(|h| {
                            h.user_id == u && h.starts_at <= ms && h.ends_at.is_none_or(|e| e > ms)
                        });
                        Presence {
                            state: if on_rota && !on_shift {
                                PresenceState::OffShift
                            } else {
                                PresenceState::Available
                            },
                            until: None,
                        }
                    }
                };
            out.insert(u, presence);
        }
        Ok(out)
    }

    /// The shifts of `users` within a week either side of now: asked person by person
    /// for a few, read whole (it is a week of one hospital's rota) for many.
    pub(super) async fn shifts_near(
        &self,
        users: &[Uuid],
    ) -> DomainResult<Vec<crate::server::store::Holding>> {
        const FEW: usize = 64;
        let now = self.clock.now();
        let (from, to) = (
            (now - ROTA_REACH).timestamp_millis(),
            (now + ROTA_REACH).timestamp_millis(),
        );
        if users.len() > FEW {
            return Ok(self.store.holdings(None, None, from, to).await?);
        }
        let mut shifts = Vec::new();
        for &u in users {
            shifts.extend(self.store.holdings(None, Some(u), from, to).await?);
        }
        Ok(shifts)
    }

    /// `:status dnd 30m`, `:status available`.
    pub async fn set_status(
        &self,
        session: &Session,
        change: &StatusChange,
    ) -> DomainResult<Presence> {
        let state = PresenceState::settable(change.state.trim()).ok_or_else(|| {
            DomainError::Invalid("A status is `available`, `busy` or `dnd`.".into())
        })?;
        let minutes = match change.minutes {
            Some(0) => return Err(DomainError::Invalid("A status lasts at least a minute.".into())),
            Some(m) if m > MAX_MINUTES => {
                return Err(DomainError::Invalid(format!(
                    "A status lasts at most {MAX_MINUTES} minutes (a week); leave the time out for until changed."
                )))
            }
            m => m,
        };
        let until = minutes.map(|m| self.clock.now() + Duration::minutes(i64::from(m)));
        let record = match (state, until) {
            // Available with no end is what nobody set: the rota speaks again.
            (PresenceState::Available, None) => None,
            _ => Some(StatusRecord {
                status: state.as_str().into(),
                until: until.map(|t| t.timestamp_millis()),
            }),
        };
        self.store
            .set_status(session.user.id, record.as_ref())
            .await?;
        let detail = match until {
            Some(t) => format!("{} until {}", state.as_str(), t.to_rfc3339()),
            None => state.as_str().to_string(),
        };
        self.audit(session, AuditAction::StatusSet, None, detail)
            .await?;
        let me = self.presences(&[session.user.id]).await?;
        Ok(me.get(&session.user.id).copied().unwrap_or_default())
    }
}
