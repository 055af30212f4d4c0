//! The JSON body and query-string extractors of every handler: `axum::Json` and
//! `axum::extract::Query`, but input that cannot be read is a 422 in the API's error shape
//! naming the field and the reason
//! (`details: {"field": "filters.salary_min", "reason": "invalid type: ..."}`).
//!
//! Handlers write `use super::input::{Json, Query};` instead of the axum types.
//!
//! Every text read here (JSON strings and object keys, query parameters, path
//! parameters) is refused with a 422 naming the field when it holds a control character
//! other than a line feed, carriage return or tab (see [`intellicv_core::text`]): NUL cannot be stored
//! in PostgreSQL text, and no field of the API has a use for the others.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::error::ApiError;
use intellicv_core::text;

/// A JSON request body or response.
#[derive(Debug, Clone, Copy, Default)]
pub struct Json<T>(pub T);

impl<T, S> FromRequest<S> for Json<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Response> {
        if !is_json(request.headers()) {
            return Err(ApiError::UnsupportedMediaType(
                "expected a body with content type application/json",
            )
            .into_response());
        }
        // Reading fails only on a body over the size limit (413) or a broken connection.
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(IntoResponse::into_response)?;
        parse(&bytes).map(Json).map_err(IntoResponse::into_response)
    }
}

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

/// A query string parsed into `T`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Query<T>(pub T);

impl<T, S> FromRequestParts<S> for Query<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        parse_query(parts.uri.query().unwrap_or("")).map(Query)
    }
}

/// Path parameters parsed into `T` (`Path<i64>` for `/jobs/{job_id}`).
#[derive(Debug, Clone, Copy)]
pub struct Path<T>(pub T);

impl<T, S> FromRequestParts<S> for Path<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        use axum::extract::path::ErrorKind;
        use axum::extract::rejection::PathRejection;
        if let Ok(params) = axum::extract::RawPathParams::from_request_parts(parts, state).await {
            for (key, value) in &params {
                check_text(key, value).map_err(IntoResponse::into_response)?;
            }
        }
        let error = match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => return Ok(Path(value)),
            Err(PathRejection::FailedToDeserializePathParams(error)) => error,
            Err(other) => return Err(other.into_response()),
        };
        let (key, reason) = match error.kind() {
            ErrorKind::ParseErrorAtKey {
                key,
                value,
                expected_type,
            } => (Some(key.clone()), parse_failure(value, expected_type)),
            ErrorKind::ParseError {
                value,
                expected_type,
            } => (None, parse_failure(value, expected_type)),
            _ => (None, error.body_text()),
        };
        // A single unnamed value: its name is the route's one parameter.
        let key = match key {
            Some(key) => key,
            None => axum::extract::RawPathParams::from_request_parts(parts, state)
                .await
                .ok()
                .and_then(|params| {
                    let mut keys = params.iter().map(|(k, _)| k.to_owned());
                    keys.next().filter(|_| keys.next().is_none())
                })
                .unwrap_or_else(|| "path".to_owned()),
        };
        Err(ApiError::InvalidBody { field: key, reason }.into_response())
    }
}

fn parse_failure(value: &str, expected_type: &str) -> String {
    let what = expected_type.rsplit("::").next().unwrap_or(expected_type);
    format!("cannot parse `{value}` as {what}")
}

/// Parses a query string into `T`; the error names the parameter.
pub fn parse_query<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    for (key, value) in form_urlencoded::parse(query.as_bytes()) {
        check_text(&key, &key)?;
        check_text(&key, &value)?;
    }
    let deserializer =
        serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
    serde_path_to_error::deserialize(deserializer).map_err(|e| {
        let path = e.path().to_string();
        let reason = e.into_inner().to_string();
        let field = field_name(&path, &reason, "query");
        ApiError::InvalidBody { field, reason }
    })
}

/// The field a deserialisation error is about: its path (`filters.salary_min`,
/// `skills[2]`), extended by the field a "missing field" or "unknown field" error names,
/// or `whole` when the error is about the input as a whole.
fn field_name(path: &str, reason: &str, whole: &str) -> String {
    let path = if path == "." { "" } else { path };
    let named = ["missing field `", "unknown field `"]
        .iter()
        .find_map(|prefix| reason.strip_prefix(prefix))
        .and_then(|rest| rest.split('`').next())
        .filter(|name| !path.ends_with(name));
    match (path.is_empty(), named) {
        (true, None) => whole.to_owned(),
        (true, Some(name)) => name.to_owned(),
        (false, None) => path.to_owned(),
        (false, Some(name)) => format!("{path}.{name}"),
    }
}

