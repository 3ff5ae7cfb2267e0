//! Runs effects off the render loop: each becomes a task whose result returns as an Action.
//! The tasks are the session's: dropping `Effects` (the session ending) ends them all.

use std::future::Future;
use std::time::{Duration, Instant};

use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinHandle;

use super::action::{Action, Effect};
use super::tasks::Tasks;
use super::terminal;
use crate::client::{ApiClient, ClientError};
use crate::config::NotifyChannel;
use crate::tui::components::diagnostics::{DiagReport, ServerInfo};

const MAX_RETRY: Duration = Duration::from_secs(30);

pub struct Effects {
    client: ApiClient,
    tx: UnboundedSender<Action>,
    notify: Vec<NotifyChannel>,
    /// When the last notification went out: a stream replaying after a reconnect brings
    /// several re-notifications at once, and one ring says it.
    last_notified: Option<Instant>,
    tasks: Tasks,
    /// The outbox: messages to send, in the order they were written.
    outbox: Option<UnboundedSender<(uuid::Uuid, crate::model::NewMessage)>>,
}

/// Notifications closer together than this are one.
const NOTIFY_QUIET: Duration = Duration::from_secs(2);

impl Effects {
    /// Runs effects for the session of `client`, sending their results to `tx`.
    pub fn new(client: ApiClient, tx: UnboundedSender<Action>, notify: Vec<NotifyChannel>) -> Self {
        Effects {
            client,
            tx,
            notify,
            last_notified: None,
            tasks: Tasks::default(),
            outbox: None,
        }
    }

    /// The session's one outbox task, started with the first message: it sends in the
    /// order they were written, each retried until the server has it (or refuses it)
    /// before the next, so messages written offline arrive in that order.
    fn outbox(&mut self) -> &UnboundedSender<(uuid::Uuid, crate::model::NewMessage)> {
        let (client, tx) = (self.client.clone(), self.tx.clone());
        let tasks = &mut self.tasks;
        self.outbox.get_or_insert_with(|| {
            let (queue, mut queued) =
                tokio::sync::mpsc::unbounded_channel::<(uuid::Uuid, crate::model::NewMessage)>();
            tasks.spawn(async move {
                while let Some((conversation, message)) = queued.recv().await {
                    let _ = tx.send(deliver(&client, conversation, message).await);
                }
            });
            queue
        })
    }

    /// Owns a task of the session started elsewhere (the event stream).
    pub fn adopt(&mut self, task: JoinHandle<()>) {
        self.tasks.adopt(task);
    }

