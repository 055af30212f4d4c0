//! `intellicv-lab eval match` on a labelled corpus the test writes itself: every query resume
//! becomes a posting, candidates are ranked by the match score, and the report chooses
//! the scoring weights.

use serde_json::Value;

use intellicv_testkit::{Backend, TestDatabase, run_ok};

use crate::lab_on;
use crate::on_both_backends;

/// Resumes of one field: category, headlines, bullets, skills (varied per person).
type Field = (
    &'static str,
    [&'static str; 6],
    [&'static str; 4],
    [&'static str; 3],
);

const FIELDS: [Field; 3] = [
    (
        "CHEF",
        [
            "Head Chef",
            "Sous Chef",
            "Chef de Partie",
            "Pastry Chef",
            "Kitchen Manager",
            "Line Cook",
        ],
        [
            "Wrote seasonal menus and costed every dish.",
            "Ran the pass during a busy dinner service.",
            "Kept food safety records and trained cooks in food hygiene.",
            "Ordered produce and managed kitchen stock.",
        ],
        [
            "Menu planning, food safety, cooking",
            "Pastry, baking, food hygiene",
            "Kitchen management, stock control, cooking",
        ],
    ),
    (
        "ACCOUNTANT",
        [
            "Staff Accountant",
            "Senior Accountant",
            "Accounts Payable Specialist",
            "Management Accountant",
            "Financial Accountant",
            "Payroll Accountant",
        ],
        [
            "Prepared month-end journals and balance sheet reconciliations.",
            "Maintained the general ledger and supported the annual audit.",
            "Processed supplier invoices and payment runs.",
            "Produced management accounts and variance analysis.",
        ],
        [
            "Accounting, general ledger, reconciliations",
            "Accounts payable, bookkeeping, Excel",
            "Financial reporting, auditing, tax",
        ],
    ),
    (
        "DEVELOPER",
        [
            "Software Engineer",
            "Backend Developer",
            "Senior Software Developer",
            "Platform Engineer",
            "Full Stack Developer",
            "Rust Developer",
        ],
        [
            "Built REST services in Rust and Python.",
            "Ran services on Kubernetes and wrote the deployment pipelines.",
            "Designed PostgreSQL schemas and tuned slow queries.",
            "Reviewed code and mentored junior developers.",
        ],
        [
            "Rust, Python, PostgreSQL",
            "Kubernetes, Docker, Linux",
            "JavaScript, React, SQL",
        ],
    ),
];

const NAMES: [&str; 6] = [
    "Sam Baker",
    "Jo Fenn",
    "Ali Grant",
    "Kim Ross",
    "Lee Hart",
    "Pat Moss",
];

fn resume(i: usize, headline: &str, bullets: &[&str; 4], skills: &str) -> String {
    let name = NAMES[i];
    let start = 2010 + i;
    format!(
        "{name}\n{headline}\n{}@example.com | Leeds, UK\nExperience\n{headline}, Company {i}\n\
         Jan {start} - Present\n- {}\n- {}\n- {}\nSkills\n{skills}\n",
        name.to_lowercase().replace(' ', "."),
        bullets[i % 4],
        bullets[(i + 1) % 4],
        bullets[(i + 2) % 4],
    )
}

fn qualities(report: &Value) -> Vec<f64> {
    let mut out = Vec::new();
    for m in report["methods"].as_array().unwrap() {
        for half in ["tuning", "test"] {
            for metric in ["precision_at_10", "ndcg_at_10"] {
                out.push(m[half][metric].as_f64().unwrap());
            }
        }
    }
    out
}

async fn eval_match_ranks_candidates_for_postings_written_from_resumes(backend: Backend) {
    let Some(db) = TestDatabase::create(backend).await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir_all(&corpus).unwrap();
    let mut labels = String::from("id,category\n");
    for (category, headlines, bullets, skills) in FIELDS {
        for (i, headline) in headlines.iter().enumerate() {
            let id = format!("{}-{i}", category.to_lowercase());
            std::fs::write(
                corpus.join(format!("{id}.txt")),
                resume(i, headline, &bullets, skills[i % 3]),
            )
            .unwrap();
            labels.push_str(&format!("{id},{category}\n"));
        }
    }
    let labels_file = dir.path().join("labels.csv");
    std::fs::write(&labels_file, labels).unwrap();

    let out = run_ok(
        lab_on(&db)
            .args(["eval", "match", "--json", "--step", "0.1", "--corpus"])
            .arg(&corpus)
            .arg("--labels")
            .arg(&labels_file),
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let count = |key: &str| report[key].as_u64().unwrap();
    assert_eq!(
        count("index_half") + count("tuning_queries") + count("test_queries"),
        18,
        "{report:#}"
    );
    assert!(
        count("index_half") > 0 && count("tuning_queries") > 0,
        "{report:#}"
    );
    // Every posting names skills and every resume has a title: those components count for
    // every pair; no salary or place is known, so those never do.
    let coverage: Vec<(String, f64)> = serde_json::from_value(report["coverage"].clone()).unwrap();
    let share = |c: &str| coverage.iter().find(|(n, _)| n == c).unwrap().1;
    assert_eq!(share("skills"), 1.0, "{coverage:?}");
    assert_eq!(share("title"), 1.0, "{coverage:?}");
    assert_eq!(share("salary"), 0.0, "{coverage:?}");
    assert!(qualities(&report).iter().all(|q| (0.0..=1.0).contains(q)));
    // The chosen weights: a distribution over the seven components.
    let chosen: serde_json::Map<String, Value> =
        serde_json::from_value(report["chosen"].clone()).unwrap();
    let total: f64 = chosen.values().map(|w| w.as_f64().unwrap()).sum();
    assert!((total - 1.0).abs() < 1e-3, "{chosen:?}");
    // Three clearly separate fields: the chosen model ranks a posting's own field first.
    let method = |name: &str| {
        report["methods"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["method"] == name)
            .unwrap_or_else(|| panic!("{name} missing: {report:#}"))
            .clone()
    };
    let chosen_model = method("chosen (requirement budget)");
    assert!(
        chosen_model["tuning"]["ndcg_at_10"].as_f64().unwrap() > 0.9,
        "{report:#}"
    );
    // The budget table covers every split tried, each with its tuned field weights.
    let budget = report["budget"].as_array().unwrap();
    assert_eq!(budget.len(), 9 * 5, "{report:#}");
}

on_both_backends!(eval_match_ranks_candidates_for_postings_written_from_resumes);
