//! The patient list as the app holds it: rows as loaded, and the view of them — sorted,
//! filtered — as indices, so a re-sort of a long list moves numbers, not rows.

use uuid::Uuid;

use crate::config::ListPrefs;
use crate::model::sort::{self, SortCache};
use crate::model::{Cell, ColumnId, EntryMark, ListRows, ListSource, PatientList, Row, SortKey};

#[derive(Debug, Clone, Default)]
pub struct PatientListState {
    pub list_id: Option<Uuid>,
    pub title: String,
    /// Shown, in order.
    pub columns: Vec<ColumnId>,
    /// In the list's own order, as loaded.
    pub loaded: Vec<Row>,
    /// Indices into `loaded` of the rows shown, in shown order.
    pub view: Vec<usize>,
    /// Index into `view`.
    pub selected: usize,
    /// Index into `columns` of the column the sort keys act on.
    pub column: usize,
    pub sort: Vec<SortKey>,
    /// Rows are shown when any shown column contains this (ignoring case).
    pub filter: crate::tui::components::text_field::TextField,
    /// The filter is being typed.
    pub filtering: bool,
    pub loading: bool,
    /// `r` or `R` asked the EHR again, and what came back is not all in yet: what was
    /// asked for ("the whole list", a patient's name).
    pub fetching: Option<String>,
    /// Rows asked for again because charts arrived (`list_filled`), not back yet; and
    /// whether more arrived meanwhile (asked for once that answer is in).
    pub refilling: bool,
    pub refill_again: bool,
    pub error: Option<String>,
    /// The columns last asked of the server, asked again on "fetch latest".
    pub requested: Vec<ColumnId>,
    /// Widths the user set; other columns size themselves.
    pub widths: std::collections::BTreeMap<ColumnId, u16>,
    /// The list whose saved arrangement has been applied (once per list, not per reload).
    pub arranged_for: Option<Uuid>,
    /// Sort values of `loaded`, per column; rebuilt whenever the rows change.
    pub sort_cache: SortCache,
    /// What the list's source (a census) says of its patients: new, or gone at.
    pub marks: std::collections::BTreeMap<String, EntryMark>,
    pub source: Option<ListSource>,
    /// The list whose rows `loaded` holds.
    pub loaded_for: Option<Uuid>,
    /// The first row on screen and how many rows fit, as last drawn: the view scrolls a
    /// row at a time around the selection, as ratatui's own `TableState` offset does
    /// (kept by the drawing, which alone knows the pane's height).
    pub top: std::cell::Cell<usize>,
    pub page: std::cell::Cell<usize>,
}

impl PatientListState {
    pub fn focused_column(&self) -> Option<ColumnId> {
        self.columns.get(self.column).copied()
    }

    pub fn len(&self) -> usize {
        self.view.len()
    }

    pub fn is_empty(&self) -> bool {
        self.view.is_empty()
    }

    pub fn visible(&self) -> impl Iterator<Item = &Row> {
        self.view.iter().filter_map(|&i| self.loaded.get(i))
    }

    pub fn row(&self, at: usize) -> Option<&Row> {
        self.view.get(at).and_then(|&i| self.loaded.get(i))
    }

    pub fn selected_row(&self) -> Option<&Row> {
        self.row(self.selected)
    }

    /// A list's rows from the server, shown as the user arranged them. The arrangement is
    /// applied when a list is first shown, not on every reload: the saved view (server)
    /// wins, then `prefs` (the config), then the built-in default.
    pub fn rows_loaded(&mut self, rows: ListRows, prefs: Option<&ListPrefs>) {
        // Another list: it opens at its top, not on whichever of its patients the last
        // list had selected.
        if self.loaded_for != Some(rows.list.id) {
            self.loaded_for = Some(rows.list.id);
            self.view.clear();
            self.selected = 0;
        }
        if self.arranged_for != Some(rows.list.id) {
            self.arranged_for = Some(rows.list.id);
            let prefs = prefs.cloned().unwrap_or_default();
            let saved = rows.view.clone().unwrap_or_default();
            let columns = [saved.columns, prefs.columns]
                .into_iter()
                .find(|c| !c.is_empty());
            self.columns = columns.unwrap_or_else(|| ColumnId::DEFAULT.to_vec());
            self.column = self.column.min(self.columns.len().saturating_sub(1));
            if let Some(sort) = [saved.sort, prefs.sort].into_iter().find(|s| !s.is_empty()) {
                self.sort = sort;
            }
            self.widths = saved.widths;
        }
        self.marked(&rows.list);
        self.title = rows.list.name;
        self.set_rows(rows.rows);
        self.loading = false;
        self.error = None;
        self.refresh();
    }

