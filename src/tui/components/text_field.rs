//! A line of text being typed, with a cursor: every field of the app (the message, the
//! filter, the `:` line, searches, questions, the password) edits with the same keys,
//! declared once here, as a shell's line editor does.

use crossterm::event::{KeyCode, KeyModifiers};
use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthChar;

use crate::tui::keymap::{Binding, Command, KeyPress, Scope};

/// A change to the text or a move of the cursor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edit {
    Left,
    Right,
    Home,
    End,
    WordLeft,
    WordRight,
    DeleteBack,
    DeleteForward,
    /// Back to the space before the word (`Ctrl-W`, as in a shell).
    DeleteWordBack,
    /// Everything before the cursor (`Ctrl-U`).
    DeleteToStart,
}

pub fn bindings() -> Vec<Binding> {
    use Edit::*;
    use KeyCode::{Backspace, Delete, End as EndKey, Home as HomeKey, Left as LeftKey};
    let s = Scope::Text;
    let with = |code, mods| KeyPress { code, mods };
    let edit = |keys: &[KeyPress], e: Edit, help| Binding::new(s, keys, Command::Edit(e), help);
    vec![
        edit(&[KeyPress::plain(LeftKey)], Left, "Cursor left"),
        edit(&[KeyPress::plain(KeyCode::Right)], Right, "Cursor right"),
        edit(
            &[
                with(LeftKey, KeyModifiers::CONTROL),
                with(LeftKey, KeyModifiers::ALT),
            ],
            WordLeft,
            "A word left",
        ),
        edit(
            &[
                with(KeyCode::Right, KeyModifiers::CONTROL),
                with(KeyCode::Right, KeyModifiers::ALT),
            ],
            WordRight,
            "A word right",
        ),
        edit(
            &[KeyPress::plain(HomeKey), KeyPress::ctrl('a')],
            Home,
            "To the start",
        ),
        edit(
            &[KeyPress::plain(EndKey), KeyPress::ctrl('e')],
            End,
            "To the end",
        ),
        edit(
            &[KeyPress::plain(Backspace)],
            DeleteBack,
            "Delete a character back",
        ),
        edit(
            &[KeyPress::plain(Delete)],
            DeleteForward,
            "Delete a character forward",
        ),
        edit(
            &[KeyPress::ctrl('w'), with(Backspace, KeyModifiers::ALT)],
            DeleteWordBack,
            "Delete a word back",
        ),
        edit(
            &[KeyPress::ctrl('u')],
            DeleteToStart,
            "Delete back to the start",
        ),
    ]
}

/// The text and where the cursor is in it (a byte offset, always on a character's start).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextField {
    text: String,
    cursor: usize,
}

