//! Streaming readers: JSON Lines, JSON arrays and CSV, with transparent gzip, yielding one
//! result per record so an import reports bad rows and carries on.

use std::io::{self, BufRead, BufReader, Read};

use flate2::read::MultiGzDecoder;
use serde_json::{Map, Value};

use super::error::{RecordError, RecordErrorKind};
use super::flat;
use super::source::map_record;
use intellicv_core::JobPostingDraft;

/// One record's outcome.
pub type RecordResult = Result<JobPostingDraft, RecordError>;

/// The first two bytes of a gzip stream.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Wraps a reader so gzip input (told by its magic bytes) is decompressed on the fly.
pub fn decompress<'a, R: Read + 'a>(reader: R) -> io::Result<Box<dyn BufRead + 'a>> {
    let mut buffered = BufReader::new(reader);
    let head = buffered.fill_buf()?;
    if head.starts_with(&GZIP_MAGIC) {
        Ok(Box::new(BufReader::new(MultiGzDecoder::new(buffered))))
    } else {
        Ok(Box::new(buffered))
    }
}

/// Reads JSON Lines (one record per line, blank lines skipped), gzip or plain.
pub fn read_jsonl<'a, R: Read + 'a>(
    reader: R,
    source: &str,
) -> Box<dyn Iterator<Item = RecordResult> + 'a> {
    match decompress(reader) {
        Ok(input) => Box::new(JsonLines::new(input, source, 0)),
        Err(e) => Box::new(std::iter::once(Err(io_error(e)))),
    }
}

/// Reads a JSON array of records element by element, gzip or plain. An element that is not
/// valid JSON fails alone; a broken array structure ends the stream with an error.
pub fn read_json_array<'a, R: Read + 'a>(
    reader: R,
    source: &str,
) -> Box<dyn Iterator<Item = RecordResult> + 'a> {
    match decompress(reader) {
        Ok(input) => Box::new(JsonArray::new(input, source)),
        Err(e) => Box::new(std::iter::once(Err(io_error(e)))),
    }
}

/// Reads a JSON array or JSON Lines, told apart by the first non-blank byte.
pub fn read_json<'a, R: Read + 'a>(
    reader: R,
    source: &str,
) -> Box<dyn Iterator<Item = RecordResult> + 'a> {
    let opened = decompress(reader).and_then(|mut input| {
        let skipped_lines = skip_blank(&mut input)?;
        let is_array = input.fill_buf()?.first() == Some(&b'[');
        Ok((input, skipped_lines, is_array))
    });
    match opened {
        Ok((input, _, true)) => Box::new(JsonArray::new(input, source)),
        Ok((input, skipped_lines, false)) => Box::new(JsonLines::new(input, source, skipped_lines)),
        Err(e) => Box::new(std::iter::once(Err(io_error(e)))),
    }
}

fn io_error(error: io::Error) -> RecordError {
    RecordError::new(0, None, RecordErrorKind::Io(error.to_string()))
}

/// Consumes leading whitespace (and a UTF-8 byte order mark); returns the newlines skipped.
fn skip_blank(input: &mut dyn BufRead) -> io::Result<u64> {
    let mut newlines = 0;
    let mut first = true;
    loop {
        let buffer = input.fill_buf()?;
        if buffer.is_empty() {
            return Ok(newlines);
        }
        let mut skip = 0;
        if first && buffer.starts_with(&[0xef, 0xbb, 0xbf]) {
            skip = 3;
        }
        first = false;
        while skip < buffer.len() && buffer[skip].is_ascii_whitespace() {
            newlines += u64::from(buffer[skip] == b'\n');
            skip += 1;
        }
        let exhausted = skip == buffer.len();
        input.consume(skip);
        if !exhausted {
            return Ok(newlines);
        }
    }
}

fn parse_and_map(bytes: &[u8], source: &str) -> Result<JobPostingDraft, RecordErrorKind> {
    let value: Value =
        serde_json::from_slice(bytes).map_err(|e| RecordErrorKind::InvalidJson(e.to_string()))?;
    map_record(&value, source)
}

struct JsonLines<'a> {
    input: Box<dyn BufRead + 'a>,
    source: String,
    line: u64,
    record: usize,
    buffer: Vec<u8>,
}

