use std::sync::Arc;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::links::Links;
use super::*;
use crate::{AnnError, DocId};

const DIM: usize = 32;

fn params() -> HnswParams {
    HnswParams {
        max_nb_connection: 16,
        ef_construction: 100,
        ef_search: 64,
    }
}

/// `n` vectors around `clusters` random centres, seeded.
fn clustered(n: usize, clusters: usize, seed: u64) -> Vec<Vec<f32>> {
    let mut rng = StdRng::seed_from_u64(seed);
    let centres: Vec<Vec<f32>> = (0..clusters)
        .map(|_| (0..DIM).map(|_| rng.gen_range(-1.0..1.0)).collect())
        .collect();
    (0..n)
        .map(|i| {
            centres[i % clusters]
                .iter()
                .map(|c| c + rng.gen_range(-0.35..0.35))
                .collect()
        })
        .collect()
}

fn items(vectors: &[Vec<f32>]) -> Vec<(DocId, Vec<f32>)> {
    vectors
        .iter()
        .enumerate()
        .map(|(i, v)| (i as DocId, v.clone()))
        .collect()
}

fn built(n: usize, seed: u64) -> (VectorIndex, Vec<Vec<f32>>) {
    let vectors = clustered(n, 12, seed);
    let index = VectorIndex::build(DIM, params(), items(&vectors)).expect("build");
    (index, vectors)
}

fn unit(v: &[f32]) -> Vec<f32> {
    let norm = dot(v, v).sqrt();
    v.iter().map(|x| x / norm).collect()
}

fn ids(hits: &[VectorHit]) -> Vec<DocId> {
    hits.iter().map(|h| h.id).collect()
}

/// The fraction of `exact` that `hits` found.
fn overlap(exact: &[VectorHit], hits: &[VectorHit]) -> f32 {
    let found = ids(hits);
    let shared = exact.iter().filter(|h| found.contains(&h.id)).count();
    shared as f32 / exact.len().max(1) as f32
}

fn assert_best_first(hits: &[VectorHit]) {
    assert!(
        hits.windows(2).all(|w| w[0].similarity >= w[1].similarity),
        "{hits:?}"
    );
}

#[test]
fn a_document_is_its_own_nearest_neighbour() {
    let (index, vectors) = built(500, 1);
    for id in [0usize, 17, 499] {
        let hits = index.search(&vectors[id], 5, None).unwrap();
        assert_eq!(hits.len(), 5);
        assert_eq!(hits[0].id, id as DocId);
        assert!((hits[0].similarity - 1.0).abs() < 1e-5);
        assert_best_first(&hits);
    }
}

#[test]
fn upsert_adds_then_replaces_a_document() {
    let (index, vectors) = built(300, 2);
    let fresh = clustered(2, 2, 99);
    index.upsert(1_000, &fresh[0]).unwrap();
    assert_eq!(index.len(), 301);
    assert!(index.contains(1_000));
    assert_eq!(index.search(&fresh[0], 1, None).unwrap()[0].id, 1_000);

    index.upsert(5, &fresh[1]).unwrap();
    assert_eq!(index.len(), 301, "replacing keeps the count");
    assert_eq!(index.tombstones(), 1);
    let stored = index.vector(5).unwrap();
    assert!(
        stored
            .iter()
            .zip(unit(&fresh[1]))
            .all(|(a, b)| (a - b).abs() < 1e-6)
    );
    let top = index.search(&fresh[1], 1, None).unwrap();
    assert_eq!(top[0].id, 5);
    let old_neighbours = index.search(&vectors[5], 10, None).unwrap();
    assert!(
        old_neighbours
            .iter()
            .all(|h| h.id != 5 || h.similarity < 0.999)
    );
    assert_eq!(
        old_neighbours.iter().filter(|h| h.id == 5).count(),
        usize::from(old_neighbours.iter().any(|h| h.id == 5)),
        "an id appears at most once"
    );
}

