//! A handover sheet taken out of wardround: CSV (a row per patient), JSON (the sheet as the
//! server gave it) or Markdown (to print or paste). Every text passes the screen's
//! sanitiser; Markdown's own characters are escaped so a name cannot become a heading.

use std::io::Write;

use chrono::{DateTime, Local, Utc};

use crate::model::{HandoverRow, HandoverSheet, Job, JobAssignee, JobPriority};
use crate::sanitize::sanitize;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Json,
    Markdown,
}

pub fn write(out: &mut impl Write, sheet: &HandoverSheet, format: Format) -> std::io::Result<()> {
    match format {
        Format::Json => {
            let mut value = serde_json::to_value(sheet).unwrap_or_default();
            super::clean_json(&mut value);
            serde_json::to_writer_pretty(&mut *out, &value)?;
            writeln!(out)
        }
        Format::Csv => {
            writeln!(out, "bed,name,news2,plan,plan_by,open_jobs,jobs,discharged")?;
            for row in &sheet.rows {
                let jobs: Vec<String> = row.jobs.iter().map(job_line).collect();
                let fields = [
                    row.bed.clone(),
                    row.name.clone(),
                    row.news2.clone(),
                    row.plan
                        .as_ref()
                        .map(|p| p.text.clone())
                        .unwrap_or_default(),
                    row.plan
                        .as_ref()
                        .map(|p| format!("{} {}", p.written_by.display_name, iso(p.written_at)))
                        .unwrap_or_default(),
                    row.jobs.len().to_string(),
                    jobs.join("\n"),
                    row.discharged_at.map(iso).unwrap_or_default(),
                ];
                let fields: Vec<String> = fields.iter().map(|f| super::csv_field(f)).collect();
                writeln!(out, "{}", fields.join(","))?;
            }
            Ok(())
        }
        Format::Markdown => markdown(out, sheet),
    }
}

fn markdown(out: &mut impl Write, sheet: &HandoverSheet) -> std::io::Result<()> {
    writeln!(
        out,
        "# Handover: {}\n\n{} · {} patients · {} open jobs\n",
        md(&sheet.list),
        local(sheet.at),
        sheet.rows.len(),
        sheet.rows.iter().map(|r| r.jobs.len()).sum::<usize>()
    )?;
    for row in &sheet.rows {
        patient(out, row)?;
    }
    Ok(())
}

fn patient(out: &mut impl Write, row: &HandoverRow) -> std::io::Result<()> {
    let gone = row
        .discharged_at
        .map(|t| format!(" · discharged {}", local(t)))
        .unwrap_or_default();
    writeln!(
        out,
        "## {} · {} · NEWS2 {}{gone}\n",
        md(&row.bed),
        md(&row.name),
        md(&row.news2)
    )?;
    match &row.plan {
        Some(plan) => {
            writeln!(
                out,
                "Plan ({}, {}):\n",
                md(&plan.written_by.display_name),
                local(plan.written_at)
            )?;
            for line in plan.text.lines() {
                writeln!(out, "> {}", md(line))?;
            }
            writeln!(out)?;
        }
        None => writeln!(out, "No plan written.\n")?,
    }
    if row.jobs.is_empty() {
        writeln!(out, "No open jobs.\n")?;
    } else {
        for job in &row.jobs {
            writeln!(out, "- [ ] {}", md(&job_line(job)))?;
        }
        writeln!(out)?;
    }
    Ok(())
}

/// `Repeat potassium — Alex Morgan, due 14:00 1 Dec, urgent, OVERDUE`.
fn job_line(job: &Job) -> String {
    let mut parts = vec![match &job.assignee {
        JobAssignee::User { .. } => job.assignee.name().to_string(),
        JobAssignee::Role { .. } => format!("role: {}", job.assignee.name()),
    }];
    if let Some(due) = job.due_at {
        parts.push(format!("due {}", local(due)));
    }
    if job.priority != JobPriority::Routine {
        parts.push(job.priority.as_str().to_string());
    }
    if job.overdue {
        parts.push("OVERDUE".into());
    }
    format!("{} — {}", job.text, parts.join(", "))
}

