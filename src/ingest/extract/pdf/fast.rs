//! The fast PDF text path: lopdf loads the document, and a streaming interpreter runs each
//! page's content stream over the text operators only (no operation list, no per-glyph
//! allocation), with fonts and their ToUnicode maps loaded once per document.

use std::collections::HashMap;
use std::rc::Rc;

use pdf_extract::{Dictionary, Document, Object, ObjectId};

use super::font::{Font, Unsupported, dict_get, number, resolve};
use super::layout::{Matrix, TextSink};
use super::lexer::{Lexer, Token};

/// How deep form XObjects may nest.
const MAX_FORM_DEPTH: usize = 8;

/// Why the fast path gave no text.
#[derive(Debug)]
pub enum FastError {
    /// lopdf could not load the document.
    Load(pdf_extract::Error),
    /// Something the fast path does not handle (encryption, a font kind); use pdf-extract.
    Unsupported(&'static str),
}

impl From<Unsupported> for FastError {
    fn from(value: Unsupported) -> Self {
        Self::Unsupported(value.0)
    }
}

/// Raw text of a PDF through the fast path, laid out like pdf-extract's plain text output.
pub fn fast_pdf_text(bytes: &[u8]) -> Result<String, FastError> {
    let doc = Document::load_mem(bytes).map_err(FastError::Load)?;
    if doc.is_encrypted() {
        return Err(FastError::Unsupported("encrypted document"));
    }
    let mut interpreter = Interpreter {
        doc: &doc,
        fonts: HashMap::new(),
        sink: TextSink::with_capacity(bytes.len() / 2),
        scratch: Vec::new(),
    };
    for page_id in doc.page_iter() {
        interpreter.page(page_id)?;
    }
    Ok(interpreter.sink.out)
}

struct Interpreter<'a> {
    doc: &'a Document,
    /// Fonts by the id of their dictionary, shared across pages.
    fonts: HashMap<ObjectId, Rc<Font>>,
    sink: TextSink,
    scratch: Vec<u8>,
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
        let page = self
            .doc
            .get_dictionary(page_id)
            .map_err(|_| FastError::Unsupported("page is not a dictionary"))?;
        let resources = self
            .inherited(page, b"Resources")
            .and_then(|r| r.as_dict().ok());
        let media_box = self
            .inherited(page, b"MediaBox")
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
        self.run(&content, resources, State::new(Matrix::IDENTITY), 0)
    }

    /// A page attribute, looked up the page tree (Resources, MediaBox are inheritable).
    fn inherited(&self, node: &'a Dictionary, key: &[u8]) -> Option<&'a Object> {
        let mut node = node;
        for _ in 0..32 {
            if let Some(value) = dict_get(self.doc, node, key) {
                return Some(value);
            }
            node = dict_get(self.doc, node, b"Parent")?.as_dict().ok()?;
        }
        None
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

    fn run(
        &mut self,
        content: &[u8],
        resources: Option<&'a Dictionary>,
        mut state: State,
        depth: usize,
    ) -> Result<(), FastError> {
        let mut lexer = Lexer::new(content);
        let mut scratch = std::mem::take(&mut self.scratch);
        scratch.clear();
        let mut operands: Vec<Operand<'_>> = Vec::with_capacity(8);
        let mut stack: Vec<State> = Vec::new();
        let mut tlm = Matrix::IDENTITY;
        let mut dict_depth = 0usize;
        while let Some(token) = lexer.next_token(&mut scratch) {
            let operator = match token {
                Token::Keyword(k) if dict_depth == 0 => k,
                Token::DictStart => {
                    dict_depth += 1;
                    continue;
                }
                Token::DictEnd => {
                    dict_depth = dict_depth.saturating_sub(1);
                    if dict_depth == 0 {
                        operands.push(Operand::Other);
                    }
                    continue;
                }
                _ if dict_depth > 0 => continue,
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
            let num = |i: usize| match operands.get(i) {
                Some(Operand::Number(n)) => *n,
                _ => 0.0,
            };
            match operator {
                b"BT" | b"ET" => {
                    tlm = Matrix::IDENTITY;
                    state.tm = tlm;
                }
                b"cm" if operands.len() == 6 => {
                    let m = Matrix([num(0), num(1), num(2), num(3), num(4), num(5)]);
                    state.ctm = m.then(&state.ctm);
                }
                b"q" => stack.push(state.clone()),
                b"Q" => {
                    if let Some(saved) = stack.pop() {
                        state = saved;
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
                    tlm = Matrix([num(0), num(1), num(2), num(3), num(4), num(5)]);
                    state.tm = tlm;
                }
                b"Td" | b"TD" => {
                    if operator == b"TD" {
                        state.text.leading = -num(1);
                    }
                    tlm = Matrix::translation(num(0), num(1)).then(&tlm);
                    state.tm = tlm;
                }
                b"T*" => {
                    tlm = Matrix::translation(0.0, -state.text.leading).then(&tlm);
                    state.tm = tlm;
                }
                b"Tj" | b"'" | b"\"" => {
                    if operator != b"Tj" {
                        if operator == b"\"" {
                            state.text.word_spacing = num(0);
                            state.text.char_spacing = num(1);
                        }
                        tlm = Matrix::translation(0.0, -state.text.leading).then(&tlm);
                        state.tm = tlm;
                    }
                    if let Some(Operand::Str(range)) = operands.last() {
                        self.show(&mut state, &scratch[range.clone()]);
                    }
                }
                b"TJ" => {
                    for operand in &operands {
                        match operand {
                            Operand::Str(range) => self.show(&mut state, &scratch[range.clone()]),
                            Operand::Number(adjust) => {
                                let text = &state.text;
                                let tx = text.scaling * (-adjust / 1000.0 * text.size);
                                state.tm = Matrix::translation(tx, 0.0).then(&state.tm);
                            }
                            _ => {}
                        }
                    }
                }
                b"Do" if depth < MAX_FORM_DEPTH => {
                    if let Some(Operand::Name(name)) = operands.first() {
                        self.form(resources, name, &state, depth)?;
                    }
                }
                b"ID" => lexer.skip_inline_image(),
                _ => {}
            }
            operands.clear();
            scratch.clear();
        }
        self.scratch = scratch;
        Ok(())
    }

    /// Runs a form XObject's content with its matrix and resources.
    fn form(
        &mut self,
        resources: Option<&'a Dictionary>,
        name: &[u8],
        state: &State,
        depth: usize,
    ) -> Result<(), FastError> {
        let Some(stream) = resources
            .and_then(|r| dict_get(self.doc, r, b"XObject"))
            .and_then(|x| x.as_dict().ok())
            .and_then(|x| x.get(name).ok())
            .and_then(|s| resolve(self.doc, s))
            .and_then(|s| s.as_stream().ok())
        else {
            return Ok(());
        };
        if dict_get(self.doc, &stream.dict, b"Subtype").and_then(|s| s.as_name().ok())
            != Some(&b"Form"[..])
        {
            return Ok(());
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
        let content = stream
            .decompressed_content()
            .unwrap_or_else(|_| stream.content.clone());
        let mut inner = state.clone();
        inner.ctm = matrix.then(&state.ctm);
        self.run(&content, form_resources, inner, depth + 1)
    }

    /// Shows one string: every glyph is placed, decoded and advanced past.
    fn show(&mut self, state: &mut State, bytes: &[u8]) {
        let Some(font) = state.text.font.clone() else {
            return;
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
    }
}
