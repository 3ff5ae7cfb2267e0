//! End to end in a real terminal: `wardround demo` in tmux, driven by keys, read off the
//! screen. Skipped (with a note) where tmux is not installed; CI installs it.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a panic is its failure

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

struct Tmux {
    session: String,
}

impl Tmux {
    fn start(command: &str, width: u16, height: u16) -> Option<Tmux> {
        if Command::new("tmux").arg("-V").output().is_err() {
            eprintln!("tmux is not installed: end-to-end test skipped");
            return None;
        }
        // Tests run at once in one process: each its own session.
        static STARTED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = STARTED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let session = format!("wardround-e2e-{}-{n}", std::process::id());
        let status = Command::new("tmux")
            .args([
                "new-session",
                "-d",
                "-s",
                &session,
                "-x",
                &width.to_string(),
                "-y",
                &height.to_string(),
            ])
            .arg(command)
            .status()
            .expect("tmux new-session");
        assert!(status.success());
        Some(Tmux { session })
    }

    fn screen(&self) -> String {
        let out = Command::new("tmux")
            .args(["capture-pane", "-p", "-t", &self.session])
            .output()
            .expect("capture-pane");
        String::from_utf8_lossy(&out.stdout).to_string()
    }

    fn keys(&self, keys: &[&str]) {
        let status = Command::new("tmux")
            .args(["send-keys", "-t", &self.session])
            .args(keys)
            .status()
            .expect("send-keys");
        assert!(status.success());
    }

    /// Escape alone: followed at once by another key, a terminal reads Alt and that key.
    fn escape(&self) {
        self.keys(&["Escape"]);
        std::thread::sleep(Duration::from_millis(300));
    }

    fn resize(&self, width: u16, height: u16) {
        Command::new("tmux")
            .args([
                "resize-window",
                "-t",
                &self.session,
                "-x",
                &width.to_string(),
                "-y",
                &height.to_string(),
            ])
            .status()
            .expect("resize-window");
    }

    /// Waits until the screen satisfies `pred`; panics with the screen if it never does.
    fn wait_for(&self, what: &str, timeout: Duration, pred: impl Fn(&str) -> bool) -> String {
        self.poll(timeout, pred).unwrap_or_else(|screen| {
            panic!("timed out waiting for {what}; the screen was:\n{screen}")
        })
    }

    /// The screen once it satisfies `pred`, or the last screen seen when it never did.
    fn poll(&self, timeout: Duration, pred: impl Fn(&str) -> bool) -> Result<String, String> {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if pred(&screen) {
                return Ok(screen);
            }
            if start.elapsed() > timeout {
                return Err(screen);
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["kill-session", "-t", &self.session])
            .status();
    }
}

