//! Measurement on the shared job postings (ignored unless run explicitly):
//!
//! `INTELLICV_SHARED_DATA=/work/shared/data cargo test --release -p intellicv-lab \
//!  --test text_index_measure -- --ignored --nocapture`
//!
//! Parses both job files (with skill extraction), builds the index on disk with 1 and 2
//! writer threads, and times 200 queries with and without filters, and highlighting.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

use intellicv_app::ingest::job_import::parse_job_file;
use intellicv_core::{EmploymentType, JobPostingDraft, RemoteMode};
use intellicv_ingest::jobs::CsvMapping;
use intellicv_search::{
    Collection, DocId, DocMeta, GeoPoint, GeoRadius, SearchDoc, SearchFilters, SkillRef, TextIndex,
    TextIndexConfig, TextQuery, yearly_amount,
};
use intellicv_skills::{SkillExtractor, Taxonomy};

/// The searchable form of an imported posting.
pub fn job_search_doc(draft: &JobPostingDraft, id: DocId, updated_at: i64) -> SearchDoc {
    let salary = draft.salary.as_ref();
    let yearly =
        |amount: Option<f64>| amount.map(|a| yearly_amount(a, salary.and_then(|s| s.period)));
    let mut skill_uris: Vec<String> = draft.skills.iter().map(|s| s.skill.uri.clone()).collect();
    skill_uris.sort();
    skill_uris.dedup();
    SearchDoc {
        id,
        title: draft.title.clone(),
        other_titles: Vec::new(),
        skills: draft
            .skills
            .iter()
            .map(|s| SkillRef {
                uri: s.skill.uri.clone(),
                label: s.skill.label.clone(),
            })
            .collect(),
        body: draft.description.clone(),
        company: draft.company.clone(),
        meta: DocMeta {
            remote_mode: (draft.remote_mode != RemoteMode::Unknown).then_some(draft.remote_mode),
            employment_type: (draft.employment_type != EmploymentType::Unknown)
                .then_some(draft.employment_type),
            seniority: draft.seniority,
            category: None,
            location: draft.location.clone(),
            coordinates: draft
                .latitude
                .zip(draft.longitude)
                .map(|(lat, lon)| GeoPoint { lat, lon }),
            salary_yearly_min: yearly(salary.and_then(|s| s.min)),
            salary_yearly_max: yearly(salary.and_then(|s| s.max)),
            salary_currency: salary.and_then(|s| s.currency.clone()),
            posted_at: draft.posted_at.map(|t| t.timestamp()),
            years_experience: None,
            skill_uris,
            updated_at,
        },
    }
}

fn load_docs(shared: &Path, extractor: &SkillExtractor) -> Vec<SearchDoc> {
    let mut docs = Vec::new();
    for (file, source) in [
        ("nhs-jobs.jsonl.gz", "nhs"),
        ("hn-who-is-hiring.jsonl.gz", "hn"),
    ] {
        let path = shared.join("jobs").join(file);
        let started = Instant::now();
        let (drafts, report) = parse_job_file(&path, source, &CsvMapping::default(), extractor)
            .expect("job file parses");
        println!(
            "{file}: {} postings ({} failed) parsed with skills in {:.1}s",
            drafts.len(),
            report.failed,
            started.elapsed().as_secs_f64()
        );
        let first_id = docs.len() as DocId + 1;
        docs.extend(
            drafts
                .iter()
                .enumerate()
                .map(|(i, d)| job_search_doc(d, first_id + i as DocId, 0)),
        );
    }
    docs
}

fn dir_size(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .expect("index dir")
        .filter_map(Result::ok)
        .filter_map(|e| e.metadata().ok())
        .filter(|m| m.is_file())
        .map(|m| m.len())
        .sum()
}

