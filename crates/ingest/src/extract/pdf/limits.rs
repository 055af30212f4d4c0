//! What one PDF may make us spend: inflated stream bytes (per stream and per document),
//! pages, content operators per page, form XObject nesting, output text and wall time.
//!
//! The document is loaded through [`load`], which never inflates a stream past its limit:
//! cross-reference streams are measured in the raw bytes before lopdf parses them, and every
//! other stream is measured by lopdf's load filter before anything decompresses it (object
//! streams are inflated during the load itself). Image data is dropped at load: no text
//! extractor reads it. What is inflated afterwards is charged to a per-document [`Budget`],
//! which also carries the deadline and the output limit, so the work stops where a limit is
//! reached rather than when a watchdog gives up on it.

use std::cell::Cell;
use std::io::{Read, Write};
use std::time::Instant;

use pdf_extract::{Document, LoadOptions, Object, ObjectId, Stream};

use crate::extract::{ExtractError, ExtractLimits};

/// What one document has spent so far.
pub struct Budget {
    pub limits: ExtractLimits,
    inflated: Cell<u64>,
    ticks: Cell<u32>,
}

/// How many [`Budget::tick`]s pass between two looks at the clock.
const TICKS_PER_CLOCK_CHECK: u32 = 4_096;

impl Budget {
    pub fn new(limits: ExtractLimits) -> Self {
        Self {
            limits,
            inflated: Cell::new(0),
            ticks: Cell::new(0),
        }
    }

    /// Records `bytes` more of inflated stream data.
    pub fn charge_inflated(&self, bytes: usize) -> Result<(), ExtractError> {
        let total = self.inflated.get().saturating_add(bytes as u64);
        self.inflated.set(total);
        if total > self.limits.max_inflated_bytes {
            return Err(ExtractError::DecompressionLimit {
                limit: self.limits.max_inflated_bytes,
            });
        }
        Ok(())
    }

    /// A stream's decoded content, charged to the budget. `None` when it cannot be decoded.
    pub fn content(&self, stream: &Stream) -> Result<Option<Vec<u8>>, ExtractError> {
        let content = match stream.decompressed_content() {
            Ok(content) => content,
            Err(_) if stream.filters().is_err() => stream.content.clone(),
            Err(_) => return Ok(None),
        };
        self.charge_inflated(content.len())?;
        Ok(Some(content))
    }

    /// One unit of work; every few thousand, the deadline is checked.
    pub fn tick(&self) -> Result<(), ExtractError> {
        let ticks = self.ticks.get().wrapping_add(1);
        self.ticks.set(ticks);
        if ticks.is_multiple_of(TICKS_PER_CLOCK_CHECK) {
            self.check_deadline()?;
        }
        Ok(())
    }

    pub fn check_deadline(&self) -> Result<(), ExtractError> {
        match self.limits.deadline {
            Some(at) if Instant::now() >= at => Err(ExtractError::TimedOut {
                limit_ms: u64::try_from(self.limits.timeout.as_millis()).unwrap_or(u64::MAX),
            }),
            _ => Ok(()),
        }
    }

    pub fn too_complex(&self, reason: impl Into<String>) -> ExtractError {
        ExtractError::PdfTooComplex {
            reason: reason.into(),
        }
    }
}

/// Loads a PDF without letting any stream inflate past `budget.limits.max_uncompressed_bytes`.
/// Returns the lopdf error for documents lopdf cannot read.
pub fn load(
    bytes: &[u8],
    budget: &Budget,
) -> Result<Result<Document, pdf_extract::Error>, ExtractError> {
    let cap = budget.limits.max_uncompressed_bytes;
    check_raw_streams(bytes, cap)?;
    let document = {
        let _scope = LoadScope::enter(cap);
        let options = LoadOptions {
            filter: Some(filter_object),
            ..LoadOptions::default()
        };
        let loaded = Document::load_mem_with_options(bytes, options);
        if LOAD_STATE.with(|s| s.exceeded.get()) {
            return Err(ExtractError::DecompressionLimit { limit: cap });
        }
        loaded
    };
    if let Ok(document) = &document {
        let pages = document.get_pages().len();
        if pages > budget.limits.max_pages {
            return Err(budget.too_complex(format!(
                "{pages} pages, more than the limit of {}",
                budget.limits.max_pages
            )));
        }
    }
    Ok(document)
}