fn iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// In the workstation's time: a sheet is read on the ward.
fn local(t: DateTime<Utc>) -> String {
    t.with_timezone(&Local).format("%H:%M %-d %b").to_string()
}

/// Sanitised, with Markdown's active characters escaped.
fn md(text: &str) -> String {
    let mut out = String::new();
    for c in sanitize(text).chars() {
        if matches!(
            c,
            '\\' | '`'
                | '*'
                | '_'
                | '{'
                | '}'
                | '['
                | ']'
                | '<'
                | '>'
                | '('
                | ')'
                | '#'
                | '+'
                | '!'
                | '|'
                | '~'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Member, Plan};
    use uuid::Uuid;

    fn sheet() -> HandoverSheet {
        let at = DateTime::parse_from_rfc3339("2026-12-01T18:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let who = Member {
            id: Uuid::from_u128(1),
            display_name: "Dr Priya Shah".into(),
            role: "Registrar".into(),
        };
        HandoverSheet {
            list_id: Uuid::from_u128(9),
            list: "4 West".into(),
            at,
            rows: vec![HandoverRow {
                patient: "p1".into(),
                bed: "4W-1".into(),
                name: "# WALSH\u{1b}[2J, Margaret".into(),
                news2: "7".into(),
                news2_score: Some(7),
                discharged_at: None,
                plan: Some(Plan {
                    patient: "p1".into(),
                    text: "Wean O2\n=HYPERLINK(\"x\")".into(),
                    written_by: who.clone(),
                    written_at: at,
                }),
                jobs: vec![Job {
                    id: Uuid::from_u128(2),
                    patient: "p1".into(),
                    text: "Repeat *K+*".into(),
                    assignee: JobAssignee::Role {
                        id: Uuid::from_u128(3),
                        name: "Nurse in charge".into(),
                    },
                    due_at: Some(at),
                    priority: JobPriority::Urgent,
                    status: crate::model::JobStatus::Open,
                    created_by: who,
                    created_at: at,
                    closed_by: None,
                    closed_at: None,
                    cancel_reason: None,
                    message_id: None,
                    conversation_id: None,
                    updated_at: at,
                    overdue: true,
                    mine: false,
                }],
            }],
        }
    }

    fn written(format: Format) -> String {
        let mut out = Vec::new();
        write(&mut out, &sheet(), format).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn markdown_escapes_what_would_become_markup() {
        let md = written(Format::Markdown);
        assert!(
            md.contains("## 4W-1 · \\# WALSH\\[2J, Margaret · NEWS2 7"),
            "{md}"
        );
        assert!(!md.contains('\u{1b}'));
        assert!(md.contains("> Wean O2\n> =HYPERLINK\\(\"x\"\\)"), "{md}");
        assert!(md.contains("- [ ] Repeat \\*K\\+\\* — role: Nurse in charge, due "));
        assert!(md.contains("urgent, OVERDUE"));
    }

    #[test]
    fn csv_keeps_a_plan_in_one_quoted_cell_and_defuses_formulas() {
        let csv = written(Format::Csv);
        let mut lines = csv.lines();
        assert_eq!(
            lines.next(),
            Some("bed,name,news2,plan,plan_by,open_jobs,jobs,discharged")
        );
        assert!(csv.contains("\"Wean O2\n=HYPERLINK(\"\"x\"\")\""), "{csv}");
        assert!(csv.contains(",\"# WALSH[2J, Margaret\","), "{csv}");
        assert!(!csv.contains('\u{1b}'));
    }

    #[test]
    fn json_is_the_sheet_sanitised_with_its_plan_lines() {
        let json: HandoverSheet = serde_json::from_str(&written(Format::Json)).unwrap();
        assert_eq!(json.rows[0].name, "# WALSH[2J, Margaret");
        assert_eq!(
            json.rows[0].plan.as_ref().unwrap().text,
            "Wean O2\n=HYPERLINK(\"x\")"
        );
        assert_eq!(json.rows[0].jobs.len(), 1);
    }
}
