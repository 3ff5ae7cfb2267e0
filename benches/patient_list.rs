//! Sorting and drawing long patient lists: `cargo bench --bench patient_list`.
//! Targets (issue 3): sort 100k rows ≤ 20 ms; one update + render of a 100k-row list ≤ 3 ms.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark over fixed inputs

use chrono::{TimeZone, Utc};
use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion};
use crossterm::event::KeyCode;
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use uuid::Uuid;
use wardround::fhir::columns;
use wardround::model::sort;
use wardround::model::{Cell, CellValue, ColumnId, ListRows, PatientList, Row, SortKey, User};
use wardround::tui::action::Action;
use wardround::tui::app::App;
use wardround::tui::theme::Theme;
use wardround::tui::update::{key, update};
use wardround::tui::view;

/// `n` rows made from the demo ward, each copy with its own bed, name and score.
fn rows(n: usize) -> Vec<Row> {
    let now = Utc.with_ymd_and_hms(2026, 11, 21, 9, 30, 0).unwrap();
    let ward = wardround::demo::ward_source(now);
    let base: Vec<Row> = ward
        .charts()
        .map(|c| columns::row(c, &ColumnId::ALL, now))
        .collect();
    (0..n)
        .map(|i| {
            let mut r = base[i % base.len()].clone();
            r.patient = format!("p{i}");
            let bed = format!(
                "W{}-{}{}",
                i / 600,
                (i / 2) % 300,
                if i % 2 == 0 { 'A' } else { 'B' }
            );
            r.columns.insert(ColumnId::Bed, Cell::text(bed));
            let score = ((i * 7919) % 13) as f64;
            r.columns
                .insert(ColumnId::News2, Cell::number(score.to_string(), score));
            if let Some(Cell {
                value: Some(CellValue::Text(name)),
                text,
                ..
            }) = r.columns.get_mut(&ColumnId::Name)
            {
                name.push_str(&format!(" {i}"));
                *text = name.clone();
            }
            r
        })
        .collect()
}

fn app_with(rows: Vec<Row>) -> App {
    let me = User {
        id: Uuid::nil(),
        username: "nurse".into(),
        display_name: "Alex Morgan".into(),
        role: "RN".into(),
        admin: false,
    };
    let mut app = App::new(
        me,
        "4 West".into(),
        "http://127.0.0.1:8470".into(),
        Utc::now(),
    );
    let list = PatientList {
        id: Uuid::nil(),
        team_id: Uuid::nil(),
        name: "Bench".into(),
        patient_ids: vec![],
        ..Default::default()
    };
    update(
        &mut app,
        Action::RowsLoaded(Ok(ListRows {
            list,
            rows,
            view: None,
        })),
    );
    app
}

fn sorting(c: &mut Criterion) {
    let keys = [
        SortKey {
            column: ColumnId::News2,
            descending: true,
        },
        SortKey {
            column: ColumnId::Bed,
            descending: false,
        },
    ];
    let mut group = c.benchmark_group("sort");
    for n in [1_000, 10_000, 100_000] {
        let data = rows(n);
        group.bench_with_input(
            BenchmarkId::new("news2_desc_then_bed", n),
            &data,
            |b, data| b.iter(|| sort::order(black_box(data), &keys)),
        );
        // Taking the rows into the sort index: paid once when a list (re)loads.
        group.bench_with_input(BenchmarkId::new("index_on_load", n), &data, |b, data| {
            b.iter(|| sort::SortCache::index(black_box(data)))
        });
        // A key press after a load: the columns are ranked from the index, then sorted.
        let indexed = sort::SortCache::index(&data);
        group.bench_with_input(
            BenchmarkId::new("news2_desc_then_bed_first_after_load", n),
            &data,
            |b, data| {
                b.iter_batched(
                    || indexed.clone(),
                    |mut cache| sort::order_cached(black_box(data), &keys, &mut cache),
                    criterion::BatchSize::LargeInput,
                )
            },
        );
        // What a key press costs once the list has been sorted by these columns before.
        let mut cache = indexed.clone();
        sort::order_cached(&data, &keys, &mut cache);
        group.bench_with_input(
            BenchmarkId::new("news2_desc_then_bed_cached", n),
            &data,
            |b, data| b.iter(|| sort::order_cached(black_box(data), &keys, &mut cache)),
        );
        group.bench_with_input(BenchmarkId::new("name", n), &data, |b, data| {
            b.iter(|| {
                sort::order(
                    black_box(data),
                    &[SortKey {
                        column: ColumnId::Name,
                        descending: false,
                    }],
                )
            })
        });
    }
    group.finish();
}

fn update_and_render(c: &mut Criterion) {
    let theme = Theme::default();
    let mut group = c.benchmark_group("update_and_render");
    for n in [1_000, 10_000, 100_000] {
        let mut app = app_with(rows(n));
        let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("test backend");
        let mut down = true;
        group.bench_function(BenchmarkId::new("row_down_120x40", n), |b| {
            b.iter(|| {
                // Bounce between the ends so every page boundary is crossed in the run.
                if app.patients.selected + 1 >= app.patients.len() {
                    down = false;
                } else if app.patients.selected == 0 {
                    down = true;
                }
                update(
                    &mut app,
                    key(if down { KeyCode::Down } else { KeyCode::Up }),
                );
                terminal
                    .draw(|f| view::draw(f, &app, &theme))
                    .expect("draw");
            })
        });
    }
    group.finish();
}

criterion_group!(benches, sorting, update_and_render);
criterion_main!(benches);
