//! Source positions: where in which file each field of an object was written.
//!
//! Every field of a loaded document is indexed by its JSON pointer
//! (`/spec/containers/0/image`) so that a finding can point at the exact line and
//! column, or at the nearest parent that exists when the problem is a missing field.

use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};
use std::ops::Range;
use std::sync::{Arc, OnceLock};

/// A 1-based line and column in a source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct Pos {
    /// Line number, starting at 1.
    pub line: u32,
    /// Column number in characters, starting at 1.
    pub column: u32,
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// Maps the JSON pointers of one YAML/JSON document to the position where each was written.
///
/// For a mapping entry the position is that of its key (where a reader looks for
/// the field); for a sequence item, the start of the item.
///
/// Pointers are stored as 64-bit hashes, not strings: deep documents (a CRD's OpenAPI
/// schema) have hundreds of thousands of nodes with pointers of a hundred bytes and more,
/// and keeping those strings cost more memory than the documents themselves. A hash
/// collision (odds around 1 in 10^7 for a million fields) could at worst report a wrong
/// line, never a wrong verdict.
#[derive(Debug, Default, Clone)]
pub struct SpanIndex {
    positions: HashMap<u64, Pos, BuildHasherDefault<PassThrough>>,
}

/// The keys are already hashes; hashing them again would only cost time.
#[derive(Debug, Default, Clone, Copy)]
pub struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// The hash of the root pointer (the empty string).
pub const ROOT_HASH: u64 = 0x6b73_7065_6374_0001;

/// The hash of a child: its parent's hash and one escaped reference token. Hashing
/// token by token lets the YAML builder compute a node's hash from its parent's without
/// ever materialising the pointer string.
pub fn child_hash(parent: u64, escaped_token: &str) -> u64 {
    let mut x = parent ^ 0x9e37_79b9_7f4a_7c15;
    for &b in escaped_token.as_bytes() {
        x ^= u64::from(b);
        x = x.wrapping_mul(0x0000_0100_0000_01b3);
    }
    x ^= escaped_token.len() as u64;
    // splitmix64 finaliser: spreads the bits so that sibling hashes differ widely.
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// The hash of a pointer relative to a node whose hash is `base`.
pub fn extend_hash(base: u64, relative_pointer: &str) -> u64 {
    relative_pointer.split('/').skip(1).fold(base, child_hash)
}

/// The hash of a whole JSON pointer (escaped, as RFC 6901 writes it).
pub fn pointer_hash(pointer: &str) -> u64 {
    extend_hash(ROOT_HASH, pointer)
}

impl SpanIndex {
    /// Builds an index from `(pointer, position)` pairs; a later pair for the same pointer wins.
    pub fn from_pairs(pairs: impl IntoIterator<Item = (String, Pos)>) -> Self {
        Self::from_hashed(
            pairs
                .into_iter()
                .map(|(ptr, pos)| (pointer_hash(&ptr), pos)),
        )
    }

    /// Builds an index from `(pointer hash, position)` pairs (see [`pointer_hash`]).
    pub fn from_hashed(pairs: impl IntoIterator<Item = (u64, Pos)>) -> Self {
        let mut positions: HashMap<u64, Pos, BuildHasherDefault<PassThrough>> = HashMap::default();
        positions.extend(pairs);
        positions.shrink_to_fit();
        SpanIndex { positions }
    }

    /// The position of exactly this pointer, if the field was written in the source.
    pub fn get(&self, pointer: &str) -> Option<Pos> {
        self.positions.get(&pointer_hash(pointer)).copied()
    }

    /// The position of `pointer` or of its nearest ancestor that exists, with the pointer found.
    pub fn nearest<'p>(&self, pointer: &'p str) -> Option<(&'p str, Pos)> {
        let mut current = pointer;
        loop {
            if let Some(pos) = self.get(current) {
                return Some((current, pos));
            }
            if current.is_empty() {
                return None;
            }
            current = parent_pointer(current);
        }
    }

    /// The positions of just the nodes of `value`, a reduced copy of the node whose
    /// pointer hash is `base` (see [`pointer_hash`]): what is left when a document's
    /// body is dropped and only its metadata kept.
    pub fn restricted_to(&self, value: &serde_json::Value, base: u64) -> SpanIndex {
        let mut kept: HashMap<u64, Pos, BuildHasherDefault<PassThrough>> = HashMap::default();
        let mut pending: Vec<(u64, &serde_json::Value)> = vec![(base, value)];
        let mut token = String::new();
        while let Some((hash, node)) = pending.pop() {
            if let Some(&pos) = self.positions.get(&hash) {
                kept.insert(hash, pos);
            }
            match node {
                serde_json::Value::Object(map) => {
                    for (key, child) in map {
                        token.clear();
                        escape_token_into(&mut token, key);
                        pending.push((child_hash(hash, &token), child));
                    }
                }
                serde_json::Value::Array(items) => {
                    for (i, child) in items.iter().enumerate() {
                        pending.push((child_hash(hash, &i.to_string()), child));
                    }
                }
                _ => {}
            }
        }
        kept.shrink_to_fit();
        SpanIndex { positions: kept }
    }

    /// Number of indexed fields.
    pub fn len(&self) -> usize {
        self.positions.len()
    }

    /// True when nothing is indexed.
    pub fn is_empty(&self) -> bool {
        self.positions.is_empty()
    }
}

