//! Runs effects off the render loop: each becomes a task whose result returns as an Action.

use std::time::Duration;

use tokio::sync::mpsc::UnboundedSender;

use super::action::{Action, Effect};
use super::terminal;
use crate::client::{ApiClient, ClientError};
use crate::tui::components::diagnostics::{DiagReport, ServerInfo};

const MAX_RETRY: Duration = Duration::from_secs(30);

#[derive(Clone)]
pub struct Effects {
    pub client: ApiClient,
    pub tx: UnboundedSender<Action>,
    pub notify: Vec<crate::config::NotifyChannel>,
    /// When the last notification went out: a stream replaying after a reconnect brings
    /// several re-notifications at once, and one ring says it.
    pub last_notified: std::sync::Arc<std::sync::Mutex<Option<std::time::Instant>>>,
}

/// Notifications closer together than this are one.
const NOTIFY_QUIET: Duration = Duration::from_secs(2);

impl Effects {
    pub fn run(&self, effect: Effect) {
        let client = self.client.clone();
        let tx = self.tx.clone();
        let text = |e: ClientError| e.to_string();
        match effect {
            Effect::LoadLists => spawn(tx, async move {
                Action::ListsLoaded(client.lists().await.map_err(text))
            }),
            Effect::LoadRows { list, columns } => spawn(tx, async move {
                Action::RowsLoaded(client.list_rows(list, &columns).await.map_err(text))
            }),
            Effect::SearchPatients(text) => spawn(tx, async move {
                let query = crate::tui::components::patient_search::query_of(&text);
                Action::SearchResults(
                    text,
                    client
                        .search_patients(&query)
                        .await
                        .map_err(|e| e.to_string()),
                )
            }),
            Effect::AddPatient { list, patient } => {
                tokio::spawn(async move {
                    // Success shows as the list's own change event; only failure needs saying.
                    if let Err(e) = client.add_patient(list, &patient).await {
                        let _ = tx.send(Action::Failed(format!("Not added: {e}")));
                    }
                });
            }
            Effect::RemovePatient { list, patient } => {
                tokio::spawn(async move {
                    if let Err(e) = client.remove_patient(list, &patient).await {
                        let _ = tx.send(Action::Failed(format!("Not removed: {e}")));
                    }
                });
            }
            Effect::NewList(name) => spawn(tx, async move {
                match client.new_list(&name).await {
                    Ok(list) => Action::ListCreated(list),
                    Err(e) => Action::Failed(format!("List not created: {e}")),
                }
            }),
            Effect::DuplicateList { list, name } => spawn(tx, async move {
                match client.duplicate_list(list, &name).await {
                    Ok(list) => Action::ListCreated(list),
                    Err(e) => Action::Failed(format!("List not copied: {e}")),
                }
            }),
            Effect::RenameList { list, name } => {
                tokio::spawn(async move {
                    // The new name arrives as the list's change event.
                    if let Err(e) = client.rename_list(list, &name).await {
                        let _ = tx.send(Action::Failed(format!("List not renamed: {e}")));
                    }
                });
            }
            Effect::DeleteList(list) => {
                tokio::spawn(async move {
                    if let Err(e) = client.delete_list(list).await {
                        let _ = tx.send(Action::Failed(format!("List not deleted: {e}")));
                    }
                });
            }
            Effect::SaveView { list, view, shared } => {
                tokio::spawn(async move {
                    if let Err(e) = client.save_view(list, &view, shared).await {
                        let _ = tx.send(Action::Failed(format!("Column choice not saved: {e}")));
                    }
                });
            }
            Effect::LoadDetail(patient) => spawn(tx, async move {
                let detail = client.patient(&patient).await.map(Box::new).map_err(text);
                Action::DetailLoaded(patient, detail)
            }),
            Effect::Refresh {
                list,
                patient,
                columns,
            } => spawn(tx, async move {
                if let Err(e) = client.refresh(list, patient.as_deref()).await {
                    return Action::Failed(format!("Fetch latest failed: {e}"));
                }
                Action::RowsLoaded(client.list_rows(list, &columns).await.map_err(text))
            }),
            Effect::LoadConversations => spawn(tx, async move {
                Action::ConversationsLoaded(client.conversations().await.map_err(text))
            }),
            Effect::LoadMessages(id) => spawn(tx, async move {
                Action::MessagesLoaded(id, client.messages(id).await.map_err(text))
            }),
            Effect::Send {
                conversation,
                message,
            } => spawn(tx, async move {
                // The outbox: retried until the server has it. The id makes a retry of a
                // send that did arrive harmless.
                let mut wait = Duration::from_millis(500);
                loop {
                    match client.send(conversation, &message).await {
                        Ok(stored) => return Action::Sent(stored),
                        Err(e) if e.is_transient() => {
                            tokio::time::sleep(wait).await;
                            wait = (wait * 2).min(MAX_RETRY);
                        }
                        Err(e) => {
                            return Action::SendRefused {
                                id: message.id,
                                reason: e.to_string(),
                            }
                        }
                    }
                }
            }),
            Effect::Mark { messages, state } => {
                tokio::spawn(async move {
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
                tokio::spawn(async move {
                    for id in messages {
                        if let Err(e) = client.acknowledge(id).await {
                            let _ = tx.send(Action::Failed(format!("Not acknowledged: {e}")));
                        }
                    }
                });
            }
            Effect::ReportLock { idle } => {
                tokio::spawn(async move {
                    if let Err(e) = client.report_lock(idle).await {
                        let _ = tx.send(Action::Failed(format!("Lock not recorded: {e}")));
                    }
                });
            }
            Effect::ChangePassword { current, new } => spawn(tx, async move {
                Action::PasswordChanged(client.change_password(&current, &new).await)
            }),
            Effect::Unlock(password) => spawn(tx, async move {
                Action::Unlocked(client.verify_password(&password).await)
            }),
            Effect::LoadPolicy => spawn(tx, async move {
                Action::PolicyLoaded(client.my_policy().await.map_err(text))
            }),
            Effect::LoadAwaiting => spawn(tx, async move {
                Action::AwaitingLoaded(client.awaiting().await.map_err(text))
            }),
            Effect::SaveSettings(settings) => spawn(tx, async move {
                Action::PolicyLoaded(client.save_settings(&settings).await.map_err(text))
            }),
            Effect::OpenPatientConversation { list, patient } => spawn(tx, async move {
                Action::PatientConversationOpened(
                    client
                        .patient_conversation(list, &patient)
                        .await
                        .map_err(text),
                )
            }),
            Effect::Notify(text) => {
                let mut last = self.last_notified.lock().unwrap_or_else(|p| p.into_inner());
                if last.is_none_or(|t| t.elapsed() >= NOTIFY_QUIET) {
                    *last = Some(std::time::Instant::now());
                    terminal::notify(&text, &self.notify);
                }
            }
            Effect::Follow(user) => spawn(tx, async move {
                match client.follow(&user).await {
                    Ok(p) => Action::PresentationLoaded(Ok(Some(p))),
                    Err(e) => Action::Failed(format!("Not following {user}: {e}")),
                }
            }),
            Effect::Unfollow => {
                failure_only(
                    tx,
                    "Still following",
                    async move { client.unfollow().await },
                )
            }
            Effect::HandControl(user) => failure_only(tx, "Control not handed", async move {
                client.hand_control(&user).await
            }),
            Effect::ShareView(view) => failure_only(tx, "Followers not updated", async move {
                client.share_view(&view).await
            }),
            Effect::LoadPresentation => spawn(tx, async move {
                Action::PresentationLoaded(client.presentation().await.map_err(text))
            }),
            Effect::Diagnose(token) => diagnose(client, tx, token),
            Effect::Quit => {}
        }
    }
}

/// Runs a request whose success shows up elsewhere (as an event); only failure is said.
fn failure_only(
    tx: UnboundedSender<Action>,
    what: &'static str,
    f: impl std::future::Future<Output = Result<(), ClientError>> + Send + 'static,
) {
    tokio::spawn(async move {
        if let Err(e) = f.await {
            let _ = tx.send(Action::Failed(format!("{what}: {e}")));
        }
    });
}

/// The diagnostics pane's three measurements, each reported as it finishes.
fn diagnose(client: ApiClient, tx: UnboundedSender<Action>, token: uuid::Uuid) {
    let (c, t) = (client.clone(), tx.clone());
    spawn(t, async move {
        let started = std::time::Instant::now();
        let result = c.version().await.map(|(version, date)| ServerInfo {
            version,
            latency: started.elapsed(),
            skew_secs: date.map(|d| (d - chrono::Utc::now()).num_seconds()),
        });
        Action::Diagnosed(DiagReport::Server(token, result.map_err(|e| e.to_string())))
    });
    let (c, t) = (client.clone(), tx.clone());
    spawn(t, async move {
        let ehr = c.readiness().await.map(|r| {
            r["ehr"]
                .as_str()
                .map_or_else(|| "ready".to_string(), str::to_string)
        });
        Action::Diagnosed(DiagReport::Ready(token, ehr.map_err(|e| e.to_string())))
    });
    tokio::spawn(async move {
        // The answer is the `pong` event on the stream; only a refusal comes back here.
        if let Err(e) = client.ping(token).await {
            let report = DiagReport::PingFailed(token, e.to_string());
            let _ = tx.send(Action::Diagnosed(report));
        }
    });
}

fn spawn(
    tx: UnboundedSender<Action>,
    f: impl std::future::Future<Output = Action> + Send + 'static,
) {
    tokio::spawn(async move {
        let _ = tx.send(f.await);
    });
}
