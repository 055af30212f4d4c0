//! A read-only copy of the graph's links, searched by our own traversal.
//!
//! hnsw_rs builds, updates and dumps the graph; its search is slow for our use (an `Arc`
//! allocation per candidate, SipHash sets of visited points, and a filtered search that
//! never stops early: profiled at 40% of a hybrid query). [`Links`] copies the links once
//! (after a build, load or compaction) into flat arrays of slots and searches them with a
//! bitset of visited slots and two heaps of `(distance, slot)`, reading vectors from the
//! arena. Slots added since the copy (upserts) are not in it: searches scan them exactly and
//! merge, and the copy is redone when they grow past [`Links::RECOPY_AFTER`].
//!
//! The copy also holds the covered vectors quantised to int8 (one scale per vector, a
//! quarter of the bytes): the traversal's distances are memory-bound, and with a quantised
//! query they are integer dot products over 384 bytes instead of float ones over 1,536.
//! The candidates it returns are re-scored exactly by the caller.

use std::cmp::{Ordering, Reverse};
use std::collections::{BinaryHeap, HashMap};

use super::arena::{Arena, Slot};
use super::distance::dot;
use super::graph::Graph;

/// Vectors quantised to int8 with one scale per vector: `v ≈ scale · code`.
struct Quantized {
    dim: usize,
    codes: Vec<i8>,
    scales: Vec<f32>,
}

impl Quantized {
    /// The first `slots` vectors of `arena`.
    fn of(arena: &Arena, slots: usize) -> Self {
        let dim = arena.dim();
        let mut codes = Vec::with_capacity(slots * dim);
        let mut scales = Vec::with_capacity(slots);
        for slot in 0..slots {
            scales.push(quantise_into(arena.vector(slot), &mut codes));
        }
        Self { dim, codes, scales }
    }

    fn code(&self, slot: usize) -> &[i8] {
        &self.codes[slot * self.dim..(slot + 1) * self.dim]
    }

    /// Approximate dot product of a quantised query with vector `slot`.
    fn dot(&self, query: &QuantisedQuery, slot: usize) -> f32 {
        query.scale * self.scales[slot] * dot_i8(&query.codes, self.code(slot)) as f32
    }

    fn bytes(&self) -> usize {
        self.codes.len() + 4 * self.scales.len()
    }
}

struct QuantisedQuery {
    codes: Vec<i8>,
    scale: f32,
}

/// Appends the int8 codes of `v` (symmetric, scaled so the largest magnitude is 127) and
/// returns the scale.
pub(super) fn quantise_into(v: &[f32], codes: &mut Vec<i8>) -> f32 {
    let max = v.iter().fold(0.0f32, |m, x| m.max(x.abs()));
    let scale = if max > 0.0 { max / 127.0 } else { 1.0 };
    codes.extend(
        v.iter()
            .map(|x| (x / scale).round().clamp(-127.0, 127.0) as i8),
    );
    scale
}

/// Integer dot product: products widened to i16 pairs summed into i32 lanes (a shape the
/// compiler turns into `pmaddwd`).
pub(super) fn dot_i8(a: &[i8], b: &[i8]) -> i32 {
    const LANES: usize = 16;
    let mut sums = [0i32; LANES];
    let (a_chunks, b_chunks) = (a.chunks_exact(LANES), b.chunks_exact(LANES));
    let tail: i32 = a_chunks
        .remainder()
        .iter()
        .zip(b_chunks.remainder())
        .map(|(x, y)| i32::from(*x) * i32::from(*y))
        .sum();
    for (ca, cb) in a_chunks.zip(b_chunks) {
        for ((sum, x), y) in sums.iter_mut().zip(ca).zip(cb) {
            *sum += i32::from(i16::from(*x) * i16::from(*y));
        }
    }
    sums.iter().sum::<i32>() + tail
}

/// A candidate: its distance to the query (`1 − cos`) and slot, ordered by distance then
/// slot.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Near(f32, u32);

impl Eq for Near {}

impl Ord for Near {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.total_cmp(&other.0).then(self.1.cmp(&other.1))
    }
}

impl PartialOrd for Near {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

pub struct Links {
    /// Slots below this were in the graph when it was copied (except `missing`).
    covered: usize,
    /// Slots below `covered` the graph did not hold; searched exactly.
    missing: Vec<u32>,
    /// The entry point (a slot on the top layer) and the top layer.
    entry: Option<(u32, usize)>,
    /// Layer 0 in compressed rows: the neighbours of slot `s` are
    /// `bottom[bottom_start[s]..bottom_start[s + 1]]`.
    bottom_start: Vec<u32>,
    bottom: Vec<u32>,
    /// Layers 1.. (few slots each): slot → neighbours.
    upper: Vec<HashMap<u32, Vec<u32>>>,
    /// The covered slots' vectors in int8, for the traversal.
    quantized: Quantized,
}

impl Links {
    /// Upserted slots scanned exactly before the links are copied again.
    pub const RECOPY_AFTER: usize = 1_024;

