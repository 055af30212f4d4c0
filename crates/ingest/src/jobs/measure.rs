//! Measurement over the shared real job sets (ignored unless run explicitly):
//! `INTELLICV_SHARED_DATA=/work/shared/data cargo test --release --lib measure_shared_job_files -- --ignored --nocapture`

use std::fs::File;
use std::path::PathBuf;
use std::time::Instant;

use super::reader::read_jsonl;
use super::stats::ImportStats;

#[test]
#[ignore = "reads the shared data sets named by INTELLICV_SHARED_DATA"]
fn measure_shared_job_files() {
    let Some(root) = std::env::var_os("INTELLICV_SHARED_DATA").map(PathBuf::from) else {
        eprintln!("INTELLICV_SHARED_DATA is not set; nothing measured");
        return;
    };
    for (name, source) in [
        ("nhs-jobs.jsonl.gz", "nhs"),
        ("hn-who-is-hiring.jsonl.gz", "hn"),
    ] {
        let path = root.join("jobs").join(name);
        let file = File::open(&path);
        assert!(file.is_ok(), "cannot open {}", path.display());
        let Ok(file) = file else { return };
        let started = Instant::now();
        let mut stats = ImportStats::default();
        for result in read_jsonl(file, source) {
            stats.add(&result);
        }
        let seconds = started.elapsed().as_secs_f64();
        let total = stats.parsed + stats.failed_total();
        println!(
            "{name}: {total} records in {seconds:.2}s ({:.0} records/s)\n{stats}",
            total as f64 / seconds
        );
        assert!(stats.parsed > 0);
    }
}
