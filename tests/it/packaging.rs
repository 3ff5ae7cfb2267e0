//! The Debian package (`cargo deb`, metadata in Cargo.toml, files in packaging/): its
//! generated files are what the code makes, its config is config.example.toml with a
//! server's paths, and its unit is as hardened as the README says. `.ci/run` then builds
//! the package and installs, upgrades, removes and purges it under a real systemd
//! (scripts/package-test.sh).

use std::collections::BTreeMap;
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::process::Command;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// What the installed binary prints for these arguments.
fn printed(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_wardround"))
        .args(args)
        .env_remove("WARDROUND_SERVER__URL")
        .output()
        .unwrap();
    assert!(out.status.success(), "{args:?}: {out:?}");
    String::from_utf8(out.stdout).unwrap()
}

/// config.example.toml, with the paths the package's service uses. The rest (every
/// setting, every comment) is the example's, so the two never drift.
fn packaged_config() -> String {
    let example = std::fs::read_to_string(Path::new(ROOT).join("config.example.toml")).unwrap();
    let replacements = [
        (
            "# wardround configuration. Copy to the platform config dir\n\
             # (Linux: ~/.config/wardround/config.toml) or pass --config PATH.\n",
            "# wardround's server configuration, as the Debian package installs it. Your edits\n\
             # are kept on upgrade (a conffile). Check a change as the service's user with\n\
             #   runuser -u wardround -- wardround serve --check-config --config /etc/wardround/config.toml\n\
             # and apply it with `systemctl restart wardround`. The service may write only\n\
             # /var/lib/wardround, and its /tmp is its own. The [server], [ui] and [lock]\n\
             # sections are the terminal app's: users keep theirs in ~/.config/wardround.\n",
        ),
        (
            "database = \"\"\n",
            "database = \"/var/lib/wardround/wardround.sqlite\"\n",
        ),
        ("state_dir = \"\"\n", "state_dir = \"/var/lib/wardround\"\n"),
    ];
    let mut config = example;
    for (from, to) in replacements {
        assert_eq!(
            config.matches(from).count(),
            1,
            "config.example.toml no longer has exactly one {from:?}: update packaged_config"
        );
        config = config.replace(from, to);
    }
    config
}

fn generated() -> Vec<(&'static str, String)> {
    vec![
        ("wardround.1", printed(&["man"])),
        ("wardround.bash", printed(&["completions", "bash"])),
        ("_wardround", printed(&["completions", "zsh"])),
        ("wardround.fish", printed(&["completions", "fish"])),
        ("config.toml", packaged_config()),
    ]
}

#[test]
fn packaged_files_are_what_the_code_generates() {
    let dir = Path::new(ROOT).join("packaging/generated");
    let update = std::env::var_os("UPDATE_PACKAGING").is_some();
    for (name, content) in generated() {
        let path = dir.join(name);
        if update {
            std::fs::write(&path, &content).unwrap();
            continue;
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == content,
            "packaging/generated/{name} is not what the code generates. Regenerate with\n\n    \
             UPDATE_PACKAGING=1 cargo test --test it packaging\n\nand commit it."
        );
    }
}

#[test]
fn packaged_config_is_read_as_a_server_on_this_host_would() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(&path, packaged_config()).unwrap();
    let config = wardround::config::Config::load(Some(&path), std::iter::empty()).unwrap();
    assert_eq!(config.serve.database, "/var/lib/wardround/wardround.sqlite");
    assert_eq!(config.serve.state_dir, "/var/lib/wardround");
    // A fresh install listens on loopback until IT opens it up.
    assert_eq!(config.serve.listen.to_string(), "127.0.0.1:8470");
}

/// The unit's `[Service]` settings; a key set twice keeps both values.
fn service_settings() -> BTreeMap<String, Vec<String>> {
    let unit = std::fs::read_to_string(Path::new(ROOT).join("packaging/debian/wardround.service"))
        .unwrap();
    let mut settings: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut in_service = false;
    for line in unit.lines().map(str::trim) {
        if line.starts_with('[') {
            in_service = line == "[Service]";
        } else if let (true, Some((key, value))) = (in_service, line.split_once('=')) {
            if !line.starts_with('#') {
                settings
                    .entry(key.to_string())
                    .or_default()
                    .push(value.to_string());
            }
        }
    }
    settings
}

#[test]
fn service_unit_runs_unprivileged_and_confined() {
    let settings = service_settings();
    let one = |key: &str| -> &str {
        match settings.get(key).map(Vec::as_slice) {
            Some([value]) => value,
            other => panic!("{key}: {other:?}"),
        }
    };
    assert_eq!(one("User"), "wardround");
    assert_eq!(one("Type"), "notify");
    assert_eq!(
        one("ExecStart"),
        "/usr/bin/wardround serve --config /etc/wardround/config.toml"
    );
    assert_eq!(one("StateDirectory"), "wardround");
    assert_eq!(one("StateDirectoryMode"), "0700");
    assert_eq!(one("Restart"), "on-failure");
    // A config error exits 78 (main.rs): restarting cannot mend it.
    assert_eq!(one("RestartPreventExitStatus"), "78");
    for key in [
        "NoNewPrivileges",
        "ProtectHome",
        "PrivateTmp",
        "PrivateDevices",
        "ProtectKernelTunables",
        "ProtectKernelModules",
        "ProtectControlGroups",
        "RestrictNamespaces",
        "MemoryDenyWriteExecute",
        "LockPersonality",
    ] {
        assert_eq!(one(key), "yes", "{key}");
    }
    assert_eq!(one("ProtectSystem"), "strict");
    assert_eq!(one("CapabilityBoundingSet"), "");
    assert_eq!(one("RestrictAddressFamilies"), "AF_UNIX AF_INET AF_INET6");
    assert_eq!(
        settings["SystemCallFilter"],
        ["@system-service", "~@privileged @resources"]
    );
    // The server writes only its state directory: no ReadWritePaths widen that.
    assert!(!settings.contains_key("ReadWritePaths"));
}

