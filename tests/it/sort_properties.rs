//! Sorting, as properties over arbitrary lists: stable, total, empty cells last.

use proptest::prelude::*;
use wardround::model::sort;
use wardround::model::{Cell, ColumnId, Row, SortKey};

fn row(i: usize, score: Option<u8>, bed: &str) -> Row {
    let news2 = score.map_or_else(Cell::empty, |s| Cell::number(s.to_string(), f64::from(s)));
    Row {
        patient: format!("p{i}"),
        columns: [(ColumnId::News2, news2), (ColumnId::Bed, Cell::text(bed))]
            .into_iter()
            .collect(),
        problem: None,
        pending: false,
    }
}

fn arb_rows() -> impl Strategy<Value = Vec<Row>> {
    prop::collection::vec((prop::option::of(0u8..8), "[A-C]{1}-[0-9]{1,2}"), 0..60).prop_map(|v| {
        v.into_iter()
            .enumerate()
            .map(|(i, (s, b))| row(i, s, &b))
            .collect()
    })
}

fn score(r: &Row) -> Option<f64> {
    match r.cell(ColumnId::News2)?.value {
        Some(wardround::model::CellValue::Number(n)) => Some(n),
        _ => None,
    }
}

proptest! {
    #[test]
    fn empty_cells_sort_last_in_both_directions(rows in arb_rows(), descending in any::<bool>()) {
        let order = sort::order(&rows, &[SortKey { column: ColumnId::News2, descending }]);
        let first_empty = order.iter().position(|&i| score(&rows[i]).is_none()).unwrap_or(order.len());
        prop_assert!(order[first_empty..].iter().all(|&i| score(&rows[i]).is_none()));
    }

    #[test]
    fn equal_keys_keep_the_lists_own_order(rows in arb_rows(), descending in any::<bool>()) {
        let order = sort::order(&rows, &[SortKey { column: ColumnId::News2, descending }]);
        for w in order.windows(2) {
            if score(&rows[w[0]]) == score(&rows[w[1]]) {
                prop_assert!(w[0] < w[1], "a tie changed places");
            }
        }
    }

    #[test]
    fn the_order_is_a_permutation_and_sorted(rows in arb_rows(), descending in any::<bool>()) {
        let order = sort::order(&rows, &[SortKey { column: ColumnId::News2, descending }]);
        let mut seen = order.clone();
        seen.sort_unstable();
        prop_assert_eq!(seen, (0..rows.len()).collect::<Vec<_>>());
        let scores: Vec<f64> = order.iter().filter_map(|&i| score(&rows[i])).collect();
        let in_order = |w: &[f64]| if descending { w[0] >= w[1] } else { w[0] <= w[1] };
        prop_assert!(scores.windows(2).all(in_order), "out of order: {:?}", scores);
    }

    #[test]
    fn sorting_twice_changes_nothing(rows in arb_rows()) {
        let keys = [SortKey { column: ColumnId::News2, descending: true }, SortKey { column: ColumnId::Bed, descending: false }];
        let once: Vec<Row> = sort::order(&rows, &keys).into_iter().map(|i| rows[i].clone()).collect();
        let twice = sort::order(&once, &keys);
        prop_assert_eq!(twice, (0..once.len()).collect::<Vec<_>>());
    }
}

proptest! {
    #[test]
    fn natural_keys_order_like_natural_comparison(a in "[a-cA-C0-9 -]{0,8}", b in "[a-cA-C0-9 -]{0,8}") {
        let by_key = sort::natural_key(&a, false).cmp(&sort::natural_key(&b, false));
        prop_assert_eq!(by_key, wardround::model::natural_cmp(&a, &b), "{:?} vs {:?}", a, b);
    }
}

proptest! {
    #[test]
    fn more_than_three_keys_sort_like_the_first_that_differ(rows in arb_rows()) {
        let two = [SortKey { column: ColumnId::News2, descending: true }, SortKey { column: ColumnId::Bed, descending: false }];
        // Name and age are empty in every row: as keys they change nothing.
        let four = [two[0], two[1], SortKey { column: ColumnId::Name, descending: false }, SortKey { column: ColumnId::Age, descending: true }];
        prop_assert_eq!(sort::order(&rows, &two), sort::order(&rows, &four));
    }
}

proptest! {
    #[test]
    fn the_load_time_index_sorts_like_reading_the_rows(rows in arb_rows(), descending in any::<bool>()) {
        let keys = [SortKey { column: ColumnId::News2, descending }, SortKey { column: ColumnId::Bed, descending: !descending }];
        let unindexed = sort::order_cached(&rows, &keys, &mut sort::SortCache::default());
        prop_assert_eq!(sort::order(&rows, &keys), unindexed);
    }
}

/// A partial NEWS2 (`≥n`) is a floor: it sorts after the complete scores of the same
/// value, ascending and descending alike, and never among them.
#[test]
fn a_partial_news2_sorts_after_complete_scores_of_its_value_either_way() {
    let cell = |text: &str, n: f64| Cell::number(text, n);
    let rows: Vec<Row> = [("3", 3.0), ("≥3", 3.0), ("4", 4.0), ("≥0", 0.0), ("0", 0.0)]
        .iter()
        .enumerate()
        .map(|(i, (t, n))| Row {
            columns: [(ColumnId::News2, cell(t, *n))].into_iter().collect(),
            ..row(i, None, "A-1")
        })
        .collect();
    let texts = |descending| {
        sort::order(
            &rows,
            &[SortKey {
                column: ColumnId::News2,
                descending,
            }],
        )
        .into_iter()
        .map(|i| rows[i].cell(ColumnId::News2).unwrap().text.clone())
        .collect::<Vec<_>>()
    };
    assert_eq!(texts(false), ["0", "≥0", "3", "≥3", "4"]);
    assert_eq!(texts(true), ["4", "3", "≥3", "0", "≥0"]);
}