    pub fn run(&mut self, effect: Effect) {
        let client = self.client.clone();
        let tx = self.tx.clone();
        let text = |e: ClientError| e.to_string();
        let tasks = &mut self.tasks;
        match effect {
            Effect::LoadLists => answer(tasks, tx, async move {
                Action::ListsLoaded(client.lists().await.map_err(text))
            }),
            Effect::LoadRows { list, columns } => answer(tasks, tx, async move {
                Action::RowsLoaded(client.list_rows(list, &columns).await.map_err(text))
            }),
            Effect::SearchPatients(text) => answer(tasks, tx, async move {
                let query = crate::tui::components::patient_search::query_of(&text);
                Action::SearchResults(
                    text,
                    client
                        .search_patients(&query)
                        .await
                        .map_err(|e| e.to_string()),
                )
            }),
            Effect::AddPatient {
                list,
                patient,
                name,
            } => answer(tasks, tx, async move {
                // The row itself arrives with the list's own change event.
                match client.add_patient(list, &patient).await {
                    Ok(_) => Action::Done(format!("Added {name} to the list.")),
                    Err(e) => Action::Failed(format!("{name} not added: {e}")),
                }
            }),
            Effect::RemovePatient { list, patient } => {
                tasks.spawn(async move {
                    if let Err(e) = client.remove_patient(list, &patient).await {
                        let _ = tx.send(Action::Failed(format!("Not removed: {e}")));
                    }
                });
            }
            Effect::MarkSeen { list, patient } => {
                // The list's event brings the change to every screen, this one too.
                tasks.spawn(async move {
                    if let Err(e) = client.mark_seen(list, &patient).await {
                        let _ = tx.send(Action::Failed(format!("Not marked as seen: {e}")));
                    }
                });
            }
            Effect::FindWards(query) => answer(tasks, tx, async move {
                let found = client.find_locations(&query).await;
                Action::WardResults(query, found.map_err(|e| e.to_string()))
            }),
            Effect::NewCensusList { name, location } => answer(tasks, tx, async move {
                match client.new_sourced_list(&name, Some(&location), None).await {
                    Ok(list) => Action::ListCreated(list),
                    Err(e) => Action::Failed(format!("List not created: {e}")),
                }
            }),
            Effect::NewList(name) => answer(tasks, tx, async move {
                match client.new_list(&name).await {
                    Ok(list) => Action::ListCreated(list),
                    Err(e) => Action::Failed(format!("List not created: {e}")),
                }
            }),
            Effect::DuplicateList { list, name } => answer(tasks, tx, async move {
                match client.duplicate_list(list, &name).await {
                    Ok(list) => Action::ListCreated(list),
                    Err(e) => Action::Failed(format!("List not copied: {e}")),
                }
            }),
            Effect::RenameList { list, name } => {
                tasks.spawn(async move {
                    // The new name arrives as the list's change event.
                    if let Err(e) = client.rename_list(list, &name).await {
                        let _ = tx.send(Action::Failed(format!("List not renamed: {e}")));
                    }
                });
            }
            Effect::DeleteList(list) => {
                tasks.spawn(async move {
                    if let Err(e) = client.delete_list(list).await {
                        let _ = tx.send(Action::Failed(format!("List not deleted: {e}")));
                    }
                });
            }
            Effect::SaveView { list, view, shared } => {
                tasks.spawn(async move {
                    if let Err(e) = client.save_view(list, &view, shared).await {
                        let _ = tx.send(Action::Failed(format!("Column choice not saved: {e}")));
                    }
                });
            }
            Effect::LoadDetail(patient) => answer(tasks, tx, async move {
                let detail = client.patient(&patient).await.map(Box::new).map_err(text);
                Action::DetailLoaded(patient, detail)
            }),
            Effect::Refresh {
                list,
                patient,
                columns,
            } => answer(tasks, tx, async move {
                if let Err(e) = client.refresh(list, patient.as_deref()).await {
                    return Action::FetchFailed(format!("Fetch latest failed: {e}"));
                }
                Action::RowsLoaded(client.list_rows(list, &columns).await.map_err(text))
            }),
            Effect::LoadConversations => answer(tasks, tx, async move {
                Action::ConversationsLoaded(client.conversations().await.map_err(text))
            }),
            Effect::LoadMessages(id) => answer(tasks, tx, async move {
                Action::MessagesLoaded(id, client.messages(id).await.map_err(text))
            }),
            Effect::LoadOlder {
                conversation,
                before,
            } => answer(tasks, tx, async move {
                let page = client.messages_before(conversation, before).await;
                Action::OlderLoaded {
                    conversation,
                    before,
                    page: page.map_err(text),
                }
            }),
            Effect::Send {
                conversation,
                message,
            } => {
                let _ = self.outbox().send((conversation, message));
            }
            Effect::Mark { messages, state } => {
                tasks.spawn(async move {
                    for id in messages {
                        let mut wait = Duration::from_millis(500);
                        for _ in 0..6 {
                            match client.mark(id, state).await {
                                Ok(()) => break,
                                Err(e) if e.is_transient() => {
                                    tokio::time::sleep(wait).await;
                                    wait *= 2;
                                }
                                Err(e) => {
                                    let _ = tx
                                        .send(Action::Failed(format!("Receipt not recorded: {e}")));
                                    break;
                                }
                            }
                        }
                    }
                });
            }
            Effect::Acknowledge(messages) => {
                tasks.spawn(async move {
                    for id in messages {
                        if let Err(e) = client.acknowledge(id).await {
                            let _ = tx.send(Action::Failed(format!("Not acknowledged: {e}")));
                        }
                    }
                });
            }
            Effect::ReportLock { idle } => {
                tasks.spawn(async move {
                    if let Err(e) = client.report_lock(idle).await {
                        let _ = tx.send(Action::Failed(format!("Lock not recorded: {e}")));
                    }
                });
            }
            Effect::ChangePassword { current, new } => answer(tasks, tx, async move {
                Action::PasswordChanged(client.change_password(&current, &new).await)
            }),
            Effect::Unlock(password) => answer(tasks, tx, async move {
                Action::Unlocked(client.verify_password(&password).await)
            }),
            Effect::LoadPolicy => answer(tasks, tx, async move {
                Action::PolicyLoaded(client.my_policy().await.map_err(text))
            }),
            Effect::LoadAwaiting => answer(tasks, tx, async move {
                Action::AwaitingLoaded(client.awaiting().await.map_err(text))
            }),
            Effect::SaveSettings(settings) => answer(tasks, tx, async move {
                Action::PolicyLoaded(client.save_settings(&settings).await.map_err(text))
            }),
            Effect::OpenPatientConversation { list, patient } => answer(tasks, tx, async move {
                Action::PatientConversationOpened(
                    client
                        .patient_conversation(list, &patient)
                        .await
                        .map_err(text),
                )
            }),
            Effect::Notify(text) => {
                if self
                    .last_notified
                    .is_none_or(|t| t.elapsed() >= NOTIFY_QUIET)
                {
                    self.last_notified = Some(Instant::now());
                    terminal::notify(&text, &self.notify);
                }
            }
            Effect::SearchDirectory(q) => answer(tasks, tx, async move {
                let found = client.directory(&q).await.map_err(text);
                Action::DirectoryResults(q, found)
            }),
            Effect::StartConversation(start) => answer(tasks, tx, async move {
                Action::ConversationOpened(client.start_conversation(&start).await.map_err(text))
            }),
            Effect::AddMember {
                conversation,
                username,
            } => answer(tasks, tx, async move {
                Action::ConversationOpened(
                    client
                        .add_member(conversation, &username)
                        .await
                        .map_err(|e| format!("Not added: {e}")),
                )
            }),
            Effect::RemoveMember {
                conversation,
                member,
            } => failure_only(tasks, tx, "Not removed", async move {
                client.remove_member(conversation, &member).await
            }),
            Effect::SetStatus(change) => answer(tasks, tx, async move {
                Action::StatusSet(client.set_status(&change).await.map_err(text))
            }),
            Effect::OnCall(change) => answer(tasks, tx, async move {
                Action::OnCallChanged(client.on_call(&change).await.map_err(text))
            }),
            Effect::LoadJobs => answer(tasks, tx, async move {
                Action::JobsLoaded(client.jobs(&Default::default()).await.map_err(text))
            }),
            Effect::CreateJob(new) => answer(tasks, tx, async move {
                Action::JobSaved(retried(|| client.create_job(&new)).await.map_err(text))
            }),
            Effect::ChangeJob { id, patch } => answer(tasks, tx, async move {
                Action::JobSaved(client.change_job(id, &patch).await.map_err(text))
            }),
            Effect::WritePlan {
                patient,
                text: plan,
            } => answer(tasks, tx, async move {
                Action::PlanSaved(client.write_plan(&patient, &plan).await.map_err(text))
            }),
            Effect::LoadHandover(list) => answer(tasks, tx, async move {
                Action::HandoverLoaded(list, client.handover(list, false).await.map_err(text))
            }),
            Effect::Follow(user) => answer(tasks, tx, async move {
                match client.follow(&user).await {
                    Ok(p) => Action::PresentationLoaded(Ok(Some(p))),
                    Err(e) => Action::Failed(format!("Not following {user}: {e}")),
                }
            }),
            Effect::Unfollow => failure_only(tasks, tx, "Still following", async move {
                client.unfollow().await
            }),
            Effect::HandControl(user) => {
                failure_only(tasks, tx, "Control not handed", async move {
                    client.hand_control(&user).await
                })
            }
            Effect::ShareView(view) => {
                failure_only(tasks, tx, "Followers not updated", async move {
                    client.share_view(&view).await
                })
            }
            Effect::LoadPresentation => answer(tasks, tx, async move {
                Action::PresentationLoaded(client.presentation().await.map_err(text))
            }),
            Effect::Diagnose(token) => diagnose(tasks, client, tx, token),
            Effect::Quit => {}
        }
    }
}

