//! Saving and loading: the hnsw_rs graph dump plus the arena, in a generation directory
//! that `CURRENT` points at.
//!
//! ```text
//! <dir>/CURRENT               "gen-<n>": the generation to load
//! <dir>/gen-<n>/manifest.json format, dimension, parameters, counts, file checksums
//! <dir>/gen-<n>/arena.bin     ids, live flags and vectors of every graph slot
//! <dir>/gen-<n>/graph.hnsw.graph, graph.hnsw.data   hnsw_rs `file_dump`
//! ```
//! A save writes a new generation, syncs it, then replaces `CURRENT` by renaming a
//! temporary file over it, so a crash leaves either the old or the new index, never half
//! of one. Older generations are removed after the switch.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::arena::Arena;
use super::graph::Graph;
use super::index::{State, VectorIndex};
use super::params::HnswParams;
use crate::AnnError;

const FORMAT: u32 = 1;
const CURRENT: &str = "CURRENT";
const MANIFEST: &str = "manifest.json";
const ARENA: &str = "arena.bin";
const ARENA_MAGIC: &[u8; 8] = b"ICVVECA1";
const GRAPH_BASENAME: &str = "graph";
const GENERATION_PREFIX: &str = "gen-";

#[derive(Debug, Serialize, Deserialize)]
struct Manifest {
    format: u32,
    dimension: usize,
    params: HnswParams,
    slots: usize,
    live: usize,
    /// The hnsw_rs dump's basename; `None` for an empty index (hnsw_rs cannot dump one).
    graph_basename: Option<String>,
    files: Vec<FileSum>,
}

#[derive(Debug, Serialize, Deserialize)]
struct FileSum {
    name: String,
    bytes: u64,
    sha256: String,
}

impl VectorIndex {
    /// Writes the index into `dir` (created if missing). Searches go on meanwhile;
    /// writers wait.
    pub fn save(&self, dir: &Path) -> Result<(), AnnError> {
        let started = Instant::now();
        let _writer = self.lock_writer();
        let state = self.read();
        fs::create_dir_all(dir).map_err(|e| AnnError::io(dir, e))?;
        let generation = next_generation(dir)?;
        let gen_name = format!("{GENERATION_PREFIX}{generation}");
        let gen_dir = dir.join(&gen_name);
        if gen_dir.exists() {
            fs::remove_dir_all(&gen_dir).map_err(|e| AnnError::io(&gen_dir, e))?;
        }
        fs::create_dir(&gen_dir).map_err(|e| AnnError::io(&gen_dir, e))?;
        let manifest = self.write_generation(&state, &gen_dir)?;
        drop(state);

        let current_tmp = dir.join(format!("{CURRENT}.tmp"));
        write_synced(&current_tmp, format!("{gen_name}\n").as_bytes())?;
        let current = dir.join(CURRENT);
        fs::rename(&current_tmp, &current).map_err(|e| AnnError::io(&current, e))?;
        sync_dir(dir)?;
        remove_other_generations(dir, &gen_name);
        tracing::info!(
            index.dir = %dir.display(),
            index.generation = generation,
            index.documents = manifest.live,
            index.slots = manifest.slots,
            duration_ms = started.elapsed().as_millis() as u64,
            "vector index saved"
        );
        Ok(())
    }

    /// Loads an index saved by [`VectorIndex::save`], without re-embedding or rebuilding.
    /// Missing files are an `Io` error, damaged ones `Corrupt`.
    pub fn load(dir: &Path) -> Result<Self, AnnError> {
        let started = Instant::now();
        let corrupt = |reason: String| AnnError::Corrupt {
            path: dir.to_path_buf(),
            reason,
        };
        let current = dir.join(CURRENT);
        let gen_name = fs::read_to_string(&current).map_err(|e| AnnError::io(&current, e))?;
        let gen_name = gen_name.trim();
        if !gen_name.starts_with(GENERATION_PREFIX) || gen_name.contains(['/', '\\']) {
            return Err(corrupt(format!("CURRENT names {gen_name:?}")));
        }
        let gen_dir = dir.join(gen_name);
        let manifest_path = gen_dir.join(MANIFEST);
        let manifest_bytes =
            fs::read(&manifest_path).map_err(|e| AnnError::io(&manifest_path, e))?;
        let manifest: Manifest = serde_json::from_slice(&manifest_bytes)
            .map_err(|e| corrupt(format!("manifest: {e}")))?;
        if manifest.format != FORMAT {
            return Err(corrupt(format!(
                "format {} (this build reads {FORMAT})",
                manifest.format
            )));
        }
        manifest.params.validate()?;
        let mut arena_bytes = None;
        for file in &manifest.files {
            let path = gen_dir.join(&file.name);
            let bytes = fs::read(&path).map_err(|e| AnnError::io(&path, e))?;
            if bytes.len() as u64 != file.bytes || sha256_hex(&bytes) != file.sha256 {
                return Err(corrupt(format!("{} fails its checksum", file.name)));
            }
            if file.name == ARENA {
                arena_bytes = Some(bytes);
            }
        }
        let arena_bytes = arena_bytes.ok_or_else(|| corrupt("manifest lists no arena".into()))?;
        let arena = decode_arena(&arena_bytes, manifest.dimension).map_err(corrupt)?;
        if arena.slots() != manifest.slots || arena.live() != manifest.live {
            return Err(corrupt("arena counts differ from the manifest".into()));
        }
        let graph = match &manifest.graph_basename {
            Some(basename) => Graph::load(&gen_dir, basename)?,
            None => Graph::new(&manifest.params, 1_000),
        };
        if graph.len() != arena.slots() {
            return Err(corrupt(format!(
                "graph has {} points, arena {} slots",
                graph.len(),
                arena.slots()
            )));
        }
        tracing::info!(
            index.dir = %dir.display(),
            index.documents = arena.live(),
            duration_ms = started.elapsed().as_millis() as u64,
            "vector index loaded"
        );
        let state = State::new(graph, arena);
        Ok(Self::from_state(manifest.dimension, manifest.params, state))
    }

