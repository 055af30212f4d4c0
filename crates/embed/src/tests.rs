//! Tests against the real model. They run when the model files are present; when absent
//! they fail under `CI=true` (with the reason and the fetch command) and are skipped
//! otherwise. The files are looked up in `$INTELLICV_MODELS_DIR`, else `<repo>/models`.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use super::*;

fn models_dir() -> PathBuf {
    std::env::var_os(MODELS_DIR_ENV)
        .filter(|dir| !dir.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models"))
}

/// A small config over the test model directory, or `None` (skip) when the files are
/// missing outside CI.
fn model_config() -> Option<EmbedderConfig> {
    let config = EmbedderConfig {
        models_dir: models_dir(),
        pool_size: 2,
        intra_threads: 1,
        batch_size: 4,
        query_cache_capacity: 100,
        ..EmbedderConfig::default()
    };
    match files::verify(&config) {
        Ok(_) => Some(config),
        Err(error) if std::env::var("CI").is_ok_and(|ci| ci == "true") => {
            panic!("embedding model tests need the model files: {error}")
        }
        Err(error) => {
            eprintln!("skipping embedding model test: {error}");
            None
        }
    }
}

fn shared() -> Option<&'static Embedder> {
    static SHARED: OnceLock<Option<Embedder>> = OnceLock::new();
    SHARED
        .get_or_init(|| model_config().map(|config| Embedder::load(&config).expect("model loads")))
        .as_ref()
}

#[test]
fn vectors_have_384_dimensions_and_unit_length() {
    let Some(embedder) = shared() else { return };
    let vectors = embedder
        .embed_batch(&["Rust developer", "pastry chef"])
        .expect("embeds");
    assert_eq!(embedder.dimension(), 384);
    for vector in &vectors {
        assert_eq!(vector.len(), 384);
        assert!(
            (l2_norm(vector) - 1.0).abs() < 1e-4,
            "norm {}",
            l2_norm(vector)
        );
    }
}

#[test]
fn a_related_job_is_much_closer_than_an_unrelated_one() {
    let Some(embedder) = shared() else { return };
    let v = embedder
        .embed_batch(&[
            "Rust developer",
            "software engineer writing Rust",
            "pastry chef",
        ])
        .expect("embeds");
    let related = cosine(&v[0], &v[1]);
    let unrelated = cosine(&v[0], &v[2]);
    assert!(
        related > unrelated + 0.3,
        "related {related}, unrelated {unrelated}"
    );
}

#[test]
fn bucketed_batches_return_vectors_in_input_order() {
    let Some(config) = model_config() else { return };
    // In f32 a text's vector does not depend on the batch it runs in, so the order check
    // can be exact. With int8 products the activations are quantised per call, over the
    // whole batch, so a text's vector moves a little with its batch-mates (checked below).
    for (int8_matmul, least) in [(false, 0.9999), (true, 0.98)] {
        let embedder = Embedder::load(&EmbedderConfig {
            int8_matmul,
            ..config.clone()
        })
        .expect("loads");
        assert_order_kept(&embedder, least);
    }
}

fn assert_order_kept(embedder: &Embedder, least: f32) {
    let texts = [
        "Led a team of nine engineers building a payments platform in Go and PostgreSQL, \
         cutting settlement time from two days to four hours.",
        "Nurse",
        "Head chef at a seafood restaurant.",
        "Accountant preparing quarterly VAT returns and managing payroll for 40 staff.",
        "Electrician",
        "Taught secondary school mathematics and physics for six years, and ran the \
         after-school robotics club that reached the national finals twice.",
        "Truck driver, HGV class 1.",
        "Data scientist",
        "Graphic designer working in Figma and Adobe Illustrator on brand identities.",
        "Welder",
    ];
    let batched = embedder.embed_batch(&texts).expect("embeds");
    assert_eq!(batched.len(), texts.len());
    for (text, vector) in texts.iter().zip(&batched) {
        let alone = embedder.embed_batch(&[text]).expect("embeds");
        let similarity = cosine(&alone[0], vector);
        assert!(similarity > least, "{text:?}: cosine {similarity}");
    }
}

