//! The client process holds patient data in memory only; these keep it there. No core
//! dump (a crash must not write the screen's patients to disk) and, on Linux, not
//! dumpable: other processes of the same user cannot attach to it and read its memory.

/// Applies both; says what could not be applied (the app runs regardless: refusing to
/// start would leave the ward without its list).
pub fn protect_process() -> Vec<String> {
    let mut problems = Vec::new();
    #[cfg(unix)]
    {
        let none = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: setrlimit reads the struct we pass; no memory is shared.
        if unsafe { libc::setrlimit(libc::RLIMIT_CORE, &none) } != 0 {
            problems.push(format!(
                "core dumps could not be disabled: {}",
                std::io::Error::last_os_error()
            ));
        }
    }
    #[cfg(target_os = "linux")]
    {
        // SAFETY: PR_SET_DUMPABLE takes plain integer arguments.
        if unsafe { libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0) } != 0 {
            problems.push(format!(
                "the process could not be made undumpable: {}",
                std::io::Error::last_os_error()
            ));
        }
    }
    problems
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    #[test]
    fn no_core_dump_and_not_dumpable() {
        assert!(super::protect_process().is_empty());
        let limits = std::fs::read_to_string("/proc/self/limits").unwrap();
        let core = limits
            .lines()
            .find(|l| l.starts_with("Max core file size"))
            .unwrap();
        let fields: Vec<&str> = core.split_whitespace().collect();
        assert_eq!(&fields[4..6], ["0", "0"], "{core}");
        // SAFETY: PR_GET_DUMPABLE takes no pointers.
        assert_eq!(unsafe { libc::prctl(libc::PR_GET_DUMPABLE, 0, 0, 0, 0) }, 0);
    }
}