impl<'a> JsonLines<'a> {
    fn new(input: Box<dyn BufRead + 'a>, source: &str, skipped_lines: u64) -> Self {
        Self {
            input,
            source: source.to_owned(),
            line: skipped_lines,
            record: 0,
            buffer: Vec::new(),
        }
    }
}

impl Iterator for JsonLines<'_> {
    type Item = RecordResult;

    fn next(&mut self) -> Option<RecordResult> {
        loop {
            self.buffer.clear();
            match self.input.read_until(b'\n', &mut self.buffer) {
                Ok(0) => return None,
                Ok(_) => {}
                Err(e) => {
                    self.record += 1;
                    let error = RecordError::new(
                        self.record,
                        Some(self.line + 1),
                        RecordErrorKind::Io(e.to_string()),
                    );
                    return Some(Err(error));
                }
            }
            self.line += 1;
            if self.buffer.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            self.record += 1;
            let result = parse_and_map(&self.buffer, &self.source)
                .map_err(|kind| RecordError::new(self.record, Some(self.line), kind));
            return Some(result);
        }
    }
}

/// Splits a JSON array into element byte strings without parsing the whole array.
struct JsonArray<'a> {
    input: Box<dyn BufRead + 'a>,
    source: String,
    line: u64,
    record: usize,
    started: bool,
    done: bool,
    element: Vec<u8>,
}

impl<'a> JsonArray<'a> {
    fn new(input: Box<dyn BufRead + 'a>, source: &str) -> Self {
        Self {
            input,
            source: source.to_owned(),
            line: 1,
            record: 0,
            started: false,
            done: false,
            element: Vec::new(),
        }
    }

    fn fail(&mut self, kind: RecordErrorKind) -> Option<RecordResult> {
        self.done = true;
        Some(Err(RecordError::new(self.record, Some(self.line), kind)))
    }

    /// Reads the next element's bytes into `self.element`; `Ok(false)` at the array's end.
    fn next_element(&mut self) -> Result<bool, RecordErrorKind> {
        self.element.clear();
        let mut depth = 0usize;
        let mut in_string = false;
        let mut escaped = false;
        loop {
            let buffer = self
                .input
                .fill_buf()
                .map_err(|e| RecordErrorKind::Io(e.to_string()))?;
            if buffer.is_empty() {
                return Err(RecordErrorKind::NotAnArray(
                    "the array is not closed".to_owned(),
                ));
            }
            let mut used = 0;
            let mut finished: Option<bool> = None;
            for &byte in buffer {
                used += 1;
                if byte == b'\n' {
                    self.line += 1;
                }
                if in_string {
                    match (escaped, byte) {
                        (true, _) => escaped = false,
                        (false, b'\\') => escaped = true,
                        (false, b'"') => in_string = false,
                        _ => {}
                    }
                    self.element.push(byte);
                    continue;
                }
                match byte {
                    b'"' => in_string = true,
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' if depth > 0 => depth -= 1,
                    b']' => {
                        finished = Some(false);
                        break;
                    }
                    b',' if depth == 0 => {
                        finished = Some(true);
                        break;
                    }
                    _ => {}
                }
                self.element.push(byte);
            }
            self.input.consume(used);
            if let Some(more) = finished {
                if !more {
                    self.done = true;
                }
                return Ok(true);
            }
        }
    }
}

impl Iterator for JsonArray<'_> {
    type Item = RecordResult;

    fn next(&mut self) -> Option<RecordResult> {
        if self.done {
            return None;
        }
        if !self.started {
            self.started = true;
            match skip_blank(self.input.as_mut()) {
                Ok(lines) => self.line += lines,
                Err(e) => return self.fail(RecordErrorKind::Io(e.to_string())),
            }
            match self.input.fill_buf() {
                Ok(buffer) if buffer.first() == Some(&b'[') => self.input.consume(1),
                Ok(_) => {
                    return self.fail(RecordErrorKind::NotAnArray(
                        "it does not start with `[`".to_owned(),
                    ));
                }
                Err(e) => return self.fail(RecordErrorKind::Io(e.to_string())),
            }
        }
        loop {
            let start_line = self.line;
            match self.next_element() {
                Err(kind) => return self.fail(kind),
                Ok(_) if self.element.iter().all(u8::is_ascii_whitespace) => {
                    if self.done {
                        return None;
                    }
                    continue;
                }
                Ok(_) => {
                    self.record += 1;
                    let leading = self
                        .element
                        .iter()
                        .take_while(|b| b.is_ascii_whitespace())
                        .filter(|b| **b == b'\n')
                        .count();
                    let line = start_line + leading as u64;
                    let result = parse_and_map(&self.element, &self.source)
                        .map_err(|kind| RecordError::new(self.record, Some(line), kind));
                    return Some(result);
                }
            }
        }
    }
}

