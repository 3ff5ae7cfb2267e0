//! Letters eight columns wide and four rows tall, drawn with half blocks from an 8×8
//! font: a bed, a name and a score that read across a room. Only what the font has
//! (ASCII and Latin-1) is drawn big; the caller shows anything else as plain text.

use font8x8::legacy::{BASIC_LEGACY, LATIN_LEGACY};
use ratatui::style::Style;
use ratatui::text::Line;

/// Columns a big letter takes (its last one blank: the space between letters).
pub const WIDTH: u16 = 8;

/// How tall the letters are: four rows (two pixels a cell, in half blocks) or eight
/// (a pixel a cell) where the screen has the rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rows {
    Four,
    Eight,
}

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

/// `text` as lines of blocks `rows` tall, or `None` if the font lacks a letter.
pub fn lines(text: &str, style: Style, rows: Rows) -> Option<Vec<Line<'static>>> {
    let glyphs: Vec<[u8; 8]> = text.chars().map(glyph).collect::<Option<_>>()?;
    // Bit 0 is the leftmost pixel.
    let pixel = |row: u8, x: u8| (row >> x) & 1 == 1;
    let line = |cells: String| Line::styled(cells.trim_end().to_string(), style);
    let out = match rows {
        Rows::Four => (0..4)
            .map(|pair| {
                line(
                    glyphs
                        .iter()
                        .flat_map(|g| {
                            let (top, bottom) = (g[pair * 2], g[pair * 2 + 1]);
                            (0..8).map(move |x| match (pixel(top, x), pixel(bottom, x)) {
                                (true, true) => '█',
                                (true, false) => '▀',
                                (false, true) => '▄',
                                (false, false) => ' ',
                            })
                        })
                        .collect(),
                )
            })
            .collect(),
        Rows::Eight => (0..8)
            .map(|y| {
                line(
                    glyphs
                        .iter()
                        .flat_map(|g| (0..8).map(move |x| if pixel(g[y], x) { '█' } else { ' ' }))
                        .collect(),
                )
            })
            .collect(),
    };
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drawn(text: &str) -> Vec<String> {
        lines(text, Style::default(), Rows::Four)
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
        assert!(lines("王芳", Style::default(), Rows::Four).is_none());
    }

    #[test]
    fn eight_rows_draw_a_pixel_a_cell() {
        let tall = lines("1", Style::default(), Rows::Eight).unwrap();
        assert_eq!(tall.len(), 8);
        assert_eq!(tall[0].to_string(), "  ██");
        assert_eq!(tall[6].to_string(), "██████");
    }
}