#[test]
fn upserting_the_same_vector_leaves_no_tombstone() {
    let (index, vectors) = built(100, 3);
    index.upsert(7, &vectors[7]).unwrap();
    assert_eq!(index.tombstones(), 0);
}

#[test]
fn removed_documents_are_never_returned() {
    let (index, vectors) = built(400, 4);
    assert!(index.remove(10));
    assert!(!index.remove(10), "second remove finds nothing");
    assert!(!index.contains(10));
    assert_eq!(index.vector(10), None);
    assert_eq!(index.len(), 399);
    let hits = index.search(&vectors[10], 20, None).unwrap();
    assert_eq!(hits.len(), 20);
    assert!(!ids(&hits).contains(&10));
    assert!(!ids(&index.exact_search(&vectors[10], 20, None).unwrap()).contains(&10));
}

#[test]
fn wrong_dimensions_and_non_finite_values_are_rejected() {
    let (index, _) = built(50, 5);
    let invalid = |r: Result<_, AnnError>| matches!(r, Err(AnnError::InvalidQuery { .. }));
    assert!(invalid(index.upsert(1, &[0.5; DIM - 1])));
    let mut nan = vec![0.1; DIM];
    nan[3] = f32::NAN;
    assert!(invalid(index.upsert(1, &nan)));
    assert!(invalid(index.upsert(1, &[0.0; DIM])));
    assert!(invalid(index.search(&[0.1; DIM + 1], 5, None).map(|_| ())));
    assert!(invalid(index.exact_search(&nan, 5, None).map(|_| ())));
    assert!(invalid(
        VectorIndex::build(DIM, params(), vec![(1, vec![1.0; 3])]).map(|_| ())
    ));
    let bad_params = HnswParams {
        max_nb_connection: 300,
        ..params()
    };
    assert!(VectorIndex::build(DIM, bad_params, Vec::new()).is_err());
}

#[test]
fn filtered_graph_search_returns_k_allowed_documents() {
    let (index, vectors) = built(2_000, 6);
    index.set_exact_threshold(0);
    let keep = |id: DocId| id % 3 == 0;
    let mut recall = 0.0;
    for q in 0..20 {
        let hits = index.search(&vectors[q * 37], 10, Some(&keep)).unwrap();
        assert_eq!(hits.len(), 10);
        assert!(hits.iter().all(|h| keep(h.id)), "{hits:?}");
        assert_best_first(&hits);
        let exact = index
            .exact_search(&vectors[q * 37], 10, Some(&keep))
            .unwrap();
        recall += overlap(&exact, &hits);
    }
    assert!(recall / 20.0 >= 0.9, "filtered recall {}", recall / 20.0);
    let stats = index.search_stats();
    assert_eq!(stats.exact_filtered, 0);
    assert_eq!(stats.graph + stats.exact_fallback, 20);
}

#[test]
fn a_filter_keeping_most_documents_is_applied_during_traversal_without_a_full_scan() {
    let (index, vectors) = built(10_000, 11);
    index.set_exact_threshold(100);
    // Keeps 90%: the sample says so, and only the slots the search visits are tested.
    let tested = std::sync::atomic::AtomicUsize::new(0);
    let keep = |id: DocId| {
        tested.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        id % 10 != 0
    };
    let mut recall = 0.0;
    for q in 0..20 {
        let query = &vectors[q * 101];
        tested.store(0, std::sync::atomic::Ordering::Relaxed);
        let hits = index.search(query, 50, Some(&keep)).unwrap();
        let calls = tested.load(std::sync::atomic::Ordering::Relaxed);
        assert!(
            calls < 2_000,
            "the filter ran {calls} times for 10,000 documents"
        );
        assert_eq!(hits.len(), 50);
        assert!(hits.iter().all(|h| h.id % 10 != 0), "{hits:?}");
        assert_best_first(&hits);
        let exact = index.exact_search(query, 50, Some(&keep)).unwrap();
        recall += overlap(&exact, &hits);
    }
    assert!(recall / 20.0 >= 0.95, "filtered recall {}", recall / 20.0);
    let stats = index.search_stats();
    assert_eq!(stats.graph, 20, "{stats:?}");
    assert_eq!(stats.exact_filtered + stats.exact_fallback, 0);
}

