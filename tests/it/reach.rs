//! Reaching the right person, over the HTTP API on both stores: the directory, the pair's
//! one 1:1, groups and who may change them (a matrix), roles held by a rota or taken over
//! in the app, urgent messages that follow a role's hand-over, fallbacks, presence and
//! do-not-disturb.

use crate::common;

use std::sync::Arc;

use chrono::{Duration, Utc};
use uuid::Uuid;
use wardround::client::{ApiClient, ClientError};
use wardround::fhir::BundleSource;
use wardround::model::{
    ConversationKind, EventKind, Message, NewMessage, NewRole, OnCall, PolicyPatch, PresenceState,
    Priority, Shift, StartConversation, StatusChange, User, GLOBAL,
};
use wardround::server::clock::ManualClock;
use wardround::server::{self, Options, RunningServer};

use common::{TestStore, PASSWORD};

struct Ward {
    server: RunningServer,
    clock: Arc<ManualClock>,
    sam: User,
    tom: User,
    priya: User,
    alex: User,
    jo: User,
}

/// 4 West: Sam (charge nurse), Tom and Priya (registrars), Alex (nurse); Jo works
/// elsewhere; and an administrator. The scheduler runs when a test says so.
async fn ward_with(store: &TestStore, max_group: usize) -> Ward {
    let clock = Arc::new(ManualClock::new(Utc::now()));
    let options = Options {
        clock: clock.clone(),
        scheduler: false,
        max_group,
        ..Default::default()
    };
    let server = server::start_with(
        "127.0.0.1:0".parse().unwrap(),
        &store.database,
        Arc::new(BundleSource::default()),
        options,
    )
    .await
    .unwrap();
    let d = &server.domain;
    let user = |u: &'static str, name: &'static str, job: &'static str| async move {
        d.create_user(u, name, job, PASSWORD).await.unwrap()
    };
    let sam = user("sam", "Sam Okafor", "Charge Nurse").await;
    let tom = user("tom", "Tom Reid", "Registrar").await;
    let priya = user("priya", "Priya Shah", "Registrar").await;
    let alex = user("alex", "Alex Morgan", "RN").await;
    let jo = user("jo", "Jo Bloggs", "Porter").await;
    d.create_account("it", "Ira Tech", "IT", PASSWORD, true, false)
        .await
        .unwrap();
    d.create_team_with_channel("4 West").await.unwrap();
    for u in ["sam", "tom", "priya", "alex"] {
        d.add_team_member("4 West", u).await.unwrap();
    }
    Ward {
        server,
        clock,
        sam,
        tom,
        priya,
        alex,
        jo,
    }
}

async fn ward(store: &TestStore) -> Ward {
    ward_with(store, 500).await
}

