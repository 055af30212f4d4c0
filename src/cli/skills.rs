use std::io::BufRead;

use clap::{Args, Subcommand};

use intellicv_app::config::Settings;
use intellicv_core::ExtractedSkill;
use intellicv_skills::TextPart;

/// Lines of `--stdin` embedded together.
const STDIN_BATCH: usize = 64;

#[derive(Debug, Subcommand)]
pub enum SkillsCommand {
    /// Print the ESCO skills found in a text, ranked, with confidence and evidence
    Extract(ExtractArgs),
}

#[derive(Debug, Args)]
pub struct ExtractArgs {
    /// The text to read (omit with --stdin)
    #[arg(required_unless_present = "stdin")]
    pub text: Option<String>,
    /// Read one text per line from standard input; print one result per line
    #[arg(long)]
    pub stdin: bool,
    /// Print JSON (one object per text)
    #[arg(long)]
    pub json: bool,
}

pub async fn run(command: SkillsCommand, settings: Settings) -> anyhow::Result<()> {
    let extractor = intellicv_app::components::Models::load(&settings)
        .await?
        .skills;
    let SkillsCommand::Extract(args) = command;
    let print = |text: &str, skills: &[ExtractedSkill]| -> anyhow::Result<()> {
        if args.json {
            println!("{}", serde_json::json!({ "text": text, "skills": skills }));
        } else {
            for s in skills {
                let evidence: Vec<&str> = s.evidence.iter().map(|e| e.text.as_str()).collect();
                println!(
                    "{:.2}  {}  {}  (evidence: {})",
                    s.confidence,
                    s.label,
                    s.uri,
                    evidence.join("; ")
                );
            }
            if args.stdin {
                println!();
            }
        }
        Ok(())
    };
    let extract = |texts: &[String]| -> anyhow::Result<Vec<Vec<ExtractedSkill>>> {
        let parts: Vec<TextPart<'_>> = texts
            .iter()
            .map(|text| TextPart {
                text,
                base_offset: 0,
                section: None,
            })
            .collect();
        Ok(extractor.extract_parts(&parts)?)
    };
    if args.stdin {
        let lines = std::io::stdin().lock().lines();
        let mut batch: Vec<String> = Vec::with_capacity(STDIN_BATCH);
        let flush = |batch: &mut Vec<String>| -> anyhow::Result<()> {
            for (text, skills) in batch.iter().zip(extract(batch)?) {
                print(text, &skills)?;
            }
            batch.clear();
            Ok(())
        };
        for line in lines {
            batch.push(line?);
            if batch.len() == STDIN_BATCH {
                flush(&mut batch)?;
            }
        }
        flush(&mut batch)?;
    } else if let Some(text) = &args.text {
        let texts = [text.clone()];
        print(text, &extract(&texts)?[0])?;
    }
    Ok(())
}
