//! Profiles: read (the user, admins, and recruiters for candidates who let them), replace
//! (the user and admins), and the caller's skills: added, rated and removed by ESCO id or by
//! free text normalised to ESCO with the skills gazetteer.

use crate::telemetry::spawn_blocking_with_span;
use std::collections::HashSet;
use std::sync::Arc;

use super::PortalError;
use crate::auth::AuthUser;
use crate::matching::CandidatePreferences;
use crate::matching::service::CandidateExtras;
use intellicv_core::{
    ExtractedSkill, MAX_SKILL_CHANGES, ProfileInput, ProfileVisibility, RemoteMode, Role,
    SkillAction, SkillChange, SkillChangeInput, SkillMethod, SkillRef, ValidationError,
};
use intellicv_skills::SkillExtractor;
use intellicv_store::{ProfileRecord, ProfileSkillWrite, Store};

/// Most skills one profile holds.
pub const MAX_PROFILE_SKILLS: usize = 200;

/// The profile of `user_id`, if the caller may read it: its owner and admins always,
/// recruiters when it is a candidate's profile visible to recruiters, or a private one of
/// a candidate who applied to their organisation. Anyone else gets the 404 a missing
/// profile gets.
pub async fn get(
    store: &Store,
    auth: &AuthUser,
    user_id: i64,
) -> Result<ProfileRecord, PortalError> {
    let profile = store.get_profile(user_id).await?;
    let own = auth.is_admin() || auth.user_id() == Some(user_id);
    let recruiter_may = auth.require(Role::Recruiter).is_ok()
        && profile.role == Role::Candidate.as_str()
        && (profile.visibility == ProfileVisibility::Recruiters.as_str()
            || super::organisations::may_see_candidate(store, auth, user_id).await?);
    if own || recruiter_may {
        Ok(profile)
    } else {
        Err(PortalError::NotFound("profile"))
    }
}

/// Replaces the editable profile of `user_id` (the user and admins).
pub async fn update(
    store: &Store,
    auth: &AuthUser,
    user_id: i64,
    input: ProfileInput,
) -> Result<ProfileRecord, PortalError> {
    auth.owns_or_admin(user_id, "profile")?;
    let update = input.parse()?;
    store.update_profile(user_id, &update).await?;
    Ok(store.get_profile(user_id).await?)
}

/// What the profile of `user_id` adds when matching jobs for them: the stated skills, and
/// the preferences the scoring model reads (desired salary, places, remote only).
pub async fn match_extras(store: &Store, user_id: i64) -> Result<CandidateExtras, PortalError> {
    let profile = store.get_profile(user_id).await?;
    let p = profile.preferences;
    let stated = p.desired_salary_min.is_some()
        || !p.desired_locations.is_empty()
        || !p.remote_modes.is_empty();
    let preferences = stated.then(|| CandidatePreferences {
        desired_salary_yearly: p.desired_salary_min,
        salary_currency: p.desired_salary_currency,
        locations: p.desired_locations,
        remote_only: p.remote_modes == [RemoteMode::Remote],
    });
    let stated_skills = profile
        .skills
        .into_iter()
        .map(|s| ExtractedSkill {
            uri: s.esco_id,
            label: s.label,
            confidence: 1.0,
            method: SkillMethod::User,
            evidence: Vec::new(),
        })
        .collect();
    Ok(CandidateExtras {
        preferences,
        stated_skills,
    })
}

/// Applies skill changes to the caller's own profile, all or none.
pub async fn update_skills(
    store: &Store,
    skills: &Arc<SkillExtractor>,
    auth: &AuthUser,
    changes: Vec<SkillChangeInput>,
) -> Result<ProfileRecord, PortalError> {
    let user_id = auth.require_user()?;
    if changes.is_empty() || changes.len() > MAX_SKILL_CHANGES {
        return Err(ValidationError::new(
            "changes",
            format!("give 1 to {MAX_SKILL_CHANGES} changes"),
        )
        .into());
    }
    let changes = changes
        .into_iter()
        .enumerate()
        .map(|(i, c)| c.parse(i))
        .collect::<Result<Vec<_>, _>>()?;
    let extractor = skills.clone();
    let resolved = spawn_blocking_with_span(move || resolve_all(&extractor, changes)).await??;
    let current = store.profile_skills(user_id).await?;
    let writes = plan_writes(
        current.iter().map(|s| s.esco_id.clone()).collect(),
        resolved,
    )?;
    store.write_profile_skills(user_id, &writes).await?;
    Ok(store.get_profile(user_id).await?)
}

/// A change with its skill reference resolved to skills of the taxonomy.
#[derive(Debug, Clone, PartialEq)]
struct Resolved {
    index: usize,
    action: SkillAction,
    /// `(uri, label)` of every skill the reference names.
    skills: Vec<(String, String)>,
    source_text: Option<String>,
}

