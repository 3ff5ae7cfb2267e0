//! Lists that keep themselves from the EHR: a ward's census (who has an in-progress
//! inpatient stay there, in any room or bed of it) or one of the EHR's own patient lists.
//! Each is asked again every `[ehr] census_refresh_secs` and on "fetch latest"; what
//! changed reaches everyone with the list open at once, and each change is an audit row
//! in the census's name, not a user's.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};

use chrono::{DateTime, Local, Utc};
use uuid::Uuid;

use super::{Domain, DomainError, DomainResult, Session};
use crate::fhir::census::{Census, LocationRef};
use crate::fhir::PatientChart;
use crate::model::{AuditAction, ListSource, PatientList};
use crate::server::store::{ListChange, SourceMoves};

/// Census lists asked at once by the periodic refresh.
const CENSUSES_AT_ONCE: usize = 8;

/// Who the audit log says made a census's changes.
pub const CENSUS_ACTOR: &str = "census";

/// Where a new list is to keep itself from, as asked.
#[derive(Debug, Clone)]
pub enum NewSource {
    /// A location: `Location/ID`, `system|value` or its name.
    Census(String),
    /// `List/ID` or `List?code=…`.
    FhirList(String),
}

type Beds = HashMap<Uuid, HashMap<String, Option<String>>>;

/// What the census said last, by list: each patient's bed, so that a changed bed is seen
/// as a transfer. Memory only; after a restart the first census sets it again.
#[derive(Default)]
pub(super) struct Censuses {
    beds: Mutex<Beds>,
    /// One refresh of a list at a time: a second waits for the first, then finds nothing
    /// new, rather than auditing the same admission twice.
    running: Mutex<HashMap<Uuid, Arc<tokio::sync::Mutex<()>>>>,
    /// Lists whose census last came back empty while patients were on them: believed
    /// only when the next says so too (see `follow_source`).
    empty_once: Mutex<HashSet<Uuid>>,
    /// Each discharged patient's chart as it was when they left (their last bed and
    /// stay), shown greyed until they go from the list; memory only.
    discharged: Mutex<HashMap<String, Arc<PatientChart>>>,
}

impl Censuses {
    fn beds(&self) -> MutexGuard<'_, Beds> {
        self.beds.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The chart of a discharged patient as they left.
    pub(super) fn as_discharged(&self, patient: &str) -> Option<Arc<PatientChart>> {
        let discharged = self.discharged.lock().unwrap_or_else(|p| p.into_inner());
        discharged.get(patient).cloned()
    }

    fn turn(&self, list: Uuid) -> Arc<tokio::sync::Mutex<()>> {
        let mut running = self.running.lock().unwrap_or_else(|p| p.into_inner());
        running.entry(list).or_default().clone()
    }
}

/// The moves that take `list` to what `census` says, and the patients whose bed changed.
/// A patient gone before `today` (local) leaves the list.
pub fn moves(
    list: &PatientList,
    census: &Census,
    last_beds: Option<&HashMap<String, Option<String>>>,
    now: DateTime<Utc>,
) -> (SourceMoves, Vec<(String, String, String)>) {
    let present: HashSet<&str> = census
        .entries
        .iter()
        .map(|e| e.patient_id.as_str())
        .collect();
    let on_list: HashSet<&str> = list.patient_ids.iter().map(String::as_str).collect();
    let today = now.with_timezone(&Local).date_naive();
    let mut moves = SourceMoves {
        at: now,
        ..SourceMoves::default()
    };
    for e in &census.entries {
        let here = on_list.contains(e.patient_id.as_str());
        if !here || list.mark(&e.patient_id).gone_at.is_some() {
            moves.arrived.push(e.patient_id.clone());
        }
    }
    for p in &list.patient_ids {
        match list.mark(p).gone_at {
            None if !present.contains(p.as_str()) => moves.gone.push(p.clone()),
            Some(at)
                if at.with_timezone(&Local).date_naive() < today
                    && !present.contains(p.as_str()) =>
            {
                moves.dropped.push(p.clone())
            }
            _ => {}
        }
    }
    let transfers: Vec<(String, String, String)> = census
        .entries
        .iter()
        .filter(|e| on_list.contains(e.patient_id.as_str()))
        .filter_map(|e| {
            let before = last_beds?.get(&e.patient_id)?.clone()?;
            let after = e.bed.clone()?;
            (before != after).then(|| (e.patient_id.clone(), before, after))
        })
        .collect();
    moves.moved = !transfers.is_empty();
    (moves, transfers)
}

