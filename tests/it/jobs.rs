//! Jobs and handover through the HTTP API: who may make and change them (a matrix), what
//! each change tells whom, overdue on a manual clock, a role's jobs following the role,
//! plans and the handover sheet.

use crate::common;

use std::sync::Arc;

use chrono::{Duration, Utc};
use uuid::Uuid;
use wardround::client::{ApiClient, ClientError};
use wardround::model::{
    EventKind, Job, JobAssignee, JobPatch, JobPriority, JobQuery, JobStatus, NewJob, NewRole,
    OnCall, User,
};
use wardround::server::clock::ManualClock;
use wardround::server::{self, Options, RunningServer};

use common::{TestStore, PASSWORD};

struct Ward {
    server: RunningServer,
    clock: Arc<ManualClock>,
    url: String,
    registrar: User,
    nurse: User,
    charge: User,
    surgeon: User,
    it: User,
    /// On 4 West's list.
    patient: String,
    /// On Surgery's list alone.
    theirs: String,
    list: Uuid,
}

const ROLE: &str = "4 West nurse in charge";

/// 4 West (a registrar, a nurse, a charge nurse, the role of nurse in charge held by the
/// charge nurse) with a list of two demo patients; Surgery (a surgeon) with a list of a
/// third; and IT, an administrator in no team.
async fn ward(store: &TestStore) -> Ward {
    let clock = Arc::new(ManualClock::new(Utc::now()));
    let ehr = Arc::new(wardround::demo::ward_source(Utc::now()));
    let patients = ehr.patient_ids().to_vec();
    let server = server::start_with(
        "127.0.0.1:0".parse().unwrap(),
        &store.database,
        ehr,
        Options {
            clock: clock.clone(),
            scheduler: false,
            tls: None,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let d = &server.domain;
    let make = |u: &'static str, n: &'static str, r: &'static str| async move {
        d.create_user(u, n, r, PASSWORD).await.unwrap()
    };
    let registrar = make("registrar", "Dr Priya Shah", "Registrar").await;
    let nurse = make("nurse", "Alex Morgan", "RN").await;
    let charge = make("charge", "Sam Okafor", "Charge Nurse").await;
    let surgeon = make("surgeon", "Mo Reid", "Surgeon").await;
    let it = d
        .create_account("it", "Jo IT", "IT", PASSWORD, true, false)
        .await
        .unwrap();
    d.create_team("4 West", &[registrar.id, nurse.id, charge.id])
        .await
        .unwrap();
    d.create_team("Surgery", &[surgeon.id]).await.unwrap();
    d.define_role(&NewRole {
        name: ROLE.into(),
        team: "4 West".into(),
        fallback: None,
    })
    .await
    .unwrap();
    let url = format!("http://{}", server.addr);
    let as_charge = client(&url, "charge").await;
    as_charge
        .on_call(&OnCall::Take { role: ROLE.into() })
        .await
        .unwrap();
    let list = as_charge.new_list("4 West round").await.unwrap().id;
    for p in &patients[..2] {
        as_charge.add_patient(list, p).await.unwrap();
    }
    let surgery = client(&url, "surgeon").await;
    let theirs_list = surgery.new_list("Surgery").await.unwrap().id;
    surgery
        .add_patient(theirs_list, &patients[2])
        .await
        .unwrap();
    Ward {
        server,
        clock,
        url,
        registrar,
        nurse,
        charge,
        surgeon,
        it,
        patient: patients[0].clone(),
        theirs: patients[2].clone(),
        list,
    }
}

async fn client(url: &str, user: &str) -> ApiClient {
    ApiClient::new(url)
        .unwrap()
        .login(user, PASSWORD)
        .await
        .unwrap()
        .0
}

fn new_job(patient: &str, text: &str, assignee: &str) -> NewJob {
    NewJob {
        id: None,
        patient: patient.into(),
        text: text.into(),
        assignee: assignee.into(),
        due_at: None,
        priority: JobPriority::Routine,
        message_id: None,
    }
}

/// A message in a chat, as a colleague writes it.
async fn say(c: &ApiClient, chat: Uuid, body: &str) -> wardround::model::Message {
    c.send(
        chat,
        &wardround::model::NewMessage {
            id: Uuid::new_v4(),
            body: body.into(),
            priority: wardround::model::Priority::Normal,
        },
    )
    .await
    .unwrap()
}

fn status(e: ClientError) -> u16 {
    match e {
        ClientError::Rejected { status, .. } => status,
        other => panic!("expected a refusal, got {other}"),
    }
}

impl Ward {
    async fn as_(&self, user: &str) -> ApiClient {
        client(&self.url, user).await
    }

    /// The job events `user` has heard, as they heard them.
    async fn heard(&self, user: &User) -> Vec<Job> {
        self.server
            .domain
            .store()
            .events_after(user.id, 0, 10_000)
            .await
            .unwrap()
            .into_iter()
            .filter_map(|e| match e.kind {
                EventKind::Job { job } => Some(*job),
                _ => None,
            })
            .collect()
    }
}

async fn a_job_is_made_listed_and_done_live(store: TestStore) {
    let w = ward(&store).await;
    let registrar = w.as_("registrar").await;
    let job = registrar
        .create_job(&NewJob {
            due_at: Some(w.server.domain.now() + Duration::hours(2)),
            priority: JobPriority::Soon,
            ..new_job(&w.patient, "Repeat potassium", "nurse")
        })
        .await
        .unwrap();
    assert_eq!(job.status, JobStatus::Open);
    assert_eq!(job.created_by.id, w.registrar.id);
    assert!(matches!(&job.assignee, JobAssignee::User { id, .. } if *id == w.nurse.id));
    assert!(!job.mine, "the registrar's copy is not theirs");

    // The nurse hears it as hers; the charge nurse as the team's; Surgery hears nothing.
    let nurse_heard = w.heard(&w.nurse).await;
    assert!(nurse_heard.iter().any(|j| j.id == job.id && j.mine));
    assert!(w
        .heard(&w.charge)
        .await
        .iter()
        .any(|j| j.id == job.id && !j.mine));
    assert!(w.heard(&w.surgeon).await.is_empty());

    let nurse = w.as_("nurse").await;
    let mine = nurse
        .jobs(&JobQuery {
            assignee: Some("me".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(mine.iter().map(|j| j.id).collect::<Vec<_>>(), vec![job.id]);
    let done = nurse.change_job(job.id, &JobPatch::Done).await.unwrap();
    assert_eq!(done.status, JobStatus::Done);
    assert_eq!(done.closed_by.as_ref().map(|m| m.id), Some(w.nurse.id));
    // Whoever made it is told it is done.
    assert!(w
        .heard(&w.registrar)
        .await
        .iter()
        .any(|j| j.id == job.id && j.status == JobStatus::Done));
    // Done is done: a second tick (a colleague's, a moment later) is refused and says who.
    let again = w
        .as_("charge")
        .await
        .change_job(job.id, &JobPatch::Done)
        .await
        .unwrap_err();
    assert!(again.to_string().contains("Alex Morgan"), "{again}");
    assert_eq!(status(again), 409);
    assert!(nurse.jobs(&JobQuery::default()).await.unwrap().is_empty());
    let all = nurse
        .jobs(&JobQuery {
            status: Some("all".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(all.len(), 1);
    w.server.stop().await;
}

async fn only_the_patients_care_team_sees_or_changes_jobs(store: TestStore) {
    let w = ward(&store).await;
    let job = w
        .as_("registrar")
        .await
        .create_job(&new_job(&w.patient, "Refer to cardiology", "nurse"))
        .await
        .unwrap();
    // (who, may they make one, see it, tick it off)
    let matrix = [
        ("registrar", true),
        ("nurse", true),
        ("charge", true),
        ("surgeon", false),
        ("it", false),
    ];
    for (who, allowed) in matrix {
        let c = w.as_(who).await;
        let made = c
            .create_job(&new_job(&w.patient, "Check drug chart", "me"))
            .await;
        assert_eq!(made.is_ok(), allowed, "{who} makes a job");
        if let Err(e) = made {
            assert_eq!(status(e), 403, "{who}");
        }
        let seen = c
            .jobs(&JobQuery {
                patient: Some(w.patient.clone()),
                ..Default::default()
            })
            .await;
        assert_eq!(seen.is_ok(), allowed, "{who} lists the patient's jobs");
        let everything = c.jobs(&JobQuery::default()).await.unwrap();
        assert_eq!(
            everything.iter().any(|j| j.id == job.id),
            allowed,
            "{who} finds the job among their teams'"
        );
        let edit = c
            .change_job(
                job.id,
                &JobPatch::Edit {
                    text: Some(format!("Refer to cardiology ({who})")),
                    due_at: None,
                    clear_due: false,
                    priority: None,
                },
            )
            .await;
        match edit {
            Ok(_) => assert!(allowed, "{who} edited another team's job"),
            // Another team's job is as absent as one never made.
            Err(e) => {
                assert!(!allowed, "{who}: {e}");
                assert_eq!(status(e), 404, "{who}");
            }
        }
    }
    // Surgery's patient is not 4 West's to give work on, nor to give to the surgeon.
    let registrar = w.as_("registrar").await;
    let e = registrar
        .create_job(&new_job(&w.theirs, "Bloods", "me"))
        .await
        .unwrap_err();
    assert_eq!(status(e), 403);
    let e = registrar
        .create_job(&new_job(&w.patient, "Review wound", "surgeon"))
        .await
        .unwrap_err();
    assert_eq!(
        status(e),
        422,
        "the assignee must be in the patient's care team"
    );
    // Crafted ids find nothing.
    let e = registrar
        .change_job(Uuid::new_v4(), &JobPatch::Done)
        .await
        .unwrap_err();
    assert_eq!(status(e), 404);
    let _ = (&w.it, &w.surgeon);
    w.server.stop().await;
}

async fn bad_jobs_are_refused_with_reasons(store: TestStore) {
    let w = ward(&store).await;
    let c = w.as_("registrar").await;
    let now = w.server.domain.now();
    for (job, why) in [
        (new_job(&w.patient, "", "nurse"), "empty text"),
        (new_job(&w.patient, &"x".repeat(301), "nurse"), "too long"),
        (new_job(&w.patient, "K+ \x1b[31mnow", "nurse"), "an escape"),
        (new_job(&w.patient, "two\nlines", "nurse"), "a newline"),
        (
            new_job(&w.patient, "two\u{2028}lines", "nurse"),
            "a line separator",
        ),
        (
            new_job(&w.patient, "K+ \u{202e}won", "nurse"),
            "a right-to-left override",
        ),
        (
            new_job(&w.patient, "\u{2060}\u{2060}\u{2060}", "nurse"),
            "word joiners alone",
        ),
        (new_job(&w.patient, "\u{3164}", "nurse"), "a Hangul filler"),
        (
            new_job(&w.patient, "\u{e0041}\u{e0042}", "nurse"),
            "tag characters",
        ),
        (
            new_job(&w.patient, "\u{2800}", "nurse"),
            "a blank braille cell",
        ),
        (
            new_job(&w.patient, "Blo\u{ad}ods", "nurse"),
            "a soft hyphen",
        ),
        (
            new_job(&w.patient, "Bloods", "nobody-here"),
            "no such person",
        ),
        (
            new_job(&w.patient, "Bloods", "role:No such role"),
            "no such role",
        ),
        (
            NewJob {
                due_at: Some(now + Duration::days(400)),
                ..new_job(&w.patient, "Bloods", "nurse")
            },
            "due next year",
        ),
    ] {
        let e = c.create_job(&job).await.unwrap_err();
        assert!(
            matches!(status(e), 404 | 422),
            "{why} should be refused as a bad request"
        );
    }
    // Joiners and variation selectors stay: emoji and some scripts need them.
    c.create_job(&new_job(
        &w.patient,
        "Call family \u{1f468}\u{200d}\u{1f469} \u{2764}\u{fe0f}",
        "nurse",
    ))
    .await
    .unwrap();
    let job = c
        .create_job(&new_job(&w.patient, "Bloods", "nurse"))
        .await
        .unwrap();
    let e = c
        .change_job(job.id, &JobPatch::Cancel { reason: " ".into() })
        .await
        .unwrap_err();
    assert_eq!(status(e), 422, "a cancel says why");
    let e = c
        .change_job(
            job.id,
            &JobPatch::Reassign {
                assignee: "nurse".into(),
            },
        )
        .await
        .unwrap_err();
    assert_eq!(status(e), 409, "already hers");
    // A retried create (same id) makes one job.
    let id = Uuid::new_v4();
    let first = c
        .create_job(&NewJob {
            id: Some(id),
            ..new_job(&w.patient, "ECG", "nurse")
        })
        .await
        .unwrap();
    let again = c
        .create_job(&NewJob {
            id: Some(id),
            ..new_job(&w.patient, "ECG", "nurse")
        })
        .await
        .unwrap();
    assert_eq!(first.id, again.id);
    let ecgs = c
        .jobs(&JobQuery::default())
        .await
        .unwrap()
        .into_iter()
        .filter(|j| j.text == "ECG")
        .count();
    assert_eq!(ecgs, 1);
    // Someone else cannot take that id over.
    let e = w
        .as_("nurse")
        .await
        .create_job(&NewJob {
            id: Some(id),
            ..new_job(&w.patient, "Something else", "me")
        })
        .await
        .unwrap_err();
    assert_eq!(status(e), 409);
    // Nor another team, who learn no more than that it is taken.
    let e = w
        .as_("surgeon")
        .await
        .create_job(&NewJob {
            id: Some(id),
            ..new_job(&w.theirs, "Something else", "me")
        })
        .await
        .unwrap_err();
    assert_eq!(status(e), 409);
    w.server.stop().await;
}

async fn open_jobs_are_never_cut_and_a_flood_is_refused(store: TestStore) {
    let w = ward(&store).await;
    let nurse_job = w
        .as_("registrar")
        .await
        .create_job(&new_job(&w.patient, "Cannula", "nurse"))
        .await
        .unwrap();
    let charge = w.as_("charge").await;
    for n in 1..90 {
        charge
            .create_job(&new_job(&w.patient, &format!("Busywork {n}"), "me"))
            .await
            .unwrap();
    }
    // A burst at once: the bound holds.
    let burst: Vec<_> = (0..20)
        .map(|n| {
            let (c, patient) = (charge.clone(), w.patient.clone());
            tokio::spawn(async move {
                c.create_job(&new_job(&patient, &format!("Burst {n}"), "me"))
                    .await
            })
        })
        .collect();
    let mut refused = 0;
    for b in burst {
        if let Err(e) = b.await.unwrap() {
            assert_eq!(
                status(e),
                409,
                "a hundred open jobs on one patient is the most"
            );
            refused += 1;
        }
    }
    assert_eq!(refused, 10);
    let mine = w
        .as_("nurse")
        .await
        .jobs(&JobQuery {
            assignee: Some("me".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        mine.iter().map(|j| j.id).collect::<Vec<_>>(),
        vec![nurse_job.id]
    );
    let all = charge.jobs(&JobQuery::default()).await.unwrap();
    assert_eq!(all.len(), 100, "every open job, the oldest too");
    w.server.stop().await;
}

async fn only_the_care_team_hears_of_a_job(store: TestStore) {
    let w = ward(&store).await;
    let registrar = w.as_("registrar").await;
    // From the registrar's 1:1 with the nurse: the charge nurse hears of the job, not of
    // the private chat it came from.
    let chat = registrar
        .start_conversation(&wardround::model::StartConversation::Direct {
            members: vec!["nurse".into()],
        })
        .await
        .unwrap();
    let message = say(&registrar, chat.id, "Can you do his bloods?").await;
    let job = w
        .as_("nurse")
        .await
        .create_job(&NewJob {
            message_id: Some(message.id),
            ..new_job(&w.patient, "Bloods", "me")
        })
        .await
        .unwrap();
    assert_eq!(job.conversation_id, Some(chat.id));
    let seen_by_charge = |jobs: Vec<Job>| jobs.into_iter().find(|j| j.id == job.id).unwrap();
    let listed = seen_by_charge(
        w.as_("charge")
            .await
            .jobs(&JobQuery::default())
            .await
            .unwrap(),
    );
    assert_eq!((listed.message_id, listed.conversation_id), (None, None));
    let heard = seen_by_charge(w.heard(&w.charge).await);
    assert_eq!((heard.message_id, heard.conversation_id), (None, None));
    assert_eq!(
        seen_by_charge(w.heard(&w.registrar).await).conversation_id,
        Some(chat.id)
    );
    // Who leaves the team hears no more of it, though they made it or had it.
    w.server
        .domain
        .remove_team_member("4 West", "nurse")
        .await
        .unwrap();
    let before = w.heard(&w.nurse).await.len();
    registrar
        .change_job(
            job.id,
            &JobPatch::Edit {
                text: Some("Bloods and cultures".into()),
                due_at: None,
                clear_due: false,
                priority: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(w.heard(&w.nurse).await.len(), before);
    w.server.stop().await;
}

async fn two_ticks_at_once_close_a_job_once(store: TestStore) {
    let w = ward(&store).await;
    let job = w
        .as_("registrar")
        .await
        .create_job(&new_job(&w.patient, "Cannula", "nurse"))
        .await
        .unwrap();
    let (nurse, charge) = (w.as_("nurse").await, w.as_("charge").await);
    let cancel = JobPatch::Cancel {
        reason: "Not needed".into(),
    };
    let (a, b) = tokio::join!(
        nurse.change_job(job.id, &JobPatch::Done),
        charge.change_job(job.id, &cancel)
    );
    assert!(a.is_ok() != b.is_ok(), "exactly one wins: {a:?} {b:?}");
    let closes = w
        .heard(&w.registrar)
        .await
        .into_iter()
        .filter(|j| j.id == job.id && !j.is_open())
        .count();
    assert_eq!(closes, 1);
    w.server.stop().await;
}

async fn an_overdue_job_reaches_its_assignee_once(store: TestStore) {
    let w = ward(&store).await;
    let d = &w.server.domain;
    let job = w
        .as_("registrar")
        .await
        .create_job(&NewJob {
            due_at: Some(d.now() + Duration::minutes(30)),
            ..new_job(&w.patient, "Repeat potassium", "nurse")
        })
        .await
        .unwrap();
    assert!(!job.overdue);
    assert_eq!(d.run_jobs_due().await.unwrap(), 0, "not due yet");
    w.clock.advance(Duration::minutes(31));
    assert_eq!(d.run_jobs_due().await.unwrap(), 1);
    assert_eq!(d.run_jobs_due().await.unwrap(), 0, "told once");
    let heard = w.heard(&w.nurse).await;
    let last = heard.iter().rfind(|j| j.id == job.id).unwrap();
    assert!(last.overdue && last.mine);
    let listed = w
        .as_("nurse")
        .await
        .jobs(&JobQuery {
            list: Some(w.list),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(listed[0].overdue);
    // The jobs column marks it.
    let rows = w
        .as_("nurse")
        .await
        .list_rows(w.list, &[wardround::model::ColumnId::Jobs])
        .await
        .unwrap();
    let row = rows.rows.iter().find(|r| r.patient == w.patient).unwrap();
    let cell = &row.columns[&wardround::model::ColumnId::Jobs];
    assert_eq!(cell.text, "1");
    assert_eq!(
        cell.flag,
        Some(wardround::model::Flag::Warning),
        "overdue is flagged"
    );
    // A new due time is told afresh when it passes.
    w.as_("nurse")
        .await
        .change_job(
            job.id,
            &JobPatch::Edit {
                text: None,
                due_at: Some(d.now() + Duration::minutes(10)),
                clear_due: false,
                priority: None,
            },
        )
        .await
        .unwrap();
    w.clock.advance(Duration::minutes(11));
    assert_eq!(d.run_jobs_due().await.unwrap(), 1);
    w.server.stop().await;
}

async fn a_roles_jobs_pass_to_whoever_takes_the_role(store: TestStore) {
    let w = ward(&store).await;
    let role = format!("role:{ROLE}");
    let job = w
        .as_("registrar")
        .await
        .create_job(&NewJob {
            priority: JobPriority::Urgent,
            ..new_job(&w.patient, "Escalate to outreach", &role)
        })
        .await
        .unwrap();
    let (charge, nurse) = (w.as_("charge").await, w.as_("nurse").await);
    let mine = |c: ApiClient| async move {
        c.jobs(&JobQuery {
            assignee: Some("me".into()),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_iter()
        .map(|j| j.id)
        .collect::<Vec<_>>()
    };
    assert_eq!(mine(w.as_("charge").await).await, vec![job.id]);
    assert!(mine(w.as_("nurse").await).await.is_empty());
    nurse
        .on_call(&OnCall::Take { role: ROLE.into() })
        .await
        .unwrap();
    assert_eq!(mine(w.as_("nurse").await).await, vec![job.id]);
    assert!(mine(w.as_("charge").await).await.is_empty());
    // Both heard it change hands, live.
    let last = |heard: Vec<Job>| heard.into_iter().rfind(|j| j.id == job.id).unwrap();
    assert!(last(w.heard(&w.nurse).await).mine);
    assert!(!last(w.heard(&w.charge).await).mine);
    let roles = nurse
        .jobs(&JobQuery {
            assignee: Some("roles".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(roles.len(), 1);
    let _ = charge;
    w.server.stop().await;
}

async fn a_job_from_a_chat_message_links_to_it(store: TestStore) {
    let w = ward(&store).await;
    let registrar = w.as_("registrar").await;
    let chat = registrar
        .patient_conversation(w.list, &w.patient)
        .await
        .unwrap();
    let message = say(
        &registrar,
        chat.id,
        "Can someone repeat his potassium at 2?",
    )
    .await;
    let job = w
        .as_("nurse")
        .await
        .create_job(&NewJob {
            message_id: Some(message.id),
            ..new_job(&w.patient, "Repeat potassium 14:00", "me")
        })
        .await
        .unwrap();
    assert_eq!(job.message_id, Some(message.id));
    assert_eq!(job.conversation_id, Some(chat.id));
    // A message the caller cannot read is no message.
    let e = w
        .as_("surgeon")
        .await
        .create_job(&NewJob {
            message_id: Some(message.id),
            ..new_job(&w.theirs, "Bloods", "me")
        })
        .await
        .unwrap_err();
    assert_eq!(status(e), 404);
    w.server.stop().await;
}

async fn the_handover_sheet_has_plans_and_open_jobs(store: TestStore) {
    let w = ward(&store).await;
    let registrar = w.as_("registrar").await;
    let plan = registrar
        .write_plan(
            &w.patient,
            "Wean oxygen to 94-98%.\nHome tomorrow if K+ normal.  \n",
        )
        .await
        .unwrap();
    assert_eq!(
        plan.text,
        "Wean oxygen to 94-98%.\nHome tomorrow if K+ normal."
    );
    assert_eq!(plan.written_by.id, w.registrar.id);
    for text in ["Repeat potassium", "TTO for discharge"] {
        registrar
            .create_job(&new_job(&w.patient, text, "nurse"))
            .await
            .unwrap();
    }
    let done = registrar
        .create_job(&new_job(&w.patient, "Chase CXR", "me"))
        .await
        .unwrap();
    registrar
        .change_job(done.id, &JobPatch::Done)
        .await
        .unwrap();
    let sheet = w.as_("nurse").await.handover(w.list, false).await.unwrap();
    assert_eq!(sheet.rows.len(), 2);
    let row = sheet.rows.iter().find(|r| r.patient == w.patient).unwrap();
    assert!(!row.bed.is_empty() && !row.name.is_empty() && !row.news2.is_empty());
    assert_eq!(row.plan.as_ref().map(|p| p.text.lines().count()), Some(2));
    let texts: Vec<&str> = row.jobs.iter().map(|j| j.text.as_str()).collect();
    assert_eq!(texts.len(), 2, "open jobs only: {texts:?}");
    // The detail pane has them too.
    let detail = w.as_("nurse").await.patient(&w.patient).await.unwrap();
    assert!(detail.plan.is_some());
    assert_eq!(detail.jobs.len(), 2);
    // Plans are the care team's: refused to others, and hostile text is refused.
    let e = w
        .as_("surgeon")
        .await
        .write_plan(&w.patient, "Mine now")
        .await
        .unwrap_err();
    assert_eq!(status(e), 403);
    let e = registrar
        .write_plan(&w.patient, "a\x07bell")
        .await
        .unwrap_err();
    assert_eq!(status(e), 422);
    let e = registrar
        .write_plan(&w.patient, &"line\n".repeat(11))
        .await
        .unwrap_err();
    assert_eq!(status(e), 422);
    // A plan of invisible characters would look blank yet set.
    for blank in ["\u{2060}\u{2060}", "\u{2800}\n\u{3164}"] {
        let e = registrar.write_plan(&w.patient, blank).await.unwrap_err();
        assert_eq!(status(e), 422, "{blank:?}");
    }
    // Audited: the plan, each job change, the sheet.
    let actions: Vec<String> = w
        .server
        .domain
        .store()
        .audit_entries(&wardround::server::store::AuditFilter {
            limit: 10_000,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action.as_str())
        .collect();
    for wanted in ["plan_written", "job_created", "job_done", "handover_viewed"] {
        assert!(
            actions.iter().any(|a| a == wanted),
            "{wanted} in {actions:?}"
        );
    }
    w.server.stop().await;
}

/// The elements of an R4 Task (4.0.1), for checking an export has no other.
const TASK_ELEMENTS: &[&str] = &[
    "resourceType",
    "id",
    "meta",
    "implicitRules",
    "language",
    "text",
    "contained",
    "extension",
    "modifierExtension",
    "identifier",
    "instantiatesCanonical",
    "instantiatesUri",
    "basedOn",
    "groupIdentifier",
    "partOf",
    "status",
    "statusReason",
    "businessStatus",
    "intent",
    "priority",
    "code",
    "description",
    "focus",
    "for",
    "encounter",
    "executionPeriod",
    "authoredOn",
    "lastModified",
    "requester",
    "performerType",
    "owner",
    "location",
    "reasonCode",
    "reasonReference",
    "insurance",
    "note",
    "relevantHistory",
    "restriction",
    "input",
    "output",
];

/// An R4 dateTime (the specification's regex, with a time and zone, as wardround writes).
fn is_fhir_datetime(v: &serde_json::Value) -> bool {
    v.as_str().is_some_and(|s| {
        chrono::DateTime::parse_from_rfc3339(s).is_ok() && (s.ends_with('Z') || s.contains('+'))
    })
}

/// What the R4 specification asks of each Task written; and, where CI provides a validator
/// (`WARDROUND_FHIR_VALIDATOR`: a Python with fhir.resources), its verdict on the file.
fn assert_valid_r4_tasks(ndjson: &str) {
    let lines: Vec<serde_json::Value> = ndjson
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(!lines.is_empty());
    for t in &lines {
        let o = t.as_object().unwrap();
        for key in o.keys() {
            assert!(
                TASK_ELEMENTS.contains(&key.as_str()),
                "{key} is not a Task element"
            );
        }
        assert_eq!(t["resourceType"], "Task");
        let id = t["id"].as_str().unwrap();
        assert!(
            id.len() <= 64
                && id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
        );
        assert!(["ready", "completed", "cancelled"].contains(&t["status"].as_str().unwrap()));
        assert_eq!(t["intent"], "order");
        assert!(["routine", "urgent", "asap", "stat"].contains(&t["priority"].as_str().unwrap()));
        assert!(t["for"]["reference"]
            .as_str()
            .unwrap()
            .starts_with("Patient/"));
        for at in [
            &t["authoredOn"],
            &t["lastModified"],
            &t["executionPeriod"]["start"],
        ] {
            assert!(is_fhir_datetime(at), "{at}");
        }
        assert!(
            t["owner"]["display"].is_string() && t["requester"]["identifier"]["value"].is_string()
        );
    }
    if let Ok(python) = std::env::var("WARDROUND_FHIR_VALIDATOR") {
        use std::io::Write as _;
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/validate_fhir_r4.py");
        let mut child = std::process::Command::new(python)
            .arg(script)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(ndjson.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "the R4 validator refused the export:\n{}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
}

async fn handover_and_jobs_leave_through_export(store: TestStore) {
    let w = ward(&store).await;
    let registrar = w.as_("registrar").await;
    registrar
        .write_plan(&w.patient, "Wean oxygen.\nHome tomorrow if K+ normal.")
        .await
        .unwrap();
    let now = w.server.domain.now();
    let open = registrar
        .create_job(&NewJob {
            due_at: Some(now + Duration::hours(3)),
            priority: JobPriority::Urgent,
            ..new_job(&w.patient, "Repeat potassium", &format!("role:{ROLE}"))
        })
        .await
        .unwrap();
    let done = registrar
        .create_job(&new_job(&w.patient, "Chase CXR", "nurse"))
        .await
        .unwrap();
    w.as_("nurse")
        .await
        .change_job(done.id, &JobPatch::Done)
        .await
        .unwrap();
    let cancelled = registrar
        .create_job(&new_job(&w.patient, "ECG", "nurse"))
        .await
        .unwrap();
    registrar
        .change_job(
            cancelled.id,
            &JobPatch::Cancel {
                reason: "Done in ED".into(),
            },
        )
        .await
        .unwrap();

    let run = |args: &'static [&'static str]| {
        let url = w.url.clone();
        tokio::task::spawn_blocking(move || common::run_as("nurse", &url, args))
    };
    let (ok, md, err) = run(&[
        "export",
        "--list",
        "4 West round",
        "--handover",
        "--format",
        "md",
    ])
    .await
    .unwrap();
    assert!(ok, "{err}");
    assert!(md.starts_with("# Handover: 4 West round"), "{md}");
    assert!(md.contains("> Wean oxygen."), "{md}");
    assert!(
        md.contains("- [ ] Repeat potassium — role: 4 West nurse in charge, due "),
        "{md}"
    );
    assert!(
        !md.contains("Chase CXR") && !md.contains("ECG"),
        "open jobs only"
    );
    let (ok, csv, err) = run(&[
        "export",
        "--list",
        "4 West round",
        "--handover",
        "--format",
        "csv",
    ])
    .await
    .unwrap();
    assert!(ok, "{err}");
    assert!(csv.starts_with("bed,name,news2,plan,plan_by,open_jobs,jobs,discharged\n"));
    assert_eq!(
        csv.matches("\"Wean oxygen.\nHome tomorrow if K+ normal.\"")
            .count(),
        1,
        "{csv}"
    );
    let (ok, json, err) = run(&[
        "export",
        "--list",
        "4 West round",
        "--handover",
        "--format",
        "json",
    ])
    .await
    .unwrap();
    assert!(ok, "{err}");
    let sheet: wardround::model::HandoverSheet = serde_json::from_str(&json).unwrap();
    assert_eq!(sheet.rows.len(), 2);

    let (ok, ndjson, err) = run(&[
        "export",
        "--jobs",
        "--list",
        "4 West round",
        "--format",
        "fhir-ndjson",
    ])
    .await
    .unwrap();
    assert!(ok, "{err}");
    assert_valid_r4_tasks(&ndjson);
    let tasks: Vec<serde_json::Value> = ndjson
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(tasks.len(), 3, "open and closed");
    let task = |id: Uuid| tasks.iter().find(|t| t["id"] == id.to_string()).unwrap();
    let t = task(open.id);
    assert_eq!(t["status"], "ready");
    assert_eq!(t["priority"], "asap");
    assert_eq!(t["owner"]["type"], "PractitionerRole");
    assert_eq!(t["for"]["reference"], format!("Patient/{}", w.patient));
    assert!(is_fhir_datetime(&t["restriction"]["period"]["end"]));
    let t = task(done.id);
    assert_eq!(t["status"], "completed");
    assert!(is_fhir_datetime(&t["executionPeriod"]["end"]));
    assert_eq!(task(cancelled.id)["statusReason"]["text"], "Done in ED");

    // Each left wardround as an export, in the audit log.
    let exports = w
        .server
        .domain
        .store()
        .audit_entries(&wardround::server::store::AuditFilter {
            limit: 10_000,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action.as_str() == "list_exported" || e.detail.ends_with(", exported"))
        .count();
    assert!(exports >= 4, "{exports}");
    // Wrong pairings say what goes with what.
    let (ok, _, err) = run(&[
        "export",
        "--list",
        "4 West round",
        "--handover",
        "--format",
        "fhir-ndjson",
    ])
    .await
    .unwrap();
    assert!(!ok && err.contains("--jobs"), "{err}");
    let (ok, _, err) = run(&["export", "--handover"]).await.unwrap();
    assert!(!ok && err.contains("--list"), "{err}");
    w.server.stop().await;
}

on_each_store!(
    a_job_is_made_listed_and_done_live,
    only_the_patients_care_team_sees_or_changes_jobs,
    bad_jobs_are_refused_with_reasons,
    two_ticks_at_once_close_a_job_once,
    an_overdue_job_reaches_its_assignee_once,
    a_roles_jobs_pass_to_whoever_takes_the_role,
    a_job_from_a_chat_message_links_to_it,
    the_handover_sheet_has_plans_and_open_jobs,
    handover_and_jobs_leave_through_export,
    open_jobs_are_never_cut_and_a_flood_is_refused,
    only_the_care_team_hears_of_a_job,
);
