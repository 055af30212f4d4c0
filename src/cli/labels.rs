//! Resume categories from a labels file (`id,category` rows, the id being the file name
//! without extension): read by `ingest resumes --labels` and `eval similar`.

use std::collections::HashMap;
use std::path::Path;

use anyhow::Context;

use intellicv_store::{ResumeRecord, Store};

/// `id,category` rows: file stem → category.
pub fn read_labels(path: &Path) -> anyhow::Result<HashMap<String, String>> {
    let mut reader = csv::Reader::from_path(path)
        .with_context(|| format!("cannot read labels {}", path.display()))?;
    let mut out = HashMap::new();
    for row in reader.records() {
        let row = row.with_context(|| format!("bad row in {}", path.display()))?;
        let (Some(id), Some(label)) = (row.get(0), row.get(1)) else {
            anyhow::bail!("{} rows need id,category", path.display());
        };
        out.insert(id.trim().to_owned(), label.trim().to_owned());
    }
    Ok(out)
}

/// The file stem of a stored resume, the key of its label.
pub fn stem(resume: &ResumeRecord) -> String {
    Path::new(&resume.source_filename)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Sets the category of every parsed resume with a label to that label where `keep`
/// accepts the resume, and clears it where it does not; resumes without a label are left
/// alone. Returns how many changed (unchanged ones are not touched, so they are not
/// re-indexed).
pub async fn apply_labels(
    store: &Store,
    labels: &HashMap<String, String>,
    keep: impl Fn(&ResumeRecord) -> bool,
) -> anyhow::Result<usize> {
    let ids: Vec<i64> = store
        .searchable_versions("resumes")
        .await?
        .into_iter()
        .map(|v| v.id)
        .collect();
    let mut changed = 0;
    for batch in ids.chunks(256) {
        for resume in store.resumes_by_ids(batch).await? {
            let Some(label) = labels.get(&stem(&resume)) else {
                continue;
            };
            let wanted = keep(&resume).then_some(label.as_str());
            if resume.category.as_deref() != wanted {
                store.set_resume_category(resume.id, wanted).await?;
                changed += 1;
            }
        }
    }
    Ok(changed)
}
