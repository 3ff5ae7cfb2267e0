//! Urgent messages: re-notification on a controlled clock, acknowledgement, the sender's
//! unanswered event, escalation, and a restart in the middle of a window.

use crate::common;

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{Duration, Utc};
use uuid::Uuid;
use wardround::fhir::BundleSource;
use wardround::model::{
    Assignee, ConversationKind, EventKind, Message, NewMessage, PolicyPatch, Priority,
    ReceiptState, User, GLOBAL,
};
use wardround::server::clock::ManualClock;
use wardround::server::domain::Session;
use wardround::server::{self, Options, RunningServer};

use common::{TestStore, PASSWORD};
use wardround::server::store::Database;

struct Ward {
    server: RunningServer,
    clock: Arc<ManualClock>,
    doctor: User,
    nurse: User,
    charge: User,
    group: Uuid,
    channel: Uuid,
}

async fn start_on(db: &Database, clock: Arc<ManualClock>) -> RunningServer {
    let options = Options {
        clock,
        scheduler: false,
        tls: None,
        ..Default::default()
    };
    server::start_with(
        "127.0.0.1:0".parse().unwrap(),
        db,
        Arc::new(BundleSource::default()),
        options,
    )
    .await
    .unwrap()
}

/// A doctor, a nurse and a charge nurse in a group, and the Senior team's channel (with
/// the site manager) for escalations.
async fn ward(store: &TestStore) -> Ward {
    let clock = Arc::new(ManualClock::new(Utc::now()));
    let server = start_on(&store.database, clock.clone()).await;
    let d = &server.domain;
    let doctor = d
        .create_user("doctor", "Dr Priya Shah", "Registrar", PASSWORD)
        .await
        .unwrap();
    let nurse = d
        .create_user("nurse", "Alex Morgan", "RN", PASSWORD)
        .await
        .unwrap();
    let charge = d
        .create_user("charge", "Sam Okafor", "Charge Nurse", PASSWORD)
        .await
        .unwrap();
    let manager = d
        .create_user("manager", "Jo Site", "Site Manager", PASSWORD)
        .await
        .unwrap();
    let group = d
        .create_conversation(
            ConversationKind::Group,
            "Bay 2",
            None,
            vec![doctor.id, nurse.id, charge.id],
        )
        .await
        .unwrap();
    d.create_team_with_channel("Senior").await.unwrap();
    d.add_team_member("Senior", "manager").await.unwrap();
    let channel = d
        .store()
        .team_channel(d.store().team_by_name("Senior").await.unwrap().unwrap().id)
        .await
        .unwrap()
        .unwrap();
    let _ = manager;
    Ward {
        server,
        clock,
        doctor,
        nurse,
        charge,
        group,
        channel,
    }
}

impl Ward {
    async fn session(&self, username: &str) -> Session {
        let d = &self.server.domain;
        let token = d.login(username, PASSWORD, "").await.unwrap().token;
        d.authenticate(&token).await.unwrap()
    }

    async fn send_urgent(&self, body: &str) -> Message {
        let doctor = self.session("doctor").await;
        let new = NewMessage {
            id: Uuid::new_v4(),
            body: body.into(),
            priority: Priority::Urgent,
        };
        self.server
            .domain
            .send(&doctor, self.group, new)
            .await
            .unwrap()
            .0
    }

    /// Moves the clock a minute at a time to `minutes` after `from`, running the scheduler
    /// each minute, and returns at which minute each user was re-notified.
    async fn run_minutes(
        &self,
        from: chrono::DateTime<Utc>,
        minutes: std::ops::RangeInclusive<i64>,
        on_minute: impl AsyncFnMut(i64),
    ) {
        let mut on_minute = on_minute;
        for minute in minutes {
            let target = from + Duration::minutes(minute);
            let step = target - self.server.domain.now();
            self.clock.advance(step);
            self.server.domain.run_urgent().await.unwrap();
            on_minute(minute).await;
        }
    }