impl TextField {
    /// `text`, with the cursor at its end.
    pub fn new(text: impl Into<String>) -> Self {
        let text = text.into();
        TextField {
            cursor: text.len(),
            text,
        }
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    pub fn len_chars(&self) -> usize {
        self.text.chars().count()
    }

    /// The cursor, counted in characters from the start.
    pub fn cursor_chars(&self) -> usize {
        self.text[..self.cursor].chars().count()
    }

    pub fn clear(&mut self) {
        self.text.clear();
        self.cursor = 0;
    }

    /// The text, leaving the field empty.
    pub fn take(&mut self) -> String {
        self.cursor = 0;
        std::mem::take(&mut self.text)
    }

    /// `c` at the cursor, unless the field already holds `limit` characters.
    pub fn insert(&mut self, c: char, limit: usize) -> bool {
        if self.len_chars() >= limit {
            return false;
        }
        self.text.insert(self.cursor, c);
        self.cursor += c.len_utf8();
        true
    }

    /// What `edit` asks; whether the text (not only the cursor) changed.
    pub fn edit(&mut self, edit: Edit) -> bool {
        let before = self.text.len();
        match edit {
            Edit::Left => self.cursor = self.prev(self.cursor),
            Edit::Right => self.cursor = self.next(self.cursor),
            Edit::Home => self.cursor = 0,
            Edit::End => self.cursor = self.text.len(),
            Edit::WordLeft => self.cursor = self.word_start(),
            Edit::WordRight => self.cursor = self.word_end(),
            Edit::DeleteBack => {
                let from = self.prev(self.cursor);
                self.delete(from, self.cursor);
            }
            Edit::DeleteForward => self.delete(self.cursor, self.next(self.cursor)),
            Edit::DeleteWordBack => {
                let head = &self.text[..self.cursor];
                let from = head
                    .trim_end()
                    .rfind(char::is_whitespace)
                    .map_or(0, |at| at + 1);
                self.delete(from, self.cursor);
            }
            Edit::DeleteToStart => self.delete(0, self.cursor),
        }
        self.text.len() != before
    }

    fn delete(&mut self, from: usize, to: usize) {
        self.text.replace_range(from..to, "");
        self.cursor = from;
    }

    /// A password's edits: a word move or deletion takes the whole of it, so the cursor
    /// never shows where its spaces are.
    pub fn edit_secret(&mut self, edit: Edit) -> bool {
        self.edit(match edit {
            Edit::WordLeft => Edit::Home,
            Edit::WordRight => Edit::End,
            Edit::DeleteWordBack => Edit::DeleteToStart,
            other => other,
        })
    }

    /// Steps go by what a reader sees as one character (`é` typed as `e` and an accent
    /// is one), never into the middle of one.
    fn prev(&self, at: usize) -> usize {
        self.text[..at]
            .grapheme_indices(true)
            .next_back()
            .map_or(0, |(i, _)| i)
    }

    fn next(&self, at: usize) -> usize {
        self.text[at..]
            .graphemes(true)
            .next()
            .map_or(at, |g| at + g.len())
    }

    /// The start of the word before the cursor (skipping what is between words).
    fn word_start(&self) -> usize {
        let head = &self.text[..self.cursor];
        let end_of_gap = head.trim_end_matches(|c: char| !c.is_alphanumeric());
        end_of_gap
            .rfind(|c: char| !c.is_alphanumeric())
            .map_or(0, |at| {
                at + end_of_gap[at..].chars().next().map_or(1, char::len_utf8)
            })
    }

    /// The end of the word after the cursor (skipping what is between words).
    fn word_end(&self) -> usize {
        let tail = &self.text[self.cursor..];
        let gap = tail.len()
            - tail
                .trim_start_matches(|c: char| !c.is_alphanumeric())
                .len();
        let word = tail[gap..]
            .find(|c: char| !c.is_alphanumeric())
            .unwrap_or(tail.len() - gap);
        self.cursor + gap + word
    }

    /// What of the text fits `width` columns with the cursor in view, and the cursor's
    /// column in it (the terminal's cursor: on the character it is before, or in a
    /// column of its own at the end).
    pub fn window(&self, width: usize) -> (&str, usize) {
        let (start, end) = self.fit(width, 0);
        (
            &self.text[start..end],
            width_of(&self.text[start..self.cursor]),
        )
    }

    /// The text as a field with a bar for its cursor (`abc▏def`), fitted to `width`.
    pub fn with_bar(&self, width: usize) -> String {
        let (start, end) = self.fit(width, 1);
        format!(
            "{}▏{}",
            &self.text[start..self.cursor],
            &self.text[self.cursor..end]
        )
    }

    /// The stretch of text to show in `width` columns, `cursor_cols` of them taken by
    /// the cursor itself: from the start while the cursor fits, else with the cursor
    /// at the right edge.
    fn fit(&self, width: usize, cursor_cols: usize) -> (usize, usize) {
        let width = width.max(1);
        let mut start = 0;
        while start < self.cursor && width_of(&self.text[start..self.cursor]) + 1 > width {
            start = self.next(start);
        }
        let mut used = width_of(&self.text[start..self.cursor]) + cursor_cols;
        let mut end = self.cursor;
        for c in self.text[self.cursor..].chars() {
            used += c.width().unwrap_or(0);
            if used > width {
                break;
            }
            end += c.len_utf8();
        }
        (start, end)
    }

    /// The field as dots, one a character, the cursor where it is (a password).
    pub fn masked(&self) -> TextField {
        let text = "•".repeat(self.len_chars());
        let cursor = "•".len() * self.cursor_chars();
        TextField { text, cursor }
    }
}

fn width_of(s: &str) -> usize {
    s.chars().map(|c| c.width().unwrap_or(0)).sum()
}

impl PartialEq<str> for TextField {
    fn eq(&self, other: &str) -> bool {
        self.text == other
    }
}

impl PartialEq<&str> for TextField {
    fn eq(&self, other: &&str) -> bool {
        self.text == *other
    }
}

impl PartialEq<String> for TextField {
    fn eq(&self, other: &String) -> bool {
        &self.text == other
    }
}

impl PartialEq<TextField> for String {
    fn eq(&self, other: &TextField) -> bool {
        *self == other.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(text: &str) -> TextField {
        TextField::new(text)
    }

    fn shown(f: &TextField) -> String {
        f.with_bar(200)
    }

    #[test]
    fn the_cursor_moves_by_characters_words_and_ends() {
        let mut f = typed("call Dr Reid");
        f.edit(Edit::WordLeft);
        assert_eq!(shown(&f), "call Dr ▏Reid");
        f.edit(Edit::WordLeft);
        assert_eq!(shown(&f), "call ▏Dr Reid");
        f.edit(Edit::Left);
        assert_eq!(shown(&f), "call▏ Dr Reid");
        f.edit(Edit::WordRight);
        assert_eq!(shown(&f), "call Dr▏ Reid");
        f.edit(Edit::Home);
        f.edit(Edit::Left);
        assert_eq!(shown(&f), "▏call Dr Reid");
        f.edit(Edit::End);
        f.edit(Edit::Right);
        assert_eq!(shown(&f), "call Dr Reid▏");
    }

    #[test]
    fn typing_goes_where_the_cursor_is() {
        let mut f = typed("K 3.1");
        f.edit(Edit::Home);
        assert!(f.insert('↓', 100));
        assert!(f.insert(' ', 100));
        assert_eq!(f.as_str(), "↓ K 3.1");
        assert_eq!(shown(&f), "↓ ▏K 3.1");
        // Full: nothing more goes in, wherever the cursor is.
        assert!(!f.insert('x', 7));
    }

    #[test]
    fn deleting_backwards_forwards_by_word_and_to_the_start() {
        let mut f = typed("repeat  potassium at 14:00");
        f.edit(Edit::DeleteWordBack);
        assert_eq!(shown(&f), "repeat  potassium at ▏");
        f.edit(Edit::DeleteWordBack);
        assert_eq!(shown(&f), "repeat  potassium ▏");
        f.edit(Edit::WordLeft);
        f.edit(Edit::DeleteBack);
        assert_eq!(shown(&f), "repeat ▏potassium ");
        f.edit(Edit::DeleteForward);
        assert_eq!(shown(&f), "repeat ▏otassium ");
        f.edit(Edit::DeleteToStart);
        assert_eq!(shown(&f), "▏otassium ");
        // Nothing before the cursor: nothing changes, and it says so.
        assert!(!f.edit(Edit::DeleteBack));
        assert!(!f.edit(Edit::DeleteWordBack));
        f.edit(Edit::End);
        assert!(!f.edit(Edit::DeleteForward));
    }

    #[test]
    fn wide_and_accented_characters_are_stepped_over_whole() {
        let mut f = typed("Zoë 王芳");
        f.edit(Edit::Left);
        f.edit(Edit::Left);
        f.edit(Edit::Left);
        assert_eq!(shown(&f), "Zoë▏ 王芳");
        f.edit(Edit::DeleteBack);
        assert_eq!(shown(&f), "Zo▏ 王芳");
        f.edit(Edit::WordRight);
        assert_eq!(shown(&f), "Zo 王芳▏");
        f.edit(Edit::WordLeft);
        assert_eq!(shown(&f), "Zo ▏王芳");
    }

    #[test]
    fn a_long_line_scrolls_to_keep_the_cursor_in_view() {
        let mut f = typed("abcdefghijklmnopqrstuvwxyz");
        // At the end: the end shows, the bar last.
        assert_eq!(f.with_bar(10), "rstuvwxyz▏");
        f.edit(Edit::Home);
        assert_eq!(f.with_bar(10), "▏abcdefghi");
        for _ in 0..12 {
            f.edit(Edit::Right);
        }
        // Past the first screenful: the cursor at the right edge.
        assert_eq!(f.with_bar(10), "defghijkl▏");
        let (text, col) = f.window(10);
        assert_eq!((text, col), ("defghijklm", 9));
    }

    #[test]
    fn an_accent_typed_after_its_letter_moves_and_deletes_with_it() {
        let mut f = typed("e\u{301}x");
        f.edit(Edit::Left);
        f.edit(Edit::Left);
        assert_eq!(f.cursor_chars(), 0, "two steps: x, then é");
        f.edit(Edit::End);
        f.edit(Edit::Left);
        f.edit(Edit::DeleteBack);
        assert_eq!(f.as_str(), "x", "é goes whole");
    }

    #[test]
    fn a_password_never_shows_where_its_words_are() {
        let mut f = typed("horse battery");
        f.edit_secret(Edit::WordLeft);
        assert_eq!(f.cursor_chars(), 0);
        f.edit_secret(Edit::WordRight);
        f.edit_secret(Edit::DeleteWordBack);
        assert!(f.is_empty());
    }

    #[test]
    fn a_password_shows_dots_with_the_cursor_among_them() {
        let mut f = typed("s3cret");
        f.edit(Edit::Left);
        assert_eq!(shown(&f.masked()), "•••••▏•");
    }
}
