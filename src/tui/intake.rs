//! Where data from outside enters the client's state: every string is sanitized here,
//! once, so nothing drawn later can carry a terminal control sequence.

use crate::model::{
    Cell, CellValue, Conversation, EffectivePolicy, ListRows, Message, PatientDetail,
    PatientSummary, Presentation, SharedView,
};
use crate::sanitize::{expand_tabs, sanitize};

pub fn message(mut m: Message) -> Message {
    m.body = expand_tabs(&sanitize(&m.body));
    m.sender_name = sanitize(&m.sender_name);
    m
}

pub fn policy(mut p: EffectivePolicy) -> EffectivePolicy {
    p.policy.name = sanitize(&p.policy.name);
    p.source = sanitize(&p.source);
    p
}

pub fn conversation(mut c: Conversation) -> Conversation {
    c.title = sanitize(&c.title);
    c.subject = c.subject.map(|s| sanitize(&s));
    for member in &mut c.members {
        member.display_name = sanitize(&member.display_name);
        member.role = sanitize(&member.role);
    }
    c
}

pub fn rows(mut r: ListRows) -> ListRows {
    r.list.name = sanitize(&r.list.name);
    for row in &mut r.rows {
        for cell in row.columns.values_mut() {
            clean_cell(cell);
        }
    }
    r
}

fn clean_cell(cell: &mut Cell) {
    // Cells are one line: a newline from the EHR would break the table.
    cell.text = sanitize(&cell.text).replace(['\n', '\t'], " ");
    if let Some(CellValue::Text(t)) = &mut cell.value {
        *t = sanitize(t);
    }
}

pub fn detail(mut d: PatientDetail) -> PatientDetail {
    // Round-trip through JSON so every string, however nested, passes the sanitizer.
    if let Ok(mut v) = serde_json::to_value(&d) {
        clean_json(&mut v);
        if let Ok(clean) = serde_json::from_value(v) {
            d = clean;
        }
    }
    d
}

fn clean_json(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::String(s) => *s = sanitize(s).replace(['\n', '\t'], " "),
        serde_json::Value::Array(a) => a.iter_mut().for_each(clean_json),
        serde_json::Value::Object(o) => o.values_mut().for_each(clean_json),
        _ => {}
    }
}

pub fn summary(mut s: PatientSummary) -> PatientSummary {
    for field in [&mut s.name, &mut s.mrn, &mut s.birth_date, &mut s.sex] {
        *field = sanitize(field).replace(['\n', '\t'], " ");
    }
    s
}

pub fn presentation(mut p: Presentation) -> Presentation {
    for m in std::iter::once(&mut p.presenter)
        .chain(std::iter::once(&mut p.controller))
        .chain(&mut p.followers)
    {
        m.display_name = sanitize(&m.display_name);
        m.role = sanitize(&m.role);
    }
    if let Some(v) = &mut p.view {
        v.patient = v.patient.as_deref().map(sanitize);
    }
    p
}

pub fn shared_view(mut v: SharedView) -> SharedView {
    v.patient = v.patient.as_deref().map(sanitize);
    v
}
