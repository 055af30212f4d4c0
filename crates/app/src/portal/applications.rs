//! Applying to postings, listing and reading applications, withdrawing them (the
//! candidate) and moving them through the pipeline (recruiters and admins).
//!
//! Candidates see only their own applications; anyone else's answers like a missing one.
//! Recruiters see and move the applications to their organisation's postings, admins all
//! of them (see [`super::organisations`]); an application out of reach answers like a
//! missing one, as a posting of another recruiter does.

use serde::Serialize;

use super::organisations::{self, Reach};
use super::{PortalError, note_text};
use crate::auth::AuthUser;
use crate::events::{Audience, EventHub, kinds};
use crate::matching::MatchOptions;
use crate::matching::service::{MatchError, Matcher};
use intellicv_core::{ApplicationStatus, Mover, Role, ValidationError};
use intellicv_store::{
    ApplicationQuery, ApplicationRecord, NewApplication, StatusChangeRecord, Store,
};

pub const MAX_COVER_NOTE_CHARS: usize = 5000;
pub const MAX_STATUS_NOTE_CHARS: usize = 1000;

/// One application with its status history.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ApplicationView {
    #[serde(flatten)]
    pub application: ApplicationRecord,
    pub history: Vec<StatusChangeRecord>,
}

#[derive(Debug, Clone)]
pub struct ApplyInput<'a> {
    pub job_id: i64,
    pub resume_id: i64,
    pub cover_note: Option<&'a str>,
}

/// A status change that happened (for the audit log).
#[derive(Debug, Clone)]
pub struct Moved {
    pub view: ApplicationView,
    pub from: ApplicationStatus,
    pub to: ApplicationStatus,
    pub note: Option<String>,
}

/// Recruiters and admins (each within their reach).
fn is_staff(auth: &AuthUser) -> bool {
    auth.require(Role::Recruiter).is_ok()
}

/// A candidate applies to an open posting with one of their own resumes. A second
/// application to the same posting (with any resume) is a conflict.
pub async fn apply(
    store: &Store,
    matcher: &Matcher,
    auth: &AuthUser,
    input: ApplyInput<'_>,
) -> Result<ApplicationView, PortalError> {
    auth.require(Role::Candidate)?;
    let user_id = auth.require_user()?;
    let cover_note = note_text(input.cover_note, "cover_note", MAX_COVER_NOTE_CHARS)?;
    let resume = store.get_resume(input.resume_id).await?;
    if resume.owner_id != Some(user_id) {
        return Err(PortalError::NotFound("resume"));
    }
    let job = store.get_job(input.job_id).await?;
    match job.status.as_str() {
        "open" => {}
        "draft" => return Err(PortalError::NotFound("job")),
        _ => {
            return Err(ValidationError::new("job_id", "the job is closed to applications").into());
        }
    }
    if job.valid_through.is_some_and(|t| t < chrono::Utc::now()) {
        return Err(ValidationError::new("job_id", "the job's closing date has passed").into());
    }
    let match_score = score(matcher, resume.id, job.id).await;
    let record = store
        .insert_application(&NewApplication {
            user_id,
            job_id: job.id,
            resume_id: resume.id,
            cover_note,
            match_score,
        })
        .await
        .map_err(|e| match e {
            intellicv_store::StoreError::Conflict { .. } => PortalError::Conflict {
                code: "already_applied",
                message: "you have already applied to this job".to_owned(),
            },
            e => e.into(),
        })?;
    with_history(store, record).await
}

/// The match score (0-100) of the pair, or `None` when it cannot be computed (a resume
/// whose parse failed, or one the indexes do not hold yet). Scoring one pair reads two
/// stored vectors and runs the scoring model: a few milliseconds.
async fn score(matcher: &Matcher, resume_id: i64, job_id: i64) -> Option<f64> {
    match matcher
        .explain(resume_id, job_id, MatchOptions::default())
        .await
    {
        Ok(explanation) => Some(f64::from(explanation.score)),
        Err(MatchError::NotParsed(_) | MatchError::NotFound(_)) => None,
        Err(error) => {
            tracing::warn!(%error, resume.id = resume_id, job.id = job_id, "cannot score an application");
            None
        }
    }
}

async fn with_history(
    store: &Store,
    application: ApplicationRecord,
) -> Result<ApplicationView, PortalError> {
    let history = store.application_history(application.id).await?;
    Ok(ApplicationView {
        application,
        history,
    })
}

