//! A user's job-portal profile: `users.display_name`, the `profiles` row, the
//! `user_preferences` row and the `profile_skills` rows, read and written together.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::types::Json;

use super::{Store, StoreError, with_pool};
use intellicv_core::{EmploymentType, JobPreferences, ProfileUpdate, RemoteMode};

/// A profile as stored. Users who never saved one have the defaults.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProfileRecord {
    pub user_id: i64,
    pub role: String,
    pub display_name: Option<String>,
    pub headline: Option<String>,
    pub location: Option<String>,
    pub visibility: String,
    pub open_to_work: bool,
    #[serde(flatten)]
    pub preferences: JobPreferences,
    pub skills: Vec<ProfileSkillRecord>,
    /// When the profile was last saved; `None` if never.
    pub updated_at: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
struct ProfileRow {
    user_id: i64,
    role: String,
    display_name: Option<String>,
    headline: Option<String>,
    location: Option<String>,
    visibility: Option<String>,
    open_to_work: Option<bool>,
    updated_at: Option<DateTime<Utc>>,
    desired_titles: Option<Json<Vec<String>>>,
    locations: Option<Json<Vec<String>>>,
    remote_modes: Option<Json<Vec<RemoteMode>>>,
    employment_types: Option<Json<Vec<EmploymentType>>>,
    salary_min: Option<f64>,
    salary_currency: Option<String>,
}

/// A skill the user states.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct ProfileSkillRecord {
    /// ESCO URI, or `intellicv:tech/<slug>`.
    #[sqlx(rename = "skill_uri")]
    pub esco_id: String,
    pub label: String,
    pub rating: Option<i32>,
    /// `esco_id` or `text` (normalised from `source_text`).
    pub source: String,
    pub source_text: Option<String>,
    pub added_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// One write to a user's skills.
#[derive(Debug, Clone, PartialEq)]
pub enum ProfileSkillWrite {
    /// Insert, or update the rating when given (a missing rating keeps the stored one).
    Upsert {
        uri: String,
        label: String,
        rating: Option<u8>,
        /// The free text it was normalised from; `None` when given by id.
        source_text: Option<String>,
    },
    Rate {
        uri: String,
        rating: u8,
    },
    Remove {
        uri: String,
    },
}

impl Store {
    /// The profile of user `user_id` (defaults where nothing was saved yet).
    pub async fn get_profile(&self, user_id: i64) -> Result<ProfileRecord, StoreError> {
        let sql = "SELECT u.id AS user_id, u.role, u.display_name, p.headline, p.location, \
            p.visibility, p.open_to_work, p.updated_at, up.desired_titles, up.locations, \
            up.remote_modes, up.employment_types, up.salary_min, up.salary_currency \
            FROM users u LEFT JOIN profiles p ON p.user_id = u.id \
            LEFT JOIN user_preferences up ON up.user_id = u.id WHERE u.id = $1";
        let row = with_pool!(self.db(), pool => {
            sqlx::query_as::<_, ProfileRow>(sql).bind(user_id).fetch_optional(pool).await
        })?
        .ok_or(StoreError::NotFound { entity: "profile" })?;
        let skills = self.profile_skills(user_id).await?;
        Ok(ProfileRecord {
            user_id: row.user_id,
            role: row.role,
            display_name: row.display_name,
            headline: row.headline,
            location: row.location,
            visibility: row.visibility.unwrap_or_else(|| "recruiters".to_owned()),
            open_to_work: row.open_to_work.unwrap_or(false),
            preferences: JobPreferences {
                desired_roles: row.desired_titles.map(|j| j.0).unwrap_or_default(),
                desired_locations: row.locations.map(|j| j.0).unwrap_or_default(),
                remote_modes: row.remote_modes.map(|j| j.0).unwrap_or_default(),
                employment_types: row.employment_types.map(|j| j.0).unwrap_or_default(),
                desired_salary_min: row.salary_min,
                desired_salary_currency: row.salary_currency,
            },
            skills,
            updated_at: row.updated_at,
        })
    }

    /// The skills a user states, by label.
    pub async fn profile_skills(
        &self,
        user_id: i64,
    ) -> Result<Vec<ProfileSkillRecord>, StoreError> {
        let sql = "SELECT skill_uri, label, rating, source, source_text, added_at, updated_at \
                   FROM profile_skills WHERE user_id = $1 ORDER BY label, skill_uri";
        let rows = with_pool!(self.db(), pool => {
            sqlx::query_as::<_, ProfileSkillRecord>(sql).bind(user_id).fetch_all(pool).await
        })?;
        Ok(rows)
    }

