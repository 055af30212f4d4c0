//! Generators for small test documents (PDF, encrypted PDF, DOCX, zip, e-mail).
//!
//! Used by unit tests, integration tests and benchmarks, so documents are written by the
//! project itself rather than copied from anywhere. These build from trusted arguments and
//! panic if the writer libraries fail, which only a bug can cause.

use std::io::Write;

use base64::Engine;
use pdf_extract::content::{Content, Operation};
use pdf_extract::{Document, Object, Stream, dictionary};

/// A PDF with one page per entry of `pages`, each a list of lines in Helvetica (WinAnsi).
pub fn text_pdf(pages: &[&[&str]]) -> Vec<u8> {
    pdf_bytes(text_pdf_document(pages))
}

/// An RC4-128 encrypted copy of [`text_pdf`]; an empty `user_password` opens without one.
pub fn encrypted_pdf(pages: &[&[&str]], user_password: &str) -> Vec<u8> {
    use pdf_extract::{EncryptionState, EncryptionVersion, Permissions};
    let mut document = text_pdf_document(pages);
    // Encryption keys are derived from the trailer ID.
    let id = Object::string_literal(b"0123456789abcdef".to_vec());
    document
        .trailer
        .set("ID", Object::Array(vec![id.clone(), id]));
    let state = EncryptionState::try_from(EncryptionVersion::V2 {
        document: &document,
        owner_password: "owner",
        user_password,
        key_length: 128,
        permissions: Permissions::all(),
    })
    .expect("encryption state for a generated PDF");
    document.encrypt(&state).expect("encrypt a generated PDF");
    pdf_bytes(document)
}

/// A one-page PDF that only draws a rectangle: what a scan looks like to a text extractor.
pub fn image_only_pdf() -> Vec<u8> {
    let mut document = text_pdf_document(&[&[]]);
    let page_id = *document
        .get_pages()
        .values()
        .next()
        .expect("generated PDF has a page");
    let content = document.add_object(Stream::new(
        dictionary! {},
        b"0.5 g 72 72 200 200 re f".to_vec(),
    ));
    document
        .get_object_mut(page_id)
        .and_then(Object::as_dict_mut)
        .expect("page dictionary")
        .set("Contents", content);
    pdf_bytes(document)
}

fn text_pdf_document(pages: &[&[&str]]) -> Document {
    let mut document = Document::with_version("1.5");
    let pages_id = document.new_object_id();
    let font_id = document.add_object(dictionary! {
        "Type" => "Font",
        "Subtype" => "Type1",
        "BaseFont" => "Helvetica",
        "Encoding" => "WinAnsiEncoding",
    });
    let resources_id =
        document.add_object(dictionary! { "Font" => dictionary! { "F1" => font_id } });
    let mut kids = Vec::new();
    for lines in pages {
        let mut operations = vec![
            Operation::new("BT", vec![]),
            Operation::new("Tf", vec!["F1".into(), 11.into()]),
            Operation::new("TL", vec![14.into()]),
            Operation::new("Td", vec![72.into(), 770.into()]),
        ];
        for (i, line) in lines.iter().enumerate() {
            if i > 0 {
                operations.push(Operation::new("T*", vec![]));
            }
            operations.push(Operation::new("Tj", vec![Object::string_literal(*line)]));
        }
        operations.push(Operation::new("ET", vec![]));
        let content = Content { operations }
            .encode()
            .expect("encode page content");
        let content_id = document.add_object(Stream::new(dictionary! {}, content));
        let page = dictionary! { "Type" => "Page", "Parent" => pages_id, "Contents" => content_id };
        kids.push(document.add_object(page).into());
    }
    let count = i64::try_from(kids.len()).expect("page count fits i64");
    document.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages",
            "Kids" => kids,
            "Count" => count,
            "Resources" => resources_id,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        }),
    );
    let catalog_id = document.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    document.trailer.set("Root", catalog_id);
    document
}

