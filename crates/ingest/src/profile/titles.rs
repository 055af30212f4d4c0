//! Recognising job titles by their head nouns.

/// Words that end or head most job titles.
const TITLE_WORDS: &[&str] = &[
    "accountant",
    "administrator",
    "advisor",
    "adviser",
    "advocate",
    "agent",
    "analyst",
    "architect",
    "artist",
    "assistant",
    "associate",
    "attorney",
    "auditor",
    "baker",
    "banker",
    "bookkeeper",
    "buyer",
    "carpenter",
    "cashier",
    "chef",
    "clerk",
    "coach",
    "consultant",
    "controller",
    "cook",
    "coordinator",
    "counselor",
    "counsellor",
    "designer",
    "developer",
    "director",
    "driver",
    "economist",
    "editor",
    "educator",
    "electrician",
    "engineer",
    "executive",
    "faculty",
    "instructor",
    "intern",
    "inspector",
    "investigator",
    "lawyer",
    "lead",
    "lecturer",
    "librarian",
    "manager",
    "mechanic",
    "nurse",
    "officer",
    "operator",
    "paralegal",
    "pharmacist",
    "photographer",
    "physician",
    "pilot",
    "planner",
    "practitioner",
    "president",
    "producer",
    "professor",
    "programmer",
    "recruiter",
    "representative",
    "researcher",
    "scientist",
    "secretary",
    "server",
    "sergeant",
    "specialist",
    "strategist",
    "supervisor",
    "surgeon",
    "technician",
    "technologist",
    "teacher",
    "therapist",
    "trainer",
    "tutor",
    "underwriter",
    "writer",
    "head",
    "chief",
    "vp",
    "ceo",
    "cfo",
    "cto",
    "partner",
    "owner",
    "founder",
    "generalist",
    "receptionist",
    "dispatcher",
    "estimator",
    "foreman",
    "superintendent",
    "worker",
    "aide",
    "steward",
    "stewardess",
    "attendant",
    "handler",
    "merchandiser",
    "stylist",
    "barista",
    "bartender",
    "dietitian",
    "nutritionist",
    "paramedic",
    "hygienist",
    "teller",
    "broker",
    "dealer",
    "welder",
    "machinist",
    "farmer",
    "agronomist",
    "veterinarian",
    "volunteer",
    "fellow",
    "principal",
];

/// Whether `s` reads like a job title ("Senior Rust Engineer", "STAFF ACCOUNTANT").
pub fn looks_like_job_title(s: &str) -> bool {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .any(|w| {
            let lower = w.to_lowercase();
            TITLE_WORDS.contains(&lower.as_str())
                || lower
                    .strip_suffix('s')
                    .is_some_and(|singular| TITLE_WORDS.contains(&singular))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_recognised_by_their_head_words() {
        assert!(looks_like_job_title("Senior Rust Engineer"));
        assert!(looks_like_job_title("MEDIA ACTIVITIES SPECIALIST"));
        assert!(looks_like_job_title("Apparel Designer/Developer"));
        assert!(!looks_like_job_title("Jane Doe"));
        assert!(!looks_like_job_title("London, UK"));
    }
}