#[test]
fn our_traversal_finds_at_least_what_hnsw_rs_finds() {
    let (index, vectors) = built(5_000, 14);
    let mut ours = 0.0;
    let mut theirs = 0.0;
    for q in 0..30 {
        let query = unit(&vectors[q * 67 + 3]);
        let exact = ids(&index.exact_search(&query, 10, None).unwrap());
        let found = ids(&index.search(&query, 10, None).unwrap());
        let reference: Vec<DocId> = {
            let state = index.read();
            state
                .graph
                .search(&query, 10, index.ef_search(), None)
                .into_iter()
                .map(|(slot, _)| state.arena.id(slot))
                .collect()
        };
        let share = |ids: &[DocId]| ids.iter().filter(|id| exact.contains(id)).count() as f32;
        ours += share(&found) / 10.0;
        theirs += share(&reference) / 10.0;
    }
    assert!(
        ours >= theirs - 0.3,
        "ours {ours}, hnsw_rs {theirs} over 30 queries"
    );
    assert!(ours / 30.0 >= 0.95, "recall@10 {}", ours / 30.0);
}

#[test]
fn documents_upserted_after_the_links_were_copied_are_found_then_linked() {
    let (index, vectors) = built(2_000, 15);
    let fresh = clustered(Links::RECOPY_AFTER + 10, 12, 16);
    for (i, v) in fresh.iter().enumerate().take(Links::RECOPY_AFTER - 1) {
        index.upsert(10_000 + i as DocId, v).unwrap();
    }
    // Not copied yet: the new documents are scanned exactly, and found.
    assert_eq!(
        index.read().links.uncovered(&index.read().arena),
        Links::RECOPY_AFTER - 1
    );
    for i in [0, 500, Links::RECOPY_AFTER - 2] {
        let hits = index.search(&fresh[i], 1, None).unwrap();
        assert_eq!(hits[0].id, 10_000 + i as DocId);
    }
    for (i, v) in fresh.iter().enumerate().skip(Links::RECOPY_AFTER - 1) {
        index.upsert(10_000 + i as DocId, v).unwrap();
    }
    // Copied again: now they are in the links.
    assert!(index.read().links.uncovered(&index.read().arena) < Links::RECOPY_AFTER);
    for i in [0, 500, Links::RECOPY_AFTER + 5] {
        let hits = index.search(&fresh[i], 1, None).unwrap();
        assert_eq!(hits[0].id, 10_000 + i as DocId);
    }
    let hits = index.search(&vectors[7], 1, None).unwrap();
    assert_eq!(hits[0].id, 7);
}

#[test]
fn a_filter_keeping_few_documents_is_applied_during_traversal() {
    let (index, vectors) = built(3_000, 12);
    index.set_exact_threshold(100);
    // Keeps 5%: more than the exact-scan threshold, so the graph is searched with the filter.
    let keep = |id: DocId| id % 20 == 0;
    let hits = index.search(&vectors[7], 20, Some(&keep)).unwrap();
    assert_eq!(hits.len(), 20);
    assert!(hits.iter().all(|h| keep(h.id)));
    let stats = index.search_stats();
    assert_eq!(stats.exact_filtered, 0, "{stats:?}");
    assert_eq!(stats.graph + stats.exact_fallback, 1, "{stats:?}");
}