/// Advance width (1/1000 em) the generated fonts give a character.
fn glyph_width(c: char) -> i64 {
    match c {
        ' ' | 'i' | 'l' | 'j' | 't' | 'f' | '.' | ',' | ':' | ';' | '\'' | '|' | '!' => 278,
        'm' | 'w' | 'M' | 'W' | '@' => 833,
        'A'..='Z' => 667,
        _ => 556,
    }
}

/// A PDF laid out the way wkhtmltopdf (Qt) writes one: a composite Identity-H font with a
/// ToUnicode CMap and a `W` width array, the page flipped by the CTM, and every glyph shown
/// by its own `Tj` after a `Td` to its position. `size` is the font size.
pub fn cid_text_pdf(pages: &[&[&str]], size: i64) -> Vec<u8> {
    let mut cids: Vec<char> = Vec::new();
    let mut page_contents = Vec::new();
    for lines in pages {
        let mut content = String::from("0.75 0 0 -0.75 28.5 813.5 cm\nq\n");
        for (row, line) in lines.iter().enumerate() {
            content.push_str(&format!(
                "BT\n/F1 {size} Tf 1 0 0 -1 0 0 Tm\n8 {} Td",
                -(size + row as i64 * size * 6 / 5)
            ));
            let mut advance = 0;
            for c in line.chars() {
                let cid = match cids.iter().position(|&k| k == c) {
                    Some(i) => i + 1,
                    None => {
                        cids.push(c);
                        cids.len()
                    }
                };
                content.push_str(&format!(" {advance} 0 Td <{cid:04X}> Tj"));
                advance = (glyph_width(c) * size + 500) / 1000;
            }
            content.push_str("\nET\n");
        }
        content.push_str("Q\n");
        page_contents.push(content.into_bytes());
    }
    let mut cmap = String::from(
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n/CMapName /Adobe-Identity-UCS def /CMapType 2 def\n1 begincodespacerange <0000> <FFFF> endcodespacerange\n",
    );
    for chunk in cids.chunks(100).enumerate().map(|(i, c)| (i * 100, c)) {
        cmap.push_str(&format!("{} beginbfchar\n", chunk.1.len()));
        for (j, c) in chunk.1.iter().enumerate() {
            let mut units = [0u16; 2];
            let hex: String = c
                .encode_utf16(&mut units)
                .iter()
                .map(|u| format!("{u:04X}"))
                .collect();
            cmap.push_str(&format!("<{:04X}> <{hex}>\n", chunk.0 + j + 1));
        }
        cmap.push_str("endbfchar\n");
    }
    cmap.push_str("endcmap CMapName currentdict /CMap defineresource pop end end");
    let widths: Vec<Object> = cids.iter().map(|&c| glyph_width(c).into()).collect();
    let mut document = Document::with_version("1.4");
    let to_unicode = document.add_object(Stream::new(dictionary! {}, cmap.into_bytes()));
    let descriptor = document.add_object(dictionary! {
        "Type" => "FontDescriptor", "FontName" => "TestSans", "Flags" => 32,
        "FontBBox" => vec![0.into(), (-200).into(), 1000.into(), 900.into()],
        "ItalicAngle" => 0, "Ascent" => 900, "Descent" => -200, "CapHeight" => 700, "StemV" => 80,
    });
    let descendant = document.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "CIDFontType2", "BaseFont" => "TestSans",
        "CIDSystemInfo" => dictionary! {
            "Registry" => Object::string_literal("Adobe"),
            "Ordering" => Object::string_literal("Identity"),
            "Supplement" => 0,
        },
        "FontDescriptor" => descriptor, "DW" => 0,
        "W" => vec![1.into(), Object::Array(widths)],
    });
    let font = document.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type0", "BaseFont" => "TestSans",
        "Encoding" => "Identity-H", "DescendantFonts" => vec![descendant.into()],
        "ToUnicode" => to_unicode,
    });
    finish_pdf(document, font, page_contents)
}