impl Ward {
    async fn client(&self, username: &str) -> ApiClient {
        let anon = ApiClient::new(&self.server.url()).unwrap();
        anon.login(username, PASSWORD).await.unwrap().0
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

    async fn notices_of(&self, user: &User) -> Vec<String> {
        self.events_of(user)
            .await
            .into_iter()
            .filter_map(|e| match e {
                EventKind::Notice { text, .. } => Some(text),
                _ => None,
            })
            .collect()
    }

    async fn renotified(&self, user: &User, message: Uuid) -> usize {
        self.events_of(user)
            .await
            .into_iter()
            .filter(|e| matches!(e, EventKind::Renotify { message: m, .. } if m.id == message))
            .count()
    }

    async fn role(&self, name: &str, fallback: Option<&str>) {
        self.client("it")
            .await
            .admin_create_role(&NewRole {
                name: name.into(),
                team: "4 West".into(),
                fallback: fallback.map(Into::into),
            })
            .await
            .unwrap();
    }

    /// To `minute` after `from`, a minute at a time, running the scheduler each minute.
    async fn run_to(&self, from: chrono::DateTime<Utc>, minute: i64) {
        loop {
            let target = from + Duration::minutes(minute);
            let now = self.server.domain.now();
            if now >= target {
                return;
            }
            self.clock.advance((target - now).min(Duration::minutes(1)));
            self.server.domain.run_urgent().await.unwrap();
        }
    }
}

fn text(body: &str, priority: Priority) -> NewMessage {
    NewMessage {
        id: Uuid::new_v4(),
        body: body.into(),
        priority,
    }
}

fn take(role: &str) -> OnCall {
    OnCall::Take { role: role.into() }
}

fn give_up(role: &str) -> OnCall {
    OnCall::Drop { role: role.into() }
}

fn to_role(role: &str) -> StartConversation {
    StartConversation::Role { role: role.into() }
}

fn direct(username: &str) -> StartConversation {
    StartConversation::Direct {
        members: vec![username.into()],
    }
}

fn status_of(result: Result<impl std::fmt::Debug, ClientError>) -> u16 {
    match result {
        Ok(_) => 200,
        Err(ClientError::Rejected { status, .. }) => status,
        Err(e) => panic!("not an answer: {e}"),
    }
}

async fn the_directory_finds_people_and_roles_by_name_username_job_or_team(store: TestStore) {
    let w = ward(&store).await;
    w.role("Medical registrar on call", None).await;
    w.client("priya")
        .await
        .on_call(&take("medical registrar on call"))
        .await
        .unwrap();
    // Anyone logged in may look, Jo from another department too.
    let jo = w.client("jo").await;
    let found = jo.directory("registrar").await.unwrap();
    let names: Vec<&str> = found
        .people
        .iter()
        .map(|p| p.display_name.as_str())
        .collect();
    assert_eq!(names, ["Priya Shah", "Tom Reid"], "by job");
    let priya = &found.people[0];
    assert_eq!(priya.roles, ["Medical registrar on call"]);
    assert_eq!(priya.teams, ["4 West"]);
    assert_eq!(priya.presence.state, PresenceState::Available);
    assert_eq!(found.roles.len(), 1);
    assert_eq!(found.roles[0].holders[0].display_name, "Priya Shah");

    let by_team = jo.directory("4 wEST").await.unwrap();
    assert_eq!(by_team.people.len(), 4, "{:?}", by_team.people);
    assert_eq!(by_team.roles.len(), 1, "the team's roles too");
    let by_username = jo.directory("ALEX").await.unwrap();
    assert_eq!(by_username.people[0].username, "alex");
    // Wildcards are letters like any other; the system account is nobody.
    assert!(jo.directory("%").await.unwrap().people.is_empty());
    assert!(jo.directory("_").await.unwrap().people.is_empty());
    assert!(jo.directory("wardround").await.unwrap().people.is_empty());
    assert_eq!(status_of(jo.directory("\u{1b}]0;x").await), 422);
    let anon = ApiClient::new(&w.server.url()).unwrap();
    assert_eq!(status_of(anon.directory("a").await), 401);
}

async fn a_one_to_one_is_one_per_pair_however_many_ask_at_once(store: TestStore) {
    let w = ward(&store).await;
    let sam = w.client("sam").await;
    let tom = w.client("tom").await;
    let first = sam.start_conversation(&direct("tom")).await.unwrap();
    assert_eq!(first.kind, ConversationKind::Direct);
    assert_eq!(first.title, "Tom Reid", "titled with the other person");
    assert_eq!(
        sam.start_conversation(&direct("TOM")).await.unwrap().id,
        first.id
    );
    assert_eq!(
        tom.start_conversation(&direct("sam")).await.unwrap().id,
        first.id
    );

    // Alex and Priya both start theirs at once, ten times each.
    let alex = w.client("alex").await;
    let priya = w.client("priya").await;
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..20 {
        let (c, other) = if i % 2 == 0 {
            (alex.clone(), "priya")
        } else {
            (priya.clone(), "alex")
        };
        tasks.spawn(async move { c.start_conversation(&direct(other)).await.unwrap().id });
    }
    let ids: std::collections::BTreeSet<Uuid> = tasks.join_all().await.into_iter().collect();
    assert_eq!(ids.len(), 1, "one 1:1 for the pair: {ids:?}");

    assert_eq!(status_of(sam.start_conversation(&direct("sam")).await), 422);
    assert_eq!(
        status_of(sam.start_conversation(&direct("nobody")).await),
        404
    );
    let two = StartConversation::Direct {
        members: vec!["tom".into(), "priya".into()],
    };
    assert_eq!(status_of(sam.start_conversation(&two).await), 422);
    w.server
        .domain
        .set_account_disabled("jo", true)
        .await
        .unwrap();
    assert_eq!(status_of(sam.start_conversation(&direct("jo")).await), 404);
}

/// Who may rename a group, add to it and remove from it: its creator and administrators;
/// not its other members, nor anyone outside it. Anyone leaves. A 1:1 and a team's channel
/// change no members here.
async fn who_may_change_a_group_is_decided_once_for_every_action(store: TestStore) {
    let w = ward(&store).await;
    let sam = w.client("sam").await;
    let group = sam
        .start_conversation(&StartConversation::Group {
            title: "Bay 2 round".into(),
            members: vec!["tom".into(), "priya".into()],
        })
        .await
        .unwrap();
    assert!(group.manage);
    let id = group.id;
    let tom = w.client("tom").await;
    let jo = w.client("jo").await;
    let it = w.client("it").await;
    for (who, client, allowed) in [
        ("tom", &tom, false),
        ("jo", &jo, false),
        ("sam", &sam, true),
        ("it", &it, true),
    ] {
        let renamed = client
            .rename_conversation(id, &format!("Bay 2 by {who}"))
            .await;
        let added = client.add_member(id, "alex").await;
        let removed = client.remove_member(id, "alex").await;
        let expected = if allowed { 200 } else { 403 };
        assert_eq!(
            (status_of(renamed), status_of(added), status_of(removed)),
            (expected, expected, expected),
            "{who}"
        );
    }
    // Tom leaves; Priya is removed and hears so; neither reads on.
    tom.remove_member(id, "tom").await.unwrap();
    sam.remove_member(id, "priya").await.unwrap();
    assert!(w.events_of(&w.priya).await.iter().any(
        |e| matches!(e, EventKind::ConversationLeft { conversation_id } if *conversation_id == id)
    ));
    let priya = w.client("priya").await;
    assert_eq!(status_of(priya.messages(id).await), 403);
    assert_eq!(
        status_of(priya.send(id, &text("still here?", Priority::Normal)).await),
        403
    );
    let lines: Vec<String> = sam
        .messages(id)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.body)
        .collect();
    assert_eq!(
        lines,
        [
            "Sam Okafor made the group with Tom Reid, Priya Shah",
            "Sam Okafor renamed the group to Bay 2 by sam",
            "Sam Okafor added Alex Morgan",
            "Sam Okafor removed Alex Morgan",
            "Ira Tech renamed the group to Bay 2 by it",
            "Ira Tech added Alex Morgan",
            "Ira Tech removed Alex Morgan",
            "Tom Reid left",
            "Sam Okafor removed Priya Shah",
        ]
    );
    // The creator makes Alex an admin: now Alex changes the group as its creator does,
    // but does not take the creator out.
    sam.add_member(id, "alex").await.unwrap();
    let alex = w.client("alex").await;
    assert_eq!(status_of(alex.add_member(id, "jo").await), 403, "not yet");
    let made = sam.member_admin(id, "alex", true).await.unwrap();
    assert_eq!(made.admins, [w.alex.id]);
    assert!(alex.add_member(id, "jo").await.unwrap().manage);
    assert_eq!(status_of(alex.remove_member(id, "sam").await), 403);
    assert_eq!(status_of(alex.member_admin(id, "sam", false).await), 422);
    sam.member_admin(id, "alex", false).await.unwrap();
    assert_eq!(
        status_of(alex.remove_member(id, "jo").await),
        403,
        "no longer"
    );
    let jo_client = w.client("jo").await;
    assert_eq!(status_of(jo_client.member_admin(id, "jo", true).await), 403);
    sam.remove_member(id, "jo").await.unwrap();
    sam.remove_member(id, "alex").await.unwrap();
    let lines: Vec<String> = sam
        .messages(id)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.body)
        .collect();
    assert_eq!(
        lines[lines.len() - 6..],
        [
            "Sam Okafor added Alex Morgan",
            "Sam Okafor made Alex Morgan an admin",
            "Alex Morgan added Jo Bloggs",
            "Sam Okafor made Alex Morgan no longer an admin",
            "Sam Okafor removed Jo Bloggs",
            "Sam Okafor removed Alex Morgan",
        ]
    );
    // A 1:1 and a team's channel change no members here.
    let one = sam.start_conversation(&direct("tom")).await.unwrap();
    assert_eq!(status_of(sam.add_member(one.id, "alex").await), 403);
    assert_eq!(status_of(it.add_member(one.id, "alex").await), 403);
    let channel = sam
        .conversations()
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.kind == ConversationKind::Channel)
        .unwrap();
    assert_eq!(status_of(sam.remove_member(channel.id, "tom").await), 403);
    // Crafted ids and names: no such conversation, no such person.
    assert_eq!(status_of(sam.add_member(Uuid::new_v4(), "alex").await), 404);
    assert_eq!(status_of(sam.add_member(id, "nobody").await), 404);
    assert_eq!(status_of(sam.rename_conversation(id, " ").await), 422);
    assert_eq!(
        status_of(sam.rename_conversation(id, "bad\u{7}title").await),
        422
    );
}

