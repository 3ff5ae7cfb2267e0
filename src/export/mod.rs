//! `wardround export`: the rows computed for every patient in an EHR extract, as JSON or
//! CSV, for IT to check an extract and for printable rounding sheets.

use std::io::Write;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::fhir::{columns, BundleSource};
use crate::model::{Cell, CellValue, ColumnId, Row};
use crate::sanitize::sanitize;

pub mod handover;
pub mod tasks;

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
                            let cell = row.cell(*c).map_or_else(Cell::empty, clean_cell);
                            (
                                c.id().to_string(),
                                serde_json::to_value(cell).unwrap_or_default(),
                            )
                        })
                        .collect();
                    serde_json::to_value(JsonRow {
                        patient: &sanitize(&row.patient),
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
                    .chain(
                        columns
                            .iter()
                            .map(|c| csv_field(&row.cell(*c).map(csv_text).unwrap_or_default())),
                    )
                    .collect();
                writeln!(out, "{}", fields.join(","))?;
            }
            Ok(())
        }
    }
}

/// A cell as a spreadsheet reads it: a time as ISO 8601 with its year and zone (the
/// screen's `11 Nov 07:06` sorts and parses as nothing), anything else as shown.
fn csv_text(cell: &Cell) -> String {
    match &cell.value {
        Some(crate::model::CellValue::DateTime(t)) => {
            t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        }
        _ => cell.text.clone(),
    }
}

/// A cell as exported: its text (and a text value) without anything a terminal acts on,
/// as on the screen, since an export is read with `cat` as often as in a spreadsheet.
fn clean_cell(cell: &Cell) -> Cell {
    let mut cell = cell.clone();
    cell.text = sanitize(&cell.text);
    if let Some(CellValue::Text(t)) = &mut cell.value {
        *t = sanitize(t);
    }
    cell
}

/// RFC 4180 quoting, after the screen's sanitiser; a field a spreadsheet would run as a
/// formula (a leading `=`, `+`, `-` or `@`, also after blanks, or a leading TAB or CR) is
/// defused with a `'` so it shows the text instead.
pub(crate) fn csv_field(s: &str) -> String {
    let s = sanitize(s);
    let formula = s
        .trim_start_matches(|c: char| c.is_whitespace())
        .starts_with(['=', '+', '-', '@']);
    let s = if (formula || s.starts_with(['\t', '\r'])) && s != Cell::EMPTY_TEXT {
        format!("'{s}")
    } else {
        s
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// Every string in a JSON export sanitised, line by line (a plan keeps its line breaks).
pub fn clean_json(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::String(s) => {
            *s = s.lines().map(sanitize).collect::<Vec<_>>().join("\n");
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(clean_json),
        serde_json::Value::Object(o) => o.values_mut().for_each(clean_json),
        _ => {}
    }
}

/// MRNs from a CSV: the column headed `mrn` (any case) when there is one, else the
/// first column; blank cells and surrounding quotes ignored.
pub fn mrns_from_csv(text: &str) -> Vec<String> {
    // Spreadsheets save UTF-8 with a byte-order mark: not part of the first header.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.lines().map(csv_fields);
    let Some(first) = lines.next() else {
        return Vec::new();
    };
    let header = first.iter().position(|f| f.eq_ignore_ascii_case("mrn"));
    let column = header.unwrap_or(0);
    let data: Vec<Vec<String>> = if header.is_some() {
        lines.collect()
    } else {
        std::iter::once(first).chain(lines).collect()
    };
    data.iter()
        .filter_map(|row| row.get(column))
        // A byte another encoding meant (a spreadsheet's no-break space) is never part of
        // an MRN.
        .map(|f| {
            f.trim_matches(|c: char| c.is_whitespace() || c == '\u{fffd}')
                .to_string()
        })
        .filter(|f| !f.is_empty())
        .collect()
}

/// One CSV line's fields, quotes honoured (RFC 4180, without embedded newlines).
fn csv_fields(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                fields.last_mut().into_iter().for_each(|f| f.push('"'));
            }
            '"' => quoted = !quoted,
            ',' if !quoted => fields.push(String::new()),
            c => fields.last_mut().into_iter().for_each(|f| f.push(c)),
        }
    }
    fields.into_iter().map(|f| f.trim().to_string()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mrns_come_from_the_mrn_column_or_the_first() {
        assert_eq!(
            mrns_from_csv("name,MRN\n\"SMITH, J\",123\nx,\n"),
            vec!["123"]
        );
        assert_eq!(mrns_from_csv("123\n456\n\n789"), vec!["123", "456", "789"]);
        assert!(mrns_from_csv("").is_empty());
    }

    #[test]
    fn a_spreadsheets_byte_order_mark_and_stray_bytes_are_not_part_of_an_mrn() {
        // As a Windows-1252 no-break space reads when taken for UTF-8.
        let file = String::from_utf8_lossy(b"\xef\xbb\xbfMRN,name\r\n\xa0123 ,Ren\xe9e\r\n");
        assert_eq!(mrns_from_csv(&file), vec!["123"]);
    }

    #[test]
    fn csv_fields_are_quoted_and_formulas_defused() {
        assert_eq!(csv_field("SMITH, John"), "\"SMITH, John\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(1)"), "'=HYPERLINK(1)");
        assert_eq!(csv_field("—"), "—");
        assert_eq!(csv_field("\t=2+2"), "'\t=2+2");
        assert_eq!(csv_field("  @SUM(A1)"), "'  @SUM(A1)");
        // The sanitiser drops a CR; what follows it is defused all the same.
        assert_eq!(csv_field("\r-1"), "'-1");
        assert_eq!(
            csv_field("CHEN\u{1b}]52;c;cHduZWQ=\u{7}\u{9b}2J\u{202e}Grace"),
            "CHEN]52;c;cHduZWQ=2JGrace"
        );
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
