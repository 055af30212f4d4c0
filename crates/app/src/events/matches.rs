//! New-match notifications: when a posting opens, each connected user whose resumes
//! match it at least as well as their threshold hears about it (`match.new`).
//!
//! Only users with an open `/ws/user` connection are scored (nobody else would receive
//! the event), with the matcher's pair explanation (two stored vectors and the scoring
//! model; the vector work runs on the blocking pool), a few resumes per user.

use std::sync::Arc;

use serde_json::json;

use super::{Audience, EventHub, RealtimeSettings, kinds};
use crate::matching::MatchOptions;
use crate::matching::service::{MatchError, Matcher};
use intellicv_core::PostingStatus;
use intellicv_store::{JobRecord, Store, StoreError};

/// Scores `job` against the latest parsed resumes of every connected user (but its
/// author) and publishes `match.new` to those at or above their threshold. Returns how
/// many users were told.
pub async fn announce_posting(
    hub: &EventHub,
    store: &Store,
    matcher: &Matcher,
    settings: &RealtimeSettings,
    job: &JobRecord,
) -> Result<usize, StoreError> {
    if job.status != PostingStatus::Open {
        return Ok(0);
    }
    let mut told = 0;
    for user_id in hub.connected_users() {
        if job.created_by == Some(user_id) {
            continue;
        }
        let threshold = store
            .match_alert_threshold(user_id)
            .await?
            .unwrap_or(settings.match_threshold);
        let resumes = store
            .latest_parsed_resumes(user_id, settings.match_resumes_per_user as i64)
            .await?;
        let mut best: Option<(i64, f32, Vec<String>)> = None;
        for resume_id in resumes {
            match matcher
                .explain(resume_id, job.id, MatchOptions::default())
                .await
            {
                Ok(e) if best.as_ref().is_none_or(|(_, s, _)| e.score > *s) => {
                    let skills = e.matched_skills.iter().map(|s| s.label.clone()).collect();
                    best = Some((resume_id, e.score, skills));
                }
                Ok(_) | Err(MatchError::NotParsed(_) | MatchError::NotFound(_)) => {}
                Err(error) => {
                    tracing::warn!(%error, resume.id = resume_id, job.id = job.id, "cannot score a new posting for a notification");
                }
            }
        }
        let Some((resume_id, score, matched_skills)) = best else {
            continue;
        };
        if f64::from(score) < threshold {
            continue;
        }
        let data = json!({
            "job_id": job.id,
            "title": job.title,
            "company": job.company,
            "location": job.location,
            "resume_id": resume_id,
            "score": score,
            "threshold": threshold,
            "matched_skills": matched_skills,
        });
        if hub.publish(Audience::User(user_id), kinds::NEW_MATCH, data) > 0 {
            told += 1;
        }
    }
    Ok(told)
}

/// What announcing new postings needs; owned and cheap to clone, so each announcement
/// runs in a task of its own.
#[derive(Clone)]
pub struct PostingAnnouncer {
    pub hub: Arc<EventHub>,
    pub store: Store,
    pub matcher: Arc<Matcher>,
    pub settings: RealtimeSettings,
}

impl PostingAnnouncer {
    /// Announces `job` (if it is open) to the connected users it matches, in a task of its
    /// own (see [`spawn_announce_posting`]).
    pub fn announce(&self, job: JobRecord) {
        spawn_announce_posting(
            self.hub.clone(),
            self.store.clone(),
            self.matcher.clone(),
            self.settings.clone(),
            job,
        );
    }
}

/// [`announce_posting`] in a task of its own, so the request that created the posting
/// does not wait for it; failures are logged.
fn spawn_announce_posting(
    hub: Arc<EventHub>,
    store: Store,
    matcher: Arc<Matcher>,
    settings: RealtimeSettings,
    job: JobRecord,
) {
    if hub.connected_users().is_empty() {
        return;
    }
    tokio::spawn(async move {
        match announce_posting(&hub, &store, &matcher, &settings, &job).await {
            Ok(told) => {
                tracing::debug!(job.id = job.id, users = told, "new posting announced");
            }
            Err(error) => {
                tracing::warn!(%error, job.id = job.id, "cannot announce a new posting");
            }
        }
    });
}
