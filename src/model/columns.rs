//! Patient lists on the wire: the lists, their rows of typed cells, and patient search.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::column_id::ColumnId;

/// A cell's typed value. On the wire it is the bare JSON value (number, ISO 8601 string,
/// text) or null; the column's [`CellKind`] says how to read it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum CellValue {
    Number(f64),
    DateTime(DateTime<Utc>),
    Text(String),
}

/// Any of the three; not `oneOf`, which an ISO 8601 text would match twice.
impl utoipa::PartialSchema for CellValue {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::SchemaType::from_iter([
                utoipa::openapi::Type::Number,
                utoipa::openapi::Type::String,
            ]))
            .description(Some(
                "The cell's typed value: a number, an ISO 8601 date-time or text; the column \
                 says which.",
            ))
            .into()
    }
}

impl utoipa::ToSchema for CellValue {}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Cell {
    /// As displayed.
    pub text: String,
    pub value: Option<CellValue>,
    /// Asks for attention (a NEWS2 that warrants review); drawn with the warning role and
    /// a text cue, never colour alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flag: Option<Flag>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Flag {
    Warning,
}

impl Cell {
    /// Shown where the EHR has nothing to say.
    pub const EMPTY_TEXT: &'static str = "—";

    pub fn empty() -> Self {
        Cell {
            text: Self::EMPTY_TEXT.into(),
            value: None,
            flag: None,
        }
    }

    pub fn flagged(mut self, flag: Option<Flag>) -> Self {
        self.flag = flag;
        self
    }

    pub fn text(s: impl Into<String>) -> Self {
        let s = s.into();
        Cell {
            flag: None,
            value: Some(CellValue::Text(s.clone())),
            text: s,
        }
    }

    /// An unread count: blank when nothing waits, so the counts that matter stand out.
    pub fn unread(n: u32) -> Self {
        let text = if n == 0 { String::new() } else { n.to_string() };
        Cell::number(text, f64::from(n))
    }

    /// Open jobs: blank for none; flagged (drawn `2 !`) when one is overdue. Overdue
    /// sorts above any count.
    pub fn jobs(open: u32, overdue: bool) -> Self {
        let text = if open == 0 {
            String::new()
        } else {
            open.to_string()
        };
        let value = f64::from(open) + if overdue { 10_000.0 } else { 0.0 };
        Cell::number(text, value).flagged(overdue.then_some(Flag::Warning))
    }

    pub fn number(text: impl Into<String>, v: f64) -> Self {
        Cell {
            text: text.into(),
            value: Some(CellValue::Number(v)),
            flag: None,
        }
    }

    pub fn datetime(text: impl Into<String>, v: DateTime<Utc>) -> Self {
        Cell {
            text: text.into(),
            value: Some(CellValue::DateTime(v)),
            flag: None,
        }
    }
}

/// Compares strings with runs of digits taken as numbers, so bed `4W-2` comes before `4W-10`.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (mut a, mut b) = (a, b);
    loop {
        match (a.chars().next(), b.chars().next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                let da = a.len() - a.trim_start_matches(|c: char| c.is_ascii_digit()).len();
                let db = b.len() - b.trim_start_matches(|c: char| c.is_ascii_digit()).len();
                let (na, nb) = (
                    a[..da].trim_start_matches('0'),
                    b[..db].trim_start_matches('0'),
                );
                let ord = na.len().cmp(&nb.len()).then_with(|| na.cmp(nb));
                if ord != Ordering::Equal {
                    return ord;
                }
                a = &a[da..];
                b = &b[db..];
            }
            (Some(x), Some(y)) => {
                if x != y {
                    return x.cmp(&y);
                }
                a = &a[x.len_utf8()..];
                b = &b[y.len_utf8()..];
            }
        }
    }
}

/// One patient's computed cells, keyed by column id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Row {
    pub patient: String,
    pub columns: BTreeMap<ColumnId, Cell>,
    /// Why the row could not be read from the EHR, when it could not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
    /// The EHR has not answered for this patient yet: its cells say `…`, and a
    /// `list_filled` event says when they can be read again.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub pending: bool,
}

