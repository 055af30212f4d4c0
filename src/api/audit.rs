//! Audit rows for admin actions on other users' objects (resumes, job postings), written
//! beside the rows `admin_users` and `api_keys` write for their own actions.

use serde_json::Value;

use crate::state::AppState;
use intellicv_app::auth::{AuthUser, Client, audit};
use intellicv_store::{AuditEntry, AuditOutcome};

/// Writes `action` on `kind` `id` when an admin (a user or an admin API key) acted on an
/// object that is not their own; owners acting on their own objects are not audited.
pub async fn admin_on_behalf(
    state: &AppState,
    auth: &AuthUser,
    client: &Client,
    action: &'static str,
    target: (&'static str, i64),
    owner: Option<i64>,
    details: Value,
) {
    if !auth.is_admin() || (owner.is_some() && owner == auth.user_id()) {
        return;
    }
    let (kind, id) = target;
    let entry = AuditEntry::new(action, AuditOutcome::Success)
        .target(kind, id)
        .details(details);
    audit(&state.store, auth.audit(client.audit(entry))).await;
}