#[test]
fn tombstones_left_in_the_graph_are_never_returned() {
    let (index, vectors) = built(3_000, 13);
    // A tenth removed: under the compaction fraction, so they stay in the graph.
    for id in (0..3_000).step_by(10) {
        assert!(index.remove(id as DocId));
    }
    assert_eq!(index.tombstones(), 300);
    let mut recall = 0.0;
    for q in 0..10 {
        let query = &vectors[q * 97 + 1];
        let hits = index.search(query, 30, None).unwrap();
        assert_eq!(hits.len(), 30);
        assert!(hits.iter().all(|h| h.id % 10 != 0), "{hits:?}");
        let exact = index.exact_search(query, 30, None).unwrap();
        recall += overlap(&exact, &hits);
    }
    assert!(recall / 10.0 >= 0.95, "recall {}", recall / 10.0);
    assert_eq!(index.search_stats().graph, 10);
}

#[test]
fn every_filter_selectivity_yields_k_hits_when_k_documents_pass() {
    let (index, vectors) = built(1_500, 7);
    index.set_exact_threshold(0);
    let mut rng = StdRng::seed_from_u64(70);
    for modulus in [2, 10, 50, 150, 700, 1_499] {
        let keep = move |id: DocId| id % modulus == 0;
        let allowed = (0..1_500).filter(|&id| keep(id)).count();
        let query = &vectors[rng.gen_range(0..vectors.len())];
        let hits = index.search(query, 10, Some(&keep)).unwrap();
        assert_eq!(hits.len(), 10.min(allowed), "modulus {modulus}");
        assert!(hits.iter().all(|h| keep(h.id)));
    }
}

#[test]
fn a_selective_filter_is_answered_by_an_exact_scan() {
    let (index, vectors) = built(1_000, 8);
    let allowed: Vec<DocId> = vec![3, 250, 501, 777, 998];
    let keep = |id: DocId| allowed.contains(&id);
    let hits = index.search(&vectors[0], 10, Some(&keep)).unwrap();
    assert_eq!(hits.len(), allowed.len());
    assert_eq!(
        hits,
        index.exact_search(&vectors[0], 10, Some(&keep)).unwrap()
    );
    assert_eq!(index.search_stats().exact_filtered, 1);
    assert_eq!(index.search_stats().graph, 0);
}

#[test]
fn heavy_churn_compacts_the_graph() {
    let (index, vectors) = built(300, 9);
    for id in 0..50 {
        assert!(index.remove(id));
    }
    assert_eq!(index.tombstones(), 50, "below the compaction fraction");
    for id in 50..61 {
        index.remove(id);
    }
    assert_eq!(index.tombstones(), 0, "61 of 300 is past the fraction");
    assert_eq!(index.len(), 239);
    assert_eq!(index.ids(), (61..300).collect::<Vec<DocId>>());
    let hits = index.search(&vectors[100], 5, None).unwrap();
    assert_eq!(hits[0].id, 100);
}

#[test]
fn save_then_load_gives_identical_results() {
    let (index, vectors) = built(800, 10);
    index.remove(3);
    let moved = clustered(1, 1, 11);
    index.upsert(4, &moved[0]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    index.save(dir.path()).unwrap();
    index.save(dir.path()).unwrap();
    let generations = std::fs::read_dir(dir.path())
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with("gen-")
        })
        .count();
    assert_eq!(generations, 1, "older generations are removed");

    let loaded = VectorIndex::load(dir.path()).unwrap();
    assert_eq!(loaded.len(), index.len());
    assert_eq!(loaded.ids(), index.ids());
    assert_eq!(loaded.tombstones(), index.tombstones());
    assert_eq!(loaded.params(), index.params());
    assert_eq!(loaded.vector(4), index.vector(4));
    let keep = |id: DocId| id % 2 == 1;
    for q in (0..800).step_by(40) {
        assert_eq!(
            loaded.search(&vectors[q], 10, None).unwrap(),
            index.search(&vectors[q], 10, None).unwrap()
        );
        assert_eq!(
            loaded.search(&vectors[q], 10, Some(&keep)).unwrap(),
            index.search(&vectors[q], 10, Some(&keep)).unwrap()
        );
    }
    let fresh = clustered(1, 1, 12);
    loaded.upsert(5_000, &fresh[0]).unwrap();
    assert_eq!(loaded.search(&fresh[0], 1, None).unwrap()[0].id, 5_000);
}

