//! Semantic colour roles. A theme file sets some roles; the rest come from the default.

use std::collections::HashMap;
use std::path::Path;

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;

const DEFAULT: &str = include_str!("../../themes/default.toml");

/// Themes that ship with the binary, over the default: (name, file).
pub const BUILT_IN: [(&str, &str); 3] = [
    ("light", include_str!("../../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../../themes/high-contrast.toml"),
    ),
    (
        "colour-blind",
        include_str!("../../themes/colour-blind.toml"),
    ),
];

/// Every role a theme can set. Urgency is never shown by colour alone: the roles style
/// text cues ("URGENT", "‼") that are there in every theme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    Text,
    Muted,
    Border,
    BorderFocused,
    Header,
    Selection,
    ColumnFocused,
    Urgent,
    Important,
    Unread,
    Receipt,
    ReceiptRead,
    AlertPulseA,
    AlertPulseB,
    AlertSteady,
    AlertIdle,
    /// An important message waits: steady, never pulsing.
    AlertImportant,
    /// To the sender: an urgent message went unanswered.
    AlertUnanswered,
    Status,
    Live,
    Down,
    Warning,
}

impl Role {
    pub const ALL: [Role; 22] = [
        Role::Text,
        Role::Muted,
        Role::Border,
        Role::BorderFocused,
        Role::Header,
        Role::Selection,
        Role::ColumnFocused,
        Role::Urgent,
        Role::Important,
        Role::Unread,
        Role::Receipt,
        Role::ReceiptRead,
        Role::AlertPulseA,
        Role::AlertPulseB,
        Role::AlertSteady,
        Role::AlertIdle,
        Role::AlertImportant,
        Role::AlertUnanswered,
        Role::Status,
        Role::Live,
        Role::Down,
        Role::Warning,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Role::Text => "text",
            Role::Muted => "muted",
            Role::Border => "border",
            Role::BorderFocused => "border.focused",
            Role::Header => "header",
            Role::Selection => "selection",
            Role::ColumnFocused => "column.focused",
            Role::Urgent => "urgent",
            Role::Important => "important",
            Role::Unread => "unread",
            Role::Receipt => "receipt",
            Role::ReceiptRead => "receipt.read",
            Role::AlertPulseA => "alert.pulse_a",
            Role::AlertPulseB => "alert.pulse_b",
            Role::AlertSteady => "alert.steady",
            Role::AlertIdle => "alert.idle",
            Role::AlertImportant => "alert.important",
            Role::AlertUnanswered => "alert.unanswered",
            Role::Status => "status",
            Role::Live => "status.live",
            Role::Down => "status.down",
            Role::Warning => "warning",
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct StyleSpec {
    fg: Option<String>,
    bg: Option<String>,
    #[serde(default)]
    bold: bool,
    #[serde(default)]
    italic: bool,
    #[serde(default)]
    underline: bool,
    #[serde(default)]
    reversed: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeFile {
    #[serde(default)]
    roles: HashMap<String, StyleSpec>,
}

#[derive(Debug, Clone)]
pub struct Theme {
    styles: HashMap<Role, Style>,
}

#[derive(Debug, thiserror::Error)]
pub enum ThemeError {
    #[error("cannot read theme {path}: {reason}")]
    Read { path: String, reason: String },
    #[error("theme {path}: {message}")]
    Invalid { path: String, message: String },
}

impl Default for Theme {
    fn default() -> Self {
        let mut theme = Theme {
            styles: HashMap::new(),
        };
        // The built-in theme is tested to parse; an error here is a build defect.
        if let Err(e) = theme.apply("themes/default.toml", DEFAULT) {
            panic!("built-in theme: {e}");
        }
        theme
    }
}

impl Theme {
    /// No styles at all: for laying text out where nothing is drawn.
    pub fn bare() -> Theme {
        Theme {
            styles: HashMap::new(),
        }
    }

    /// `name` is a path, a theme in the user's themes dir, or one built in ("default",
    /// "light", "high-contrast", "colour-blind"); a file of the user's wins over a built-in
    /// of the same name.
    pub fn load(name_or_path: &str, themes_dir: Option<&Path>) -> Result<Theme, ThemeError> {
        let mut theme = Theme::default();
        if name_or_path == "default" || name_or_path.is_empty() {
            return Ok(theme);
        }
        let candidates = [
            Some(Path::new(name_or_path).to_path_buf()),
            themes_dir.map(|d| d.join(format!("{name_or_path}.toml"))),
        ];
        let Some(path) = candidates.into_iter().flatten().find(|p| p.is_file()) else {
            let built_in = BUILT_IN.iter().find(|(name, _)| *name == name_or_path);
            return match built_in {
                Some((name, text)) => {
                    theme.apply(&format!("themes/{name}.toml"), text)?;
                    Ok(theme)
                }
                None => Err(ThemeError::Read {
                    path: name_or_path.to_string(),
                    reason: format!(
                        "no such theme file, and not one built in (default, {})",
                        BUILT_IN.map(|(n, _)| n).join(", ")
                    ),
                }),
            };
        };
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(&path).map_err(|e| ThemeError::Read {
            path: shown.clone(),
            reason: e.to_string(),
        })?;
        theme.apply(&shown, &text)?;
        Ok(theme)
    }

    fn apply(&mut self, path: &str, text: &str) -> Result<(), ThemeError> {
        let invalid = |message: String| ThemeError::Invalid {
            path: path.to_string(),
            message,
        };
        let file: ThemeFile = toml::from_str(text).map_err(|e| invalid(e.to_string()))?;
        for (name, spec) in file.roles {
            let role = Role::ALL
                .into_iter()
                .find(|r| r.name() == name)
                .ok_or_else(|| invalid(format!("unknown role `{name}`")))?;
            let mut style = Style::default();
            if let Some(fg) = &spec.fg {
                style = style.fg(parse_color(fg).map_err(invalid)?);
            }
            if let Some(bg) = &spec.bg {
                style = style.bg(parse_color(bg).map_err(invalid)?);
            }
            for (on, m) in [
                (spec.bold, Modifier::BOLD),
                (spec.italic, Modifier::ITALIC),
                (spec.underline, Modifier::UNDERLINED),
                (spec.reversed, Modifier::REVERSED),
            ] {
                if on {
                    style = style.add_modifier(m);
                }
            }
            self.styles.insert(role, style);
        }
        Ok(())
    }

    /// Drops every colour and keeps the modifiers (NO_COLOR); the roles that must stand
    /// out get reverse video instead.
    pub fn without_color(mut self) -> Theme {
        for (role, style) in self.styles.iter_mut() {
            let mut s = Style::default().add_modifier(style.add_modifier);
            if matches!(
                role,
                Role::AlertPulseA
                    | Role::AlertPulseB
                    | Role::AlertSteady
                    | Role::AlertImportant
                    | Role::AlertUnanswered
                    | Role::Selection
                    | Role::Urgent
            ) {
                s = s.add_modifier(Modifier::REVERSED);
            }
            *style = s;
        }
        self
    }

    pub fn style(&self, role: Role) -> Style {
        self.styles.get(&role).copied().unwrap_or_default()
    }
}

fn parse_color(s: &str) -> Result<Color, String> {
    s.parse::<Color>()
        .map_err(|_| format!("`{s}` is not a colour (a name such as `red`, `#rrggbb`, or 0-255)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_theme_sets_every_role() {
        let t = Theme::default();
        for role in Role::ALL {
            assert!(
                t.styles.contains_key(&role),
                "default theme lacks `{}`",
                role.name()
            );
        }
    }

    #[test]
    fn every_built_in_theme_loads_and_pulses_visibly() {
        for (name, _) in BUILT_IN {
            let t = Theme::load(name, None).unwrap();
            assert_ne!(
                t.style(Role::AlertPulseA),
                t.style(Role::AlertPulseB),
                "{name}: the two pulse phases must differ"
            );
            assert_ne!(
                t.style(Role::AlertSteady),
                t.style(Role::AlertIdle),
                "{name}"
            );
            assert_ne!(t.style(Role::Selection), t.style(Role::Text), "{name}");
        }
        let err = Theme::load("neon", None).unwrap_err().to_string();
        assert!(err.contains("high-contrast"), "{err}");
    }

    #[test]
    fn a_partial_theme_overrides_only_what_it_names() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mine.toml");
        std::fs::write(
            &path,
            "[roles]\nurgent = { fg = \"#ff00ff\", bold = true }\n",
        )
        .unwrap();
        let t = Theme::load("mine", Some(dir.path())).unwrap();
        assert_eq!(t.style(Role::Urgent).fg, Some(Color::Rgb(255, 0, 255)));
        assert_eq!(t.style(Role::Border), Theme::default().style(Role::Border));
    }

    #[test]
    fn an_unknown_role_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.toml");
        std::fs::write(&path, "[roles]\nurgnet = { fg = \"red\" }\n").unwrap();
        let err = Theme::load(path.to_str().unwrap(), None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("urgnet"), "{err}");
    }
}