    /// Replaces the editable profile of `user_id` in one transaction.
    pub async fn update_profile(
        &self,
        user_id: i64,
        update: &ProfileUpdate,
    ) -> Result<(), StoreError> {
        let now = Utc::now();
        let user = "UPDATE users SET display_name = $2, updated_at = $3 WHERE id = $1";
        let profile = "INSERT INTO profiles (user_id, headline, location, visibility, \
            open_to_work, updated_at) VALUES ($1, $2, $3, $4, $5, $6) \
            ON CONFLICT (user_id) DO UPDATE SET headline = excluded.headline, \
            location = excluded.location, visibility = excluded.visibility, \
            open_to_work = excluded.open_to_work, updated_at = excluded.updated_at";
        let preferences = "INSERT INTO user_preferences (user_id, desired_titles, locations, \
            remote_modes, employment_types, salary_min, salary_currency, updated_at) \
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
            ON CONFLICT (user_id) DO UPDATE SET desired_titles = excluded.desired_titles, \
            locations = excluded.locations, remote_modes = excluded.remote_modes, \
            employment_types = excluded.employment_types, salary_min = excluded.salary_min, \
            salary_currency = excluded.salary_currency, updated_at = excluded.updated_at";
        let prefs = &update.preferences;
        let found = with_pool!(self.db(), pool => {
            let mut tx = pool.begin().await?;
            let n = sqlx::query(user)
                .bind(user_id)
                .bind(&update.display_name)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if n == 1 {
                sqlx::query(profile)
                    .bind(user_id)
                    .bind(&update.headline)
                    .bind(&update.location)
                    .bind(update.visibility.as_str())
                    .bind(update.open_to_work)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query(preferences)
                    .bind(user_id)
                    .bind(Json(&prefs.desired_roles))
                    .bind(Json(&prefs.desired_locations))
                    .bind(Json(&prefs.remote_modes))
                    .bind(Json(&prefs.employment_types))
                    .bind(prefs.desired_salary_min)
                    .bind(&prefs.desired_salary_currency)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok::<_, sqlx::Error>(n == 1)
        })?;
        if found {
            Ok(())
        } else {
            Err(StoreError::NotFound { entity: "profile" })
        }
    }

    /// Applies skill writes to a user's profile in order, in one transaction.
    pub async fn write_profile_skills(
        &self,
        user_id: i64,
        writes: &[ProfileSkillWrite],
    ) -> Result<(), StoreError> {
        let now = Utc::now();
        let upsert = "INSERT INTO profile_skills (user_id, skill_uri, label, rating, source, \
            source_text, added_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) \
            ON CONFLICT (user_id, skill_uri) DO UPDATE SET \
            rating = COALESCE(excluded.rating, profile_skills.rating), \
            updated_at = excluded.updated_at";
        let rate = "UPDATE profile_skills SET rating = $3, updated_at = $4 \
                    WHERE user_id = $1 AND skill_uri = $2";
        let remove = "DELETE FROM profile_skills WHERE user_id = $1 AND skill_uri = $2";
        with_pool!(self.db(), pool => {
            let mut tx = pool.begin().await?;
            for write in writes {
                match write {
                    ProfileSkillWrite::Upsert { uri, label, rating, source_text } => {
                        let source = if source_text.is_some() { "text" } else { "esco_id" };
                        sqlx::query(upsert)
                            .bind(user_id)
                            .bind(uri)
                            .bind(label)
                            .bind(rating.map(i32::from))
                            .bind(source)
                            .bind(source_text)
                            .bind(now)
                            .execute(&mut *tx)
                            .await?;
                    }
                    ProfileSkillWrite::Rate { uri, rating } => {
                        sqlx::query(rate)
                            .bind(user_id)
                            .bind(uri)
                            .bind(i32::from(*rating))
                            .bind(now)
                            .execute(&mut *tx)
                            .await?;
                    }
                    ProfileSkillWrite::Remove { uri } => {
                        sqlx::query(remove)
                            .bind(user_id)
                            .bind(uri)
                            .execute(&mut *tx)
                            .await?;
                    }
                }
            }
            tx.commit().await?;
            Ok::<_, sqlx::Error>(())
        })?;
        Ok(())
    }
}
