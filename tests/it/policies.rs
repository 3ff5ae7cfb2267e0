//! Messaging policies over HTTP: read-receipt modes against each user's own choice,
//! urgent/important permission, precedence user > team > Global, and packages.

use crate::common;

use std::sync::Arc;

use uuid::Uuid;
use wardround::client::ApiClient;
use wardround::fhir::BundleSource;
use wardround::model::{
    Assignee, ConversationKind, EventKind, NewMessage, Package, PolicyPatch, Priority,
    ReceiptState, UserSettings, GLOBAL,
};
use wardround::server::{self, RunningServer};

use common::{TestStore, PASSWORD};

struct Ward {
    server: RunningServer,
    chat: Uuid,
}

/// `sender` and `reader` in a 1:1; both on the team `Ward 7`.
async fn ward(store: &TestStore) -> Ward {
    let server = server::start(
        "127.0.0.1:0".parse().unwrap(),
        &store.database,
        Arc::new(BundleSource::default()),
    )
    .await
    .unwrap();
    let d = &server.domain;
    let sender = d
        .create_user("sender", "Dr Sender", "Registrar", PASSWORD)
        .await
        .unwrap();
    let reader = d
        .create_user("reader", "Reader Nurse", "RN", PASSWORD)
        .await
        .unwrap();
    d.create_team_with_channel("Ward 7").await.unwrap();
    d.add_team_member("Ward 7", "sender").await.unwrap();
    d.add_team_member("Ward 7", "reader").await.unwrap();
    let chat = d
        .create_conversation(
            ConversationKind::Direct,
            "",
            None,
            vec![sender.id, reader.id],
        )
        .await
        .unwrap();
    Ward { server, chat }
}

async fn login(w: &Ward, username: &str) -> ApiClient {
    ApiClient::new(&w.server.url())
        .unwrap()
        .login(username, PASSWORD)
        .await
        .unwrap()
        .0
}

fn message(priority: Priority) -> NewMessage {
    NewMessage {
        id: Uuid::new_v4(),
        body: "Bed 3 bloods back".into(),
        priority,
    }
}

fn patch(pairs: &[(&str, &str)]) -> PolicyPatch {
    let mut p = PolicyPatch::default();
    for (k, v) in pairs {
        p.set(k, v).unwrap();
    }
    p
}

