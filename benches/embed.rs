//! Embedding throughput, to compare with `scripts/bench_embed.py run` on the same inputs.
//!
//! ```sh
//! python3 scripts/bench_embed.py gen /tmp/embed-inputs
//! EMBED_BENCH_INPUTS=/tmp/embed-inputs INTELLICV_MODELS_DIR=$PWD/models cargo bench --bench embed
//! ```
//!
//! For each kind of text (`short`, `long`, `mixed`) and batch size (1, 8, 32) two setups
//! embed the whole file per iteration; criterion reports texts per second ("elem/s"):
//! - `tuned`: the service's setup, 2 sessions × 1 thread, texts bucketed by length into
//!   calls of at most `batch` texts and 256 padded tokens, spread over both sessions
//!   (`Embedder::embed_batch` on the whole list), the graph rewritten (int8 products,
//!   fused attention and GELU).
//! - `tuned-f32`: the same with the weight products in f32 (`int8_matmul = false`), to
//!   tell what the int8 kernels add from what bucketing and the sessions add.
//! - `plain`: the same work as `bench_embed.py run --tuned` (the original graph), 1 session × 1 thread, the
//!   texts fed `batch` at a time in input order (each call is one model run, nothing to
//!   bucket or parallelise): it shows what the language alone changes.
//!
//! Env: `EMBED_BENCH_INPUTS` (required), `EMBED_BENCH_KINDS` (default `short,long,mixed`),
//! `EMBED_BENCH_BATCHES` (default `1,8,32`), `EMBED_BENCH_SECONDS` (default 5).

use std::path::PathBuf;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use intellicv_search::embedder::{Embedder, EmbedderConfig};

fn env_list(name: &str, default: &str) -> Vec<String> {
    std::env::var(name)
        .unwrap_or_else(|_| default.to_owned())
        .split(',')
        .map(str::to_owned)
        .collect()
}

/// `plain` setups run exactly `batch_size` texts per call (no token budget) on the
/// original graph.
fn load(pool_size: usize, batch_size: usize, int8_matmul: bool, plain: bool) -> Embedder {
    let config = EmbedderConfig {
        pool_size,
        intra_threads: 1,
        batch_size,
        int8_matmul,
        batch_tokens: if plain { usize::MAX } else { 256 },
        fuse_graph: !plain,
        ..EmbedderConfig::default()
    };
    Embedder::load(&config).unwrap_or_else(|error| panic!("loading the model: {error}"))
}

fn throughput(c: &mut Criterion) {
    let Some(inputs) = std::env::var_os("EMBED_BENCH_INPUTS").map(PathBuf::from) else {
        panic!("set EMBED_BENCH_INPUTS to a directory made by `scripts/bench_embed.py gen DIR`");
    };
    let seconds: u64 = std::env::var("EMBED_BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    let batches: Vec<usize> = env_list("EMBED_BENCH_BATCHES", "1,8,32")
        .iter()
        .filter_map(|b| b.parse().ok())
        .collect();
    for kind in env_list("EMBED_BENCH_KINDS", "short,long,mixed") {
        let path = inputs.join(format!("{kind}.txt"));
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|error| panic!("reading {}: {error}", path.display()));
        let texts: Vec<&str> = text.lines().filter(|line| !line.is_empty()).collect();
        let mut group = c.benchmark_group(format!("embed/{kind}"));
        group
            .sample_size(10)
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(seconds))
            .throughput(Throughput::Elements(texts.len() as u64));
        for &batch in &batches {
            for (name, int8_matmul) in [("tuned", true), ("tuned-f32", false)] {
                let tuned = load(2, batch, int8_matmul, false);
                group.bench_with_input(BenchmarkId::new(name, batch), &texts, |b, texts| {
                    b.iter(|| tuned.embed_batch(texts).expect("embeds"))
                });
            }
            let plain = load(1, batch, false, true);
            group.bench_with_input(BenchmarkId::new("plain", batch), &texts, |b, texts| {
                b.iter(|| {
                    for chunk in texts.chunks(batch) {
                        plain.embed_batch(chunk).expect("embeds");
                    }
                })
            });
        }
        group.finish();
    }
}

criterion_group!(benches, throughput);
criterion_main!(benches);