async fn a_group_holds_at_most_max_group_members(store: TestStore) {
    let w = ward_with(&store, 3).await;
    let sam = w.client("sam").await;
    let too_many = StartConversation::Group {
        title: "Everyone".into(),
        members: vec!["tom".into(), "priya".into(), "alex".into()],
    };
    let refused = sam.start_conversation(&too_many).await.unwrap_err();
    assert!(refused.to_string().contains("at most 3"), "{refused}");
    let group = sam
        .start_conversation(&StartConversation::Group {
            title: "Three".into(),
            members: vec!["tom".into(), "priya".into()],
        })
        .await
        .unwrap();
    assert_eq!(status_of(sam.add_member(group.id, "alex").await), 422);
}

/// A role's holder changes at minute 5 of a 20-minute window: the old holder's
/// re-notifications stop, the new holder's start, the sender is told, the window keeps
/// its end, and there is one escalation.
async fn an_urgent_message_to_a_role_follows_its_handover(store: TestStore) {
    let w = ward(&store).await;
    w.role("Medical registrar on call", None).await;
    w.role("4W nurse in charge", None).await;
    w.server
        .domain
        .update_policy(GLOBAL, &{
            let mut p = PolicyPatch::default();
            p.set("escalation_target", "role:4W nurse in charge")
                .unwrap();
            p
        })
        .await
        .unwrap();
    let priya = w.client("priya").await;
    priya
        .on_call(&take("Medical registrar on call"))
        .await
        .unwrap();
    w.client("sam")
        .await
        .on_call(&take("4W nurse in charge"))
        .await
        .unwrap();
    let alex = w.client("alex").await;
    let thread = alex
        .start_conversation(&to_role("Medical registrar on call"))
        .await
        .unwrap();
    assert_eq!(thread.kind, ConversationKind::Role);
    let role = thread.role.as_ref().expect("the header's role");
    assert_eq!(role.holders[0].display_name, "Priya Shah");
    let sent: Message = alex
        .send(
            thread.id,
            &text("Bed 4 NEWS2 7, please review", Priority::Urgent),
        )
        .await
        .unwrap();
    assert_eq!(sent.receipts.len(), 1, "to the holder alone");
    assert_eq!(sent.receipts[0].user_id, w.priya.id);

    w.run_to(sent.sent_at, 5).await;
    assert_eq!(w.renotified(&w.priya, sent.id).await, 2, "minutes 2 and 4");
    priya
        .on_call(&OnCall::Hand {
            role: "Medical registrar on call".into(),
            to: "tom".into(),
        })
        .await
        .unwrap();
    // Tom has it now; Priya is asked no more; Alex is told.
    let tom = w.client("tom").await;
    let waiting = tom.awaiting().await.unwrap();
    assert_eq!(waiting.iter().map(|m| m.id).collect::<Vec<_>>(), [sent.id]);
    assert!(priya.awaiting().await.unwrap().is_empty());
    let told = w.events_of(&w.alex).await.into_iter().any(|e| {
        matches!(e, EventKind::Handed { message_id, ref to, .. }
            if message_id == sent.id && to.iter().any(|m| m.id == w.tom.id))
    });
    assert!(told, "the sender hears where it went");
    assert!(
        tom.messages(thread.id).await.is_ok(),
        "Tom reads the thread"
    );
    let lines: Vec<String> = alex
        .messages(thread.id)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.body)
        .collect();
    assert!(
        lines.contains(
            &"Medical registrar on call passed from Priya Shah to Tom Reid: the urgent message is theirs now"
                .to_string()
        ),
        "said in the thread: {lines:?}"
    );
    let theirs = tom
        .conversations()
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.id == thread.id)
        .unwrap();
    assert_eq!(
        theirs.title, "Alex Morgan → Medical registrar on call",
        "a holder's thread is named for who wrote"
    );

    w.run_to(sent.sent_at, 25).await;
    assert_eq!(
        w.renotified(&w.priya, sent.id).await,
        2,
        "none after the hand-over"
    );
    // The window kept its end: minutes 6 … 20 (8 times), not a fresh 20 minutes.
    assert_eq!(w.renotified(&w.tom, sent.id).await, 8);
    let unanswered: Vec<Vec<String>> = w
        .events_of(&w.alex)
        .await
        .into_iter()
        .filter_map(|e| match e {
            EventKind::Unanswered { names, .. } => Some(names),
            _ => None,
        })
        .collect();
    assert_eq!(unanswered, [vec!["Tom Reid".to_string()]]);
    let escalations = store
        .scalar("SELECT COUNT(*) FROM messages WHERE escalation_of IS NOT NULL")
        .await;
    assert_eq!(escalations, 1);
    let sam = w.client("sam").await;
    let to_sam = sam.awaiting().await.unwrap();
    assert!(
        to_sam.iter().any(|m| m.escalation_of == Some(sent.id)),
        "the role escalated to holds it: {to_sam:?}"
    );
    let audit = w
        .server
        .domain
        .audit_query(None, None, None)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action.as_str())
        .collect::<Vec<_>>();
    for action in ["role_created", "role_handed_over", "urgent_handed_over"] {
        assert!(audit.iter().any(|a| a == action), "{action} in {audit:?}");
    }
}

