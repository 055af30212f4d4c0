//! Sequence-length bucketing: batching texts of similar length so that little of each
//! batch is padding.
//!
//! A batch is padded to its longest text and the model's cost grows with the padded
//! length, so batching a 10-token text with a 250-token one makes the short one cost as
//! much as the long one. Sorting by length first and cutting the sorted list into batches
//! keeps every batch's lengths close. The length key is the text's byte length, a cheap
//! proxy that orders texts almost exactly as their token counts do.

/// Groups the indices `0..lengths.len()` into batches of at most `batch_size`, each
/// holding texts of similar length (ascending). Every index appears exactly once.
pub fn plan_batches(lengths: &[usize], batch_size: usize) -> Vec<Vec<usize>> {
    let mut order: Vec<usize> = (0..lengths.len()).collect();
    order.sort_by_key(|&index| lengths[index]);
    order
        .chunks(batch_size.max(1))
        .map(<[usize]>::to_vec)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_group_similar_lengths_and_cover_every_index_once() {
        let lengths = [300, 5, 280, 7, 6, 290];
        let batches = plan_batches(&lengths, 3);
        assert_eq!(batches, vec![vec![1, 4, 3], vec![2, 5, 0]]);
    }

    #[test]
    fn equal_lengths_keep_their_input_order() {
        assert_eq!(plan_batches(&[4, 4, 4], 2), vec![vec![0, 1], vec![2]]);
    }

    #[test]
    fn a_zero_batch_size_is_treated_as_one() {
        assert_eq!(plan_batches(&[1, 2], 0), vec![vec![0], vec![1]]);
    }

    #[test]
    fn no_texts_means_no_batches() {
        assert!(plan_batches(&[], 8).is_empty());
    }
}
