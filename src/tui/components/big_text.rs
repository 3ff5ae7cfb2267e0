//! Letters eight columns wide and four rows tall, drawn with half blocks from an 8×8
//! font: a bed, a name and a score that read across a room. Only what the font has
//! (ASCII and Latin-1) is drawn big; the caller shows anything else as plain text.

use font8x8::legacy::{BASIC_LEGACY, LATIN_LEGACY};
use ratatui::style::Style;
use ratatui::text::Line;

/// Rows a big letter takes.
pub const HEIGHT: u16 = 4;
/// Columns a big letter takes (its last one blank: the space between letters).
pub const WIDTH: u16 = 8;

fn glyph(c: char) -> Option<[u8; 8]> {
    let code = u32::from(c);
    match code {
        0x20..=0x7e => BASIC_LEGACY.get(code as usize).copied(),
        0xa0..=0xff => LATIN_LEGACY.get((code - 0xa0) as usize).copied(),
        _ => None,
    }
}

/// Whether `text` can be drawn big within `width` columns.
pub fn fits(text: &str, width: u16) -> bool {
    let n = text.chars().count();
    text.chars().all(|c| glyph(c).is_some())
        && u16::try_from(n).is_ok_and(|n| n.saturating_mul(WIDTH) <= width)
}

/// `text` as [`HEIGHT`] lines of half blocks, or `None` if the font lacks a letter.
pub fn lines(text: &str, style: Style) -> Option<Vec<Line<'static>>> {
    let glyphs: Vec<[u8; 8]> = text.chars().map(glyph).collect::<Option<_>>()?;
    let rows = (0..4)
        .map(|pair| {
            let row: String = glyphs
                .iter()
                .flat_map(|g| {
                    let (top, bottom) = (g[pair * 2], g[pair * 2 + 1]);
                    // Bit 0 is the leftmost pixel.
                    (0..8).map(move |x| match ((top >> x) & 1, (bottom >> x) & 1) {
                        (1, 1) => '█',
                        (1, 0) => '▀',
                        (0, 1) => '▄',
                        _ => ' ',
                    })
                })
                .collect();
            Line::styled(row.trim_end().to_string(), style)
        })
        .collect();
    Some(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drawn(text: &str) -> Vec<String> {
        lines(text, Style::default())
            .unwrap()
            .into_iter()
            .map(|l| l.to_string())
            .collect()
    }

    #[test]
    fn a_digit_is_drawn_in_half_blocks_four_rows_tall() {
        assert_eq!(
            drawn("1"),
            [" ▄██", "  ██", "  ██", "▀▀▀▀▀▀"]
                .iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>()
        );
    }

    #[test]
    fn only_what_the_font_has_is_drawn_big() {
        assert!(fits("4W-4B CHEN", 80));
        assert!(!fits("4W-4B CHEN", 79), "ten letters need eighty columns");
        assert!(fits("ZOË", 24));
        assert!(!fits("王芳", 200));
        assert!(lines("王芳", Style::default()).is_none());
    }
}
