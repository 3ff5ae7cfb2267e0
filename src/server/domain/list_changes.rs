//! Changing patient lists: every change is stored with an event for each member of the
//! team, so every open client sees it at once.

use uuid::Uuid;

use super::{Domain, DomainError, DomainResult, Session};
use crate::model::{AuditAction, EventKind, Imported, PatientList, PatientQuery, PatientSummary};
use crate::server::store::{ListChange, ListChanged};

fn check_name(name: &str) -> DomainResult<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 80 {
        return Err(DomainError::Invalid(
            "A list needs a name of 1 to 80 characters.".into(),
        ));
    }
    Ok(name.to_string())
}

impl Domain {
    /// Makes one change to a list of `team` and tells every member of the team what the
    /// list now is.
    async fn change_list(
        &self,
        id: Uuid,
        team: Uuid,
        change: ListChange<'_>,
    ) -> DomainResult<ListChanged> {
        let members = self.store.team_members(team).await?;
        let events = move |list: &PatientList| {
            members
                .iter()
                .map(|m| (*m, EventKind::List { list: list.clone() }))
                .collect()
        };
        let changed = self
            .store
            .change_list(id, change, &events)
            .await?
            .ok_or_else(|| DomainError::NotFound("No such patient list.".into()))?;
        self.hub.wrote(&changed.written);
        Ok(changed)
    }

    /// A new, empty list for one of the caller's teams (their first when not named).
    pub async fn new_list(
        &self,
        session: &Session,
        team: Option<Uuid>,
        name: &str,
    ) -> DomainResult<PatientList> {
        let teams = self.store.teams_of(session.user.id).await?;
        let team = match team {
            Some(t) => teams.iter().find(|x| x.id == t).ok_or_else(|| {
                DomainError::Forbidden("You are not a member of that team.".into())
            })?,
            None => teams
                .first()
                .ok_or_else(|| DomainError::Forbidden("You are not on any team.".into()))?,
        };
        let list = PatientList {
            id: Uuid::new_v4(),
            team_id: team.id,
            name: check_name(name)?,
            patient_ids: Vec::new(),
        };
        let list = self
            .change_list(list.id, team.id, ListChange::Create(&list))
            .await?
            .list;
        self.audit(
            session,
            AuditAction::ListCreated,
            None,
            format!("list {}", list.id),
        )
        .await?;
        Ok(list)
    }

    pub async fn rename_list(
        &self,
        session: &Session,
        id: Uuid,
        name: &str,
    ) -> DomainResult<PatientList> {
        let list = self.team_list(session, id).await?;
        let name = check_name(name)?;
        let list = self
            .change_list(id, list.team_id, ListChange::Rename(&name))
            .await?
            .list;
        self.audit(
            session,
            AuditAction::ListRenamed,
            None,
            format!("list {id}"),
        )
        .await?;
        Ok(list)
    }

    pub async fn duplicate_list(
        &self,
        session: &Session,
        id: Uuid,
        name: &str,
    ) -> DomainResult<PatientList> {
        let original = self.team_list(session, id).await?;
        let copy = PatientList {
            id: Uuid::new_v4(),
            name: check_name(name)?,
            ..original
        };
        let copy = self
            .change_list(copy.id, copy.team_id, ListChange::Create(&copy))
            .await?
            .list;
        let detail = format!("list {} copied from {id}", copy.id);
        self.audit(session, AuditAction::ListCreated, None, detail)
            .await?;
        Ok(copy)
    }

    pub async fn delete_list(&self, session: &Session, id: Uuid) -> DomainResult<()> {
        let list = self.team_list(session, id).await?;
        let members = self.store.team_members(list.team_id).await?;
        let events = members
            .into_iter()
            .map(|m| (m, EventKind::ListDeleted { list_id: id }))
            .collect();
        let written = self
            .store
            .delete_list(id, events)
            .await?
            .ok_or_else(|| DomainError::NotFound("No such patient list.".into()))?;
        self.hub.wrote(&written);
        self.audit(
            session,
            AuditAction::ListDeleted,
            None,
            format!("list {id}"),
        )
        .await?;
        Ok(())
    }

