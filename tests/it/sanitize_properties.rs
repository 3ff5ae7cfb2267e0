//! The sanitizer, by property: whatever comes in, nothing a terminal would act on comes
//! out, and everything else is kept as it was.

use proptest::prelude::*;
use wardround::sanitize::{sanitize, strict};

/// Characters a terminal acts on, or that reorder what is shown.
fn hostile(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{8}' | '\u{b}'..='\u{1f}' | '\u{7f}'..='\u{9f}'
        | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Text with plenty of escapes, controls, bidi marks and ordinary letters mixed.
fn text() -> impl Strategy<Value = String> {
    let interesting = prop_oneof![
        Just('\u{1b}'),
        Just('\u{7}'),
        Just('\u{9b}'),
        Just('\u{9c}'),
        Just('\u{7f}'),
        Just('\u{202e}'),
        Just('\u{2067}'),
        Just('\n'),
        Just('\t'),
        Just(']'),
        Just('['),
        Just(';'),
        any::<char>(),
        proptest::char::range('a', 'z'),
    ];
    proptest::collection::vec(interesting, 0..200).prop_map(|v| v.into_iter().collect())
}

proptest! {
    #[test]
    fn nothing_hostile_survives(s in text()) {
        let out = sanitize(&s);
        prop_assert!(!out.chars().any(hostile), "{out:?}");
    }

    #[test]
    fn everything_else_is_kept_in_order(s in text()) {
        let kept: String = s.chars().filter(|c| !hostile(*c)).collect();
        prop_assert_eq!(sanitize(&s), kept);
    }

    #[test]
    fn sanitizing_twice_changes_nothing_more(s in text()) {
        let once = sanitize(&s);
        prop_assert_eq!(sanitize(&once), once.clone());
    }

    #[test]
    fn strict_text_is_short_printable_ascii(s in text(), max in 0usize..100) {
        let out = strict(&s, max);
        prop_assert!(out.chars().count() <= max);
        prop_assert!(out.chars().all(|c| c == ' ' || c.is_ascii_graphic()), "{out:?}");
    }
}
