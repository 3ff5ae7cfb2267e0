//! `wardround lists`: a team's patient lists on the server, from a script or a shell.

use clap::Subcommand;
use color_eyre::eyre::{eyre, Result};

use wardround::client::ApiClient;
use wardround::model::{ListSource, PatientList};

use super::login::log_in;
use super::Context;

#[derive(Subcommand)]
pub enum Action {
    /// Print every list you can see, with how many patients it holds (the default).
    Show,
    /// Create a list (on your first team): empty, or kept from the EHR.
    New {
        name: String,
        /// Keep it from a ward's census: who has an in-progress inpatient stay in the
        /// location (or its rooms and beds), by `Location/ID`, `system|value` or name.
        #[arg(long, value_name = "LOCATION", conflicts_with = "fhir_list")]
        census: Option<String>,
        /// Keep it from one of the EHR's own lists: `List/ID` or `List?code=…`.
        #[arg(long, value_name = "LIST")]
        fhir_list: Option<String>,
    },
    Rename {
        list: String,
        new_name: String,
    },
    Duplicate {
        list: String,
        new_name: String,
    },
    Delete {
        list: String,
    },
}

pub async fn run(cx: &Context, action: Action) -> Result<()> {
    let client = log_in(&cx.config, cx.password_stdin).await?;
    let lists = client.lists().await?;
    let find = |name: &str| named(&lists, name).cloned();
    match action {
        Action::Show => {
            if lists.is_empty() {
                eprintln!(
                    "No lists on your teams yet: `wardround lists new NAME` makes one (--census WARD keeps it from the EHR)."
                );
            }
            for l in &lists {
                let follows = match &l.source {
                    Some(ListSource::Census { location_name, .. }) => {
                        format!("\tcensus of {location_name}")
                    }
                    Some(ListSource::FhirList { title, .. }) => format!("\tEHR list {title}"),
                    None => String::new(),
                };
                let gone = l.marks.values().filter(|m| m.gone_at.is_some()).count();
                let gone = match &l.source {
                    Some(s) if gone > 0 => format!(" ({gone} {})", s.gone_word()),
                    _ => String::new(),
                };
                say!(
                    "{}\t{} patients{gone}{follows}",
                    l.name,
                    l.patient_ids.len()
                );
            }
        }
        Action::New {
            name,
            census: None,
            fhir_list: None,
        } => say!("created {}", client.new_list(&name).await?.name),
        Action::New {
            name,
            census,
            fhir_list,
        } => {
            let list = client
                .new_sourced_list(&name, census.as_deref(), fhir_list.as_deref())
                .await?;
            let from = match &list.source {
                Some(ListSource::Census {
                    location_name,
                    location_id,
                    ..
                }) => format!("the census of {location_name} ({location_id})"),
                Some(ListSource::FhirList { title, reference }) => {
                    format!("the EHR list {title} ({reference})")
                }
                None => "nothing".into(),
            };
            say!(
                "created {}, following {from}: {} patients now",
                list.name,
                list.patient_ids.len()
            )
        }
        Action::Rename { list, new_name } => {
            let renamed = client.rename_list(find(&list)?.id, &new_name).await?;
            say!("renamed to {}", renamed.name)
        }
        Action::Duplicate { list, new_name } => {
            let copy = client.duplicate_list(find(&list)?.id, &new_name).await?;
            say!("created {}", copy.name)
        }
        Action::Delete { list } => {
            let l = find(&list)?;
            client.delete_list(l.id).await?;
            say!("deleted {}", l.name);
        }
    }
    Ok(())
}

/// The list called `name` (any case), or an error naming the lists there are. Two lists
/// may share a name: then it refuses rather than pick one (and delete the wrong one).
pub fn named<'a>(lists: &'a [PatientList], name: &str) -> Result<&'a PatientList> {
    let mut matching = lists.iter().filter(|l| l.name.eq_ignore_ascii_case(name));
    match (matching.next(), matching.next()) {
        (Some(list), None) => Ok(list),
        (Some(_), Some(_)) => Err(eyre!(
            "{} lists are called `{name}`: rename one in the app (e) first",
            2 + matching.count()
        )),
        (None, _) => {
            let names: Vec<&str> = lists.iter().map(|l| l.name.as_str()).collect();
            Err(eyre!(
                "no list named `{name}`; your lists: {}",
                names.join(", ")
            ))
        }
    }
}

/// Logs in and finds the list called `name`.
pub async fn log_in_for_list(cx: &Context, name: &str) -> Result<(ApiClient, PatientList)> {
    let client = log_in(&cx.config, cx.password_stdin).await?;
    let lists = client.lists().await?;
    let list = named(&lists, name)?.clone();
    Ok((client, list))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(name: &str) -> PatientList {
        PatientList {
            id: uuid::Uuid::new_v4(),
            team_id: uuid::Uuid::nil(),
            name: name.into(),
            patient_ids: Vec::new(),
            ..Default::default()
        }
    }

    #[test]
    fn a_name_two_lists_share_is_refused_not_guessed() {
        let lists = [list("Take list"), list("take list"), list("4 West")];
        let err = named(&lists, "TAKE LIST").unwrap_err().to_string();
        assert!(err.contains("2 lists are called"), "{err}");
        assert_eq!(named(&lists, "4 west").unwrap().name, "4 West");
        let err = named(&lists, "5 East").unwrap_err().to_string();
        assert!(err.contains("no list named `5 East`"), "{err}");
    }
}