/// The state lopdf's load filter (a plain `fn`) works with. lopdf runs the filter on the
/// loading thread (its `rayon` feature is off), so a thread-local is the document's own.
struct LoadState {
    cap: Cell<u64>,
    exceeded: Cell<bool>,
}

thread_local! {
    static LOAD_STATE: LoadState = const {
        LoadState { cap: Cell::new(u64::MAX), exceeded: Cell::new(false) }
    };
}

/// Sets the load filter's limit for one load and resets it after.
struct LoadScope;

impl LoadScope {
    fn enter(cap: u64) -> Self {
        LOAD_STATE.with(|s| {
            s.cap.set(cap);
            s.exceeded.set(false);
        });
        Self
    }
}

impl Drop for LoadScope {
    fn drop(&mut self) {
        LOAD_STATE.with(|s| {
            s.cap.set(u64::MAX);
        });
    }
}

/// lopdf's load filter: drops image data and refuses streams that inflate past the limit
/// (their content is emptied and the load is marked, so nothing inflates them later).
fn filter_object(id: ObjectId, object: &mut Object) -> Option<(ObjectId, Object)> {
    let Object::Stream(stream) = object else {
        // Objects inside object streams are returned (and kept) from here; the others are
        // kept from the caller's copy, which this leaves as it was.
        return Some((id, object.clone()));
    };
    if stream.dict.get(b"Subtype").and_then(Object::as_name).ok() == Some(b"Image") {
        stream.content = Vec::new();
        stream.dict.remove(b"Filter");
        stream.dict.remove(b"DecodeParms");
    } else {
        let cap = LOAD_STATE.with(|s| s.cap.get());
        if inflates_past(stream, cap) {
            LOAD_STATE.with(|s| s.exceeded.set(true));
            stream.content = Vec::new();
            stream.dict.remove(b"Filter");
            stream.dict.remove(b"DecodeParms");
            stream.dict.remove(b"Type");
        }
    }
    // The caller keeps its own (now edited) stream object; streams never sit inside object
    // streams, so this copy is dropped unused.
    Some((id, Object::Null))
}

/// Largest output:input ratio of one filter, per the formats (deflate's 258-byte match per
/// 2 bits is about 1032:1; a 9-bit LZW code can stand for a 4,096-byte string; ASCII85's
/// `z` is 4 bytes).
fn filter_ratio(filter: &[u8]) -> u64 {
    match filter {
        b"FlateDecode" => 1_032,
        b"LZWDecode" => 3_641,
        b"ASCII85Decode" => 4,
        _ => 1,
    }
}

/// Whether decoding `stream` (its filter chain, as lopdf would) passes `cap` bytes.
fn inflates_past(stream: &Stream, cap: u64) -> bool {
    let Ok(filters) = stream.filters() else {
        return false;
    };
    let bound = filters.iter().fold(stream.content.len() as u64, |n, f| {
        n.saturating_mul(filter_ratio(f))
    });
    if bound <= cap {
        return false;
    }
    let early_change = stream
        .dict
        .get(b"DecodeParms")
        .and_then(Object::as_dict)
        .and_then(|p| p.get(b"EarlyChange"))
        .and_then(Object::as_i64)
        .map_or(true, |v| v != 0);
    let mut data = std::borrow::Cow::Borrowed(stream.content.as_slice());
    for filter in filters {
        let decoded = match filter {
            b"FlateDecode" => inflate_capped(&data, cap),
            b"LZWDecode" => lzw_capped(&data, cap, early_change),
            b"ASCII85Decode" => ascii85(&data),
            // lopdf cannot decode other filters either.
            _ => return false,
        };
        match decoded {
            Some(out) if out.len() as u64 <= cap => data = std::borrow::Cow::Owned(out),
            Some(_) => return true,
            None => return false,
        }
    }
    false
}

