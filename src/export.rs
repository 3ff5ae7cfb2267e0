//! `wardround export`: the rows computed for every patient in an EHR extract, as JSON or
//! CSV, for IT to check an extract and for printable rounding sheets.

use std::io::Write;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::fhir::{columns, BundleSource};
use crate::model::{Cell, ColumnId, Row};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Csv,
}

#[derive(Serialize)]
struct JsonRow<'a> {
    patient: &'a str,
    columns: serde_json::Map<String, serde_json::Value>,
}

pub fn parse_columns(spec: &str) -> Result<Vec<ColumnId>, String> {
    spec.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(ColumnId::parse_or_explain)
        .collect()
}

/// Every patient of an extract.
pub fn write(
    out: &mut impl Write,
    source: &BundleSource,
    columns: &[ColumnId],
    format: Format,
    now: DateTime<Utc>,
) -> std::io::Result<()> {
    let rows: Vec<Row> = source
        .charts()
        .map(|chart| columns::row(chart, columns, now))
        .collect();
    write_rows(out, &rows, columns, format)
}

/// Rows already computed (a list from the server, say), in their order.
pub fn write_rows(
    out: &mut impl Write,
    rows: &[Row],
    columns: &[ColumnId],
    format: Format,
) -> std::io::Result<()> {
    let rows = rows.iter();
    match format {
        Format::Json => {
            let rows: Vec<serde_json::Value> = rows
                .map(|row| {
                    let cols = columns
                        .iter()
                        .map(|c| {
                            let cell = row.cell(*c).cloned().unwrap_or_else(Cell::empty);
                            (
                                c.id().to_string(),
                                serde_json::to_value(cell).unwrap_or_default(),
                            )
                        })
                        .collect();
                    serde_json::to_value(JsonRow {
                        patient: &row.patient,
                        columns: cols,
                    })
                    .unwrap_or_default()
                })
                .collect();
            serde_json::to_writer_pretty(&mut *out, &rows)?;
            writeln!(out)
        }
        Format::Csv => {
            let header: Vec<String> = std::iter::once("patient".to_string())
                .chain(columns.iter().map(|c| c.id().to_string()))
                .collect();
            writeln!(out, "{}", header.join(","))?;
            for row in rows {
                let fields: Vec<String> = std::iter::once(csv_field(&row.patient))
                    .chain(columns.iter().map(|c| {
                        csv_field(&row.cell(*c).map(|x| x.text.clone()).unwrap_or_default())
                    }))
                    .collect();
                writeln!(out, "{}", fields.join(","))?;
            }
            Ok(())
        }
    }
}

/// RFC 4180 quoting; a leading formula character is defused so a spreadsheet shows the
/// text rather than running it.
fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) && s != Cell::EMPTY_TEXT {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_and_formulas_defused() {
        assert_eq!(csv_field("SMITH, John"), "\"SMITH, John\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(1)"), "'=HYPERLINK(1)");
        assert_eq!(csv_field("—"), "—");
    }

    #[test]
    fn unknown_columns_are_named() {
        assert_eq!(
            parse_columns("bed, name").unwrap(),
            vec![ColumnId::Bed, ColumnId::Name]
        );
        let err = parse_columns("bed,wrd").unwrap_err();
        assert!(
            err.contains("`wrd`") && err.contains("wardround columns"),
            "{err}"
        );
    }
}
