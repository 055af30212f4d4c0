//! pdf-extract, the fallback engine, under our limits. It walks form XObjects by recursion
//! and inflates a form each time it is drawn, so before it runs, the forms each page draws
//! are walked here (with an explicit stack): a form that draws itself, nesting past the
//! limit, or more operators or inflated bytes than a page may run (a form drawn twice
//! counts twice) refuses the document. Its output goes through [`BudgetedOutput`], which
//! stops it at the deadline or the text limit.

use std::collections::HashMap;

use pdf_extract::{
    Dictionary, Document, MediaBox, ObjectId, OutputDev, OutputError, PlainTextOutput, Transform,
};

use super::font::{dict_get, inherited};
use super::lexer::{Lexer, Token};
use super::limits::Budget;
use crate::extract::ExtractError;

/// Raw text of a loaded document through pdf-extract, within `budget`.
pub fn pdf_extract_text(
    mut doc: Document,
    budget: &Budget,
) -> Result<Result<String, OutputError>, ExtractError> {
    if doc.is_encrypted()
        && let Err(error) = doc.decrypt("")
    {
        return Ok(Err(OutputError::PdfError(error)));
    }
    check_forms(&doc, budget)?;
    let mut text = String::new();
    let mut output = BudgetedOutput {
        inner: PlainTextOutput::new(&mut text),
        budget,
        text_bytes: 0,
        stopped: None,
    };
    let result = pdf_extract::output_doc(&doc, &mut output);
    if let Some(error) = output.stopped.take() {
        return Err(error);
    }
    drop(output);
    Ok(result.map(|()| text))
}

/// One content stream's operators and the names it draws with `Do`.
struct Scan {
    operators: u64,
    draws: Vec<Vec<u8>>,
}

fn scan(content: &[u8], budget: &Budget) -> Result<Scan, ExtractError> {
    let mut lexer = Lexer::new(content);
    let mut scratch = Vec::new();
    let mut scan = Scan {
        operators: 0,
        draws: Vec::new(),
    };
    let mut last_name: Option<Vec<u8>> = None;
    let mut dict_depth = 0usize;
    while let Some(token) = lexer.next_token(&mut scratch) {
        scratch.clear();
        match token {
            Token::DictStart => dict_depth += 1,
            Token::DictEnd => dict_depth = dict_depth.saturating_sub(1),
            _ if dict_depth > 0 => {}
            Token::Name(name) => last_name = Some(name.into_owned()),
            Token::Keyword(keyword) => {
                scan.operators += 1;
                budget.tick()?;
                match keyword {
                    b"Do" => scan.draws.extend(last_name.take()),
                    b"ID" => lexer.skip_inline_image(),
                    _ => {}
                }
                last_name = None;
            }
            _ => {}
        }
    }
    Ok(scan)
}

/// What drawing one content stream costs, forms included.
#[derive(Clone, Copy, Default)]
struct Cost {
    operators: u64,
    bytes: u64,
}

/// A content stream on the walk's stack, with the forms it draws still to be costed.
struct Node<'a> {
    form: Option<ObjectId>,
    key: Option<(ObjectId, usize)>,
    resources: Option<&'a Dictionary>,
    draws: std::vec::IntoIter<Vec<u8>>,
    cost: Cost,
}

/// Walks the forms every page draws, refusing what pdf-extract could not finish in bounds.
fn check_forms(doc: &Document, budget: &Budget) -> Result<(), ExtractError> {
    let limits = &budget.limits;
    // The cost of a form with the resources it was drawn under.
    let mut known: HashMap<(ObjectId, usize), Cost> = HashMap::new();
    for (_, page_id) in doc.get_pages() {
        let Ok(page) = doc.get_dictionary(page_id) else {
            continue;
        };
        let resources = inherited(doc, page, b"Resources").and_then(|r| r.as_dict().ok());
        let Ok(content) = doc.get_page_content(page_id) else {
            continue;
        };
        budget.charge_inflated(content.len())?;
        let page_scan = scan(&content, budget)?;
        let mut stack = vec![Node {
            form: None,
            key: None,
            resources,
            draws: page_scan.draws.into_iter(),
            cost: Cost {
                operators: page_scan.operators,
                bytes: content.len() as u64,
            },
        }];
        while let Some(top) = stack.last_mut() {
            let Some(name) = top.draws.next() else {
                let done = stack.pop().expect("a node");
                if let Some(key) = done.key {
                    known.insert(key, done.cost);
                }
                match stack.last_mut() {
                    Some(parent) => add(&mut parent.cost, done.cost, budget)?,
                    None => check_page(done.cost, budget)?,
                }
                continue;
            };
            let resources = top.resources;
            let Some((id, stream)) = form_named(doc, resources, &name) else {
                continue;
            };
            let form_resources = dict_get(doc, &stream.dict, b"Resources")
                .and_then(|r| r.as_dict().ok())
                .or(resources);
            let key = id.map(|id| (id, form_resources.map_or(0, |r| r as *const _ as usize)));
            if let Some(cost) = key.and_then(|k| known.get(&k)).copied() {
                add(&mut top.cost, cost, budget)?;
                continue;
            }
            if id.is_some() && stack.iter().any(|node| node.form == id) {
                return Err(budget.too_complex("a form XObject draws itself"));
            }
            if stack.len() > limits.max_form_depth {
                return Err(budget.too_complex(format!(
                    "form XObjects nest deeper than {}",
                    limits.max_form_depth
                )));
            }
            let Some(content) = budget.content(stream)? else {
                continue;
            };
            let form_scan = scan(&content, budget)?;
            stack.push(Node {
                form: id,
                key,
                resources: form_resources,
                draws: form_scan.draws.into_iter(),
                cost: Cost {
                    operators: form_scan.operators,
                    bytes: content.len() as u64,
                },
            });
        }
    }
    Ok(())
}