async fn a_role_nobody_holds_sends_to_its_fallback_and_tells_the_sender_at_once(store: TestStore) {
    let w = ward(&store).await;
    w.role("4W FY1", Some("team:4 West")).await;
    w.role("Night FY1", Some("role:4W FY1")).await;
    let alex = w.client("alex").await;
    let thread = alex
        .start_conversation(&to_role("Night FY1"))
        .await
        .unwrap();
    alex.send(
        thread.id,
        &text("TTO for bed 3 please", Priority::Important),
    )
    .await
    .unwrap();
    // Nobody holds Night FY1 nor 4W FY1: the team's channel has it.
    let notices = w.notices_of(&w.alex).await;
    assert_eq!(
        notices,
        ["Nobody holds Night FY1 now: your message went to the 4 West channel."]
    );
    let tom = w.client("tom").await;
    let channel = tom
        .conversations()
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.kind == ConversationKind::Channel)
        .unwrap();
    let last = tom.messages(channel.id).await.unwrap().pop().unwrap();
    assert_eq!(
        last.body,
        "For Night FY1 (nobody holds it) from Alex Morgan: TTO for bed 3 please"
    );
    assert_eq!(last.priority, Priority::Important);

    // Once Tom takes 4W FY1, the fallback role reaches him.
    tom.on_call(&take("4W FY1")).await.unwrap();
    alex.send(thread.id, &text("And bed 5", Priority::Normal))
        .await
        .unwrap();
    assert_eq!(
        w.notices_of(&w.alex).await.last().unwrap(),
        "Nobody holds Night FY1 now: your message went to 4W FY1 (Tom Reid)."
    );
    // A role with no fallback: the sender is told nobody has it.
    w.role("Phlebotomist", None).await;
    let lone = alex
        .start_conversation(&to_role("Phlebotomist"))
        .await
        .unwrap();
    alex.send(lone.id, &text("Bloods bed 2", Priority::Normal))
        .await
        .unwrap();
    assert!(w
        .notices_of(&w.alex)
        .await
        .last()
        .unwrap()
        .contains("nobody has your message"));
}

