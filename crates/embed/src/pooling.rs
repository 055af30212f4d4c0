//! Combining vectors: cosine similarity and weighted mean pooling.

/// Cosine similarity of two vectors (0 when either is all zeros or lengths differ).
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    if a.len() != b.len() {
        return 0.0;
    }
    let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let norms = l2_norm(a) * l2_norm(b);
    if norms == 0.0 { 0.0 } else { dot / norms }
}

/// The Euclidean length of a vector.
pub fn l2_norm(v: &[f32]) -> f32 {
    v.iter().map(|x| x * x).sum::<f32>().sqrt()
}

/// The weighted mean of `vectors`, scaled back to unit length.
///
/// Used for document vectors: a document's chunks are embedded separately and pooled with
/// each chunk's token count as its weight, so the result points in the average direction
/// of the document's content, longer passages counting more. Vectors whose length differs
/// from the first one's, and non-positive or non-finite weights, are skipped; `None` when
/// nothing is left or the mean is the zero vector. `weights` shorter than `vectors` leaves
/// the extra vectors out.
pub fn pool(vectors: &[&[f32]], weights: &[f32]) -> Option<Vec<f32>> {
    let dim = vectors.first()?.len();
    let mut sum = vec![0.0f32; dim];
    for (vector, &weight) in vectors.iter().zip(weights) {
        if vector.len() != dim || !weight.is_finite() || weight <= 0.0 {
            continue;
        }
        for (acc, x) in sum.iter_mut().zip(vector.iter()) {
            *acc += weight * x;
        }
    }
    let norm = l2_norm(&sum);
    if norm == 0.0 || !norm.is_finite() {
        return None;
    }
    sum.iter_mut().for_each(|x| *x /= norm);
    Some(sum)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pooling_weights_vectors_and_renormalises() {
        let a = [1.0, 0.0];
        let b = [0.0, 1.0];
        let pooled = pool(&[&a, &b], &[3.0, 1.0]).expect("non-zero mean");
        let expected = [3.0 / 10f32.sqrt(), 1.0 / 10f32.sqrt()];
        assert!((pooled[0] - expected[0]).abs() < 1e-6);
        assert!((pooled[1] - expected[1]).abs() < 1e-6);
        assert!((l2_norm(&pooled) - 1.0).abs() < 1e-6);
    }

    #[test]
    fn pooling_skips_bad_weights_and_mismatched_vectors() {
        let a = [0.0, 2.0];
        let short = [1.0];
        let c = [5.0, 0.0];
        let pooled = pool(&[&a, &short, &c], &[1.0, 1.0, f32::NAN]).expect("one usable vector");
        assert_eq!(pooled, vec![0.0, 1.0]);
    }

    #[test]
    fn pooling_nothing_or_opposites_gives_none() {
        assert_eq!(pool(&[], &[]), None);
        assert_eq!(pool(&[&[1.0, 0.0], &[-1.0, 0.0]], &[1.0, 1.0]), None);
    }

    #[test]
    fn cosine_of_parallel_orthogonal_and_zero_vectors() {
        assert!((cosine(&[1.0, 1.0], &[2.0, 2.0]) - 1.0).abs() < 1e-6);
        assert_eq!(cosine(&[1.0, 0.0], &[0.0, 3.0]), 0.0);
        assert_eq!(cosine(&[0.0, 0.0], &[1.0, 0.0]), 0.0);
        assert_eq!(cosine(&[1.0], &[1.0, 0.0]), 0.0);
    }
}