    async fn events_of(&self, user: &User) -> Vec<EventKind> {
        self.server
            .domain
            .store()
            .events_after(user.id, 0, 10_000)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.kind)
            .collect()
    }

    /// The attempt numbers of the re-notifications `user` received for `message`.
    async fn renotified(&self, user: &User, message: &Message) -> Vec<u32> {
        let stored = self
            .server
            .domain
            .store()
            .events_after(user.id, 0, 10_000)
            .await
            .unwrap();
        let mut out = Vec::new();
        for e in stored {
            if let EventKind::Renotify {
                message: m,
                attempt,
                ..
            } = e.kind
            {
                if m.id == message.id {
                    out.push(attempt);
                }
            }
        }
        out
    }
}

fn attempts(to: u32) -> Vec<u32> {
    (1..=to).collect()
}

async fn urgent_message_renotifies_every_two_minutes_until_read_then_tells_the_sender_and_escalates(
    store: TestStore,
) {
    let w = ward(&store).await;
    w.server
        .domain
        .update_policy(GLOBAL, &{
            let mut p = PolicyPatch::default();
            p.set("escalation_target", "team:Senior").unwrap();
            p
        })
        .await
        .unwrap();
    let urgent = w.send_urgent("Bed 4 NEWS2 7, review now").await;
    let sent = urgent.sent_at;
    let charge = w.session("charge").await;

    // Who got a re-notification at which minute.
    let fired: std::cell::RefCell<BTreeMap<&str, Vec<i64>>> = Default::default();
    let seen: std::cell::RefCell<BTreeMap<&str, usize>> = Default::default();
    w.run_minutes(sent, 1..=20, async |minute| {
        for (name, user) in [("nurse", &w.nurse), ("charge", &w.charge)] {
            let n = w.renotified(user, &urgent).await.len();
            let before = seen.borrow().get(name).copied().unwrap_or(0);
            if n > before {
                assert_eq!(n, before + 1, "{name} rung twice at minute {minute}");
                fired.borrow_mut().entry(name).or_default().push(minute);
                seen.borrow_mut().insert(name, n);
            }
        }
        if minute == 7 {
            w.server
                .domain
                .mark(&charge, urgent.id, ReceiptState::Read)
                .await
                .unwrap();
        }
    })
    .await;

    let fired = fired.into_inner();
    assert_eq!(fired["nurse"], vec![2, 4, 6, 8, 10, 12, 14, 16, 18, 20]);
    assert_eq!(
        fired["charge"],
        vec![2, 4, 6],
        "reading at minute 7 stops it"
    );
    assert!(
        w.renotified(&w.doctor, &urgent).await.is_empty(),
        "never the sender"
    );

    let unanswered: Vec<(Vec<String>, Option<String>)> = w
        .events_of(&w.doctor)
        .await
        .into_iter()
        .filter_map(|e| match e {
            EventKind::Unanswered {
                message_id,
                names,
                escalated_to,
                ..
            } if message_id == urgent.id => Some((names, escalated_to)),
            _ => None,
        })
        .collect();
    assert_eq!(
        unanswered,
        vec![(
            vec!["Alex Morgan".to_string()],
            Some("Senior channel".to_string())
        )]
    );

    let manager = w.session("manager").await;
    let posted = w
        .server
        .domain
        .messages(&manager, w.channel, None)
        .await
        .unwrap();
    assert_eq!(posted.len(), 1);
    let escalation = &posted[0];
    assert_eq!(escalation.escalation_of, Some(urgent.id));
    assert_eq!(escalation.priority, Priority::Urgent);
    assert!(
        escalation.body.contains("Alex Morgan"),
        "{}",
        escalation.body
    );
    assert!(
        escalation.body.contains("Dr Priya Shah"),
        "{}",
        escalation.body
    );

    // The escalation chases the manager in turn; the original is done with.
    w.clock.advance(Duration::minutes(30));
    w.server.domain.run_urgent().await.unwrap();
    assert_eq!(w.renotified(&w.nurse, &urgent).await.len(), 10);
    let manager_user = w
        .server
        .domain
        .store()
        .user_by_username("manager")
        .await
        .unwrap()
        .unwrap()
        .user;
    assert_eq!(w.renotified(&manager_user, escalation).await, attempts(10));
    let unanswered = w
        .events_of(&w.doctor)
        .await
        .into_iter()
        .filter(|e| matches!(e, EventKind::Unanswered { .. }))
        .count();
    assert_eq!(unanswered, 1, "the escalation escalates no further");
}

