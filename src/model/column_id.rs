//! The column catalogue: every column a patient list can show, by id.

use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// How a column's cells compare and align.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellKind {
    Text,
    Number,
    DateTime,
    Duration,
    Bed,
    Score,
}

/// A LOINC code (`8867-4`), held inline so column ids stay `Copy`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Loinc {
    bytes: [u8; 12],
    len: u8,
}

impl Loinc {
    /// LOINC codes are digits, a dash and a check digit; anything else is refused.
    pub fn parse(code: &str) -> Option<Loinc> {
        let valid = !code.is_empty()
            && code.len() <= 12
            && code.bytes().all(|b| b.is_ascii_digit() || b == b'-')
            && code.bytes().filter(|&b| b == b'-').count() == 1
            && !code.starts_with('-')
            && !code.ends_with('-');
        if !valid {
            return None;
        }
        let mut bytes = [0u8; 12];
        bytes[..code.len()].copy_from_slice(code.as_bytes());
        Some(Loinc {
            bytes,
            len: code.len() as u8,
        })
    }

    pub fn as_str(&self) -> &str {
        // Only ASCII digits and '-' are ever stored.
        std::str::from_utf8(&self.bytes[..self.len as usize]).unwrap_or("")
    }
}

impl fmt::Debug for Loinc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Loinc({})", self.as_str())
    }
}

/// Every column. The id (`bed`, `obs:8867-4`) is what config, export and the API use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ColumnId {
    Bed,
    Name,
    Mrn,
    Age,
    Sex,
    Attending,
    Admit,
    Los,
    Reason,
    Problems,
    Allergies,
    CodeStatus,
    Isolation,
    Diet,
    Vitals,
    News2,
    Jobs,
    Unread,
    Refreshed,
    /// The latest Observation with this LOINC code.
    Obs(Loinc),
}

impl ColumnId {
    /// The built-in catalogue, in its default order (custom `obs:` columns come on top).
    pub const ALL: [ColumnId; 19] = [
        ColumnId::Bed,
        ColumnId::Name,
        ColumnId::Mrn,
        ColumnId::Age,
        ColumnId::Sex,
        ColumnId::Attending,
        ColumnId::Admit,
        ColumnId::Los,
        ColumnId::Reason,
        ColumnId::Problems,
        ColumnId::Allergies,
        ColumnId::CodeStatus,
        ColumnId::Isolation,
        ColumnId::Diet,
        ColumnId::Vitals,
        ColumnId::News2,
        ColumnId::Jobs,
        ColumnId::Unread,
        ColumnId::Refreshed,
    ];

    /// What a new list shows until someone chooses.
    pub const DEFAULT: [ColumnId; 11] = [
        ColumnId::Bed,
        ColumnId::Name,
        ColumnId::Mrn,
        ColumnId::Age,
        ColumnId::Sex,
        ColumnId::Admit,
        ColumnId::Los,
        ColumnId::Reason,
        ColumnId::News2,
        ColumnId::Jobs,
        ColumnId::Unread,
    ];

    /// Place in [`ColumnId::ALL`]; `None` for `obs:` columns.
    pub fn catalogue_position(self) -> Option<usize> {
        Some(match self {
            ColumnId::Bed => 0,
            ColumnId::Name => 1,
            ColumnId::Mrn => 2,
            ColumnId::Age => 3,
            ColumnId::Sex => 4,
            ColumnId::Attending => 5,
            ColumnId::Admit => 6,
            ColumnId::Los => 7,
            ColumnId::Reason => 8,
            ColumnId::Problems => 9,
            ColumnId::Allergies => 10,
            ColumnId::CodeStatus => 11,
            ColumnId::Isolation => 12,
            ColumnId::Diet => 13,
            ColumnId::Vitals => 14,
            ColumnId::News2 => 15,
            ColumnId::Jobs => 16,
            ColumnId::Unread => 17,
            ColumnId::Refreshed => 18,
            ColumnId::Obs(_) => return None,
        })
    }

