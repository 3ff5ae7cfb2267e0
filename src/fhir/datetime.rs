//! FHIR's dates and times, partial ones included, read as instants.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};

/// Reads a FHIR `dateTime` / `instant` / `date` as the instant it starts at. Partial dates
/// (`2019`, `2019-05`) are legal FHIR and read as their first moment; a date-time without
/// a zone is read as UTC. Anything else is `None`.
pub fn parse_instant(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return Some(dt.with_timezone(&Utc));
    }
    if let Ok(naive) = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f") {
        return Some(Utc.from_utc_datetime(&naive));
    }
    parse_date(s)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|n| Utc.from_utc_datetime(&n))
}

/// Reads a FHIR `date` (possibly partial) as its first day.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    let date_part = s.split('T').next().unwrap_or(s);
    let mut parts = date_part.splitn(3, '-');
    let year: i32 = parts.next()?.parse().ok()?;
    let month: u32 = parts.next().map_or(Some(1), |m| m.parse().ok())?;
    let day: u32 = parts.next().map_or(Some(1), |d| d.parse().ok())?;
    NaiveDate::from_ymd_opt(year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_precision_fhir_allows() {
        assert_eq!(
            parse_instant("2019").unwrap().to_rfc3339(),
            "2019-01-01T00:00:00+00:00"
        );
        assert_eq!(
            parse_instant("2019-05").unwrap().to_rfc3339(),
            "2019-05-01T00:00:00+00:00"
        );
        assert_eq!(
            parse_instant("2019-05-02T10:00:00+01:00")
                .unwrap()
                .to_rfc3339(),
            "2019-05-02T09:00:00+00:00"
        );
        assert!(parse_instant("yesterday").is_none());
        assert!(parse_instant("").is_none());
    }
}
