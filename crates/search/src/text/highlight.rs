//! Highlighted snippets: the title whole, the body as its best passage, matched words in
//! `<em>`, everything HTML-escaped. Typo matches are highlighted too: a word of the
//! document within the fuzzy edit distance of a query word counts as a match.

use std::collections::BTreeMap;

use tantivy::schema::Field;
use tantivy::snippet::{Snippet, SnippetGenerator};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Searcher, Term};

use super::query::QueryTerms;
use super::tokenizer::terms;

/// Highlighted snippets of one document; `None` where the field has no match.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Highlights {
    pub title: Option<String>,
    pub body: Option<String>,
}

/// Characters of body text around the matches.
const BODY_CHARS: usize = 200;

pub struct Highlighter<'a> {
    pub searcher: &'a Searcher,
    pub terms: &'a QueryTerms,
    pub analyzer: TextAnalyzer,
}

impl Highlighter<'_> {
    pub fn title(&mut self, field: Field, title: &str) -> tantivy::Result<Option<String>> {
        // One fragment holding the whole title: it starts at 0 and ends after the last word.
        let snippet = self.snippet(field, title, title.len() + 1)?;
        Ok((!snippet.is_empty()).then(|| {
            let mut html = snippet.to_html();
            html.push_str(&escape_html(&title[snippet.fragment_range().end..]));
            html
        }))
    }

    pub fn body(&mut self, field: Field, body: &str) -> tantivy::Result<Option<String>> {
        let snippet = self.snippet(field, body, BODY_CHARS)?;
        Ok((!snippet.is_empty()).then(|| snippet.to_html()))
    }

    fn snippet(&mut self, field: Field, text: &str, max_chars: usize) -> tantivy::Result<Snippet> {
        let mut weights = BTreeMap::new();
        for t in self.terms.exact_terms() {
            self.weigh(&mut weights, field, t)?;
        }
        if !self.terms.fuzzy_words.is_empty() {
            for token in terms(&mut self.analyzer, text) {
                if !weights.contains_key(&token) && self.is_typo_of_a_word(&token) {
                    self.weigh(&mut weights, field, &token)?;
                }
            }
        }
        let generator = SnippetGenerator::new(weights, self.analyzer.clone(), field, max_chars);
        let mut snippet = generator.snippet(text);
        snippet.set_snippet_prefix_postfix("<em>", "</em>");
        Ok(snippet)
    }

    /// Rarer terms weigh more when choosing the passage, as in tantivy's own generator.
    fn weigh(
        &self,
        weights: &mut BTreeMap<String, f32>,
        field: Field,
        term: &str,
    ) -> tantivy::Result<()> {
        let df = self
            .searcher
            .doc_freq(&Term::from_field_text(field, term))?;
        weights.insert(term.to_owned(), 1.0 / (1.0 + df as f32));
        Ok(())
    }

    fn is_typo_of_a_word(&self, token: &str) -> bool {
        self.terms
            .fuzzy_words
            .iter()
            .any(|(w, d)| edit_distance_within(w, token, usize::from(*d)))
    }
}

/// Whether the optimal-string-alignment distance (insertions, deletions, substitutions,
/// adjacent transpositions: what tantivy's fuzzy query counts) is at most `max`.
pub fn edit_distance_within(a: &str, b: &str, max: usize) -> bool {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > max {
        return false;
    }
    let width = b.len() + 1;
    let mut rows = vec![vec![0usize; width]; a.len() + 1];
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        rows[i][0] = i;
        for j in 1..width {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (rows[i - 1][j] + 1)
                .min(rows[i][j - 1] + 1)
                .min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = d;
        }
    }
    rows[a.len()][b.len()] <= max
}

/// Escapes text for HTML the way the snippets are escaped.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_counts_a_transposition_as_one() {
        assert!(edit_distance_within("kubernet", "kuberent", 1));
        assert!(edit_distance_within("kubernet", "kubernet", 0));
        assert!(!edit_distance_within("kubernet", "kuberentes", 1));
        assert!(edit_distance_within("develop", "devlop", 1));
        assert!(!edit_distance_within("python", "pandas", 2));
    }

    #[test]
    fn escaping_covers_markup_and_quotes() {
        assert_eq!(
            escape_html(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#x27;&amp;&#x27;&lt;/a&gt;"
        );
    }
}
