//! Text placement: affine matrices and the rule that turns positioned glyphs into lines and
//! words. The rule is pdf-extract's `PlainTextOutput`, so both extractors agree on layout:
//! a string that starts well below the last one starts a new line (two when the gap is more
//! than one and a half font sizes), and one that starts right of where the last glyph ended
//! is a new word.

/// An affine matrix `[a b c d e f]` in PDF's row-vector convention: `p' = p × M`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Matrix(pub [f64; 6]);

impl Matrix {
    pub const IDENTITY: Self = Self([1.0, 0.0, 0.0, 1.0, 0.0, 0.0]);

    pub fn translation(x: f64, y: f64) -> Self {
        Self([1.0, 0.0, 0.0, 1.0, x, y])
    }

    /// `self × other`: apply `self`, then `other`.
    pub fn then(&self, other: &Self) -> Self {
        let [a, b, c, d, e, f] = self.0;
        let [a2, b2, c2, d2, e2, f2] = other.0;
        Self([
            a * a2 + b * c2,
            a * b2 + b * d2,
            c * a2 + d * c2,
            c * b2 + d * d2,
            e * a2 + f * c2 + e2,
            e * b2 + f * d2 + f2,
        ])
    }

    /// A vector (no translation) through the matrix.
    pub fn vector(&self, x: f64, y: f64) -> (f64, f64) {
        let [a, b, c, d, ..] = self.0;
        (x * a + y * c, x * b + y * d)
    }
}

/// Accumulates the text of a document, one glyph at a time.
pub struct TextSink {
    pub out: String,
    last_end: f64,
    last_y: f64,
    /// True for the first glyph of a shown string: only it is checked for breaks.
    first_glyph: bool,
    /// Flips page space so y grows downwards.
    flip: Matrix,
}

impl TextSink {
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            out: String::with_capacity(capacity),
            last_end: 100_000.0,
            last_y: 0.0,
            first_glyph: false,
            flip: Matrix::IDENTITY,
        }
    }

    pub fn begin_page(&mut self, media_box: [f64; 4]) {
        self.flip = Matrix([1.0, 0.0, 0.0, -1.0, 0.0, media_box[3] - media_box[1]]);
    }

    /// A string is about to be shown.
    pub fn begin_string(&mut self) {
        self.first_glyph = true;
    }

    /// Places one glyph. `trm` is the text rendering matrix, `width` the glyph width in text
    /// space (1/1000 units already divided out); `push` appends its text.
    pub fn glyph(
        &mut self,
        trm: &Matrix,
        width: f64,
        font_size: f64,
        push: impl FnOnce(&mut String),
    ) {
        let position = trm.then(&self.flip);
        let (vx, vy) = trm.vector(font_size, font_size);
        let size = (vx * vy).sqrt();
        let (x, y) = (position.0[4], position.0[5]);
        if self.first_glyph {
            if (y - self.last_y).abs() > size * 1.5 {
                self.out.push('\n');
            }
            if x < self.last_end && (y - self.last_y).abs() > size * 0.5 {
                self.out.push('\n');
            }
            if x > self.last_end + size * 0.1 {
                self.out.push(' ');
            }
        }
        push(&mut self.out);
        self.first_glyph = false;
        self.last_y = y;
        self.last_end = x + width * size;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matrices_compose_in_row_vector_order() {
        let scale = Matrix([2.0, 0.0, 0.0, 2.0, 0.0, 0.0]);
        let moved = Matrix::translation(10.0, 5.0).then(&scale);
        assert_eq!(moved, Matrix([2.0, 0.0, 0.0, 2.0, 20.0, 10.0]));
        assert_eq!(scale.then(&Matrix::translation(10.0, 5.0)).0[4], 10.0);
    }

    fn show(sink: &mut TextSink, x: f64, y: f64, text: &str) {
        sink.begin_string();
        let mut x = x;
        for c in text.chars() {
            sink.glyph(&Matrix::translation(x, y), 0.5, 10.0, |out| out.push(c));
            x += 5.0;
        }
    }

    #[test]
    fn gaps_become_spaces_and_lower_lines_new_lines() {
        let mut sink = TextSink::with_capacity(64);
        sink.begin_page([0.0, 0.0, 595.0, 842.0]);
        show(&mut sink, 72.0, 800.0, "ab");
        show(&mut sink, 82.0, 800.0, "cd");
        show(&mut sink, 100.0, 800.0, "ef");
        show(&mut sink, 72.0, 788.0, "gh");
        show(&mut sink, 72.0, 700.0, "ij");
        // The first string of a document starts below "nothing": leading breaks, as in
        // pdf-extract; normalisation drops them.
        assert_eq!(sink.out, "\n\nabcd ef\ngh\n\nij");
    }
}