#[test]
fn repeated_queries_are_answered_from_the_cache() {
    let Some(config) = model_config() else { return };
    let embedder = Embedder::load(&EmbedderConfig {
        pool_size: 1,
        ..config
    })
    .expect("loads");
    let first = embedder
        .embed_query("senior Rust developer")
        .expect("embeds");
    let again = embedder
        .embed_query("senior Rust developer")
        .expect("embeds");
    embedder.embed_query("pastry chef").expect("embeds");
    assert_eq!(first, again);
    let stats = embedder.status().query_cache;
    assert_eq!((stats.hits, stats.misses, stats.entries), (1, 2, 2));
}

#[test]
fn the_model_can_be_loaded_twice_in_one_process() {
    let Some(config) = model_config() else { return };
    let first = Embedder::load(&EmbedderConfig {
        pool_size: 1,
        ..config.clone()
    })
    .expect("loads");
    let second = Embedder::load(&EmbedderConfig {
        pool_size: 1,
        ..config
    })
    .expect("loads again");
    let a = first.embed_batch(&["Rust developer"]).expect("embeds");
    let b = second.embed_batch(&["Rust developer"]).expect("embeds");
    assert!(cosine(&a[0], &b[0]) > 0.99999);
}

#[test]
fn status_reports_the_verified_checksum_and_dimension() {
    let Some(embedder) = shared() else { return };
    let status = embedder.status();
    assert_eq!(status.model_sha256, DEFAULT_MODEL_ONNX_SHA256);
    assert_eq!(status.dimension, 384);
    assert_eq!(status.pool_size, 2);
    assert_eq!(status.max_length, 256);
}

#[test]
fn int8_kernels_agree_with_f32_products_and_keep_the_nearest_neighbours() {
    let Some(config) = model_config() else { return };
    let load = |int8_matmul| {
        Embedder::load(&EmbedderConfig {
            pool_size: 1,
            int8_matmul,
            ..config.clone()
        })
        .expect("loads")
    };
    let (int8, f32) = (load(true), load(false));
    assert_eq!(
        int8.status().graph_rewrites,
        RewriteCounts {
            int8_matmuls: 36,
            attention: 6,
            gelu: 6
        },
        "every weight product, attention block and GELU of the 6 layers"
    );
    assert_eq!(f32.status().graph_rewrites.int8_matmuls, 0);
    assert_eq!(f32.status().model_version, DEFAULT_MODEL_ONNX_SHA256);
    assert_eq!(
        int8.status().model_version,
        format!("{DEFAULT_MODEL_ONNX_SHA256}+int8mm")
    );

    let documents = [
        "Senior Rust engineer building distributed storage systems and Kubernetes operators",
        "Registered nurse on a busy surgical ward, patient care and medication rounds",
        "Pastry chef: laminated doughs, plated desserts, running a small kitchen team",
        "Accountant preparing month-end close, VAT returns and audit schedules",
        "Primary school teacher planning lessons for year 4 and leading the reading scheme",
        "Truck driver with a class 1 licence, long-haul routes and delivery planning",
    ];
    let queries = [
        "backend developer Rust",
        "nursing jobs",
        "baker",
        "finance and bookkeeping",
        "teaching children",
        "HGV driver",
    ];
    let (a, b) = (
        int8.embed_batch(&documents).expect("embeds"),
        f32.embed_batch(&documents).expect("embeds"),
    );
    for (x, y) in a.iter().zip(&b) {
        assert!(
            cosine(x, y) > 0.97,
            "int8 and f32 vectors differ: {}",
            cosine(x, y)
        );
    }
    for (expected, query) in queries.iter().enumerate() {
        let nearest = |embedder: &Embedder, vectors: &[Vec<f32>]| {
            let q = embedder.embed_batch(&[query]).expect("embeds").remove(0);
            (0..vectors.len())
                .max_by(|&i, &j| cosine(&q, &vectors[i]).total_cmp(&cosine(&q, &vectors[j])))
                .expect("documents")
        };
        assert_eq!(nearest(&int8, &a), expected, "{query}");
        assert_eq!(nearest(&f32, &b), expected, "{query}");
    }
}

