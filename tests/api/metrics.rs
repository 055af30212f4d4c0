//! `GET /metrics`: requests per route template and status class, the search caches, index
//! sizes and embedding latency, and who may scrape.

use intellicv_core::Role;
use serde_json::json;

use crate::auth_support::{get_as, post_as, user_with_token};
use crate::helpers::{Backend, TestApp, expect_error, spawn_app, spawn_app_with};
use crate::on_both_backends;

async fn scrape(app: &TestApp) -> String {
    let response = app.get("/metrics").await;
    assert_eq!(response.status(), 200);
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        content_type.starts_with("text/plain; version=0.0.4"),
        "{content_type}"
    );
    response.text().await.unwrap()
}

/// The value of the sample `name{labels...}`; `None` when there is no such sample.
fn sample(text: &str, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .find_map(|line| {
            let (series, value) = line.rsplit_once(' ')?;
            let (metric, rest) = series.split_once('{').unwrap_or((series, "}"));
            let label_text = rest.strip_suffix('}')?;
            let mut found: Vec<(&str, &str)> = label_text
                .split("\",")
                .filter(|l| !l.is_empty())
                .filter_map(|l| {
                    let (k, v) = l.split_once("=\"")?;
                    Some((k, v.trim_end_matches('"')))
                })
                .collect();
            found.retain(|(k, _)| *k != "le" || labels.iter().any(|(w, _)| *w == "le"));
            let mut wanted = labels.to_vec();
            found.sort();
            wanted.sort();
            (metric == name && found == wanted).then(|| value.parse().ok())?
        })
}

async fn requests_are_counted_per_route_template_and_status_class(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (_, token) = user_with_token(&app, "ada@example.com", Role::Candidate).await;
    for id in [123_456, 654_321] {
        let response = get_as(&app, &format!("/api/v1/jobs/{id}"), &token).await;
        assert_eq!(response.status(), 404);
    }
    assert_eq!(
        get_as(&app, "/api/v1/resumes/list", &token).await.status(),
        200
    );
    assert_eq!(app.get("/nope").await.status(), 404);
    let text = scrape(&app).await;

    let job = [
        ("method", "GET"),
        ("route", "/api/v1/jobs/{job_id}"),
        ("status_class", "4xx"),
    ];
    assert_eq!(
        sample(&text, "intellicv_http_requests_total", &job),
        Some(2.0),
        "{text}"
    );
    assert_eq!(
        sample(&text, "intellicv_http_request_duration_seconds_count", &job),
        Some(2.0)
    );
    let mut bucket = job.to_vec();
    bucket.push(("le", "+Inf"));
    assert_eq!(
        sample(
            &text,
            "intellicv_http_request_duration_seconds_bucket",
            &bucket
        ),
        Some(2.0)
    );
    let list = [
        ("method", "GET"),
        ("route", "/api/v1/resumes/list"),
        ("status_class", "2xx"),
    ];
    assert_eq!(
        sample(&text, "intellicv_http_requests_total", &list),
        Some(1.0)
    );
    let login = [
        ("method", "POST"),
        ("route", "/api/v1/auth/login"),
        ("status_class", "2xx"),
    ];
    assert_eq!(
        sample(&text, "intellicv_http_requests_total", &login),
        Some(1.0)
    );
    let unmatched = [
        ("method", "GET"),
        ("route", "unmatched"),
        ("status_class", "4xx"),
    ];
    assert_eq!(
        sample(&text, "intellicv_http_requests_total", &unmatched),
        Some(1.0)
    );
    assert!(!text.contains("123456"), "raw paths never become labels");
    assert!(!text.contains("/nope"), "raw paths never become labels");
}

async fn cache_hits_index_sizes_and_embedding_latency_are_exposed(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (_, recruiter) = user_with_token(&app, "rita@example.com", Role::Recruiter).await;
    let job = json!({
        "title": "Rust Engineer",
        "description": "Build search services in Rust and PostgreSQL on Kubernetes.",
        "company": "Acme",
    });
    assert_eq!(
        post_as(&app, "/api/v1/jobs", &recruiter, &job)
            .await
            .status(),
        201
    );
    let query = json!({"query": "rust search services"});
    for _ in 0..2 {
        let response = post_as(&app, "/api/v1/jobs/search", &recruiter, &query).await;
        assert_eq!(response.status(), 200);
    }
    let text = scrape(&app).await;
    let results = |result| [("cache", "search_results"), ("result", result)];
    assert_eq!(
        sample(&text, "intellicv_cache_lookups_total", &results("hit")),
        Some(1.0)
    );
    assert_eq!(
        sample(&text, "intellicv_cache_lookups_total", &results("miss")),
        Some(1.0)
    );
    assert_eq!(
        sample(
            &text,
            "intellicv_cache_hit_ratio",
            &[("cache", "search_results")]
        ),
        Some(0.5)
    );
    let queries = [("cache", "query_embeddings"), ("result", "miss")];
    assert!(sample(&text, "intellicv_cache_lookups_total", &queries).is_some_and(|n| n >= 1.0));
    assert!(
        sample(
            &text,
            "intellicv_cache_hit_ratio",
            &[("cache", "query_embeddings")]
        )
        .is_some()
    );
    for (index, expected) in [("text", 1.0), ("vector", 1.0), ("title_vector", 1.0)] {
        let labels = [("collection", "jobs"), ("index", index)];
        assert_eq!(
            sample(&text, "intellicv_index_documents", &labels),
            Some(expected),
            "{index}"
        );
        let labels = [("collection", "resumes"), ("index", index)];
        assert_eq!(
            sample(&text, "intellicv_index_documents", &labels),
            Some(0.0)
        );
    }
    for kind in ["batch", "query"] {
        let count = sample(
            &text,
            "intellicv_embedding_duration_seconds_count",
            &[("kind", kind)],
        );
        assert!(count.is_some_and(|n| n >= 1.0), "{kind}: {count:?}");
    }
}

async fn metrics_need_the_token_when_loopback_is_not_trusted(backend: Backend) {
    let Some(app) = spawn_app_with(backend, |s| {
        s.metrics.allow_loopback = false;
        s.metrics.bearer_token = Some(intellicv_app::config::Secret::new("scrape-secret-42"));
    })
    .await
    else {
        return;
    };
    let (status, code, _) = expect_error(app.get("/metrics").await).await;
    assert_eq!((status, code.as_str()), (401, "missing_credentials"));
    let (status, code, _) = expect_error(get_as(&app, "/metrics", "wrong").await).await;
    assert_eq!((status, code.as_str()), (401, "invalid_token"));
    let response = get_as(&app, "/metrics", "scrape-secret-42").await;
    assert_eq!(response.status(), 200);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("intellicv_http_requests_total")
    );

    let Some(app) = spawn_app_with(backend, |s| s.metrics.allow_loopback = false).await else {
        return;
    };
    let (status, _, _) = expect_error(app.get("/metrics").await).await;
    assert_eq!(status, 403, "no token configured: nobody off loopback");
    let Some(app) = spawn_app_with(backend, |s| s.metrics.enabled = false).await else {
        return;
    };
    let (status, _, _) = expect_error(app.get("/metrics").await).await;
    assert_eq!(status, 404);
}

on_both_backends!(
    requests_are_counted_per_route_template_and_status_class,
    cache_hits_index_sizes_and_embedding_latency_are_exposed,
    metrics_need_the_token_when_loopback_is_not_trusted,
);
