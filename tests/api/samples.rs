//! The sample resumes in data/samples parse into the fields their manifest records.

use intellicv_core::YearMonth;
use intellicv_ingest::extract::{ExtractLimits, extract};
use intellicv_ingest::profile::parse_profile;
use serde_json::Value;

fn manifest() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/data/samples/manifest.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn ym(text: &str) -> YearMonth {
    let (y, m) = text.split_once('-').unwrap();
    YearMonth {
        year: y.parse().unwrap(),
        month: Some(m.parse().unwrap()),
    }
}

#[test]
fn sample_resumes_in_every_format_parse_into_their_manifest_fields() {
    check_samples(&["txt", "pdf", "docx", "html", "eml", "json"]);
}

fn check_samples(formats: &[&str]) {
    let manifest = manifest();
    let today = YearMonth {
        year: 2026,
        month: Some(11),
    };
    let mut checked = 0;
    for expected in manifest["resumes"].as_array().unwrap() {
        if !formats.contains(&expected["format"].as_str().unwrap()) {
            continue;
        }
        let file = expected["file"].as_str().unwrap();
        let path = format!("{}/data/samples/{file}", env!("CARGO_MANIFEST_DIR"));
        let bytes = std::fs::read(&path).unwrap();
        let text = extract(&bytes, &ExtractLimits::default()).unwrap().text;
        let p = parse_profile(&text, today);
        let value = |f: &Option<intellicv_core::Field<String>>| f.as_ref().map(|f| f.value.clone());
        assert_eq!(
            value(&p.contact.name).as_deref(),
            expected["name"].as_str(),
            "{file}"
        );
        assert_eq!(
            value(&p.contact.email).as_deref(),
            expected["email"].as_str(),
            "{file}"
        );
        assert_eq!(
            value(&p.contact.phone).as_deref(),
            expected["phone"].as_str(),
            "{file}"
        );
        assert_eq!(
            value(&p.headline).as_deref(),
            expected["headline"].as_str(),
            "{file}"
        );
        let exp = expected["experience"].as_array().unwrap();
        assert_eq!(p.experience.len(), exp.len(), "{file}: {:#?}", p.experience);
        for (got, want) in p.experience.iter().zip(exp) {
            assert_eq!(got.title.as_deref(), want["title"].as_str(), "{file}");
            assert_eq!(got.company.as_deref(), want["company"].as_str(), "{file}");
            let start = got.start.unwrap();
            let want_start = ym(want["start"].as_str().unwrap());
            assert_eq!(start.year, want_start.year, "{file}");
            assert_eq!(got.is_current, want["end"].is_null(), "{file}");
        }
        let edu = expected["education"].as_array().unwrap();
        assert_eq!(p.education.len(), edu.len(), "{file}: {:#?}", p.education);
        for (got, want) in p.education.iter().zip(edu) {
            assert_eq!(got.degree.as_deref(), want["degree"].as_str(), "{file}");
            assert_eq!(got.field.as_deref(), want["field"].as_str(), "{file}");
            assert_eq!(
                got.institution.as_deref(),
                want["institution"].as_str(),
                "{file}"
            );
            assert_eq!(got.year, want["year"].as_i64().map(|y| y as i32), "{file}");
        }
        let certs: Vec<&str> = p.certifications.iter().map(|c| c.value.as_str()).collect();
        let want_certs: Vec<&str> = expected["certifications"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap())
            .collect();
        assert_eq!(certs, want_certs, "{file}");
        let langs: Vec<&str> = p.languages.iter().map(|c| c.value.as_str()).collect();
        let want_langs: Vec<&str> = expected["languages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap())
            .collect();
        assert_eq!(langs, want_langs, "{file}");
        checked += 1;
    }
    assert_eq!(checked, 36, "every sample resume is checked");
}
