//! The demo's people and places: the nurse at the keyboard, four colleagues, the 4 West
//! team with its patient list, a ward channel, a rounds group, two 1:1s and the medical
//! registrar on-call role.

use argon2::password_hash::rand_core::{OsRng, RngCore};
use uuid::Uuid;

use super::ward::WARD_NAME;
use crate::model::{Assignee, ConversationKind, PolicyPatch, User};

/// The demo team's messaging policy: Teams' defaults, sped up.
pub const DEMO_POLICY: &str = "demo_accelerated";
/// The role the registrar holds and hands over during the demo.
pub const ON_CALL: &str = "Medical registrar on call";
use crate::server::domain::DomainResult;
use crate::server::Domain;

pub struct Cast {
    /// One password for everyone: the demo logs them all in itself and never shows it.
    pub password: String,
    pub nurse: User,
    pub registrar: User,
    pub charge_nurse: User,
    pub fy1: User,
    /// The registrar who takes over the on-call role.
    pub next_registrar: User,
    pub list: Uuid,
    pub channel: Uuid,
    pub rounds: Uuid,
    pub registrar_chat: Uuid,
    pub charge_chat: Uuid,
}

pub async fn seed(domain: &Domain) -> DomainResult<Cast> {
    let mut bytes = [0u8; 16];
    OsRng.fill_bytes(&mut bytes);
    let password: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let nurse = domain
        .create_user("nurse", "Alex Morgan", "RN", &password)
        .await?;
    let registrar = domain
        .create_user("pshah", "Dr Priya Shah", "Medical Registrar", &password)
        .await?;
    let charge_nurse = domain
        .create_user("sokafor", "Sam Okafor", "Charge Nurse", &password)
        .await?;
    let fy1 = domain
        .create_user("treid", "Dr Tom Reid", "FY1", &password)
        .await?;
    let next_registrar = domain
        .create_user("jbello", "Dr Jamal Bello", "Medical Registrar", &password)
        .await?;
    let everyone = vec![nurse.id, registrar.id, charge_nurse.id, fy1.id];
    let mut team_members = everyone.clone();
    team_members.push(next_registrar.id);
    let team = domain.create_team(WARD_NAME, &team_members).await?;
    // Urgent messages chase and escalate in seconds rather than minutes, so a demo shows
    // the whole path: re-notified every 10 s, and after 40 s the sender hears who has not
    // read it and the charge nurse is messaged.
    let mut accelerated = PolicyPatch::default();
    for (key, value) in [
        ("renotify_interval", "10s"),
        ("renotify_window", "40s"),
        ("escalation_target", "user:sokafor"),
    ] {
        accelerated
            .set(key, value)
            .map_err(crate::server::domain::DomainError::Invalid)?;
    }
    domain.create_policy(DEMO_POLICY, &accelerated).await?;
    domain
        .assign_policy(DEMO_POLICY, &Assignee::Team(WARD_NAME.into()))
        .await?;
    // The ward's census: admissions and discharges arrive by themselves.
    let list = domain
        .create_sourced_list(
            team.id,
            &format!("{WARD_NAME} — all beds"),
            crate::server::domain::census::NewSource::Census(WARD_NAME.into()),
        )
        .await?;
    let channel = domain
        .create_conversation(
            ConversationKind::Channel,
            WARD_NAME,
            Some(team.id),
            team_members,
        )
        .await?;
    // Written to by role, not by name; while nobody holds it, the ward's channel has it.
    domain
        .define_role(&crate::model::NewRole {
            name: ON_CALL.into(),
            team: WARD_NAME.into(),
            fallback: Some(format!("team:{WARD_NAME}")),
        })
        .await?;
    let rounds = domain
        .create_conversation(
            ConversationKind::Group,
            "4W ward round",
            Some(team.id),
            everyone,
        )
        .await?;
    let registrar_chat = domain
        .create_conversation(
            ConversationKind::Direct,
            "",
            None,
            vec![nurse.id, registrar.id],
        )
        .await?;
    let charge_chat = domain
        .create_conversation(
            ConversationKind::Direct,
            "",
            None,
            vec![nurse.id, charge_nurse.id],
        )
        .await?;
    Ok(Cast {
        list: list.id,
        password,
        nurse,
        registrar,
        charge_nurse,
        fy1,
        next_registrar,
        channel,
        rounds,
        registrar_chat,
        charge_chat,
    })
}