/// Which CSV column holds each draft field. Only `title` is required; column names match the
/// header exactly (after trimming).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CsvMapping {
    pub title: String,
    pub external_id: Option<String>,
    pub company: Option<String>,
    pub location: Option<String>,
    pub country: Option<String>,
    pub latitude: Option<String>,
    pub longitude: Option<String>,
    pub description: Option<String>,
    /// A free-text salary such as `£30,000 - £35,000 a year`.
    pub salary: Option<String>,
    pub salary_min: Option<String>,
    pub salary_max: Option<String>,
    pub salary_currency: Option<String>,
    pub salary_period: Option<String>,
    pub employment_type: Option<String>,
    pub remote_mode: Option<String>,
    pub seniority: Option<String>,
    pub posted_at: Option<String>,
    pub valid_through: Option<String>,
    /// Field delimiter, `b','` when zero.
    pub delimiter: u8,
}

impl CsvMapping {
    /// A mapping whose columns are named like the draft's fields (`title`, `company`, ...).
    pub fn draft_names() -> Self {
        let named = |name: &str| Some(name.to_owned());
        Self {
            title: "title".to_owned(),
            external_id: named("external_id"),
            company: named("company"),
            location: named("location"),
            country: named("country"),
            latitude: named("latitude"),
            longitude: named("longitude"),
            description: named("description"),
            salary: named("salary"),
            salary_min: named("salary_min"),
            salary_max: named("salary_max"),
            salary_currency: named("salary_currency"),
            salary_period: named("salary_period"),
            employment_type: named("employment_type"),
            remote_mode: named("remote_mode"),
            seniority: named("seniority"),
            posted_at: named("posted_at"),
            valid_through: named("valid_through"),
            delimiter: b',',
        }
    }

    /// (flat JSON key, column name) for every mapped column. Salary parts use the keys of the
    /// flat shape's salary object, prefixed `salary.`.
    fn columns(&self) -> Vec<(&'static str, &str)> {
        let optional = [
            ("external_id", &self.external_id),
            ("company", &self.company),
            ("location", &self.location),
            ("country", &self.country),
            ("latitude", &self.latitude),
            ("longitude", &self.longitude),
            ("description", &self.description),
            ("salary", &self.salary),
            ("salary.min", &self.salary_min),
            ("salary.max", &self.salary_max),
            ("salary.currency", &self.salary_currency),
            ("salary.period", &self.salary_period),
            ("employment_type", &self.employment_type),
            ("remote_mode", &self.remote_mode),
            ("seniority", &self.seniority),
            ("posted_at", &self.posted_at),
            ("valid_through", &self.valid_through),
        ];
        std::iter::once(("title", self.title.as_str()))
            .chain(
                optional
                    .into_iter()
                    .filter_map(|(key, column)| column.as_deref().map(|c| (key, c))),
            )
            .collect()
    }
}

/// Reads CSV rows through a column mapping, gzip or plain. A mapped column missing from the
/// header fails the whole input as record 0; a row too short for a mapped column, or a
/// non-numeric coordinate or salary bound, fails that row alone.
pub fn read_csv<'a, R: Read + 'a>(
    reader: R,
    mapping: &CsvMapping,
    source: &str,
) -> Box<dyn Iterator<Item = RecordResult> + 'a> {
    let input = match decompress(reader) {
        Ok(input) => input,
        Err(e) => return Box::new(std::iter::once(Err(io_error(e)))),
    };
    let delimiter = if mapping.delimiter == 0 {
        b','
    } else {
        mapping.delimiter
    };
    let mut csv = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(input);
    let header_error = |kind| Box::new(std::iter::once(Err(RecordError::new(0, Some(1), kind))));
    let headers = match csv.headers() {
        Ok(headers) => headers.clone(),
        Err(e) => return header_error(RecordErrorKind::InvalidCsv(e.to_string())),
    };
    let mut columns = Vec::new();
    for (key, name) in mapping.columns() {
        match headers.iter().position(|h| h.trim() == name.trim()) {
            Some(index) => columns.push((key, name.to_owned(), index)),
            None => return header_error(RecordErrorKind::MissingColumn(name.to_owned())),
        }
    }
    let source = source.to_owned();
    Box::new(csv.into_records().enumerate().map(move |(i, row)| {
        let record = i + 1;
        let row = row.map_err(|e| {
            let line = e.position().map(csv::Position::line);
            RecordError::new(record, line, RecordErrorKind::InvalidCsv(e.to_string()))
        })?;
        let line = row.position().map(csv::Position::line);
        let fail = |kind| RecordError::new(record, line, kind);
        let object = row_object(&row, &columns).map_err(fail)?;
        flat::to_draft(&object, &source).map_err(fail)
    }))
}

