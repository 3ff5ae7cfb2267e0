//! The directory: people and roles anyone logged in can find, with whether they can be
//! reached and, for someone off shift, which role to write to instead.

use std::collections::HashMap;

use chrono::Duration;
use uuid::Uuid;

use super::{Domain, DomainError, DomainResult, Session};
use crate::model::{Directory, Member, Person, PresenceState, RoleInfo};

/// At most this many people per search: type more to find the rest.
const MAX_PEOPLE: u32 = 50;
const MAX_QUERY: usize = 100;

impl Domain {
    pub async fn directory(&self, _session: &Session, q: &str) -> DomainResult<Directory> {
        let q = q.trim();
        if q.chars().count() > MAX_QUERY || q.chars().any(char::is_control) {
            return Err(DomainError::Invalid(format!(
                "A directory search is at most {MAX_QUERY} characters, none of them control characters."
            )));
        }
        let found = self.store.search_people(q, MAX_PEOPLE).await?;
        let ids: Vec<Uuid> = found.iter().map(|(u, _)| u.id).collect();
        let presence = self.presences(&ids).await?;
        let roles = self.store.roles().await?;
        let role_names: HashMap<Uuid, &str> =
            roles.iter().map(|r| (r.id, r.name.as_str())).collect();
        let now = self.clock.now();
        let ms = now.timestamp_millis();
        let holdings = self.shifts_near(&ids).await?;
        let held_now = |u: Uuid| -> Vec<String> {
            let mut names: Vec<String> = holdings
                .iter()
                .filter(|h| h.user_id == u && h.starts_at <= ms && h.ends_at.is_none_or(|e| e > ms))
                .filter_map(|h| role_names.get(&h.role_id).map(|n| n.to_string()))
                .collect();
            names.sort();
            names.dedup();
            names
        };
        let on_rota = |u: Uuid| -> Vec<String> {
            let mut names: Vec<String> = holdings
                .iter()
                .filter(|h| h.user_id == u)
                .filter_map(|h| role_names.get(&h.role_id).map(|n| n.to_string()))
                .collect();
            names.sort();
            names.dedup();
            names
        };
        let people = found
            .into_iter()
            .map(|(u, teams)| {
                let presence = presence.get(&u.id).copied().unwrap_or_default();
                Person {
                    roles: held_now(u.id),
                    instead: if presence.state == PresenceState::OffShift {
                        on_rota(u.id)
                    } else {
                        Vec::new()
                    },
                    id: u.id,
                    username: u.username,
                    display_name: u.display_name,
                    role: u.role,
                    teams,
                    presence,
                }
            })
            .collect();
        let needle = q.to_lowercase();
        let mut matching = Vec::new();
        for r in roles {
            if needle.is_empty()
                || r.name.to_lowercase().contains(&needle)
                || r.team.to_lowercase().contains(&needle)
            {
                matching.push(r);
            }
        }
        let mut role_infos: Vec<RoleInfo> = Vec::with_capacity(matching.len());
        for r in matching {
            role_infos.push(self.role_info(r).await?);
        }
        Ok(Directory {
            people,
            roles: role_infos,
        })
    }

    /// Where to write instead of someone off shift: their rota roles and who holds each
    /// now (`Medical registrar on call (Priya Shah)`).
    pub(super) async fn instead_of(&self, user: Uuid) -> DomainResult<Vec<String>> {
        let now = self.clock.now();
        let ms = now.timestamp_millis();
        let week = Duration::days(7).num_milliseconds();
        let mut out = Vec::new();
        let mut seen = Vec::new();
        for h in self
            .store
            .holdings(None, Some(user), ms - week, ms + week)
            .await?
        {
            if seen.contains(&h.role_id) {
                continue;
            }
            seen.push(h.role_id);
            if let Some(r) = self.store.role(h.role_id).await? {
                let info = self.role_info(r).await?;
                let who: Vec<&str> = info
                    .holders
                    .iter()
                    .map(|m: &Member| m.display_name.as_str())
                    .collect();
                out.push(if who.is_empty() {
                    format!("{} (nobody holds it now)", info.name)
                } else {
                    format!("{} ({})", info.name, who.join(", "))
                });
            }
        }
        Ok(out)
    }
}
