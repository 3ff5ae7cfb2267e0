//! Admitting a login attempt on SQLite (the rest of `LoginStore` is shared: `store::sql`).

/// As `Engine::ADMIT_ATTEMPT`. The wait (ms) after `failures` counted attempts is
/// `Throttle::wait_secs`'s: `$4` is `backoff_after`, `$5` `max_backoff_secs`.
pub(super) const ADMIT_ATTEMPT: &str =
    "INSERT INTO login_failures (username, failures, last_failure_at, locked)
     VALUES ($1, 1, $2, 0)
     ON CONFLICT(username) DO UPDATE SET
        failures = failures + 1,
        last_failure_at = excluded.last_failure_at
     WHERE locked = 0 AND failures < $3 AND $2 >= last_failure_at + CASE WHEN failures < $4 THEN 0
     ELSE min($5, 1 << min(failures - $4, 32)) * 1000 END
     RETURNING *";
