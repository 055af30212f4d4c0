//! Combining component scores: the values of one pair and their weighted mean.

use super::{Component, MatchWeights};

/// Component scores (0..=1, `None` when not computed) and their details, indexed by
/// [`Component`].
#[derive(Debug, Clone, Default)]
pub(crate) struct Values {
    pub scores: [Option<f32>; 7],
    pub details: [String; 7],
}

impl Values {
    pub(crate) fn set(
        &mut self,
        component: Component,
        value: Option<(f32, String)>,
        why_not: &str,
    ) {
        let i = component.index();
        match value {
            Some((score, detail)) => {
                self.scores[i] = Some(score.clamp(0.0, 1.0));
                self.details[i] = detail;
            }
            None => {
                self.scores[i] = None;
                self.details[i] = format!("not computed: {why_not}");
            }
        }
    }

    pub fn get(&self, component: Component) -> Option<f32> {
        self.scores[component.index()]
    }

    /// The scores with one component replaced.
    pub fn with(&self, component: Component, score: Option<f32>) -> [Option<f32>; 7] {
        let mut scores = self.scores;
        scores[component.index()] = score;
        scores
    }
}

/// Weighted mean of the computed components, 0..=100. Negative weights count as 0.
pub fn combine(scores: &[Option<f32>; 7], weights: &MatchWeights) -> f32 {
    let (mut sum, mut total) = (0.0f32, 0.0f32);
    for component in Component::ALL {
        if let Some(score) = scores[component.index()] {
            let w = weights.get(component).max(0.0);
            sum += w * score;
            total += w;
        }
    }
    if total > 0.0 {
        100.0 * sum / total
    } else {
        0.0
    }
}
