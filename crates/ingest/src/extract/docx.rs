//! DOCX text: the zip is opened with bomb and path guards, then `word/document.xml` is read.
//!
//! Paragraphs end lines, `<w:tab/>` becomes a tab, `<w:br/>` a line break, table rows become
//! lines with tab-separated cells (paragraphs inside a cell are joined by a space).

use std::io::{Cursor, Read};

use quick_xml::Reader;
use quick_xml::events::Event;

use super::ExtractLimits;
use super::error::ExtractError;

/// The part of a DOCX package that holds the main text.
pub const DOCUMENT_PART: &str = "word/document.xml";

/// Raw (unnormalised) text of a DOCX package.
pub fn docx_text(bytes: &[u8], limits: &ExtractLimits) -> Result<String, ExtractError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(corrupt)?;
    check_entries(&archive, limits)?;
    let mut part = match archive.by_name(DOCUMENT_PART) {
        Ok(part) => part,
        Err(zip::result::ZipError::FileNotFound) => {
            return Err(ExtractError::CorruptDocx {
                reason: format!("package has no {DOCUMENT_PART}"),
            });
        }
        Err(e) => return Err(corrupt(e)),
    };
    check_declared_size(part.size(), part.compressed_size(), limits)?;
    let mut xml = Vec::new();
    let cap = limits.max_uncompressed_bytes;
    (&mut part)
        .take(cap.saturating_add(1))
        .read_to_end(&mut xml)
        .map_err(|e| ExtractError::CorruptDocx {
            reason: format!("cannot read {DOCUMENT_PART}: {e}"),
        })?;
    if xml.len() as u64 > cap {
        return Err(ExtractError::ZipBomb {
            reason: format!("{DOCUMENT_PART} inflates past {cap} bytes"),
        });
    }
    let xml = String::from_utf8(xml).map_err(|e| ExtractError::CorruptDocx {
        reason: format!("{DOCUMENT_PART} is not UTF-8: {e}"),
    })?;
    document_xml_text(&xml)
}

fn corrupt(error: zip::result::ZipError) -> ExtractError {
    ExtractError::CorruptDocx {
        reason: error.to_string(),
    }
}

/// Reject archives with too many entries or with entry names that escape the archive root.
fn check_entries<R: Read + std::io::Seek>(
    archive: &zip::ZipArchive<R>,
    limits: &ExtractLimits,
) -> Result<(), ExtractError> {
    if archive.len() > limits.max_archive_entries {
        return Err(ExtractError::ZipBomb {
            reason: format!(
                "{} entries, more than the limit of {}",
                archive.len(),
                limits.max_archive_entries
            ),
        });
    }
    match archive
        .file_names_raw()
        .map(String::from_utf8_lossy)
        .find(|name| is_unsafe_entry_name(name))
    {
        Some(name) => Err(ExtractError::UnsafeArchivePath {
            path: name.into_owned(),
        }),
        None => Ok(()),
    }
}

/// Absolute paths, drive letters and `..` components are never part of a real DOCX.
fn is_unsafe_entry_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    let has_drive = bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':';
    name.starts_with(['/', '\\'])
        || has_drive
        || name.contains('\0')
        || name.split(['/', '\\']).any(|component| component == "..")
}

fn check_declared_size(
    size: u64,
    compressed: u64,
    limits: &ExtractLimits,
) -> Result<(), ExtractError> {
    if size > limits.max_uncompressed_bytes {
        return Err(ExtractError::ZipBomb {
            reason: format!(
                "{DOCUMENT_PART} declares {size} bytes, more than the limit of {}",
                limits.max_uncompressed_bytes
            ),
        });
    }
    let ratio = size / compressed.max(1);
    if ratio > limits.max_compression_ratio {
        return Err(ExtractError::ZipBomb {
            reason: format!(
                "{DOCUMENT_PART} compresses {ratio}:1, more than the limit of {}:1",
                limits.max_compression_ratio
            ),
        });
    }
    Ok(())
}

