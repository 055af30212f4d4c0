//! Analytics over HTTP: the dashboard, the three reports and custom queries, with every
//! number checked against the data the test made (and timestamps it moved into the
//! past), every invalid query element answered with a 422 naming it, and injection
//! attempts refused or bound harmlessly.

use std::time::Duration;

use chrono::{DateTime, Utc};
use intellicv_core::Role;
use serde_json::{Value, json};

use crate::applications::{post_job, upload_resume};
use crate::auth_support::{get_as, post_as, put_as, user_with_token};
use crate::documents_api::{RESUME_RUST, upload};
use crate::helpers::{Backend, TestApp, expect_error, spawn_app, spawn_app_with};
use crate::on_both_backends;

const DASHBOARD: &str = "/api/v1/admin/analytics/dashboard";
const CUSTOM: &str = "/api/v1/admin/analytics/custom";

fn report_path(id: &str) -> String {
    format!("/api/v1/admin/analytics/reports/{id}")
}

/// Runs one statement with a timestamp (`$1`) and an id (`$2`) on the test's database:
/// the way to put rows in the past, which the API never does.
pub async fn at_time(app: &TestApp, sql: &str, when: DateTime<Utc>, id: i64) {
    let url = app.db.url.expose();
    if url.starts_with("sqlite:") {
        let pool = sqlx::SqlitePool::connect(url).await.unwrap();
        sqlx::query(sql)
            .bind(when)
            .bind(id)
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
    } else {
        let pool = sqlx::PgPool::connect(url).await.unwrap();
        sqlx::query(sql)
            .bind(when)
            .bind(id)
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
    }
}

async fn json_ok(response: reqwest::Response) -> Value {
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    assert_eq!(status, 200, "{body}");
    body
}

/// Polls `path` until `done` holds (usage events are written off the request path).
async fn eventually(
    app: &TestApp,
    path: &str,
    token: &str,
    done: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        let body = json_ok(get_as(app, path, token).await).await;
        if done(&body) {
            return body;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "never settled: {body}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn resume_text(tag: &str) -> String {
    format!("{RESUME_RUST}\nReference: {tag}\n")
}

/// A recruiter's posting with `remote_mode` and a salary; answers its id.
async fn post_job_with(app: &TestApp, token: &str, title: &str, remote: &str, salary: f64) -> i64 {
    let job = json!({
        "title": title,
        "company": "Acme",
        "description": "We build payment systems.\n\nRequirements:\n- Rust\n- Kubernetes\n",
        "remote_mode": remote,
        "salary_min": salary,
        "salary_max": salary + 10000.0,
        "salary_currency": "GBP",
        "salary_period": "year",
    });
    let response = post_as(app, "/api/v1/jobs", token, &job).await;
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    assert_eq!(status, 201, "{body}");
    body["id"].as_i64().unwrap()
}

async fn apply(app: &TestApp, token: &str, job_id: i64, resume_id: i64) -> i64 {
    let body = json!({ "job_id": job_id, "resume_id": resume_id });
    let response = post_as(app, "/api/v1/jobs/applications", token, &body).await;
    assert_eq!(response.status(), 201);
    response.json::<Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap()
}

async fn move_to(app: &TestApp, token: &str, id: i64, status: &str) {
    let path = format!("/api/v1/jobs/applications/{id}/status");
    let response = put_as(app, &path, token, &json!({ "status": status })).await;
    assert_eq!(response.status(), 200, "to {status}");
}

/// An upload whose parse fails (stored anyway); answers its failure code.
async fn upload_broken_pdf(app: &TestApp, token: &str) -> String {
    let response = upload(app, token, "scan.pdf", b"%PDF-1.7\n%broken".to_vec()).await;
    let (status, code, _) = expect_error(response).await;
    assert_eq!(status, 422);
    code
}

fn skill<'a>(list: &'a Value, label: &str) -> &'a Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|s| {
            s["label"]
                .as_str()
                .is_some_and(|l| l.eq_ignore_ascii_case(label))
        })
        .unwrap_or_else(|| panic!("no {label} in {list}"))
}

