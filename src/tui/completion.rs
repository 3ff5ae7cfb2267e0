//! Tab on the `:` line: the command, then its argument — a colleague or a role from
//! the directory as far as this session has heard of it, a state, a time. Names are
//! staff, never patients, and are kept in memory only.

use crate::model::{Directory, Member};

/// Colleagues kept for completion at most (a big hospital's staff).
const MOST_PEOPLE: usize = 5_000;

/// People and roles heard of in directory answers this session.
#[derive(Debug, Clone, Default)]
pub struct Known {
    people: Vec<Colleague>,
    roles: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Colleague {
    username: String,
    display_name: String,
}

impl Known {
    pub fn has_people(&self) -> bool {
        !self.people.is_empty()
    }

    /// Whom and what a directory answer named: people added (the newest answer's
    /// spelling wins), roles as the server listed them all.
    pub fn learn(&mut self, found: &Directory) {
        for p in &found.people {
            let c = Colleague {
                username: p.username.clone(),
                display_name: p.display_name.clone(),
            };
            let full = self.people.len() >= MOST_PEOPLE;
            match self.people.iter_mut().find(|k| k.username == c.username) {
                Some(known) => *known = c,
                None if !full => self.people.push(c),
                None => {}
            }
        }
        for r in &found.roles {
            if !self.roles.contains(&r.name) {
                self.roles.push(r.name.clone());
            }
        }
    }
}

/// Who a job may be for, starting with `typed` (a username, a word of a name, or a
/// role as `role:NAME`): `(what the field takes, how it is listed)`, `me` first.
pub fn assignees(known: &Known, typed: &str) -> Vec<(String, String)> {
    let typed = typed.trim();
    let mut found = Vec::new();
    if starts("me", typed) {
        found.push(("me".to_string(), "me".to_string()));
    }
    let role_typed = typed.strip_prefix("role:").unwrap_or(typed);
    for c in &known.people {
        if !typed.starts_with("role:")
            && (starts(&c.username, typed) || from_a_word(&c.display_name, typed))
        {
            found.push((
                c.username.clone(),
                format!("{} ({})", c.display_name, c.username),
            ));
        }
    }
    for r in &known.roles {
        if from_a_word(r, role_typed) {
            found.push((format!("role:{r}"), format!("role: {r}")));
        }
    }
    found
}

/// One thing Tab may put in the line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    /// What goes into the line.
    pub text: String,
    /// How it is listed (`Priya Shah (pshah)`).
    pub label: String,
    /// More follows it (a space goes after it).
    pub more: bool,
}

/// What Tab can do with a line: replace what follows `start` with one of `choices`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Completion {
    pub start: usize,
    pub choices: Vec<Choice>,
    /// Where a colleague's name is being typed: the directory search that could find
    /// more than this session knows.
    pub ask: Option<String>,
}

/// The words a command takes after it, for the command names' own completion.
const TAKES_MORE: &[&str] = &["follow", "hand", "status", "oncall", "jobs"];

/// What may complete `line`, `me` left out of people and `followers` (of my
/// presentation) put first where control is handed.
pub fn complete(
    known: &Known,
    commands: &[&str],
    me: &str,
    followers: &[Member],
    line: &str,
) -> Completion {
    let body = line.trim_start();
    let lead = line.len() - body.len();
    let Some((command, rest)) = body.split_once(char::is_whitespace) else {
        let choices = commands
            .iter()
            .filter(|c| starts(c, body))
            .map(|c| Choice {
                text: (*c).to_string(),
                label: format!(":{c}"),
                more: TAKES_MORE.contains(c),
            })
            .collect();
        return Completion {
            start: lead,
            choices,
            ask: None,
        };
    };
    let arg = rest.trim_start();
    let start = line.len() - arg.len();
    let words = |options: &[&str], typed: &str, more: bool| -> Vec<Choice> {
        options
            .iter()
            .filter(|o| starts(o, typed) || o.split_whitespace().any(|w| starts(w, typed)))
            .map(|o| Choice {
                text: (*o).to_string(),
                label: (*o).to_string(),
                more,
            })
            .collect()
    };
    let at = |offset: usize, choices: Vec<Choice>| Completion {
        start: start + offset,
        choices,
        ask: None,
    };
    match command {
        "follow" => people(known, me, &[], arg, start, true),
        "hand" => people(known, me, followers, arg, start, true),
        "status" => match arg.split_once(char::is_whitespace) {
            None => at(0, words(&["dnd", "busy", "available"], arg, true)),
            Some((_, time)) => {
                let time = time.trim_start();
                at(
                    arg.len() - time.len(),
                    words(&["30m", "1h", "2h", "4h", "8h", "12h"], time, false),
                )
            }
        },
        "jobs" => at(
            0,
            words(&["mine", "roles", "team", "patient", "closed"], arg, false),
        ),
        "oncall" => match arg.split_once(char::is_whitespace) {
            None => at(0, words(&["take", "hand", "drop"], arg, true)),
            Some((action, role)) => {
                let role = role.trim_start();
                let offset = arg.len() - role.len();
                // `hand ROLE NAME`: once a whole role is typed, the one to hand it to
                // (one word: the username).
                if action == "hand" {
                    if let Some(name) = known.roles.iter().find_map(|r| {
                        role.get(..r.len())
                            .filter(|head| head.eq_ignore_ascii_case(r))
                            .and_then(|_| role[r.len()..].strip_prefix(' '))
                    }) {
                        let name = name.trim_start();
                        let name_at = start + arg.len() - name.len();
                        return people(known, me, &[], name, name_at, false);
                    }
                }
                let roles: Vec<&str> = known.roles.iter().map(String::as_str).collect();
                at(offset, words(&roles, role, action == "hand"))
            }
        },
        _ => Completion::default(),
    }
}