impl Domain {
    /// A list for one of the caller's teams that keeps itself from the EHR. The EHR is
    /// asked now: a ward it cannot find is an error while the user is there to read it.
    pub async fn new_sourced_list(
        &self,
        session: &Session,
        team: Option<Uuid>,
        name: &str,
        source: NewSource,
    ) -> DomainResult<PatientList> {
        let team = self.choose_team(session, team).await?;
        super::list_changes::check_name(name)?;
        let (source, census) = self.read_source(source).await?;
        // The name is checked and taken in one turn, after the EHR has answered: two
        // requests at once cannot both find it free.
        let naming = self.list_names.lock().await;
        let name = self.fresh_name(session, team, name, None).await?;
        let list = self.insert_sourced(team, &name, source, &census).await?;
        drop(naming);
        let detail = format!(
            "list {} following {} ({} patients)",
            list.id,
            census_name(&list),
            list.patient_ids.len()
        );
        self.audit(session, AuditAction::ListCreated, None, detail)
            .await?;
        Ok(list)
    }

    /// A list for `team` kept from `source`, with whoever the source lists now (none of
    /// them new): the demo's seed.
    pub async fn create_sourced_list(
        &self,
        team: Uuid,
        name: &str,
        source: NewSource,
    ) -> DomainResult<PatientList> {
        let name = super::list_changes::check_name(name)?;
        let (source, census) = self.read_source(source).await?;
        self.insert_sourced(team, &name, source, &census).await
    }

    /// What `source` names, asked of the EHR once its text has been checked.
    async fn read_source(&self, source: NewSource) -> DomainResult<(ListSource, Census)> {
        check_source(&source)?;
        Ok(match source {
            NewSource::Census(location) => {
                let census = self.ehr.census(&LocationRef::parse(&location)).await?;
                let source = ListSource::Census {
                    location: location.trim().to_string(),
                    location_id: census.reference.clone(),
                    location_name: census.location_name.clone(),
                };
                (source, census)
            }
            NewSource::FhirList(reference) => {
                let census = self.ehr.patient_list(&reference).await?;
                let source = ListSource::FhirList {
                    reference: reference.trim().to_string(),
                    title: census.location_name.clone(),
                };
                (source, census)
            }
        })
    }

    async fn insert_sourced(
        &self,
        team: Uuid,
        name: &str,
        source: ListSource,
        census: &Census,
    ) -> DomainResult<PatientList> {
        let list = PatientList {
            id: Uuid::new_v4(),
            team_id: team,
            name: name.to_string(),
            patient_ids: census
                .entries
                .iter()
                .map(|e| e.patient_id.clone())
                .collect(),
            source: Some(source),
            marks: Default::default(),
        };
        let list = self
            .change_list(list.id, team, ListChange::Create(&list))
            .await?
            .list;
        self.remember(&list, census);
        Ok(list)
    }

    /// Asks the EHR again for every list that keeps itself from it; a list whose source
    /// fails is logged and left as it was. How many lists changed.
    pub async fn refresh_sources(&self) -> usize {
        let lists = match self.store.sourced_lists().await {
            Ok(lists) => lists,
            Err(e) => {
                tracing::warn!(error = %e, "listing the census lists");
                return 0;
            }
        };
        use futures_util::StreamExt as _;
        let outcomes: Vec<bool> = futures_util::stream::iter(lists)
            .map(|list| async move {
                match self.follow_source(list.id).await {
                    Ok(changed) => changed,
                    // The EHR's words, with no patient in them: the list's id and the reason.
                    Err(e) => {
                        tracing::warn!(list = %list.id, error = %e, "census not read");
                        false
                    }
                }
            })
            // A hospital's wards together, within the EHR's own limit on requests.
            .buffer_unordered(CENSUSES_AT_ONCE)
            .collect()
            .await;
        outcomes.into_iter().filter(|c| *c).count()
    }

