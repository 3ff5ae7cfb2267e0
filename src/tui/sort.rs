//! Sorting the patient list: several keys, each ascending or descending, empty cells last
//! whichever the direction, ties kept in the list's own order.

use std::cmp::Ordering;

use crate::model::{Cell, CellValue, ColumnId, Row};

pub use crate::model::SortKey;

/// The order `rows` (in list order) take under `keys`: indices into `rows`.
pub fn order(rows: &[Row], keys: &[SortKey]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..rows.len()).collect();
    if keys.is_empty() {
        return order;
    }
    // Each key's values are looked up once per row, not once per comparison.
    let columns: Vec<Vec<Option<&CellValue>>> = keys
        .iter()
        .map(|k| {
            rows.iter()
                .map(|r| r.cell(k.column).and_then(|c| c.value.as_ref()))
                .collect()
        })
        .collect();
    // `sort_by` is stable, so equal rows keep the list's order.
    order.sort_by(|&a, &b| {
        keys.iter()
            .zip(&columns)
            .map(|(k, values)| compare(values[a], values[b], k))
            .find(|o| o.is_ne())
            .unwrap_or(Ordering::Equal)
    });
    order
}

fn compare(a: Option<&CellValue>, b: Option<&CellValue>, key: &SortKey) -> Ordering {
    match (a, b) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Greater,
        (Some(_), None) => Ordering::Less,
        (Some(x), Some(y)) => {
            let o = Cell::compare(key.column.kind(), x, y);
            if key.descending {
                o.reverse()
            } else {
                o
            }
        }
    }
}

/// What the secondary-sort key does on `column`: add it as the next key, or reverse it
/// if it is a key already (the primary too).
pub fn add_or_flip(keys: &[SortKey], column: ColumnId) -> Vec<SortKey> {
    let mut keys = keys.to_vec();
    match keys.iter_mut().find(|k| k.column == column) {
        Some(k) => k.descending = !k.descending,
        None => keys.push(SortKey {
            column,
            descending: false,
        }),
    }
    keys
}

/// What the sort key does when pressed on `column`: sort by it ascending, or reverse it
/// when it already is the primary sort.
pub fn toggle(keys: &[SortKey], column: ColumnId) -> Vec<SortKey> {
    match keys.first() {
        Some(k) if k.column == column => vec![SortKey {
            column,
            descending: !k.descending,
        }],
        _ => vec![SortKey {
            column,
            descending: false,
        }],
    }
}
