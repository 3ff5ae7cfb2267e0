//! What the OS says of a process: resident memory, CPU time and open files (Linux
//! `/proc`), and the open-files limit a server with thousands of event streams needs
//! raised.

/// Raises the soft limit on open files to the hard limit: each connected client holds a
/// socket, and 1,024 (a common default) is a ward, not a hospital.
pub fn raise_open_files_limit() {
    #[cfg(unix)]
    // SAFETY: getrlimit/setrlimit read and write a plain struct we own.
    unsafe {
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) == 0 && limit.rlim_cur < limit.rlim_max
        {
            limit.rlim_cur = limit.rlim_max;
            libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
        }
    }
}

/// Keeps a long-running server's memory near what it uses. glibc otherwise raises its
/// mmap threshold after the first large free (a password hash takes 19 MiB) and then
/// keeps such blocks in each thread's arena for good: hundreds of MiB for nothing.
pub fn tune_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets allocator parameters; called before the server starts.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 256 * 1024);
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

/// Resident set size in bytes (`VmRSS`), if the process exists and the OS tells.
pub fn rss_bytes(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()?;
    Some(kb * 1024)
}

/// User plus system CPU time the process has used, in milliseconds.
pub fn cpu_ms(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may hold spaces; the fields after its closing parenthesis do not.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    #[cfg(unix)]
    // SAFETY: sysconf has no preconditions.
    let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    #[cfg(not(unix))]
    let ticks = 100;
    let ticks = u64::try_from(ticks).ok().filter(|t| *t > 0)?;
    Some((utime + stime) * 1000 / ticks)
}

/// Files and sockets the process has open.
pub fn open_files(pid: u32) -> Option<i64> {
    let entries = std::fs::read_dir(format!("/proc/{pid}/fd")).ok()?;
    i64::try_from(entries.count()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_has_memory_and_cpu_time() {
        let me = std::process::id();
        assert!(rss_bytes(me).is_some_and(|b| b > 1024 * 1024));
        assert!(cpu_ms(me).is_some());
        assert!(open_files(me).is_some_and(|n| n > 0));
        assert_eq!(rss_bytes(u32::MAX), None);
    }
}
