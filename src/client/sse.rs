//! A minimal server-sent events parser: frames separated by a blank line, `id:` and
//! `data:` fields, comments (keep-alives) ignored.

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    pub id: Option<String>,
    pub data: String,
}

#[derive(Default)]
pub struct Parser {
    buf: Vec<u8>,
}

impl Parser {
    /// Feeds bytes as they arrive (a frame, or a UTF-8 character, may be split across
    /// chunks) and returns the frames completed.
    pub fn push(&mut self, chunk: &[u8]) -> Vec<Frame> {
        self.buf.extend_from_slice(chunk);
        let mut frames = Vec::new();
        while let Some((end, sep)) = find_blank_line(&self.buf) {
            let raw: Vec<u8> = self.buf.drain(..end + sep).collect();
            let text = String::from_utf8_lossy(&raw[..end]);
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
            if has_data {
                frames.push(frame);
            }
        }
        frames
    }
}

fn find_blank_line(buf: &[u8]) -> Option<(usize, usize)> {
    let lf = buf.windows(2).position(|w| w == b"\n\n").map(|p| (p, 2));
    let crlf = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|p| (p, 4));
    match (lf, crlf) {
        (Some(a), Some(b)) => Some(if a.0 <= b.0 { a } else { b }),
        (a, b) => a.or(b),
    }
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
}
