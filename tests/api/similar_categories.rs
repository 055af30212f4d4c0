//! Resume categories (`ingest resumes --labels`) and what similar-candidate search learns
//! from them, through the CLI, on resumes the test writes itself.

use serde_json::Value;

use crate::helpers::{Backend, TestDatabase, intellicv_on, run_ok};
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

on_both_backends!(similar_candidates_prefer_the_likely_category_of_the_query);