/// Colleagues whose username, name or a word of it starts with `typed`; by name where
/// the name is theirs alone (`by_name`), else by username.
fn people(
    known: &Known,
    me: &str,
    first: &[Member],
    typed: &str,
    start: usize,
    by_name: bool,
) -> Completion {
    let matches = |c: &Colleague| {
        starts(&c.username, typed)
            || starts(&c.display_name, typed)
            || c.display_name.split_whitespace().any(|w| starts(w, typed))
    };
    let mut found: Vec<&Colleague> = known
        .people
        .iter()
        .filter(|c| c.username != me && matches(c))
        .collect();
    // Followers (those who can be handed control) first, in the order they joined.
    let rank = |c: &Colleague| {
        first
            .iter()
            .position(|m| m.display_name == c.display_name)
            .unwrap_or(usize::MAX)
    };
    found.sort_by(|a, b| {
        rank(a)
            .cmp(&rank(b))
            .then_with(|| a.display_name.cmp(&b.display_name))
    });
    let choices = found
        .iter()
        .map(|c| {
            let shared = known
                .people
                .iter()
                .filter(|o| o.display_name.eq_ignore_ascii_case(&c.display_name))
                .count()
                > 1;
            Choice {
                text: if by_name && !shared {
                    c.display_name.clone()
                } else {
                    c.username.clone()
                },
                label: format!("{} ({})", c.display_name, c.username),
                more: false,
            }
        })
        .collect::<Vec<_>>();
    Completion {
        start,
        ask: (!typed.trim().is_empty()).then(|| typed.trim().to_string()),
        choices,
    }
}

/// Case-insensitive prefix.
/// `typed` (words and all) begins `name` or one of its words: `nurse in` finds
/// `4 West nurse in charge`.
fn from_a_word(name: &str, typed: &str) -> bool {
    let name = name.to_lowercase();
    let typed = typed.to_lowercase();
    name.starts_with(&typed) || name.contains(&format!(" {typed}"))
}

fn starts(option: &str, typed: &str) -> bool {
    option
        .get(..typed.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(typed))
}

