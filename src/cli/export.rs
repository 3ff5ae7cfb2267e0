//! `wardround export`: list rows as JSON or CSV, from a server list (a rounding sheet in
//! the user's columns and sort) or straight from FHIR bundles or the demo ward; a list's
//! handover sheet (`--handover`); its jobs as FHIR R4 Tasks (`--jobs`).

use std::io::Write;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use clap::ValueEnum;
use color_eyre::eyre::{eyre, Result};

use wardround::fhir::BundleSource;
use wardround::model::{ColumnId, SortKey};
use wardround::{demo, export};

use super::lists::log_in_for_list;
use super::Context;

#[derive(clap::Args)]
pub struct Args {
    /// A directory of FHIR Bundles (or single resources) to read.
    #[arg(long, required_unless_present_any = ["demo_ward", "list", "handover", "jobs"])]
    ehr_bundles: Option<PathBuf>,
    /// The generated demo ward instead of a directory.
    #[arg(long, conflicts_with_all = ["ehr_bundles", "list"])]
    demo_ward: bool,
    /// A patient list on the server (by name): a printable rounding sheet, with the
    /// list's columns and sort from your config.
    #[arg(long, conflicts_with = "ehr_bundles")]
    list: Option<String>,
    /// Comma-separated column ids (default: the list's columns, or bed to news2).
    #[arg(long, conflicts_with_all = ["handover", "jobs"])]
    columns: Option<String>,
    /// The list's handover sheet (bed, name, NEWS2, plan, open jobs) as csv, json or md.
    #[arg(long, conflicts_with_all = ["jobs", "ehr_bundles", "demo_ward"])]
    handover: bool,
    /// The jobs on the list's patients (every open one, the newest 2,000 closed): FHIR R4
    /// Tasks (fhir-ndjson, the default) or wardround's own JSON.
    #[arg(long, conflicts_with_all = ["ehr_bundles", "demo_ward"])]
    jobs: bool,
    /// json or csv for rows; csv, json or md for --handover; fhir-ndjson or json for --jobs.
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Compute ages and lengths of stay as of this RFC 3339 instant instead of now.
    #[arg(long)]
    as_of: Option<DateTime<Utc>>,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Json,
    Csv,
    /// Markdown (--handover).
    Md,
    /// FHIR R4 Task resources, one per line (--jobs).
    FhirNdjson,
}

impl Format {
    fn rows(self) -> Result<export::Format> {
        match self {
            Format::Json => Ok(export::Format::Json),
            Format::Csv => Ok(export::Format::Csv),
            Format::Md => Err(eyre!("--format md is for --handover; rows are json or csv")),
            Format::FhirNdjson => Err(eyre!(
                "--format fhir-ndjson is for --jobs; rows are json or csv"
            )),
        }
    }
}

pub async fn run(cx: &Context, args: Args) -> Result<()> {
    let format = args.format.unwrap_or(if args.jobs {
        Format::FhirNdjson
    } else {
        Format::Json
    });
    if (args.handover || args.jobs) && args.list.is_none() {
        return Err(eyre!(
            "--handover and --jobs are of a list on the server: add --list NAME"
        ));
    }
    match (&args.list, args.handover, args.jobs) {
        (Some(name), true, _) => handover(cx, name, format).await,
        (Some(name), _, true) => jobs(cx, name, format).await,
        (Some(name), false, false) => {
            from_server(cx, name, args.columns.as_deref(), format.rows()?).await
        }
        (None, _, _) => {
            let format = format.rows()?;
            from_bundles(args, format)
        }
    }
}

/// The list's handover sheet, for the next shift.
async fn handover(cx: &Context, name: &str, format: Format) -> Result<()> {
    use export::handover::Format as F;
    let format = match format {
        Format::Csv => F::Csv,
        Format::Json => F::Json,
        Format::Md => F::Markdown,
        Format::FhirNdjson => {
            return Err(eyre!(
                "a handover sheet is csv, json or md; FHIR Tasks come with --jobs"
            ))
        }
    };
    let (client, list) = log_in_for_list(cx, name).await?;
    let sheet = client.handover(list.id, true).await?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    export::handover::write(&mut out, &sheet, format)?;
    out.flush()?;
    Ok(())
}

