//! Changing patient lists: every change is stored with an event for each member of the
//! team, so every open client sees it at once.

use uuid::Uuid;

use super::{Domain, DomainError, DomainResult, Session};
use crate::model::{
    AuditAction, EventKind, ImportOutcome, ImportRow, Imported, PatientList, PatientQuery,
    PatientSummary,
};

/// MRNs one import takes: a ward's census is tens, a hospital's admissions of a day are
/// hundreds; more is a mistake or an attack on the EHR.
const MAX_IMPORT: usize = 1_000;
/// Searches one import keeps waiting at once.
const IMPORT_IN_FLIGHT: usize = 16;
use crate::server::store::{ListChange, ListChanged};

pub(super) fn check_name(name: &str) -> DomainResult<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 80 {
        return Err(DomainError::Invalid(
            "A list needs a name of 1 to 80 characters.".into(),
        ));
    }
    Ok(name.to_string())
}

/// Refuses to change by hand a list its source keeps: the census would undo it.
fn kept_by_hand(list: &PatientList) -> DomainResult<()> {
    match &list.source {
        None => Ok(()),
        Some(source) => Err(DomainError::Conflict(format!(
            "\"{}\" follows {}: patients come and go with it. Duplicate the list to keep one by hand.",
            list.name,
            match source {
                crate::model::ListSource::Census { location_name, .. } =>
                    format!("the census of {location_name}"),
                crate::model::ListSource::FhirList { title, .. } =>
                    format!("the EHR list {title}"),
            }
        ))),
    }
}

impl Domain {
    /// `name` checked, and free among `team`'s lists (but for `except`, being renamed):
    /// two lists of one name leave scripts (`export --list NAME`) unable to say which.
    pub(super) async fn fresh_name(
        &self,
        session: &Session,
        team: Uuid,
        name: &str,
        except: Option<Uuid>,
    ) -> DomainResult<String> {
        let name = check_name(name)?;
        let taken = self
            .store
            .lists_for(session.user.id)
            .await?
            .into_iter()
            .any(|l| {
                l.team_id == team && Some(l.id) != except && l.name.eq_ignore_ascii_case(&name)
            });
        if taken {
            return Err(DomainError::Conflict(format!(
                "The team has a list called \"{name}\" already: choose another name."
            )));
        }
        Ok(name)
    }

    /// The team a new list is for: the one named, if the caller is on it, else their first.
    pub(super) async fn choose_team(
        &self,
        session: &Session,
        team: Option<Uuid>,
    ) -> DomainResult<Uuid> {
        let teams = self.store.teams_of(session.user.id).await?;
        let team = match team {
            Some(t) => teams.iter().find(|x| x.id == t).ok_or_else(|| {
                DomainError::Forbidden("You are not a member of that team.".into())
            })?,
            None => teams
                .first()
                .ok_or_else(|| DomainError::Forbidden("You are not on any team.".into()))?,
        };
        Ok(team.id)
    }

