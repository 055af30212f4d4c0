use std::path::PathBuf;

use clap::Args;

use intellicv_app::config::Settings;
use intellicv_ingest::extract::ExtractLimits;
use intellicv_skills::resume::{parse_resume, this_month};

#[derive(Debug, Args)]
pub struct ParseArgs {
    /// Resume files to parse (nothing is stored)
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// One JSON object per line per file, with the profile or the typed error
    #[arg(long)]
    pub json: bool,
}

pub async fn run(args: ParseArgs, settings: Settings) -> anyhow::Result<()> {
    let extractor = intellicv_app::components::Models::load(&settings)
        .await?
        .skills;
    let limits = ExtractLimits::default();
    let today = this_month();
    let mut failed = 0;
    for file in &args.files {
        let name = file.display().to_string();
        let result = std::fs::read(file)
            .map_err(|e| ("unreadable".to_owned(), e.to_string()))
            .and_then(|bytes| {
                parse_resume(&bytes, &limits, &extractor, today)
                    .map_err(|e| (e.code().to_owned(), e.to_string()))
            });
        match (result, args.json) {
            (Ok(parsed), true) => println!(
                "{}",
                serde_json::json!({ "file": name, "format": parsed.format, "profile": parsed.profile })
            ),
            (Ok(parsed), false) => {
                let p = &parsed.profile;
                println!("{name} ({})", parsed.format.as_str());
                let value = |f: &Option<intellicv_core::Field<String>>| {
                    f.as_ref()
                        .map(|f| f.value.clone())
                        .unwrap_or_else(|| "-".into())
                };
                println!("  name: {}", value(&p.contact.name));
                println!("  email: {}", value(&p.contact.email));
                println!("  headline: {}", value(&p.headline));
                println!(
                    "  years: {}  seniority: {}",
                    p.total_years_experience
                        .map_or("-".into(), |y| y.to_string()),
                    p.seniority.map_or("-", |s| s.as_str())
                );
                for e in &p.experience {
                    println!(
                        "  experience: {} | {} | {:?} - {}",
                        e.title.as_deref().unwrap_or("-"),
                        e.company.as_deref().unwrap_or("-"),
                        e.start,
                        if e.is_current {
                            "present".to_owned()
                        } else {
                            format!("{:?}", e.end)
                        }
                    );
                }
                for e in &p.education {
                    println!(
                        "  education: {} {} | {} | {:?}",
                        e.degree.as_deref().unwrap_or("-"),
                        e.field.as_deref().unwrap_or(""),
                        e.institution.as_deref().unwrap_or("-"),
                        e.year
                    );
                }
                let skills: Vec<&str> = p.skills.iter().map(|s| s.label.as_str()).collect();
                println!("  skills: {}", skills.join(", "));
            }
            (Err((code, reason)), true) => {
                failed += 1;
                println!(
                    "{}",
                    serde_json::json!({ "file": name, "error": { "code": code, "reason": reason } })
                );
            }
            (Err((code, reason)), false) => {
                failed += 1;
                println!("{name}: failed: {reason} ({code})");
            }
        }
    }
    if failed > 0 {
        anyhow::bail!(
            "{failed} of {} file(s) could not be parsed",
            args.files.len()
        );
    }
    Ok(())
}
