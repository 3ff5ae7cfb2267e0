//! Whatever text arrives, the sanitizer leaves nothing a terminal acts on, and the strict
//! form stays short printable ASCII.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wardround::sanitize::{sanitize, strict};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let clean = sanitize(&text);
    assert!(!clean.chars().any(|c| matches!(c,
        '\u{0}'..='\u{8}' | '\u{b}'..='\u{1f}' | '\u{7f}'..='\u{9f}'
        | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')));
    assert_eq!(sanitize(&clean), clean);
    let short = strict(&text, 80);
    assert!(short.chars().count() <= 80);
    assert!(short.chars().all(|c| c == ' ' || c.is_ascii_graphic()));
});
