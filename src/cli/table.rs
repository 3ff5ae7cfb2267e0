//! What `list`, `show` and `query` print: a table with headers for people, or with
//! `--json` the server's own objects for scripts.

use serde::Serialize;
use unicode_width::UnicodeWidthStr;

/// Rows under headers, each column as wide as its widest cell.
pub struct Table {
    headers: Vec<&'static str>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(headers: &[&'static str]) -> Self {
        Table {
            headers: headers.to_vec(),
            rows: Vec::new(),
        }
    }

    /// A row; a cell with nothing in it shows `-`, and no cell can move the terminal's
    /// cursor or break the row (control characters go, tabs and newlines become spaces).
    pub fn row(&mut self, cells: Vec<String>) {
        let clean = |c: String| {
            let c = wardround::sanitize::sanitize(&c).replace(['\n', '\t'], " ");
            if c.trim().is_empty() {
                "-".to_string()
            } else {
                c
            }
        };
        self.rows.push(cells.into_iter().map(clean).collect());
    }

    pub fn render(&self) -> String {
        let mut widths: Vec<usize> = self.headers.iter().map(|h| h.width()).collect();
        for row in &self.rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.width());
            }
        }
        let line = |cells: &mut dyn Iterator<Item = &str>| {
            let mut out = String::new();
            for (i, (cell, w)) in cells.zip(&widths).enumerate() {
                if i > 0 {
                    out.push_str("  ");
                }
                out.push_str(cell);
                out.push_str(&" ".repeat(w.saturating_sub(cell.width())));
            }
            out.trim_end().to_string()
        };
        let mut out = line(&mut self.headers.iter().copied());
        out.push('\n');
        for row in &self.rows {
            out.push_str(&line(&mut row.iter().map(String::as_str)));
            out.push('\n');
        }
        out
    }

    pub fn print(&self) {
        print!("{}", self.render());
    }
}

/// `value` as pretty JSON on standard output (control characters escaped by JSON).
pub fn print_json(value: &impl Serialize) -> color_eyre::Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_line_up_under_their_headers_and_hostile_text_is_made_harmless() {
        let mut t = Table::new(&["USERNAME", "NAME", "TEAMS"]);
        t.row(vec!["nurse".into(), "Alex Morgan".into(), "4 West".into()]);
        t.row(vec!["x".into(), "Zoë\x1b[2J\tQ\nR".into(), String::new()]);
        assert_eq!(
            t.render(),
            "USERNAME  NAME         TEAMS\n\
             nurse     Alex Morgan  4 West\n\
             x         Zoë[2J Q R   -\n"
        );
    }
}