    /// Makes one change to a list of `team` and tells every member of the team what the
    /// list now is.
    pub(super) async fn change_list(
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
        let team = self.choose_team(session, team).await?;
        let naming = self.list_names.lock().await;
        let list = PatientList {
            id: Uuid::new_v4(),
            team_id: team,
            name: self.fresh_name(session, team, name, None).await?,
            patient_ids: Vec::new(),
            ..Default::default()
        };
        let list = self
            .change_list(list.id, team, ListChange::Create(&list))
            .await?
            .list;
        drop(naming);
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
        let naming = self.list_names.lock().await;
        let name = self
            .fresh_name(session, list.team_id, name, Some(id))
            .await?;
        let list = self
            .change_list(id, list.team_id, ListChange::Rename(&name))
            .await?
            .list;
        drop(naming);
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
        let naming = self.list_names.lock().await;
        // A copy is kept by hand: it takes the patients on the list now, not its source.
        let copy = PatientList {
            id: Uuid::new_v4(),
            name: self
                .fresh_name(session, original.team_id, name, None)
                .await?,
            patient_ids: original
                .patient_ids
                .iter()
                .filter(|p| original.mark(p).gone_at.is_none())
                .cloned()
                .collect(),
            source: None,
            marks: Default::default(),
            ..original
        };
        let copy = self
            .change_list(copy.id, copy.team_id, ListChange::Create(&copy))
            .await?
            .list;
        drop(naming);
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
        kept_by_hand(&list)?;
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
        kept_by_hand(&list)?;
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

    /// Adds the patients these MRNs name, each as soon as the EHR finds it (so a slow
    /// EHR shows the list filling, and a dropped request keeps what was found), with the
    /// searches in flight together. Runs to the end even when the caller goes away.
    pub async fn import_mrns(
        &self,
        session: &Session,
        id: Uuid,
        mrns: &[String],
    ) -> DomainResult<Imported> {
        // Each MRN once, in the order first given: a repeat is not news about the list.
        let mut seen = std::collections::HashSet::new();
        let mrns: Vec<String> = mrns
            .iter()
            .map(|m| m.trim().to_string())
            .filter(|m| !m.is_empty() && seen.insert(m.clone()))
            .collect();
        if mrns.len() > MAX_IMPORT {
            return Err(DomainError::Invalid(format!(
                "An import takes at most {MAX_IMPORT} MRNs; split the file."
            )));
        }
        if let Some(long) = mrns.iter().find(|m| m.chars().count() > 64) {
            return Err(DomainError::Invalid(format!(
                "\"{}…\" is not an MRN (at most 64 characters).",
                long.chars().take(20).collect::<String>()
            )));
        }
        let list = self.team_list(session, id).await?;
        kept_by_hand(&list)?;
        let (domain, session) = (self.clone(), session.clone());
        tokio::spawn(async move { domain.import_found(&session, &list, mrns).await })
            .await
            .map_err(|e| {
                DomainError::Store(crate::server::store::StoreError::Corrupt(e.to_string()))
            })?
    }

    async fn import_found(
        &self,
        session: &Session,
        list: &PatientList,
        mrns: Vec<String>,
    ) -> DomainResult<Imported> {
        use futures_util::StreamExt as _;
        let ehr = self.ehr.clone();
        let searches = futures_util::stream::iter(mrns.clone().into_iter().enumerate())
            .map(move |(i, mrn)| {
                let ehr = ehr.clone();
                async move {
                    let query = PatientQuery {
                        mrn: Some(mrn),
                        ..Default::default()
                    };
                    (i, ehr.search(&query).await)
                }
            })
            // The EHR source bounds the requests in flight; this bounds the waiting.
            .buffer_unordered(IMPORT_IN_FLIGHT);
        futures_util::pin_mut!(searches);
        let mut rows: Vec<ImportRow> = mrns
            .iter()
            .map(|mrn| ImportRow {
                mrn: mrn.clone(),
                outcome: ImportOutcome::EhrError,
                patient: None,
                detail: None,
            })
            .collect();
        let mut on_list: std::collections::HashSet<String> =
            list.patient_ids.iter().cloned().collect();
        while let Some((i, found)) = searches.next().await {
            let row = &mut rows[i];
            match found {
                Err(e) => row.detail = Some(e.to_string()),
                Ok(found) => match found.as_slice() {
                    [] => row.outcome = ImportOutcome::NotFound,
                    [one] if on_list.contains(&one.id) => {
                        row.outcome = ImportOutcome::AlreadyOnList;
                        row.patient = Some(one.clone());
                    }
                    [one] => {
                        self.change_list(
                            list.id,
                            list.team_id,
                            ListChange::Add(std::slice::from_ref(&one.id)),
                        )
                        .await?;
                        let detail = format!("list {} (imported by MRN)", list.id);
                        self.audit(session, AuditAction::PatientAdded, Some(&one.id), detail)
                            .await?;
                        on_list.insert(one.id.clone());
                        row.outcome = ImportOutcome::Added;
                        row.patient = Some(one.clone());
                    }
                    many => {
                        row.outcome = ImportOutcome::Ambiguous;
                        row.detail = Some(format!("{} patients have this MRN", many.len()));
                    }
                },
            }
        }
        Ok(Imported {
            added: rows
                .iter()
                .filter(|r| r.outcome == ImportOutcome::Added)
                .filter_map(|r| r.patient.clone())
                .collect(),
            not_found: rows
                .iter()
                .filter(|r| {
                    matches!(
                        r.outcome,
                        ImportOutcome::NotFound | ImportOutcome::Ambiguous
                    )
                })
                .map(|r| r.mrn.clone())
                .collect(),
            already_on_list: rows
                .iter()
                .filter(|r| r.outcome == ImportOutcome::AlreadyOnList)
                .count(),
            rows,
        })
    }
}
