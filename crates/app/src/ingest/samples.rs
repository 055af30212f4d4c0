//! The sample data in `data/samples`: loaded into an empty database so a first `serve`
//! shows a working service.

use std::path::{Path, PathBuf};

/// The sample job files and resume directory under the assets dir.
pub fn sample_paths(assets_dir: &Path) -> (Vec<PathBuf>, PathBuf) {
    let jobs = assets_dir.join("samples/jobs");
    let files = ["jobs.jsonl", "schema_org.json", "jobs.csv"]
        .iter()
        .map(|f| jobs.join(f))
        .filter(|p| p.is_file())
        .collect();
    (files, assets_dir.join("samples/resumes"))
}