    /// Every `every`, [`Domain::refresh_sources`].
    pub async fn census_loop(self, every: std::time::Duration) {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            self.refresh_sources().await;
        }
    }

    /// Brings one list in line with its source; `true` when anything changed.
    pub(super) async fn follow_source(&self, list_id: Uuid) -> DomainResult<bool> {
        let turn = self.census.turn(list_id);
        // A refresh already under way answers for this one too: forty presses of `R`
        // ask the EHR once or twice, not forty times one after another.
        let _turn = match turn.try_lock() {
            Ok(turn) => turn,
            Err(_) => {
                drop(turn.lock().await);
                return Ok(false);
            }
        };
        // Read under the turn: the list as the previous refresh left it.
        let Some(list) = self.store.list(list_id).await? else {
            return Ok(false);
        };
        let census = match &list.source {
            None => return Ok(false),
            Some(ListSource::Census { location_id, .. }) => {
                self.ehr.census(&LocationRef::parse(location_id)).await?
            }
            Some(ListSource::FhirList { reference, .. }) => {
                self.ehr.patient_list(reference).await?
            }
        };
        // An EHR glitch (a search answered empty) must not discharge a whole ward: an
        // empty census of a list with patients is believed the second time running.
        let present = list
            .patient_ids
            .iter()
            .filter(|p| list.mark(p).gone_at.is_none())
            .count();
        {
            let mut empty_once = self
                .census
                .empty_once
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            if census.entries.is_empty() && present > 0 && empty_once.insert(list.id) {
                tracing::warn!(list = %list.id, "the census came back empty; believed if it does again");
                return Ok(false);
            }
            if !census.entries.is_empty() {
                empty_once.remove(&list.id);
            }
        }
        let last = self.census.beds().get(&list.id).cloned();
        let (moves, transfers) = moves(&list, &census, last.as_ref(), self.clock.now());
        self.remember(&list, &census);
        if moves.arrived.is_empty()
            && moves.gone.is_empty()
            && moves.dropped.is_empty()
            && !moves.moved
        {
            return Ok(false);
        }
        // A moved patient's chart is read again, so the bed shows where they are now.
        let moved: Vec<String> = transfers.iter().map(|(p, _, _)| p.clone()).collect();
        if !moved.is_empty() {
            self.reads.forget_failures(Some(&moved));
            self.ehr.forget(Some(&moved)).await;
        }
        {
            let mut discharged = self
                .census
                .discharged
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            for p in &moves.gone {
                if let Some(chart) = self.reads.last_known(p) {
                    discharged.insert(p.clone(), chart);
                }
            }
            for p in moves.dropped.iter().chain(&moves.arrived) {
                discharged.remove(p);
            }
        }
        // Arrivals are read afresh: a failure remembered from before they came (a chart
        // the EHR could not give yesterday) must not stand for them now.
        if !moves.arrived.is_empty() {
            self.reads.forget_failures(Some(&moves.arrived));
            self.ehr.forget(Some(&moves.arrived)).await;
        }
        let changed = self
            .change_list(list.id, list.team_id, ListChange::Follow(&moves))
            .await?;
        if !changed.changed {
            return Ok(false);
        }
        let at = |p: &str| {
            census
                .entries
                .iter()
                .find(|e| e.patient_id == p)
                .and_then(|e| e.bed.clone())
                .map(|b| format!(", {b}"))
                .unwrap_or_default()
        };
        let from = census_name(&list);
        for p in &moves.arrived {
            let detail = format!("list {} ({from}{})", list.id, at(p));
            self.audit(CENSUS_ACTOR, AuditAction::PatientAdmitted, Some(p), detail)
                .await?;
        }
        for p in &moves.gone {
            let detail = format!("list {} (no longer in {from})", list.id);
            self.audit(
                CENSUS_ACTOR,
                AuditAction::PatientDischarged,
                Some(p),
                detail,
            )
            .await?;
        }
        for p in &moves.dropped {
            let detail = format!("list {} (gone from {from} since before today)", list.id);
            self.audit(CENSUS_ACTOR, AuditAction::PatientRemoved, Some(p), detail)
                .await?;
        }
        for (p, before, after) in &transfers {
            let detail = format!("list {} ({before} → {after})", list.id);
            self.audit(
                CENSUS_ACTOR,
                AuditAction::PatientTransferred,
                Some(p),
                detail,
            )
            .await?;
        }
        Ok(true)
    }

    /// Keeps what the census said: the beds (to see transfers) and the patients it sent,
    /// to stand in for their charts until those are read.
    fn remember(&self, list: &PatientList, census: &Census) {
        let ward = match &list.source {
            Some(ListSource::Census { location_name, .. }) => location_name.as_str(),
            _ => "",
        };
        for e in &census.entries {
            if let Some(chart) = e.stand_in(ward) {
                self.reads.stand_in(&e.patient_id, chart);
            }
        }
        let beds = census
            .entries
            .iter()
            .map(|e| (e.patient_id.clone(), e.bed.clone()))
            .collect();
        self.census.beds().insert(list.id, beds);
    }

    /// Someone selected a patient the census brought: they are no longer new to anyone.
    pub async fn mark_seen(
        &self,
        session: &Session,
        list_id: Uuid,
        patient: &str,
    ) -> DomainResult<PatientList> {
        let list = self.team_list(session, list_id).await?;
        if !list.patient_ids.iter().any(|p| p == patient) {
            return Err(DomainError::NotFound(
                "That patient is not on this list.".into(),
            ));
        }
        if !list.mark(patient).new {
            return Ok(list);
        }
        Ok(self
            .change_list(list.id, list.team_id, ListChange::Seen(patient))
            .await?
            .list)
    }
}