#[test]
fn fused_attention_and_gelu_give_the_same_vectors_with_padding() {
    let Some(config) = model_config() else { return };
    let load = |fuse_graph| {
        Embedder::load(&EmbedderConfig {
            pool_size: 1,
            // One batch of texts of very different lengths: most rows are padded, so the
            // fused attention's key padding mask must do what the original mask did.
            batch_size: 8,
            int8_matmul: false,
            fuse_graph,
            ..config.clone()
        })
        .expect("loads")
    };
    let (fused, plain) = (load(true), load(false));
    assert_eq!(fused.status().graph_rewrites.attention, 6);
    assert_eq!(plain.status().graph_rewrites, RewriteCounts::default());
    assert_eq!(fused.status().model_version, plain.status().model_version);
    let texts = [
        "Rust",
        "Senior Rust engineer building distributed storage systems, Kubernetes operators \
         and the CI that tests them on every commit; mentoring two juniors",
        "nurse",
        "Registered nurse on a busy surgical ward",
        "a",
    ];
    let mut session = plain.sessions.checkout();
    let unbucketed = batch::run(&mut session, &texts).expect("embeds");
    drop(session);
    let mut session = fused.sessions.checkout();
    let fused_vectors = batch::run(&mut session, &texts).expect("embeds");
    drop(session);
    for (a, b) in unbucketed.iter().zip(&fused_vectors) {
        assert!(
            cosine(a, b) > 0.99999,
            "fused and plain differ: {}",
            cosine(a, b)
        );
    }
}

#[test]
fn tokens_are_counted_with_the_model_tokenizer() {
    let Some(embedder) = shared() else { return };
    assert_eq!(embedder.count_tokens("Rust developer").expect("counts"), 2);
    assert_eq!(embedder.count_tokens("").expect("counts"), 0);
}

#[test]
fn a_long_document_is_chunked_to_the_window_and_pooled() {
    let Some(embedder) = shared() else { return };
    let experience = (0..60)
        .map(|i| {
            format!("In year {i} I maintained Rust services and reviewed database migrations.")
        })
        .collect::<Vec<_>>()
        .join("\n");
    let sections = [
        ("summary", "Backend engineer who writes Rust."),
        ("experience", experience.as_str()),
    ];
    let document = embedder
        .embed_document(&sections)
        .expect("embeds")
        .expect("has text");
    assert!(
        document.chunks.len() >= 3,
        "{} chunks",
        document.chunks.len()
    );
    assert_eq!(document.chunks[0].section_index, 0);
    assert!(document.chunks.iter().all(|chunk| chunk.tokens <= 254));
    assert_eq!(document.chunk_vectors.len(), document.chunks.len());
    assert!((l2_norm(&document.vector) - 1.0).abs() < 1e-4);
    let query = embedder
        .embed_batch(&["Rust backend engineer", "pastry chef"])
        .expect("embeds");
    assert!(cosine(&document.vector, &query[0]) > cosine(&document.vector, &query[1]) + 0.2);
}

/// Copies the model directory (and the manifest) into a temp dir, linking the runtime.
fn copy_models(source: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let model_dir = dir.path().join(DEFAULT_MODEL_NAME);
    std::fs::create_dir(&model_dir).expect("mkdir");
    for entry in std::fs::read_dir(source.join(DEFAULT_MODEL_NAME)).expect("model dir") {
        let entry = entry.expect("entry");
        std::fs::copy(entry.path(), model_dir.join(entry.file_name())).expect("copy");
    }
    std::fs::copy(
        source.join(files::MANIFEST_FILE),
        dir.path().join(files::MANIFEST_FILE),
    )
    .expect("copy manifest");
    std::os::unix::fs::symlink(
        std::fs::canonicalize(source.join("onnxruntime")).expect("runtime dir"),
        dir.path().join("onnxruntime"),
    )
    .expect("link runtime");
    dir
}