/// The longest start all `choices` share, compared without case, in the first one's
/// spelling: what Tab fills in when several remain.
pub fn shared_start(choices: &[Choice]) -> &str {
    let Some(first) = choices.first() else {
        return "";
    };
    let mut end = first.text.len();
    for c in &choices[1..] {
        end = first.text[..end]
            .char_indices()
            .zip(c.text.chars())
            .find(|((_, a), b)| !a.eq_ignore_ascii_case(b))
            .map_or(end.min(c.text.len()), |((i, _), _)| i);
    }
    while !first.text.is_char_boundary(end) {
        end -= 1;
    }
    &first.text[..end]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Person, RoleInfo};

    const COMMANDS: &[&str] = &["follow", "unfollow", "hand", "help", "status", "oncall"];

    fn known() -> Known {
        let person = |username: &str, name: &str| Person {
            id: uuid::Uuid::nil(),
            username: username.into(),
            display_name: name.into(),
            role: "RN".into(),
            teams: vec![],
            presence: Default::default(),
            roles: vec![],
            instead: vec![],
        };
        let role = |name: &str| RoleInfo {
            id: uuid::Uuid::nil(),
            name: name.into(),
            team: "4 West".into(),
            holders: vec![],
            fallback: None,
        };
        let mut k = Known::default();
        k.learn(&Directory {
            people: vec![
                person("pshah", "Dr Priya Shah"),
                person("treid", "Dr Tom Reid"),
                person("amorgan", "Alex Morgan"),
                person("amorgan2", "Alex Morgan"),
            ],
            roles: vec![
                role("Medical Registrar on call"),
                role("Night Nurse in Charge"),
            ],
        });
        k
    }

    fn texts(c: &Completion) -> Vec<&str> {
        c.choices.iter().map(|c| c.text.as_str()).collect()
    }

    #[test]
    fn command_names_complete_from_their_start() {
        let c = complete(&known(), COMMANDS, "me", &[], "h");
        assert_eq!(texts(&c), ["hand", "help"]);
        assert_eq!(c.start, 0);
        assert!(c.choices[0].more && !c.choices[1].more);
        assert_eq!(shared_start(&c.choices), "h");
        let c = complete(&known(), COMMANDS, "me", &[], "UNF");
        assert_eq!(texts(&c), ["unfollow"]);
    }

    #[test]
    fn people_complete_by_any_word_of_their_name_and_by_username() {
        let c = complete(&known(), COMMANDS, "me", &[], "follow pri");
        assert_eq!(texts(&c), ["Dr Priya Shah"]);
        assert_eq!(c.start, "follow ".len());
        assert_eq!(c.choices[0].label, "Dr Priya Shah (pshah)");
        assert_eq!(c.ask.as_deref(), Some("pri"));
        let c = complete(&known(), COMMANDS, "me", &[], "follow tre");
        assert_eq!(texts(&c), ["Dr Tom Reid"]);
        // Two of one name are told apart by username.
        let c = complete(&known(), COMMANDS, "me", &[], "follow alex");
        assert_eq!(texts(&c), ["amorgan", "amorgan2"]);
        // Nobody typed yet: everyone, less me, and nothing to ask the directory.
        let c = complete(&known(), COMMANDS, "pshah", &[], "follow ");
        assert_eq!(c.choices.len(), 3);
        assert_eq!(c.ask, None);
    }

    #[test]
    fn handing_control_offers_followers_first() {
        let reid = Member {
            id: uuid::Uuid::nil(),
            display_name: "Dr Tom Reid".into(),
            role: "Registrar".into(),
        };
        let c = complete(&known(), COMMANDS, "me", &[reid], "hand ");
        assert_eq!(texts(&c)[0], "Dr Tom Reid");
    }

    #[test]
    fn status_and_on_call_complete_their_words_roles_and_names() {
        let k = known();
        assert_eq!(
            texts(&complete(&k, COMMANDS, "me", &[], "status d")),
            ["dnd"]
        );
        let c = complete(&k, COMMANDS, "me", &[], "status dnd 1");
        assert_eq!(texts(&c), ["1h", "12h"]);
        assert_eq!(c.start, "status dnd ".len());
        assert_eq!(
            texts(&complete(&k, COMMANDS, "me", &[], "oncall ")),
            ["take", "hand", "drop"]
        );
        let c = complete(&k, COMMANDS, "me", &[], "oncall take med");
        assert_eq!(texts(&c), ["Medical Registrar on call"]);
        assert_eq!(c.start, "oncall take ".len());
        // Handing a role: the role, then whom to (by username: the line's last word).
        let c = complete(&k, COMMANDS, "me", &[], "oncall hand night");
        assert!(c.choices[0].more);
        let c = complete(
            &k,
            COMMANDS,
            "me",
            &[],
            "oncall hand Night Nurse in Charge to",
        );
        assert_eq!(texts(&c), ["treid"]);
        assert_eq!(c.start, "oncall hand Night Nurse in Charge ".len());
    }

    #[test]
    fn the_shared_start_ignores_case_and_splits_no_character() {
        let choice = |t: &str| Choice {
            text: t.into(),
            label: t.into(),
            more: false,
        };
        assert_eq!(shared_start(&[choice("Zoë A"), choice("zoë b")]), "Zoë ");
        assert_eq!(shared_start(&[choice("Zoë"), choice("Zoé")]), "Zo");
        assert_eq!(shared_start(&[]), "");
    }
}
