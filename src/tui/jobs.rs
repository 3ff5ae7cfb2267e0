//! The round's work as this app knows it: the open jobs on my teams' patients (and those
//! closed while it runs), kept live from the event stream, and the plans heard of. The
//! alert bar, the jobs column, the jobs pane and the detail pane are drawn from it.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveTime, TimeZone, Timelike, Utc};
use uuid::Uuid;

use crate::model::{work_order, Job, JobAssignee, JobPriority, JobStatus, Plan};

/// Closed jobs kept in memory at most (the pane's "done" view this session).
const MOST_CLOSED: usize = 500;

#[derive(Debug, Clone, Default)]
pub struct JobBook {
    jobs: BTreeMap<Uuid, Job>,
    /// The server has answered once (until then the column says nothing).
    pub loaded: bool,
    /// Urgent jobs for me I have had in view: they no longer pulse.
    seen: HashSet<Uuid>,
    /// Plans heard of (from a patient's detail or the event stream).
    plans: HashMap<String, Plan>,
}

/// What a job heard of means to me.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Heard {
    /// A new job for me (or one that became mine).
    ForMe {
        urgent: bool,
    },
    /// A job I set was done (by someone else): its text, for the notice.
    MineDone {
        by: String,
        text: String,
        patient: String,
    },
    /// It passed its due time, and it is mine.
    Overdue,
    Nothing,
}

impl JobBook {
    /// The open jobs as the server has them now (closed ones known stay).
    pub fn load(&mut self, jobs: Vec<Job>) {
        self.jobs.retain(|_, j| !j.is_open());
        for job in jobs {
            self.jobs.insert(job.id, job);
        }
        self.loaded = true;
    }

    /// A job as the event stream says it is now.
    pub fn hear(&mut self, job: Job, me: Uuid) -> Heard {
        let before = self.jobs.get(&job.id).cloned();
        let was_mine = before.as_ref().is_some_and(|b| b.mine && b.is_open());
        // A job I gave myself is seen already: it needs no alarm.
        if before.is_none() && job.created_by.id == me {
            self.seen.insert(job.id);
        }
        let heard = match (&before, job.status) {
            (None, JobStatus::Open) if job.created_by.id == me => Heard::Nothing,
            (_, JobStatus::Open) if job.mine && !was_mine => Heard::ForMe {
                urgent: job.priority == JobPriority::Urgent,
            },
            (Some(b), JobStatus::Open) if job.mine && job.overdue && !b.overdue => Heard::Overdue,
            (Some(b), JobStatus::Done)
                if b.is_open()
                    && job.created_by.id == me
                    && job.closed_by.as_ref().is_some_and(|c| c.id != me) =>
            {
                Heard::MineDone {
                    by: job
                        .closed_by
                        .as_ref()
                        .map(|c| c.display_name.clone())
                        .unwrap_or_default(),
                    text: job.text.clone(),
                    patient: job.patient.clone(),
                }
            }
            _ => Heard::Nothing,
        };
        if !job.mine || !job.is_open() {
            self.seen.remove(&job.id);
        }
        self.jobs.insert(job.id, job);
        self.forget_old_closed();
        heard
    }

    fn forget_old_closed(&mut self) {
        let closed: Vec<(DateTime<Utc>, Uuid)> = self
            .jobs
            .values()
            .filter(|j| !j.is_open())
            .map(|j| (j.updated_at, j.id))
            .collect();
        if closed.len() > MOST_CLOSED {
            let mut closed = closed;
            closed.sort();
            for (_, id) in &closed[..closed.len() - MOST_CLOSED] {
                self.jobs.remove(id);
            }
        }
    }

    pub fn get(&self, id: Uuid) -> Option<&Job> {
        self.jobs.get(&id)
    }

    pub fn open(&self) -> impl Iterator<Item = &Job> {
        self.jobs.values().filter(|j| j.is_open())
    }

    pub fn all(&self) -> impl Iterator<Item = &Job> {
        self.jobs.values()
    }

    /// A patient's open jobs, in the order they are worked.
    pub fn open_for(&self, patient: &str, now: DateTime<Utc>) -> Vec<&Job> {
        let mut jobs: Vec<&Job> = self.open().filter(|j| j.patient == patient).collect();
        jobs.sort_by(|a, b| work_order(a, b, now));
        jobs
    }