async fn the_rota_says_who_holds_a_role_and_who_is_off_shift(store: TestStore) {
    let w = ward(&store).await;
    w.role("4W FY1", None).await;
    let now = w.server.domain.now();
    let it = w.client("it").await;
    let shifts = vec![
        Shift {
            role: "4W FY1".into(),
            username: "tom".into(),
            start: now - Duration::hours(1),
            end: now + Duration::hours(1),
        },
        Shift {
            role: "4W FY1".into(),
            username: "priya".into(),
            start: now + Duration::hours(2),
            end: now + Duration::hours(10),
        },
    ];
    assert_eq!(it.admin_import_rota(&shifts).await.unwrap(), 2);
    // Only administrators import; a wrong line adds nothing.
    let sam = w.client("sam").await;
    assert_eq!(status_of(sam.admin_import_rota(&shifts).await), 403);
    let mut wrong = shifts.clone();
    wrong.push(Shift {
        role: "No such role".into(),
        username: "tom".into(),
        start: now,
        end: now + Duration::hours(1),
    });
    assert_eq!(status_of(it.admin_import_rota(&wrong).await), 422);

    let found = sam.directory("").await.unwrap();
    let person = |u: &User| found.people.iter().find(|p| p.id == u.id).unwrap().clone();
    assert_eq!(person(&w.tom).roles, ["4W FY1"]);
    assert_eq!(person(&w.priya).presence.state, PresenceState::OffShift);
    assert_eq!(person(&w.priya).instead, ["4W FY1"]);
    assert_eq!(
        person(&w.alex).presence.state,
        PresenceState::Available,
        "not on the rota"
    );

    // Writing to Priya says who to write to instead.
    let one = sam.start_conversation(&direct("priya")).await.unwrap();
    sam.send(one.id, &text("Are you about?", Priority::Normal))
        .await
        .unwrap();
    assert_eq!(
        w.notices_of(&w.sam).await,
        ["Priya Shah is off shift: write to 4W FY1 (Tom Reid) instead."]
    );
    // Two hours on, Priya's shift has begun and Tom's ended.
    w.clock.advance(Duration::hours(2));
    let found = sam.directory("").await.unwrap();
    let priya = found.people.iter().find(|p| p.id == w.priya.id).unwrap();
    assert_eq!(priya.presence.state, PresenceState::Available);
    assert_eq!(priya.roles, ["4W FY1"]);
    let tom = found.people.iter().find(|p| p.id == w.tom.id).unwrap();
    assert_eq!(tom.presence.state, PresenceState::OffShift);
}