fn build(docs: &[SearchDoc], dir: &Path, threads: usize) -> TextIndex {
    let config = TextIndexConfig {
        writer_threads: threads,
        writer_memory_bytes: 64_000_000 * threads,
    };
    let started = Instant::now();
    let index = TextIndex::open_or_create_with(dir, Collection::Jobs, config).expect("index");
    for batch in docs.chunks(1_000) {
        index.upsert(batch).expect("upsert");
    }
    index.commit().expect("commit");
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "build, {threads} writer thread(s): {} docs in {seconds:.2}s = {:.0} docs/s; \
         {:.1} MB on disk after commit",
        docs.len(),
        docs.len() as f64 / seconds,
        dir_size(dir) as f64 / 1e6
    );
    index
}

/// Queries people type into a job board: words from real titles, common searches, and
/// both with a typo, each with the skill URIs the gazetteer finds in it.
fn queries(docs: &[SearchDoc], extractor: &SkillExtractor, rng: &mut StdRng) -> Vec<TextQuery> {
    const COMMON: &[&str] = &[
        "python developer",
        "senior software engineer",
        "staff nurse",
        "nurse london",
        "react",
        "data scientist",
        "machine learning",
        "kubernetes",
        "devops aws",
        "frontend javascript remote",
        "physiotherapist",
        "healthcare assistant night shifts",
        "rust",
        "golang backend",
        "\"full stack\" engineer",
        "C++ embedded",
        "C# .NET",
        "product manager",
        "midwife",
        "ios swift",
        "postgres",
        "pharmacist",
        "band 5 nurse",
        "site reliability",
        "ruby on rails",
    ];
    let mut texts: Vec<String> = Vec::new();
    while texts.len() < 100 {
        let d = docs.choose(rng).expect("docs");
        let words: Vec<&str> = d.title.split_whitespace().collect();
        if words.is_empty() || d.title.len() > 80 {
            continue;
        }
        let n = rng.gen_range(1..=words.len().min(3));
        let start = rng.gen_range(0..=words.len() - n);
        texts.push(words[start..start + n].join(" "));
    }
    for i in 0..50 {
        texts.push(COMMON[i % COMMON.len()].to_owned());
    }
    for i in 0..50 {
        let base = texts[i * 2].clone();
        texts.push(with_typo(&base, rng));
    }
    texts
        .into_iter()
        .map(|text| TextQuery {
            skill_uris: extractor
                .extract(&text)
                .into_iter()
                .map(|s| s.uri)
                .collect(),
            text,
            fuzzy: true,
        })
        .collect()
}

/// Swaps two adjacent letters of the longest word.
fn with_typo(text: &str, rng: &mut StdRng) -> String {
    let longest = text
        .split_whitespace()
        .max_by_key(|w| w.chars().count())
        .unwrap_or("");
    let chars: Vec<char> = longest.chars().collect();
    if chars.len() < 5 {
        return text.to_owned();
    }
    let i = rng.gen_range(1..chars.len() - 2);
    let mut typo = chars.clone();
    typo.swap(i, i + 1);
    text.replacen(longest, &typo.into_iter().collect::<String>(), 1)
}

fn filters(rng: &mut StdRng) -> SearchFilters {
    let mut f = SearchFilters::default();
    match rng.gen_range(0..6) {
        0 => {
            f.location = Some(
                (*["London", "San Francisco", "New York", "Leeds"]
                    .choose(rng)
                    .expect("place"))
                .to_owned(),
            )
        }
        1 => {
            f.near = Some(GeoRadius {
                lat: 51.5074,
                lon: -0.1278,
                radius_km: 50.0,
            })
        }
        2 => f.remote_modes = vec![RemoteMode::Remote],
        3 => f.posted_within_days = Some(365),
        4 => f.salary_min = Some(30_000.0),
        _ => {
            f.employment_types = vec![EmploymentType::FullTime];
            f.near = Some(GeoRadius {
                lat: 37.7749,
                lon: -122.4194,
                radius_km: 30.0,
            });
        }
    }
    f
}

