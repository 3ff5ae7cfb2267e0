//! Who did what to which patient, in the hash-chained log; checking the chain; and the log
//! as FHIR R4 AuditEvents shaped after IHE BALP (PatientRead, PatientQuery).

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use super::{Domain, DomainError, DomainResult};
use crate::model::{AuditAct, AuditAction, AuditEntry, AuditVerdict, AUDIT_GENESIS};
use crate::server::audit_key::Checkpoint;

/// Who acted, and from where: a session's user at their workstation, or (from a bare
/// name) the server itself.
pub struct Actor<'a> {
    pub name: &'a str,
    pub workstation: &'a str,
}

impl<'a> From<&'a super::Session> for Actor<'a> {
    fn from(s: &'a super::Session) -> Self {
        Actor {
            name: &s.user.username,
            workstation: &s.workstation,
        }
    }
}

impl<'a> From<&'a str> for Actor<'a> {
    fn from(name: &'a str) -> Self {
        Actor {
            name,
            workstation: "",
        }
    }
}
use crate::server::store::AuditFilter;

const PAGE: u32 = 1000;

impl Domain {
    /// Records an act. A request whose act cannot be recorded fails: an unaudited read of
    /// a patient is worse than a refused one.
    pub(crate) async fn audit<'a>(
        &self,
        actor: impl Into<Actor<'a>>,
        action: AuditAction,
        patient: Option<&str>,
        detail: impl AsRef<str>,
    ) -> DomainResult<()> {
        let actor = actor.into();
        let act = AuditAct {
            at: self.clock.now(),
            actor: actor.name,
            workstation: actor.workstation,
            action,
            patient,
            detail: detail.as_ref(),
        };
        Ok(self.store.append_audit(&act).await?)
    }

    pub async fn audit_query(
        &self,
        actor: Option<String>,
        patient: Option<String>,
        since: Option<DateTime<Utc>>,
    ) -> DomainResult<Vec<AuditEntry>> {
        let mut out = Vec::new();
        let mut filter = AuditFilter {
            actor,
            patient,
            since,
            after: 0,
            limit: PAGE,
        };
        loop {
            let page = self.store.audit_entries(&filter).await?;
            let full = page.len() == PAGE as usize;
            filter.after = page.last().map_or(filter.after, |e| e.seq);
            out.extend(page);
            if !full {
                return Ok(out);
            }
        }
    }

    /// Walks the whole chain and holds it against the checkpoints written outside the
    /// database: the first row that was changed, follows a removed one, breaks the
    /// numbering, or was made without the key is named, and so are rows missing from the
    /// end.
    pub async fn audit_verify(&self) -> DomainResult<AuditVerdict> {
        let entries = self.audit_query(None, None, None).await?;
        let rows = entries.len() as u64;
        let broken = |seq: i64, problem: String| AuditVerdict {
            rows,
            broken_at: Some(seq),
            problem: Some(problem),
        };
        let mut prev = AUDIT_GENESIS.to_string();
        let mut keyed = false;
        for (n, e) in entries.iter().enumerate() {
            let expected_seq = i64::try_from(n).unwrap_or(i64::MAX) + 1;
            if e.seq != expected_seq {
                return Ok(broken(
                    e.seq,
                    format!("rows {expected_seq} to {} are missing", e.seq - 1),
                ));
            }
            let expected = if e.key_id.is_empty() {
                if keyed {
                    return Ok(broken(
                        e.seq,
                        format!(
                            "row {} is unkeyed among keyed rows: it was rewritten",
                            e.seq
                        ),
                    ));
                }
                e.act().hash(&prev)
            } else {
                keyed = true;
                match self.audit.keys.by_id(&e.key_id) {
                    Some(key) => e.act().mac(key, &prev),
                    None => {
                        return Ok(broken(
                            e.seq,
                            format!(
                            "row {} was made with audit key {}, which this server does not hold",
                            e.seq, e.key_id
                        ),
                        ))
                    }
                }
            };
            if e.prev_hash != prev || e.hash != expected {
                return Ok(broken(
                    e.seq,
                    format!("row {} was changed, or a row before it was removed", e.seq),
                ));
            }
            prev = e.hash.clone();
        }
        let checkpoints = &self.audit.checkpoints;
        let written = checkpoints.read().map_err(DomainError::Invalid)?;
        let last = entries.last().map_or(0, |e| e.seq);
        for c in written {
            let Some(row) = usize::try_from(c.seq - 1).ok().and_then(|i| entries.get(i)) else {
                return Ok(broken(
                    last + 1,
                    format!(
                        "the log ends at row {last}, but row {} was written down at a checkpoint ({}): rows were removed from the end",
                        c.seq,
                        checkpoints.path().display()
                    ),
                ));
            };
            if row.hash != c.mac {
                return Ok(broken(
                    c.seq,
                    format!(
                        "row {} is not the row written down at a checkpoint: the log was rewritten",
                        c.seq
                    ),
                ));
            }
        }
        Ok(AuditVerdict {
            rows,
            broken_at: None,
            problem: None,
        })
    }

    /// Writes the chain's head down outside the database (the checkpoint file, and a log
    /// line), when it moved since `last`; returns the head.
    pub async fn audit_checkpoint(&self, last: Option<i64>) -> DomainResult<Option<i64>> {
        let checkpoints = &self.audit.checkpoints;
        let Some((seq, mac)) = self.store.audit_head().await? else {
            return Ok(last);
        };
        if last == Some(seq) {
            return Ok(last);
        }
        checkpoints
            .record(
                &Checkpoint {
                    seq,
                    mac: mac.clone(),
                },
                self.clock.now(),
            )
            .map_err(|e| {
                DomainError::Invalid(format!(
                    "cannot write the audit checkpoint {}: {e}",
                    checkpoints.path().display()
                ))
            })?;
        tracing::info!(row = seq, mac = %mac, "audit checkpoint");
        Ok(Some(seq))
    }

    /// Whether the log still holds what the last checkpoint wrote down (its row, with
    /// that hash): a quick look at start, so a log cut or rewritten while the server was
    /// down is reported at once rather than at the next `verify`.
    pub async fn audit_matches_last_checkpoint(&self) -> DomainResult<Result<(), String>> {
        let Some(last) = self
            .audit
            .checkpoints
            .read()
            .map_err(DomainError::Invalid)?
            .pop()
        else {
            return Ok(Ok(()));
        };
        let filter = crate::server::store::AuditFilter {
            after: last.seq - 1,
            limit: 1,
            ..Default::default()
        };
        let row = self.store.audit_entries(&filter).await?.pop();
        Ok(match row {
            Some(row) if row.seq == last.seq && row.hash == last.mac => Ok(()),
            Some(row) if row.seq == last.seq => Err(format!(
                "audit row {} is not the row the last checkpoint wrote down: the log was rewritten; run `wardround admin audit verify`",
                last.seq
            )),
            _ => Err(format!(
                "the audit log no longer holds row {}, which the last checkpoint wrote down: rows were removed; run `wardround admin audit verify`",
                last.seq
            )),
        })
    }

    /// Checkpoints the audit chain every minute it moved, and once more as the server stops.
    pub async fn audit_checkpoints(self) {
        const EVERY: std::time::Duration = std::time::Duration::from_secs(60);
        match self.audit_matches_last_checkpoint().await {
            Ok(Ok(())) => {}
            Ok(Err(problem)) => {
                tracing::error!(problem = %problem, "AUDIT LOG TAMPERED")
            }
            Err(e) => tracing::error!(error = %e, "audit checkpoint"),
        }
        let mut last = None;
        loop {
            match self.audit_checkpoint(last).await {
                Ok(head) => last = head,
                Err(e) => tracing::error!(error = %e, "audit checkpoint"),
            }
            tokio::select! {
                _ = tokio::time::sleep(EVERY) => {}
                _ = self.hub.closed() => {
                    if let Err(e) = self.audit_checkpoint(last).await {
                        tracing::error!(error = %e, "audit checkpoint");
                    }
                    return;
                }
            }
        }
    }
}