    fn write_generation(&self, state: &State, gen_dir: &Path) -> Result<Manifest, AnnError> {
        let mut names = vec![ARENA.to_owned()];
        write_synced(&gen_dir.join(ARENA), &encode_arena(&state.arena))?;
        let graph_basename = if state.arena.slots() > 0 {
            let basename = state.graph.dump(gen_dir, GRAPH_BASENAME)?;
            names.push(format!("{basename}.hnsw.graph"));
            names.push(format!("{basename}.hnsw.data"));
            Some(basename)
        } else {
            None
        };
        let files = names
            .into_iter()
            .map(|name| file_sum(&gen_dir.join(&name), name))
            .collect::<Result<Vec<_>, _>>()?;
        let manifest = Manifest {
            format: FORMAT,
            dimension: self.dim,
            params: self.params(),
            slots: state.arena.slots(),
            live: state.arena.live(),
            graph_basename,
            files,
        };
        let json = serde_json::to_vec_pretty(&manifest)
            .map_err(|e| AnnError::Index(format!("manifest: {e}")))?;
        write_synced(&gen_dir.join(MANIFEST), &json)?;
        sync_dir(gen_dir)?;
        Ok(manifest)
    }
}

/// One past the highest generation in `dir`.
fn next_generation(dir: &Path) -> Result<u64, AnnError> {
    let entries = fs::read_dir(dir).map_err(|e| AnnError::io(dir, e))?;
    let highest = entries
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let name = entry.file_name();
            name.to_str()?
                .strip_prefix(GENERATION_PREFIX)?
                .parse::<u64>()
                .ok()
        })
        .max();
    Ok(highest.map_or(1, |n| n + 1))
}

fn remove_other_generations(dir: &Path, keep: &str) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if name.starts_with(GENERATION_PREFIX)
            && name != keep
            && let Err(error) = fs::remove_dir_all(entry.path())
        {
            tracing::warn!(path = %entry.path().display(), %error, "old vector index generation not removed");
        }
    }
}

fn write_synced(path: &Path, bytes: &[u8]) -> Result<(), AnnError> {
    let io = |e| AnnError::io(path, e);
    let mut file = File::create(path).map_err(io)?;
    file.write_all(bytes).map_err(io)?;
    file.sync_all().map_err(io)
}

fn sync_dir(dir: &Path) -> Result<(), AnnError> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| AnnError::io(dir, e))
}

/// Syncs a file written by someone else (hnsw_rs) and records its size and checksum.
fn file_sum(path: &PathBuf, name: String) -> Result<FileSum, AnnError> {
    let io = |e| AnnError::io(path, e);
    File::open(path).and_then(|f| f.sync_all()).map_err(io)?;
    let bytes = fs::read(path).map_err(io)?;
    Ok(FileSum {
        name,
        bytes: bytes.len() as u64,
        sha256: sha256_hex(&bytes),
    })
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn encode_arena(arena: &Arena) -> Vec<u8> {
    let slots = arena.slots();
    let mut out = Vec::with_capacity(20 + slots * (9 + 4 * arena.dim()));
    out.extend_from_slice(ARENA_MAGIC);
    out.extend_from_slice(&(arena.dim() as u32).to_le_bytes());
    out.extend_from_slice(&(slots as u64).to_le_bytes());
    for (id, _, _) in arena.entries() {
        out.extend_from_slice(&id.to_le_bytes());
    }
    out.extend(arena.entries().map(|(_, alive, _)| u8::from(alive)));
    for (_, _, vector) in arena.entries() {
        for x in vector {
            out.extend_from_slice(&x.to_le_bytes());
        }
    }
    out
}

fn decode_arena(bytes: &[u8], dim: usize) -> Result<Arena, String> {
    let header = ARENA_MAGIC.len() + 4 + 8;
    if bytes.len() < header || &bytes[..8] != ARENA_MAGIC {
        return Err("arena.bin has no valid header".into());
    }
    let stored_dim = u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes")) as usize;
    let slots = u64::from_le_bytes(bytes[12..20].try_into().expect("8 bytes")) as usize;
    if stored_dim != dim {
        return Err(format!("arena dimension {stored_dim}, manifest {dim}"));
    }
    let expected = slots
        .checked_mul(8 + 1 + 4 * dim)
        .and_then(|n| n.checked_add(header));
    if expected != Some(bytes.len()) {
        return Err("arena.bin has the wrong length".into());
    }
    let ids = &bytes[header..header + 8 * slots];
    let alive = &bytes[header + 8 * slots..header + 9 * slots];
    let vectors = &bytes[header + 9 * slots..];
    let mut arena = Arena::with_capacity(dim, slots);
    let mut vector = Vec::with_capacity(dim);
    for slot in 0..slots {
        let id = i64::from_le_bytes(ids[8 * slot..8 * slot + 8].try_into().expect("8 bytes"));
        vector.clear();
        vector.extend(
            vectors[4 * dim * slot..4 * dim * (slot + 1)]
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes(b.try_into().expect("4 bytes"))),
        );
        arena.push_restored(id, alive[slot] != 0, &vector);
    }
    Ok(arena)
}