async fn do_not_disturb_lets_urgent_through_and_the_sender_sees_it_did(store: TestStore) {
    let w = ward(&store).await;
    let tom = w.client("tom").await;
    let presence = tom
        .set_status(&StatusChange {
            state: "dnd".into(),
            minutes: Some(30),
        })
        .await
        .unwrap();
    assert_eq!(presence.state, PresenceState::Dnd);
    assert_eq!(tom.me().await.unwrap().presence.state, PresenceState::Dnd);
    let sam = w.client("sam").await;
    let found = sam.directory("tom").await.unwrap();
    assert_eq!(found.people[0].presence.state, PresenceState::Dnd);
    assert!(found.people[0].presence.until.is_some());
    let one = sam.start_conversation(&direct("tom")).await.unwrap();
    assert_eq!(
        one.presence.get(&w.tom.id).unwrap().state,
        PresenceState::Dnd
    );
    sam.send(one.id, &text("When you can", Priority::Normal))
        .await
        .unwrap();
    assert!(w.notices_of(&w.sam).await.is_empty(), "nothing to say");
    sam.send(one.id, &text("Arrest bay 3", Priority::Urgent))
        .await
        .unwrap();
    assert_eq!(
        w.notices_of(&w.sam).await,
        ["Tom Reid is on do-not-disturb: your urgent message rang through."]
    );
    // It ends by itself.
    w.clock.advance(Duration::minutes(31));
    assert_eq!(
        tom.me().await.unwrap().presence.state,
        PresenceState::Available
    );
    for (state, minutes) in [("asleep", None), ("dnd", Some(0)), ("off_shift", None)] {
        let refused = tom
            .set_status(&StatusChange {
                state: state.into(),
                minutes,
            })
            .await;
        assert_eq!(status_of(refused), 422, "{state}");
    }
}

async fn only_a_teams_members_take_its_roles_and_only_holders_hand_them_on(store: TestStore) {
    let w = ward(&store).await;
    w.role("4W FY1", None).await;
    let jo = w.client("jo").await;
    let take = OnCall::Take {
        role: "4W FY1".into(),
    };
    assert_eq!(status_of(jo.on_call(&take).await), 403, "not in 4 West");
    let sam = w.client("sam").await;
    let hand = OnCall::Hand {
        role: "4W FY1".into(),
        to: "tom".into(),
    };
    assert_eq!(
        status_of(sam.on_call(&hand).await),
        403,
        "Sam does not hold it"
    );
    let tom = w.client("tom").await;
    tom.on_call(&take).await.unwrap();
    assert_eq!(status_of(tom.on_call(&take).await), 409);
    let to_jo = OnCall::Hand {
        role: "4W FY1".into(),
        to: "jo".into(),
    };
    assert_eq!(status_of(tom.on_call(&to_jo).await), 422);
    let roles = w.client("alex").await.roles().await.unwrap();
    assert_eq!(roles[0].holders[0].display_name, "Tom Reid");
    // Sam takes it over: Tom no longer holds it.
    sam.on_call(&take).await.unwrap();
    let roles = w.client("alex").await.roles().await.unwrap();
    let holders: Vec<&str> = roles[0]
        .holders
        .iter()
        .map(|m| m.display_name.as_str())
        .collect();
    assert_eq!(holders, ["Sam Okafor"]);
    sam.on_call(&give_up("4W FY1")).await.unwrap();
    assert!(w.client("alex").await.roles().await.unwrap()[0]
        .holders
        .is_empty());
    let _ = (&w.jo, &w.sam);
}

