//! The fast PDF text path: lopdf loads the document, and a streaming interpreter runs each
//! page's content stream over the text operators only (no operation list, no per-glyph
//! allocation), with fonts and their ToUnicode maps loaded once per document.

use std::collections::HashMap;
use std::rc::Rc;

use pdf_extract::{Dictionary, Document, ObjectId};

use super::font::{Font, Unsupported, dict_get, inherited, number, resolve};
use super::layout::{Matrix, TextSink};
use super::lexer::{Lexer, Token};
use super::limits::{Budget, load};
use crate::extract::{ExtractError, ExtractLimits};

/// How many graphics states `q` may save in one content stream (more are not saved).
const MAX_SAVED_STATES: usize = 1_024;

/// Why the fast path gave no text.
#[derive(Debug)]
pub enum FastError {
    /// lopdf could not load the document.
    Load(pdf_extract::Error),
    /// Something the fast path does not handle (encryption, a font kind); use pdf-extract.
    Unsupported(&'static str),
    /// The document passed one of its limits: the extraction fails with this error.
    Limit(ExtractError),
}

impl From<Unsupported> for FastError {
    fn from(value: Unsupported) -> Self {
        Self::Unsupported(value.0)
    }
}

impl From<ExtractError> for FastError {
    fn from(value: ExtractError) -> Self {
        Self::Limit(value)
    }
}

/// Raw text of a PDF through the fast path, laid out like pdf-extract's plain text output,
/// within the default limits.
pub fn fast_pdf_text(bytes: &[u8]) -> Result<String, FastError> {
    let budget = Budget::new(ExtractLimits::default());
    let doc = load(bytes, &budget)?.map_err(FastError::Load)?;
    fast_document_text(&doc, &budget)
}

/// The fast path over a loaded document, spending from `budget`.
pub fn fast_document_text(doc: &Document, budget: &Budget) -> Result<String, FastError> {
    if doc.is_encrypted() {
        return Err(FastError::Unsupported("encrypted document"));
    }
    let mut interpreter = Interpreter {
        doc,
        budget,
        fonts: HashMap::new(),
        sink: TextSink::with_capacity(4096),
        scratch: Vec::new(),
        drawing: Vec::new(),
    };
    for page_id in doc.page_iter() {
        interpreter.page(page_id)?;
    }
    Ok(interpreter.sink.out)
}

struct Interpreter<'a> {
    doc: &'a Document,
    budget: &'a Budget,
    /// Fonts by the id of their dictionary, shared across pages.
    fonts: HashMap<ObjectId, Rc<Font>>,
    sink: TextSink,
    scratch: Vec<u8>,
    /// The forms on the frame stack of the page being run (`None` for the page itself).
    drawing: Vec<Option<ObjectId>>,
}

#[derive(Clone)]
struct TextState {
    font: Option<Rc<Font>>,
    size: f64,
    char_spacing: f64,
    word_spacing: f64,
    scaling: f64,
    leading: f64,
    rise: f64,
}

/// The graphics state pdf-extract keeps: the CTM and the text state, text matrix included.
#[derive(Clone)]
struct State {
    ctm: Matrix,
    text: TextState,
    tm: Matrix,
}

impl State {
    fn new(ctm: Matrix) -> Self {
        Self {
            ctm,
            text: TextState {
                font: None,
                size: 0.0,
                char_spacing: 0.0,
                word_spacing: 0.0,
                scaling: 1.0,
                leading: 0.0,
                rise: 0.0,
            },
            tm: Matrix::IDENTITY,
        }
    }
}

/// One content stream being run: the page's, or a form XObject's. Forms are run on an
/// explicit stack of these, never by recursion, so nesting costs heap, not thread stack.
struct Frame<'a> {
    content: Vec<u8>,
    /// Where the lexer resumes after a form this frame drew.
    pos: usize,
    resources: Option<&'a Dictionary>,
    state: State,
    saved: Vec<State>,
    tlm: Matrix,
    dict_depth: usize,
    /// The form XObject this frame runs (`None` for page content).
    form: Option<ObjectId>,
}

