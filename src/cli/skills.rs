use std::io::BufRead;

use clap::{Args, Subcommand};

use crate::config::Settings;
use crate::domain::ExtractedSkill;

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
    let extractor = super::load_skill_extractor(&settings).await?;
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
    if args.stdin {
        for line in std::io::stdin().lock().lines() {
            let line = line?;
            print(&line, &extractor.extract(&line))?;
        }
    } else if let Some(text) = &args.text {
        print(text, &extractor.extract(text))?;
    }
    Ok(())
}