/// One entry as a FHIR R4 AuditEvent: patient reads and searches as BALP's PatientRead
/// and PatientQuery (RESTful read / search-type), logins as DICOM user authentication,
/// the rest as application activity.
pub fn audit_event(e: &AuditEntry, source: &str) -> Value {
    use AuditAction::*;
    let rest = |code: &str| {
        (
            json!({"system": "http://terminology.hl7.org/CodeSystem/audit-event-type", "code": "rest", "display": "RESTful Operation"}),
            vec![json!({"system": "http://hl7.org/fhir/restful-interaction", "code": code})],
        )
    };
    let dcm = |code: &str, display: &str| {
        (
            json!({"system": "http://dicom.nema.org/resources/ontology/DCM", "code": code, "display": display}),
            Vec::new(),
        )
    };
    let (kind, subtype) = match e.action {
        PatientViewed | ListViewed | HandoverViewed => rest("read"),
        PatientSearched | PatientSearchRefused => rest("search-type"),
        PatientRefreshed => rest("vread"),
        Login | LoginFailed | Logout | Lock | Unlock | UnlockFailed => {
            dcm("110114", "User Authentication")
        }
        ListExported => dcm("110106", "Export"),
        AccountUnlocked | PasswordReset | PasswordChanged | PasswordChangeFailed => {
            dcm("110137", "User Security Attributes Changed")
        }
        _ => dcm("110100", "Application Activity"),
    };
    let action = match e.action {
        ListCreated | MessageSent | JobCreated => "C",
        ListRenamed | ListColumnsEdited | PatientAdded | PatientRemoved | PolicyChanged
        | MessageRead | MessageAcknowledged | JobDone | JobCancelled | JobReassigned
        | JobEdited | PlanWritten => "U",
        ListDeleted => "D",
        PatientViewed | ListViewed | PatientRefreshed | ListExported | HandoverViewed => "R",
        _ => "E",
    };
    let failed = matches!(
        e.action,
        LoginFailed | UnlockFailed | PatientSearchRefused | PasswordChangeFailed
    );
    let mut event = json!({
        "resourceType": "AuditEvent",
        "id": format!("wardround-{}", e.seq),
        "type": kind,
        "action": action,
        "recorded": e.at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "outcome": if failed { "4" } else { "0" },
        "outcomeDesc": e.action.as_str(),
        "agent": [{
            "who": {"identifier": {"system": "urn:wardround:username", "value": e.actor}},
            "requestor": true
        }],
        "source": {"observer": {"display": source}},
        "entity": [{
            "what": {"identifier": {"system": "urn:wardround:audit", "value": e.seq.to_string()}},
            "description": e.detail,
            "detail": [{"type": "hash", "valueString": e.hash}]
        }]
    });
    if !subtype.is_empty() {
        event["subtype"] = Value::Array(subtype);
    }
    // The workstation's address (type 2: IP) as BALP's client agent network.
    if let Some(address) = e.workstation.split_whitespace().next() {
        event["agent"][0]["network"] = json!({"address": address, "type": "2"});
    }
    if let (Some(patient), Some(entities)) = (&e.patient, event["entity"].as_array_mut()) {
        entities.push(json!({
            "what": {"reference": format!("Patient/{patient}")},
            "type": {"system": "http://terminology.hl7.org/CodeSystem/audit-entity-type", "code": "1", "display": "Person"},
            "role": {"system": "http://terminology.hl7.org/CodeSystem/object-role", "code": "1", "display": "Patient"}
        }));
    }
    event
}