fn is_json(headers: &HeaderMap) -> bool {
    let Some(value) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let essence = value.split(';').next().unwrap_or("").trim();
    let Some((kind, subtype)) = essence.split_once('/') else {
        return false;
    };
    kind.eq_ignore_ascii_case("application")
        && (subtype.eq_ignore_ascii_case("json")
            || subtype.len() > 5 && subtype[subtype.len() - 5..].eq_ignore_ascii_case("+json"))
}

/// Parses a JSON body into `T`; the error names where in the body it went wrong.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    // First, so that the field named is the one holding the character, whatever else
    // is wrong with the body.
    check_json_text(bytes)?;
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut deserializer)
        .map_err(|e| body_error(&e.path().to_string(), e.into_inner()))?;
    deserializer.end().map_err(|e| body_error("", e))?;
    Ok(value)
}

/// A 422 naming `field` when `text` holds a character [`text::allowed_char`] refuses.
pub fn check_text(field: &str, text: &str) -> Result<(), ApiError> {
    match text::refused_char(text) {
        None => Ok(()),
        Some(c) => Err(ApiError::InvalidBody {
            field: field.escape_debug().to_string(),
            reason: text::refused_reason(c),
        }),
    }
}

/// Refuses a JSON body with a control character in any string or key. Such a character
/// can only come from an escape (`\u0000`, `\b`, `\f`), a raw DEL or a raw C1 character,
/// so a body with none of those is not parsed again.
fn check_json_text(bytes: &[u8]) -> Result<(), ApiError> {
    let suspect = bytes.iter().enumerate().any(|(i, &b)| match b {
        0x7f => true,
        b'\\' => matches!(bytes.get(i + 1), Some(b'u' | b'b' | b'f')),
        0xc2 => matches!(bytes.get(i + 1), Some(0x80..=0x9f)),
        _ => false,
    });
    if !suspect {
        return Ok(());
    }
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(bytes) else {
        return Ok(());
    };
    match text::refused_in_json(&value) {
        None => Ok(()),
        Some((path, c)) => Err(ApiError::InvalidBody {
            field: if path.is_empty() { "body".into() } else { path },
            reason: text::refused_reason(c),
        }),
    }
}

