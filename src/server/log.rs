//! Where the server reports what went wrong inside it. Standard error by default; the demo
//! points it at a file in its temporary directory, because there the terminal belongs to
//! the TUI. Messages carry no patient data: store and EHR errors, never rows or names.

use std::io::Write;
use std::sync::Mutex;

static SINK: Mutex<Option<std::fs::File>> = Mutex::new(None);

/// Sends later reports to `file` instead of standard error.
pub fn to_file(file: std::fs::File) {
    if let Ok(mut sink) = SINK.lock() {
        *sink = Some(file);
    }
}

pub fn report(message: &str) {
    let line = format!("wardround serve: {message}");
    match SINK.lock().as_deref_mut() {
        Ok(Some(file)) => {
            let _ = writeln!(file, "{line}");
        }
        _ => eprintln!("{line}"),
    }
}
