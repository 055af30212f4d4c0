//! Blind mode: changing only a person's name, contact details, age, pronouns and other
//! personal cues leaves the redacted documents, the scores and the rankings unchanged.

use std::collections::HashMap;

use super::*;
use crate::redact;

/// The personal details one version of a resume carries.
struct Person {
    honorific: &'static str,
    name: &'static str,
    email: &'static str,
    phone: &'static str,
    link: &'static str,
    born: &'static str,
    nationality: &'static str,
    marital: &'static str,
    pronoun: &'static str,
    possessive: &'static str,
    chair: &'static str,
}

const PEOPLE: [[Person; 2]; 3] = [
    [
        Person {
            honorific: "Ms",
            name: "Jane Okafor",
            email: "jane.okafor@example.com",
            phone: "+44 20 7946 0958",
            link: "linkedin.com/in/janeokafor",
            born: "12/03/1985",
            nationality: "Nigerian",
            marital: "Married",
            pronoun: "She",
            possessive: "her",
            chair: "chairwoman",
        },
        Person {
            honorific: "Mr",
            name: "Tom Smith",
            email: "tsmith@example.org",
            phone: "+44 161 496 0000",
            link: "github.com/tomsmith",
            born: "01/11/1961",
            nationality: "British",
            marital: "Single",
            pronoun: "He",
            possessive: "his",
            chair: "chairman",
        },
    ],
    [
        Person {
            honorific: "Mrs",
            name: "Maria Garcia Lopez",
            email: "maria@example.net",
            phone: "07700 900123",
            link: "https://maria.example.net",
            born: "1990",
            nationality: "Spanish",
            marital: "Divorced",
            pronoun: "She",
            possessive: "her",
            chair: "chairwoman",
        },
        Person {
            honorific: "Mr",
            name: "Wei Chen",
            email: "wei.chen@example.com",
            phone: "+1 415 555 0134",
            link: "www.weichen.dev",
            born: "22 July 1975",
            nationality: "Chinese",
            marital: "Widowed",
            pronoun: "He",
            possessive: "his",
            chair: "chairman",
        },
    ],
    [
        Person {
            honorific: "Mx",
            name: "Sam Taylor",
            email: "sam@example.com",
            phone: "+44 113 496 0321",
            link: "gitlab.com/samt",
            born: "05/05/1999",
            nationality: "Irish",
            marital: "Single",
            pronoun: "She",
            possessive: "her",
            chair: "chairwoman",
        },
        Person {
            honorific: "Miss",
            name: "Priya Raman",
            email: "p.raman@example.co.uk",
            phone: "+44 20 7123 4567",
            link: "twitter.com/priyar",
            born: "30/09/1980",
            nationality: "Indian",
            marital: "Married",
            pronoun: "He",
            possessive: "his",
            chair: "chairman",
        },
    ],
];

/// The professional content of the three resumes: headline, roles and skills.
const CAREERS: [(&str, &str, &str); 3] = [
    (
        "Senior Backend Engineer",
        "Senior Backend Engineer, Acme Ltd\nJan 2019 - Present\n- {P} built Rust services on Kubernetes; {p} team ran Kafka.\n\
         Backend Developer, Beta Ltd\nMar 2014 - Dec 2018\n- Wrote Python and PostgreSQL code.\n",
        "Rust, Kubernetes, Kafka, Python, PostgreSQL",
    ),
    (
        "Data Engineer",
        "Data Engineer, Gamma plc\nJun 2022 - Present\n- {P} moved {p} pipelines to Python and Kafka.\n\
         Analyst, Delta Ltd\nJan 2019 - May 2022\n- Built Excel reports.\n",
        "Python, Kafka, Excel",
    ),
    (
        "Sales Manager",
        "Sales Manager, Epsilon Ltd\nFeb 2017 - Present\n- {P} grew {p} region with Salesforce.\n",
        "Salesforce, Excel",
    ),
];

fn resume(career: &(&str, &str, &str), who: &Person) -> String {
    let (headline, roles, skills) = career;
    let roles = roles
        .replace("{P}", who.pronoun)
        .replace("{p}", who.possessive);
    format!(
        "{} {}\n{headline}\nLondon, UK\n{} | {} | {}\n\
         Date of birth: {} | Nationality: {} | Marital status: {}\n\
         Summary\n{} is the {} of the guild; {} work ships.\n\
         Experience\n{roles}Skills\n{skills}\n",
        who.honorific,
        who.name,
        who.email,
        who.phone,
        who.link,
        who.born,
        who.nationality,
        who.marital,
        who.pronoun,
        who.chair,
        who.possessive,
    )
}

