//! Who reaches what across organisations.
//!
//! - Recruiters belong to an organisation and postings belong to one (their author's,
//!   else the default organisation). A posting is changed, and its applications are seen
//!   and moved, by the recruiters of its organisation and by admins; anyone else gets the
//!   404 a missing posting or application gets. An API key acts for the organisation of the user who created it.
//! - Candidates: a profile that is not private is seen by every recruiter; a private one
//!   only by the recruiters of organisations the candidate applied to (and by the
//!   candidate and admins). This holds wherever a person appears: profile and resume
//!   reads, resume lists, resume search, similar candidates, candidates for a posting and
//!   jobs for a person.

use std::collections::HashSet;

use super::PortalError;
use crate::auth::AuthUser;
use intellicv_core::Role;
use intellicv_store::{CandidateReach, JobRecord, ResumeRecord, Store};

/// What a recruiter or admin reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// Admins: everything.
    All,
    /// A recruiter (or a recruiter API key): this organisation's postings and what they
    /// reach; `None`, a caller without an organisation, reaches no application.
    Organisation(Option<i64>),
}

impl Reach {
    /// Whether a posting of `organisation` is within reach.
    pub fn covers(self, organisation: Option<i64>) -> bool {
        match self {
            Reach::All => true,
            Reach::Organisation(mine) => mine.is_some() && mine == organisation,
        }
    }

    pub fn candidates(self) -> CandidateReach {
        match self {
            Reach::All => CandidateReach::Everyone,
            Reach::Organisation(org) => CandidateReach::Organisation(org),
        }
    }
}

/// The reach of a caller (for candidates: no organisation, so no other candidate's
/// private profile).
pub async fn reach(store: &Store, auth: &AuthUser) -> Result<Reach, PortalError> {
    if auth.is_admin() {
        return Ok(Reach::All);
    }
    let org = match (auth.user_id(), auth.api_key_id()) {
        (Some(user), _) => store.user_organisation(user).await?,
        (None, Some(key)) => store.api_key_organisation(key).await?,
        (None, None) => None,
    };
    Ok(Reach::Organisation(org))
}

/// Whether the caller may change `job`: admins, its author, and the recruiters of its
/// organisation.
pub async fn may_change_posting(
    store: &Store,
    auth: &AuthUser,
    job: &JobRecord,
) -> Result<bool, PortalError> {
    if auth.require(Role::Recruiter).is_err() {
        return Ok(false);
    }
    if auth.is_admin() || (job.created_by.is_some() && job.created_by == auth.user_id()) {
        return Ok(true);
    }
    Ok(reach(store, auth).await?.covers(job.organisation_id))
}

/// Whether the caller may see candidate `user_id` (their profile, resumes, matches): the
/// candidate, admins, and recruiters their profile's visibility lets in.
pub async fn may_see_candidate(
    store: &Store,
    auth: &AuthUser,
    user_id: i64,
) -> Result<bool, PortalError> {
    if auth.is_admin() || auth.user_id() == Some(user_id) {
        return Ok(true);
    }
    if auth.require(Role::Recruiter).is_err() {
        return Ok(false);
    }
    match reach(store, auth).await? {
        Reach::All => Ok(true),
        Reach::Organisation(org) => Ok(store.candidate_visible_to(user_id, org).await?),
    }
}

/// Whether the caller may read `resume`: its owner and admins, and recruiters when its
/// owner is visible to them (resumes without an owner, the admins' pool, are).
pub async fn may_see_resume(
    store: &Store,
    auth: &AuthUser,
    resume: &ResumeRecord,
) -> Result<bool, PortalError> {
    match resume.owner_id {
        Some(owner) => may_see_candidate(store, auth, owner).await,
        None => Ok(auth.require(Role::Recruiter).is_ok()),
    }
}

/// The resumes the caller may not see in lists of candidates (search, similar,
/// candidates for a posting); empty for admins.
pub async fn hidden_resumes(store: &Store, auth: &AuthUser) -> Result<HashSet<i64>, PortalError> {
    match reach(store, auth).await? {
        Reach::All => Ok(HashSet::new()),
        Reach::Organisation(org) => Ok(store.resumes_hidden_from(org).await?.into_iter().collect()),
    }
}