/// Found attacking the API: a role's thread is for its writer and its holders now; a team
/// left or an account disabled ends what it held; takes at once leave one holder.
async fn a_roles_thread_is_for_its_holders_now_and_no_one_who_held_it_before(store: TestStore) {
    let w = ward(&store).await;
    w.role("4W FY1", Some("team:4 West")).await;
    let priya = w.client("priya").await;
    let take = OnCall::Take {
        role: "4W FY1".into(),
    };
    priya.on_call(&take).await.unwrap();
    let alex = w.client("alex").await;
    let thread = alex.start_conversation(&to_role("4W FY1")).await.unwrap();
    alex.send(thread.id, &text("Before the hand-over", Priority::Normal))
        .await
        .unwrap();
    priya
        .on_call(&OnCall::Hand {
            role: "4W FY1".into(),
            to: "tom".into(),
        })
        .await
        .unwrap();
    let after = alex
        .send(thread.id, &text("After: confidential", Priority::Normal))
        .await
        .unwrap();
    assert_eq!(status_of(priya.messages(thread.id).await), 403);
    assert!(!priya
        .conversations()
        .await
        .unwrap()
        .iter()
        .any(|c| c.id == thread.id));
    assert!(
        !w.events_of(&w.priya)
            .await
            .iter()
            .any(|e| matches!(e, EventKind::Message { message } if message.id == after.id)),
        "nor does her stream carry it"
    );
    let tom = w.client("tom").await;
    assert_eq!(tom.messages(thread.id).await.unwrap().len(), 2);

    // Tom leaves the team: he holds none of its roles; the next message goes to the channel.
    w.server
        .domain
        .remove_team_member("4 West", "tom")
        .await
        .unwrap();
    assert!(alex.roles().await.unwrap()[0].holders.is_empty());
    alex.send(thread.id, &text("Anyone?", Priority::Normal))
        .await
        .unwrap();
    assert!(w
        .notices_of(&w.alex)
        .await
        .last()
        .unwrap()
        .contains("went to the 4 West channel"));
    // A disabled account holds nothing either.
    let sam = w.client("sam").await;
    sam.on_call(&take).await.unwrap();
    w.server
        .domain
        .set_account_disabled("sam", true)
        .await
        .unwrap();
    assert!(alex.roles().await.unwrap()[0].holders.is_empty());

    // Several take it at once: one holds it after.
    let mut tasks = tokio::task::JoinSet::new();
    for u in ["priya", "alex"] {
        for _ in 0..4 {
            let c = w.client(u).await;
            let take = take.clone();
            tasks.spawn(async move { c.on_call(&take).await.is_ok() });
        }
    }
    tasks.join_all().await;
    assert_eq!(alex.roles().await.unwrap()[0].holders.len(), 1);
}

async fn groups_rotas_and_fallbacks_hold_their_rules_under_pressure(store: TestStore) {
    let w = ward_with(&store, 4).await;
    let sam = w.client("sam").await;
    let group = sam
        .start_conversation(&StartConversation::Group {
            title: "Three".into(),
            members: vec!["tom".into(), "priya".into()],
        })
        .await
        .unwrap();
    // Two additions at once to a group with room for one: one is refused.
    let it = w.client("it").await;
    let (a, b) = tokio::join!(
        sam.add_member(group.id, "alex"),
        it.add_member(group.id, "jo")
    );
    assert_eq!(
        [status_of(a), status_of(b)]
            .iter()
            .filter(|&&s| s == 200)
            .count(),
        1
    );
    let members = sam.conversations().await.unwrap();
    let members = members
        .iter()
        .find(|c| c.id == group.id)
        .unwrap()
        .members
        .len();
    assert_eq!(members, 4);
    // A disabled member can still be taken out.
    w.server
        .domain
        .set_account_disabled("priya", true)
        .await
        .unwrap();
    sam.remove_member(group.id, "priya").await.unwrap();
    // Names that read differently from what they hold are refused.
    assert_eq!(
        status_of(sam.rename_conversation(group.id, "a\u{202e}evil").await),
        422
    );
    assert_eq!(
        status_of(sam.rename_conversation(group.id, "\u{200b}").await),
        422
    );
    let invisible = NewRole {
        name: "FY1\u{200b}".into(),
        team: "4 West".into(),
        fallback: None,
    };
    assert_eq!(status_of(it.admin_create_role(&invisible).await), 422);

    // The rota takes only people in use who are in the role's team; a shift twice is one.
    w.role("4W FY1", None).await;
    let now = w.server.domain.now();
    let shift = |u: &str| Shift {
        role: "4W FY1".into(),
        username: u.into(),
        start: now,
        end: now + Duration::hours(8),
    };
    for u in ["wardround", "jo", "priya"] {
        assert_eq!(
            status_of(it.admin_import_rota(&[shift(u)]).await),
            422,
            "{u}"
        );
    }
    assert_eq!(
        it.admin_import_rota(&[shift("tom"), shift("tom")])
            .await
            .unwrap(),
        1
    );
    assert_eq!(it.admin_import_rota(&[shift("tom")]).await.unwrap(), 0);

    // A role others fall back to stays; no chain of fallbacks comes back on itself.
    w.role("Night FY1", Some("role:4W FY1")).await;
    let refused = it.admin_delete_role("4W FY1").await.unwrap_err();
    assert!(
        refused.to_string().contains("fallback of Night FY1"),
        "{refused}"
    );
    let looping = NewRole {
        name: "Twilight FY1".into(),
        team: "4 West".into(),
        fallback: Some("role:Night FY1".into()),
    };
    it.admin_create_role(&looping).await.unwrap();
    it.admin_delete_role("Twilight FY1").await.unwrap();
    it.admin_delete_role("Night FY1").await.unwrap();
    it.admin_create_role(&NewRole {
        name: "Night FY1".into(),
        team: "4 West".into(),
        fallback: Some("role:4W FY1".into()),
    })
    .await
    .unwrap();
    let back = NewRole {
        name: "Loop".into(),
        team: "4 West".into(),
        fallback: Some("role:Loop".into()),
    };
    assert_eq!(status_of(it.admin_create_role(&back).await), 422);
    let _ = (&w.sam, &w.jo);
}