impl Domain {
    /// Locations whose name starts with `name`, to choose the ward a census list follows:
    /// for members of a care team, as searching the EHR is.
    pub async fn find_locations(
        &self,
        session: &Session,
        name: &str,
    ) -> DomainResult<Vec<crate::fhir::census::FoundLocation>> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 80 {
            return Err(DomainError::Invalid(
                "Search for a ward by 1 to 80 characters of its name.".into(),
            ));
        }
        if self.store.teams_of(session.user.id).await?.is_empty() {
            return Err(DomainError::Forbidden(
                "Finding wards is for members of a care team; ask IT to add you to one.".into(),
            ));
        }
        Ok(self.ehr.find_locations(name).await?)
    }
}

/// The longest location or List reference taken: an identifier or a name is tens of
/// characters; more is a mistake or an attack on the EHR's URLs.
const MOST_SOURCE_CHARS: usize = 200;

/// Search parameters a `List?…` source may use: ways of naming one List, nothing that
/// makes the EHR fetch more (`_include`, `_revinclude`) or answer otherwise (`_format`).
const LIST_SEARCH_PARAMETERS: &[&str] = &[
    "code",
    "identifier",
    "subject",
    "patient",
    "title",
    "status",
    "_id",
    "encounter",
    "source",
];

/// Refuses, before the EHR is asked, a source that cannot name a location or a List.
fn check_source(source: &NewSource) -> DomainResult<()> {
    let (text, what, forms) = match source {
        NewSource::Census(t) => (
            t.trim(),
            "A census needs a ward",
            "its name, Location/ID or system|value",
        ),
        NewSource::FhirList(t) => (
            t.trim(),
            "An EHR list needs a List",
            "List/ID or List?code=…",
        ),
    };
    let invalid = |why: String| Err(DomainError::Invalid(why));
    if text.is_empty() || text.chars().count() > MOST_SOURCE_CHARS {
        return invalid(format!(
            "{what}: 1 to {MOST_SOURCE_CHARS} characters ({forms})."
        ));
    }
    if text.chars().any(char::is_control) {
        return invalid(format!("{what} without control characters."));
    }
    let is_id = crate::fhir::http::is_fhir_id;
    match source {
        NewSource::Census(_) => match text.strip_prefix("Location/") {
            Some(id) if !is_id(id) => invalid(format!(
                "\"{id}\" is not a FHIR id (letters, digits, - and ., up to 64)."
            )),
            _ => Ok(()),
        },
        NewSource::FhirList(_) => {
            if let Some(id) = text.strip_prefix("List/") {
                return if is_id(id) {
                    Ok(())
                } else {
                    invalid(format!(
                        "\"{id}\" is not a FHIR id (letters, digits, - and ., up to 64)."
                    ))
                };
            }
            let Some(query) = text.strip_prefix("List?") else {
                return invalid("An EHR list is List/ID or a search such as List?code=x".into());
            };
            for pair in query.split('&') {
                let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
                if !LIST_SEARCH_PARAMETERS.contains(&name) {
                    return invalid(format!(
                        "A List search by {}, not \"{name}\".",
                        LIST_SEARCH_PARAMETERS.join(", ")
                    ));
                }
                if value.is_empty() || value.contains(['#', ' ', '?']) {
                    return invalid(format!("\"{pair}\" needs a plain value."));
                }
            }
            Ok(())
        }
    }
}