/// Inflates zlib data (falling back to raw deflate past the header, as lopdf does), keeping
/// at most `cap + 1` bytes. `None` when nothing could be inflated.
fn inflate_capped(input: &[u8], cap: u64) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let zlib = flate2::read::ZlibDecoder::new(input)
        .take(cap + 1)
        .read_to_end(&mut out);
    if zlib.is_err() && out.is_empty() && input.len() > 2 {
        let _ = flate2::read::DeflateDecoder::new(&input[2..])
            .take(cap + 1)
            .read_to_end(&mut out);
    }
    (!out.is_empty()).then_some(out)
}

/// How many bytes zlib `data` inflates to, counting no further than `cap + 1`.
fn inflated_len(data: &[u8], cap: u64) -> u64 {
    let mut decoder = flate2::read::ZlibDecoder::new(data);
    let mut buffer = vec![0u8; 64 << 10];
    let mut total = 0u64;
    while total <= cap {
        match decoder.read(&mut buffer) {
            Ok(0) | Err(_) => break,
            Ok(n) => total += n as u64,
        }
    }
    total
}

/// A writer that refuses to hold more than `cap` bytes.
struct CappedWriter {
    out: Vec<u8>,
    cap: u64,
}

impl Write for CappedWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.out.len() as u64 + buf.len() as u64 > self.cap {
            let room = usize::try_from(self.cap.saturating_sub(self.out.len() as u64)).unwrap_or(0);
            self.out.extend_from_slice(&buf[..room.min(buf.len())]);
            self.out.push(0);
            return Err(std::io::Error::other("output limit"));
        }
        self.out.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn lzw_capped(input: &[u8], cap: u64, early_change: bool) -> Option<Vec<u8>> {
    use weezl::{BitOrder, decode::Decoder};
    let mut decoder = if early_change {
        Decoder::with_tiff_size_switch(BitOrder::Msb, 8)
    } else {
        Decoder::new(BitOrder::Msb, 8)
    };
    let mut writer = CappedWriter {
        out: Vec::new(),
        cap,
    };
    let _ = decoder.into_stream(&mut writer).decode_all(input);
    (!writer.out.is_empty()).then_some(writer.out)
}

/// ASCII85 as lopdf decodes it (its output is at most four times its input).
fn ascii85(input: &[u8]) -> Option<Vec<u8>> {
    let input = input.strip_suffix(b"~>").unwrap_or(input);
    let mut out = Vec::with_capacity(input.len());
    let (mut group, mut count) = (0u32, 0usize);
    for &c in input {
        match c {
            b'z' if count == 0 => out.extend_from_slice(&[0; 4]),
            b'!'..=b'u' => {
                group = group.checked_mul(85)?.checked_add(u32::from(c - b'!'))?;
                count += 1;
                if count == 5 {
                    out.extend_from_slice(&group.to_be_bytes());
                    (group, count) = (0, 0);
                }
            }
            _ if c.is_ascii_whitespace() => {}
            _ => break,
        }
    }
    if count > 0 {
        for _ in count..5 {
            group = group.checked_mul(85)?.checked_add(84)?;
        }
        out.extend_from_slice(&group.to_be_bytes()[..count - 1]);
    }
    Some(out)
}

