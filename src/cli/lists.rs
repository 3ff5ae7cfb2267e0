//! `wardround lists`: a team's patient lists on the server, from a script or a shell.

use clap::Subcommand;
use color_eyre::eyre::{eyre, Result};

use wardround::client::ApiClient;
use wardround::model::PatientList;

use super::login::log_in;
use super::Context;

#[derive(Subcommand)]
pub enum Action {
    /// Print every list you can see, with how many patients it holds (the default).
    Show,
    /// Create an empty list (on your first team).
    New {
        name: String,
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
            for l in &lists {
                say!("{}\t{} patients", l.name, l.patient_ids.len());
            }
        }
        Action::New { name } => say!("created {}", client.new_list(&name).await?.name),
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

/// The list called `name` (any case), or an error naming the lists there are.
pub fn named<'a>(lists: &'a [PatientList], name: &str) -> Result<&'a PatientList> {
    lists
        .iter()
        .find(|l| l.name.eq_ignore_ascii_case(name))
        .ok_or_else(|| {
            let names: Vec<&str> = lists.iter().map(|l| l.name.as_str()).collect();
            eyre!("no list named `{name}`; your lists: {}", names.join(", "))
        })
}

/// Logs in and finds the list called `name`.
pub async fn log_in_for_list(cx: &Context, name: &str) -> Result<(ApiClient, PatientList)> {
    let client = log_in(&cx.config, cx.password_stdin).await?;
    let lists = client.lists().await?;
    let list = named(&lists, name)?.clone();
    Ok((client, list))
}