impl<'a> Frame<'a> {
    fn new(
        content: Vec<u8>,
        resources: Option<&'a Dictionary>,
        state: State,
        form: Option<ObjectId>,
    ) -> Self {
        Self {
            content,
            pos: 0,
            resources,
            state,
            saved: Vec::new(),
            tlm: Matrix::IDENTITY,
            dict_depth: 0,
            form,
        }
    }
}

/// An operand on the stack; strings index the scratch buffer.
#[derive(Debug, Clone)]
enum Operand<'a> {
    Number(f64),
    Name(std::borrow::Cow<'a, [u8]>),
    Str(std::ops::Range<usize>),
    ArrayStart,
    ArrayEnd,
    Other,
}

impl<'a> Interpreter<'a> {
    fn page(&mut self, page_id: ObjectId) -> Result<(), FastError> {
        self.budget.check_deadline()?;
        let page = self
            .doc
            .get_dictionary(page_id)
            .map_err(|_| FastError::Unsupported("page is not a dictionary"))?;
        let resources = inherited(self.doc, page, b"Resources").and_then(|r| r.as_dict().ok());
        let media_box = inherited(self.doc, page, b"MediaBox")
            .and_then(|m| m.as_array().ok())
            .and_then(|m| {
                let values: Vec<f64> = m
                    .iter()
                    .filter_map(|v| resolve(self.doc, v).and_then(number))
                    .collect();
                <[f64; 4]>::try_from(values).ok()
            })
            .unwrap_or([0.0, 0.0, 612.0, 792.0]);
        self.sink.begin_page(media_box);
        let content = self
            .doc
            .get_page_content(page_id)
            .map_err(|_| FastError::Unsupported("unreadable page content"))?;
        self.budget.charge_inflated(content.len())?;
        let mut operators = 0u64;
        let mut frames = vec![Frame::new(
            content,
            resources,
            State::new(Matrix::IDENTITY),
            None,
        )];
        self.drawing = vec![None];
        while let Some(top) = frames.last_mut() {
            match self.run(top, &mut operators)? {
                None => {
                    frames.pop();
                    self.drawing.pop();
                }
                Some(child) => {
                    self.drawing.push(child.form);
                    frames.push(child);
                }
            }
        }
        Ok(())
    }

    fn font(
        &mut self,
        resources: Option<&'a Dictionary>,
        name: &[u8],
    ) -> Result<Option<Rc<Font>>, FastError> {
        let Some(fonts) = resources
            .and_then(|r| dict_get(self.doc, r, b"Font"))
            .and_then(|f| f.as_dict().ok())
        else {
            return Ok(None);
        };
        let Ok(entry) = fonts.get(name) else {
            return Ok(None);
        };
        let id = entry.as_reference().ok();
        if let Some(font) = id.and_then(|id| self.fonts.get(&id)) {
            return Ok(Some(font.clone()));
        }
        let Some(dict) = resolve(self.doc, entry).and_then(|d| d.as_dict().ok()) else {
            return Ok(None);
        };
        let font = Rc::new(Font::load(self.doc, dict)?);
        if let Some(id) = id {
            self.fonts.insert(id, font.clone());
        }
        Ok(Some(font))
    }

