//! Admitting a login attempt on PostgreSQL (the rest of `LoginStore` is shared:
//! `store::sql`).

/// As `Engine::ADMIT_ATTEMPT`. The wait (ms) after `f.failures` counted attempts is
/// `Throttle::wait_secs`'s: `$4` is `backoff_after`, `$5` `max_backoff_secs`.
pub(super) const ADMIT_ATTEMPT: &str = "INSERT INTO login_failures AS f (username, failures, last_failure_at, locked)
     VALUES ($1, 1, $2, false)
     ON CONFLICT (username) DO UPDATE SET
        failures = f.failures + 1,
        last_failure_at = excluded.last_failure_at
     WHERE NOT f.locked AND f.failures < $3 AND $2 >= f.last_failure_at + CASE WHEN f.failures < $4 THEN 0
     ELSE least($5, 1::bigint << least(f.failures - $4, 32)::int) * 1000 END
     RETURNING *";
