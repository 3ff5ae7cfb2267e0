//! Text from outside (messages, names from the EHR) is stripped of anything a terminal
//! would act on before it enters the client's state.

/// Removes C0 controls (but newline and tab), DEL, C1 controls and the bidirectional
/// overrides and isolates that can make text read differently from what it is.
pub fn sanitize(s: &str) -> String {
    if !s.chars().any(is_hostile) {
        return s.to_string();
    }
    s.chars().filter(|c| !is_hostile(*c)).collect()
}

fn is_hostile(c: char) -> bool {
    match c {
        '\n' | '\t' => false,
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}' => true,
        '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => true,
        _ => false,
    }
}

/// For anything written outside the screen buffer (desktop notifications, the title):
/// printable ASCII only, capped in length.
pub fn strict(s: &str, max: usize) -> String {
    s.chars()
        .filter(|c| c.is_ascii_graphic() || *c == ' ')
        .take(max)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_lose_their_escape() {
        let hostile = "a\u{1b}]0;pwned\u{7}b\u{1b}[2Jc\u{9b}d\u{202e}e";
        assert_eq!(sanitize(hostile), "a]0;pwnedb[2Jcde");
        assert_eq!(sanitize("line one\nline\ttwo"), "line one\nline\ttwo");
    }

    #[test]
    fn strict_keeps_printable_ascii_only() {
        assert_eq!(strict("Urgent — 4 West\u{1b}]52;", 12), "Urgent  4 We");
    }
}