fn jobs() -> Vec<Job> {
    let mut remote = draft(
        "Backend Engineer",
        "Requirements:\n- Rust and Kafka\n- Kubernetes\nNice to have:\n- PostgreSQL\n",
    );
    remote.remote_mode = RemoteMode::Remote;
    remote.salary = salary(70_000.0, 95_000.0);
    vec![
        store(1, remote),
        store(
            2,
            draft(
                "Data Engineer",
                "Requirements:\n- Python\n- Kafka\nNice to have:\n- Docker\n",
            ),
        ),
        store(
            3,
            draft("Sales Manager", "Requirements:\n- Salesforce\n- Excel\n"),
        ),
    ]
}

/// A stand-in for the engine's lexical signal: cosine of word counts.
fn lexical(a: &str, b: &str) -> f32 {
    let counts = |t: &str| {
        let mut m: HashMap<String, f32> = HashMap::new();
        for w in t
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
        {
            *m.entry(w.to_lowercase()).or_default() += 1.0;
        }
        m
    };
    let (a, b) = (counts(a), counts(b));
    let dot: f32 = a.iter().map(|(w, x)| x * b.get(w).unwrap_or(&0.0)).sum();
    let norm = |m: &HashMap<String, f32>| m.values().map(|x| x * x).sum::<f32>().sqrt();
    dot / (norm(&a) * norm(&b)).max(f32::EPSILON)
}

fn signals(text: &str, job: &Job) -> Signals {
    Signals {
        semantic: None,
        lexical: Some(lexical(
            text,
            &format!("{} {}", job.record.title, job.record.description),
        )),
        title_semantic: None,
    }
}

fn blind_scores(version: usize) -> Vec<Vec<f32>> {
    let jobs = jobs();
    CAREERS
        .iter()
        .zip(&PEOPLE)
        .map(|(career, people)| {
            let text = resume(career, &people[version]);
            let redacted = redact(&profile(&text), &text);
            jobs.iter()
                .map(|job| {
                    let options = MatchOptions { blind: true };
                    let rarity = SkillRarity::default();
                    let s = signals(&redacted.text, job);
                    score_with(&profile(&text), None, job, s, &rarity, options).score
                })
                .collect()
        })
        .collect()
}

fn ranking(scores: &[f32]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]).then(a.cmp(&b)));
    order
}

#[test]
fn changing_only_personal_details_leaves_redacted_resumes_equal() {
    for (career, people) in CAREERS.iter().zip(&PEOPLE) {
        let texts = people.each_ref().map(|p| resume(career, p));
        let [a, b] = texts.each_ref().map(|t| redact(&profile(t), t));
        assert_eq!(a.text, b.text);
        assert_eq!(a.profile, b.profile);
        for (t, p) in texts.iter().zip(people) {
            assert_ne!(t, &a.text);
            for detail in [
                p.name,
                p.email,
                p.phone,
                p.link,
                p.born,
                p.nationality,
                p.marital,
            ] {
                assert!(!a.text.contains(detail), "{detail:?} left in {}", a.text);
            }
        }
        for skill in &a.profile.skills {
            for e in &skill.evidence {
                assert_eq!(
                    &a.text[e.source.start..e.source.end],
                    e.text,
                    "{}",
                    skill.uri
                );
            }
        }
    }
}

#[test]
fn changing_only_personal_details_leaves_blind_scores_and_rankings_unchanged() {
    let (first, second) = (blind_scores(0), blind_scores(1));
    assert_eq!(first, second);
    for (a, b) in first.iter().zip(&second) {
        assert_eq!(ranking(a), ranking(b));
    }
    let per_job = |s: &Vec<Vec<f32>>, j: usize| s.iter().map(|r| r[j]).collect::<Vec<_>>();
    for j in 0..3 {
        assert_eq!(ranking(&per_job(&first, j)), ranking(&per_job(&second, j)));
    }
    // Each resume ranks its own kind of job first, so the scores carry the content.
    for (i, row) in first.iter().enumerate() {
        assert_eq!(ranking(row)[0], i, "{row:?}");
    }
    // Without redaction the text signal would see the personal details.
    let jobs = jobs();
    let raw: Vec<f32> = PEOPLE[0]
        .iter()
        .map(|p| signals(&resume(&CAREERS[0], p), &jobs[0]).lexical.unwrap())
        .collect();
    assert_ne!(raw[0], raw[1]);
}

#[test]
fn blind_explanations_show_no_personal_details() {
    let jobs = jobs();
    let who = &PEOPLE[0][0];
    let text = resume(&CAREERS[0], who);
    let resume = profile(&text);
    let explain = |blind| {
        let e = score_with(
            &resume,
            None,
            &jobs[1],
            Signals::default(),
            &SkillRarity::default(),
            MatchOptions { blind },
        );
        serde_json::to_string(&e).unwrap()
    };
    let open = explain(false);
    assert!(open.contains("London, UK"), "{open}");
    let blind = explain(true);
    for detail in [who.name, who.email, who.phone, "London, UK", "chairwoman"] {
        assert!(!blind.contains(detail), "{detail:?} in {blind}");
    }
}