fn files_under(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(files_under(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

/// `wardround demo` at 120×40 with its own HOME and TMPDIR (to check it leaves nothing),
/// logging at `level` into its own state directory.
fn demo(
    level: &str,
) -> Option<(
    Tmux,
    tempfile::TempDir,
    tempfile::TempDir,
    tempfile::TempDir,
)> {
    let home = tempfile::tempdir().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let state = tempfile::tempdir().unwrap();
    let h = home.path().display();
    let command = format!(
        "env HOME={h} XDG_CONFIG_HOME={h}/.config XDG_DATA_HOME={h}/.local/share XDG_STATE_HOME={} RUST_LOG={level} TMPDIR={} TERM=xterm-256color {} demo; echo wardround-exited-$?; sleep 30",
        state.path().display(),
        tmp.path().display(),
        env!("CARGO_BIN_EXE_wardround")
    );
    let tmux = Tmux::start(&command, 120, 40)?;
    Some((tmux, home, tmp, state))
}

/// The app's log (the demo's server logs into it too), read after a run at the most
/// verbose level: it holds what IT needs (requests by route, the stream's state) and
/// nothing of any patient or message.
fn assert_log_holds_no_patient_data(state: &Path, typed: &[&str]) {
    let log = std::fs::read_to_string(state.join("wardround").join("wardround.log"))
        .expect("the app's log in the state directory");
    for expected in [
        "wardround::http",
        "route=/api/v1/",
        "event stream connected",
    ] {
        assert!(log.contains(expected), "the log has {expected:?}");
    }
    // What the demo ward holds, generated as the demo did (names and MRNs do not depend
    // on the day; birth dates may, by a day either side).
    let mut secrets: Vec<String> = typed.iter().map(|s| s.to_string()).collect();
    // A sample of what the simulated colleagues write.
    secrets.extend(
        [
            "Safety huddle 08:30",
            "New chest pain in bay 2",
            "Family visiting at 14:00",
        ]
        .map(String::from),
    );
    for day in [-1, 0, 1] {
        let now = chrono::Utc::now() + chrono::Duration::days(day);
        let bundle: serde_json::Value =
            serde_json::from_slice(&wardround::demo::ward::generate(wardround::demo::SEED, now))
                .unwrap();
        for entry in bundle["entry"].as_array().unwrap() {
            let r = &entry["resource"];
            if r["resourceType"] != "Patient" {
                continue;
            }
            let name = &r["name"][0];
            let family = name["family"].as_str().unwrap();
            let given = name["given"][0].as_str().unwrap();
            secrets.push(format!("{given} {family}"));
            secrets.push(format!("{}, {given}", family.to_uppercase()));
            secrets.push(r["birthDate"].as_str().unwrap().to_string());
            for id in r["identifier"].as_array().unwrap() {
                secrets.push(id["value"].as_str().unwrap().to_string());
            }
        }
    }
    assert!(secrets.len() > 60, "the ward's patients were found");
    for line in log.lines() {
        for secret in &secrets {
            assert!(
                !line.contains(secret.as_str()),
                "patient data or a message ({secret:?}) in the log:\n{line}"
            );
        }
    }
}

#[test]
fn demo_round_trip_in_a_real_terminal() {
    // The most verbose level: not even trace may log patient data.
    let Some((tmux, home, tmp, state)) = demo("trace") else {
        return;
    };

    let screen = tmux.wait_for("the ward list", Duration::from_secs(20), |s| {
        s.contains("4 West — all beds") && s.contains("4W-1A")
    });
    assert!(
        screen.contains("NEWS2") && screen.contains("4W-1A"),
        "{screen}"
    );
    assert!(
        screen.contains("live"),
        "status bar shows the connection:\n{screen}"
    );
    assert_no_core_dump(&tmux.session);

    // Within 15 seconds: a ward channel post and an urgent 1:1.
    let screen = tmux.wait_for("the urgent alert", Duration::from_secs(15), |s| {
        s.contains("URGENT") && s.contains("Dr Priya Shah")
    });
    assert!(
        screen.contains("# 4 West (1)"),
        "the channel post is unread:\n{screen}"
    );

    tmux.keys(&["u"]);
    tmux.keys(&["C-k"]);
    let screen = tmux.wait_for(
        "the urgent alert to give way to the steady important mark once read",
        Duration::from_secs(5),
        |s| {
            s.lines()
                .next()
                .is_some_and(|l| l.contains("! IMPORTANT") && l.contains("Sam Okafor"))
                && s.contains("✓ acknowledged")
        },
    );
    assert!(!screen.contains("[Ctrl-k] acknowledge"), "{screen}");

    tmux.keys(&["-l", "On my way to check obs"]);
    tmux.keys(&["Enter"]);
    tmux.wait_for("the reply to be read", Duration::from_secs(15), |s| {
        s.contains("✓✓ read")
    });
    tmux.wait_for("the colleague's answer", Duration::from_secs(15), |s| {
        s.contains("On my way up now")
    });

    // The round: the registrar gave the nurse an urgent job. The bar pulses for it (never
    // saying what it is); `u` opens the jobs on it, `x` ticks it off for everyone.
    tmux.escape();
    let screen = tmux.wait_for("the urgent job", Duration::from_secs(15), |s| {
        s.lines()
            .next()
            .is_some_and(|l| l.contains("URGENT JOB") && l.contains("Dr Priya Shah"))
    });
    assert!(
        !screen
            .lines()
            .next()
            .unwrap_or_default()
            .contains("lactate"),
        "{screen}"
    );
    tmux.keys(&["u"]);
    tmux.wait_for("the jobs pane", Duration::from_secs(5), |s| {
        s.contains("Jobs · mine") && s.contains("Repeat full set of obs and a lactate")
    });
    tmux.keys(&["x"]);
    let screen = tmux.wait_for("the job done", Duration::from_secs(10), |s| {
        s.contains("Done: “Repeat full set of obs and a lactate”.")
    });
    assert!(!screen.contains("URGENT JOB"), "{screen}");
    tmux.escape();

    // An urgent message to the round group, which the FY1 never reads: re-notified, then
    // (the demo policy's 40 s window) the sender is told and the charge nurse is messaged.
    tmux.keys(&["k"]);
    tmux.keys(&["Enter"]);
    tmux.keys(&["C-p", "C-p"]);
    tmux.keys(&["-l", "Bed 4 needs a senior review"]);
    tmux.keys(&["Enter", "C-r"]);
    let screen = tmux.wait_for("two of three to read it", Duration::from_secs(15), |s| {
        s.contains("read by 2 of 3")
    });
    assert!(screen.contains("‼ URGENT"), "{screen}");
    assert!(
        screen.contains("delivered: Dr Tom Reid"),
        "who has not read it, by name:\n{screen}"
    );
    let screen = tmux.wait_for("the unanswered notice", Duration::from_secs(60), |s| {
        s.lines().next().is_some_and(|l| l.contains("UNANSWERED"))
    });
    let bar = screen.lines().next().unwrap_or_default();
    assert!(bar.contains("Dr Tom Reid"), "{bar}");
    assert!(bar.contains("escalated to Sam Okafor"), "{bar}");

    // Meanwhile the ward's day: an admission and a discharge reached the census list.
    let screen = tmux.wait_for(
        "the census's admission and discharge",
        Duration::from_secs(30),
        |s| s.contains("1 new, 1 discharged"),
    );
    assert!(
        screen.contains("(29 patients) · 1 new, 1 discharged"),
        "the one discharged is counted apart:\n{screen}"
    );

    tmux.resize(80, 24);
    tmux.wait_for("the 80x24 layout", Duration::from_secs(5), |s| {
        s.lines().next().is_some_and(|l| l.chars().count() <= 80)
            && s.contains("Reason for")
            && s.contains("Jobs")
    });

    tmux.escape();
    // IT's first look: the diagnostics pane measures the live connection.
    tmux.keys(&[":diag", "Enter"]);
    let screen = tmux.wait_for("diagnostics", Duration::from_secs(10), |s| {
        s.contains("ping to its event") && s.contains("same as this client")
    });
    assert!(screen.contains("live (event stream open)"), "{screen}");
    tmux.escape();
    tmux.keys(&["?"]);
    tmux.wait_for("help", Duration::from_secs(5), |s| {
        s.contains("Sort by the focused column")
    });
    tmux.escape();
    tmux.keys(&["q"]);
    // The simulated colleagues may have sent an urgent message meanwhile: then `q` asks.
    let screen = tmux.wait_for("an exit or its question", Duration::from_secs(10), |s| {
        s.contains("wardround-exited-") || s.contains("Quit anyway?")
    });
    if !screen.contains("wardround-exited-") {
        tmux.keys(&["y"]);
    }
    let screen = tmux.wait_for("a clean exit", Duration::from_secs(10), |s| {
        s.contains("wardround-exited-")
    });
    assert!(screen.contains("wardround-exited-0"), "{screen}");
    assert!(
        !screen.contains("4W-"),
        "the screen is cleared on exit:\n{screen}"
    );

    assert!(
        files_under(tmp.path()).is_empty(),
        "the demo leaves nothing in TMPDIR: {:?}",
        files_under(tmp.path())
    );
    let written = files_under(home.path());
    assert!(
        written.is_empty(),
        "the client wrote under HOME: {written:?}"
    );
    assert_log_holds_no_patient_data(
        state.path(),
        &["On my way to check obs", "Bed 4 needs a senior review"],
    );
    let log = std::fs::read_to_string(state.path().join("wardround/wardround.log")).unwrap();
    assert!(
        log.contains(" TRACE ") && log.contains("sqlx::query"),
        "the log is at the most verbose level, the store's statements among it"
    );
}

/// Reaching people: `N` finds a colleague and opens the 1:1, picks several for a group,
/// and writes to the on-call role, whose holder hands it over while the urgent message
/// waits: the message follows, and the new registrar answers.
#[test]
fn new_chats_groups_and_a_role_in_a_real_terminal() {
    let Some((tmux, home, tmp, state)) = demo("info") else {
        return;
    };
    tmux.wait_for("the ward list", Duration::from_secs(20), |s| {
        s.contains("4 West — all beds") && s.contains("4W-1A")
    });

    // A 1:1 with a colleague nobody had written to.
    tmux.keys(&["N"]);
    tmux.keys(&["-l", "jamal"]);
    // The answer for "jamal", not the list of everyone it replaces (the FY1 gone from it).
    tmux.wait_for("the directory's answer", Duration::from_secs(10), |s| {
        s.contains("Dr Jamal Bello") && s.contains("New chat") && !s.contains("Tom Reid")
    });
    tmux.keys(&["Enter"]);
    tmux.wait_for("the 1:1 to open", Duration::from_secs(10), |s| {
        s.contains("@ Dr Jamal Bello") && !s.contains("New chat")
    });
    tmux.keys(&["-l", "Are you covering tonight?"]);
    tmux.keys(&["Enter"]);
    tmux.wait_for("the message to be stored", Duration::from_secs(10), |s| {
        s.contains("Are you covering tonight?") && s.contains("✓")
    });

    // A group of two registrars, picked with Tab. The answer for an earlier prefix lists
    // them too, and the picker refuses a pick from it ("Still searching the directory"):
    // then the keys went nowhere, so close it and pick again.
    tmux.escape();
    let mut last = String::new();
    for _ in 0..3 {
        tmux.keys(&["N"]);
        tmux.keys(&["-l", "medical registrar"]);
        tmux.wait_for("both registrars", Duration::from_secs(10), |s| {
            s.contains("Dr Priya Shah") && s.contains("Dr Jamal Bello") && s.contains("~ Medical")
        });
        // The role is first; then the two registrars.
        tmux.keys(&["Down", "Tab", "Down", "Tab"]);
        match tmux.poll(Duration::from_secs(5), |s| s.contains("Group with:")) {
            Ok(_) => {
                last.clear();
                break;
            }
            Err(screen) => last = screen,
        }
        tmux.escape();
    }
    assert!(
        last.is_empty(),
        "never picked the pair; the screen was:\n{last}"
    );
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("the group to open", Duration::from_secs(10), |s| {
        s.contains("made the group with")
    });
    assert!(screen.contains("∗ Dr"), "the group is listed:\n{screen}");

    // The on-call registrar, by role: the holder hands it over and the message follows.
    tmux.escape();
    tmux.keys(&["N"]);
    tmux.keys(&["-l", "on call"]);
    // The answer for "on call", not the list of everyone shown first (Enter on that
    // is refused as stale).
    tmux.wait_for("the role", Duration::from_secs(10), |s| {
        s.contains("~ Medical registrar on call") && !s.contains("Tom Reid")
    });
    tmux.keys(&["Enter"]);
    tmux.wait_for("the role's thread", Duration::from_secs(10), |s| {
        s.contains("Medical registrar on call →")
    });
    tmux.keys(&["C-p", "C-p"]);
    tmux.keys(&["-l", "Bed 6 BP 80/40, please come"]);
    tmux.keys(&["Enter"]);
    tmux.wait_for("the new registrar's answer", Duration::from_secs(45), |s| {
        s.contains("medical registrar on call now: on my way")
            && s.contains("Medical registrar on call → Dr Jamal Bello")
    });

    tmux.escape();
    tmux.keys(&["q"]);
    let screen = tmux.wait_for("an exit or its question", Duration::from_secs(10), |s| {
        s.contains("wardround-exited-") || s.contains("Quit anyway?")
    });
    if !screen.contains("wardround-exited-") {
        tmux.keys(&["y"]);
    }
    tmux.wait_for("a clean exit", Duration::from_secs(10), |s| {
        s.contains("wardround-exited-0")
    });
    assert!(files_under(tmp.path()).is_empty());
    assert!(files_under(home.path()).is_empty());
    assert_log_holds_no_patient_data(
        state.path(),
        &["Are you covering tonight?", "Bed 6 BP 80/40, please come"],
    );
}

/// The app in the pane may not leave a core dump (it would hold patient data).
fn assert_no_core_dump(session: &str) {
    let Ok(out) = Command::new("tmux")
        .args(["list-panes", "-t", session, "-F", "#{pane_pid}"])
        .output()
    else {
        return;
    };
    let shell = String::from_utf8_lossy(&out.stdout).trim().to_string();
    // The pane runs a shell; the app is its child.
    let children = std::fs::read_to_string(format!("/proc/{shell}/task/{shell}/children"));
    let Some(app) = children
        .ok()
        .and_then(|c| c.split_whitespace().next().map(str::to_string))
    else {
        eprintln!("skipped the core dump check: no /proc children for the pane");
        return;
    };
    let limits = std::fs::read_to_string(format!("/proc/{app}/limits")).unwrap_or_default();
    let core = limits
        .lines()
        .find(|l| l.starts_with("Max core file size"))
        .unwrap_or_else(|| panic!("no core limit for pid {app}: {limits}"));
    let fields: Vec<&str> = core.split_whitespace().collect();
    assert_eq!(&fields[4..6], ["0", "0"], "{core}");
}
