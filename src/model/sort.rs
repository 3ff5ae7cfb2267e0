//! Sorting rows: several keys, each ascending or descending, empty cells last whichever
//! the direction, ties kept in the list's own order. Pure over rows, so the app's patient
//! list and `export` sort alike.

use std::cmp::Ordering;

use super::{CellKind, CellValue, ColumnId, Row, SortKey};

/// The order `rows` (in list order) take under `keys`: indices into `rows`.
pub fn order(rows: &[Row], keys: &[SortKey]) -> Vec<usize> {
    order_cached(rows, keys, &mut SortCache::index(rows))
}

/// Each column's rank order, worked out once per load of the rows: re-sorting a long list
/// by columns already seen is then a sort of packed integers.
#[derive(Debug, Clone, Default)]
pub struct SortCache {
    /// Sortable values of each catalogue column (by its place in [`ColumnId::ALL`]),
    /// taken from the rows in one pass when they arrive: a column store for sorting.
    columns: Vec<Option<ColumnValues>>,
    ranks: std::collections::HashMap<ColumnId, Vec<u32>>,
}

/// One column's non-empty values, in row order, with text keys in one arena.
#[derive(Debug, Clone, Default)]
struct ColumnValues {
    items: Vec<Item>,
    arena: Vec<u8>,
}

/// (kind: 0 number, 1 text; a 64-bit prefix that orders like the value; row; text span)
type Item = (u8, u64, u32, (u32, u32));

/// The rank of an empty cell: after every value, whichever the direction.
const EMPTY: u32 = u32::MAX;

impl SortCache {
    /// Reads every row once and keeps each catalogue column's sortable values.
    pub fn index(rows: &[Row]) -> SortCache {
        let mut columns: Vec<Option<ColumnValues>> = vec![None; ColumnId::ALL.len()];
        for (i, row) in rows.iter().enumerate() {
            for (column, cell) in row.columns.iter() {
                let Some(at) = column.catalogue_position() else {
                    continue;
                };
                let Some(value) = cell.value.as_ref() else {
                    continue;
                };
                let values = columns[at].get_or_insert_with(ColumnValues::default);
                push(values, *column, value, i as u32);
            }
        }
        // Columns with no value in any row still need an (empty) entry.
        for c in columns.iter_mut() {
            c.get_or_insert_with(ColumnValues::default);
        }
        SortCache {
            columns,
            ranks: Default::default(),
        }
    }

    /// Rank of each row's value in `column` (equal values share a rank).
    fn ranks(&mut self, rows: &[Row], column: ColumnId) -> &[u32] {
        let indexed = column
            .catalogue_position()
            .and_then(|at| self.columns.get(at)?.as_ref());
        self.ranks.entry(column).or_insert_with(|| match indexed {
            Some(values) => rank(values.clone(), rows.len()),
            None => rank(extract(rows, column), rows.len()),
        })
    }
}

fn push(values: &mut ColumnValues, column: ColumnId, value: &CellValue, row: u32) {
    let item = match value {
        CellValue::Number(n) => (0, ordered_bits(*n), row, (0, 0)),
        CellValue::DateTime(t) => (0, ordered_bits(t.timestamp_millis() as f64), row, (0, 0)),
        CellValue::Text(s) => {
            let start = values.arena.len();
            values
                .arena
                .extend_from_slice(&natural_key(s, column.kind() != CellKind::Bed));
            let bytes = &values.arena[start..];
            let mut prefix = [0u8; 8];
            let n = bytes.len().min(8);
            prefix[..n].copy_from_slice(&bytes[..n]);
            (
                1,
                u64::from_be_bytes(prefix),
                row,
                (start as u32, values.arena.len() as u32),
            )
        }
    };
    values.items.push(item);
}

/// A column not in the index (an `obs:` column): read from the rows.
fn extract(rows: &[Row], column: ColumnId) -> ColumnValues {
    let mut values = ColumnValues::default();
    for (i, r) in rows.iter().enumerate() {
        if let Some(v) = r.cell(column).and_then(|c| c.value.as_ref()) {
            push(&mut values, column, v, i as u32);
        }
    }
    values
}

/// Ranks one column's values. Most comparisons settle on the 64-bit prefixes, which sit
/// together in memory; equal prefixes fall back to the full text keys.
fn rank(values: ColumnValues, rows: usize) -> Vec<u32> {
    let ColumnValues { mut items, arena } = values;
    let full = |(s, e): (u32, u32)| &arena[s as usize..e as usize];
    let cmp = |a: &Item, b: &Item| {
        (a.0, a.1).cmp(&(b.0, b.1)).then_with(|| {
            if a.0 == 1 {
                full(a.3).cmp(full(b.3))
            } else {
                Ordering::Equal
            }
        })
    };
    items.sort_unstable_by(cmp);
    let mut ranks = vec![EMPTY; rows];
    let mut rank = 0u32;
    for n in 0..items.len() {
        if n > 0 && cmp(&items[n - 1], &items[n]).is_ne() {
            rank += 1;
        }
        ranks[items[n].2 as usize] = rank;
    }
    ranks
}

/// f64 bits rearranged so that comparing them as integers orders the numbers.
fn ordered_bits(n: f64) -> u64 {
    let bits = n.to_bits();
    if bits >> 63 == 1 {
        !bits
    } else {
        bits | (1 << 63)
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
    // A partial NEWS2 (`≥3`: parameters missing) comes after the complete scores of the
    // same value whichever the direction: it is a floor, not a score.
    let partial: Vec<bool> = if keys.iter().any(|k| k.column == ColumnId::News2) {
        rows.iter()
            .map(|r| {
                r.cell(ColumnId::News2)
                    .is_some_and(|c| c.text.starts_with('≥'))
            })
            .collect()
    } else {
        Vec::new()
    };
    let columns: Vec<(&[u32], bool, bool)> = keys
        .iter()
        .filter_map(|k| {
            let ranks = cache.ranks.get(&k.column)?.as_slice();
            Some((ranks, k.descending, k.column == ColumnId::News2))
        })
        .collect();
    // Ranks are below the row count, so a rank doubled with the partial bit beside it
    // still sorts below EMPTY in 32 bits.
    let top = u32::try_from(rows.len()).unwrap_or(u32::MAX / 2);
    let directed = |ranks: &[u32], descending: bool, floors: bool, i: usize| match ranks[i] {
        EMPTY => EMPTY,
        r => {
            let r = if descending { top - r } else { r };
            (r << 1) | u32::from(floors && partial.get(i).copied().unwrap_or(false))
        }
    };
    if columns.len() <= 3 {
        // Up to three keys pack into one integer, with the list position last: a plain
        // integer sort is then both stable and fast.
        let mut packed: Vec<(u128, u32)> = (0..rows.len())
            .map(|i| {
                let key = columns.iter().fold(0u128, |acc, (r, d, f)| {
                    (acc << 32) | u128::from(directed(r, *d, *f, i))
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
            .map(|(r, d, f)| directed(r, *d, *f, a).cmp(&directed(r, *d, *f, b)))
            .find(|o| o.is_ne())
            .unwrap_or(Ordering::Equal)
    });
    order
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
