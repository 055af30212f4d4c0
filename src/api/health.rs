use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::error::error_response;
use crate::state::AppState;
use intellicv_search::IndexReadiness;

const READY_CHECK_TIMEOUT: Duration = Duration::from_secs(3);

/// Liveness: the process is up and serving.
pub async fn healthz() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok" }))
}

/// Readiness: the database answers, its migrations are applied and the indexes have
/// caught up with it since start (503 `not_ready` with `details.reason` `catching_up`
/// meanwhile; liveness is unaffected).
pub async fn readyz(State(state): State<AppState>) -> Response {
    let check = tokio::time::timeout(READY_CHECK_TIMEOUT, state.store.check_ready()).await;
    let reason = match check {
        Ok(Ok(())) if state.search.readiness() != IndexReadiness::Ready => {
            let index = state.search.readiness().as_str();
            tracing::debug!(reason = index, "not ready");
            return error_response(
                StatusCode::SERVICE_UNAVAILABLE,
                "not_ready",
                "the search indexes are catching up with the database",
                json!({ "reason": index }),
            );
        }
        Ok(Ok(())) => {
            return Json(json!({
                "status": "ready",
                "database": state.store.backend(),
            }))
            .into_response();
        }
        Ok(Err(e)) => e.to_string(),
        Err(_) => "database check timed out".to_owned(),
    };
    tracing::warn!(reason = %reason, "not ready");
    error_response(
        StatusCode::SERVICE_UNAVAILABLE,
        "not_ready",
        "the service is not ready",
        json!({ "database": reason }),
    )
}