fn resolve_all(
    extractor: &SkillExtractor,
    changes: Vec<SkillChange>,
) -> Result<Vec<Resolved>, ValidationError> {
    changes
        .into_iter()
        .enumerate()
        .map(|(index, change)| resolve(extractor, index, change))
        .collect()
}

/// Looks an id up, or normalises free text (read as a skills-section line, so short names
/// such as `Go` count) into the skills it names.
fn resolve(
    extractor: &SkillExtractor,
    index: usize,
    change: SkillChange,
) -> Result<Resolved, ValidationError> {
    let (skills, source_text) = match change.skill {
        SkillRef::Id(uri) => {
            let label = extractor.skill_label(&uri).ok_or_else(|| {
                ValidationError::new(
                    "esco_id",
                    format!("change {index}: {uri:?} is not a skill id of the taxonomy"),
                )
            })?;
            (vec![(uri, label.to_owned())], None)
        }
        SkillRef::Text(text) => {
            let mut found: Vec<(String, String)> = Vec::new();
            for skill in extractor.extract_in(&text, 0, Some("skills")) {
                if !found.iter().any(|(uri, _)| *uri == skill.uri) {
                    found.push((skill.uri, skill.label));
                }
            }
            if found.is_empty() {
                return Err(ValidationError::new(
                    "text",
                    format!(
                        "change {index}: {text:?} names no skill of ESCO or the technology list"
                    ),
                ));
            }
            (found, Some(text))
        }
    };
    Ok(Resolved {
        index,
        action: change.action,
        skills,
        source_text,
    })
}

/// The store writes for resolved changes applied in order to a profile holding `held`;
/// rating a skill the profile does not hold, and going over [`MAX_PROFILE_SKILLS`], are
/// validation errors.
fn plan_writes(
    mut held: HashSet<String>,
    changes: Vec<Resolved>,
) -> Result<Vec<ProfileSkillWrite>, ValidationError> {
    let mut writes = Vec::new();
    for change in changes {
        for (uri, label) in change.skills {
            match change.action {
                SkillAction::Add { rating } => {
                    held.insert(uri.clone());
                    writes.push(ProfileSkillWrite::Upsert {
                        uri,
                        label,
                        rating,
                        source_text: change.source_text.clone(),
                    });
                }
                SkillAction::Rate { rating } => {
                    if !held.contains(&uri) {
                        let field = if change.source_text.is_some() {
                            "text"
                        } else {
                            "esco_id"
                        };
                        return Err(ValidationError::new(
                            field,
                            format!(
                                "change {}: {label} is not in the profile; add it first",
                                change.index
                            ),
                        ));
                    }
                    writes.push(ProfileSkillWrite::Rate { uri, rating });
                }
                SkillAction::Remove => {
                    held.remove(&uri);
                    writes.push(ProfileSkillWrite::Remove { uri });
                }
            }
        }
    }
    if held.len() > MAX_PROFILE_SKILLS {
        return Err(ValidationError::new(
            "changes",
            format!("a profile holds at most {MAX_PROFILE_SKILLS} skills"),
        ));
    }
    Ok(writes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolved(index: usize, action: SkillAction, uri: &str) -> Resolved {
        Resolved {
            index,
            action,
            skills: vec![(uri.to_owned(), format!("label of {uri}"))],
            source_text: None,
        }
    }

    #[test]
    fn changes_apply_in_order_and_rating_needs_the_skill_held() {
        let held: HashSet<String> = ["a".to_owned()].into();
        let writes = plan_writes(
            held.clone(),
            vec![
                resolved(0, SkillAction::Add { rating: None }, "b"),
                resolved(1, SkillAction::Rate { rating: 5 }, "b"),
                resolved(2, SkillAction::Remove, "a"),
            ],
        )
        .unwrap();
        assert_eq!(writes.len(), 3);
        let err = plan_writes(
            held,
            vec![
                resolved(0, SkillAction::Remove, "a"),
                resolved(1, SkillAction::Rate { rating: 2 }, "a"),
            ],
        )
        .unwrap_err();
        assert_eq!(err.field, "esco_id");
        assert!(err.reason.starts_with("change 1: "), "{err}");
    }

    #[test]
    fn a_profile_holds_a_bounded_number_of_skills() {
        let held: HashSet<String> = (0..MAX_PROFILE_SKILLS).map(|i| i.to_string()).collect();
        let err = plan_writes(
            held,
            vec![resolved(0, SkillAction::Add { rating: None }, "new")],
        )
        .unwrap_err();
        assert_eq!(err.field, "changes");
    }
}