async fn under_an_ack_policy_reading_is_not_enough_and_the_ack_reaches_the_sender(
    store: TestStore,
) {
    let w = ward(&store).await;
    let mut patch = PolicyPatch::default();
    patch.set("renotify_until", "ack").unwrap();
    w.server.domain.update_policy(GLOBAL, &patch).await.unwrap();
    let urgent = w.send_urgent("Cardiac arrest call bay 3").await;
    assert!(urgent.ack_required);
    let nurse = w.session("nurse").await;
    let charge = w.session("charge").await;

    w.run_minutes(urgent.sent_at, 1..=20, async |minute| match minute {
        3 => {
            w.server
                .domain
                .mark(&nurse, urgent.id, ReceiptState::Read)
                .await
                .unwrap();
            w.server
                .domain
                .acknowledge(&charge, urgent.id)
                .await
                .unwrap();
        }
        9 => w
            .server
            .domain
            .acknowledge(&nurse, urgent.id)
            .await
            .unwrap(),
        _ => {}
    })
    .await;

    assert_eq!(
        w.renotified(&w.nurse, &urgent).await,
        attempts(4),
        "read at 3 keeps ringing; acknowledged at 9 stops"
    );
    assert_eq!(w.renotified(&w.charge, &urgent).await, attempts(1));

    let doctor_events = w.events_of(&w.doctor).await;
    let acks: Vec<Uuid> = doctor_events
        .iter()
        .filter_map(|e| match e {
            EventKind::Acknowledged { user_id, .. } => Some(*user_id),
            _ => None,
        })
        .collect();
    assert_eq!(acks, vec![w.charge.id, w.nurse.id]);
    assert!(
        !doctor_events
            .iter()
            .any(|e| matches!(e, EventKind::Unanswered { .. })),
        "everyone acknowledged in time"
    );
    let doctor = w.session("doctor").await;
    let stored = w
        .server
        .domain
        .messages(&doctor, w.group, None)
        .await
        .unwrap();
    let receipt = stored[0].receipt_of(w.nurse.id).unwrap();
    assert_eq!(receipt.state, ReceiptState::Read);
    assert!(receipt.acknowledged_at.is_some());
}

async fn a_restart_mid_window_neither_loses_nor_repeats_a_renotification(store: TestStore) {
    let w = ward(&store).await;
    let urgent = w.send_urgent("Bed 9 pain score 9/10").await;
    let sent = urgent.sent_at;
    w.run_minutes(sent, 1..=5, async |_| {}).await;
    assert_eq!(w.renotified(&w.nurse, &urgent).await, attempts(2));

    // Stop, and come back four minutes later: the slots at 6 and 8 fell while it was down.
    let Ward {
        server,
        clock,
        doctor,
        nurse,
        charge,
        group,
        channel,
    } = w;
    server.stop().await;
    clock.advance(Duration::minutes(4));
    let again = start_on(&store.database, clock.clone()).await;
    let w = Ward {
        server: again,
        clock,
        doctor,
        nurse,
        charge,
        group,
        channel,
    };
    w.server.domain.run_urgent().await.unwrap();
    assert_eq!(
        w.renotified(&w.nurse, &urgent).await,
        attempts(4),
        "the two missed while down fire once each on start"
    );
    // Running again at the same moment (another scheduler, a retry) fires nothing.
    assert_eq!(w.server.domain.run_urgent().await.unwrap(), 0);

    w.run_minutes(sent, 10..=25, async |_| {}).await;
    assert_eq!(w.renotified(&w.nurse, &urgent).await, attempts(10));
    assert_eq!(w.renotified(&w.charge, &urgent).await, attempts(10));
    let unanswered = w
        .events_of(&w.doctor)
        .await
        .into_iter()
        .filter(|e| matches!(e, EventKind::Unanswered { .. }))
        .count();
    assert_eq!(unanswered, 1);
}

