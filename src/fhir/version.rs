//! Which FHIR version an EHR speaks, read from its `metadata` (CapabilityStatement, or
//! Conformance in DSTU2), and what that means on the wire.

use serde::Deserialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FhirVersion {
    Dstu2,
    Stu3,
    /// R4, and R4B, which changed nothing wardround reads.
    R4,
}

impl FhirVersion {
    /// The JSON media type the version's servers expect in `Accept`.
    pub fn media_type(self) -> &'static str {
        match self {
            FhirVersion::Dstu2 => "application/json+fhir",
            FhirVersion::Stu3 | FhirVersion::R4 => "application/fhir+json",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            FhirVersion::Dstu2 => "DSTU2",
            FhirVersion::Stu3 => "STU3",
            FhirVersion::R4 => "R4",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VersionError {
    #[error("the EHR speaks FHIR {0}, which wardround does not support (it reads DSTU2, STU3, R4 and R4B)")]
    Unsupported(String),
    #[error("the EHR's metadata is not a CapabilityStatement or Conformance (resourceType {0})")]
    NotCapability(String),
    #[error("the EHR's CapabilityStatement does not say which FHIR version it speaks")]
    NoVersion,
}

#[derive(Deserialize)]
struct Metadata {
    #[serde(rename = "resourceType")]
    resource_type: Option<String>,
    #[serde(rename = "fhirVersion")]
    fhir_version: Option<String>,
}

/// Classifies a `GET [base]/metadata` body. The resource type decides first (Conformance
/// exists only in DSTU2), then the version number.
pub fn classify(metadata: &[u8]) -> Result<FhirVersion, VersionError> {
    let m: Metadata = serde_json::from_slice(metadata)
        .map_err(|e| VersionError::NotCapability(format!("unreadable: {e}")))?;
    let version = m.fhir_version.unwrap_or_default();
    match m.resource_type.as_deref() {
        Some("Conformance") => Ok(FhirVersion::Dstu2),
        Some("CapabilityStatement") => {
            let mut parts = version.trim().split('.');
            match (parts.next(), parts.next()) {
                (Some("4"), Some("0" | "3")) => Ok(FhirVersion::R4),
                (Some("3"), _) => Ok(FhirVersion::Stu3),
                // CapabilityStatement first appeared in STU3, whose ballots (and the spec's
                // own example) carried 1.x numbers; a DSTU2 server would send Conformance.
                (Some("1"), _) => Ok(FhirVersion::Stu3),
                (Some(""), _) => Err(VersionError::NoVersion),
                _ => Err(VersionError::Unsupported(version)),
            }
        }
        other => Err(VersionError::NotCapability(
            other.unwrap_or("missing").to_string(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cap(kind: &str, version: &str) -> Vec<u8> {
        format!(r#"{{"resourceType":"{kind}","fhirVersion":"{version}"}}"#).into_bytes()
    }

    #[test]
    fn versions_are_judged_by_resource_type_and_number() {
        assert_eq!(
            classify(&cap("Conformance", "1.0.2")),
            Ok(FhirVersion::Dstu2)
        );
        assert_eq!(
            classify(&cap("CapabilityStatement", "3.0.1")),
            Ok(FhirVersion::Stu3)
        );
        assert_eq!(
            classify(&cap("CapabilityStatement", "4.0.0")),
            Ok(FhirVersion::R4)
        );
        assert_eq!(
            classify(&cap("CapabilityStatement", "4.0.1")),
            Ok(FhirVersion::R4)
        );
        assert_eq!(
            classify(&cap("CapabilityStatement", "4.3.0")),
            Ok(FhirVersion::R4)
        );
        assert_eq!(
            classify(&cap("CapabilityStatement", "5.0.0")),
            Err(VersionError::Unsupported("5.0.0".into()))
        );
        assert_eq!(
            classify(&cap("CapabilityStatement", "")),
            Err(VersionError::NoVersion)
        );
        assert!(matches!(
            classify(&cap("Patient", "4.0.1")),
            Err(VersionError::NotCapability(_))
        ));
        assert!(classify(b"<html>").is_err());
        let r5 = classify(&cap("CapabilityStatement", "5.0.0"))
            .unwrap_err()
            .to_string();
        assert!(r5.contains("5.0.0"), "{r5}");
    }
}