/// A request whose id makes a retry harmless (a job made with the client's id), tried
/// again a few times while the server cannot be reached.
async fn retried<T, F, Fut>(call: F) -> Result<T, crate::client::ClientError>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<T, crate::client::ClientError>>,
{
    let mut wait = Duration::from_millis(500);
    let mut tries = 0;
    loop {
        match call().await {
            Err(e) if e.is_transient() && tries < 5 => {
                tries += 1;
                tokio::time::sleep(wait).await;
                wait *= 2;
            }
            done => return done,
        }
    }
}

/// Runs a request whose success shows up elsewhere (as an event); only failure is said.
fn failure_only(
    tasks: &mut Tasks,
    tx: UnboundedSender<Action>,
    what: &'static str,
    f: impl Future<Output = Result<(), ClientError>> + Send + 'static,
) {
    tasks.spawn(async move {
        if let Err(e) = f.await {
            let _ = tx.send(Action::Failed(format!("{what}: {e}")));
        }
    });
}

/// The diagnostics pane's three measurements, each reported as it finishes.
fn diagnose(tasks: &mut Tasks, client: ApiClient, tx: UnboundedSender<Action>, token: uuid::Uuid) {
    let (c, t) = (client.clone(), tx.clone());
    answer(tasks, t, async move {
        let started = std::time::Instant::now();
        let result = c.version().await.map(|(version, date)| ServerInfo {
            version,
            latency: started.elapsed(),
            skew_secs: date.map(|d| (d - chrono::Utc::now()).num_seconds()),
        });
        Action::Diagnosed(DiagReport::Server(token, result.map_err(|e| e.to_string())))
    });
    let (c, t) = (client.clone(), tx.clone());
    answer(tasks, t, async move {
        let ehr = c.readiness().await.map(|r| {
            r["ehr"]
                .as_str()
                .map_or_else(|| "ready".to_string(), str::to_string)
        });
        Action::Diagnosed(DiagReport::Ready(token, ehr.map_err(|e| e.to_string())))
    });
    tasks.spawn(async move {
        // The answer is the `pong` event on the stream; only a refusal comes back here.
        if let Err(e) = client.ping(token).await {
            let report = DiagReport::PingFailed(token, e.to_string());
            let _ = tx.send(Action::Diagnosed(report));
        }
    });
}