async fn normal_and_important_messages_never_renotify(store: TestStore) {
    let w = ward(&store).await;
    let doctor = w.session("doctor").await;
    for priority in [Priority::Normal, Priority::Important] {
        let new = NewMessage {
            id: Uuid::new_v4(),
            body: "FYI".into(),
            priority,
        };
        w.server.domain.send(&doctor, w.group, new).await.unwrap();
    }
    w.clock.advance(Duration::minutes(30));
    assert_eq!(w.server.domain.run_urgent().await.unwrap(), 0);
    let nurse = w.session("nurse").await;
    let waiting = w.server.domain.awaiting(&nurse).await.unwrap();
    assert_eq!(
        waiting.iter().map(|m| m.priority).collect::<Vec<_>>(),
        vec![Priority::Important],
        "important waits for the reader; normal does not"
    );
}

async fn escalating_to_a_user_messages_them_one_to_one(store: TestStore) {
    let w = ward(&store).await;
    let mut patch = PolicyPatch::default();
    patch.set("escalation_target", "user:manager").unwrap();
    patch.set("renotify_window", "4m").unwrap();
    w.server
        .domain
        .create_policy("short", &patch)
        .await
        .unwrap();
    w.server
        .domain
        .assign_policy("short", &Assignee::User("doctor".into()))
        .await
        .unwrap();
    let urgent = w.send_urgent("Bed 2 fall").await;
    w.run_minutes(urgent.sent_at, 1..=4, async |_| {}).await;
    assert_eq!(w.renotified(&w.nurse, &urgent).await.len(), 2);
    let manager = w.session("manager").await;
    let conversations = w.server.domain.conversations(&manager).await.unwrap();
    let escalations = conversations
        .iter()
        .find(|c| c.kind == ConversationKind::Direct)
        .expect("a 1:1 from wardround");
    assert_eq!(escalations.title, "wardround escalation");
    assert_eq!(escalations.unread, 1);
}

async fn a_renotification_shows_others_reads_only_as_the_receipts_policy_allows(store: TestStore) {
    for (mode, shown) in [("on", ReceiptState::Read), ("off", ReceiptState::Delivered)] {
        let each = store.fresh().await;
        let w = ward(&each).await;
        let mut patch = PolicyPatch::default();
        patch.set("read_receipts", mode).unwrap();
        w.server.domain.update_policy(GLOBAL, &patch).await.unwrap();
        let urgent = w.send_urgent("Bed 5 BP 80/40").await;
        let charge = w.session("charge").await;
        w.server
            .domain
            .mark(&charge, urgent.id, ReceiptState::Read)
            .await
            .unwrap();
        w.run_minutes(urgent.sent_at, 1..=2, async |_| {}).await;
        let rung: Vec<Message> = w
            .events_of(&w.nurse)
            .await
            .into_iter()
            .filter_map(|e| match e {
                EventKind::Renotify { message, .. } => Some(message),
                _ => None,
            })
            .collect();
        assert_eq!(rung.len(), 1, "{mode}");
        assert_eq!(
            rung[0].receipt_of(w.charge.id).map(|r| r.state),
            Some(shown),
            "read receipts {mode}"
        );
    }
}

async fn leaving_a_team_stops_its_urgent_messages_chasing_you(store: TestStore) {
    let w = ward(&store).await;
    let d = &w.server.domain;
    d.add_team_member("Senior", "doctor").await.unwrap();
    let manager = w.session("manager").await;
    let new = NewMessage {
        id: Uuid::new_v4(),
        body: "Bed state meeting now".into(),
        priority: Priority::Urgent,
    };
    let urgent = d.send(&manager, w.channel, new).await.unwrap().0;
    w.run_minutes(urgent.sent_at, 1..=3, async |minute| {
        if minute == 3 {
            d.remove_team_member("Senior", "doctor").await.unwrap();
        }
    })
    .await;
    w.run_minutes(urgent.sent_at, 4..=20, async |_| {}).await;
    assert_eq!(w.renotified(&w.doctor, &urgent).await, attempts(1));
}