/// The source as the audit log and messages name it.
fn census_name(list: &PatientList) -> String {
    match &list.source {
        Some(ListSource::Census {
            location_id,
            location_name,
            ..
        }) => format!("the census of {location_name} ({location_id})"),
        Some(ListSource::FhirList { reference, title }) => {
            format!("the EHR list {title} ({reference})")
        }
        None => "no source".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fhir::census::CensusEntry;
    use crate::model::EntryMark;

    fn census(who: &[(&str, &str)]) -> Census {
        Census {
            reference: "Location/w".into(),
            location_id: "w".into(),
            location_name: "4 West".into(),
            entries: who
                .iter()
                .map(|(p, bed)| CensusEntry {
                    patient_id: p.to_string(),
                    encounter_id: None,
                    bed: Some(bed.to_string()),
                    patient: None,
                })
                .collect(),
        }
    }

    fn list(ids: &[&str]) -> PatientList {
        PatientList {
            patient_ids: ids.iter().map(|s| s.to_string()).collect(),
            ..PatientList::default()
        }
    }

    #[test]
    fn an_admission_arrives_a_discharge_goes_and_a_new_bed_is_a_transfer() {
        let now = Utc::now();
        let list = list(&["a", "b"]);
        let last = HashMap::from([
            ("a".to_string(), Some("4W-1".to_string())),
            ("b".to_string(), Some("4W-2".to_string())),
        ]);
        let (found, transfers) = moves(
            &list,
            &census(&[("a", "4W-3"), ("c", "4W-2")]),
            Some(&last),
            now,
        );
        assert_eq!(found.arrived, vec!["c"]);
        assert_eq!(found.gone, vec!["b"]);
        assert!(found.dropped.is_empty());
        assert_eq!(transfers, vec![("a".into(), "4W-1".into(), "4W-3".into())]);
        assert!(found.moved);
    }

    #[test]
    fn a_discharge_stays_for_the_day_then_leaves_and_a_readmission_comes_back() {
        let now = Utc::now();
        let mut list = list(&["a", "b"]);
        let gone = |at| EntryMark {
            new: false,
            gone_at: Some(at),
        };
        list.marks.insert("a".into(), gone(now));
        list.marks
            .insert("b".into(), gone(now - chrono::Duration::days(2)));
        let (empty, _) = moves(&list, &census(&[]), None, now);
        assert!(empty.gone.is_empty(), "already gone: not gone again");
        assert_eq!(empty.dropped, vec!["b"], "gone before today leaves");
        let (back, _) = moves(&list, &census(&[("a", "4W-1"), ("b", "4W-2")]), None, now);
        assert_eq!(back.arrived, vec!["a", "b"], "back again: arrives again");
        assert!(back.dropped.is_empty());
    }
}
