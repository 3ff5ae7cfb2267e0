//! The audit log: acts are recorded with who and which patient, can be queried, export as
//! FHIR AuditEvents, and a changed row breaks the chain where it was.

use crate::common;

use common::{run_as, TestStore, PASSWORD};
use wardround::client::ApiClient;
use wardround::model::{ColumnId, PatientQuery};

async fn acts_on_patients_are_logged_queried_exported_and_tampering_is_named(store: TestStore) {
    let (server, ward) = common::demo_ward_server(&store.database).await;
    let d = &server.domain;
    d.bootstrap_admin(PASSWORD).await.unwrap();
    d.create_user("nurse", "Alex Morgan", "RN", PASSWORD)
        .await
        .unwrap();
    d.create_team_with_channel("4 West").await.unwrap();
    d.add_team_member("4 West", "nurse").await.unwrap();
    let team = d.store().team_by_name("4 West").await.unwrap().unwrap();
    let list = d
        .create_list(team.id, "All beds", ward.patient_ids().to_vec())
        .await
        .unwrap();
    let patient = ward.patient_ids()[2].clone();

    let anon = ApiClient::new(&server.url()).unwrap();
    assert!(anon.login("nurse", "wrong password").await.is_err());
    let nurse = anon.login("nurse", PASSWORD).await.unwrap().0;
    nurse.list_rows(list.id, &[ColumnId::Bed]).await.unwrap();
    nurse.export_rows(list.id, &[ColumnId::Bed]).await.unwrap();
    nurse.patient(&patient).await.unwrap();
    nurse
        .search_patients(&PatientQuery {
            mrn: Some("123".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    nurse.refresh(list.id, Some(&patient)).await.unwrap();
    nurse.report_lock(true).await.unwrap();
    nurse.verify_password(PASSWORD).await.unwrap();
    nurse.logout().await.unwrap();

    let url = server.url();
    let admin = |args: Vec<String>| {
        let url = url.clone();
        tokio::task::spawn_blocking(move || {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            run_as("admin", &url, &args)
        })
    };
    let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let (ok, out, err) = admin(args(&[
        "admin", "audit", "query", "--by", "nurse", "--json",
    ]))
    .await
    .unwrap();
    assert!(ok, "{err}");
    let rows: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    let actions: Vec<&str> = rows.iter().map(|r| r["action"].as_str().unwrap()).collect();
    assert_eq!(
        actions,
        [
            "login_failed",
            "login",
            "list_viewed",
            "list_exported",
            "patient_viewed",
            "patient_searched",
            "patient_refreshed",
            "lock",
            "unlock",
            "logout"
        ]
    );
    // Each act says where it came from: the workstation's address and the name it gave.
    for row in &rows {
        let from = row["workstation"].as_str().unwrap();
        assert!(from.starts_with("127.0.0.1"), "{row}");
    }
    // For people: a table under headers, the long detail last.
    let (_, out, _) = admin(args(&["admin", "audit", "query", "--patient", &patient]))
        .await
        .unwrap();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "headers, viewed and refreshed:\n{out}");
    assert!(
        lines[0].starts_with("SEQ  AT") && lines[0].ends_with("DETAIL"),
        "{out}"
    );
    let detail_at = lines[0].find("DETAIL").unwrap();
    assert!(lines[1].contains("patient_viewed"), "{out}");
    assert!(
        lines[1].len() > detail_at,
        "each row's detail under its header:\n{out}"
    );

    let (ok, ndjson, err) = admin(args(&["admin", "audit", "export", "--patient", &patient]))
        .await
        .unwrap();
    assert!(ok, "{err}");
    let events: Vec<serde_json::Value> = ndjson
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(events.len(), 2);
    let read = &events[0];
    assert_eq!(read["resourceType"], "AuditEvent");
    assert_eq!(read["type"]["code"], "rest");
    assert_eq!(read["subtype"][0]["code"], "read");
    assert_eq!(read["action"], "R");
    assert_eq!(read["agent"][0]["who"]["identifier"]["value"], "nurse");
    assert_eq!(read["agent"][0]["network"]["address"], "127.0.0.1");
    assert_eq!(
        read["entity"][1]["what"]["reference"],
        format!("Patient/{patient}")
    );
    assert_eq!(read["entity"][1]["role"]["code"], "1");

    let (ok, out, err) = admin(args(&["admin", "audit", "verify"])).await.unwrap();
    assert!(ok, "{err}");
    assert!(out.starts_with("audit log intact:"), "{out}");

    // Someone with the database edits a row: verify names it.
    let seq = store
        .scalar("SELECT seq FROM audit_log WHERE action = 'patient_viewed'")
        .await;
    store
        .execute(&format!(
            "UPDATE audit_log SET actor = 'someone_else' WHERE seq = {seq}"
        ))
        .await;
    let (ok, _, err) = admin(args(&["admin", "audit", "verify"])).await.unwrap();
    assert!(!ok);
    assert!(err.contains(&format!("broken at row {seq}")), "{err}");

    // A removed row is caught at the row after it.
    store
        .execute(&format!(
            "UPDATE audit_log SET actor = 'nurse' WHERE seq = {seq}; DELETE FROM audit_log WHERE seq = {seq}"
        ))
        .await;
    let verdict = d.audit_verify().await.unwrap();
    assert!(verdict.broken_at.is_some_and(|at| at > seq), "{verdict:?}");
}

/// Logs the nurse in and out `n` times: rows for the audit log.
async fn some_acts(d: &wardround::server::domain::Domain, n: usize) {
    for _ in 0..n {
        let token = d.login("nurse", PASSWORD, "10.0.0.7").await.unwrap().token;
        let session = d.authenticate(&token).await.unwrap();
        d.logout(&session).await.unwrap();
    }
}

fn quoted(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// Replaces the rows from `from` on with `rows`, chained after row `from - 1` by `link`
/// (what someone with the database but not the key can compute), numbered from `from`.
async fn rewrite(
    store: &TestStore,
    rows: &[wardround::model::AuditEntry],
    from: i64,
    key_id: &str,
    prev: &str,
) {
    let mut prev = prev.to_string();
    let mut sql = format!("DELETE FROM audit_log WHERE seq >= {from};");
    for (n, e) in rows.iter().enumerate() {
        let hash = e.act().hash(&prev);
        sql += &format!(
            "INSERT INTO audit_log (seq, at, actor, workstation, action, patient, detail, prev_hash, hash, key_id) VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, {});",
            from + i64::try_from(n).unwrap(),
            quoted(&e.at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)),
            quoted(&e.actor),
            quoted(&e.workstation),
            quoted(&e.action.as_str()),
            e.patient.as_deref().map_or("NULL".to_string(), quoted),
            quoted(&e.detail),
            quoted(&prev),
            quoted(&hash),
            quoted(key_id),
        );
        prev = hash;
    }
    store.execute(&sql).await;
}

/// Removing a row and recomputing every hash after it (renumbered, so no gap shows) was
/// invisible while the chain was a plain SHA-256: without the key it is now caught, with
/// the rows' key ids kept or blanked.
async fn rewriting_the_log_without_the_key_is_caught(store: TestStore) {
    let (server, _ward) = common::demo_ward_server(&store.database).await;
    let d = &server.domain;
    d.create_user("nurse", "Alex Morgan", "RN", PASSWORD)
        .await
        .unwrap();
    some_acts(d, 4).await;
    assert_eq!(d.audit_verify().await.unwrap().broken_at, None);
    let rows = d.audit_query(None, None, None).await.unwrap();
    assert!(rows.len() >= 8, "{}", rows.len());
    let key_id = rows[0].key_id.clone();
    assert!(!key_id.is_empty(), "rows are keyed");
    // Row 4 goes; rows 5… become 4…, chained to row 3.
    for claimed in [key_id.as_str(), ""] {
        rewrite(&store, &rows[4..], 4, claimed, &rows[2].hash).await;
        let verdict = d.audit_verify().await.unwrap();
        assert_eq!(
            verdict.broken_at,
            Some(4),
            "key id {claimed:?}: {verdict:?}"
        );
        assert!(verdict.problem.is_some());
    }
}

/// Deleting the newest rows leaves a chain that is whole as far as it goes: the head the
/// server wrote down outside the database shows what is missing.
async fn rows_removed_from_the_end_are_caught_by_the_checkpoints(store: TestStore) {
    let (server, _ward) = common::demo_ward_server(&store.database).await;
    let d = &server.domain;
    d.create_user("nurse", "Alex Morgan", "RN", PASSWORD)
        .await
        .unwrap();
    some_acts(d, 3).await;
    let head = d.audit_checkpoint(None).await.unwrap().expect("a head");
    assert_eq!(d.audit_verify().await.unwrap().broken_at, None);
    store
        .execute(&format!("DELETE FROM audit_log WHERE seq > {}", head - 2))
        .await;
    let verdict = d.audit_verify().await.unwrap();
    assert_eq!(verdict.broken_at, Some(head - 1), "{verdict:?}");
    let problem = verdict.problem.unwrap();
    assert!(problem.contains("removed from the end"), "{problem}");
    // What a restarting server looks at first, and reports.
    let at_start = d.audit_matches_last_checkpoint().await.unwrap();
    assert!(at_start.is_err_and(|p| p.contains("rows were removed")));
}

on_each_store!(
    acts_on_patients_are_logged_queried_exported_and_tampering_is_named,
    rewriting_the_log_without_the_key_is_caught,
    rows_removed_from_the_end_are_caught_by_the_checkpoints,
);

/// On PostgreSQL a batch of sends chains its audit rows in SQL (`wardround_audit_mac`,
/// one round trip a batch); the verifier recomputes them in Rust. Both must hash the same
/// bytes, whatever the text.
#[tokio::test]
#[cfg_attr(
    not(wardround_postgres_tests),
    ignore = "PostgreSQL: set WARDROUND_TEST_POSTGRES_URL to run"
)]
async fn postgresql_hashes_audit_rows_as_the_verifier_does() {
    use sqlx::Connection as _;
    use wardround::model::{AuditAct, AuditAction, AUDIT_GENESIS};
    use wardround::server::store::Database;

    let store = TestStore::postgres().await;
    let (_server, _ward) = common::demo_ward_server(&store.database).await;
    let Database::Postgres(url) = &store.database else {
        unreachable!("a PostgreSQL store")
    };
    let mut db = sqlx::PgConnection::connect(url).await.unwrap();
    let at = chrono::DateTime::parse_from_rfc3339("2026-11-22T10:15:30.123456Z")
        .unwrap()
        .with_timezone(&chrono::Utc);
    let acts = [
        (AuditAction::MessageSent, None, "", "to 4 West"),
        (
            AuditAction::MessageSent,
            Some("Patient/123"),
            "10.0.0.7 ws-4w-02",
            "Zoë Ångström — ½ dose 💊",
        ),
        (AuditAction::Login, None, "::1", ""),
        (
            AuditAction::MessageRead,
            Some(""),
            "",
            "\u{1b}[31m escape\ttab\nline",
        ),
    ];
    let keys = wardround::server::audit_key::AuditKeys::generate();
    let (inner, outer) = keys.pads();
    let mut prev = AUDIT_GENESIS.to_string();
    for (action, patient, workstation, detail) in acts {
        let act = AuditAct {
            at,
            actor: "Dr Ñame",
            workstation,
            action,
            patient,
            detail,
        };
        let in_sql: String =
            sqlx::query_scalar("SELECT wardround_audit_mac($1, $2, $3, $4, $5, $6, $7, $8, $9)")
                .bind(&inner)
                .bind(&outer)
                .bind(&prev)
                .bind(at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true))
                .bind(act.actor)
                .bind(action.as_str())
                .bind(patient)
                .bind(detail)
                .bind(workstation)
                .fetch_one(&mut db)
                .await
                .unwrap();
        assert_eq!(in_sql, act.mac(keys.current().1, &prev), "{act:?}");
        prev = in_sql;
    }
}
