//! Jobs as FHIR R4 `Task` resources, one per line (NDJSON, as FHIR bulk data writes them),
//! for another system to take the round's work in.
//!
//! Priorities map onto R4's request-priority codes, which rank routine < urgent < asap <
//! stat: routine → routine, soon → urgent, urgent → asap. An open job is `ready` (assigned,
//! not begun); done is `completed`; cancelled is `cancelled` with its reason.

use std::io::Write;

use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};

use crate::model::{Job, JobAssignee, JobPriority, JobStatus, Member};
use crate::sanitize::sanitize;

pub fn write(out: &mut impl Write, jobs: &[Job]) -> std::io::Result<()> {
    for job in jobs {
        serde_json::to_writer(&mut *out, &task(job))?;
        writeln!(out)?;
    }
    Ok(())
}

pub fn task(job: &Job) -> Value {
    let mut task = Map::new();
    task.insert("resourceType".into(), json!("Task"));
    task.insert("id".into(), json!(job.id.to_string()));
    task.insert(
        "identifier".into(),
        json!([{"system": "urn:ietf:rfc:3986", "value": format!("urn:uuid:{}", job.id)}]),
    );
    task.insert(
        "status".into(),
        json!(match job.status {
            JobStatus::Open => "ready",
            JobStatus::Done => "completed",
            JobStatus::Cancelled => "cancelled",
        }),
    );
    if let Some(reason) = &job.cancel_reason {
        task.insert("statusReason".into(), json!({"text": sanitize(reason)}));
    }
    task.insert("intent".into(), json!("order"));
    task.insert(
        "priority".into(),
        json!(match job.priority {
            JobPriority::Routine => "routine",
            JobPriority::Soon => "urgent",
            JobPriority::Urgent => "asap",
        }),
    );
    task.insert("description".into(), json!(sanitize(&job.text)));
    task.insert(
        "for".into(),
        json!({"reference": format!("Patient/{}", job.patient)}),
    );
    task.insert("authoredOn".into(), json!(instant(job.created_at)));
    task.insert("lastModified".into(), json!(instant(job.updated_at)));
    task.insert("requester".into(), person(&job.created_by));
    task.insert(
        "owner".into(),
        match &job.assignee {
            JobAssignee::User {
                id, display_name, ..
            } => json!({
                "type": "Practitioner",
                "identifier": {"system": "urn:wardround:user", "value": id.to_string()},
                "display": sanitize(display_name),
            }),
            JobAssignee::Role { id, .. } => json!({
                "type": "PractitionerRole",
                "identifier": {"system": "urn:wardround:role", "value": id.to_string()},
                "display": sanitize(job.assignee.name()),
            }),
        },
    );
    let mut period = Map::new();
    period.insert("start".into(), json!(instant(job.created_at)));
    if let Some(end) = job.closed_at {
        period.insert("end".into(), json!(instant(end)));
    }
    task.insert("executionPeriod".into(), Value::Object(period));
    if let Some(due) = job.due_at {
        task.insert(
            "restriction".into(),
            json!({"period": {"end": instant(due)}}),
        );
    }
    if let Some(message) = job.message_id {
        task.insert(
            "note".into(),
            json!([{"text": format!("Made from wardround chat message urn:uuid:{message}")}]),
        );
    }
    Value::Object(task)
}

fn person(m: &Member) -> Value {
    json!({
        "type": "Practitioner",
        "identifier": {"system": "urn:wardround:user", "value": m.id.to_string()},
        "display": sanitize(&m.display_name),
    })
}

/// A FHIR dateTime to the second, in UTC.
fn instant(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
