//! A ward to test the app against: the demo ward's rows at a fixed instant, and a few
//! conversations, loaded through `update` as the runtime would.

#![allow(dead_code)]

use chrono::{DateTime, Duration, TimeZone, Utc};
use uuid::Uuid;
use wardround::fhir::columns;
use wardround::model::{
    ColumnId, Conversation, ConversationKind, ListRows, Member, Message, PatientList, Priority,
    Receipt, ReceiptState, User,
};
use wardround::tui::action::Action;
use wardround::tui::app::{App, IdSource};
use wardround::tui::update::update;

pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 21, 9, 30, 0).unwrap()
}

pub fn user(n: u128, name: &str, role: &str) -> User {
    User {
        id: Uuid::from_u128(n),
        username: name.to_lowercase().replace(' ', ""),
        display_name: name.into(),
        role: role.into(),
        admin: false,
    }
}

pub fn nurse() -> User {
    user(1, "Alex Morgan", "RN")
}

pub fn registrar() -> User {
    user(2, "Dr Priya Shah", "Medical Registrar")
}

pub fn charge() -> User {
    user(3, "Sam Okafor", "Charge Nurse")
}

pub const CHANNEL: Uuid = Uuid::from_u128(100);
pub const DIRECT: Uuid = Uuid::from_u128(101);

pub fn member(u: &User) -> Member {
    Member {
        id: u.id,
        display_name: u.display_name.clone(),
        role: u.role.clone(),
    }
}

pub fn rows() -> ListRows {
    let ward = wardround::demo::ward_source(now());
    let mut wanted = ColumnId::ALL.to_vec();
    wanted.extend(ColumnId::parse("obs:8867-4"));
    let rows = ward
        .charts()
        .map(|c| columns::row(c, &wanted, now()))
        .collect();
    let list = PatientList {
        id: Uuid::from_u128(50),
        team_id: Uuid::from_u128(60),
        name: "4 West — all beds".into(),
        patient_ids: ward.patient_ids().to_vec(),
        ..Default::default()
    };
    ListRows {
        list,
        rows,
        view: None,
    }
}

pub fn message(
    id: u128,
    conv: Uuid,
    from: &User,
    to: &[&User],
    body: &str,
    priority: Priority,
    minutes_ago: i64,
) -> Message {
    let at = now() - Duration::minutes(minutes_ago);
    Message {
        id: Uuid::from_u128(id),
        conversation_id: conv,
        sender_id: from.id,
        sender_name: from.display_name.clone(),
        body: body.into(),
        priority,
        sent_at: at,
        receipts: to
            .iter()
            .map(|u| Receipt {
                user_id: u.id,
                state: ReceiptState::Sent,
                at,
                acknowledged_at: None,
            })
            .collect(),
        ack_required: false,
        escalation_of: None,
    }
}

pub fn conversations() -> Vec<Conversation> {
    let (n, r, c) = (nurse(), registrar(), charge());
    vec![
        Conversation {
            id: CHANNEL,
            kind: ConversationKind::Channel,
            title: "4 West".into(),
            members: vec![member(&n), member(&r), member(&c)],
            unread: 1,
            subject: None,
            role: None,
            presence: Default::default(),
            admins: Vec::new(),
            manage: false,
        },
        Conversation {
            id: DIRECT,
            kind: ConversationKind::Direct,
            title: r.display_name.clone(),
            members: vec![member(&n), member(&r)],
            unread: 1,
            subject: None,
            role: None,
            presence: Default::default(),
            admins: Vec::new(),
            manage: false,
        },
    ]
}

pub fn urgent() -> Message {
    message(
        900,
        DIRECT,
        &registrar(),
        &[&nurse()],
        "4W-4B has a NEWS2 of 7. Please repeat a full set of obs now and call me on bleep 4417.",
        Priority::Urgent,
        3,
    )
}

/// The app as the demo nurse sees it a few minutes into the demo: list loaded, a ward
/// channel post, an urgent 1:1 waiting.
pub fn ward_app() -> App {
    let mut app = App::new(
        nurse(),
        "4 West".into(),
        "http://127.0.0.1:8470".into(),
        now(),
    );
    app.ids = IdSource::Sequential(1000);
    update(&mut app, Action::RowsLoaded(Ok(rows())));
    update(&mut app, Action::ConversationsLoaded(Ok(conversations())));
    let post = message(
        800,
        CHANNEL,
        &charge(),
        &[&nurse(), &registrar()],
        "Morning all. Safety huddle 08:30 at the nurses' station.",
        Priority::Important,
        20,
    );
    update(&mut app, Action::MessagesLoaded(CHANNEL, Ok(vec![post])));
    update(&mut app, Action::MessagesLoaded(DIRECT, Ok(vec![urgent()])));
    update(
        &mut app,
        Action::Stream(wardround::client::StreamUpdate::Connected),
    );
    app
}