/// Text of a WordprocessingML main document.
pub fn document_xml_text(xml: &str) -> Result<String, ExtractError> {
    let mut reader = Reader::from_str(xml);
    let mut out = String::new();
    let mut in_text = false;
    let mut cell_depth = 0u32;
    // Text boxes appear twice: in `mc:Choice` and again in the legacy `mc:Fallback`.
    let mut fallback_depth = 0u32;
    loop {
        let event = reader.read_event().map_err(|e| ExtractError::CorruptDocx {
            reason: format!("{DOCUMENT_PART} is not well-formed XML: {e}"),
        })?;
        let paragraph_end = if cell_depth > 0 { ' ' } else { '\n' };
        match event {
            Event::Start(e) => match e.local_name().as_ref() {
                "Fallback" => fallback_depth += 1,
                "t" => in_text = true,
                "tc" if fallback_depth == 0 => cell_depth += 1,
                _ => {}
            },
            Event::End(e) => match e.local_name().as_ref() {
                "Fallback" => fallback_depth = fallback_depth.saturating_sub(1),
                "t" => in_text = false,
                "p" if fallback_depth == 0 => out.push(paragraph_end),
                "tc" if fallback_depth == 0 => {
                    cell_depth = cell_depth.saturating_sub(1);
                    out.truncate(out.trim_end_matches(' ').len());
                    out.push('\t');
                }
                "tr" if fallback_depth == 0 => {
                    if out.ends_with('\t') {
                        out.pop();
                    }
                    out.push('\n');
                }
                _ => {}
            },
            _ if fallback_depth > 0 => {}
            Event::Empty(e) => match e.local_name().as_ref() {
                "tab" => out.push('\t'),
                "br" | "cr" => out.push('\n'),
                "p" => out.push(paragraph_end),
                "noBreakHyphen" => out.push('-'),
                _ => {}
            },
            Event::Text(t) if in_text => out.push_str(&t.xml10_content()),
            Event::CData(t) if in_text => out.push_str(&t.xml10_content()),
            Event::GeneralRef(reference) if in_text => {
                if let Ok(Some(c)) = reference.resolve_char_ref() {
                    out.push(c);
                } else if let Some(s) =
                    quick_xml::escape::resolve_predefined_entity(&reference.xml10_content())
                {
                    out.push_str(s);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::testdoc;

    fn limits() -> ExtractLimits {
        ExtractLimits::default()
    }

    #[test]
    fn runs_tabs_breaks_entities_and_tables_become_lines_and_cells() {
        let body = r#"<w:p><w:r><w:t>Jane Doe</w:t></w:r></w:p>
<w:p><w:r><w:t xml:space="preserve">Engineer </w:t></w:r><w:r><w:t>at</w:t></w:r><w:r><w:tab/><w:t>Acme &amp; Co</w:t></w:r><w:r><w:br/><w:t>2019&#8211;2024</w:t></w:r></w:p>
<w:p/>
<w:tbl><w:tr><w:tc><w:p><w:r><w:t>Skill</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Level</w:t></w:r></w:p></w:tc></w:tr>
<w:tr><w:tc><w:p><w:r><w:t>Rust</w:t></w:r></w:p><w:p><w:r><w:t>(async)</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Expert</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"#;
        assert_eq!(
            docx_text(&testdoc::docx(body), &limits()).unwrap(),
            "Jane Doe\nEngineer at\tAcme & Co\n2019\u{2013}2024\n\nSkill\tLevel\nRust (async)\tExpert\n"
        );
    }

    #[test]
    fn text_box_fallback_copies_are_not_read_twice() {
        let body = r#"<w:p><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:txbxContent><w:p><w:r><w:t>Boxed</w:t></w:r></w:p></w:txbxContent></mc:Choice><mc:Fallback><w:txbxContent><w:p><w:r><w:t>Boxed</w:t></w:r></w:p></w:txbxContent></mc:Fallback></mc:AlternateContent></w:r></w:p>"#;
        assert_eq!(
            docx_text(&testdoc::docx(body), &limits()).unwrap(),
            "Boxed\n\n"
        );
    }

    #[test]
    fn a_highly_compressed_document_part_is_a_zip_bomb() {
        let padding = " ".repeat(400_000);
        let docx = testdoc::docx(&format!("<w:p><w:r><w:t>Jane{padding}</w:t></w:r></w:p>"));
        let error = docx_text(&docx, &limits()).unwrap_err();
        assert_eq!(error.code(), "zip_bomb", "{error}");
        assert!(error.to_string().contains("compresses"), "{error}");
    }

    #[test]
    fn a_document_part_larger_than_the_cap_is_a_zip_bomb() {
        let docx = testdoc::docx_from_lines(&["Jane Doe"; 200]);
        let small = ExtractLimits {
            max_uncompressed_bytes: 1_000,
            ..limits()
        };
        let error = docx_text(&docx, &small).unwrap_err();
        assert!(error.to_string().contains("declares"), "{error}");
        assert_eq!(error.code(), "zip_bomb");
    }

    #[test]
    fn too_many_entries_is_a_zip_bomb() {
        let names: Vec<String> = (0..30).map(|i| format!("word/media/{i}.xml")).collect();
        let extra: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &b"x"[..])).collect();
        let docx = testdoc::docx_with_extra_entries("<w:p/>", &extra);
        let few = ExtractLimits {
            max_archive_entries: 10,
            ..limits()
        };
        assert_eq!(docx_text(&docx, &few).unwrap_err().code(), "zip_bomb");
    }

    #[test]
    fn an_entry_escaping_the_archive_is_an_unsafe_path() {
        for path in [
            "../../etc/passwd",
            "/etc/passwd",
            "word/../../x.xml",
            "C:\\evil.xml",
        ] {
            let docx = testdoc::docx_with_extra_entries("<w:p/>", &[(path, b"x")]);
            assert_eq!(
                docx_text(&docx, &limits()),
                Err(ExtractError::UnsafeArchivePath { path: path.into() })
            );
        }
    }

    #[test]
    fn a_package_without_a_main_document_is_corrupt() {
        let zip = testdoc::zip(&[("word/styles.xml", b"<w:styles/>")]);
        assert_eq!(
            docx_text(&zip, &limits()),
            Err(ExtractError::CorruptDocx {
                reason: "package has no word/document.xml".into()
            })
        );
    }

    #[test]
    fn malformed_xml_is_corrupt() {
        let error = document_xml_text("<w:document><w:body><w:p></w:body>").unwrap_err();
        assert_eq!(error.code(), "corrupt_docx", "{error}");
    }
}