/// What systemd sees of `wardround serve` (`Type=notify`, standard error to the
/// journal), shown without systemd: a socket stands in for `$NOTIFY_SOCKET` and a pipe for
/// the journal's stream, named in `$JOURNAL_STREAM` as systemd names it.
#[test]
fn serve_under_a_service_manager_says_when_it_is_ready_and_logs_the_journals_way() {
    use std::io::{BufRead, BufReader};
    use std::os::unix::net::UnixDatagram;

    let dir = tempfile::tempdir().unwrap();
    let notify_path = dir.path().join("notify");
    let notify = UnixDatagram::bind(&notify_path).unwrap();
    notify
        .set_read_timeout(Some(std::time::Duration::from_secs(60)))
        .unwrap();
    let (reader, writer, stream) = journal_stand_in();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_wardround"))
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .arg("--database")
        .arg(dir.path().join("w.sqlite"))
        .env("NOTIFY_SOCKET", &notify_path)
        .env("JOURNAL_STREAM", &stream)
        .env_remove("WARDROUND_ADMIN_PASSWORD")
        .env_remove("RUST_LOG")
        .stdout(std::process::Stdio::null())
        .stderr(writer)
        .spawn()
        .unwrap();
    let mut buf = [0u8; 256];
    let ready = notify.recv(&mut buf).map(|n| buf[..n].to_vec());
    let _ = child.kill();
    let _ = child.wait();
    let ready = String::from_utf8(ready.expect("READY=1 within 60 s")).unwrap();
    assert!(ready.starts_with("READY=1\n"), "{ready:?}");
    assert!(
        ready.contains(&format!("STATUS=listening on http://127.0.0.1:{port}")),
        "{ready:?}"
    );

    let lines: Vec<String> = BufReader::new(reader)
        .lines()
        .map_while(Result::ok)
        .collect();
    let password_line = lines
        .iter()
        .find(|l| l.contains("one-time password"))
        .unwrap_or_else(|| panic!("{lines:#?}"));
    // At the journal's priority 4 (warning), so `journalctl -p warning` finds it.
    assert!(password_line.starts_with("<4>"), "{password_line}");
    let listening = lines.iter().find(|l| l.contains("listening on")).unwrap();
    assert!(listening.starts_with("<6>"), "{listening}");
    // The journal stamps the time: the line carries none of its own.
    assert!(
        !listening.contains(&chrono::Utc::now().format("%Y-%m-%d").to_string()),
        "{listening}"
    );
}

/// A config error is IT's to mend: `serve` exits 78 (EX_CONFIG), which the unit does not
/// restart on, and says why at the journal's error priority.
#[test]
fn a_config_error_exits_78_and_says_why_at_error_priority() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "[serve]\nbogus = 1\n").unwrap();
    let (reader, writer, stream) = journal_stand_in();
    let status = Command::new(env!("CARGO_BIN_EXE_wardround"))
        .args(["serve", "--config"])
        .arg(&config)
        .env("JOURNAL_STREAM", &stream)
        .stderr(writer)
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(78));
    let said = std::io::read_to_string(reader).unwrap();
    assert!(said.starts_with("<3>wardround: config file"), "{said}");
    assert!(said.contains("bogus"), "{said}");

    // A setting that parses but cannot work is the config's fault too.
    let status = Command::new(env!("CARGO_BIN_EXE_wardround"))
        .args(["serve", "--config"])
        .arg(&config)
        .env_remove("JOURNAL_STREAM")
        .output()
        .unwrap();
    assert_eq!(status.status.code(), Some(78));
    std::fs::write(
        &config,
        "[serve]\ntls_cert = \"/no/such/cert.pem\"\ntls_key = \"/no/such/key.pem\"\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_wardround"))
        .args(["serve", "--config"])
        .arg(&config)
        .arg("--database")
        .arg(dir.path().join("w.sqlite"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(78), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("/no/such/cert.pem"),
        "{out:?}"
    );

    // Logging as JSON, the last word is JSON too, for the log shipper.
    let out = Command::new(env!("CARGO_BIN_EXE_wardround"))
        .args(["serve", "--config"])
        .arg(&config)
        .arg("--database")
        .arg(dir.path().join("w.sqlite"))
        .env("WARDROUND_LOG__FORMAT", "json")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(78), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let last: serde_json::Value = serde_json::from_str(stderr.lines().last().unwrap()).unwrap();
    assert_eq!(last["level"], "ERROR");
    assert!(
        last["message"]
            .as_str()
            .unwrap()
            .contains("/no/such/cert.pem"),
        "{last}"
    );
}

/// A socket standing in for the journal's stream (journald's is a Unix stream socket too),
/// and `$JOURNAL_STREAM` naming it as systemd does (`device:inode`). The second end is the
/// child's standard error.
fn journal_stand_in() -> (UnixStream, std::process::Stdio, String) {
    use std::os::fd::AsRawFd as _;
    use std::os::unix::fs::MetadataExt as _;
    let (reader, writer) = UnixStream::pair().unwrap();
    let stream = std::fs::metadata(format!("/proc/self/fd/{}", writer.as_raw_fd())).unwrap();
    let named = format!("{}:{}", stream.dev(), stream.ino());
    let writer = std::process::Stdio::from(std::os::fd::OwnedFd::from(writer));
    (reader, writer, named)
}
