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
