//! Resume categories (`ingest resumes --labels`, `PUT /resumes/{id}/category`) and what
//! similar-candidate search learns from them, through the CLI and the API, on resumes the
//! test writes itself.

use intellicv_core::Role;
use serde_json::{Value, json};

use crate::auth_support::{audit_rows, get_as, put_as, user_with_token};
use crate::helpers::{
    Backend, TestApp, TestDatabase, expect_error, intellicv_on, run_ok, spawn_app,
};
use crate::on_both_backends;

fn resume(name: &str, headline: &str, role: &str, bullets: &[&str], skills: &str) -> String {
    let mut text = format!(
        "{name}\n{headline}\n{}@example.com | Leeds, UK\nExperience\n{role}\nJan 2019 - Present\n",
        name.to_lowercase().replace(' ', ".")
    );
    for b in bullets {
        text.push_str(&format!("- {b}\n"));
    }
    text.push_str(&format!("Skills\n{skills}\n"));
    text
}

async fn similar_candidates_prefer_the_likely_category_of_the_query(backend: Backend) {
    let Some(db) = TestDatabase::create(backend).await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let pool = dir.path().join("pool");
    std::fs::create_dir_all(&pool).unwrap();
    let files = [
        (
            "chef-1",
            resume(
                "Sam Baker",
                "Head Chef",
                "Head Chef, The Old Mill Restaurant",
                &[
                    "Ran a kitchen of twelve cooks and wrote seasonal menus.",
                    "Kept food safety records and trained staff in food hygiene.",
                ],
                "Menu planning, food safety, kitchen management, cooking",
            ),
        ),
        (
            "chef-2",
            resume(
                "Jo Fenn",
                "Sous Chef",
                "Sous Chef, Harbour Bistro",
                &[
                    "Prepared sauces, fish and pastry for a busy dinner service.",
                    "Ordered produce and managed kitchen stock.",
                ],
                "Cooking, pastry, stock control, food hygiene",
            ),
        ),
        (
            "accountant-1",
            resume(
                "Ali Grant",
                "Staff Accountant",
                "Staff Accountant, Northern Freight Ltd",
                &[
                    "Prepared month-end journals and balance sheet reconciliations.",
                    "Maintained the general ledger and supported the annual audit.",
                ],
                "Accounting, general ledger, reconciliations, Excel",
            ),
        ),
        (
            "accountant-2",
            resume(
                "Kim Ross",
                "Accounts Payable Specialist",
                "Accounts Payable Specialist, Dale Water plc",
                &[
                    "Processed supplier invoices and payment runs.",
                    "Reconciled supplier statements and vendor accounts.",
                ],
                "Accounts payable, invoicing, bookkeeping, Excel",
            ),
        ),
        (
            "uncategorised",
            resume(
                "Lee Hart",
                "Line Cook",
                "Line Cook, Station Road Diner",
                &[
                    "Cooked breakfast and lunch orders on the grill station.",
                    "Cleaned down the kitchen and followed food safety rules.",
                ],
                "Cooking, grill, food safety",
            ),
        ),
    ];
    for (name, text) in &files {
        std::fs::write(pool.join(format!("{name}.txt")), text).unwrap();
    }
    let labels = dir.path().join("labels.csv");
    std::fs::write(
        &labels,
        "id,category\nchef-1,CHEF\nchef-2,CHEF\naccountant-1,ACCOUNTANT\naccountant-2,ACCOUNTANT\n\
         not-stored,TEACHER\n",
    )
    .unwrap();
    run_ok(
        intellicv_on(&db)
            .args(["ingest", "resumes", "--json", "--labels"])
            .arg(&labels)
            .arg(&pool),
    );

    let query = dir.path().join("query.txt");
    std::fs::write(
        &query,
        resume(
            "Pat Moss",
            "Kitchen Supervisor",
            "Kitchen Supervisor, Riverside Hotel",
            &[
                "Supervised breakfast service and the hotel kitchen team.",
                "Checked deliveries and kept the food safety log.",
            ],
            "Kitchen management, food safety, cooking",
        ),
    )
    .unwrap();
    let out = run_ok(
        intellicv_on(&db)
            .args(["match", "similar", "--json", "--limit", "10", "--resume"])
            .arg(&query),
    );
    let hits: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(hits.len(), 5, "{hits:#?}");
    let by_file = |stem: &str| {
        hits.iter()
            .find(|h| h["source_filename"].as_str().unwrap().starts_with(stem))
            .unwrap_or_else(|| panic!("{stem} missing from {hits:#?}"))
    };
    let affinity = |stem: &str| by_file(stem)["similarity"]["category"].as_f64().unwrap();
    // Labels reached the store; a label naming no stored file changed nothing.
    assert_eq!(by_file("chef-1")["category"], "CHEF");
    assert_eq!(by_file("accountant-2")["category"], "ACCOUNTANT");
    assert!(by_file("uncategorised")["category"].is_null());
    // The query reads as kitchen work: the chefs' category is the likely one, and the
    // uncategorised cook is judged by its own likely category.
    for stem in ["chef-1", "chef-2", "uncategorised"] {
        assert!(affinity(stem) > 0.5, "{stem}: {hits:#?}");
    }
    for stem in ["accountant-1", "accountant-2"] {
        assert!(affinity(stem) < 0.5, "{stem}: {hits:#?}");
    }
    let last_two: Vec<&str> = hits[3..]
        .iter()
        .map(|h| h["category"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(last_two, ["ACCOUNTANT", "ACCOUNTANT"], "{hits:#?}");
}

async fn upload_text(app: &TestApp, token: &str, name: &str, text: String) -> i64 {
    let started = std::time::Instant::now();
    let response = crate::documents_api::upload(app, token, name, text.into_bytes()).await;
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    assert_eq!(status, 201, "{name} after {:?}: {body}", started.elapsed());
    body["resume"]["id"].as_i64().unwrap()
}

async fn recruiters_file_resumes_under_categories_that_similar_search_learns_from(
    backend: Backend,
) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (_, candidate) = user_with_token(&app, "cv@example.com", Role::Candidate).await;
    let (recruiter_id, recruiter) =
        user_with_token(&app, "hiring@example.com", Role::Recruiter).await;
    let chefs = [
        resume(
            "Sam Baker",
            "Head Chef",
            "Head Chef, The Old Mill Restaurant",
            &["Ran a kitchen of twelve cooks and wrote seasonal menus."],
            "Menu planning, food safety, kitchen management, cooking",
        ),
        resume(
            "Jo Fenn",
            "Sous Chef",
            "Sous Chef, Harbour Bistro",
            &["Prepared sauces, fish and pastry for a busy dinner service."],
            "Cooking, pastry, stock control, food hygiene",
        ),
    ];
    let accountants = [
        resume(
            "Ali Grant",
            "Staff Accountant",
            "Staff Accountant, Northern Freight Ltd",
            &["Prepared month-end journals and balance sheet reconciliations."],
            "Accounting, general ledger, reconciliations, Excel",
        ),
        resume(
            "Kim Ross",
            "Accounts Payable Specialist",
            "Accounts Payable Specialist, Dale Water plc",
            &["Processed supplier invoices and payment runs."],
            "Accounts payable, invoicing, bookkeeping, Excel",
        ),
    ];
    let mut filed = Vec::new();
    for (i, text) in chefs.into_iter().enumerate() {
        filed.push((
            upload_text(&app, &candidate, &format!("chef-{i}.txt"), text).await,
            "CHEF",
        ));
    }
    for (i, text) in accountants.into_iter().enumerate() {
        let id = upload_text(&app, &candidate, &format!("acc-{i}.txt"), text).await;
        filed.push((id, "ACCOUNTANT"));
    }
    let query = upload_text(
        &app,
        &candidate,
        "query.txt",
        resume(
            "Pat Moss",
            "Kitchen Supervisor",
            "Kitchen Supervisor, Riverside Hotel",
            &["Supervised breakfast service and kept the food safety log."],
            "Kitchen management, food safety, cooking",
        ),
    )
    .await;

    let path = |id: i64| format!("/api/v1/resumes/{id}/category");
    // Candidates do not file the pool; bad names say why and change nothing.
    let body = json!({ "category": "CHEF" });
    let (status, _, _) =
        expect_error(put_as(&app, &path(filed[0].0), &candidate, &body).await).await;
    assert_eq!(status, 403);
    let long = json!({ "category": "x".repeat(65) });
    let (status, code, error) =
        expect_error(put_as(&app, &path(filed[0].0), &recruiter, &long).await).await;
    assert_eq!(
        (status, code.as_str()),
        (422, "validation_failed"),
        "{error}"
    );
    assert_eq!(error["error"]["details"]["field"], "category", "{error}");
    let missing = put_as(&app, &path(999_999), &recruiter, &body).await;
    assert_eq!(missing.status(), 404);

    for (id, category) in &filed {
        let response = put_as(
            &app,
            &path(*id),
            &recruiter,
            &json!({ "category": category }),
        )
        .await;
        assert_eq!(response.status(), 200);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["category"], *category);
    }
    let rows = audit_rows(&app, "resume.category_set").await;
    assert_eq!(rows.len(), 4);
    for row in &rows {
        assert_eq!(row.actor_user_id, Some(recruiter_id));
        assert!(row.details.0["from"].is_null());
    }
    let to_chef = rows.iter().filter(|r| r.details.0["to"] == "CHEF").count();
    assert_eq!(to_chef, 2);

    // Similar candidates learn the categories at once: the kitchen supervisor's likely
    // category is the chefs'.
    let hits: Vec<Value> = get_as(
        &app,
        &format!("/api/v1/resumes/{query}/similar"),
        &recruiter,
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(hits.len(), 4, "{hits:#?}");
    for hit in &hits {
        let id = hit["resume_id"].as_i64().unwrap();
        let category = filed.iter().find(|(f, _)| *f == id).unwrap().1;
        assert_eq!(hit["category"], category, "{hits:#?}");
        let affinity = hit["similarity"]["category"].as_f64().unwrap();
        if category == "CHEF" {
            assert!(affinity > 0.5, "{hits:#?}");
        } else {
            assert!(affinity < 0.5, "{hits:#?}");
        }
    }
    let top_two: Vec<&str> = hits[..2]
        .iter()
        .map(|h| h["category"].as_str().unwrap())
        .collect();
    assert_eq!(top_two, ["CHEF", "CHEF"], "{hits:#?}");

    // Clearing a category: null (or blank) files the resume under none.
    let cleared: Value = put_as(
        &app,
        &path(filed[0].0),
        &recruiter,
        &json!({ "category": null }),
    )
    .await
    .json()
    .await
    .unwrap();
    assert!(cleared["category"].is_null(), "{cleared}");
    let read: Value = get_as(&app, &format!("/api/v1/resumes/{}", filed[0].0), &recruiter)
        .await
        .json()
        .await
        .unwrap();
    assert!(read["category"].is_null(), "{read}");
}

on_both_backends!(
    similar_candidates_prefer_the_likely_category_of_the_query,
    recruiters_file_resumes_under_categories_that_similar_search_learns_from
);