/// The field and reason of a failed parse. Syntax errors name the `body` and keep the
/// position; shape errors name the path (`skills[2].name`), plus the field itself for a
/// missing or unknown one, and drop the position.
fn body_error(path: &str, error: serde_json::Error) -> ApiError {
    use serde_json::error::Category;
    let full = error.to_string();
    let reason = match error.classify() {
        Category::Syntax | Category::Eof | Category::Io => {
            return ApiError::InvalidBody {
                field: "body".into(),
                reason: format!("invalid JSON: {full}"),
            };
        }
        Category::Data => {
            let position = format!(" at line {} column {}", error.line(), error.column());
            full.strip_suffix(&position).unwrap_or(&full).to_owned()
        }
    };
    let field = field_name(path, &reason, "body");
    ApiError::InvalidBody { field, reason }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Outer {
        name: String,
        inner: Option<Inner>,
        tags: Option<Vec<u32>>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        size: u32,
    }

    fn failure(body: &str) -> (String, String) {
        match parse::<Outer>(body.as_bytes()) {
            Err(ApiError::InvalidBody { field, reason }) => (field, reason),
            other => panic!("{body}: {other:?}"),
        }
    }

    #[test]
    fn shape_errors_name_the_field_and_the_reason() {
        let (field, reason) = failure(r#"{"name": 5}"#);
        assert_eq!(field, "name");
        assert!(reason.starts_with("invalid type: integer `5`"), "{reason}");
        assert!(!reason.contains("line"), "{reason}");
        assert_eq!(
            failure(r#"{"name": "a", "inner": {"size": "x"}}"#).0,
            "inner.size"
        );
        assert_eq!(failure(r#"{"name": "a", "tags": [1, "x"]}"#).0, "tags[1]");
        assert_eq!(failure(r#"{"name": "a", "inner": {}}"#).0, "inner.size");
        assert_eq!(
            failure(r#"{}"#),
            ("name".into(), "missing field `name`".into())
        );
        let (field, reason) = failure(r#"{"name": "a", "colour": 1}"#);
        assert_eq!(field, "colour");
        assert!(reason.starts_with("unknown field `colour`"), "{reason}");
        assert_eq!(failure("\"text\"").0, "body");
    }

    #[test]
    fn syntax_errors_name_the_body_with_the_position() {
        let (field, reason) = failure(r#"{"name": "a", "#);
        assert_eq!(field, "body");
        assert!(reason.starts_with("invalid JSON: "), "{reason}");
        assert!(reason.contains("line 1"), "{reason}");
        assert_eq!(failure(r#"{"name": "a"} trailing"#).0, "body");
        assert_eq!(failure("").0, "body");
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Params {
        limit: Option<usize>,
        blind: Option<bool>,
        job_id: i64,
    }

    #[test]
    fn query_errors_name_the_parameter() {
        let failure = |q: &str| match parse_query::<Params>(q) {
            Err(ApiError::InvalidBody { field, reason }) => (field, reason),
            other => panic!("{q}: {other:?}"),
        };
        assert!(parse_query::<Params>("job_id=3&limit=5").is_ok());
        let (field, reason) = failure("job_id=3&limit=ten");
        assert_eq!(field, "limit");
        assert!(reason.contains("invalid digit"), "{reason}");
        assert_eq!(failure("job_id=3&blind=maybe").0, "blind");
        assert_eq!(failure("limit=5").0, "job_id");
        assert_eq!(failure("job_id=3&colour=red").0, "colour");
    }

    #[test]
    fn control_characters_are_refused_naming_the_field() {
        let failure = |body: &str| match parse::<serde_json::Value>(body.as_bytes()) {
            Err(ApiError::InvalidBody { field, reason }) => (field, reason),
            other => panic!("{body}: {other:?}"),
        };
        let (field, reason) = failure(r#"{"name": "a\u0000b"}"#);
        assert_eq!(field, "name");
        assert!(reason.contains("U+0000"), "{reason}");
        assert_eq!(failure(r#"{"a": {"b": [1, "x", "\u0007"]}}"#).0, "a.b[2]");
        assert_eq!(failure(r#"{"a": "\b"}"#).0, "a");
        assert_eq!(failure("{\"a\": \"\u{7f}\"}").0, "a");
        assert_eq!(failure("{\"a\": \"\u{85}\"}").0, "a");
        assert_eq!(failure(r#"["ok", "\u0001"]"#).0, "[1]");
        assert_eq!(failure(r#""\u0000""#).0, "body");
        assert_eq!(failure(r#"{"k\u0000": 1}"#).0, "k\\0");
        for fine in [
            r#"{"a": "line\nbreak\ttab\r", "b": "\u00e9\\u0000"}"#,
            r#"{"a": "caf\u00e9 \ud83d\ude00"}"#,
        ] {
            assert!(
                parse::<serde_json::Value>(fine.as_bytes()).is_ok(),
                "{fine}"
            );
        }
        let query = |q: &str| match parse_query::<Params>(q) {
            Err(ApiError::InvalidBody { field, .. }) => field,
            other => panic!("{q}: {other:?}"),
        };
        assert_eq!(query("job_id=3&colour=a%00"), "colour");
        assert_eq!(query("job_id=3%00"), "job_id");
        assert!(parse_query::<Params>("job_id=3&limit=4").is_ok());
    }

    #[test]
    fn json_content_types_are_recognised() {
        let with = |v: &str| {
            let mut h = HeaderMap::new();
            h.insert(header::CONTENT_TYPE, v.parse().unwrap());
            is_json(&h)
        };
        assert!(with("application/json"));
        assert!(with("application/json; charset=utf-8"));
        assert!(with("application/merge-patch+json"));
        assert!(!with("text/plain"));
        assert!(!with("application/x-www-form-urlencoded"));
        assert!(!is_json(&HeaderMap::new()));
    }
}
