//! Sorting the patient list: several keys, each ascending or descending, empty cells last
//! whichever the direction, ties kept in the list's own order.

use std::cmp::Ordering;

use crate::model::{CellKind, CellValue, ColumnId, Row};

pub use crate::model::SortKey;

/// The order `rows` (in list order) take under `keys`: indices into `rows`.
pub fn order(rows: &[Row], keys: &[SortKey]) -> Vec<usize> {
    order_cached(rows, keys, &mut SortCache::default())
}

/// Each column's rank order, worked out once per load of the rows: re-sorting a long list
/// by columns already seen is then a sort of packed integers.
#[derive(Debug, Clone, Default)]
pub struct SortCache {
    ranks: std::collections::HashMap<ColumnId, Vec<u32>>,
}

/// The rank of an empty cell: after every value, whichever the direction.
const EMPTY: u32 = u32::MAX;

impl SortCache {
    /// Rank of each row's value in `column` (equal values share a rank).
    fn ranks(&mut self, rows: &[Row], column: ColumnId) -> &[u32] {
        self.ranks.entry(column).or_insert_with(|| {
            let keys: Vec<Key> = rows
                .iter()
                .map(|r| Key::of(column, r.cell(column).and_then(|c| c.value.as_ref())))
                .collect();
            let mut by_value: Vec<u32> = (0..rows.len() as u32)
                .filter(|&i| !matches!(keys[i as usize], Key::Empty))
                .collect();
            by_value
                .sort_unstable_by(|&a, &b| compare(&keys[a as usize], &keys[b as usize], false));
            let mut ranks = vec![EMPTY; rows.len()];
            let mut rank = 0u32;
            for (n, &i) in by_value.iter().enumerate() {
                if n > 0
                    && compare(&keys[by_value[n - 1] as usize], &keys[i as usize], false).is_ne()
                {
                    rank += 1;
                }
                ranks[i as usize] = rank;
            }
            ranks
        })
    }
}

/// [`order`], reusing (and filling) `cache`, which must belong to these `rows`.
pub fn order_cached(rows: &[Row], keys: &[SortKey], cache: &mut SortCache) -> Vec<usize> {
    if keys.is_empty() {
        return (0..rows.len()).collect();
    }
    for k in keys {
        cache.ranks(rows, k.column);
    }
    let columns: Vec<(&[u32], bool)> = keys
        .iter()
        .filter_map(|k| Some((cache.ranks.get(&k.column)?.as_slice(), k.descending)))
        .collect();
    let directed = |ranks: &[u32], descending: bool, i: usize| match ranks[i] {
        EMPTY => EMPTY,
        r if descending => EMPTY - 1 - r,
        r => r,
    };
    if columns.len() <= 3 {
        // Up to three keys pack into one integer, with the list position last: a plain
        // integer sort is then both stable and fast.
        let mut packed: Vec<(u128, u32)> = (0..rows.len())
            .map(|i| {
                let key = columns.iter().fold(0u128, |acc, (r, d)| {
                    (acc << 32) | u128::from(directed(r, *d, i))
                });
                (key, i as u32)
            })
            .collect();
        packed.sort_unstable();
        return packed.into_iter().map(|(_, i)| i as usize).collect();
    }
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_by(|&a, &b| {
        columns
            .iter()
            .map(|(r, d)| directed(r, *d, a).cmp(&directed(r, *d, b)))
            .find(|o| o.is_ne())
            .unwrap_or(Ordering::Equal)
    });
    order
}

/// A cell's value reduced to what sorting needs.
#[derive(Debug, Clone)]
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
            // Marker, then a length slot filled in once the run's end is known.
            out.push(b'0');
            let len_at = out.len();
            out.push(0);
            let mut d = Some(c);
            while let Some(digit) = d {
                // Leading zeros do not count: 007 is 7.
                if !(digit == '0' && out.len() == len_at + 1) {
                    out.push(digit as u8);
                }
                d = chars.next_if(char::is_ascii_digit);
            }
            out[len_at] = (out.len() - len_at - 1).min(255) as u8;
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
