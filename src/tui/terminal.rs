//! The real terminal: raw mode and the alternate screen in, everything restored (and the
//! screen cleared, so no patient data lingers) on the way out, even on a panic.

use std::io::{self, Stdout, Write};

use crossterm::event::{
    DisableBracketedPaste, DisableFocusChange, EnableBracketedPaste, EnableFocusChange,
};
use crossterm::terminal::{
    self, Clear, ClearType, EnterAlternateScreen, LeaveAlternateScreen, SetTitle,
};
use crossterm::{cursor, execute};
use ratatui::backend::CrosstermBackend;
use ratatui::Terminal;

use crate::sanitize;

pub type Term = Terminal<CrosstermBackend<Stdout>>;

pub fn enter() -> io::Result<Term> {
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
    Terminal::new(CrosstermBackend::new(io::stdout()))
}

/// Restores the terminal. Safe to call more than once.
pub fn leave() {
    let mut out = io::stdout();
    let _ = execute!(
        out,
        DisableBracketedPaste,
        DisableFocusChange,
        Clear(ClearType::All),
        LeaveAlternateScreen,
        cursor::Show
    );
    let _ = terminal::disable_raw_mode();
}

/// The bell and a desktop notification (OSC 9, and OSC 777 for terminals that use it),
/// wrapped for tmux so it reaches the outer terminal over SSH.
pub fn notify(text: &str) {
    let text = sanitize::strict(text, 80);
    let in_tmux = std::env::var_os("TMUX").is_some();
    let wrap = |seq: String| {
        if in_tmux {
            format!("\x1bPtmux;{}\x1b\\", seq.replace('\x1b', "\x1b\x1b"))
        } else {
            seq
        }
    };
    let mut out = io::stdout();
    let _ = write!(
        out,
        "\x07{}{}",
        wrap(format!("\x1b]9;{text}\x07")),
        wrap(format!("\x1b]777;notify;wardround;{text}\x07"))
    );
    let _ = out.flush();
}