fn add(total: &mut Cost, more: Cost, budget: &Budget) -> Result<(), ExtractError> {
    total.operators = total.operators.saturating_add(more.operators);
    total.bytes = total.bytes.saturating_add(more.bytes);
    check_page(*total, budget)
}

fn check_page(cost: Cost, budget: &Budget) -> Result<(), ExtractError> {
    let limits = &budget.limits;
    if cost.operators > limits.max_operators_per_page {
        return Err(budget.too_complex(format!(
            "a page runs more than {} content operators",
            limits.max_operators_per_page
        )));
    }
    if cost.bytes > limits.max_inflated_bytes {
        return Err(budget.too_complex(format!(
            "a page's forms inflate to more than {} bytes as drawn",
            limits.max_inflated_bytes
        )));
    }
    Ok(())
}

/// The form XObject `name` in `resources`, with its object id when it is a reference.
fn form_named<'a>(
    doc: &'a Document,
    resources: Option<&'a Dictionary>,
    name: &[u8],
) -> Option<(Option<ObjectId>, &'a pdf_extract::Stream)> {
    let entry = resources
        .and_then(|r| dict_get(doc, r, b"XObject"))
        .and_then(|x| x.as_dict().ok())
        .and_then(|x| x.get(name).ok())?;
    let stream = super::font::resolve(doc, entry)?.as_stream().ok()?;
    let subtype = dict_get(doc, &stream.dict, b"Subtype").and_then(|s| s.as_name().ok());
    (subtype == Some(&b"Form"[..])).then(|| (entry.as_reference().ok(), stream))
}

/// pdf-extract's plain text output, stopped at the deadline or the text limit.
struct BudgetedOutput<'b, W: pdf_extract::ConvertToFmt> {
    inner: PlainTextOutput<W>,
    budget: &'b Budget,
    text_bytes: usize,
    stopped: Option<ExtractError>,
}

impl<W: pdf_extract::ConvertToFmt> BudgetedOutput<'_, W> {
    fn stop(&mut self, error: ExtractError) -> OutputError {
        self.stopped = Some(error);
        OutputError::FormatError(std::fmt::Error)
    }
}

impl<W: pdf_extract::ConvertToFmt> OutputDev for BudgetedOutput<'_, W> {
    fn begin_page(
        &mut self,
        page_num: u32,
        media_box: &MediaBox,
        art_box: Option<(f64, f64, f64, f64)>,
    ) -> Result<(), OutputError> {
        if let Err(error) = self.budget.check_deadline() {
            return Err(self.stop(error));
        }
        self.inner.begin_page(page_num, media_box, art_box)
    }

    fn end_page(&mut self) -> Result<(), OutputError> {
        self.inner.end_page()
    }

    fn output_character(
        &mut self,
        trm: &Transform,
        width: f64,
        spacing: f64,
        font_size: f64,
        char: &str,
    ) -> Result<(), OutputError> {
        self.text_bytes += char.len() + 1;
        let limit = self.budget.limits.max_text_bytes;
        if self.text_bytes > limit {
            return Err(self.stop(ExtractError::TextTooLarge { limit }));
        }
        if let Err(error) = self.budget.tick() {
            return Err(self.stop(error));
        }
        self.inner
            .output_character(trm, width, spacing, font_size, char)
    }

    fn begin_word(&mut self) -> Result<(), OutputError> {
        self.inner.begin_word()
    }

    fn end_word(&mut self) -> Result<(), OutputError> {
        self.inner.end_word()
    }

    fn end_line(&mut self) -> Result<(), OutputError> {
        self.inner.end_line()
    }
}