    pub fn id(self) -> Cow<'static, str> {
        Cow::Borrowed(match self {
            ColumnId::Bed => "bed",
            ColumnId::Name => "name",
            ColumnId::Mrn => "mrn",
            ColumnId::Age => "age",
            ColumnId::Sex => "sex",
            ColumnId::Attending => "attending",
            ColumnId::Admit => "admit",
            ColumnId::Los => "los",
            ColumnId::Reason => "reason",
            ColumnId::Problems => "problems",
            ColumnId::Allergies => "allergies",
            ColumnId::CodeStatus => "code_status",
            ColumnId::Isolation => "isolation",
            ColumnId::Diet => "diet",
            ColumnId::Vitals => "vitals",
            ColumnId::News2 => "news2",
            ColumnId::Jobs => "jobs",
            ColumnId::Unread => "unread",
            ColumnId::Refreshed => "refreshed",
            ColumnId::Obs(code) => return Cow::Owned(format!("obs:{}", code.as_str())),
        })
    }

    pub fn parse(id: &str) -> Option<Self> {
        if let Some(code) = id.strip_prefix("obs:") {
            return Loinc::parse(code).map(ColumnId::Obs);
        }
        Self::ALL.into_iter().find(|c| c.id() == id)
    }

    /// Parses, or says what is wrong in words a config error can carry.
    pub fn parse_or_explain(id: &str) -> Result<Self, String> {
        Self::parse(id).ok_or_else(|| {
            if id.starts_with("obs:") {
                format!(
                    "`{id}` is not a LOINC column: write obs: and a LOINC code, such as obs:8867-4"
                )
            } else {
                format!("unknown column `{id}`; `wardround columns` lists them")
            }
        })
    }

    pub fn header(self) -> Cow<'static, str> {
        Cow::Borrowed(match self {
            ColumnId::Bed => "Bed",
            ColumnId::Name => "Name",
            ColumnId::Mrn => "MRN",
            ColumnId::Age => "Age",
            ColumnId::Sex => "Sex",
            ColumnId::Attending => "Attending",
            ColumnId::Admit => "Admitted",
            ColumnId::Los => "LOS",
            ColumnId::Reason => "Reason for admission",
            ColumnId::Problems => "Problems",
            ColumnId::Allergies => "Allergies",
            ColumnId::CodeStatus => "Code status",
            ColumnId::Isolation => "Isolation",
            ColumnId::Diet => "Diet",
            ColumnId::Vitals => "Vitals",
            ColumnId::News2 => "NEWS2",
            ColumnId::Jobs => "Jobs",
            ColumnId::Unread => "Unread",
            ColumnId::Refreshed => "Refreshed",
            ColumnId::Obs(code) => return Cow::Owned(code.as_str().to_string()),
        })
    }

    /// One line for `wardround columns`.
    pub fn description(self) -> &'static str {
        match self {
            ColumnId::Bed => "bed of the current stay (bed → room → ward), natural order so 4W-2 < 4W-10",
            ColumnId::Name => "FAMILY, Given from the official name",
            ColumnId::Mrn => "medical record number (the identifier typed MR)",
            ColumnId::Age => "age in years (months under two; at death for the deceased)",
            ColumnId::Sex => "administrative gender: M, F, X (other), U (unknown)",
            ColumnId::Attending => "attending clinician: the stay's ATND participant, else care team, else GP (labelled)",
            ColumnId::Admit => "start of the current inpatient stay",
            ColumnId::Los => "length of stay: days, or hours under a day",
            ColumnId::Reason => "reason for admission: the stay's reason or diagnosis",
            ColumnId::Problems => "active problems: how many, and the first",
            ColumnId::Allergies => "active allergies: how many and the highest criticality; NKA when none known",
            ColumnId::CodeStatus => "resuscitation status (LOINC 81351-9 / 81352-7, or an advance-directive flag)",
            ColumnId::Isolation => "isolation or infection-control precautions (Flag)",
            ColumnId::Diet => "diet (NutritionOrder, or a diet Flag)",
            ColumnId::Vitals => "latest HR, RR, BP, SpO2 and temperature, with the reading's age",
            ColumnId::News2 => "NEWS2 from the latest vital signs; ≥n when partial; the EHR's own score wins",
            ColumnId::Jobs => "open jobs on the patient; flagged ! when one is overdue",
            ColumnId::Unread => "unread messages about the patient",
            ColumnId::Refreshed => "when the row was last read from the EHR",
            ColumnId::Obs(_) => "latest Observation with this LOINC code: value, unit and time",
        }
    }

    pub fn kind(self) -> CellKind {
        match self {
            ColumnId::Bed => CellKind::Bed,
            ColumnId::Age
            | ColumnId::Unread
            | ColumnId::Jobs
            | ColumnId::Problems
            | ColumnId::Allergies
            | ColumnId::Obs(_) => CellKind::Number,
            ColumnId::Admit | ColumnId::Refreshed | ColumnId::Vitals => CellKind::DateTime,
            ColumnId::Los => CellKind::Duration,
            ColumnId::News2 => CellKind::Score,
            _ => CellKind::Text,
        }
    }
}