/// The flat JSON object for one CSV row; blank cells are absent.
fn row_object(
    row: &csv::StringRecord,
    columns: &[(&'static str, String, usize)],
) -> Result<Map<String, Value>, RecordErrorKind> {
    let mut object = Map::new();
    let mut salary_parts = Map::new();
    for (key, name, index) in columns {
        let cell = row
            .get(*index)
            .ok_or_else(|| RecordErrorKind::MissingColumn(name.clone()))?
            .trim();
        if cell.is_empty() {
            continue;
        }
        let value = Value::String(cell.to_owned());
        match key.strip_prefix("salary.") {
            Some(part) => {
                salary_parts.insert(part.to_owned(), value);
            }
            None => {
                object.insert((*key).to_owned(), value);
            }
        }
    }
    if !object.contains_key("salary") && !salary_parts.is_empty() {
        object.insert("salary".to_owned(), Value::Object(salary_parts));
    }
    Ok(object)
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;
    use intellicv_core::{EmploymentType, RemoteMode, Salary, SalaryPeriod};

    const MIXED: &str = include_str!("../../../../data/samples/jobs/mixed.jsonl");
    const ARRAY: &str = include_str!("../../../../data/samples/jobs/array.json");
    const CSV: &str = include_str!("../../../../data/samples/jobs/postings.csv");

    /// A title, or (record, line, reason label).
    type Outcome = Result<String, (usize, Option<u64>, &'static str)>;

    fn outcome(results: &[RecordResult]) -> Vec<Outcome> {
        results
            .iter()
            .map(|r| match r {
                Ok(draft) => Ok(draft.title.clone()),
                Err(e) => Err((e.record, e.line, e.kind.label())),
            })
            .collect()
    }

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        let written = encoder.write_all(bytes);
        assert!(written.is_ok());
        encoder.finish().unwrap_or_default()
    }

    #[test]
    fn json_lines_report_bad_rows_by_line_and_carry_on() {
        let results: Vec<_> = read_jsonl(MIXED.as_bytes(), "sample").collect();
        assert_eq!(
            outcome(&results),
            vec![
                Ok("Band 6 Occupational Therapist".to_owned()),
                Ok("Platform Engineer".to_owned()),
                Ok("Line Cook".to_owned()),
                Err((4, Some(5), "invalid_json")),
                Err((5, Some(6), "not_a_job_posting")),
                Err((6, Some(7), "unknown_shape")),
            ]
        );
    }

    #[test]
    fn each_shape_in_json_lines_maps_its_own_fields() {
        let results: Vec<_> = read_jsonl(MIXED.as_bytes(), "sample").collect();
        let nhs = results.first().and_then(|r| r.as_ref().ok());
        assert_eq!(
            nhs.map(|d| d.employment_type),
            Some(EmploymentType::PartTime)
        );
        assert_eq!(
            nhs.map(|d| d.description.as_str()),
            Some("Community rehab team\n\nEssential\n\n- HCPC registration")
        );
        let hn = results.get(1).and_then(|r| r.as_ref().ok());
        assert_eq!(
            hn.map(|d| (d.remote_mode, d.latitude)),
            Some((RemoteMode::Remote, None))
        );
        assert_eq!(
            hn.and_then(|d| d.salary.clone()),
            Some(Salary {
                min: Some(70000.0),
                max: Some(85000.0),
                currency: Some("EUR".to_owned()),
                period: None
            })
        );
        let flat = results.get(2).and_then(|r| r.as_ref().ok());
        assert_eq!(
            flat.and_then(|d| d.salary.as_ref()).and_then(|s| s.period),
            Some(SalaryPeriod::Hour)
        );
    }

    #[test]
    fn gzip_input_is_detected_from_its_magic_bytes() {
        let compressed = gzip(MIXED.as_bytes());
        let plain: Vec<_> = read_jsonl(MIXED.as_bytes(), "s").collect();
        let unzipped: Vec<_> = read_jsonl(compressed.as_slice(), "s").collect();
        assert_eq!(unzipped, plain);
    }

    #[test]
    fn a_json_array_streams_elements_and_fails_bad_ones_alone() {
        let results: Vec<_> = read_json_array(ARRAY.as_bytes(), "sample").collect();
        assert_eq!(
            outcome(&results),
            vec![
                Ok("Warehouse Supervisor".to_owned()),
                Err((2, Some(3), "missing_title")),
                Ok("Data Analyst [contract]".to_owned()),
            ]
        );
    }

    #[test]
    fn read_json_tells_arrays_from_json_lines() {
        let array: Vec<_> = read_json(ARRAY.as_bytes(), "s").collect();
        let lines: Vec<_> = read_json(MIXED.as_bytes(), "s").collect();
        assert_eq!(array.len(), 3);
        assert_eq!(lines.len(), 6);
    }

    #[test]
    fn an_unclosed_array_ends_with_a_structure_error() {
        let results: Vec<_> = read_json_array(
            &b"[{\"title\": \"Baker\", \"company\": \"Crumb\"}, {\"title\""[..],
            "s",
        )
        .collect();
        assert_eq!(
            outcome(&results),
            vec![Ok("Baker".to_owned()), Err((1, Some(1), "not_an_array"))]
        );
    }

    #[test]
    fn input_that_is_not_an_array_is_rejected() {
        let results: Vec<_> = read_json_array(&b"{\"title\": \"x\"}"[..], "s").collect();
        assert_eq!(outcome(&results), vec![Err((0, Some(1), "not_an_array"))]);
    }

    fn csv_mapping() -> CsvMapping {
        CsvMapping {
            title: "Job Title".to_owned(),
            company: Some("Employer".to_owned()),
            location: Some("City".to_owned()),
            salary: Some("Pay".to_owned()),
            latitude: Some("Lat".to_owned()),
            longitude: Some("Lng".to_owned()),
            posted_at: Some("Posted".to_owned()),
            ..CsvMapping::default()
        }
    }

    #[test]
    fn csv_rows_map_through_the_column_mapping() {
        let results: Vec<_> = read_csv(CSV.as_bytes(), &csv_mapping(), "csv").collect();
        assert_eq!(
            outcome(&results),
            vec![
                Ok("Senior Welder".to_owned()),
                Ok("Bookkeeper".to_owned()),
                Err((3, Some(4), "bad_number")),
                Err((4, Some(5), "missing_column")),
            ]
        );
        let welder = results.first().and_then(|r| r.as_ref().ok());
        assert_eq!(
            welder.map(|d| (d.latitude, d.company.as_deref())),
            Some((Some(53.38), Some("Ironside Fabrication")))
        );
        assert_eq!(
            welder.and_then(|d| d.salary.clone()),
            Some(Salary {
                min: Some(32000.0),
                max: Some(36000.0),
                currency: Some("GBP".to_owned()),
                period: Some(SalaryPeriod::Year)
            })
        );
        let bookkeeper = results.get(1).and_then(|r| r.as_ref().ok());
        assert_eq!(
            bookkeeper.and_then(|d| d.posted_at).map(|d| d.to_rfc3339()),
            Some("2021-07-01T00:00:00+00:00".to_owned())
        );
    }

    #[test]
    fn a_mapped_column_missing_from_the_header_fails_the_whole_csv() {
        let mapping = CsvMapping {
            company: Some("Company Name".to_owned()),
            ..csv_mapping()
        };
        let results: Vec<_> = read_csv(CSV.as_bytes(), &mapping, "csv").collect();
        assert_eq!(outcome(&results), vec![Err((0, Some(1), "missing_column"))]);
    }

    #[test]
    fn gzip_csv_reads_like_plain_csv() {
        let compressed = gzip(CSV.as_bytes());
        let results: Vec<_> = read_csv(compressed.as_slice(), &csv_mapping(), "csv").collect();
        assert_eq!(results.len(), 4);
    }
}