/// Applications the caller may see: a candidate's own (whatever `query.user_id` says),
/// those to their organisation's postings for recruiters, everyone's for admins. A
/// `job_id` naming a posting out of the caller's reach is a 404, as for a missing one.
pub async fn list(
    store: &Store,
    auth: &AuthUser,
    mut query: ApplicationQuery,
) -> Result<(Vec<ApplicationRecord>, i64), PortalError> {
    if !is_staff(auth) {
        query.user_id = Some(auth.require_user()?);
        return Ok(store.list_applications(&query).await?);
    }
    let reach = organisations::reach(store, auth).await?;
    if let (Some(job_id), Reach::Organisation(_)) = (query.job_id, reach) {
        let job = store.get_job(job_id).await?;
        if !reach.covers(job.organisation_id) {
            return Err(PortalError::NotFound("job"));
        }
    }
    match reach {
        Reach::All => {}
        Reach::Organisation(None) => return Ok((Vec::new(), 0)),
        Reach::Organisation(Some(org)) => query.organisation_id = Some(org),
    }
    Ok(store.list_applications(&query).await?)
}

/// Loads an application the caller may see: the candidate's own, and for staff those
/// within their reach (404 for any other).
async fn visible(
    store: &Store,
    auth: &AuthUser,
    id: i64,
) -> Result<ApplicationRecord, PortalError> {
    let application = store.get_application(id).await?;
    if auth.user_id() == Some(application.user_id) {
        return Ok(application);
    }
    if is_staff(auth)
        && organisations::reach(store, auth)
            .await?
            .covers(application.organisation_id)
    {
        return Ok(application);
    }
    Err(PortalError::NotFound("application"))
}

pub async fn get(store: &Store, auth: &AuthUser, id: i64) -> Result<ApplicationView, PortalError> {
    let application = visible(store, auth, id).await?;
    with_history(store, application).await
}

/// The candidate withdraws their own open application.
pub async fn withdraw(
    store: &Store,
    events: &EventHub,
    auth: &AuthUser,
    id: i64,
    note: Option<&str>,
) -> Result<Moved, PortalError> {
    let application = visible(store, auth, id).await?;
    if auth.user_id() != Some(application.user_id) {
        return Err(PortalError::Forbidden(
            "only the candidate who applied can withdraw an application",
        ));
    }
    let moved = move_to(
        store,
        auth,
        application,
        ApplicationStatus::Withdrawn,
        Mover::Candidate,
        note,
    )
    .await?;
    notify(store, events, auth, &moved).await;
    Ok(moved)
}

/// A recruiter or admin moves an application through the pipeline.
pub async fn set_status(
    store: &Store,
    events: &EventHub,
    auth: &AuthUser,
    id: i64,
    to: &str,
    note: Option<&str>,
) -> Result<Moved, PortalError> {
    auth.require(Role::Recruiter)?;
    let to: ApplicationStatus = to.parse()?;
    let application = visible(store, auth, id).await?;
    let moved = move_to(store, auth, application, to, Mover::Recruiter, note).await?;
    notify(store, events, auth, &moved).await;
    Ok(moved)
}

/// Tells the candidate (`application.status_changed` on their `/ws/user` stream), and
/// the posting's author when someone else made the change (a withdrawal, an admin's
/// move).
async fn notify(store: &Store, events: &EventHub, auth: &AuthUser, moved: &Moved) {
    let application = &moved.view.application;
    let data = serde_json::json!({
        "application_id": application.id,
        "job_id": application.job_id,
        "candidate_id": application.user_id,
        "from": moved.from,
        "to": moved.to,
        "note": moved.note,
        "changed_by": auth.user_id(),
    });
    let mut audiences = vec![application.user_id];
    match store.get_job(application.job_id).await {
        Ok(job) => audiences
            .extend(job.created_by.filter(|author| {
                Some(*author) != auth.user_id() && *author != application.user_id
            })),
        Err(error) => {
            tracing::warn!(%error, job.id = application.job_id, "cannot find the posting of a changed application");
        }
    }
    for user in audiences {
        events.publish(
            Audience::User(user),
            kinds::APPLICATION_STATUS,
            data.clone(),
        );
    }
}

async fn move_to(
    store: &Store,
    auth: &AuthUser,
    application: ApplicationRecord,
    to: ApplicationStatus,
    by: Mover,
    note: Option<&str>,
) -> Result<Moved, PortalError> {
    let note = note_text(note, "note", MAX_STATUS_NOTE_CHARS)?;
    let from: ApplicationStatus = application.status.parse()?;
    from.check_transition(to, by)?;
    let moved = store
        .change_application_status(application.id, from, to, auth.user_id(), note.as_deref())
        .await?
        .ok_or_else(|| PortalError::Conflict {
            code: "status_changed",
            message: "the application's status changed meanwhile; read it again".to_owned(),
        })?;
    Ok(Moved {
        view: with_history(store, moved).await?,
        from,
        to,
        note,
    })
}