/// Two kinds of stream are inflated while lopdf reads the file, before its load filter sees
/// them, so they are measured in the raw bytes (a stream whose dictionary, found before the
/// `stream` keyword, names its type):
/// - cross-reference streams (`/XRef`), inflated into a counter;
/// - object streams (`/ObjStm`) of an encrypted document, whose data cannot be inflated
///   before lopdf decrypts it: one whose compressed size could inflate past the limit is
///   refused.
fn check_raw_streams(bytes: &[u8], cap: u64) -> Result<(), ExtractError> {
    /// How far before `stream` its dictionary is looked for.
    const DICT_WINDOW: usize = 4_096;
    let encrypted = memchr::memmem::find(bytes, b"/Encrypt").is_some();
    let flate_bound = filter_ratio(b"FlateDecode");
    for at in memchr::memmem::find_iter(bytes, b"stream") {
        if bytes[..at].ends_with(b"end") {
            continue;
        }
        let dict = &bytes[at.saturating_sub(DICT_WINDOW)..at];
        let dict = match memchr::memmem::rfind(dict, b"obj") {
            Some(start) => &dict[start..],
            None => dict,
        };
        let xref = memchr::memmem::find(dict, b"/XRef").is_some();
        let object_stream = encrypted && memchr::memmem::find(dict, b"/ObjStm").is_some();
        if !xref && !object_stream {
            continue;
        }
        let mut start = at + b"stream".len();
        if bytes.get(start) == Some(&b'\r') {
            start += 1;
        }
        if bytes.get(start) == Some(&b'\n') {
            start += 1;
        }
        let data = &bytes[start.min(bytes.len())..];
        let end = memchr::memmem::find(data, b"endstream").unwrap_or(data.len());
        let data = &data[..end];
        if (data.len() as u64).saturating_mul(flate_bound) <= cap {
            continue;
        }
        if object_stream || inflated_len(data, cap) > cap {
            return Err(ExtractError::DecompressionLimit { limit: cap });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_encrypted_documents_object_stream_that_could_inflate_past_the_limit_is_refused() {
        let mut pdf = b"%PDF-1.5\n1 0 obj\n<< /Type /ObjStm /N 1 /First 4 >>\nstream\n".to_vec();
        pdf.extend(std::iter::repeat_n(b'x', 40_000));
        pdf.extend_from_slice(b"\nendstream\nendobj\ntrailer\n<< /Size 2 >>\n");
        assert_eq!(check_raw_streams(&pdf, 1 << 20), Ok(()));
        let encrypted = [&pdf[..], b"<< /Encrypt 5 0 R >>"].concat();
        assert_eq!(
            check_raw_streams(&encrypted, 1 << 20),
            Err(ExtractError::DecompressionLimit { limit: 1 << 20 })
        );
        assert_eq!(check_raw_streams(&encrypted, 64 << 20), Ok(()));
    }

    #[test]
    fn a_cross_reference_stream_bomb_is_measured_in_the_raw_bytes() {
        let mut pdf =
            b"%PDF-1.5\n9 0 obj\n<< /Type /XRef /Filter /FlateDecode >>\nstream\n".to_vec();
        pdf.extend(crate::extract::testdoc::zlib_zeros(8 << 20));
        pdf.extend_from_slice(b"\nendstream\nendobj\n");
        assert_eq!(
            check_raw_streams(&pdf, 1 << 20),
            Err(ExtractError::DecompressionLimit { limit: 1 << 20 })
        );
        assert_eq!(check_raw_streams(&pdf, 16 << 20), Ok(()));
    }

    #[test]
    fn ascii85_decodes_like_the_format_says() {
        assert_eq!(ascii85(b"87cURD]i,\"Ebo80~>").unwrap(), b"Hello World!");
        assert_eq!(ascii85(b"z~>").unwrap(), [0, 0, 0, 0]);
    }

    #[test]
    fn inflating_stops_one_byte_past_the_cap() {
        let data = crate::extract::testdoc::zlib_zeros(1 << 20);
        assert_eq!(inflate_capped(&data, 1_000).unwrap().len(), 1_001);
        assert_eq!(inflate_capped(&data, 2 << 20).unwrap().len(), 1 << 20);
    }

    #[test]
    fn a_stream_under_its_ratio_bound_is_not_inflated_to_measure_it() {
        let stream = Stream::new(
            pdf_extract::dictionary! { "Filter" => "FlateDecode" },
            b"not zlib".to_vec(),
        );
        assert!(!inflates_past(&stream, 1 << 20));
    }

    #[test]
    fn a_flate_stream_past_the_cap_is_caught_and_one_under_it_is_not() {
        let stream = Stream::new(
            pdf_extract::dictionary! { "Filter" => "FlateDecode" },
            crate::extract::testdoc::zlib_zeros(8 << 20),
        );
        assert!(inflates_past(&stream, 1 << 20));
        assert!(!inflates_past(&stream, 16 << 20));
    }
}
