//! What a password must be before the server takes it (a new account's, a reset, a user's
//! own): long enough to resist guessing at ten tries a name, and none of the passwords
//! that are tried first.

use std::collections::HashSet;
use std::sync::OnceLock;

/// At least this many characters.
pub const MIN_CHARS: usize = 12;
/// And this many besides the username, where it holds it.
const MIN_CHARS_BESIDES_NAME: usize = 8;

const COMMON: &str = include_str!("common_passwords.txt");

fn common() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| {
        COMMON
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .collect()
    })
}

/// Characters that take no room on screen: a password of them is no password.
fn invisible(c: char) -> bool {
    c.is_whitespace()
        || matches!(c, '\u{ad}' | '\u{200b}'..='\u{200f}' | '\u{2060}'..='\u{2064}' | '\u{feff}')
}

/// Why `password` will not do for `username`, if it will not.
pub fn refusal(username: &str, password: &str) -> Option<String> {
    let folded = password.trim().to_lowercase();
    let name = username.trim().to_lowercase();
    if password.chars().any(char::is_control) {
        return Some("A password cannot hold control characters.".into());
    }
    if password.chars().count() < MIN_CHARS {
        return Some(format!(
            "A password needs at least {MIN_CHARS} characters (a few words make a good one)."
        ));
    }
    if password.chars().all(invisible) {
        return Some("A password cannot be only spaces or invisible characters.".into());
    }
    // The username, or the username dressed up (`kpatelkpatel`, `kpatel2024!`): what is
    // left without it must be a password of its own.
    let rest = if name.is_empty() {
        folded.clone()
    } else {
        folded.replace(&name, "")
    };
    if folded == name || rest.chars().count() < MIN_CHARS_BESIDES_NAME {
        return Some("A password cannot be the username, or little more than it.".into());
    }
    if common().contains(folded.as_str()) {
        return Some(
            "That password is among the 10,000 most common ones, which are guessed first: choose another."
                .into(),
        );
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_blank_own_name_and_common_passwords_are_refused() {
        assert!(refusal("nurse", "12345678").is_some());
        assert!(refusal("nurse", "            ").is_some());
        assert!(refusal("kpatel.ward4w", "KPatel.Ward4W").is_some());
        assert!(
            refusal("kpatel", "kpatelkpatel").is_some(),
            "the name twice"
        );
        assert!(
            refusal("kpatel", "kpatel2024!!").is_some(),
            "the name and a year"
        );
        assert!(
            refusal("admin", "admin password for the fault test").is_none(),
            "a passphrase that mentions the name"
        );
        assert!(
            refusal("nurse", &"\u{200b}".repeat(12)).is_some(),
            "invisible"
        );
        assert!(refusal("nurse", &"\u{0}".repeat(12)).is_some(), "control");
        assert!(refusal("nurse", "abc\u{0}defghijklm").is_some(), "control");
        assert!(refusal("nurse", "123qweasdzxc").is_some(), "in the list");
        assert!(refusal("nurse", "1qaz2wsx3edc").is_some(), "in the list");
        assert!(refusal("nurse", "correct horse battery").is_none());
        assert_eq!(common().len(), 10_000);
    }
}