#[test]
fn an_empty_index_saves_loads_and_searches() {
    let index = VectorIndex::new(DIM, params());
    assert!(index.is_empty());
    assert!(index.search(&[0.2; DIM], 5, None).unwrap().is_empty());
    let dir = tempfile::tempdir().unwrap();
    index.save(dir.path()).unwrap();
    let loaded = VectorIndex::load(dir.path()).unwrap();
    assert!(loaded.is_empty());
    loaded.upsert(1, &[0.2; DIM]).unwrap();
    assert_eq!(loaded.search(&[0.2; DIM], 5, None).unwrap()[0].id, 1);
}

#[test]
fn missing_or_damaged_files_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let missing = VectorIndex::load(&dir.path().join("nothing"));
    assert!(matches!(missing, Err(AnnError::Io { .. })), "{missing:?}");

    let (index, _) = built(200, 13);
    index.save(dir.path()).unwrap();
    let current = std::fs::read_to_string(dir.path().join("CURRENT")).unwrap();
    let generation = dir.path().join(current.trim());
    for name in ["arena.bin", "graph.hnsw.data", "graph.hnsw.graph"] {
        let path = generation.join(name);
        let original = std::fs::read(&path).unwrap();
        let mut damaged = original.clone();
        let middle = damaged.len() / 2;
        damaged[middle] ^= 0x5a;
        std::fs::write(&path, &damaged).unwrap();
        let result = VectorIndex::load(dir.path());
        assert!(
            matches!(result, Err(AnnError::Corrupt { .. })),
            "{name}: {result:?}"
        );
        std::fs::write(&path, &original[..middle]).unwrap();
        assert!(matches!(
            VectorIndex::load(dir.path()),
            Err(AnnError::Corrupt { .. })
        ));
        std::fs::write(&path, &original).unwrap();
    }
    assert!(VectorIndex::load(dir.path()).is_ok());
    std::fs::write(dir.path().join("CURRENT"), "../elsewhere").unwrap();
    assert!(matches!(
        VectorIndex::load(dir.path()),
        Err(AnnError::Corrupt { .. })
    ));
}

#[test]
fn searches_run_while_a_writer_upserts() {
    let (index, vectors) = built(1_000, 14);
    index.set_exact_threshold(50);
    let index = Arc::new(index);
    let fresh = Arc::new(clustered(300, 12, 15));
    let readers: Vec<_> = (0..3)
        .map(|t| {
            let (index, vectors) = (Arc::clone(&index), vectors.clone());
            std::thread::spawn(move || {
                for i in 0..150 {
                    let query = &vectors[(t * 150 + i) % vectors.len()];
                    let hits = index.search(query, 10, None).unwrap();
                    assert_eq!(hits.len(), 10);
                    assert_best_first(&hits);
                    let keep = |id: DocId| id % 4 == 0;
                    let filtered = index.search(query, 10, Some(&keep)).unwrap();
                    assert_eq!(filtered.len(), 10);
                    assert!(filtered.iter().all(|h| keep(h.id)));
                }
            })
        })
        .collect();
    let writer = {
        let (index, fresh) = (Arc::clone(&index), Arc::clone(&fresh));
        std::thread::spawn(move || {
            for (i, v) in fresh.iter().enumerate() {
                // New documents, then replacements of existing ones.
                let id = if i < 200 {
                    10_000 + i as DocId
                } else {
                    i as DocId
                };
                index.upsert(id, v).unwrap();
            }
        })
    };
    for handle in readers {
        handle.join().expect("reader");
    }
    writer.join().expect("writer");
    assert_eq!(index.len(), 1_200);
    for (i, v) in fresh.iter().enumerate().take(200) {
        let hits = index.search(v, 3, None).unwrap();
        assert!(ids(&hits).contains(&(10_000 + i as DocId)), "{i}");
    }
}