    /// Copies the links of `graph`, which holds every slot of `arena` (call with no insert
    /// running: under the index's writer lock, or before the index is shared), and
    /// quantises the slots' vectors.
    pub fn copy(graph: &Graph, arena: &Arena) -> Self {
        let slots = arena.slots();
        let mut rows: Vec<Option<Vec<Vec<u32>>>> = vec![None; slots];
        let mut entry: Option<(u32, usize)> = None;
        for (slot, layers) in graph.neighbourhoods() {
            let Some(row) = rows.get_mut(slot) else {
                continue;
            };
            let top = layers.len().saturating_sub(1);
            // The entry point: the lowest slot on the highest layer.
            if entry.is_none_or(|(s, level)| top > level || (top == level && (slot as u32) < s)) {
                entry = Some((slot as u32, top));
            }
            *row = Some(
                layers
                    .into_iter()
                    .map(|layer| {
                        layer
                            .into_iter()
                            .filter(|&n| n < slots)
                            .map(|n| n as u32)
                            .collect()
                    })
                    .collect(),
            );
        }
        let top = entry.map_or(0, |(_, level)| level);
        let mut bottom_start = Vec::with_capacity(slots + 1);
        let mut bottom = Vec::new();
        let mut upper: Vec<HashMap<u32, Vec<u32>>> = vec![HashMap::new(); top];
        let mut missing = Vec::new();
        for (slot, row) in rows.into_iter().enumerate() {
            bottom_start.push(bottom.len() as u32);
            let Some(layers) = row else {
                missing.push(slot as u32);
                continue;
            };
            let mut layers = layers.into_iter();
            if let Some(level0) = layers.next() {
                bottom.extend(level0);
            }
            for (layer, neighbours) in layers.enumerate() {
                if let Some(map) = upper.get_mut(layer) {
                    map.insert(slot as u32, neighbours);
                }
            }
        }
        bottom_start.push(bottom.len() as u32);
        Self {
            covered: slots,
            missing,
            entry,
            bottom_start,
            bottom,
            upper,
            quantized: Quantized::of(arena, slots),
        }
    }

    /// Bytes of the int8 vectors.
    pub fn quantized_bytes(&self) -> usize {
        self.quantized.bytes()
    }

    /// Slots of the arena this copy does not cover (added since).
    pub fn uncovered(&self, arena: &Arena) -> usize {
        arena.slots().saturating_sub(self.covered) + self.missing.len()
    }

    fn neighbours(&self, layer: usize, slot: u32) -> &[u32] {
        if layer == 0 {
            let s = slot as usize;
            let (start, end) = (
                self.bottom_start[s] as usize,
                self.bottom_start[s + 1] as usize,
            );
            &self.bottom[start..end]
        } else {
            self.upper
                .get(layer - 1)
                .and_then(|m| m.get(&slot))
                .map_or(&[], Vec::as_slice)
        }
    }

    /// Up to `ef` slots nearest `query` (unit length) among those `passes` keeps (all
    /// when `None`), as `(slot, distance)`, nearest first: the copied graph searched
    /// best-first with `ef` candidates, plus an exact scan of the slots it does not cover.
    /// With `quantized`, the graph's distances are int8 approximations (re-score the
    /// results exactly; their order is approximate). Dead slots are the caller's to
    /// filter (pass them to `passes`).
    pub fn search(
        &self,
        arena: &Arena,
        query: &[f32],
        ef: usize,
        passes: Option<&dyn Fn(Slot) -> bool>,
        quantized: bool,
    ) -> Vec<(Slot, f32)> {
        let ef = ef.max(1);
        let keep = |slot: u32| passes.is_none_or(|p| p(slot as usize));
        let exact = |slot: u32| 1.0 - dot(query, arena.vector(slot as usize));
        let coded = quantized.then(|| {
            let mut codes = Vec::with_capacity(query.len());
            let scale = quantise_into(query, &mut codes);
            QuantisedQuery { codes, scale }
        });
        let distance = |slot: u32| match &coded {
            Some(q) => 1.0 - self.quantized.dot(q, slot as usize),
            None => exact(slot),
        };
        // Best results so far, worst on top.
        let mut results: BinaryHeap<Near> = BinaryHeap::with_capacity(ef + 1);
        let offer = |results: &mut BinaryHeap<Near>, near: Near| {
            if results.len() < ef {
                results.push(near);
            } else if results.peek().is_some_and(|worst| near < *worst) {
                results.pop();
                results.push(near);
            }
        };
        if let Some((entry, top)) = self.entry {
            let mut current = Near(distance(entry), entry);
            for layer in (1..=top).rev() {
                loop {
                    let mut moved = false;
                    for &n in self.neighbours(layer, current.1) {
                        let near = Near(distance(n), n);
                        if near < current {
                            current = near;
                            moved = true;
                        }
                    }
                    if !moved {
                        break;
                    }
                }
            }
            let mut visited = vec![0u64; self.covered.div_ceil(64)];
            let mut visit = |slot: u32| {
                let (word, bit) = (slot as usize / 64, 1u64 << (slot % 64));
                let fresh = visited[word] & bit == 0;
                visited[word] |= bit;
                fresh
            };
            visit(current.1);
            let mut candidates: BinaryHeap<Reverse<Near>> = BinaryHeap::with_capacity(ef * 4);
            candidates.push(Reverse(current));
            if keep(current.1) {
                offer(&mut results, current);
            }
            while let Some(Reverse(nearest)) = candidates.pop() {
                if results.len() >= ef && results.peek().is_some_and(|worst| nearest.0 > worst.0) {
                    break;
                }
                for &n in self.neighbours(0, nearest.1) {
                    if !visit(n) {
                        continue;
                    }
                    let near = Near(distance(n), n);
                    let worth = results.len() < ef || results.peek().is_some_and(|w| near < *w);
                    if worth {
                        candidates.push(Reverse(near));
                        if keep(n) {
                            offer(&mut results, near);
                        }
                    }
                }
            }
        }
        let uncovered = self
            .missing
            .iter()
            .copied()
            .chain(self.covered as u32..arena.slots() as u32);
        for slot in uncovered {
            if keep(slot) {
                offer(&mut results, Near(exact(slot), slot));
            }
        }
        results
            .into_sorted_vec()
            .into_iter()
            .map(|Near(d, slot)| (slot as usize, d))
            .collect()
    }
}
