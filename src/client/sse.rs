//! A minimal server-sent events parser: frames separated by a blank line, `id:` and
//! `data:` fields, comments (keep-alives) ignored.

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    pub id: Option<String>,
    pub data: String,
}

/// Bytes are kept until their frame is complete. A push scans only what it has not
/// scanned before and compacts the buffer once, so a replay of thousands of events in
/// one chunk costs time in proportion to its length.
#[derive(Default)]
pub struct Parser {
    buf: Vec<u8>,
    /// Where the next frame begins.
    start: usize,
    /// No blank line ends before here.
    scanned: usize,
}

impl Parser {
    /// Feeds bytes as they arrive (a frame, or a UTF-8 character, may be split across
    /// chunks) and returns the frames completed.
    pub fn push(&mut self, chunk: &[u8]) -> Vec<Frame> {
        self.buf.extend_from_slice(chunk);
        let mut frames = Vec::new();
        while let Some((end, next)) = blank_line(&self.buf, self.start, self.scanned) {
            frames.extend(frame(&self.buf[self.start..end]));
            self.start = next;
            self.scanned = next;
        }
        // A blank line may end in the last two bytes, half of it still to come.
        self.scanned = self.buf.len().saturating_sub(2).max(self.start);
        self.buf.drain(..self.start);
        self.scanned -= self.start;
        self.start = 0;
        frames
    }
}

/// The end of the frame that begins at `start` (without its line ending) and where the
/// next begins, if a blank line (`\n\n` or `\r\n\r\n`) ends it; searching from `from`.
fn blank_line(buf: &[u8], start: usize, from: usize) -> Option<(usize, usize)> {
    let mut i = from;
    while let Some(p) = buf[i..].iter().position(|&b| b == b'\n') {
        let nl = i + p;
        let next = match (buf.get(nl + 1), buf.get(nl + 2)) {
            (Some(b'\n'), _) => Some(nl + 2),
            (Some(b'\r'), Some(b'\n')) => Some(nl + 3),
            _ => None,
        };
        if let Some(next) = next {
            let end = if nl > start && buf[nl - 1] == b'\r' {
                nl - 1
            } else {
                nl
            };
            return Some((end, next));
        }
        i = nl + 1;
    }
    None
}

/// One frame's fields; `None` for a frame without data (a keep-alive comment).
fn frame(raw: &[u8]) -> Option<Frame> {
    let text = String::from_utf8_lossy(raw);
    let mut frame = Frame {
        id: None,
        data: String::new(),
    };
    let mut has_data = false;
    for line in text.lines() {
        let (field, value) = line.split_once(':').unwrap_or((line, ""));
        let value = value.strip_prefix(' ').unwrap_or(value);
        match field {
            "id" => frame.id = Some(value.to_string()),
            "data" => {
                if has_data {
                    frame.data.push('\n');
                }
                frame.data.push_str(value);
                has_data = true;
            }
            _ => {}
        }
    }
    has_data.then_some(frame)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_split_across_chunks_are_reassembled() {
        let mut p = Parser::default();
        assert!(p.push(b": keep-alive\n\nid: 7\nda").is_empty());
        let frames = p.push("ta: {\"a\":\"caf\u{e9}\"}\n\n".as_bytes());
        assert_eq!(
            frames,
            vec![Frame {
                id: Some("7".into()),
                data: "{\"a\":\"caf\u{e9}\"}".into()
            }]
        );
    }

    #[test]
    fn a_split_utf8_character_survives() {
        let mut p = Parser::default();
        let bytes = "data: \u{2713}\n\n".as_bytes();
        assert!(p.push(&bytes[..7]).is_empty());
        assert_eq!(p.push(&bytes[7..])[0].data, "\u{2713}");
    }

    #[test]
    fn a_large_replay_in_one_chunk_or_a_byte_at_a_time_gives_every_frame() {
        let mut stream = String::new();
        for i in 0..5_000 {
            let end = if i % 2 == 0 { "\n\n" } else { "\r\n\r\n" };
            stream.push_str(&format!(
                ": keep-alive{end}id: {i}\ndata: {{\"n\":{i}}}{end}"
            ));
        }
        let whole = Parser::default().push(stream.as_bytes());
        assert_eq!(whole.len(), 5_000);
        assert_eq!(whole[4_999].id.as_deref(), Some("4999"));
        assert_eq!(whole[1].data, "{\"n\":1}");
        let mut p = Parser::default();
        let dripped: Vec<Frame> = stream
            .as_bytes()
            .iter()
            .flat_map(|b| p.push(&[*b]))
            .collect();
        assert_eq!(dripped, whole);
        assert!(p.buf.is_empty(), "nothing kept once every frame is out");
    }

    #[test]
    fn multi_line_data_and_mixed_line_endings() {
        let mut p = Parser::default();
        let frames = p.push(b"data: a\r\ndata: b\n\ndata: c\r\n\n");
        assert_eq!(frames[0].data, "a\nb");
        assert_eq!(frames[1].data, "c");
    }
}