/// Lines in a TrueType font with explicit `Widths` and WinAnsi encoding, written with `TJ`
/// arrays that kern inside words and open word gaps with negative adjustments.
pub fn truetype_text_pdf(pages: &[&[&str]]) -> Vec<u8> {
    let mut page_contents = Vec::new();
    for lines in pages {
        let mut content = String::from("BT\n/F1 10 Tf 14 TL 72 770 Td\n");
        for (row, line) in lines.iter().enumerate() {
            if row > 0 {
                content.push_str("T*\n");
            }
            let words: Vec<String> = line
                .split(' ')
                .map(|word| {
                    let escaped: String = word
                        .chars()
                        .map(|c| match c {
                            '(' | ')' | '\\' => format!("\\{c}"),
                            // Latin-1 letters as WinAnsi bytes, written as octal escapes.
                            c if !c.is_ascii() => format!("\\{:03o}", u32::from(c) & 0xFF),
                            c => c.to_string(),
                        })
                        .collect();
                    format!("({escaped})")
                })
                .collect();
            content.push_str(&format!("[{}] TJ\n", words.join(" -300 ")));
        }
        content.push_str("ET\n");
        page_contents.push(content.into_bytes());
    }
    let mut document = Document::with_version("1.4");
    let widths: Vec<Object> = (32u8..=126)
        .map(|b| glyph_width(char::from(b)).into())
        .collect();
    let font = document.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "TrueType", "BaseFont" => "TestSerif",
        "FirstChar" => 32, "LastChar" => 126, "Widths" => widths,
        "Encoding" => "WinAnsiEncoding",
    });
    finish_pdf(document, font, page_contents)
}

/// Pages with the given content streams and one font `F1`, A4.
fn finish_pdf(
    mut document: Document,
    font: pdf_extract::ObjectId,
    contents: Vec<Vec<u8>>,
) -> Vec<u8> {
    let pages_id = document.new_object_id();
    let resources = document.add_object(dictionary! { "Font" => dictionary! { "F1" => font } });
    let mut kids = Vec::new();
    for content in contents {
        let content_id = document.add_object(Stream::new(dictionary! {}, content));
        let page = dictionary! { "Type" => "Page", "Parent" => pages_id, "Contents" => content_id };
        kids.push(document.add_object(page).into());
    }
    let count = i64::try_from(kids.len()).expect("page count fits i64");
    document.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages", "Kids" => kids, "Count" => count, "Resources" => resources,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        }),
    );
    let catalog_id = document.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    document.trailer.set("Root", catalog_id);
    let mut out = Vec::new();
    document.compress();
    document.save_to(&mut out).expect("write PDF to memory");
    out
}

/// A zlib stream that inflates to `chunk` repeated `times` times, built without inflating
/// anything: one chunk is deflated with a sync flush (which ends on a byte boundary), and
/// its second rendering, made with the first in the window, is repeated. So a 4 GiB bomb
/// costs milliseconds and a few megabytes.
pub fn zlib_repeat(chunk: &[u8], times: u64) -> Vec<u8> {
    use flate2::{Compress, Compression, FlushCompress};
    let mut compress = Compress::new(Compression::best(), true);
    let mut segment = |out: &mut Vec<u8>| {
        out.reserve(chunk.len() + 1024);
        let before = compress.total_in();
        compress
            .compress_vec(chunk, out, FlushCompress::Sync)
            .expect("deflate a chunk");
        assert_eq!(compress.total_in() - before, chunk.len() as u64);
    };
    let mut first = Vec::new();
    segment(&mut first);
    let mut repeated = Vec::new();
    segment(&mut repeated);
    let mut out = first;
    for _ in 1..times {
        out.extend_from_slice(&repeated);
    }
    // A final empty block with fixed codes, then the Adler-32 of the whole output.
    out.extend_from_slice(&[0x03, 0x00]);
    const MOD: u64 = 65_521;
    let length = chunk.len() as u64;
    let sum: u64 = chunk.iter().map(|&b| u64::from(b)).sum();
    let weighted: u64 = chunk
        .iter()
        .enumerate()
        .map(|(i, &b)| (length - i as u64) * u64::from(b))
        .sum();
    let (mut a, mut b) = (1u64, 0u64);
    for _ in 0..times {
        b = (b + length % MOD * a + weighted) % MOD;
        a = (a + sum) % MOD;
    }
    out.extend_from_slice(&(((b << 16) | a) as u32).to_be_bytes());
    out
}

