//! Simulated colleagues: real clients of the demo server (HTTP and the event stream, as
//! any other client). They post on a script, and they receive, read and answer what the
//! demo user sends them, so receipts can be watched changing. The registrar holds the
//! on-call role and hands it over to the next registrar soon after an urgent message to
//! the role arrives, so the message can be watched following the hand-over. During the
//! round the registrar writes the sickest patient's plan and gives the demo nurse jobs
//! (one urgent), which the nurse can tick off.

use std::time::Duration;

use tokio::sync::mpsc;
use tokio::task::JoinSet;
use uuid::Uuid;

use super::cast::{Cast, ON_CALL};
use crate::client::{spawn_event_stream, ApiClient, ClientError, StreamUpdate};
use crate::model::{
    ConversationKind, EventKind, JobPriority, NewJob, NewMessage, OnCall, Priority, ReceiptState,
    StartConversation,
};

/// How long the registrar takes to hand the role over once an urgent message to it comes.
const HANDOVER_AFTER: Duration = Duration::from_secs(10);

/// What the urgent message is about: a bed and its score, chosen from the generated ward.
pub struct Concern {
    pub patient: String,
    pub bed: String,
    pub news2: String,
    /// The next sickest patient: a routine job comes for them.
    pub next: String,
}

pub struct Colleagues {
    tasks: JoinSet<()>,
}

impl Colleagues {
    pub fn stop(mut self) {
        self.tasks.abort_all();
    }
}

struct Colleague {
    client: ApiClient,
    me: Uuid,
    /// Answers to the demo user, used once each, in order.
    replies: Vec<&'static str>,
    /// Whether they ever read the demo user's urgent messages. One does not, so that the
    /// demo shows re-notification, the unanswered notice and escalation.
    reads_urgent: bool,
    /// Holding the on-call role, an urgent message to it makes them hand it to this
    /// username (and leave the message to the next holder).
    hands_role_to: Option<&'static str>,
}

pub async fn start(url: &str, cast: &Cast, concern: Concern) -> Result<Colleagues, ClientError> {
    let anon = ApiClient::new(url)?;
    let login = |username: &'static str| {
        let anon = anon.clone();
        let password = cast.password.clone();
        async move {
            anon.login(username, &password)
                .await
                .map(|(c, r)| (c, r.user.id))
        }
    };
    let (registrar, registrar_id) = login("pshah").await?;
    let (charge, charge_id) = login("sokafor").await?;
    let (fy1, fy1_id) = login("treid").await?;
    let (next, next_id) = login("jbello").await?;
    registrar
        .on_call(&OnCall::Take {
            role: ON_CALL.into(),
        })
        .await?;
    let mut tasks = JoinSet::new();

    let (charge_c, channel) = (charge.clone(), cast.channel);
    tasks.spawn(async move {
        tokio::time::sleep(Duration::from_secs(3)).await;
        let _ = post(
            &charge_c,
            channel,
            "Morning all. Safety huddle 08:30 at the nurses' station; two admissions expected from ED before noon.",
            Priority::Important,
        )
        .await;
    });
    // A patient-linked chat: the row's unread column counts it.
    let (charge_p, list, patient) = (charge.clone(), cast.list, concern.patient.clone());
    tasks.spawn(async move {
        tokio::time::sleep(Duration::from_secs(5)).await;
        if let Ok(chat) = charge_p.patient_conversation(list, &patient).await {
            let _ = post(
                &charge_p,
                chat.id,
                "Family visiting at 14:00; please update them after the round.",
                Priority::Normal,
            )
            .await;
        }
    });
    let (registrar_c, chat) = (registrar.clone(), cast.registrar_chat);
    tasks.spawn(async move {
        tokio::time::sleep(Duration::from_secs(7)).await;
        let text = format!(
            "{} has a NEWS2 of {}. Please repeat a full set of obs now and call me on bleep 4417.",
            concern.bed, concern.news2
        );
        let _ = post(&registrar_c, chat, &text, Priority::Urgent).await;
    });
    // The round: the registrar writes the plan and gives the nurse the work it makes.
    let (registrar_j, nurse_name) = (registrar.clone(), cast.nurse.username.clone());
    let (sick, runner_up) = (concern.patient.clone(), concern.next.clone());
    tasks.spawn(async move {
        tokio::time::sleep(Duration::from_secs(12)).await;
        let _ = registrar_j
            .write_plan(
                &sick,
                "Sepsis six given; IV antibiotics, fluids.\nRepeat lactate; ICU outreach if NEWS2 stays 7 or more.",
            )
            .await;
        let now = chrono::Utc::now();
        let job = |patient: &str, text: &str, minutes: i64, priority| NewJob {
            id: None,
            patient: patient.to_string(),
            text: text.into(),
            assignee: nurse_name.clone(),
            due_at: Some(now + chrono::Duration::minutes(minutes)),
            priority,
            message_id: None,
        };
        let _ = registrar_j
            .create_job(&job(&sick, "Repeat full set of obs and a lactate", 30, JobPriority::Urgent))
            .await;
        tokio::time::sleep(Duration::from_secs(4)).await;
        if !runner_up.is_empty() {
            let _ = registrar_j
                .create_job(&job(&runner_up, "Chase the chest X-ray report", 120, JobPriority::Routine))
                .await;
        }
    });
    // The charge nurse writes to the on-call registrar by role, not by name.
    let charge_r = charge.clone();
    tasks.spawn(async move {
        tokio::time::sleep(Duration::from_secs(20)).await;
        let role = StartConversation::Role {
            role: ON_CALL.into(),
        };
        if let Ok(thread) = charge_r.start_conversation(&role).await {
            let _ = post(
                &charge_r,
                thread.id,
                "New chest pain in bay 2, ECG done: please review.",
                Priority::Urgent,
            )
            .await;
        }
    });

    let nurse = cast.nurse.id;
    let people = [
        Colleague {
            client: registrar,
            me: registrar_id,
            replies: vec!["Thanks. On my way up now.", "Great, see you there."],
            reads_urgent: true,
            hands_role_to: Some("jbello"),
        },
        Colleague {
            client: charge,
            me: charge_id,
            replies: vec!["Noted, thank you."],
            reads_urgent: true,
            hands_role_to: None,
        },
        Colleague {
            client: fy1,
            me: fy1_id,
            replies: vec![],
            reads_urgent: false,
            hands_role_to: None,
        },
        Colleague {
            client: next,
            me: next_id,
            replies: vec![
                "Jamal Bello, medical registrar on call now: on my way.",
                "Jamal Bello, medical registrar on call now: on my way.",
            ],
            reads_urgent: true,
            hands_role_to: None,
        },
    ];
    for c in people {
        tasks.spawn(respond(c, nurse));
    }
    Ok(Colleagues { tasks })
}

