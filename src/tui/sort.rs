//! Sorting the patient list: several keys, each ascending or descending, empty cells last
//! whichever the direction, ties kept in the list's own order.

use std::cmp::Ordering;

use crate::model::{Cell, ColumnId, Row};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SortKey {
    pub column: ColumnId,
    pub descending: bool,
}

/// Sorts a copy of `rows` (in list order) by `keys`.
pub fn sorted(rows: &[Row], keys: &[SortKey]) -> Vec<Row> {
    let mut out = rows.to_vec();
    // `sort_by` is stable, so equal rows keep the list's order.
    out.sort_by(|a, b| {
        keys.iter()
            .map(|k| compare(a, b, k))
            .find(|o| o.is_ne())
            .unwrap_or(Ordering::Equal)
    });
    out
}

fn compare(a: &Row, b: &Row, key: &SortKey) -> Ordering {
    fn value(r: &Row, column: ColumnId) -> Option<&crate::model::CellValue> {
        r.cell(column).and_then(|c| c.value.as_ref())
    }
    match (value(a, key.column), value(b, key.column)) {
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
