//! Shared helpers: text decoding, line numbers, JSON with positions.

use std::path::Path;

use kspect_core::span::SpanIndex;
use serde_json::Value;

use super::InventoryError;

/// Decode a file's bytes: UTF-8 (BOM dropped), UTF-16 with a BOM (pip
/// writes these on Windows), and otherwise Latin-1, which maps every byte
/// to a character, for XML declared `iso-8859-1`.
pub(crate) fn decode(bytes: &[u8]) -> Result<String, String> {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return String::from_utf8(rest.to_vec()).map_err(|e| format!("invalid UTF-8: {e}"));
    }
    let utf16 = |rest: &[u8], le: bool| -> Result<String, String> {
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .map(|c| {
                if le {
                    u16::from_le_bytes([c[0], c[1]])
                } else {
                    u16::from_be_bytes([c[0], c[1]])
                }
            })
            .collect();
        String::from_utf16(&units).map_err(|e| format!("invalid UTF-16: {e}"))
    };
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return utf16(rest, true);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return utf16(rest, false);
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(s.to_owned()),
        Err(_) => Ok(bytes.iter().map(|&b| b as char).collect()),
    }
}

/// 1-based line of byte `offset` in `text`.
pub(crate) fn line_at(text: &str, offset: usize) -> u32 {
    let end = offset.min(text.len());
    let n = text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count();
    u32::try_from(n + 1).unwrap_or(u32::MAX)
}

/// A parsed JSON document with the line of each value, when they can be had.
pub(crate) struct JsonDoc {
    pub value: Value,
    spans: Option<SpanIndex>,
}

impl JsonDoc {
    /// Line of the value at JSON pointer `ptr`.
    pub fn line(&self, ptr: &str) -> Option<u32> {
        self.spans.as_ref()?.get(ptr).map(|p| p.line)
    }
}

/// Parse JSON strictly with `serde_json` (its error carries the line), then
/// index positions with kspect-core's YAML reader, of which JSON is a subset.
/// Position lookup is best effort: a document the YAML reader refuses (a
/// tab where YAML forbids one) still parses, without lines.
pub(crate) fn parse_json(text: &str, file: &Path) -> Result<JsonDoc, InventoryError> {
    let value: Value = serde_json::from_str(text).map_err(|e| {
        let line = u32::try_from(e.line()).ok().filter(|&l| l > 0);
        InventoryError::new(file, line, format!("invalid JSON: {e}"))
    })?;
    let spans = kspect_core::yaml::parse_document(text, 0)
        .ok()
        .flatten()
        .map(|d| d.index);
    Ok(JsonDoc { value, spans })
}

/// Escape one JSON pointer segment (RFC 6901).
pub(crate) fn ptr_escape(seg: &str) -> String {
    seg.replace('~', "~0").replace('/', "~1")
}

/// Lines of TOML `[[name]]` array-of-table headers, in order, so that the
/// n-th table of the parsed document can be given its line.
pub(crate) fn toml_table_lines(text: &str, name: &str) -> Vec<u32> {
    let header = format!("[[{name}]]");
    text.lines()
        .enumerate()
        .filter(|(_, l)| {
            let t = l.trim();
            t == header
                || t.starts_with(&format!("{header} "))
                || t.starts_with(&format!("{header}#"))
        })
        .map(|(i, _)| u32::try_from(i + 1).unwrap_or(u32::MAX))
        .collect()
}

/// Parse TOML, mapping errors to the file and line.
pub(crate) fn parse_toml(text: &str, file: &Path) -> Result<toml::Table, InventoryError> {
    text.parse::<toml::Table>().map_err(|e| {
        let line = e.span().map(|s| line_at(text, s.start));
        InventoryError::new(file, line, format!("invalid TOML: {}", e.message()))
    })
}

/// `value` as a string, when it is one.
pub(crate) fn s(value: Option<&Value>) -> Option<&str> {
    value.and_then(Value::as_str)
}
