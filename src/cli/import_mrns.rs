//! `wardround import-mrns`: add patients to a list from a CSV of MRNs.

use std::path::PathBuf;

use color_eyre::eyre::{eyre, Result, WrapErr};

use wardround::export;

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
    let text = std::fs::read_to_string(file)
        .wrap_err_with(|| format!("cannot read {}", file.display()))?;
    let mrns = export::mrns_from_csv(&text);
    if mrns.is_empty() {
        return Err(eyre!("{} holds no MRNs", file.display()));
    }
    let (client, list) = log_in_for_list(cx, &args.list).await?;
    let report = client.import_mrns(list.id, &mrns).await?;
    say!("added {} to {}", report.added.len(), list.name);
    if report.already_on_list > 0 {
        say!("{} already on the list", report.already_on_list);
    }
    if !report.not_found.is_empty() {
        say!(
            "not found in the EHR (or not unique): {}",
            report.not_found.join(", ")
        );
    }
    Ok(())
}