#[test]
fn a_missing_tokenizer_file_is_named_with_the_fetch_command() {
    let Some(config) = model_config() else { return };
    let copy = copy_models(&config.models_dir);
    let missing = copy.path().join(DEFAULT_MODEL_NAME).join("tokenizer.json");
    std::fs::remove_file(&missing).expect("remove");
    let config = EmbedderConfig {
        models_dir: copy.path().to_owned(),
        ..config
    };
    let error = Embedder::load(&config).err().expect("load fails");
    assert!(
        matches!(&error, EmbedderError::MissingFile { path } if *path == missing),
        "{error}"
    );
    assert_eq!(
        error.to_string(),
        format!(
            "model file {} is missing; run scripts/fetch-models.sh",
            missing.display()
        )
    );
}

#[test]
fn a_corrupt_model_file_is_reported_with_both_checksums() {
    let Some(config) = model_config() else { return };
    let copy = copy_models(&config.models_dir);
    let model = copy.path().join(DEFAULT_MODEL_NAME).join("model.onnx");
    let mut bytes = std::fs::read(&model).expect("read");
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    std::fs::write(&model, &bytes).expect("write");
    let config = EmbedderConfig {
        models_dir: copy.path().to_owned(),
        ..config
    };
    let error = Embedder::load(&config).err().expect("load fails");
    let EmbedderError::CorruptFile {
        path,
        expected,
        actual,
    } = &error
    else {
        panic!("expected a corrupt-file error, got {error}");
    };
    assert_eq!(*path, model);
    assert_eq!(expected, DEFAULT_MODEL_ONNX_SHA256);
    assert_ne!(actual, DEFAULT_MODEL_ONNX_SHA256);
    assert!(
        error.to_string().ends_with("run scripts/fetch-models.sh"),
        "{error}"
    );
}

#[test]
fn an_empty_models_dir_reports_the_missing_runtime_library() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = EmbedderConfig {
        models_dir: dir.path().to_owned(),
        ..EmbedderConfig::default()
    };
    let error = Embedder::load(&config).err().expect("load fails");
    let expected = dir.path().join("onnxruntime").join("libonnxruntime.so");
    assert!(
        matches!(&error, EmbedderError::MissingFile { path } if *path == expected),
        "{error}"
    );
}

#[test]
fn settings_the_model_cannot_run_with_are_rejected() {
    let config = EmbedderConfig {
        max_length: 4,
        ..EmbedderConfig::default()
    };
    let error = Embedder::load(&config).err().expect("load fails");
    assert!(matches!(error, EmbedderError::InvalidConfig(_)), "{error}");
    let config = EmbedderConfig {
        pool_size: 0,
        ..EmbedderConfig::default()
    };
    assert!(matches!(
        Embedder::load(&config),
        Err(EmbedderError::InvalidConfig(_))
    ));
}

/// Embedding from inside every rayon worker at once (as `ingest` parses resumes in a
/// `par_iter` and embeds their skill items) must finish: the tokenizer must not wait for
/// rayon workers that are all waiting for it.
#[test]
fn embedding_from_every_rayon_worker_at_once_does_not_deadlock() {
    use rayon::prelude::*;
    let Some(embedder) = shared() else {
        return;
    };
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let texts: Vec<String> = (0..12)
            .map(|i| format!("project management and stakeholder reporting, item {i}"))
            .collect();
        let outcome: Result<Vec<usize>, EmbedderError> = (0..64)
            .into_par_iter()
            .map(|_| {
                let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
                embedder.embed_batch(&refs).map(|v| v.len())
            })
            .collect();
        let _ = tx.send(outcome);
    });
    let counts = rx
        .recv_timeout(std::time::Duration::from_secs(120))
        .expect("embedding from rayon workers finished within 120 s (a deadlock otherwise)")
        .expect("embeddings");
    assert!(counts.iter().all(|&n| n == 12));
}