    /// Runs `frame` until its content ends (`None`) or it draws a form XObject, which is
    /// returned as a new frame to run first; `frame` then resumes after the `Do`.
    fn run(
        &mut self,
        frame: &mut Frame<'a>,
        operators: &mut u64,
    ) -> Result<Option<Frame<'a>>, FastError> {
        let Frame {
            content,
            pos,
            resources,
            state,
            saved,
            tlm,
            dict_depth,
            ..
        } = frame;
        let resources = *resources;
        let mut lexer = Lexer::at(content, *pos);
        let mut scratch = std::mem::take(&mut self.scratch);
        scratch.clear();
        let mut operands: Vec<Operand<'_>> = Vec::with_capacity(8);
        let max_operators = self.budget.limits.max_operators_per_page;
        let mut child = None;
        while let Some(token) = lexer.next_token(&mut scratch) {
            let operator = match token {
                Token::Keyword(k) if *dict_depth == 0 => k,
                Token::DictStart => {
                    *dict_depth += 1;
                    continue;
                }
                Token::DictEnd => {
                    *dict_depth = dict_depth.saturating_sub(1);
                    if *dict_depth == 0 {
                        operands.push(Operand::Other);
                    }
                    continue;
                }
                _ if *dict_depth > 0 => continue,
                Token::Number(n) => {
                    operands.push(Operand::Number(n));
                    continue;
                }
                Token::Name(n) => {
                    operands.push(Operand::Name(n));
                    continue;
                }
                Token::Str(r) => {
                    operands.push(Operand::Str(r));
                    continue;
                }
                Token::ArrayStart => {
                    operands.push(Operand::ArrayStart);
                    continue;
                }
                Token::ArrayEnd => {
                    operands.push(Operand::ArrayEnd);
                    continue;
                }
                Token::Keyword(_) => continue,
            };
            *operators += 1;
            if *operators > max_operators {
                return Err(FastError::Limit(self.budget.too_complex(format!(
                    "a page runs more than {max_operators} content operators"
                ))));
            }
            self.budget.tick()?;
            let num = |i: usize| match operands.get(i) {
                Some(Operand::Number(n)) => *n,
                _ => 0.0,
            };
            match operator {
                b"BT" | b"ET" => {
                    *tlm = Matrix::IDENTITY;
                    state.tm = *tlm;
                }
                b"cm" if operands.len() == 6 => {
                    let m = Matrix([num(0), num(1), num(2), num(3), num(4), num(5)]);
                    state.ctm = m.then(&state.ctm);
                }
                b"q" if saved.len() < MAX_SAVED_STATES => saved.push(state.clone()),
                b"Q" => {
                    if let Some(previous) = saved.pop() {
                        *state = previous;
                    }
                }
                b"Tc" => state.text.char_spacing = num(0),
                b"Tw" => state.text.word_spacing = num(0),
                b"Tz" => state.text.scaling = num(0) / 100.0,
                b"TL" => state.text.leading = num(0),
                b"Ts" => state.text.rise = num(0),
                b"Tf" => {
                    if let Some(Operand::Name(name)) = operands.first() {
                        state.text.font = self.font(resources, name)?;
                    }
                    state.text.size = num(1);
                }
                b"Tm" if operands.len() == 6 => {
                    *tlm = Matrix([num(0), num(1), num(2), num(3), num(4), num(5)]);
                    state.tm = *tlm;
                }
                b"Td" | b"TD" => {
                    if operator == b"TD" {
                        state.text.leading = -num(1);
                    }
                    *tlm = Matrix::translation(num(0), num(1)).then(tlm);
                    state.tm = *tlm;
                }
                b"T*" => {
                    *tlm = Matrix::translation(0.0, -state.text.leading).then(tlm);
                    state.tm = *tlm;
                }
                b"Tj" | b"'" | b"\"" => {
                    if operator != b"Tj" {
                        if operator == b"\"" {
                            state.text.word_spacing = num(0);
                            state.text.char_spacing = num(1);
                        }
                        *tlm = Matrix::translation(0.0, -state.text.leading).then(tlm);
                        state.tm = *tlm;
                    }
                    if let Some(Operand::Str(range)) = operands.last() {
                        self.show(state, &scratch[range.clone()])?;
                    }
                }
                b"TJ" => {
                    for operand in &operands {
                        match operand {
                            Operand::Str(range) => self.show(state, &scratch[range.clone()])?,
                            Operand::Number(adjust) => {
                                let text = &state.text;
                                let tx = text.scaling * (-adjust / 1000.0 * text.size);
                                state.tm = Matrix::translation(tx, 0.0).then(&state.tm);
                            }
                            _ => {}
                        }
                    }
                }
                b"Do" => {
                    if let Some(Operand::Name(name)) = operands.first() {
                        child = self.form(resources, name, state)?;
                    }
                }
                b"ID" => lexer.skip_inline_image(),
                _ => {}
            }
            operands.clear();
            scratch.clear();
            if child.is_some() {
                break;
            }
        }
        *pos = lexer.position();
        self.scratch = scratch;
        Ok(child)
    }

    /// The frame that runs a form XObject's content with its matrix and resources (`None`
    /// when `name` is not a form: an image, or nothing).
    fn form(
        &mut self,
        resources: Option<&'a Dictionary>,
        name: &[u8],
        state: &State,
    ) -> Result<Option<Frame<'a>>, FastError> {
        let Some(entry) = resources
            .and_then(|r| dict_get(self.doc, r, b"XObject"))
            .and_then(|x| x.as_dict().ok())
            .and_then(|x| x.get(name).ok())
        else {
            return Ok(None);
        };
        let Some(stream) = resolve(self.doc, entry).and_then(|s| s.as_stream().ok()) else {
            return Ok(None);
        };
        if dict_get(self.doc, &stream.dict, b"Subtype").and_then(|s| s.as_name().ok())
            != Some(&b"Form"[..])
        {
            return Ok(None);
        }
        // A form already being drawn is not drawn again inside itself, and nesting stops at
        // the depth limit: the text drawn so far is kept either way.
        let id = entry.as_reference().ok();
        if self.drawing.len() > self.budget.limits.max_form_depth
            || (id.is_some() && self.drawing.contains(&id))
        {
            return Ok(None);
        }
        let matrix = dict_get(self.doc, &stream.dict, b"Matrix")
            .and_then(|m| m.as_array().ok())
            .and_then(|m| {
                <[f64; 6]>::try_from(m.iter().filter_map(number).collect::<Vec<_>>()).ok()
            })
            .map_or(Matrix::IDENTITY, Matrix);
        let form_resources = dict_get(self.doc, &stream.dict, b"Resources")
            .and_then(|r| r.as_dict().ok())
            .or(resources);
        let Some(content) = self.budget.content(stream)? else {
            return Ok(None);
        };
        let mut inner = state.clone();
        inner.ctm = matrix.then(&state.ctm);
        Ok(Some(Frame::new(content, form_resources, inner, id)))
    }

    /// Shows one string: every glyph is placed, decoded and advanced past.
    fn show(&mut self, state: &mut State, bytes: &[u8]) -> Result<(), FastError> {
        let Some(font) = state.text.font.clone() else {
            return Ok(());
        };
        let TextState {
            size,
            char_spacing,
            word_spacing,
            scaling,
            rise,
            ..
        } = state.text;
        self.sink.begin_string();
        let tsm = Matrix([scaling, 0.0, 0.0, 1.0, 0.0, rise]);
        for (code, length) in font.codes(bytes) {
            let trm = tsm.then(&state.tm.then(&state.ctm));
            let w0 = font.width(code) / 1000.0;
            let mut spacing = char_spacing;
            if code == 32 && length == 1 {
                spacing += word_spacing;
            }
            self.sink
                .glyph(&trm, w0, size, |out| font.decode(code, out));
            let tx = scaling * (w0 * size + spacing);
            state.tm = Matrix::translation(tx, 0.0).then(&state.tm);
        }
        let limit = self.budget.limits.max_text_bytes;
        if self.sink.out.len() > limit {
            return Err(FastError::Limit(ExtractError::TextTooLarge { limit }));
        }
        Ok(())
    }
}