/// A zlib stream of `bytes` zero bytes (a multiple of 1 MiB, or less than that).
pub fn zlib_zeros(bytes: u64) -> Vec<u8> {
    const CHUNK: u64 = 1 << 20;
    if bytes < CHUNK {
        return zlib_repeat(&vec![0; bytes as usize], 1);
    }
    zlib_repeat(&[0; CHUNK as usize], bytes / CHUNK)
}

/// A one-page PDF whose page shows `line` and then carries a second content stream that
/// inflates (FlateDecode) to `inflated` bytes of `filler`, repeated: a decompression bomb
/// when `inflated` is large.
pub fn flate_bomb_pdf(line: &str, filler: &[u8], inflated: u64) -> Vec<u8> {
    let mut document = text_pdf_document(&[&[line]]);
    let chunk: Vec<u8> = filler
        .iter()
        .copied()
        .cycle()
        .take((1 << 20) / filler.len() * filler.len())
        .collect();
    let times = (inflated / chunk.len() as u64).max(1);
    let bomb = document.add_object(Stream::new(
        dictionary! { "Filter" => "FlateDecode" },
        zlib_repeat(&chunk, times),
    ));
    let page_id = *document.get_pages().values().next().expect("a page");
    let page = document
        .get_object_mut(page_id)
        .and_then(Object::as_dict_mut)
        .expect("page dictionary");
    let text = page.get(b"Contents").expect("page content").clone();
    page.set("Contents", vec![text, bomb.into()]);
    pdf_bytes(document)
}

/// A one-page PDF whose page draws form XObject `X1`, which shows `line` and then draws
/// itself `draws` times. In Helvetica without widths (`truetype` false, so pdf-extract reads
/// it) or a TrueType font with widths (the fast path reads it).
pub fn self_drawing_form_pdf(line: &str, draws: usize, truetype: bool) -> Vec<u8> {
    let mut document = Document::with_version("1.5");
    let font = if truetype {
        let widths: Vec<Object> = (32u8..=126)
            .map(|b| glyph_width(char::from(b)).into())
            .collect();
        document.add_object(dictionary! {
            "Type" => "Font", "Subtype" => "TrueType", "BaseFont" => "TestSerif",
            "FirstChar" => 32, "LastChar" => 126, "Widths" => widths,
            "Encoding" => "WinAnsiEncoding",
        })
    } else {
        document.add_object(dictionary! {
            "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
            "Encoding" => "WinAnsiEncoding",
        })
    };
    let form_id = document.new_object_id();
    let resources = document.add_object(dictionary! {
        "Font" => dictionary! { "F1" => font },
        "XObject" => dictionary! { "X1" => form_id },
    });
    let mut form = format!("BT /F1 11 Tf 72 700 Td ({line}) Tj ET\n").into_bytes();
    for _ in 0..draws {
        form.extend_from_slice(b"/X1 Do\n");
    }
    document.objects.insert(
        form_id,
        Object::Stream(Stream::new(
            dictionary! {
                "Type" => "XObject", "Subtype" => "Form",
                "BBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
                "Resources" => resources,
            },
            form,
        )),
    );
    let pages_id = document.new_object_id();
    let content = document.add_object(Stream::new(dictionary! {}, b"/X1 Do".to_vec()));
    let page = document.add_object(dictionary! {
        "Type" => "Page", "Parent" => pages_id, "Contents" => content, "Resources" => resources,
    });
    document.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        }),
    );
    let catalog = document.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    document.trailer.set("Root", catalog);
    pdf_bytes(document)
}

