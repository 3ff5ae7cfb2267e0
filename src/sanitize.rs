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

/// Tabs as the spaces to the next tab stop (every 8 columns, per line): a TAB drawn raw
/// moves the terminal's cursor past cells ratatui thinks it wrote, leaving ghost text.
pub fn expand_tabs(s: &str) -> String {
    if !s.contains('\t') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 8);
    let mut column = 0;
    for c in s.chars() {
        match c {
            '\t' => {
                let to = 8 - column % 8;
                out.extend(std::iter::repeat_n(' ', to));
                column += to;
            }
            '\n' => {
                out.push(c);
                column = 0;
            }
            c => {
                out.push(c);
                column += unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
            }
        }
    }
    out
}

/// Characters a name or a title may not hold: control characters, and those that change
/// how the text around them reads without showing (direction overrides and isolates,
/// zero-width joiners and spaces, the byte-order mark).
pub fn unfit_for_a_name(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{ad}'
                | '\u{61c}'
                | '\u{180e}'
                | '\u{200b}'..='\u{200f}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2060}'..='\u{2069}'
                | '\u{feff}'
                | '\u{fff9}'..='\u{fffb}'
        )
}

/// For anything written outside the screen buffer (desktop notifications, the title):
/// printable ASCII only, capped in length.
pub fn strict(s: &str, max: usize) -> String {
    s.chars()
        .filter(|c| c.is_ascii_graphic() || *c == ' ')
        .take(max)
        .collect()
}

/// A URL fit for a log: without a password or token in its user part or its query.
pub fn url_without_credentials(url: &str) -> String {
    let url = url.split(['?', '#']).next().unwrap_or_default();
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
            let host = authority
                .rsplit_once('@')
                .map_or(authority, |(_, host)| host);
            format!("{scheme}://{host}{path}")
        }
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_in_a_log_keeps_no_credentials() {
        assert_eq!(
            url_without_credentials("https://svc:s3cret@ehr.example/fhir/R4?token=abc"),
            "https://ehr.example/fhir/R4"
        );
        assert_eq!(
            url_without_credentials("http://ehr.example:8080"),
            "http://ehr.example:8080"
        );
        assert_eq!(url_without_credentials(""), "");
    }

    #[test]
    fn escape_sequences_lose_their_escape() {
        let hostile = "a\u{1b}]0;pwned\u{7}b\u{1b}[2Jc\u{9b}d\u{202e}e";
        assert_eq!(sanitize(hostile), "a]0;pwnedb[2Jcde");
        assert_eq!(sanitize("line one\nline\ttwo"), "line one\nline\ttwo");
    }

    #[test]
    fn tabs_become_spaces_to_the_next_stop() {
        assert_eq!(expand_tabs("a\tb"), "a       b");
        assert_eq!(
            expand_tabs("BP\t90/60\nHR\t\t120"),
            "BP      90/60\nHR              120"
        );
        assert!(!expand_tabs("\t").contains('\t'));
    }

    #[test]
    fn strict_keeps_printable_ascii_only() {
        assert_eq!(strict("Urgent — 4 West\u{1b}]52;", 12), "Urgent  4 We");
    }
}
