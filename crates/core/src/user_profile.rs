//! A user's job-portal profile as they write it, and the skill changes they ask for.
//! Input becomes a validated value through `parse`, or a [`ValidationError`] naming the
//! field.

use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::{EmploymentType, RemoteMode, ValidationError};

pub const MAX_HEADLINE_CHARS: usize = 200;
pub const MAX_LOCATION_CHARS: usize = 200;
pub const MAX_LIST_ITEMS: usize = 20;
pub const MAX_ROLE_CHARS: usize = 100;
pub const MAX_SKILL_TEXT_CHARS: usize = 200;
pub const MAX_SKILL_CHANGES: usize = 100;
/// Largest desired salary accepted (per year, any currency).
pub const MAX_SALARY: f64 = 100_000_000.0;

/// Who may read a profile besides its owner and admins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProfileVisibility {
    /// Nobody else.
    Private,
    /// Recruiters too (the default).
    Recruiters,
}

impl ProfileVisibility {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Private => "private",
            Self::Recruiters => "recruiters",
        }
    }
}

impl FromStr for ProfileVisibility {
    type Err = ValidationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "private" => Ok(Self::Private),
            "recruiters" => Ok(Self::Recruiters),
            _ => Err(ValidationError::new(
                "visibility",
                "must be private or recruiters",
            )),
        }
    }
}

/// What a candidate is looking for (stored in `user_preferences`; the matcher's
/// preferences come from here).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct JobPreferences {
    pub desired_roles: Vec<String>,
    pub desired_locations: Vec<String>,
    pub remote_modes: Vec<RemoteMode>,
    pub employment_types: Vec<EmploymentType>,
    /// Per year.
    pub desired_salary_min: Option<f64>,
    /// ISO 4217 code such as `GBP`.
    pub desired_salary_currency: Option<String>,
}

/// The body of a profile update: the whole editable profile (a field left out is cleared or
/// set to its default, as PUT replaces).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileInput {
    pub display_name: Option<String>,
    pub headline: Option<String>,
    pub location: Option<String>,
    #[serde(default)]
    pub desired_roles: Vec<String>,
    #[serde(default)]
    pub desired_locations: Vec<String>,
    /// `remote`, `hybrid`, `onsite`.
    #[serde(default)]
    pub remote_modes: Vec<String>,
    /// `full_time`, `part_time`, `contract`, `temporary`, `internship`, `volunteer`, `other`.
    #[serde(default)]
    pub employment_types: Vec<String>,
    /// Per year.
    pub desired_salary_min: Option<f64>,
    /// ISO 4217 code such as `GBP`.
    pub desired_salary_currency: Option<String>,
    /// `private` or `recruiters` (the default).
    pub visibility: Option<String>,
    #[serde(default)]
    pub open_to_work: bool,
}

/// A validated profile update.
#[derive(Debug, Clone, PartialEq)]
pub struct ProfileUpdate {
    pub display_name: Option<String>,
    pub headline: Option<String>,
    pub location: Option<String>,
    pub visibility: ProfileVisibility,
    pub open_to_work: bool,
    pub preferences: JobPreferences,
}

impl ProfileInput {
    pub fn parse(self) -> Result<ProfileUpdate, ValidationError> {
        let display_name = crate::parse_display_name(self.display_name.as_deref())?;
        let headline = optional_text(self.headline, "headline", MAX_HEADLINE_CHARS)?;
        let location = optional_text(self.location, "location", MAX_LOCATION_CHARS)?;
        let desired_roles = text_list(self.desired_roles, "desired_roles", MAX_ROLE_CHARS)?;
        let desired_locations = text_list(
            self.desired_locations,
            "desired_locations",
            MAX_LOCATION_CHARS,
        )?;
        let remote_modes = enum_list(self.remote_modes, "remote_modes", |m: &RemoteMode| {
            *m != RemoteMode::Unknown
        })?;
        let employment_types = enum_list(
            self.employment_types,
            "employment_types",
            |t: &EmploymentType| *t != EmploymentType::Unknown,
        )?;
        if let Some(min) = self.desired_salary_min
            && !(min.is_finite() && (0.0..=MAX_SALARY).contains(&min))
        {
            return Err(ValidationError::new(
                "desired_salary_min",
                format!("must be a number from 0 to {MAX_SALARY}"),
            ));
        }
        let currency = optional_text(self.desired_salary_currency, "desired_salary_currency", 3)?;
        if let Some(c) = &currency
            && !(c.len() == 3 && c.chars().all(|ch| ch.is_ascii_uppercase()))
        {
            return Err(ValidationError::new(
                "desired_salary_currency",
                "must be an ISO 4217 code such as GBP",
            ));
        }
        if currency.is_some() && self.desired_salary_min.is_none() {
            return Err(ValidationError::new(
                "desired_salary_currency",
                "give desired_salary_min with it",
            ));
        }
        let visibility = match self.visibility.as_deref() {
            None => ProfileVisibility::Recruiters,
            Some(raw) => raw.parse()?,
        };
        Ok(ProfileUpdate {
            display_name,
            headline,
            location,
            visibility,
            open_to_work: self.open_to_work,
            preferences: JobPreferences {
                desired_roles,
                desired_locations,
                remote_modes,
                employment_types,
                desired_salary_min: self.desired_salary_min,
                desired_salary_currency: currency,
            },
        })
    }
}