async fn metrics_count_messages_renotifications_escalations_and_streams(store: TestStore) {
    let w = ward(&store).await;
    w.server
        .domain
        .update_policy(GLOBAL, &{
            let mut p = PolicyPatch::default();
            p.set("escalation_target", "team:Senior").unwrap();
            p
        })
        .await
        .unwrap();
    let urgent = w.send_urgent("Bed 1 review").await;
    w.run_minutes(urgent.sent_at, 1..=20, async |_| {}).await;
    let text = reqwest::get(format!("{}/metrics", w.server.url()))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    // One message sent (its escalation is counted apart); two recipients rung ten times.
    for line in [
        "wardround_messages_total 1",
        "wardround_renotifications_total 20",
        "wardround_escalations_total 1",
        "wardround_connected_clients 0",
    ] {
        assert!(text.contains(line), "{line} in:\n{text}");
    }
    assert!(
        text.contains("wardround_http_responses_total{class=\"2xx\"}"),
        "{text}"
    );

    // Nothing a client sends makes new series: made-up methods, ids and paths fold into
    // `other`, the route's template and `(no route)`.
    let http = reqwest::Client::new();
    for i in 0..20 {
        let method =
            reqwest::Method::from_bytes(format!("M{i}{}", "X".repeat(500)).as_bytes()).unwrap();
        http.request(method, format!("{}/api/v1/me", w.server.url()))
            .send()
            .await
            .unwrap();
        http.get(format!(
            "{}/api/v1/lists/{}/rows",
            w.server.url(),
            Uuid::new_v4()
        ))
        .send()
        .await
        .unwrap();
        http.get(format!("{}/nowhere/{i}", w.server.url()))
            .send()
            .await
            .unwrap();
    }
    let text = reqwest::get(format!("{}/metrics", w.server.url()))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let series = |label: &str| {
        text.lines()
            .filter(|l| l.starts_with("wardround_http_request_duration_seconds_count"))
            .filter(|l| l.contains(label))
            .count()
    };
    assert_eq!(series("XXXX"), 0, "{text}");
    assert_eq!(series(r#"method="other""#), 1, "{text}");
    assert_eq!(series(r#"route="/api/v1/lists/{id}/rows""#), 1, "{text}");
    assert_eq!(series(r#"route="(no route)""#), 1, "{text}");
}

/// The escalation's id once was the original's XOR a fixed mask, so any recipient could
/// post a message with that id first and the window would close "escalated" with nothing
/// sent.
async fn a_recipient_cannot_forestall_the_escalation_by_taking_its_id(store: TestStore) {
    const OLD_MASK: u128 = 0x8d5c_1f0e_2b1a_4c3e_9f6d_7a8b_9c0d_1e2f;
    let w = ward(&store).await;
    let d = &w.server.domain;
    let mut patch = PolicyPatch::default();
    patch.set("escalation_target", "team:Senior").unwrap();
    d.update_policy(GLOBAL, &patch).await.unwrap();
    let urgent = w.send_urgent("Bed 9 chest pain").await;
    let nurse = w.session("nurse").await;
    // The id the old scheme derived for this message's escalation (escalations escalate
    // no further, so there is no other).
    let taken = urgent.id.as_u128() ^ OLD_MASK;
    let squat = NewMessage {
        id: Uuid::from_u128(taken),
        body: "ok".into(),
        priority: Priority::Normal,
    };
    d.send(&nurse, w.group, squat).await.unwrap();
    w.run_minutes(urgent.sent_at, 1..=20, async |_| {}).await;

    let manager = w.session("manager").await;
    let posted = d.messages(&manager, w.channel, None).await.unwrap();
    assert_eq!(posted.len(), 1, "the escalation reached the Senior channel");
    assert_eq!(posted[0].escalation_of, Some(urgent.id));
    assert_ne!(posted[0].id.as_u128(), taken);
    let told: Vec<Option<String>> = w
        .events_of(&w.doctor)
        .await
        .into_iter()
        .filter_map(|e| match e {
            EventKind::Unanswered { escalated_to, .. } => Some(escalated_to),
            _ => None,
        })
        .collect();
    assert_eq!(told, vec![Some("Senior channel".to_string())]);
    let escalated = d
        .audit_query(Some("wardround".into()), None, None)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == wardround::model::AuditAction::UrgentEscalated)
        .count();
    assert_eq!(escalated, 1);
}

async fn a_read_after_the_window_closed_unanswered_reaches_the_sender_whatever_the_read_receipts(
    store: TestStore,
) {
    let w = ward(&store).await;
    let mut patch = PolicyPatch::default();
    patch.set("read_receipts", "off").unwrap();
    w.server.domain.update_policy(GLOBAL, &patch).await.unwrap();
    let urgent = w.send_urgent("Bed 4 NEWS2 7, review now").await;
    let early = w.send_urgent("Bed 5 BM 2.1").await;
    let nurse = w.session("nurse").await;
    let charge = w.session("charge").await;
    let read_by = |events: &[EventKind], message: Uuid| -> Vec<Uuid> {
        events
            .iter()
            .filter_map(|e| match e {
                EventKind::Receipt {
                    message_id,
                    user_id,
                    state: ReceiptState::Read,
                    ..
                } if *message_id == message => Some(*user_id),
                _ => None,
            })
            .collect()
    };

    w.run_minutes(urgent.sent_at, 1..=20, async |minute| {
        if minute == 3 {
            w.server
                .domain
                .mark(&nurse, early.id, ReceiptState::Read)
                .await
                .unwrap();
        }
    })
    .await;
    let events = w.events_of(&w.doctor).await;
    assert!(
        read_by(&events, early.id).is_empty(),
        "while the window runs, read receipts stay as the policy has them (off)"
    );
    let notice = events
        .iter()
        .find_map(|e| match e {
            EventKind::Unanswered {
                message_id,
                names,
                waiting,
                ack_required,
                ..
            } if *message_id == urgent.id => Some((names.clone(), waiting.clone(), *ack_required)),
            _ => None,
        })
        .expect("the doctor hears the urgent message went unanswered");
    assert_eq!(
        notice,
        (
            vec!["Alex Morgan".to_string(), "Sam Okafor".to_string()],
            vec![w.nurse.id, w.charge.id],
            false
        ),
        "the people named, by id in the same order, so that their answers can clear it"
    );

    // The server said the nurse had not read it; when she does, it says so too.
    w.server
        .domain
        .mark(&nurse, urgent.id, ReceiptState::Read)
        .await
        .unwrap();
    w.server
        .domain
        .acknowledge(&charge, urgent.id)
        .await
        .unwrap();
    let events = w.events_of(&w.doctor).await;
    assert_eq!(read_by(&events, urgent.id), vec![w.nurse.id]);
    assert!(events.iter().any(|e| matches!(
        e,
        EventKind::Acknowledged { message_id, user_id, .. }
            if *message_id == urgent.id && *user_id == w.charge.id
    )));
}

on_each_store!(
    a_read_after_the_window_closed_unanswered_reaches_the_sender_whatever_the_read_receipts,
    a_recipient_cannot_forestall_the_escalation_by_taking_its_id,
    urgent_message_renotifies_every_two_minutes_until_read_then_tells_the_sender_and_escalates,
    under_an_ack_policy_reading_is_not_enough_and_the_ack_reaches_the_sender,
    a_restart_mid_window_neither_loses_nor_repeats_a_renotification,
    normal_and_important_messages_never_renotify,
    escalating_to_a_user_messages_them_one_to_one,
    a_renotification_shows_others_reads_only_as_the_receipts_policy_allows,
    leaving_a_team_stops_its_urgent_messages_chasing_you,
    metrics_count_messages_renotifications_escalations_and_streams,
);
