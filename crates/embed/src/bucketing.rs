//! Sequence-length bucketing: batching texts of similar length so that little of each
//! batch is padding.
//!
//! A batch is padded to its longest text and the model's cost grows with the padded
//! length, so batching a 10-token text with a 250-token one makes the short one cost as
//! much as the long one. Sorting by length first and cutting the sorted list into batches
//! keeps every batch's lengths close. The length key is the text's byte length, a cheap
//! proxy that orders texts almost exactly as their token counts do.

/// How texts are grouped into model calls.
#[derive(Debug, Clone, Copy)]
pub struct Batching {
    /// Texts per call at most.
    pub texts: usize,
    /// Padded tokens per call at most (texts × the longest), but always one text.
    pub tokens: usize,
    /// The model's window: no text counts for more.
    pub max_length: usize,
}

/// A cheap estimate of a text's token count with `[CLS]`/`[SEP]` (English WordPiece
/// averages about 4 bytes per token), capped at the window.
pub fn estimated_tokens(text: &str, max_length: usize) -> usize {
    (text.len() / 4 + 2).min(max_length)
}

/// Groups the indices `0..tokens.len()` into batches of texts of similar length
/// (ascending), each within `batching`'s text and padded-token limits. Every index appears
/// exactly once.
pub fn plan_batches(tokens: &[usize], batching: Batching) -> Vec<Vec<usize>> {
    let mut order: Vec<usize> = (0..tokens.len()).collect();
    order.sort_by_key(|&index| tokens[index]);
    let mut batches = Vec::new();
    let mut current: Vec<usize> = Vec::new();
    for index in order {
        // Ascending order: the new text is the batch's longest.
        let padded = (current.len() + 1) * tokens[index].min(batching.max_length);
        if !current.is_empty()
            && (current.len() >= batching.texts.max(1) || padded > batching.tokens)
        {
            batches.push(std::mem::take(&mut current));
        }
        current.push(index);
    }
    if !current.is_empty() {
        batches.push(current);
    }
    batches
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(texts: usize) -> Batching {
        Batching {
            texts,
            tokens: usize::MAX,
            max_length: 256,
        }
    }

    #[test]
    fn batches_group_similar_lengths_and_cover_every_index_once() {
        let lengths = [200, 5, 180, 7, 6, 190];
        let batches = plan_batches(&lengths, texts(3));
        assert_eq!(batches, vec![vec![1, 4, 3], vec![2, 5, 0]]);
    }

    #[test]
    fn equal_lengths_keep_their_input_order() {
        assert_eq!(
            plan_batches(&[4, 4, 4], texts(2)),
            vec![vec![0, 1], vec![2]]
        );
    }

    #[test]
    fn a_zero_batch_size_is_treated_as_one() {
        assert_eq!(plan_batches(&[1, 2], texts(0)), vec![vec![0], vec![1]]);
    }

    #[test]
    fn no_texts_means_no_batches() {
        assert!(plan_batches(&[], texts(8)).is_empty());
    }

    #[test]
    fn the_token_budget_makes_long_texts_go_alone_and_short_ones_together() {
        let batching = Batching {
            texts: 32,
            tokens: 256,
            max_length: 256,
        };
        // Four 20-token texts fit in one call; 300 counts as the window, 256: alone.
        let lengths = [300, 20, 20, 20, 20, 200, 120];
        assert_eq!(
            plan_batches(&lengths, batching),
            vec![vec![1, 2, 3, 4], vec![6], vec![5], vec![0]]
        );
    }

    #[test]
    fn token_estimates_grow_with_the_text_and_stop_at_the_window() {
        assert_eq!(estimated_tokens("", 256), 2);
        assert_eq!(estimated_tokens("Rust developer", 256), 5);
        assert_eq!(estimated_tokens(&"word ".repeat(1000), 256), 256);
    }
}