/// Trimmed text of at most `max` characters; empty is `None`.
fn optional_text(
    raw: Option<String>,
    field: &'static str,
    max: usize,
) -> Result<Option<String>, ValidationError> {
    let Some(raw) = raw else { return Ok(None) };
    let text = raw.trim();
    if text.chars().count() > max {
        return Err(ValidationError::new(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    if text.chars().any(char::is_control) {
        return Err(ValidationError::new(
            field,
            "must not contain control characters",
        ));
    }
    Ok((!text.is_empty()).then(|| text.to_owned()))
}

/// Trimmed, non-empty, distinct (case-insensitively) entries, at most [`MAX_LIST_ITEMS`].
fn text_list(
    raw: Vec<String>,
    field: &'static str,
    max_chars: usize,
) -> Result<Vec<String>, ValidationError> {
    if raw.len() > MAX_LIST_ITEMS {
        return Err(ValidationError::new(
            field,
            format!("must have at most {MAX_LIST_ITEMS} entries"),
        ));
    }
    let mut out: Vec<String> = Vec::with_capacity(raw.len());
    for item in raw {
        let Some(text) = optional_text(Some(item), field, max_chars)? else {
            return Err(ValidationError::new(field, "entries must not be empty"));
        };
        if !out.iter().any(|o| o.to_lowercase() == text.to_lowercase()) {
            out.push(text);
        }
    }
    Ok(out)
}

fn enum_list<T>(
    raw: Vec<String>,
    field: &'static str,
    allowed: impl Fn(&T) -> bool,
) -> Result<Vec<T>, ValidationError>
where
    T: FromStr<Err = ValidationError> + PartialEq,
{
    let mut out = Vec::with_capacity(raw.len());
    for item in raw {
        let value = item
            .trim()
            .parse::<T>()
            .ok()
            .filter(|v| allowed(v))
            .ok_or_else(|| ValidationError::new(field, format!("unknown value {item:?}")))?;
        if !out.contains(&value) {
            out.push(value);
        }
    }
    Ok(out)
}

/// A skill named by its ESCO id (or `intellicv:tech/...` id), or by free text to normalise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkillRef {
    Id(String),
    Text(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SkillAction {
    /// Add the skill (or skills the text names), or update the rating of one already there.
    Add { rating: Option<u8> },
    /// Rate a skill already in the profile.
    Rate { rating: u8 },
    /// Remove it; removing a skill that is not there does nothing.
    Remove,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkillChange {
    pub action: SkillAction,
    pub skill: SkillRef,
}

/// One change of a `POST /profile/skills/update` body as sent.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SkillChangeInput {
    /// `add`, `rate` or `remove`.
    pub action: String,
    /// A skill id of the taxonomy; give this or `text`.
    pub esco_id: Option<String>,
    /// Free text normalised to the skills it names; give this or `esco_id`.
    pub text: Option<String>,
    /// 1 to 5; needed by `rate`, optional for `add`.
    pub rating: Option<i64>,
}

impl SkillChangeInput {
    /// Validates change number `index` (from 0; the reason names it).
    pub fn parse(self, index: usize) -> Result<SkillChange, ValidationError> {
        let err =
            |field, reason: &str| ValidationError::new(field, format!("change {index}: {reason}"));
        let skill = match (self.esco_id, self.text) {
            (Some(id), None) => {
                let id = id.trim();
                if id.is_empty() || id.len() > 300 {
                    return Err(err("esco_id", "must be a skill id of 1 to 300 characters"));
                }
                SkillRef::Id(id.to_owned())
            }
            (None, Some(text)) => {
                let text = text.trim();
                if text.is_empty() || text.chars().count() > MAX_SKILL_TEXT_CHARS {
                    return Err(err("text", "must be 1 to 200 characters"));
                }
                SkillRef::Text(text.to_owned())
            }
            _ => return Err(err("esco_id", "give exactly one of esco_id and text")),
        };
        let rating = match self.rating {
            None => None,
            Some(r @ 1..=5) => Some(r as u8),
            Some(_) => return Err(err("rating", "must be a whole number from 1 to 5")),
        };
        let action = match (self.action.trim(), rating) {
            ("add", rating) => SkillAction::Add { rating },
            ("rate", Some(rating)) => SkillAction::Rate { rating },
            ("rate", None) => return Err(err("rating", "rate needs a rating from 1 to 5")),
            ("remove", None) => SkillAction::Remove,
            ("remove", Some(_)) => return Err(err("rating", "remove takes no rating")),
            _ => return Err(err("action", "must be add, rate or remove")),
        };
        Ok(SkillChange { action, skill })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(input: ProfileInput) -> &'static str {
        input.parse().unwrap_err().field
    }

    #[test]
    fn a_full_profile_parses_trimmed_and_deduplicated() {
        let update = ProfileInput {
            display_name: Some(" Jane ".into()),
            headline: Some("Backend engineer ".into()),
            desired_roles: vec!["Backend Engineer".into(), "backend engineer".into()],
            remote_modes: vec!["remote".into(), "hybrid".into()],
            employment_types: vec!["full_time".into()],
            desired_salary_min: Some(60_000.0),
            desired_salary_currency: Some("GBP".into()),
            visibility: Some("private".into()),
            open_to_work: true,
            ..Default::default()
        }
        .parse()
        .unwrap();
        assert_eq!(update.display_name.as_deref(), Some("Jane"));
        assert_eq!(update.headline.as_deref(), Some("Backend engineer"));
        assert_eq!(update.preferences.desired_roles, ["Backend Engineer"]);
        assert_eq!(
            update.preferences.remote_modes,
            [RemoteMode::Remote, RemoteMode::Hybrid]
        );
        assert_eq!(update.visibility, ProfileVisibility::Private);
        let empty = ProfileInput::default().parse().unwrap();
        assert_eq!(empty.visibility, ProfileVisibility::Recruiters);
        assert_eq!(empty.headline, None);
    }

    #[test]
    fn invalid_fields_are_named() {
        let long = "x".repeat(201);
        assert_eq!(
            field(ProfileInput {
                headline: Some(long.clone()),
                ..Default::default()
            }),
            "headline"
        );
        assert_eq!(
            field(ProfileInput {
                remote_modes: vec!["unknown".into()],
                ..Default::default()
            }),
            "remote_modes"
        );
        assert_eq!(
            field(ProfileInput {
                desired_roles: vec!["  ".into()],
                ..Default::default()
            }),
            "desired_roles"
        );
        assert_eq!(
            field(ProfileInput {
                desired_salary_min: Some(-1.0),
                ..Default::default()
            }),
            "desired_salary_min"
        );
        assert_eq!(
            field(ProfileInput {
                desired_salary_min: Some(1.0),
                desired_salary_currency: Some("pounds".into()),
                ..Default::default()
            }),
            "desired_salary_currency"
        );
        assert_eq!(
            field(ProfileInput {
                visibility: Some("public".into()),
                ..Default::default()
            }),
            "visibility"
        );
        assert_eq!(
            field(ProfileInput {
                employment_types: vec!["gig".into()],
                ..Default::default()
            }),
            "employment_types"
        );
    }

    fn change(
        action: &str,
        id: Option<&str>,
        text: Option<&str>,
        rating: Option<i64>,
    ) -> SkillChangeInput {
        SkillChangeInput {
            action: action.into(),
            esco_id: id.map(Into::into),
            text: text.map(Into::into),
            rating,
        }
    }

    #[test]
    fn skill_changes_need_one_reference_and_a_fitting_rating() {
        assert_eq!(
            change("add", None, Some("rust"), Some(4)).parse(0).unwrap(),
            SkillChange {
                action: SkillAction::Add { rating: Some(4) },
                skill: SkillRef::Text("rust".into())
            }
        );
        for (bad, field) in [
            (change("add", Some("x"), Some("y"), None), "esco_id"),
            (change("add", None, None, None), "esco_id"),
            (change("add", None, Some(" "), None), "text"),
            (change("add", None, Some("rust"), Some(6)), "rating"),
            (change("rate", Some("x"), None, None), "rating"),
            (change("remove", Some("x"), None, Some(3)), "rating"),
            (change("star", Some("x"), None, None), "action"),
        ] {
            let err = bad.parse(2).unwrap_err();
            assert_eq!(err.field, field);
            assert!(err.reason.starts_with("change 2: "), "{err}");
        }
    }
}