async fn the_dashboard_counts_exactly_what_was_made(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (_, admin) = user_with_token(&app, "admin@example.com", Role::Admin).await;
    let (_, recruiter) = user_with_token(&app, "rec@example.com", Role::Recruiter).await;
    let (candidate_id, candidate) =
        user_with_token(&app, "cand@example.com", Role::Candidate).await;
    let r1 = upload_resume(&app, &candidate, &resume_text("one")).await;
    let r2 = upload_resume(&app, &candidate, &resume_text("two")).await;
    upload_broken_pdf(&app, &candidate).await;
    let jobs = [
        post_job(&app, &recruiter, "Rust engineer").await,
        post_job(&app, &recruiter, "Platform engineer").await,
        post_job(&app, &recruiter, "Payments engineer").await,
    ];
    let a1 = apply(&app, &candidate, jobs[0], r1).await;
    apply(&app, &candidate, jobs[1], r2).await;
    move_to(&app, &recruiter, a1, "reviewing").await;
    for query in ["Rust", "payments"] {
        let r = post_as(
            &app,
            "/api/v1/jobs/search",
            &candidate,
            &json!({ "query": query }),
        )
        .await;
        assert_eq!(r.status(), 200);
    }
    let r = post_as(
        &app,
        "/api/v1/resumes/search",
        &recruiter,
        &json!({ "query": "Rust" }),
    )
    .await;
    assert_eq!(r.status(), 200);
    let r = get_as(
        &app,
        &format!("/api/v1/jobs/matches/{candidate_id}"),
        &candidate,
    )
    .await;
    assert_eq!(r.status(), 200);
    let r = get_as(
        &app,
        &format!("/api/v1/jobs/{}/candidates", jobs[0]),
        &recruiter,
    )
    .await;
    assert_eq!(r.status(), 200);

    let body = eventually(&app, DASHBOARD, &admin, |b| {
        b["totals"]["searches"] == 3 && b["totals"]["matches"] == 2
    })
    .await;
    let totals = &body["totals"];
    assert_eq!(totals["resumes"], 3, "{body}");
    assert_eq!(totals["parse_failures"], 1);
    assert_eq!(totals["jobs"], 3);
    assert_eq!(totals["applications"], 2);
    assert_eq!(totals["applications_by_status"]["submitted"], 1);
    assert_eq!(totals["applications_by_status"]["reviewing"], 1);
    assert_eq!(totals["applications_by_status"]["hired"], 0);
    // Everything happened today: the last bucket holds it all.
    let buckets = body["buckets"].as_array().unwrap();
    assert_eq!(buckets.len(), 31);
    let today = Utc::now().format("%Y-%m-%d").to_string();
    assert_eq!(buckets.last().unwrap(), &json!(today));
    let last = |series: &Value| series.as_array().unwrap().last().cloned().unwrap();
    let series = &body["series"];
    assert_eq!(last(&series["resumes"]), 3);
    assert_eq!(last(&series["parse_failures"]), 1);
    assert_eq!(last(&series["jobs"]), 3);
    assert_eq!(last(&series["searches"]), 3);
    assert_eq!(last(&series["matches"]), 2);
    assert_eq!(last(&series["applications"]["reviewing"]), 1);
    let sum: i64 = series["resumes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_i64().unwrap())
        .sum();
    assert_eq!(sum, 3);
    // Three postings ask for Rust and Kubernetes; both parsed resumes show Rust, none
    // Kubernetes: the largest gap.
    let skills = &body["skills"];
    assert_eq!(skills["postings"], 3);
    assert_eq!(skills["resumes"], 2);
    let rust = skill(&skills["demanded"], "Rust");
    assert_eq!(rust["documents"], 3);
    assert_eq!(rust["share"], 1.0);
    assert_eq!(last(&rust["series"]), 3);
    assert_eq!(skill(&skills["supplied"], "Rust")["documents"], 2);
    let gap = &skills["gaps"][0];
    assert_eq!(gap["label"].as_str().unwrap().to_lowercase(), "kubernetes");
    assert_eq!(
        (gap["demand"].clone(), gap["supply"].clone()),
        (json!(3), json!(0))
    );
    assert_eq!(gap["gap"], 1.0);
    assert!(
        skills["gaps"]
            .as_array()
            .unwrap()
            .iter()
            .all(|g| g["label"] != "Rust"),
        "Rust is supplied as much as demanded: {skills}"
    );

    // A posting moved 40 days back leaves the default range and lands in its own week.
    let old = Utc::now() - chrono::Duration::days(40);
    at_time(
        &app,
        "UPDATE job_postings SET created_at = $1 WHERE id = $2",
        old,
        jobs[2],
    )
    .await;
    let body = json_ok(get_as(&app, DASHBOARD, &admin).await).await;
    assert_eq!(body["totals"]["jobs"], 2);
    let from = (old - chrono::Duration::days(1)).format("%Y-%m-%d");
    let path = format!("{DASHBOARD}?from={from}&bucket=week");
    let body = json_ok(get_as(&app, &path, &admin).await).await;
    assert_eq!(body["totals"]["jobs"], 3);
    let jobs_series: Vec<i64> = body["series"]["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_i64().unwrap())
        .collect();
    assert_eq!(
        jobs_series.iter().filter(|n| **n > 0).count(),
        2,
        "{jobs_series:?}"
    );
    let week_of_old = {
        let day = old.date_naive();
        use chrono::Datelike;
        day - chrono::Days::new(u64::from(day.weekday().num_days_from_monday()))
    };
    let buckets = body["buckets"].as_array().unwrap();
    let i = buckets
        .iter()
        .position(|b| b == &json!(week_of_old.format("%Y-%m-%d").to_string()))
        .unwrap();
    assert_eq!(jobs_series[i], 1);
    assert_eq!(*jobs_series.last().unwrap(), 2);
}

async fn dashboard_and_report_parameters_are_checked(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (_, admin) = user_with_token(&app, "admin@example.com", Role::Admin).await;
    crate::auth_support::expect_422_fields(
        &app,
        DASHBOARD,
        &admin,
        &[
            ("?from=yesterday", "from"),
            ("?to=2026-02-30", "to"),
            ("?from=2026-11-30&to=2026-11-01", "from"),
            ("?bucket=hour", "bucket"),
            ("?from=2000-01-01&to=2026-01-01&bucket=day", "bucket"),
            ("?top=0", "top"),
            ("?top=many", "top"),
            ("?colour=red", "colour"),
        ],
    )
    .await;
    crate::auth_support::expect_422_fields(
        &app,
        &report_path("ingest_health"),
        &admin,
        &[("?limit=1000", "limit"), ("?bucket=year", "bucket")],
    )
    .await;
    let response = get_as(&app, &report_path("revenue"), &admin).await;
    let (status, code, body) = expect_error(response).await;
    assert_eq!((status, code.as_str()), (404, "not_found"));
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("revenue") && message.contains("application_funnel"),
        "{message}"
    );
    assert_eq!(
        body["error"]["details"]["reports"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
}

/// Puts every history row of application `id` at the given hours before `now`, in order.
async fn history_at(app: &TestApp, id: i64, now: DateTime<Utc>, hours_ago: &[(&str, i64)]) {
    for (status, hours) in hours_ago {
        let sql = format!(
            "UPDATE application_status_history SET changed_at = $1 \
             WHERE application_id = $2 AND to_status = '{status}'"
        );
        at_time(app, &sql, now - chrono::Duration::hours(*hours), id).await;
    }
}

async fn reports_count_the_funnel_ingest_and_skills_exactly(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (_, admin) = user_with_token(&app, "admin@example.com", Role::Admin).await;
    let (_, recruiter) = user_with_token(&app, "rec@example.com", Role::Recruiter).await;
    let (_, candidate) = user_with_token(&app, "cand@example.com", Role::Candidate).await;
    let resume = upload_resume(&app, &candidate, RESUME_RUST).await;
    let failure = upload_broken_pdf(&app, &candidate).await;
    let mut apps = Vec::new();
    for title in ["One", "Two", "Three"] {
        let job = post_job(&app, &recruiter, title).await;
        apps.push(apply(&app, &candidate, job, resume).await);
    }
    for status in ["reviewing", "interview", "offered", "hired"] {
        move_to(&app, &recruiter, apps[0], status).await;
    }
    move_to(&app, &recruiter, apps[1], "reviewing").await;
    move_to(&app, &recruiter, apps[1], "rejected").await;
    let withdraw = format!("/api/v1/jobs/applications/{}/withdraw", apps[2]);
    assert_eq!(
        post_as(&app, &withdraw, &candidate, &json!({}))
            .await
            .status(),
        200
    );
    let now = Utc::now();
    history_at(
        &app,
        apps[0],
        now,
        &[
            ("submitted", 10),
            ("reviewing", 6),
            ("interview", 5),
            ("offered", 3),
            ("hired", 1),
        ],
    )
    .await;
    history_at(
        &app,
        apps[1],
        now,
        &[("submitted", 8), ("reviewing", 6), ("rejected", 3)],
    )
    .await;
    history_at(&app, apps[2], now, &[("submitted", 3), ("withdrawn", 2)]).await;

    let funnel = json_ok(get_as(&app, &report_path("application_funnel"), &admin).await).await;
    assert_eq!(funnel["report"], "application_funnel");
    assert_eq!(funnel["applications"], 3);
    let stages = funnel["stages"].as_array().unwrap();
    let names: Vec<&str> = stages
        .iter()
        .map(|s| s["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["submitted", "reviewing", "interview", "offered", "hired"]
    );
    let reached: Vec<i64> = stages
        .iter()
        .map(|s| s["reached"].as_i64().unwrap())
        .collect();
    assert_eq!(reached, [3, 2, 1, 1, 1]);
    let conversion: Vec<Value> = stages.iter().map(|s| s["conversion"].clone()).collect();
    assert_eq!(
        conversion,
        [
            json!(null),
            json!(0.6667),
            json!(0.5),
            json!(1.0),
            json!(1.0)
        ]
    );
    assert_eq!(stages[4]["current"], 1);
    assert_eq!(stages[0]["current"], 0);
    // Leaving `submitted`: 4 h, 2 h and 1 h; `reviewing`: 1 h (on to interview) and
    // 3 h (to rejected).
    let submitted = &stages[0]["time_in_stage"];
    assert_eq!(submitted["transitions"], 3, "{funnel}");
    assert_eq!(submitted["avg_hours"], 2.33);
    assert_eq!(
        (
            submitted["min_hours"].clone(),
            submitted["max_hours"].clone()
        ),
        (json!(1.0), json!(4.0))
    );
    let reviewing = &stages[1]["time_in_stage"];
    assert_eq!(reviewing["transitions"], 2);
    assert_eq!(reviewing["avg_hours"], 2.0);
    assert_eq!(stages[3]["time_in_stage"]["avg_hours"], 2.0);
    assert!(stages[4]["time_in_stage"].is_null());
    let exits = funnel["exits"].as_array().unwrap();
    assert_eq!(
        (exits[0]["status"].clone(), exits[0]["reached"].clone()),
        (json!("rejected"), json!(1))
    );
    assert_eq!(
        (exits[1]["status"].clone(), exits[1]["current"].clone()),
        (json!("withdrawn"), json!(1))
    );

    let ingest = json_ok(get_as(&app, &report_path("ingest_health"), &admin).await).await;
    assert_eq!(ingest["report"], "ingest_health");
    let overall = &ingest["overall"];
    assert_eq!(
        (
            overall["total"].clone(),
            overall["parsed"].clone(),
            overall["failed"].clone()
        ),
        (json!(2), json!(1), json!(1))
    );
    assert_eq!(overall["success_rate"], 0.5);
    let formats = ingest["by_format"].as_array().unwrap();
    assert_eq!(formats.len(), 2, "{ingest}");
    let pdf = formats
        .iter()
        .find(|f| f["format"] == "pdf")
        .expect("pdf row");
    assert_eq!(
        (
            pdf["total"].clone(),
            pdf["failed"].clone(),
            pdf["failure_rate"].clone()
        ),
        (json!(1), json!(1), json!(1.0))
    );
    let reasons = ingest["failure_reasons"].as_array().unwrap();
    assert_eq!(reasons.len(), 1);
    assert_eq!(reasons[0]["reason"], failure.as_str());
    assert_eq!(
        (reasons[0]["count"].clone(), reasons[0]["share"].clone()),
        (json!(1), json!(1.0))
    );
    assert_eq!(ingest["stored"].as_array().unwrap().last().unwrap(), 2);
    assert_eq!(
        ingest["failure_rate"].as_array().unwrap().last().unwrap(),
        0.5
    );

    let skills = json_ok(get_as(&app, &report_path("skills_demand_supply"), &admin).await).await;
    assert_eq!(skills["report"], "skills_demand_supply");
    assert_eq!(
        (skills["postings"].clone(), skills["resumes"].clone()),
        (json!(3), json!(1))
    );
    let kubernetes = skill(&skills["shortages"], "kubernetes");
    assert_eq!(
        (kubernetes["demand"].clone(), kubernetes["required"].clone()),
        (json!(3), json!(3))
    );
    assert_eq!(kubernetes["gap"], 1.0);
    let postgres = skill(&skills["surpluses"], "PostgreSQL");
    assert_eq!(
        (postgres["supply"].clone(), postgres["gap"].clone()),
        (json!(1), json!(-1.0))
    );
    let rust = skill(&skills["skills"], "Rust");
    assert_eq!(
        (
            rust["demand_share"].clone(),
            rust["supply_share"].clone(),
            rust["gap"].clone()
        ),
        (json!(1.0), json!(1.0), json!(0.0))
    );
}

async fn custom(app: &TestApp, token: &str, query: Value) -> reqwest::Response {
    post_as(app, CUSTOM, token, &query).await
}

/// Asserts the rows a query answers.
async fn expect_rows(app: &TestApp, token: &str, query: Value, expected: Vec<Value>) {
    assert_eq!(rows(app, token, query.clone()).await, expected, "{query}");
}

async fn rows(app: &TestApp, token: &str, query: Value) -> Vec<Value> {
    let body = json_ok(custom(app, token, query).await).await;
    body["rows"].as_array().unwrap().clone()
}

async fn custom_queries_answer_from_their_whitelists(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (_, admin) = user_with_token(&app, "admin@example.com", Role::Admin).await;
    let (_, recruiter) = user_with_token(&app, "rec@example.com", Role::Recruiter).await;
    let (_, candidate) = user_with_token(&app, "cand@example.com", Role::Candidate).await;
    let j1 = post_job_with(&app, &recruiter, "Remote one", "remote", 40000.0).await;
    post_job_with(&app, &recruiter, "Remote two", "remote", 60000.0).await;
    post_job_with(&app, &recruiter, "Office one", "onsite", 30000.0).await;
    let resume = upload_resume(&app, &candidate, RESUME_RUST).await;
    upload_broken_pdf(&app, &candidate).await;
    let application = apply(&app, &candidate, j1, resume).await;
    let search = json!({ "query": "Rust" });
    assert_eq!(
        post_as(&app, "/api/v1/jobs/search", &candidate, &search)
            .await
            .status(),
        200
    );

    expect_rows(
        &app,
        &admin,
        json!({"metric": "jobs", "group_by": ["remote_mode"]}),
        vec![
            json!({"group": {"remote_mode": "remote"}, "value": 2}),
            json!({"group": {"remote_mode": "onsite"}, "value": 1}),
        ],
    )
    .await;
    // Salary: the midpoint of each range, averaged: (45k + 65k) / 2 for the remote ones.
    expect_rows(
        &app,
        &admin,
        json!({"metric": "jobs", "aggregate": "avg", "field": "salary",
               "filters": [{"field": "remote_mode", "op": "eq", "value": "remote"}]}),
        vec![json!({"group": {}, "value": 55000.0})],
    )
    .await;
    let rich = rows(
        &app,
        &admin,
        json!({"metric": "jobs", "filters": [
            {"field": "salary_min", "op": "gte", "value": 35000},
            {"field": "remote_mode", "op": "in", "value": ["remote", "hybrid"]}]}),
    )
    .await;
    assert_eq!(rich[0]["value"], 2);
    let by_skill = rows(
        &app,
        &admin,
        json!({"metric": "jobs", "group_by": ["skill"],
               "filters": [{"field": "skill", "op": "eq", "value": "rust"}], "limit": 10}),
    )
    .await;
    assert_eq!(by_skill.len(), 2, "{by_skill:?}");
    assert!(by_skill.iter().all(|r| r["value"] == 3));
    let today = Utc::now().format("%Y-%m-%d").to_string();
    expect_rows(
        &app,
        &admin,
        json!({"metric": "resumes", "group_by": ["day", "status"]}),
        vec![
            json!({"group": {"day": today, "status": "failed"}, "value": 1}),
            json!({"group": {"day": today, "status": "parsed"}, "value": 1}),
        ],
    )
    .await;
    expect_rows(
        &app,
        &admin,
        json!({"metric": "parse_failures", "group_by": ["format"]}),
        vec![json!({"group": {"format": "pdf"}, "value": 1})],
    )
    .await;
    let stored = app.store.get_application(application).await.unwrap();
    let score = rows(
        &app,
        &admin,
        json!({"metric": "applications", "aggregate": "max", "field": "match_score"}),
    )
    .await;
    match stored.match_score {
        Some(s) => assert!((score[0]["value"].as_f64().unwrap() - s).abs() < 1e-3),
        None => assert_eq!(score[0]["value"], Value::Null),
    }
    let searches = eventually_rows(
        &app,
        &admin,
        json!({"metric": "searches", "group_by": ["collection"]}),
    )
    .await;
    assert_eq!(
        searches,
        vec![json!({"group": {"collection": "jobs"}, "value": 1})]
    );
    // Limits cut the answer and say so.
    let body = json_ok(
        custom(
            &app,
            &admin,
            json!({"metric": "jobs", "group_by": ["remote_mode"], "limit": 1}),
        )
        .await,
    )
    .await;
    assert_eq!(body["rows"].as_array().unwrap().len(), 1);
    assert_eq!(body["truncated"], true);
    // A range that holds none of it.
    expect_rows(
        &app,
        &admin,
        json!({"metric": "jobs", "from": "2020-01-01", "to": "2020-01-31"}),
        vec![json!({"group": {}, "value": 0})],
    )
    .await;
}

/// `rows`, polled until the usage events behind it are written.
async fn eventually_rows(app: &TestApp, token: &str, query: Value) -> Vec<Value> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        let found = rows(app, token, query.clone()).await;
        if !found.is_empty() || tokio::time::Instant::now() > deadline {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn expect_field(app: &TestApp, token: &str, query: Value, field: &str) {
    let (status, _, body) = expect_error(custom(app, token, query.clone()).await).await;
    assert_eq!(
        (status, body["error"]["details"]["field"].as_str()),
        (422, Some(field)),
        "{query}: {body}"
    );
}

async fn custom_queries_name_every_bad_element_and_refuse_injection(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (_, admin) = user_with_token(&app, "admin@example.com", Role::Admin).await;
    let (_, recruiter) = user_with_token(&app, "rec@example.com", Role::Recruiter).await;
    post_job(&app, &recruiter, "Rust engineer").await;
    let cases = [
        (json!({"metric": "users"}), "metric"),
        (
            json!({"metric": "jobs", "aggregate": "median"}),
            "aggregate",
        ),
        (json!({"metric": "jobs", "aggregate": "avg"}), "field"),
        (
            json!({"metric": "jobs", "aggregate": "avg", "field": "title"}),
            "field",
        ),
        (json!({"metric": "jobs", "field": "salary"}), "field"),
        (
            json!({"metric": "jobs", "group_by": ["status", "title"]}),
            "group_by[1]",
        ),
        (
            json!({"metric": "jobs", "group_by": ["a", "b", "c"]}),
            "group_by",
        ),
        (
            json!({"metric": "jobs", "filters": [{"field": "title", "op": "eq", "value": "x"}]}),
            "filters[0].field",
        ),
        (
            json!({"metric": "jobs", "filters": [{"field": "status", "op": "like", "value": "x"}]}),
            "filters[0].op",
        ),
        (
            json!({"metric": "jobs", "filters": [{"field": "status", "op": "eq", "value": "gone"}]}),
            "filters[0].value",
        ),
        (
            json!({"metric": "jobs", "filters": [{"field": "salary_min", "op": "gt", "value": "lots"}]}),
            "filters[0].value",
        ),
        (
            json!({"metric": "jobs", "filters": [{"field": "status", "op": "eq"}]}),
            "filters[0].value",
        ),
        (json!({"metric": "jobs", "limit": 5000}), "limit"),
        (json!({"metric": "jobs", "from": "last week"}), "from"),
        (
            json!({"metric": "jobs", "group_by": ["day"], "from": "1990-01-01"}),
            "bucket",
        ),
        (json!({"metric": "jobs", "sql": "SELECT 1"}), "sql"),
        (json!({"group_by": []}), "metric"),
    ];
    for (query, field) in cases {
        expect_field(&app, &admin, query, field).await;
    }
    let attempts = [
        "jobs; DROP TABLE users; --",
        "status) OR 1=1 --",
        "t.status",
        "(SELECT password_hash FROM users)",
    ];
    for bad in attempts {
        expect_field(&app, &admin, json!({"metric": bad}), "metric").await;
        expect_field(
            &app,
            &admin,
            json!({"metric": "jobs", "group_by": [bad]}),
            "group_by[0]",
        )
        .await;
        let filter =
            json!({"metric": "jobs", "filters": [{"field": bad, "op": "eq", "value": "x"}]});
        expect_field(&app, &admin, filter, "filters[0].field").await;
        let op =
            json!({"metric": "jobs", "filters": [{"field": "company", "op": bad, "value": "x"}]});
        expect_field(&app, &admin, op, "filters[0].op").await;
        let field = json!({"metric": "jobs", "aggregate": "avg", "field": bad});
        expect_field(&app, &admin, field, "field").await;
    }
    // Hostile values are bound: they match nothing and change nothing.
    for value in ["Acme' OR '1'='1", "x'); DROP TABLE job_postings; --"] {
        let query = json!({"metric": "jobs", "filters": [{"field": "company", "op": "eq", "value": value}]});
        assert_eq!(
            rows(&app, &admin, query).await,
            vec![json!({"group": {}, "value": 0})]
        );
        let skill = json!({"metric": "jobs", "filters": [{"field": "skill", "op": "in", "value": [value]}]});
        assert_eq!(rows(&app, &admin, skill).await[0]["value"], 0);
    }
    let all = rows(&app, &admin, json!({"metric": "jobs"})).await;
    assert_eq!(all[0]["value"], 1, "the postings table is intact");
    assert_eq!(
        get_as(&app, "/api/v1/admin/users/list", &admin)
            .await
            .status(),
        200
    );
}

/// The value of an unlabelled counter in the `/metrics` text.
async fn counter(app: &TestApp, name: &str) -> i64 {
    let text = app.get("/metrics").await.text().await.unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{name} ")))
        .unwrap_or_else(|| panic!("no {name} in the metrics"))
        .trim()
        .parse()
        .unwrap()
}

async fn every_usage_event_is_written_or_counted_as_dropped(backend: Backend) {
    let Some(app) = spawn_app_with(backend, |s| {
        s.analytics.usage_buffer = 1;
        s.analytics.usage_batch_size = 1;
    })
    .await
    else {
        return;
    };
    let (_, admin) = user_with_token(&app, "admin@example.com", Role::Admin).await;
    let searches = (0..40).map(|i| {
        let body = json!({ "query": format!("engineer {i}") });
        let (app, admin) = (&app, &admin);
        async move {
            post_as(app, "/api/v1/jobs/search", admin, &body)
                .await
                .status()
        }
    });
    for status in futures_util::future::join_all(searches).await {
        assert_eq!(status, 200);
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    let (recorded, dropped) = loop {
        let recorded = counter(&app, "intellicv_usage_events_recorded_total").await;
        let dropped = counter(&app, "intellicv_usage_events_dropped_total").await;
        if recorded + dropped == 40 || tokio::time::Instant::now() > deadline {
            break (recorded, dropped);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(recorded + dropped, 40);
    assert!(recorded >= 1);
    let stored = rows(&app, &admin, json!({"metric": "searches"})).await;
    assert_eq!(stored[0]["value"], recorded);
}

on_both_backends!(
    every_usage_event_is_written_or_counted_as_dropped,
    the_dashboard_counts_exactly_what_was_made,
    dashboard_and_report_parameters_are_checked,
    reports_count_the_funnel_ingest_and_skills_exactly,
    custom_queries_answer_from_their_whitelists,
    custom_queries_name_every_bad_element_and_refuse_injection,
);