/// Every job on the list's patients, as FHIR R4 Tasks for another system.
async fn jobs(cx: &Context, name: &str, format: Format) -> Result<()> {
    if !matches!(format, Format::FhirNdjson | Format::Json) {
        return Err(eyre!("--jobs writes fhir-ndjson (FHIR R4 Tasks) or json"));
    }
    let (client, list) = log_in_for_list(cx, name).await?;
    let jobs = client
        .jobs(&wardround::model::JobQuery {
            list: Some(list.id),
            status: Some("all".into()),
            purpose: Some("export".into()),
            ..Default::default()
        })
        .await?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if format == Format::FhirNdjson {
        export::tasks::write(&mut out, &jobs)?;
    } else {
        let mut value = serde_json::to_value(&jobs)?;
        export::clean_json(&mut value);
        serde_json::to_writer_pretty(&mut out, &value)?;
        writeln!(out)?;
    }
    out.flush()?;
    Ok(())
}

/// A list from the server, sorted and with columns as this user has them.
async fn from_server(
    cx: &Context,
    name: &str,
    columns: Option<&str>,
    format: export::Format,
) -> Result<()> {
    let (client, list) = log_in_for_list(cx, name).await?;
    let prefs = cx.config.lists.get(&list.name);
    let columns: Vec<ColumnId> = match columns {
        Some(spec) => export::parse_columns(spec).map_err(|e| eyre!(e))?,
        None => prefs
            .map(|p| p.columns.clone())
            .filter(|c| !c.is_empty())
            .unwrap_or_else(|| ColumnId::DEFAULT.to_vec()),
    };
    let sort = prefs
        .map(|p| p.sort.clone())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| {
            vec![SortKey {
                column: ColumnId::Bed,
                descending: false,
            }]
        });
    let exported = client.export_rows(list.id, &columns).await?;
    // A rounding sheet is of who is on the ward: those the census discharged today (greyed
    // in the app until tomorrow) are left off, and counted on stderr.
    let (rows, gone): (Vec<_>, Vec<_>) = exported
        .rows
        .into_iter()
        .partition(|r| exported.list.mark(&r.patient).gone_at.is_none());
    if !gone.is_empty() {
        let word = exported
            .list
            .source
            .as_ref()
            .map_or("gone", |s| s.gone_word());
        eprintln!("{} {word} today left off the sheet", gone.len());
    }
    let sorted: Vec<_> = wardround::model::sort::order(&rows, &sort)
        .into_iter()
        .map(|i| rows[i].clone())
        .collect();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    export::write_rows(&mut out, &sorted, &columns, format)?;
    out.flush()?;
    // A sheet of `?` must not pass for a list: a script checks the exit status.
    let failed = rows.iter().filter(|r| r.problem.is_some()).count();
    match failed {
        0 => Ok(()),
        n if n == rows.len() => Err(eyre!(
            "the EHR could give none of the {n} patients on {}: every cell is ?",
            wardround::sanitize::sanitize(&list.name)
        )),
        n => {
            eprintln!(
                "warning: the EHR could not give {n} of {} patients; their cells are ?",
                rows.len()
            );
            Ok(())
        }
    }
}

/// Rows computed here from FHIR bundles on disk, or from the generated demo ward.
fn from_bundles(args: Args, format: export::Format) -> Result<()> {
    let now = args.as_of.unwrap_or_else(Utc::now);
    let source = match args.ehr_bundles {
        Some(dir) if !args.demo_ward => {
            let (source, report) = BundleSource::load_dir(&dir)?;
            for p in &report.problems {
                eprintln!("wardround export: {p}");
            }
            source
        }
        _ => demo::ward_source(now),
    };
    let columns: Vec<ColumnId> = match &args.columns {
        Some(spec) => export::parse_columns(spec).map_err(|e| eyre!(e))?,
        // An extract has no messages or jobs: its default columns leave them out.
        None => ColumnId::DEFAULT
            .iter()
            .filter(|c| !matches!(c, ColumnId::Unread | ColumnId::Jobs))
            .cloned()
            .collect(),
    };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    export::write(&mut out, &source, &columns, format, now)?;
    out.flush()?;
    Ok(())
}