/// One sort key: a column and a direction. Written `news2:desc`, `bed` or `bed:asc`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct SortKey {
    pub column: ColumnId,
    pub descending: bool,
}

impl SortKey {
    pub fn parse(spec: &str) -> Result<SortKey, String> {
        let (id, dir) = match spec.rsplit_once(':') {
            Some((id, dir @ ("asc" | "desc"))) => (id, dir),
            _ => (spec, "asc"),
        };
        Ok(SortKey {
            column: ColumnId::parse_or_explain(id)?,
            descending: dir == "desc",
        })
    }
}

impl<'de> Deserialize<'de> for SortKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let spec = Cow::<str>::deserialize(d)?;
        SortKey::parse(&spec).map_err(serde::de::Error::custom)
    }
}

impl Serialize for SortKey {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format!(
            "{}:{}",
            self.column.id(),
            if self.descending { "desc" } else { "asc" }
        ))
    }
}

impl Serialize for ColumnId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.id())
    }
}

impl<'de> Deserialize<'de> for ColumnId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let id = Cow::<str>::deserialize(d)?;
        ColumnId::parse_or_explain(&id).map_err(serde::de::Error::custom)
    }
}

/// `bed`, `news2`, … or `obs:` and a LOINC code: the alternatives a JSON Schema pattern
/// allows for a column id (anchors and a sort direction are the caller's).
fn column_id_alternatives() -> String {
    let ids: Vec<_> = ColumnId::ALL.iter().map(|c| c.id()).collect();
    format!("(?:{}|obs:[0-9]+-[0-9]+)", ids.join("|"))
}

/// On the wire a column id is its text (`bed`, `obs:8867-4`).
impl utoipa::PartialSchema for ColumnId {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::Type::String)
            .description(Some(
                "A column of the catalogue (`wardround columns` lists them), or `obs:` and a \
                 LOINC code for the latest Observation with that code.",
            ))
            .pattern(Some(format!("^{}$", column_id_alternatives())))
            .examples(["news2", "obs:8867-4"])
            .into()
    }
}

impl utoipa::ToSchema for ColumnId {}

/// On the wire a sort key is `COLUMN`, `COLUMN:asc` or `COLUMN:desc`.
impl utoipa::PartialSchema for SortKey {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::Type::String)
            .description(Some("A column id, then `:asc` (the default) or `:desc`."))
            .pattern(Some(format!(
                "^{}(?::asc|:desc)?$",
                column_id_alternatives()
            )))
            .examples(["news2:desc", "bed"])
            .into()
    }
}

impl utoipa::ToSchema for SortKey {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_positions_match_the_catalogue() {
        for (i, c) in ColumnId::ALL.iter().enumerate() {
            assert_eq!(c.catalogue_position(), Some(i));
        }
    }

    #[test]
    fn ids_round_trip_through_text_and_json() {
        for c in ColumnId::ALL {
            assert_eq!(ColumnId::parse(&c.id()), Some(c));
        }
        let hr = ColumnId::parse("obs:8867-4").unwrap();
        assert_eq!(hr.id(), "obs:8867-4");
        assert_eq!(serde_json::to_string(&hr).unwrap(), "\"obs:8867-4\"");
        assert_eq!(
            serde_json::from_str::<ColumnId>("\"code_status\"").unwrap(),
            ColumnId::CodeStatus
        );
    }

    #[test]
    fn sort_keys_read_as_written_in_config() {
        let k = SortKey::parse("news2:desc").unwrap();
        assert_eq!((k.column, k.descending), (ColumnId::News2, true));
        assert!(!SortKey::parse("bed").unwrap().descending);
        let hr = SortKey::parse("obs:8867-4:desc").unwrap();
        assert_eq!(hr.column.id(), "obs:8867-4");
        assert!(SortKey::parse("ward:desc").unwrap_err().contains("`ward`"));
    }

    #[test]
    fn bad_ids_are_explained() {
        assert!(ColumnId::parse("obs:").is_none());
        assert!(ColumnId::parse("obs:88-67-4").is_none());
        assert!(ColumnId::parse("obs:8867-4; DROP").is_none());
        let err = serde_json::from_str::<ColumnId>("\"ward\"")
            .unwrap_err()
            .to_string();
        assert!(err.contains("unknown column `ward`"), "{err}");
    }
}

/// How a list is shown: which columns, in what order and width, sorted how.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ListView {
    #[serde(default)]
    pub columns: Vec<ColumnId>,
    #[serde(default)]
    pub sort: Vec<SortKey>,
    /// Widths the user set, by column; the rest are automatic.
    #[serde(default)]
    pub widths: std::collections::BTreeMap<ColumnId, u16>,
}