/// The positions of one document, computed when first asked for.
///
/// Loading records no positions: most objects never have a finding, and the position
/// index of a large document (a CRD with its OpenAPI schema) costs more memory than the
/// document's text. The text is kept instead, and the document is parsed again, once,
/// the first time a position in it is needed.
#[derive(Debug)]
pub struct DocSpans {
    source: Option<(Arc<str>, Range<usize>, u32)>,
    index: OnceLock<SpanIndex>,
}

impl DocSpans {
    /// Positions that are already known.
    pub fn ready(index: SpanIndex) -> DocSpans {
        DocSpans {
            source: None,
            index: OnceLock::from(index),
        }
    }

    /// Positions of the document `text[range]`, whose first line is line `line_offset + 1`.
    pub fn lazy(text: Arc<str>, range: Range<usize>, line_offset: u32) -> DocSpans {
        DocSpans {
            source: Some((text, range, line_offset)),
            index: OnceLock::new(),
        }
    }

    /// The index, parsing the document again on first use.
    pub fn index(&self) -> &SpanIndex {
        self.index.get_or_init(|| {
            let Some((text, range, offset)) = &self.source else {
                return SpanIndex::default();
            };
            let doc = text.get(range.clone()).unwrap_or("");
            match crate::yaml::parse_document(doc, *offset) {
                Ok(Some(parsed)) => parsed.index,
                _ => SpanIndex::default(),
            }
        })
    }

    /// See [`SpanIndex::get`].
    pub fn get(&self, pointer: &str) -> Option<Pos> {
        self.index().get(pointer)
    }

    /// See [`SpanIndex::nearest`].
    pub fn nearest<'p>(&self, pointer: &'p str) -> Option<(&'p str, Pos)> {
        self.index().nearest(pointer)
    }
}

/// The pointer of the parent of `pointer` (`/a/b` -> `/a`, `/a` -> ``).
pub fn parent_pointer(pointer: &str) -> &str {
    match pointer.rfind('/') {
        Some(i) => &pointer[..i],
        None => "",
    }
}

/// Appends one reference token to a JSON pointer, escaping `~` and `/` as RFC 6901 requires.
pub fn push_token(pointer: &mut String, token: &str) {
    pointer.push('/');
    escape_token_into(pointer, token);
}

fn escape_token_into(pointer: &mut String, token: &str) {
    for c in token.chars() {
        match c {
            '~' => pointer.push_str("~0"),
            '/' => pointer.push_str("~1"),
            c => pointer.push(c),
        }
    }
}

/// Builds a pointer from a base and tokens, escaping each token.
pub fn join_pointer(base: &str, tokens: &[&str]) -> String {
    let mut p = base.to_string();
    for t in tokens {
        push_token(&mut p, t);
    }
    p
}

/// Where a document came from: the file (or `-` for stdin) and the 1-based document number.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub struct DocumentId {
    /// The file path as given by the user (or `<stdin>`).
    pub file: Arc<str>,
    /// 1-based index of the YAML document within the file.
    pub document: u32,
}

/// A resolved location of a field: file, document, line and column, and which pointer it is.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Location {
    /// The file path as given by the user.
    pub file: Arc<str>,
    /// 1-based document number in the file.
    pub document: u32,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
    /// The JSON pointer (within the object) of the field this location points at; it is
    /// an ancestor of the requested pointer when the requested field is missing.
    pub pointer: String,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_walks_up_to_an_existing_parent() {
        let idx = SpanIndex::from_pairs([
            ("".to_string(), Pos { line: 1, column: 1 }),
            ("/spec".to_string(), Pos { line: 5, column: 1 }),
            ("/spec/containers/0".to_string(), Pos { line: 7, column: 5 }),
        ]);
        let (found, pos) = idx
            .nearest("/spec/containers/0/securityContext/privileged")
            .unwrap();
        assert_eq!(found, "/spec/containers/0");
        assert_eq!(pos, Pos { line: 7, column: 5 });
        assert_eq!(idx.nearest("/metadata/name").unwrap().0, "");
    }

    #[test]
    fn tokens_are_escaped() {
        let p = join_pointer("/metadata/annotations", &["kspect.dev/ignore", "a~b"]);
        assert_eq!(p, "/metadata/annotations/kspect.dev~1ignore/a~0b");
        assert_eq!(
            parent_pointer(&p),
            "/metadata/annotations/kspect.dev~1ignore"
        );
    }
}
