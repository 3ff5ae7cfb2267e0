//! The real terminal: raw mode and the alternate screen in, everything restored (and the
//! screen cleared, so no patient data lingers) on the way out, even on a panic.

use std::io::{self, BufWriter, Stdout, Write};

use crossterm::event::{
    DisableBracketedPaste, DisableFocusChange, DisableMouseCapture, EnableBracketedPaste,
    EnableFocusChange, EnableMouseCapture,
};
use crossterm::terminal::{
    self, BeginSynchronizedUpdate, Clear, ClearType, EndSynchronizedUpdate, EnterAlternateScreen,
    LeaveAlternateScreen, SetTitle,
};
use crossterm::{cursor, execute, queue};
use ratatui::backend::CrosstermBackend;
use ratatui::Terminal;

use crate::config::NotifyChannel;
use crate::sanitize;

/// Buffered: a frame leaves as one write, which matters over SSH.
pub type Term = Terminal<CrosstermBackend<BufWriter<Stdout>>>;

/// Enough for a full 200×60 frame with colours in one write.
const WRITE_BUFFER: usize = 256 * 1024;

/// Mouse capture only when asked (`mouse`): it takes select-and-copy from the user and
/// sends every movement down the wire.
pub fn enter(mouse: bool) -> io::Result<Term> {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        leave();
        previous(info);
    }));
    terminal::enable_raw_mode()?;
    // The title names the app only: it is visible in window lists and over shoulders.
    execute!(
        io::stdout(),
        EnterAlternateScreen,
        EnableFocusChange,
        EnableBracketedPaste,
        SetTitle("wardround")
    )?;
    if mouse {
        execute!(io::stdout(), EnableMouseCapture)?;
    }
    Terminal::new(CrosstermBackend::new(BufWriter::with_capacity(
        WRITE_BUFFER,
        io::stdout(),
    )))
}

/// Draws one frame. `synchronized`: as one update (DEC mode 2026), so terminals that
/// know it show the frame whole, never half-drawn (others ignore the two sequences). A
/// frame of a few cells cannot tear, and its 16 bytes of brackets would double it.
pub fn draw<W: Write>(
    term: &mut Terminal<CrosstermBackend<W>>,
    synchronized: bool,
    frame: impl FnOnce(&mut ratatui::Frame),
) -> io::Result<()> {
    if !synchronized {
        term.draw(frame)?;
        return term.backend_mut().flush();
    }
    queue!(term.backend_mut(), BeginSynchronizedUpdate)?;
    term.draw(frame)?;
    execute!(term.backend_mut(), EndSynchronizedUpdate)
}

/// Restores the terminal. Safe to call more than once.
pub fn leave() {
    let mut out = io::stdout();
    let _ = execute!(
        out,
        DisableBracketedPaste,
        DisableFocusChange,
        DisableMouseCapture,
        Clear(ClearType::All),
        LeaveAlternateScreen,
        cursor::Show
    );
    let _ = terminal::disable_raw_mode();
}

/// The bell and desktop notifications (OSC 9, OSC 777), each as configured, wrapped for
/// tmux so they reach the outer terminal over SSH.
pub fn notify(text: &str, channels: &[NotifyChannel]) {
    let in_tmux = std::env::var_os("TMUX").is_some();
    let bytes = notification(text, channels, in_tmux);
    if bytes.is_empty() {
        return;
    }
    let mut out = io::stdout();
    let _ = out.write_all(bytes.as_bytes());
    let _ = out.flush();
}

/// What `notify` writes. The text passes the strict allow-list: it goes outside ratatui's
/// buffer, straight to the terminal.
pub fn notification(text: &str, channels: &[NotifyChannel], in_tmux: bool) -> String {
    let text = sanitize::strict(text, 80);
    let wrap = |seq: String| {
        if in_tmux {
            format!("\x1bPtmux;{}\x1b\\", seq.replace('\x1b', "\x1b\x1b"))
        } else {
            seq
        }
    };
    channels
        .iter()
        .map(|c| match c {
            NotifyChannel::Bell => "\x07".to_string(),
            NotifyChannel::Osc9 => wrap(format!("\x1b]9;{text}\x07")),
            NotifyChannel::Osc777 => wrap(format!("\x1b]777;notify;wardround;{text}\x07")),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notifications_follow_the_config_and_wrap_for_tmux() {
        let all = [
            NotifyChannel::Bell,
            NotifyChannel::Osc9,
            NotifyChannel::Osc777,
        ];
        assert_eq!(
            notification("Urgent message - 4 West", &all, false),
            "\x07\x1b]9;Urgent message - 4 West\x07\x1b]777;notify;wardround;Urgent message - 4 West\x07"
        );
        assert_eq!(
            notification("Urgent", &[NotifyChannel::Osc9], true),
            "\x1bPtmux;\x1b\x1b]9;Urgent\x07\x1b\\"
        );
        assert_eq!(notification("Urgent", &[], false), "");
        // Hostile text cannot end the sequence early or start another.
        let evil = notification("x\x07\x1b]52;c;AAAA\x07", &[NotifyChannel::Osc9], false);
        assert_eq!(evil.matches('\x07').count(), 1, "{evil:?}");
        assert_eq!(evil.matches('\x1b').count(), 1, "{evil:?}");
    }
}
