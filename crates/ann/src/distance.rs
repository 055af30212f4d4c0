//! Cosine distance between unit vectors, and vector checks.

use hnsw_rs::anndists::dist::Distance;

use crate::AnnError;

/// `1 − cos` between unit vectors, clamped at 0. anndists' `DistDot` asserts `dot ≤ 1`,
/// which rounding breaks for two equal unit vectors; this one clamps instead. Its type name
/// is written into graph dumps and checked on reload, so keep the name.
#[derive(Debug, Default, Clone, Copy)]
pub struct CosineDistance;

impl Distance<f32> for CosineDistance {
    fn eval(&self, va: &[f32], vb: &[f32]) -> f32 {
        (1.0 - dot(va, vb)).max(0.0)
    }
}

/// Dot product, written with eight independent sums so the compiler vectorises it.
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    const LANES: usize = 8;
    let mut sums = [0.0f32; LANES];
    let (a_chunks, b_chunks) = (a.chunks_exact(LANES), b.chunks_exact(LANES));
    let tail: f32 = a_chunks
        .remainder()
        .iter()
        .zip(b_chunks.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (ca, cb) in a_chunks.zip(b_chunks) {
        for ((sum, x), y) in sums.iter_mut().zip(ca).zip(cb) {
            *sum += x * y;
        }
    }
    sums.iter().sum::<f32>() + tail
}

/// Checks length and finiteness and returns the vector scaled to unit length (the
/// embedder's vectors already are; this keeps the cosine exact for any caller).
pub fn normalised(vector: &[f32], dim: usize) -> Result<Vec<f32>, AnnError> {
    let invalid = |reason: String| Err(AnnError::InvalidQuery { reason });
    if vector.len() != dim {
        return invalid(format!(
            "vector has {} dimensions, the index has {dim}",
            vector.len()
        ));
    }
    if vector.iter().any(|x| !x.is_finite()) {
        return invalid("vector has a NaN or infinite component".to_owned());
    }
    let norm = dot(vector, vector).sqrt();
    if norm == 0.0 || !norm.is_finite() {
        return invalid("vector has zero length".to_owned());
    }
    Ok(vector.iter().map(|x| x / norm).collect())
}
