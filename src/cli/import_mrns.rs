//! `wardround import-mrns`: add patients to a list from a CSV of MRNs.

use std::path::PathBuf;

use color_eyre::eyre::{eyre, Result, WrapErr};

use wardround::export;
use wardround::model::ImportOutcome;

use super::lists::log_in_for_list;
use super::Context;

#[derive(clap::Args)]
pub struct Args {
    /// The list's name.
    #[arg(long)]
    list: String,
    /// The CSV file.
    file: PathBuf,
}

pub async fn run(cx: &Context, args: Args) -> Result<()> {
    let file = &args.file;
    let bytes = std::fs::read(file).wrap_err_with(|| format!("cannot read {}", file.display()))?;
    // A spreadsheet's own encoding (Windows-1252) spoils only non-ASCII text, such as a
    // name column; MRNs are ASCII.
    let text = String::from_utf8_lossy(&bytes);
    let mrns = export::mrns_from_csv(&text);
    if mrns.is_empty() {
        return Err(eyre!("{} holds no MRNs", file.display()));
    }
    let (client, list) = log_in_for_list(cx, &args.list).await?;
    let report = client.import_mrns(list.id, &mrns).await?;
    for row in &report.rows {
        // The MRN and the name are patient data: to this terminal, never to a log.
        let who = row
            .patient
            .as_ref()
            .map(|p| format!("  {}", one_line(&p.name)))
            .unwrap_or_default();
        let why = row
            .detail
            .as_deref()
            .map(|d| format!("  ({})", one_line(d)))
            .unwrap_or_default();
        say!("{}\t{}{who}{why}", one_line(&row.mrn), row.outcome.as_str());
    }
    let count = |o: ImportOutcome| report.rows.iter().filter(|r| r.outcome == o).count();
    say!(
        "{}: {} added, {} already on the list, {} not found, {} ambiguous, {} EHR errors",
        one_line(&list.name),
        count(ImportOutcome::Added),
        count(ImportOutcome::AlreadyOnList),
        count(ImportOutcome::NotFound),
        count(ImportOutcome::Ambiguous),
        count(ImportOutcome::EhrError),
    );
    let repeated = mrns.len().saturating_sub(report.rows.len());
    if repeated > 0 {
        say!("{repeated} repeated MRNs in the file were looked up once");
    }
    let failed = count(ImportOutcome::EhrError);
    if failed > 0 {
        return Err(eyre!(
            "the EHR could not be asked about {failed} of {} MRNs; import the file again to retry them",
            report.rows.len()
        ));
    }
    Ok(())
}

/// Text from the EHR or the file on one line (`say!` removes what a terminal acts on): a
/// line break in a name must not make up a row of the report.
fn one_line(s: &str) -> String {
    s.replace(['\n', '\r', '\t'], " ")
}
