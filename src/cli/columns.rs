//! `wardround columns`: every column id a list or an export can show, with what it shows.

use wardround::model::{ColumnId, Loinc};

pub fn run() {
    for c in ColumnId::ALL {
        println!("{:<12} {}", c.id(), c.description());
    }
    println!(
        "{:<12} {}",
        "obs:<LOINC>",
        ColumnId::Obs(Loinc::parse("8867-4").unwrap_or_else(|| unreachable!())).description()
    );
}
