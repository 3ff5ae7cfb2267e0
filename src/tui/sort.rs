//! Sorting the patient list: several keys, each ascending or descending, empty cells last
//! whichever the direction, ties kept in the list's own order.

use std::cmp::Ordering;

use crate::model::{CellKind, CellValue, ColumnId, Row};

pub use crate::model::SortKey;

/// The order `rows` (in list order) take under `keys`: indices into `rows`.
pub fn order(rows: &[Row], keys: &[SortKey]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..rows.len()).collect();
    if keys.is_empty() {
        return order;
    }
    // Each row's sort values are worked out once (n), so the n·log n comparisons are
    // cheap: numbers compare as numbers, text as pre-folded bytes.
    let columns: Vec<Vec<Key>> = keys
        .iter()
        .map(|k| {
            rows.iter()
                .map(|r| Key::of(k.column, r.cell(k.column).and_then(|c| c.value.as_ref())))
                .collect()
        })
        .collect();
    // `sort_by` is stable, so equal rows keep the list's order.
    order.sort_by(|&a, &b| {
        keys.iter()
            .zip(&columns)
            .map(|(k, values)| compare(&values[a], &values[b], k.descending))
            .find(|o| o.is_ne())
            .unwrap_or(Ordering::Equal)
    });
    order
}

/// A cell's value reduced to what sorting needs.
enum Key {
    Empty,
    Number(f64),
    /// [`natural_key`] bytes: compared as bytes, they order as the column's text does (natural order).
    Text(Vec<u8>),
}

impl Key {
    fn of(column: ColumnId, value: Option<&CellValue>) -> Key {
        match value {
            None => Key::Empty,
            Some(CellValue::Number(n)) => Key::Number(*n),
            Some(CellValue::DateTime(t)) => Key::Number(t.timestamp_millis() as f64),
            Some(CellValue::Text(s)) => Key::Text(natural_key(s, column.kind() != CellKind::Bed)),
        }
    }
}

fn compare(a: &Key, b: &Key, descending: bool) -> Ordering {
    let o = match (a, b) {
        // Empty cells go last whichever the direction: decided before reversing.
        (Key::Empty, Key::Empty) => return Ordering::Equal,
        (Key::Empty, _) => return Ordering::Greater,
        (_, Key::Empty) => return Ordering::Less,
        (Key::Number(x), Key::Number(y)) => x.total_cmp(y),
        (Key::Text(x), Key::Text(y)) => x.cmp(y),
        (Key::Number(_), Key::Text(_)) => Ordering::Less,
        (Key::Text(_), Key::Number(_)) => Ordering::Greater,
    };
    if descending {
        o.reverse()
    } else {
        o
    }
}

/// Bytes that order as [`crate::model::natural_cmp`]: each run of digits becomes a '0'
/// marker, its length without leading zeros, then the digits, so 2 < 10 bytewise.
pub fn natural_key(s: &str, fold_case: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len() + 4);
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() {
            let mut digits = String::from(c);
            while let Some(d) = chars.peek().copied().filter(char::is_ascii_digit) {
                digits.push(d);
                chars.next();
            }
            let significant = digits.trim_start_matches('0');
            out.push(b'0');
            out.push(significant.len().min(255) as u8);
            out.extend_from_slice(significant.as_bytes());
        } else {
            let c = if fold_case { fold(c) } else { c };
            let mut buf = [0u8; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        }
    }
    out
}

fn fold(c: char) -> char {
    if c.is_ascii() {
        c.to_ascii_lowercase()
    } else {
        c.to_lowercase().next().unwrap_or(c)
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