    /// Each patient's open jobs, and whether one is overdue.
    pub fn counts(&self, now: DateTime<Utc>) -> HashMap<String, (u32, bool)> {
        let mut counts: HashMap<String, (u32, bool)> = HashMap::new();
        for job in self.open() {
            let c = counts.entry(job.patient.clone()).or_default();
            c.0 += 1;
            c.1 |= overdue(job, now);
        }
        counts
    }

    /// Urgent jobs for me not yet in view: the alert bar pulses for them.
    pub fn urgent_unseen(&self) -> Vec<&Job> {
        let mut jobs: Vec<&Job> = self
            .open()
            .filter(|j| j.mine && j.priority == JobPriority::Urgent && !self.seen.contains(&j.id))
            .collect();
        jobs.sort_by_key(|j| j.created_at);
        jobs
    }

    /// My jobs past their due time: a steady mark on the alert bar.
    pub fn overdue_mine(&self, now: DateTime<Utc>) -> Vec<&Job> {
        let mut jobs: Vec<&Job> = self.open().filter(|j| j.mine && overdue(j, now)).collect();
        jobs.sort_by_key(|j| j.due_at);
        jobs
    }

    /// These were on screen in the jobs pane: no more pulse for them.
    pub fn saw(&mut self, ids: impl IntoIterator<Item = Uuid>) {
        self.seen.extend(ids);
    }

    pub fn plan(&self, patient: &str) -> Option<&Plan> {
        self.plans.get(patient).filter(|p| !p.text.is_empty())
    }

    /// A plan as written now (an empty text: cleared). An older word never replaces a
    /// newer one (a detail read in flight while the plan was written).
    pub fn hear_plan(&mut self, plan: Plan) {
        match self.plans.get(&plan.patient) {
            Some(known) if known.written_at > plan.written_at => {}
            _ => {
                self.plans.insert(plan.patient.clone(), plan);
            }
        }
    }

    /// When the next of my jobs falls due, for a redraw then.
    pub fn next_due(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.open()
            .filter(|j| j.mine)
            .filter_map(|j| j.due_at)
            .filter(|d| *d > now)
            .min()
    }
}

/// Past due, by the server's word or this clock's.
pub fn overdue(job: &Job, now: DateTime<Utc>) -> bool {
    job.is_open() && (job.overdue || job.overdue_at(now))
}

/// Which jobs the pane shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum View {
    /// Mine and my roles'.
    #[default]
    Mine,
    /// My roles' alone.
    Roles,
    /// Everyone's on my teams' patients.
    Team,
    /// The selected patient's.
    Patient,
    /// Done and cancelled, this session.
    Closed,
}

impl View {
    pub const ALL: [View; 5] = [
        View::Mine,
        View::Roles,
        View::Team,
        View::Patient,
        View::Closed,
    ];