/// Found re-testing: an urgent message waiting for a holder who gives the role up (or
/// leaves, or is disabled) with nobody taking it went nowhere. It goes to the role's
/// fallback, and its writer is told; a role's thread lists its holders, not who held it.
async fn an_urgent_message_waiting_when_a_role_goes_unheld_goes_to_its_fallback(store: TestStore) {
    let w = ward(&store).await;
    w.role("4W FY1", Some("team:4 West")).await;
    let priya = w.client("priya").await;
    priya.on_call(&take("4W FY1")).await.unwrap();
    let alex = w.client("alex").await;
    let thread = alex.start_conversation(&to_role("4W FY1")).await.unwrap();
    let urgent = alex
        .send(thread.id, &text("Bed 9 desaturating", Priority::Urgent))
        .await
        .unwrap();
    priya.on_call(&give_up("4W FY1")).await.unwrap();
    assert!(
        !priya
            .awaiting()
            .await
            .unwrap()
            .iter()
            .any(|m| m.id == urgent.id),
        "not hers now (the channel's copy is, as for all the ward)"
    );
    assert_eq!(
        w.notices_of(&w.alex).await.last().unwrap(),
        "Nobody holds 4W FY1 now: your urgent message went to 4 West channel."
    );
    let tom = w.client("tom").await;
    let waiting = tom.awaiting().await.unwrap();
    assert!(
        waiting.iter().any(|m| m.body
            == "For 4W FY1 (nobody holds it now) from Alex Morgan: Bed 9 desaturating"
            && m.priority == Priority::Urgent),
        "the channel has it, urgent: {waiting:?}"
    );
    // Run the scheduler: nothing moves twice.
    w.server.domain.run_urgent().await.unwrap();
    assert_eq!(
        store
            .scalar("SELECT COUNT(*) FROM messages WHERE body LIKE 'For 4W FY1%'")
            .await,
        1
    );

    // The thread lists its writer and its holder now, not who held it before.
    tom.on_call(&take("4W FY1")).await.unwrap();
    let listed = alex
        .conversations()
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.id == thread.id)
        .unwrap();
    let mut names: Vec<String> = listed.members.into_iter().map(|m| m.display_name).collect();
    names.sort();
    assert_eq!(names, ["Alex Morgan", "Tom Reid"]);

    // With nowhere to fall back to, it stays with the one who held the role, who can
    // still open it.
    w.role("Phlebotomist", None).await;
    let take = OnCall::Take {
        role: "Phlebotomist".into(),
    };
    priya.on_call(&take).await.unwrap();
    let lone = alex
        .start_conversation(&to_role("Phlebotomist"))
        .await
        .unwrap();
    let bloods = alex
        .send(lone.id, &text("Urgent bloods bed 2", Priority::Urgent))
        .await
        .unwrap();
    priya.on_call(&give_up("Phlebotomist")).await.unwrap();
    assert!(priya
        .awaiting()
        .await
        .unwrap()
        .iter()
        .any(|m| m.id == bloods.id));
    assert!(priya.messages(lone.id).await.is_ok());
}

on_each_store!(
    the_directory_finds_people_and_roles_by_name_username_job_or_team,
    a_one_to_one_is_one_per_pair_however_many_ask_at_once,
    who_may_change_a_group_is_decided_once_for_every_action,
    a_group_holds_at_most_max_group_members,
    an_urgent_message_to_a_role_follows_its_handover,
    a_role_nobody_holds_sends_to_its_fallback_and_tells_the_sender_at_once,
    the_rota_says_who_holds_a_role_and_who_is_off_shift,
    do_not_disturb_lets_urgent_through_and_the_sender_sees_it_did,
    only_a_teams_members_take_its_roles_and_only_holders_hand_them_on,
    a_roles_thread_is_for_its_holders_now_and_no_one_who_held_it_before,
    groups_rotas_and_fallbacks_hold_their_rules_under_pressure,
    an_urgent_message_waiting_when_a_role_goes_unheld_goes_to_its_fallback,
);