async fn post(
    client: &ApiClient,
    conversation: Uuid,
    body: &str,
    priority: Priority,
) -> Result<(), ClientError> {
    let message = NewMessage {
        id: crate::model::new_message_id(),
        body: body.to_string(),
        priority,
    };
    client.send(conversation, &message).await.map(|_| ())
}

/// Follows one colleague's stream: what the demo user sends is delivered at once, read a
/// moment later, and (while replies last) answered in 1:1s.
async fn respond(mut colleague: Colleague, nurse: Uuid) {
    let cursor = match colleague.client.me().await {
        Ok(me) => me.cursor,
        Err(_) => return,
    };
    let (tx, mut rx) = mpsc::unbounded_channel();
    let _stream = spawn_event_stream(colleague.client.clone(), cursor, tx);
    let mut replies = colleague
        .replies
        .drain(..)
        .collect::<std::collections::VecDeque<_>>();
    while let Some(update) = rx.recv().await {
        let StreamUpdate::Event(event) = update else {
            continue;
        };
        let EventKind::Message { message } = event.kind else {
            continue;
        };
        if message.sender_id == colleague.me || message.receipt_of(colleague.me).is_none() {
            continue;
        }
        // Colleagues answer the demo user, and anyone who writes to the role they hold.
        let to_role = colleague
            .client
            .conversations()
            .await
            .ok()
            .and_then(|all| all.into_iter().find(|c| c.id == message.conversation_id))
            .is_some_and(|c| c.kind == ConversationKind::Role);
        if message.sender_id != nurse && !to_role {
            continue;
        }
        let client = colleague.client.clone();
        if to_role && message.priority == Priority::Urgent {
            if let Some(next) = colleague.hands_role_to.take() {
                // Going into theatre: the role (and this message) go to the next registrar.
                tokio::spawn(async move {
                    let _ = client.mark(message.id, ReceiptState::Delivered).await;
                    tokio::time::sleep(HANDOVER_AFTER).await;
                    let _ = client
                        .on_call(&OnCall::Hand {
                            role: ON_CALL.into(),
                            to: next.into(),
                        })
                        .await;
                });
                continue;
            }
        }
        let direct = message.receipts.len() == 1;
        let reply = if direct { replies.pop_front() } else { None };
        let reads = colleague.reads_urgent || message.priority != Priority::Urgent;
        tokio::spawn(async move {
            let _ = client.mark(message.id, ReceiptState::Delivered).await;
            if !reads {
                return;
            }
            tokio::time::sleep(Duration::from_millis(2500)).await;
            let _ = client.mark(message.id, ReceiptState::Read).await;
            if let Some(text) = reply {
                tokio::time::sleep(Duration::from_secs(3)).await;
                let _ = post(&client, message.conversation_id, text, Priority::Normal).await;
            }
        });
    }
}