#[test]
fn recall_against_exact_search_is_high_on_clustered_vectors() {
    // Uniform noise in 32 dimensions is harder for HNSW than real embeddings (see
    // measure.rs); with ef_search 64 recall is about 0.94 here, with 200 above 0.95.
    let (index, _) = built(3_000, 16);
    index.set_ef_search(200);
    let queries = clustered(100, 12, 17);
    let recall = recall_at_k(&index, &queries, 10);
    assert!(recall >= 0.95, "recall@10 {recall}");
}

#[test]
fn every_document_of_a_tiny_index_is_found() {
    // Building inserts in parallel; the first points must still link to each other
    // (hnsw_rs leaves a point unlinked when it finds no entry point yet).
    for seed in 0..200 {
        let vectors = clustered(3, 3, seed);
        let index = VectorIndex::build(DIM, params(), items(&vectors)).unwrap();
        for (i, v) in vectors.iter().enumerate() {
            assert_eq!(
                index.search(v, 1, None).unwrap()[0].id,
                i as DocId,
                "seed {seed}"
            );
        }
    }
}

#[test]
fn build_keeps_the_last_vector_of_a_repeated_id() {
    let vectors = clustered(3, 3, 18);
    let index = VectorIndex::build(
        DIM,
        params(),
        vec![
            (1, vectors[0].clone()),
            (2, vectors[1].clone()),
            (1, vectors[2].clone()),
        ],
    )
    .unwrap();
    assert_eq!(index.len(), 2);
    assert_eq!(index.search(&vectors[2], 1, None).unwrap()[0].id, 1);
}

#[test]
fn int8_dot_products_approximate_the_float_ones() {
    let mut rng = StdRng::seed_from_u64(41);
    for _ in 0..50 {
        let a = unit(
            &(0..384)
                .map(|_| rng.gen_range(-1.0..1.0))
                .collect::<Vec<f32>>(),
        );
        let b = unit(
            &(0..384)
                .map(|_| rng.gen_range(-1.0..1.0))
                .collect::<Vec<f32>>(),
        );
        let exact = dot(&a, &b);
        let (mut ca, mut cb) = (Vec::new(), Vec::new());
        let sa = super::links::quantise_into(&a, &mut ca);
        let sb = super::links::quantise_into(&b, &mut cb);
        let approx = sa * sb * super::links::dot_i8(&ca, &cb) as f32;
        assert!((approx - exact).abs() < 0.01, "{approx} vs {exact}");
    }
    assert_eq!(super::links::dot_i8(&[127, -127, 3], &[127, 127, -2]), -6);
}

#[test]
fn int8_traversal_keeps_recall_and_returns_exact_similarities() {
    let (index, _) = built(3_000, 16);
    index.set_ef_search(200);
    let queries = clustered(100, 12, 17);
    assert!(index.quantized_traversal(), "on by default");
    let quantized = recall_at_k(&index, &queries, 10);
    index.set_quantized_traversal(false);
    let float = recall_at_k(&index, &queries, 10);
    assert!(
        quantized >= float - 0.01 && quantized >= 0.95,
        "int8 {quantized}, float {float}"
    );
    index.set_quantized_traversal(true);
    for query in queries.iter().take(10) {
        let hits = index.search(query, 10, None).unwrap();
        assert_best_first(&hits);
        let q = unit(query);
        for hit in &hits {
            let v = index.vector(hit.id).unwrap();
            assert!((hit.similarity - dot(&q, &v)).abs() < 1e-6);
        }
    }
    assert_eq!(index.quantized_bytes(), 3_000 * (DIM + 4));
}