    /// What the list's source says of its patients now.
    pub fn marked(&mut self, list: &PatientList) {
        self.marks = list.marks.clone();
        self.source = list.source.clone();
    }

    pub fn mark(&self, patient: &str) -> EntryMark {
        self.marks.get(patient).cloned().unwrap_or_default()
    }

    /// Sets each listed patient's `unread` cell from their chat's count (patient id,
    /// unread). Re-indexes the rows only when a count changed.
    pub fn show_unread(&mut self, counts: Vec<(String, usize)>) {
        let mut changed = false;
        for (patient, n) in counts {
            let Some(row) = self.loaded.iter_mut().find(|r| r.patient == patient) else {
                continue;
            };
            let cell = Cell::unread(u32::try_from(n).unwrap_or(u32::MAX));
            if row.cell(ColumnId::Unread) != Some(&cell) {
                row.columns.insert(ColumnId::Unread, cell);
                changed = true;
            }
        }
        if changed {
            let rows = std::mem::take(&mut self.loaded);
            self.set_rows(rows);
            self.refresh();
        }
    }

    /// Sets each row's `jobs` cell from the open jobs known (patient: open, one overdue).
    /// Re-indexes the rows only when a cell changed.
    pub fn show_jobs(&mut self, counts: &std::collections::HashMap<String, (u32, bool)>) {
        let mut changed = false;
        for row in &mut self.loaded {
            let (open, late) = counts.get(&row.patient).copied().unwrap_or_default();
            let cell = Cell::jobs(open, late);
            if row.cell(ColumnId::Jobs) != Some(&cell) {
                row.columns.insert(ColumnId::Jobs, cell);
                changed = true;
            }
        }
        if changed {
            let rows = std::mem::take(&mut self.loaded);
            self.set_rows(rows);
            self.refresh();
        }
    }

    /// Puts the cursor on a patient, if the list shows them (the filter cleared if it
    /// hides them).
    pub fn select_patient(&mut self, patient: &str) -> bool {
        if !self.loaded.iter().any(|r| r.patient == patient) {
            return false;
        }
        if !self.visible().any(|r| r.patient == patient) {
            self.filter.clear();
            self.filtering = false;
            self.refresh();
        }
        let at = self.visible().position(|r| r.patient == patient);
        match at {
            Some(at) => {
                self.selected = at;
                true
            }
            None => false,
        }
    }

    /// New rows from the server (the view is re-derived by [`Self::refresh`]).
    pub fn set_rows(&mut self, rows: Vec<Row>) {
        self.sort_cache = SortCache::index(&rows);
        self.loaded = rows;
    }

    /// Re-derives the view from the rows, sort and filter, keeping the same patient selected.
    pub fn refresh(&mut self) {
        let keep = self.selected_row().map(|r| r.patient.clone());
        // Each word typed must be somewhere in the row (`walsh marg` finds WALSH,
        // Margaret), in any order.
        let needle = self.filter.as_str().to_lowercase();
        let words: Vec<&str> = needle
            .split(|c: char| c.is_whitespace() || c == ',')
            .filter(|w| !w.is_empty())
            .collect();
        let mut order = sort::order_cached(&self.loaded, &self.sort, &mut self.sort_cache);
        if !words.is_empty() {
            let columns = &self.columns;
            order.retain(|&i| {
                let cells: Vec<String> = columns
                    .iter()
                    .filter_map(|c| self.loaded[i].cell(*c))
                    .map(|cell| cell.text.to_lowercase())
                    .collect();
                words.iter().all(|w| cells.iter().any(|c| c.contains(w)))
            });
        }
        self.view = order;
        self.selected = keep
            .and_then(|id| self.visible().position(|r| r.patient == id))
            .unwrap_or(0)
            .min(self.view.len().saturating_sub(1));
    }

    /// The sort key pressed on `column`: sort by it ascending, or reverse it when it
    /// already is the primary sort.
    pub fn sort_by(&mut self, column: ColumnId) {
        let descending = match self.sort.first() {
            Some(k) if k.column == column => !k.descending,
            _ => false,
        };
        self.sort = vec![SortKey { column, descending }];
        self.refresh();
    }

    /// The secondary-sort key pressed on `column`: add it as the next key, or reverse it
    /// if it is a key already (the primary too).
    pub fn also_sort_by(&mut self, column: ColumnId) {
        match self.sort.iter_mut().find(|k| k.column == column) {
            Some(k) => k.descending = !k.descending,
            None => self.sort.push(SortKey {
                column,
                descending: false,
            }),
        }
        self.refresh();
    }
}
