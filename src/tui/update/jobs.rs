//! The round's work arriving: the open jobs loaded, a job or a plan heard of on the event
//! stream (everyone on the patient's teams hears each change), and what each means here:
//! the jobs column, the pane, the detail pane, the sheet, the alert bar and the bell.

use crate::model::{Job, Plan};
use crate::tui::action::Effect;
use crate::tui::app::{App, Overlay};
use crate::tui::components::{handover, job_form, jobs_pane};
use crate::tui::jobs::Heard;

pub(super) fn loaded(app: &mut App, jobs: Vec<Job>) -> Vec<Effect> {
    app.jobs.load(jobs);
    show(app);
    handover::stale(app)
}

/// A job as it is now (from the stream, or the answer to a change made here).
pub(super) fn heard(app: &mut App, job: Job) -> Vec<Effect> {
    let heard = app.jobs.hear(job, app.me.id);
    show(app);
    let mut effects = handover::stale(app);
    match heard {
        Heard::ForMe { urgent } => {
            // The bell and the desktop say only that there is work: never for whom.
            let what = if urgent { "An urgent job" } else { "A job" };
            if urgent {
                effects.push(Effect::Notify(format!(
                    "{what} for you — {}",
                    app.team_label
                )));
            }
            app.notice = Some(format!("{what} for you: :jobs shows it."));
        }
        Heard::MineDone { by, text, patient } => {
            let label = app.patient_label(&patient);
            app.notice = Some(format!("{by} did “{text}” ({label})."));
        }
        Heard::Overdue => {
            app.notice = Some("A job of yours is overdue: :jobs shows it.".into());
        }
        Heard::Nothing => {}
    }
    effects
}

/// The answer to a job made or changed here.
pub(super) fn saved(app: &mut App, result: Result<Job, String>) -> Vec<Effect> {
    if job_form::saved(app, &result) {
        return match result {
            Ok(job) => heard(app, job),
            Err(_) => Vec::new(),
        };
    }
    match result {
        Ok(job) => {
            let what = match job.status {
                crate::model::JobStatus::Done => format!("Done: “{}”.", job.text),
                crate::model::JobStatus::Cancelled => format!("Cancelled: “{}”.", job.text),
                crate::model::JobStatus::Open => {
                    format!("“{}” is for {} now.", job.text, job.assignee.name())
                }
            };
            let effects = heard(app, job);
            app.notice = Some(what);
            effects
        }
        Err(e) => {
            app.notice = Some(format!("Job not changed: {e}"));
            Vec::new()
        }
    }
}

pub(super) fn plan_heard(app: &mut App, plan: Plan) -> Vec<Effect> {
    app.jobs.hear_plan(plan);
    handover::stale(app)
}

pub(super) fn plan_saved(app: &mut App, result: Result<Plan, String>) -> Vec<Effect> {
    match result {
        Ok(plan) => {
            app.notice = Some(if plan.text.is_empty() {
                "Plan cleared.".into()
            } else {
                "Plan saved.".into()
            });
            plan_heard(app, plan)
        }
        Err(e) => {
            app.notice = Some(format!("Plan not saved: {e}"));
            Vec::new()
        }
    }
}

/// What the book says, where it shows: the jobs column, and the pane's cursor.
fn show(app: &mut App) {
    let counts = app.jobs.counts(app.now);
    app.patients.show_jobs(&counts);
    if matches!(app.overlay, Overlay::Jobs(_)) {
        jobs_pane::keep_selection_shown(app);
    }
}

/// After every update: urgent jobs on screen in the pane no longer pulse; overdue ones
/// turn the column's mark on as the clock passes their time.
pub(super) fn in_view(app: &mut App) {
    if matches!(app.overlay, Overlay::Jobs(_)) && !app.locked() {
        let shown: Vec<uuid::Uuid> = jobs_pane::visible(app)
            .iter()
            .filter(|j| j.mine)
            .map(|j| j.id)
            .collect();
        app.jobs.saw(shown);
    }
    if app.jobs.loaded {
        let counts = app.jobs.counts(app.now);
        app.patients.show_jobs(&counts);
    }
}