    pub fn label(self) -> &'static str {
        match self {
            View::Mine => "mine",
            View::Roles => "my roles",
            View::Team => "team",
            View::Patient => "this patient",
            View::Closed => "closed",
        }
    }

    pub fn next(self, back: bool) -> View {
        let i = Self::ALL.iter().position(|v| *v == self).unwrap_or(0);
        let n = Self::ALL.len();
        Self::ALL[if back { (i + n - 1) % n } else { (i + 1) % n }]
    }

    pub fn shows(self, job: &Job, patient: Option<&str>) -> bool {
        match self {
            View::Mine => job.is_open() && job.mine,
            View::Roles => {
                job.is_open() && job.mine && matches!(job.assignee, JobAssignee::Role { .. })
            }
            View::Team => job.is_open(),
            View::Patient => job.is_open() && Some(job.patient.as_str()) == patient,
            View::Closed => !job.is_open(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortBy {
    /// Overdue first, then soonest due (the order work is done in).
    #[default]
    Due,
    Priority,
    Bed,
}

impl SortBy {
    pub fn next(self) -> SortBy {
        match self {
            SortBy::Due => SortBy::Priority,
            SortBy::Priority => SortBy::Bed,
            SortBy::Bed => SortBy::Due,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SortBy::Due => "due",
            SortBy::Priority => "priority",
            SortBy::Bed => "bed",
        }
    }
}

/// The jobs a view shows, sorted; `bed` gives each patient's bed where known.
pub fn shown<'a>(
    book: &'a JobBook,
    view: View,
    patient: Option<&str>,
    sort: SortBy,
    bed: impl Fn(&str) -> Option<String>,
    now: DateTime<Utc>,
) -> Vec<&'a Job> {
    let mut jobs: Vec<&Job> = book.all().filter(|j| view.shows(j, patient)).collect();
    match (view, sort) {
        (View::Closed, _) => jobs.sort_by_key(|j| std::cmp::Reverse(j.updated_at)),
        (_, SortBy::Due) => jobs.sort_by(|a, b| work_order(a, b, now)),
        (_, SortBy::Priority) => jobs.sort_by(|a, b| {
            b.priority
                .cmp(&a.priority)
                .then_with(|| work_order(a, b, now))
        }),
        (_, SortBy::Bed) => jobs.sort_by(|a, b| {
            let (x, y) = (bed(&a.patient), bed(&b.patient));
            match (x, y) {
                (Some(x), Some(y)) => crate::model::natural_cmp(&x, &y),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => a.patient.cmp(&b.patient),
            }
            .then_with(|| work_order(a, b, now))
        }),
    }
    jobs
}

/// A due time as typed on the ward: empty (none), `14:00`/`1400`/`14` (today, or tomorrow
/// when that is more than an hour gone), `+30m`/`+2h`, `tomorrow 9:00`. In the
/// workstation's zone.
pub fn parse_due(
    text: &str,
    now: DateTime<Utc>,
    zone: FixedOffset,
) -> Result<Option<DateTime<Utc>>, String> {
    let text = text.trim().to_lowercase();
    if text.is_empty() {
        return Ok(None);
    }
    if let Some(rest) = text.strip_prefix('+') {
        let rest = rest.trim();
        let (n, unit) = rest.split_at(
            rest.find(|c: char| !c.is_ascii_digit())
                .unwrap_or(rest.len()),
        );
        let say = || format!("`{text}`: say +30m, +2h or +1d (60 days at most)");
        let n: i64 = n.parse().map_err(|_| say())?;
        let by = match unit.trim() {
            "m" | "min" | "mins" => Duration::try_minutes(n),
            "h" | "hr" | "hrs" => Duration::try_hours(n),
            "d" => Duration::try_days(n),
            _ => None,
        }
        .filter(|by| *by <= Duration::days(60))
        .ok_or_else(say)?;
        // To the minute, as it is shown.
        let at = now
            .checked_add_signed(by)
            .and_then(|t| t.with_second(0))
            .and_then(|t| t.with_nanosecond(0))
            .ok_or_else(say)?;
        return Ok(Some(at));
    }
    let (tomorrow, time) = match text
        .strip_prefix("tomorrow")
        .or_else(|| text.strip_prefix("tom"))
    {
        Some(rest) => (true, rest.trim()),
        None => (false, text.as_str()),
    };
    let time = parse_time(if time.is_empty() { "09:00" } else { time })
        .ok_or_else(|| format!("`{text}` is not a time: say 14:00, +2h or tomorrow 9:00"))?;
    let local_now = now.with_timezone(&zone);
    let mut day = local_now.date_naive();
    if tomorrow {
        day = day.succ_opt().unwrap_or(day);
    }
    let at = zone
        .from_local_datetime(&day.and_time(time))
        .single()
        .ok_or_else(|| format!("`{text}` is not a time on that day"))?
        .with_timezone(&Utc);
    if !tomorrow && at < now - Duration::hours(1) {
        return Ok(Some(at + Duration::days(1)));
    }
    Ok(Some(at))
}

fn parse_time(t: &str) -> Option<NaiveTime> {
    let t = t.trim();
    let digits: String = t.chars().filter(char::is_ascii_digit).collect();
    let (h, m) = match (t.split_once(':'), digits.len()) {
        (Some((h, m)), _) => (h.trim().parse().ok()?, m.trim().parse().ok()?),
        (None, 1 | 2) => (digits.parse().ok()?, 0),
        (None, 3 | 4) => {
            let (h, m) = digits.split_at(digits.len() - 2);
            (h.parse().ok()?, m.parse().ok()?)
        }
        _ => return None,
    };
    if t.chars().any(|c| !c.is_ascii_digit() && c != ':') {
        return None;
    }
    NaiveTime::from_hms_opt(h, m, 0)
}

/// What else is said of a job after its words: whom (`me` for my own, unless `by_name`:
/// a handover sheet is read by the next shift), or `role: NAME`; `due 14:00`; a priority
/// above routine; `OVERDUE`.
pub fn about(job: &Job, now: DateTime<Utc>, zone: FixedOffset, by_name: bool) -> String {
    let mut about = vec![match &job.assignee {
        JobAssignee::Role { .. } => format!("role: {}", job.assignee.name()),
        _ if job.mine && !by_name => "me".into(),
        _ => job.assignee.name().to_string(),
    }];
    if let Some(due) = job.due_at {
        about.push(format!("due {}", due_label(due, now, zone)));
    }
    if job.priority != JobPriority::Routine {
        about.push(job.priority.as_str().into());
    }
    if overdue(job, now) {
        about.push("OVERDUE".into());
    }
    about.join(", ")
}

/// How a due time reads on the ward: `14:00`, `tomorrow 09:00`, `3 Dec 09:00`.
pub fn due_label(due: DateTime<Utc>, now: DateTime<Utc>, zone: FixedOffset) -> String {
    let (d, n) = (due.with_timezone(&zone), now.with_timezone(&zone));
    let days = (d.date_naive() - n.date_naive()).num_days();
    match days {
        0 => d.format("%H:%M").to_string(),
        1 => d.format("tomorrow %H:%M").to_string(),
        -1 => d.format("yesterday %H:%M").to_string(),
        _ if d.year() != n.year() => d.format("%-d %b %Y %H:%M").to_string(),
        _ => d.format("%-d %b %H:%M").to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn due_times_read_as_the_ward_says_them() {
        let now = at("2026-12-01T10:30:00Z");
        let utc = FixedOffset::east_opt(0).unwrap();
        let due = |t: &str| parse_due(t, now, utc).unwrap();
        assert_eq!(due(""), None);
        assert_eq!(due("14:00"), Some(at("2026-12-01T14:00:00Z")));
        assert_eq!(due("1400"), Some(at("2026-12-01T14:00:00Z")));
        assert_eq!(due("14"), Some(at("2026-12-01T14:00:00Z")));
        // Just gone: today (overdue); long gone: tomorrow's.
        assert_eq!(due("10:00"), Some(at("2026-12-01T10:00:00Z")));
        assert_eq!(due("08:00"), Some(at("2026-12-02T08:00:00Z")));
        assert_eq!(due("+30m"), Some(at("2026-12-01T11:00:00Z")));
        assert_eq!(due("+2h"), Some(at("2026-12-01T12:30:00Z")));
        // A unit is asked for: is `+30` half an hour or a day and a bit?
        assert!(parse_due("+30", now, utc).is_err());
        assert!(
            parse_due("+100000000000h", now, utc).is_err(),
            "no overflow"
        );
        let odd = parse_due("+1m", at("2026-12-01T10:30:44Z"), utc).unwrap();
        assert_eq!(odd, Some(at("2026-12-01T10:31:00Z")), "to the minute");
        assert_eq!(due("tomorrow 9:00"), Some(at("2026-12-02T09:00:00Z")));
        assert_eq!(due("tomorrow"), Some(at("2026-12-02T09:00:00Z")));
        for bad in ["25:00", "soon", "+x", "14:00pm", "12345"] {
            assert!(parse_due(bad, now, utc).is_err(), "{bad}");
        }
        // In the workstation's zone.
        let bst = FixedOffset::east_opt(3600).unwrap();
        assert_eq!(
            parse_due("14:00", now, bst).unwrap(),
            Some(at("2026-12-01T13:00:00Z"))
        );
    }

    #[test]
    fn a_due_time_says_its_day_when_not_today() {
        let now = at("2026-12-01T10:30:00Z");
        let utc = FixedOffset::east_opt(0).unwrap();
        assert_eq!(due_label(at("2026-12-01T14:00:00Z"), now, utc), "14:00");
        assert_eq!(
            due_label(at("2026-12-02T09:00:00Z"), now, utc),
            "tomorrow 09:00"
        );
        assert_eq!(
            due_label(at("2026-12-05T09:00:00Z"), now, utc),
            "5 Dec 09:00"
        );
        assert_eq!(
            due_label(at("2027-12-01T09:00:00Z"), now, utc),
            "1 Dec 2027 09:00"
        );
    }
}