async fn read_receipts_follow_the_policy_and_each_users_choice(store: TestStore) {
    let modes = ["user_controlled", "on", "off"];
    let mut table = Vec::new();
    for mode in modes {
        for sender_on in [true, false] {
            for reader_on in [true, false] {
                let each = store.fresh().await;
                let w = ward(&each).await;
                w.server
                    .domain
                    .update_policy(GLOBAL, &patch(&[("read_receipts", mode)]))
                    .await
                    .unwrap();
                let sender = login(&w, "sender").await;
                let reader = login(&w, "reader").await;
                for (client, on) in [(&sender, sender_on), (&reader, reader_on)] {
                    let r = client
                        .save_settings(&UserSettings { read_receipts: on })
                        .await;
                    // Only a user-controlled policy lets a user choose.
                    assert_eq!(r.is_ok(), mode == "user_controlled", "{mode}: {r:?}");
                }
                let before = sender.me().await.unwrap().cursor;
                let sent = sender
                    .send(w.chat, &message(Priority::Normal))
                    .await
                    .unwrap();
                reader.mark(sent.id, ReceiptState::Read).await.unwrap();

                let shown = sender.messages(w.chat).await.unwrap()[0]
                    .receipt_of(reader.me().await.unwrap().user.id)
                    .unwrap()
                    .state;
                let told = w
                    .server
                    .domain
                    .store()
                    .events_after(sender.me().await.unwrap().user.id, before, 100)
                    .await
                    .unwrap()
                    .iter()
                    .any(|e| {
                        matches!(
                            e.kind,
                            EventKind::Receipt {
                                state: ReceiptState::Read,
                                ..
                            }
                        )
                    });
                assert_eq!(
                    shown == ReceiptState::Read,
                    told,
                    "{mode} {sender_on} {reader_on}"
                );
                let own = reader.my_policy().await.unwrap();
                table.push(format!(
                    "{mode:<15} sender {:<3} reader {:<3} -> {} (reader's receipts {})",
                    if sender_on { "on" } else { "off" },
                    if reader_on { "on" } else { "off" },
                    if told { "read shown" } else { "delivered only" },
                    if own.read_receipts_active {
                        "active"
                    } else {
                        "inactive"
                    },
                ));
            }
        }
    }
    // The same table on every store.
    insta::allow_duplicates! {
        insta::assert_snapshot!(table.join("\n"), @r"
    user_controlled sender on  reader on  -> read shown (reader's receipts active)
    user_controlled sender on  reader off -> delivered only (reader's receipts inactive)
    user_controlled sender off reader on  -> delivered only (reader's receipts active)
    user_controlled sender off reader off -> delivered only (reader's receipts inactive)
    on              sender on  reader on  -> read shown (reader's receipts active)
    on              sender on  reader off -> read shown (reader's receipts active)
    on              sender off reader on  -> read shown (reader's receipts active)
    on              sender off reader off -> read shown (reader's receipts active)
    off             sender on  reader on  -> delivered only (reader's receipts inactive)
    off             sender on  reader off -> delivered only (reader's receipts inactive)
    off             sender off reader on  -> delivered only (reader's receipts inactive)
    off             sender off reader off -> delivered only (reader's receipts inactive)
    ");
    }
}

async fn urgent_without_permission_is_refused_with_403_problem_json(store: TestStore) {
    let w = ward(&store).await;
    w.server
        .domain
        .apply_package(Package::InformationWorker, &Assignee::User("sender".into()))
        .await
        .unwrap();
    let sender = login(&w, "sender").await;
    let resp = reqwest::Client::new()
        .post(format!(
            "{}/api/v1/conversations/{}/messages",
            w.server.url(),
            w.chat
        ))
        .bearer_auth(sender_token(&w).await)
        .json(&message(Priority::Urgent))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    assert_eq!(resp.headers()["content-type"], "application/problem+json");
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(
        body["detail"],
        "Your messaging policy (information_worker) does not allow urgent messages."
    );
    // Important is still allowed, and nothing was stored for the refused one.
    sender
        .send(w.chat, &message(Priority::Important))
        .await
        .unwrap();
    assert_eq!(sender.messages(w.chat).await.unwrap().len(), 1);
    let policy = sender.my_policy().await.unwrap();
    assert!(!policy.policy.settings.allow_urgent);
    assert!(policy.policy.settings.allow_important);
}

async fn sender_token(w: &Ward) -> String {
    w.server
        .domain
        .login("sender", PASSWORD, "")
        .await
        .unwrap()
        .token
}

async fn a_users_own_policy_wins_over_their_teams_which_wins_over_global(store: TestStore) {
    let w = ward(&store).await;
    let d = &w.server.domain;
    d.create_policy("no-urgent", &patch(&[("allow_urgent", "false")]))
        .await
        .unwrap();
    d.create_policy("doctors", &patch(&[("allow_urgent", "true")]))
        .await
        .unwrap();
    d.assign_policy("no-urgent", &Assignee::Team("Ward 7".into()))
        .await
        .unwrap();
    d.assign_policy("doctors", &Assignee::User("sender".into()))
        .await
        .unwrap();
    let sender = login(&w, "sender").await;
    let urgent_allowed = async || {
        let p = sender.my_policy().await.unwrap();
        (
            p.policy.name.clone(),
            p.source.clone(),
            sender
                .send(w.chat, &message(Priority::Urgent))
                .await
                .is_ok(),
        )
    };
    assert_eq!(
        urgent_allowed().await,
        ("doctors".into(), "user".into(), true)
    );
    d.unassign_policy(&Assignee::User("sender".into()))
        .await
        .unwrap();
    assert_eq!(
        urgent_allowed().await,
        ("no-urgent".into(), "team Ward 7".into(), false)
    );
    d.unassign_policy(&Assignee::Team("Ward 7".into()))
        .await
        .unwrap();
    assert_eq!(
        urgent_allowed().await,
        (GLOBAL.into(), "global".into(), true)
    );
}

async fn packages_create_their_policy_once_and_assign_it(store: TestStore) {
    let w = ward(&store).await;
    let d = &w.server.domain;
    let expect = [
        (Package::ClinicalWorker, true, true, "user_controlled"),
        (Package::InformationWorker, false, true, "user_controlled"),
        (Package::PatientRoom, false, false, "off"),
    ];
    for (package, urgent, important, receipts) in expect {
        let p = d
            .apply_package(package, &Assignee::User("reader".into()))
            .await
            .unwrap();
        assert_eq!(p.name, package.name());
        let reader = login(&w, "reader").await;
        let mine = reader.my_policy().await.unwrap();
        assert_eq!(mine.policy.name, package.name());
        assert_eq!(mine.policy.settings.allow_urgent, urgent);
        assert_eq!(mine.policy.settings.allow_important, important);
        assert_eq!(
            serde_json::to_value(mine.policy.settings.read_receipts).unwrap(),
            receipts
        );
        assert_eq!(
            reader
                .send(w.chat, &message(Priority::Important))
                .await
                .is_ok(),
            important
        );
    }
    // Applying again reuses the (possibly edited) policy rather than resetting it.
    d.update_policy("patient_room", &patch(&[("allow_important", "true")]))
        .await
        .unwrap();
    let again = d
        .apply_package(Package::PatientRoom, &Assignee::Team("Ward 7".into()))
        .await
        .unwrap();
    assert!(again.settings.allow_important);
}

async fn a_bad_policy_setting_is_refused_with_a_reason(store: TestStore) {
    let w = ward(&store).await;
    let d = &w.server.domain;
    let too_fast = d
        .update_policy(GLOBAL, &patch(&[("renotify_interval", "1s")]))
        .await
        .unwrap_err();
    assert!(too_fast.to_string().contains("at least 5 s"), "{too_fast}");
    let nobody = d
        .update_policy(GLOBAL, &patch(&[("escalation_target", "user:ghost")]))
        .await
        .unwrap_err();
    assert!(nobody.to_string().contains("ghost"), "{nobody}");
    let never = d
        .update_policy(GLOBAL, &patch(&[("lock_idle", "25h")]))
        .await
        .unwrap_err();
    assert!(never.to_string().contains("at most 24 h"), "{never}");
    assert!(d
        .assign_policy("nope", &Assignee::User("reader".into()))
        .await
        .is_err());
}

/// `allow_urgnet` used to be dropped in silence with 200: the policy stayed as it was.
async fn a_misspelled_policy_field_is_refused_naming_it(store: TestStore) {
    let w = ward(&store).await;
    let d = &w.server.domain;
    d.bootstrap_admin(PASSWORD).await.unwrap();
    let admin = ApiClient::new(&w.server.url())
        .unwrap()
        .login("admin", PASSWORD)
        .await
        .unwrap()
        .1;
    let resp = reqwest::Client::new()
        .patch(format!("{}/api/v1/admin/policies/Global", w.server.url()))
        .bearer_auth(&admin.token)
        .json(&serde_json::json!({"allow_urgnet": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 422);
    assert_eq!(resp.headers()["content-type"], "application/problem+json");
    let body: serde_json::Value = resp.json().await.unwrap();
    assert!(
        body["detail"].as_str().unwrap().contains("allow_urgnet"),
        "{body}"
    );
    assert!(d.policy_named(GLOBAL).await.unwrap().settings.allow_urgent);
    // Nothing to change is not a change (nor an audit row).
    for empty in [serde_json::json!({}), serde_json::json!([])] {
        let resp = reqwest::Client::new()
            .patch(format!("{}/api/v1/admin/policies/Global", w.server.url()))
            .bearer_auth(&admin.token)
            .json(&empty)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 422, "{empty}");
    }
}

/// `PUT /me/settings` used to answer with what was cached before the change.
async fn saving_ones_settings_answers_with_the_new_value(store: TestStore) {
    let w = ward(&store).await;
    let reader = login(&w, "reader").await;
    assert!(reader.my_policy().await.unwrap().read_receipts_active);
    for on in [false, true, false] {
        let answer = reader
            .save_settings(&UserSettings { read_receipts: on })
            .await
            .unwrap();
        assert_eq!(answer.read_receipts_active, on);
        assert_eq!(reader.my_policy().await.unwrap().read_receipts_active, on);
    }
}

on_each_store!(
    a_misspelled_policy_field_is_refused_naming_it,
    saving_ones_settings_answers_with_the_new_value,
    read_receipts_follow_the_policy_and_each_users_choice,
    urgent_without_permission_is_refused_with_403_problem_json,
    a_users_own_policy_wins_over_their_teams_which_wins_over_global,
    packages_create_their_policy_once_and_assign_it,
    a_bad_policy_setting_is_refused_with_a_reason,
);