/// Runs a request whose result comes back as an action.
/// Sends one message, retried until the server has it; the id makes a retry of a send
/// that did arrive harmless.
async fn deliver(
    client: &ApiClient,
    conversation: uuid::Uuid,
    message: crate::model::NewMessage,
) -> Action {
    let mut wait = Duration::from_millis(500);
    loop {
        match client.send(conversation, &message).await {
            Ok(stored) => return Action::Sent(stored),
            Err(e) if e.is_transient() => {
                tracing::warn!(error = %e.kind(), retry_in_ms = wait.as_millis(), "send failed");
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(MAX_RETRY);
            }
            Err(e) => {
                tracing::warn!(error = %e.kind(), "send refused");
                return Action::SendRefused {
                    id: message.id,
                    reason: e.to_string(),
                };
            }
        }
    }
}

fn answer(
    tasks: &mut Tasks,
    tx: UnboundedSender<Action>,
    f: impl Future<Output = Action> + Send + 'static,
) {
    tasks.spawn(async move {
        let _ = tx.send(f.await);
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{NewMessage, Priority};

    #[tokio::test]
    async fn ending_the_session_stops_the_outbox_retrying() {
        // A port nothing listens on: the send fails as a network failure, and is retried.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        let client = ApiClient::new(&format!("http://127.0.0.1:{port}")).expect("a client");
        let (tx, mut actions) = tokio::sync::mpsc::unbounded_channel();
        let mut effects = Effects::new(client, tx, Vec::new());
        effects.run(Effect::Send {
            conversation: uuid::Uuid::nil(),
            message: NewMessage {
                id: uuid::Uuid::from_u128(1),
                body: "Bed 6 cannula tissued".into(),
                priority: Priority::Normal,
            },
        });
        let waiting = tokio::time::timeout(Duration::from_millis(700), actions.recv()).await;
        assert!(
            waiting.is_err(),
            "still retrying, nothing said: {waiting:?}"
        );

        drop(effects);
        // The outbox's task holds the last sender: the channel closes once it has ended.
        let ended = tokio::time::timeout(Duration::from_secs(5), actions.recv()).await;
        assert!(
            matches!(ended, Ok(None)),
            "the outbox outlived its session: {ended:?}"
        );
    }
}