fn pdf_bytes(mut document: Document) -> Vec<u8> {
    let mut out = Vec::new();
    document.save_to(&mut out).expect("write PDF to memory");
    out
}

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#;
const ROOT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#;

/// A DOCX whose `word/document.xml` body is `body_xml` (WordprocessingML, `w:` prefix).
pub fn docx(body_xml: &str) -> Vec<u8> {
    let document = docx_document_xml(body_xml);
    zip(&[
        ("[Content_Types].xml", CONTENT_TYPES.as_bytes()),
        ("_rels/.rels", ROOT_RELS.as_bytes()),
        ("word/document.xml", document.as_bytes()),
    ])
}

/// A DOCX with one plain paragraph per line.
pub fn docx_from_lines(lines: &[&str]) -> Vec<u8> {
    let body: String = lines
        .iter()
        .map(|line| {
            let escaped = html_escape::encode_text(line);
            format!(r#"<w:p><w:r><w:t xml:space="preserve">{escaped}</w:t></w:r></w:p>"#)
        })
        .collect();
    docx(&body)
}

/// The full `word/document.xml` around a body.
pub fn docx_document_xml(body_xml: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"><w:body>{body_xml}<w:sectPr/></w:body></w:document>"#
    )
}

/// A DOCX package with extra entries added after the standard three.
pub fn docx_with_extra_entries(body_xml: &str, extra: &[(&str, &[u8])]) -> Vec<u8> {
    let document = docx_document_xml(body_xml);
    let mut entries: Vec<(&str, &[u8])> = vec![
        ("[Content_Types].xml", CONTENT_TYPES.as_bytes()),
        ("_rels/.rels", ROOT_RELS.as_bytes()),
        ("word/document.xml", document.as_bytes()),
    ];
    entries.extend_from_slice(extra);
    zip(&entries)
}

/// A deflated zip archive with the given entries, in order, names taken verbatim.
pub fn zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut buffer = std::io::Cursor::new(Vec::new());
    let mut writer = zip::ZipWriter::new(&mut buffer);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(false);
    for (name, data) in entries {
        writer.start_file(*name, options).expect("start zip entry");
        writer.write_all(data).expect("write zip entry");
    }
    writer.finish().expect("finish zip");
    buffer.into_inner()
}

/// An attachment for [`email`].
pub struct Attachment<'a> {
    pub file_name: &'a str,
    pub content_type: &'a str,
    pub data: &'a [u8],
}

/// A MIME e-mail with a plain-text body and base64 attachments (multipart/mixed when there
/// are attachments, a single text part otherwise).
pub fn email(subject: &str, body: &str, attachments: &[Attachment<'_>]) -> Vec<u8> {
    let mut out = format!(
        "From: Jane Doe <jane@example.com>\r\nTo: jobs@example.org\r\nSubject: {subject}\r\n\
         Date: Mon, 2 Mar 2026 09:30:00 +0000\r\nMIME-Version: 1.0\r\n"
    );
    if attachments.is_empty() {
        out.push_str("Content-Type: text/plain; charset=utf-8\r\n\r\n");
        out.push_str(body);
        return out.into_bytes();
    }
    let boundary = "intellicv-test-boundary";
    out.push_str(&format!(
        "Content-Type: multipart/mixed; boundary=\"{boundary}\"\r\n\r\n--{boundary}\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
    ));
    for attachment in attachments {
        let encoded = base64::engine::general_purpose::STANDARD.encode(attachment.data);
        out.push_str(&format!(
            "--{boundary}\r\nContent-Type: {}; name=\"{}\"\r\n\
             Content-Disposition: attachment; filename=\"{}\"\r\n\
             Content-Transfer-Encoding: base64\r\n\r\n",
            attachment.content_type, attachment.file_name, attachment.file_name
        ));
        for chunk in encoded.as_bytes().chunks(76) {
            out.push_str(&String::from_utf8_lossy(chunk));
            out.push_str("\r\n");
        }
    }
    out.push_str(&format!("--{boundary}--\r\n"));
    out.into_bytes()
}