    /// Adds a patient the EHR knows; adding one already there changes nothing.
    pub async fn add_patient(
        &self,
        session: &Session,
        id: Uuid,
        patient: &str,
    ) -> DomainResult<PatientList> {
        let list = self.team_list(session, id).await?;
        if list.patient_ids.iter().any(|p| p == patient) {
            return Ok(list);
        }
        if self.chart(patient).await?.is_none() {
            return Err(DomainError::NotFound(
                "The EHR does not know this patient.".into(),
            ));
        }
        let added = [patient.to_string()];
        let changed = self
            .change_list(id, list.team_id, ListChange::Add(&added))
            .await?;
        if !changed.changed {
            // Someone added them a moment ago.
            return Ok(changed.list);
        }
        let list = changed.list;
        self.audit(
            session,
            AuditAction::PatientAdded,
            Some(patient),
            format!("list {id}"),
        )
        .await?;
        Ok(list)
    }

    pub async fn remove_patient(
        &self,
        session: &Session,
        id: Uuid,
        patient: &str,
    ) -> DomainResult<PatientList> {
        let list = self.team_list(session, id).await?;
        let changed = self
            .change_list(id, list.team_id, ListChange::Remove(patient))
            .await?;
        if !changed.changed {
            return Err(DomainError::NotFound(
                "That patient is not on this list.".into(),
            ));
        }
        let list = changed.list;
        self.audit(
            session,
            AuditAction::PatientRemoved,
            Some(patient),
            format!("list {id}"),
        )
        .await?;
        Ok(list)
    }

    pub async fn search_patients(
        &self,
        session: &Session,
        query: &PatientQuery,
    ) -> DomainResult<Vec<PatientSummary>> {
        if query.is_empty() {
            return Err(DomainError::Invalid(
                "Search by name, MRN or birth date.".into(),
            ));
        }
        // The query as asked (it may hold a name): the audit log is the place for it.
        let asked = serde_json::to_string(query).unwrap_or_default();
        // The whole EHR answers a search: only the care teams' members may ask it, and a
        // policy may take that from them too (a patient's room).
        let refused = if self.store.teams_of(session.user.id).await?.is_empty() {
            Some("Searching the EHR is for members of a care team; ask IT to add you to one.")
        } else if !self
            .effective_policy(&session.user)
            .await?
            .policy
            .settings
            .search_patients
        {
            Some("Your messaging policy does not allow searching the EHR for patients.")
        } else {
            None
        };
        if let Some(why) = refused {
            let detail = format!("{asked} -> refused");
            self.audit(session, AuditAction::PatientSearchRefused, None, detail)
                .await?;
            return Err(DomainError::Forbidden(why.into()));
        }
        let found = self.ehr.search(query).await?;
        let detail = format!("{asked} -> {} found", found.len());
        self.audit(session, AuditAction::PatientSearched, None, detail)
            .await?;
        Ok(found)
    }

    /// Adds the patients with these MRNs; an MRN that matches no one, or several, is
    /// reported rather than guessed at.
    pub async fn import_mrns(
        &self,
        session: &Session,
        id: Uuid,
        mrns: &[String],
    ) -> DomainResult<Imported> {
        let list = self.team_list(session, id).await?;
        let mut result = Imported {
            added: Vec::new(),
            not_found: Vec::new(),
            already_on_list: 0,
        };
        for mrn in mrns.iter().map(|m| m.trim()).filter(|m| !m.is_empty()) {
            let found = self
                .ehr
                .search(&PatientQuery {
                    mrn: Some(mrn.to_string()),
                    ..Default::default()
                })
                .await?;
            match found.as_slice() {
                [one]
                    if list.patient_ids.contains(&one.id)
                        || result.added.iter().any(|a| a.id == one.id) =>
                {
                    result.already_on_list += 1
                }
                [one] => result.added.push(one.clone()),
                _ => result.not_found.push(mrn.to_string()),
            }
        }
        if !result.added.is_empty() {
            let ids: Vec<String> = result.added.iter().map(|a| a.id.clone()).collect();
            self.change_list(id, list.team_id, ListChange::Add(&ids))
                .await?;
        }
        for added in &result.added {
            let detail = format!("list {id} (imported by MRN)");
            self.audit(session, AuditAction::PatientAdded, Some(&added.id), detail)
                .await?;
        }
        Ok(result)
    }
}