fn percentiles(mut samples: Vec<Duration>) -> String {
    samples.sort();
    let at = |p: f64| {
        let i = ((samples.len() as f64 * p).ceil() as usize).clamp(1, samples.len()) - 1;
        samples[i].as_secs_f64() * 1e3
    };
    format!(
        "p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        at(0.50),
        at(0.95),
        at(0.99),
        at(1.0)
    )
}

fn time_queries(
    index: &TextIndex,
    queries: &[(TextQuery, SearchFilters)],
    now: i64,
) -> (Vec<Duration>, usize) {
    let mut samples = Vec::with_capacity(queries.len());
    let mut hits = 0;
    for (q, f) in queries {
        let started = Instant::now();
        hits += index.search(q, f, now, 20).expect("search").len();
        samples.push(started.elapsed());
    }
    (samples, hits)
}

#[test]
#[ignore = "reads the shared job postings named by INTELLICV_SHARED_DATA"]
fn measure() {
    let Some(shared) = std::env::var_os("INTELLICV_SHARED_DATA").map(PathBuf::from) else {
        eprintln!("INTELLICV_SHARED_DATA is not set; nothing measured");
        return;
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let models =
        std::env::var_os("INTELLICV_MODELS_DIR").map_or(root.join("models"), PathBuf::from);
    let taxonomy = Taxonomy::load(&models, &root.join("data")).expect("taxonomy");
    let extractor = SkillExtractor::new(&taxonomy).expect("extractor");
    let docs = load_docs(&shared, &extractor);
    assert!(docs.len() > 30_000, "only {} postings", docs.len());
    let now = docs
        .iter()
        .filter_map(|d| d.meta.posted_at)
        .max()
        .expect("dates");

    let tmp = tempfile::tempdir().expect("tempdir");
    drop(build(&docs, &tmp.path().join("two"), 2));
    let index = build(&docs, &tmp.path().join("one"), 1);
    assert_eq!(index.num_docs(), docs.len() as u64);

    let mut rng = StdRng::seed_from_u64(42);
    let queries = queries(&docs, &extractor, &mut rng);
    let plain: Vec<(TextQuery, SearchFilters)> = queries
        .iter()
        .map(|q| (q.clone(), SearchFilters::default()))
        .collect();
    let filtered: Vec<(TextQuery, SearchFilters)> = queries
        .iter()
        .map(|q| (q.clone(), filters(&mut rng)))
        .collect();
    let no_words: Vec<(TextQuery, SearchFilters)> = (0..200)
        .map(|_| (TextQuery::new(""), filters(&mut rng)))
        .collect();
    time_queries(&index, &plain, now); // warm the caches
    for (name, set) in [
        ("no filters", &plain),
        ("with filters", &filtered),
        ("no words, filters only", &no_words),
    ] {
        let (samples, hits) = time_queries(&index, set, now);
        println!(
            "{} queries, {name}: {} ({:.1} hits/query of 20)",
            set.len(),
            percentiles(samples),
            hits as f64 / set.len() as f64
        );
    }
    let exact: Vec<(TextQuery, SearchFilters)> = plain
        .iter()
        .map(|(q, f)| {
            (
                TextQuery {
                    fuzzy: false,
                    ..q.clone()
                },
                f.clone(),
            )
        })
        .collect();
    let (samples, _) = time_queries(&index, &exact, now);
    println!(
        "200 queries, no filters, fuzzy off: {}",
        percentiles(samples)
    );

    let mut samples = Vec::new();
    for (q, f) in &plain {
        let ids: Vec<DocId> = index
            .search(q, f, now, 10)
            .expect("search")
            .iter()
            .map(|h| h.id)
            .collect();
        let started = Instant::now();
        index.highlights(q, &ids).expect("highlights");
        samples.push(started.elapsed());
    }
    println!("highlights for the top 10: {}", percentiles(samples));
}
