//! `/admin/data/*`: export and import (JSON Lines, CSV). Both run within the request and
//! are audit-logged.

use std::str::FromStr;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use super::error::{ApiError, ErrorResponse};
use super::extract::Admin;
use super::input::{Json, Query};
use super::pagination::non_empty;
use crate::state::AppState;
use intellicv_app::auth::{Client, audit};
use intellicv_app::transfer::{self, Entity, Format, ImportReport};
use intellicv_store::{AuditEntry, AuditOutcome};

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExportRequest {
    /// Any of `users`, `resumes`, `jobs`, `applications` (default: all). CSV takes exactly
    /// one of users, jobs, applications.
    #[serde(default)]
    entities: Vec<String>,
    /// `jsonl` (default) or `csv`.
    format: Option<String>,
}

/// The chosen entities as one file (built in memory and sent as the answer): users
/// without password hashes, second-factor secrets or tokens; resumes with their original
/// bytes (base64), text and profile; postings; applications. JSON Lines rows carry a
/// `type`.
#[utoipa::path(
    post,
    path = "/api/v1/admin/data/export",
    tag = "batch",
    request_body = ExportRequest,
    responses(
        (status = 200, description = "The file: `application/x-ndjson` or `text/csv`", content(
            (String = "application/x-ndjson"),
            (String = "text/csv"),
        )),
        (status = 401, description = "No valid credentials", body = ErrorResponse),
        (status = 403, description = "Admins only", body = ErrorResponse),
        (status = 422, description = "An unknown entity or format, or CSV of resumes or of several entities; `details.field` names it", body = ErrorResponse),
    )
)]
pub async fn export(
    State(state): State<AppState>,
    client: Client,
    Admin(admin): Admin,
    Json(body): Json<ExportRequest>,
) -> Result<Response, ApiError> {
    let format = body
        .format
        .as_deref()
        .map(Format::from_str)
        .transpose()?
        .unwrap_or(Format::Jsonl);
    let entities = body
        .entities
        .iter()
        .map(|e| Entity::parse(e, "entities"))
        .collect::<Result<Vec<_>, _>>()?;
    let file = transfer::export(&state.store, &entities, format).await?;
    let entry = AuditEntry::new("admin.data_export", AuditOutcome::Success)
        .details(json!({ "entities": body.entities, "format": format, "bytes": file.len() }));
    audit(&state.store, admin.audit(client.audit(entry))).await;
    let extension = match format {
        Format::Jsonl => "jsonl",
        Format::Csv => "csv",
    };
    let mut response = file.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.content_type()),
    );
    let disposition = format!("attachment; filename=\"intellicv-export.{extension}\"");
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ImportQuery {
    /// `jsonl` (default) or `csv`.
    format: Option<String>,
    /// For CSV: `users`, `jobs` or `applications`.
    entity: Option<String>,
}

/// Imports a file (the request body, any content type) in the export's format. Rows
/// already stored (user email; resume owner and content hash; posting source and
/// external id, else source, title, company and description; application user and
/// posting) are left alone, so importing the same file twice stores nothing new. Every
/// row is validated; bad rows are reported (line, field, reason) and the rest imported.
/// Imported users get a random password (no password travels). Stored documents are
/// indexed before the answer.
#[utoipa::path(
    post,
    path = "/api/v1/admin/data/import",
    tag = "batch",
    params(ImportQuery),
    request_body(content = String, content_type = "application/x-ndjson"),
    responses(
        (status = 200, description = "What was stored, skipped as duplicate and refused", body = ImportReport),
        (status = 401, description = "No valid credentials", body = ErrorResponse),
        (status = 403, description = "Admins only", body = ErrorResponse),
        (status = 413, description = "Body over `server.max_body_bytes`", body = ErrorResponse),
        (status = 422, description = "An unknown format or entity, CSV without a tabular entity; `details.field` names it", body = ErrorResponse),
    )
)]
pub async fn import(
    State(state): State<AppState>,
    client: Client,
    Admin(admin): Admin,
    Query(query): Query<ImportQuery>,
    body: Bytes,
) -> Result<Json<ImportReport>, ApiError> {
    let format = non_empty(&query.format)
        .map(Format::from_str)
        .transpose()?
        .unwrap_or(Format::Jsonl);
    let entity = non_empty(&query.entity)
        .map(|e| Entity::parse(e, "entity"))
        .transpose()?;
    let report = transfer::import(&state.documents, body.to_vec(), format, entity).await?;
    let entry = AuditEntry::new("admin.data_import", AuditOutcome::Success).details(json!({
        "format": format,
        "rows": report.rows,
        "inserted": report.inserted,
        "duplicates": report.duplicates,
        "failed": report.failed,
    }));
    audit(&state.store, admin.audit(client.audit(entry))).await;
    Ok(Json(report))
}