impl Row {
    pub fn cell(&self, column: ColumnId) -> Option<&Cell> {
        self.columns.get(&column)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PatientList {
    pub id: Uuid,
    pub team_id: Uuid,
    pub name: String,
    pub patient_ids: Vec<String>,
    /// Where the list keeps itself from, when the EHR decides who is on it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<ListSource>,
    /// Patients the source changed: admitted (new until someone selects them) or gone
    /// (discharged, shown greyed until the next day). Patients unmarked are absent.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub marks: BTreeMap<String, EntryMark>,
}

impl PatientList {
    pub fn mark(&self, patient: &str) -> EntryMark {
        self.marks.get(patient).cloned().unwrap_or_default()
    }
}

/// An EHR's own account of who belongs on a list, which the list then follows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum ListSource {
    /// Everyone with an in-progress inpatient stay in a location or the locations within it
    /// (ward → room → bed).
    Census {
        /// As asked: `Location/ID`, `system|value` or a name.
        location: String,
        /// The EHR's id for it (`Location/ID`), found when the list was made.
        location_id: String,
        location_name: String,
    },
    /// The patients of a FHIR `List` the EHR keeps (`List/ID`, or a search `List?code=…`).
    FhirList { reference: String, title: String },
}

impl ListSource {
    /// What a leaver is called: a census discharges, an EHR list drops.
    pub fn gone_word(&self) -> &'static str {
        match self {
            ListSource::Census { .. } => "discharged",
            ListSource::FhirList { .. } => "left the list",
        }
    }
}

/// What the list's source last did to one of its patients.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct EntryMark {
    /// Arrived since anyone selected them.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub new: bool,
    /// When the source stopped listing them (a discharge): they stay, greyed, until the
    /// next day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gone_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ListRows {
    pub list: PatientList,
    pub rows: Vec<Row>,
    /// How this user last arranged the list, else the team's default for it.
    #[serde(default)]
    pub view: Option<super::ListView>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn beds_sort_in_natural_order() {
        let mut beds = vec!["4W-10A", "4W-2B", "4W-2A", "4W-01C"];
        beds.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(beds, vec!["4W-01C", "4W-2A", "4W-2B", "4W-10A"]);
    }

    #[test]
    fn cell_values_round_trip_as_bare_json() {
        let cell = Cell::number("78", 78.0);
        let json = serde_json::to_string(&cell).unwrap();
        assert_eq!(json, r#"{"text":"78","value":78.0}"#);
        let back: Cell = serde_json::from_str(&json).unwrap();
        assert_eq!(back, cell);
        let empty: Cell = serde_json::from_str(r#"{"text":"—","value":null}"#).unwrap();
        assert_eq!(empty, Cell::empty());
    }
}

/// A patient found by an EHR search, enough to choose the right one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PatientSummary {
    pub id: String,
    pub name: String,
    pub mrn: String,
    pub birth_date: String,
    pub sex: String,
}

/// An EHR patient search: any of name (part of), MRN (exact) and birth date (YYYY-MM-DD).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PatientQuery {
    /// Part of the patient's name.
    #[serde(default)]
    pub name: Option<String>,
    /// The medical record number, exactly.
    #[serde(default)]
    pub mrn: Option<String>,
    /// YYYY-MM-DD.
    #[serde(default)]
    pub birth_date: Option<String>,
}

impl PatientQuery {
    pub fn is_empty(&self) -> bool {
        [&self.name, &self.mrn, &self.birth_date]
            .iter()
            .all(|f| f.as_deref().is_none_or(|v| v.trim().is_empty()))
    }
}

/// What an import of MRNs into a list did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Imported {
    pub added: Vec<PatientSummary>,
    /// MRNs the EHR does not know, or knows more than one patient by.
    pub not_found: Vec<String>,
    pub already_on_list: usize,
    /// What became of each MRN, in the order given.
    #[serde(default)]
    pub rows: Vec<ImportRow>,
}

/// One MRN of an import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ImportRow {
    pub mrn: String,
    pub outcome: ImportOutcome,
    /// The patient found, when exactly one was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patient: Option<PatientSummary>,
    /// Why nothing was added: how many patients matched, or what the EHR said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ImportOutcome {
    Added,
    AlreadyOnList,
    NotFound,
    /// More than one patient has this MRN: nobody was added.
    Ambiguous,
    /// The EHR could not be asked (down, slow, refused): try this one again.
    EhrError,
}

impl ImportOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            ImportOutcome::Added => "added",
            ImportOutcome::AlreadyOnList => "already on the list",
            ImportOutcome::NotFound => "not found",
            ImportOutcome::Ambiguous => "ambiguous",
            ImportOutcome::EhrError => "EHR error",
        }
    }
}
