//! `wardround ehr-double`: a stand-in FHIR server over bundles on disk or the generated
//! demo ward, with latency to set: for trying wardround against a slow EHR, and for the
//! list-latency figures in BENCHMARKS.md. Not an EHR: it serves what it was given, from
//! memory, to anyone who asks.

use std::path::PathBuf;
use std::sync::atomic::Ordering;

use color_eyre::eyre::{eyre, Result, WrapErr};

use wardround::ehr_double::EhrDouble;

#[derive(clap::Args)]
pub struct Args {
    /// Address to listen on (loopback unless you mean otherwise: it has no access control).
    #[arg(long, default_value = "127.0.0.1:8480")]
    listen: String,
    /// A directory of FHIR Bundles (or single resources) to serve.
    #[arg(
        long,
        required_unless_present = "demo_ward",
        conflicts_with = "demo_ward"
    )]
    bundles: Option<PathBuf>,
    /// Serve the generated demo ward (4 West) instead.
    #[arg(long)]
    demo_ward: bool,
    /// The CapabilityStatement (or DSTU2 Conformance) to serve as `metadata`, which sets
    /// the FHIR version clients read it as (default: a minimal R4 one).
    #[arg(long)]
    metadata: Option<PathBuf>,
    /// Added to every answer, in milliseconds: a slow EHR.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// The most entries a search page holds.
    #[arg(long, default_value_t = wardround::ehr_double::SERVER_PAGE)]
    page_size: usize,
}

pub async fn run(args: Args) -> Result<()> {
    let bundles = match &args.bundles {
        Some(dir) => EhrDouble::bundles_in(dir)?,
        None => vec![wardround::demo::ward::generate(
            wardround::demo::SEED,
            chrono::Utc::now(),
        )],
    };
    let metadata = match &args.metadata {
        Some(file) => {
            std::fs::read(file).wrap_err_with(|| format!("cannot read {}", file.display()))?
        }
        None => wardround::ehr_double::R4_METADATA.as_bytes().to_vec(),
    };
    let double = EhrDouble::from_bundles(bundles, metadata)?;
    if double.is_empty() {
        return Err(eyre!("nothing to serve: no FHIR resources were found"));
    }
    double.latency_ms.store(args.latency_ms, Ordering::SeqCst);
    double.page_size.store(args.page_size, Ordering::SeqCst);
    let listener = tokio::net::TcpListener::bind(&args.listen)
        .await
        .wrap_err_with(|| format!("cannot listen on {}", args.listen))?;
    let url = double.serve_on(listener)?;
    println!(
        "serving {} FHIR resources at {url} ({} ms added to every answer); Ctrl-C stops",
        double.len(),
        args.latency_ms
    );
    tokio::signal::ctrl_c().await?;
    Ok(())
}