/// A real server on a random port over `database`, serving the demo ward.
pub async fn demo_ward_server(
    database: impl Into<wardround::server::store::Database>,
) -> (
    wardround::server::RunningServer,
    std::sync::Arc<wardround::fhir::BundleSource>,
) {
    let ward = std::sync::Arc::new(wardround::demo::ward_source(Utc::now()));
    let server = wardround::server::start("127.0.0.1:0".parse().unwrap(), database, ward.clone())
        .await
        .unwrap();
    (server, ward)
}

pub const PASSWORD: &str = "correct horse battery";

/// Runs the `wardround` binary against `url` as the nurse (password on stdin), with HOME
/// and the config dir in a fresh temp dir. Returns success, stdout, stderr.
pub fn run_as_nurse(url: &str, args: &[&str]) -> (bool, String, String) {
    run_as("nurse", url, args)
}

/// Runs the binary as `user` (password on stdin) with a fresh HOME.
pub fn run_as(user: &str, url: &str, args: &[&str]) -> (bool, String, String) {
    run_with_stdin(user, url, args, &format!("{PASSWORD}\n"))
}

/// Runs the binary as `user` with `--password-stdin` and `stdin` as its input, with a
/// fresh HOME.
pub fn run_with_stdin(user: &str, url: &str, args: &[&str], stdin: &str) -> (bool, String, String) {
    use std::io::Write as _;
    use std::process::{Command, Stdio};
    let home = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_wardround"))
        .args(["--server", url, "--user", user, "--password-stdin"])
        .args(args)
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // A command refused on its arguments exits before it reads a line: its output says
    // why, not a broken pipe here.
    if let Err(e) = child.stdin.take().unwrap().write_all(stdin.as_bytes()) {
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "{e}");
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

/// The whole screen as text (lines trimmed at the right), drawn at `width`×`height` with
/// the default theme.
pub fn screen_text(app: &App, width: u16, height: u16) -> String {
    let mut terminal =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|f| wardround::tui::view::draw(f, app, &wardround::tui::theme::Theme::default()))
        .unwrap();
    terminal
        .backend()
        .buffer()
        .content
        .chunks(usize::from(width))
        .map(|row| {
            row.iter()
                .map(|c| c.symbol())
                .collect::<String>()
                .trim_end()
                .to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A `wardround serve` child process on `listen` over `store` (a real node: it can be
/// killed and restarted on the same store), with `admin` / `admin_password`.
pub fn serve_process(
    store: &TestStore,
    listen: &str,
    admin_password: &str,
) -> wardround::bench::Target {
    wardround::bench::Target::spawn_at(
        std::path::Path::new(env!("CARGO_BIN_EXE_wardround")),
        listen,
        &store.database,
        store.dir(),
        admin_password,
    )
    .expect("the server starts")
}

/// Through the admin API: users `sender` and `recipient` (password [`PASSWORD`]) on a
/// team `Ward`, whose channel they then share.
pub async fn sender_and_recipient_on_a_ward(
    url: &str,
    admin_password: &str,
) -> wardround::client::ApiClient {
    let admin = wardround::client::ApiClient::new(url)
        .unwrap()
        .login("admin", admin_password)
        .await
        .unwrap()
        .0;
    for name in ["sender", "recipient"] {
        admin
            .admin_add_user(&wardround::client::admin::NewAccount {
                username: name,
                display_name: name,
                role: "RN",
                password: PASSWORD,
                admin: false,
                one_time: false,
            })
            .await
            .unwrap();
    }
    admin.admin_create_team("Ward", None).await.unwrap();
    for name in ["sender", "recipient"] {
        admin.admin_team_member("Ward", name, true).await.unwrap();
    }
    admin
}

/// A store of a test's own: a SQLite file in a temporary directory, or a fresh schema in
/// the PostgreSQL database `WARDROUND_TEST_POSTGRES_URL` names. It outlives restarts of
/// the servers started on it.
pub struct TestStore {
    pub database: wardround::server::store::Database,
    _dir: tempfile::TempDir,
}

impl TestStore {
    pub fn sqlite() -> Self {
        let dir = tempfile::tempdir().unwrap();
        TestStore {
            database: dir.path().join("ward.sqlite").into(),
            _dir: dir,
        }
    }

    /// A schema of its own in the test database, named for nothing but this run (tests
    /// run in parallel; the schema is left for the throwaway database to take with it).
    pub async fn postgres() -> Self {
        use sqlx::Connection as _;
        let url = std::env::var("WARDROUND_TEST_POSTGRES_URL")
            .expect("WARDROUND_TEST_POSTGRES_URL names a PostgreSQL database for tests");
        let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
        let mut conn = sqlx::PgConnection::connect(&url)
            .await
            .expect("the PostgreSQL test database accepts connections");
        sqlx::raw_sql(&format!("CREATE SCHEMA {schema}"))
            .execute(&mut conn)
            .await
            .unwrap();
        let _ = conn.close().await;
        let joiner = if url.contains('?') { '&' } else { '?' };
        TestStore {
            // The application name picks out this test's connections (`cut_connections`).
            database: wardround::server::store::Database::Postgres(format!(
                "{url}{joiner}options=-c%20search_path%3D{schema}&application_name={schema}"
            )),
            _dir: tempfile::tempdir().unwrap(),
        }
    }

    /// Another empty store of the same kind.
    pub async fn fresh(&self) -> TestStore {
        match self.database {
            wardround::server::store::Database::Sqlite(_) => TestStore::sqlite(),
            wardround::server::store::Database::Postgres(_) => TestStore::postgres().await,
        }
    }

    /// Where a server process started by the test keeps its files (an EHR directory, a
    /// HOME), beside a SQLite store or for a PostgreSQL one.
    pub fn dir(&self) -> &std::path::Path {
        self._dir.path()
    }

    /// Runs SQL straight on the store, as someone with the database could.
    pub async fn execute(&self, sql: &str) {
        match &self.database {
            wardround::server::store::Database::Sqlite(path) => {
                let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", path.display()))
                    .await
                    .unwrap();
                sqlx::raw_sql(sql).execute(&pool).await.unwrap();
                pool.close().await;
            }
            wardround::server::store::Database::Postgres(url) => {
                let pool = sqlx::PgPool::connect(url).await.unwrap();
                sqlx::raw_sql(sql).execute(&pool).await.unwrap();
                pool.close().await;
            }
        }
    }

    /// PostgreSQL ends every connection the servers on this store hold, as a database
    /// restart or a failover would.
    pub async fn cut_connections(&self) -> i64 {
        use sqlx::Connection as _;
        let wardround::server::store::Database::Postgres(url) = &self.database else {
            panic!("only a PostgreSQL store has connections to cut");
        };
        let name = url.rsplit("application_name=").next().unwrap_or_default();
        let base = std::env::var("WARDROUND_TEST_POSTGRES_URL").unwrap();
        let mut conn = sqlx::PgConnection::connect(&base).await.unwrap();
        let cut = sqlx::query_scalar(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1",
        )
        .bind(name)
        .fetch_one(&mut conn)
        .await
        .unwrap();
        let _ = conn.close().await;
        cut
    }

    /// The one number `sql` selects.
    pub async fn scalar(&self, sql: &str) -> i64 {
        match &self.database {
            wardround::server::store::Database::Sqlite(path) => {
                let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", path.display()))
                    .await
                    .unwrap();
                sqlx::query_scalar(sql).fetch_one(&pool).await.unwrap()
            }
            wardround::server::store::Database::Postgres(url) => {
                let pool = sqlx::PgPool::connect(url).await.unwrap();
                sqlx::query_scalar(sql).fetch_one(&pool).await.unwrap()
            }
        }
    }
}

/// Declares, for each `async fn NAME(store: TestStore)` named, the tests `NAME::sqlite`
/// and `NAME::postgres`. The PostgreSQL one runs when WARDROUND_TEST_POSTGRES_URL was set
/// at build time, and is listed as ignored, saying so, when it was not.
macro_rules! on_each_store {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name(super::common::TestStore::sqlite()).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            #[cfg_attr(
                not(wardround_postgres_tests),
                ignore = "PostgreSQL: set WARDROUND_TEST_POSTGRES_URL to run"
            )]
            async fn postgres() {
                super::$name(super::common::TestStore::postgres().await).await
            }
        }
    )*};
}
