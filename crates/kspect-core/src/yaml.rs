//! YAML (and JSON, which YAML 1.2 contains) to `serde_json::Value`, keeping positions.
//!
//! Built on the event stream of `saphyr-parser` rather than a DOM library because the
//! conversion has to do three things at once that no crate does together: record the
//! line and column of every field under its JSON pointer, resolve anchors, aliases and
//! `<<` merge keys the way Kubernetes' YAML decoder does, and resolve plain scalars with
//! the YAML 1.1 rules of `sigs.k8s.io/yaml` (`yes`/`on` are booleans, `0755` is octal),
//! so that kspect sees exactly the object the API server would see.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, ScanError, Span, StrInput};
use serde_json::{Map, Number, Value};

use crate::span::{Pos, ROOT_HASH, SpanIndex, child_hash, extend_hash, pointer_hash, push_token};

/// Nesting deeper than this is refused: no real manifest comes close, and unbounded
/// recursion would overflow the stack on hostile input.
pub const MAX_DEPTH: usize = 200;

/// Upper bound on nodes one document may expand to through aliases ("billion laughs").
pub const MAX_NODES: usize = 5_000_000;

/// A problem found while converting one YAML document.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct YamlError {
    /// What went wrong.
    pub message: String,
    /// Where, relative to the start of the text that was parsed.
    pub pos: Pos,
}

/// A non-fatal remark about a document (the value is still usable).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlWarning {
    /// What is odd.
    pub message: String,
    /// Where.
    pub pos: Pos,
}

/// One converted document: the value and the position of every field.
#[derive(Debug, Clone)]
pub struct ParsedDocument {
    /// The document as JSON data.
    pub value: Value,
    /// The position of every node, by JSON pointer; the root is the empty pointer.
    pub index: SpanIndex,
    /// Where the document's root node starts.
    pub root: Pos,
    /// Duplicate keys and similar remarks.
    pub warnings: Vec<YamlWarning>,
}

/// Parses exactly one YAML document (the text may start with `---`).
///
/// `line_offset` is added to every line so that positions refer to the whole file when
/// the text is one document cut out of a multi-document file. Returns `Ok(None)` when
/// the text holds no document at all (only comments or blank lines).
pub fn parse_document(text: &str, line_offset: u32) -> Result<Option<ParsedDocument>, YamlError> {
    parse_document_with(text, line_offset, true)
}

/// Like [`parse_document`]; with `record_positions` false the index stays empty (only
/// the root position is kept), which is what a first pass over large inputs wants: the
/// positions of a document are computed again only if something needs them.
pub fn parse_document_with(
    text: &str,
    line_offset: u32,
    record_positions: bool,
) -> Result<Option<ParsedDocument>, YamlError> {
    parse(text, line_offset, record_positions, None)
}

/// Like [`parse_document`], but for a document whose root `kind` fails `keep_body`,
/// root fields other than `apiVersion`, `kind` and `metadata` that follow `kind` are
/// only read through (so syntax errors are still found), never built: a
/// CustomResourceDefinition's schema is most of a manifest corpus's bytes and nothing
/// that only needs its identity should pay for it. Duplicate keys inside skipped values
/// are not reported. Fields before `kind` are built as usual; callers that want only
/// the identity still reduce the value.
pub fn parse_document_skimming(
    text: &str,
    line_offset: u32,
    keep_body: &dyn Fn(&str) -> bool,
) -> Result<Option<ParsedDocument>, YamlError> {
    match parse(text, line_offset, true, Some(keep_body)) {
        // An alias into a skipped value cannot be resolved without it: build everything.
        Err(e) if e.message == SKIPPED_ANCHOR => parse(text, line_offset, true, None),
        other => other,
    }
}

/// Internal signal: an alias refers to an anchor inside a value that was skipped.
const SKIPPED_ANCHOR: &str = "alias refers to an anchor inside a skipped value";

fn parse(
    text: &str,
    line_offset: u32,
    record_positions: bool,
    keep_body: Option<&dyn Fn(&str) -> bool>,
) -> Result<Option<ParsedDocument>, YamlError> {
    let mut b = Builder {
        keep_body,
        skimming: false,
        skipped_anchors: Vec::new(),
        record_positions,
        root: None,
        parser: Parser::new_from_str(text),
        line_offset,
        spans: Vec::new(),
        strings: Vec::new(),
        string_depth: 0,
        anchors: HashMap::new(),
        nodes: 0,
        warnings: Vec::new(),
    };
    let mut value = None;
    while let Some((ev, span)) = b.next()? {
        match ev {
            Event::StreamStart | Event::DocumentEnd | Event::Nothing => {}
            Event::StreamEnd => break,
            Event::DocumentStart(_) => {
                if value.is_some() {
                    return Err(YamlError {
                        message: "more than one document where one was expected".into(),
                        pos: b.pos(&span),
                    });
                }
                let (ev, span) = b.expect_next(&span)?;
                let mut ptr = String::new();
                value = Some(b.node(ev, span, &mut ptr, ROOT_HASH, None, 0)?);
            }
            other => {
                return Err(YamlError {
                    message: format!("unexpected YAML event {other:?}"),
                    pos: b.pos(&span),
                });
            }
        }
    }
    Ok(value.map(|value| ParsedDocument {
        value,
        root: b.spans.first().map(|(_, p)| *p).unwrap_or(Pos {
            line: line_offset + 1,
            column: 1,
        }),
        index: SpanIndex::from_hashed(b.spans),
        warnings: b.warnings,
    }))
}

/// Entries a `<<` merge key brings in: key, value and the spans under the key.
type MergedEntries = Vec<(String, Value, Vec<(String, Pos)>)>;

struct Anchored {
    value: Value,
    /// Spans with pointers relative to the anchored node.
    spans: Vec<(String, Pos)>,
}

struct Builder<'a> {
    parser: Parser<'a, StrInput<'a>>,
    /// Which root kinds keep their body (see [`parse_document_skimming`]).
    keep_body: Option<&'a dyn Fn(&str) -> bool>,
    /// Set once the root `kind` fails `keep_body`.
    skimming: bool,
    /// Anchors defined inside skipped values.
    skipped_anchors: Vec<usize>,
    /// False for a first pass that needs values only.
    record_positions: bool,
    /// Position of the document's root node.
    root: Option<Pos>,
    line_offset: u32,
    /// Position of every node by pointer hash: cheap, no strings.
    spans: Vec<(u64, Pos)>,
    /// Positions by pointer string, recorded only inside anchored nodes and merge values
    /// (`string_depth > 0`), where aliases and `<<` need to re-base them.
    strings: Vec<(String, Pos)>,
    string_depth: usize,
    anchors: HashMap<usize, Anchored>,
    nodes: usize,
    warnings: Vec<YamlWarning>,
}

impl<'a> Builder<'a> {
    fn pos(&self, span: &Span) -> Pos {
        self.marker_pos(span.start)
    }

    fn marker_pos(&self, m: saphyr_parser::Marker) -> Pos {
        Pos {
            line: u32::try_from(m.line())
                .unwrap_or(u32::MAX)
                .saturating_add(self.line_offset),
            column: u32::try_from(m.col()).unwrap_or(u32::MAX).saturating_add(1),
        }
    }

    fn scan_error(&self, e: ScanError) -> YamlError {
        YamlError {
            message: e.info().to_string(),
            pos: self.marker_pos(*e.marker()),
        }
    }

    fn next(&mut self) -> Result<Option<(Event<'a>, Span)>, YamlError> {
        match self.parser.next_event() {
            None => Ok(None),
            Some(Ok(e)) => Ok(Some(e)),
            Some(Err(e)) => Err(self.scan_error(e)),
        }
    }

    fn expect_next(&mut self, after: &Span) -> Result<(Event<'a>, Span), YamlError> {
        match self.next()? {
            Some(e) => Ok(e),
            None => Err(YamlError {
                message: "unexpected end of input".into(),
                pos: self.pos(after),
            }),
        }
    }

    fn count(&mut self, n: usize, span: &Span) -> Result<(), YamlError> {
        self.nodes = self.nodes.saturating_add(n);
        if self.nodes > MAX_NODES {
            return Err(YamlError {
                message: format!(
                    "document expands to more than {MAX_NODES} nodes through aliases; refusing to expand it further"
                ),
                pos: self.pos(span),
            });
        }
        Ok(())
    }

    /// Records the position of the node at `ptr` (whose hash is `hash`).
    fn record(&mut self, ptr: &str, hash: u64, pos: Pos) {
        if self.root.is_none() {
            self.root = Some(pos);
        }
        if !self.record_positions {
            return;
        }
        self.spans.push((hash, pos));
        if self.string_depth > 0 {
            self.strings.push((ptr.to_string(), pos));
        }
    }

    /// Converts the node that starts with `ev`, recording spans under `ptr`.
    fn node(
        &mut self,
        ev: Event<'a>,
        span: Span,
        ptr: &mut String,
        hash: u64,
        key_pos: Option<Pos>,
        depth: usize,
    ) -> Result<Value, YamlError> {
        if depth > MAX_DEPTH {
            return Err(YamlError {
                message: format!("nesting deeper than {MAX_DEPTH} levels"),
                pos: self.pos(&span),
            });
        }
        let pos = key_pos.unwrap_or_else(|| self.pos(&span));
        self.count(1, &span)?;
        match ev {
            Event::Scalar(text, style, anchor, tag) => {
                self.record(ptr, hash, pos);
                let tag = tag.map(|t| (t.handle.clone(), t.suffix.clone()));
                let value = resolve_scalar(&text, style, tag.as_ref());
                if anchor > 0 {
                    self.anchors.insert(
                        anchor,
                        Anchored {
                            value: value.clone(),
                            spans: vec![(String::new(), pos)],
                        },
                    );
                }
                Ok(value)
            }
            Event::Alias(id) => {
                let Some(anchored) = self.anchors.get(&id) else {
                    let message = if self.skipped_anchors.contains(&id) {
                        SKIPPED_ANCHOR
                    } else {
                        "alias refers to an unknown anchor"
                    };
                    return Err(YamlError {
                        message: message.into(),
                        pos: self.pos(&span),
                    });
                };
                let value = anchored.value.clone();
                let copied: Vec<(String, Pos)> = anchored.spans.clone();
                self.count(copied.len(), &span)?;
                // The alias itself is where a reader looks for this field.
                self.record(ptr, hash, pos);
                for (rel, p) in copied {
                    if rel.is_empty() || !self.record_positions {
                        continue;
                    }
                    self.spans.push((extend_hash(hash, &rel), p));
                    if self.string_depth > 0 {
                        self.strings.push((format!("{ptr}{rel}"), p));
                    }
                }
                Ok(value)
            }
            Event::SequenceStart(anchor, _tag) => {
                let strings_from = self.begin_anchor(anchor);
                self.record(ptr, hash, pos);
                let mut items = Vec::new();
                loop {
                    let (ev, span) = self.expect_next(&span)?;
                    if matches!(ev, Event::SequenceEnd) {
                        break;
                    }
                    let len = ptr.len();
                    push_token(ptr, &items.len().to_string());
                    let child = child_hash(hash, &ptr[len + 1..]);
                    let item = self.node(ev, span, ptr, child, None, depth + 1);
                    ptr.truncate(len);
                    items.push(item?);
                }
                // Growth slack is a third of a big document's memory; give it back.
                items.shrink_to_fit();
                let value = Value::Array(items);
                self.end_anchor(anchor, ptr, strings_from, &value);
                Ok(value)
            }
            Event::MappingStart(anchor, _tag) => {
                let strings_from = self.begin_anchor(anchor);
                self.record(ptr, hash, pos);
                let value = self.mapping(&span, ptr, hash, depth)?;
                self.end_anchor(anchor, ptr, strings_from, &value);
                Ok(value)
            }
            other => Err(YamlError {
                message: format!("unexpected YAML event {other:?}"),
                pos: self.pos(&span),
            }),
        }
    }

    /// Starts recording pointer strings for an anchored collection; returns where they start.
    fn begin_anchor(&mut self, anchor: usize) -> usize {
        if anchor > 0 {
            self.string_depth += 1;
        }
        self.strings.len()
    }

    /// Stores an anchored collection so that later aliases can copy it with its spans.
    fn end_anchor(&mut self, anchor: usize, ptr: &str, strings_from: usize, value: &Value) {
        if anchor == 0 {
            return;
        }
        let spans = self.strings[strings_from..]
            .iter()
            .filter_map(|(p, pos)| p.strip_prefix(ptr).map(|rel| (rel.to_string(), *pos)))
            .collect();
        self.anchors.insert(
            anchor,
            Anchored {
                value: value.clone(),
                spans,
            },
        );
        self.string_depth -= 1;
        if self.string_depth == 0 {
            self.strings.clear();
        }
    }

    fn mapping(
        &mut self,
        open: &Span,
        ptr: &mut String,
        hash: u64,
        depth: usize,
    ) -> Result<Value, YamlError> {
        let mut map = Map::new();
        // Entries brought in by `<<` merge keys; explicit keys win wherever they appear.
        let mut merged: MergedEntries = Vec::new();
        // Root keys read through while skimming, for duplicate-key warnings.
        let mut skipped_keys: Vec<String> = Vec::new();
        loop {
            let (kev, kspan) = self.expect_next(open)?;
            if matches!(kev, Event::MappingEnd) {
                break;
            }
            let key_pos = self.pos(&kspan);
            let is_merge =
                matches!(&kev, Event::Scalar(t, ScalarStyle::Plain, _, None) if t == "<<");
            let key = self.key_string(kev, &kspan)?;
            let (vev, vspan) = self.expect_next(&kspan)?;
            if depth == 0
                && self.skimming
                && !is_merge
                && !matches!(key.as_str(), "apiVersion" | "kind" | "metadata")
            {
                if skipped_keys.contains(&key) || map.contains_key(&key) {
                    self.warnings.push(YamlWarning {
                        message: format!("duplicate key {key:?}: the later value is used"),
                        pos: key_pos,
                    });
                }
                self.skip(vev, &vspan, depth + 1)?;
                skipped_keys.push(key);
                continue;
            }
            if is_merge {
                // Build the merge value at this mapping's own pointer, with strings, so
                // that the entries it contributes can be re-based; its hashed spans are
                // dropped and re-added only for the keys that are actually merged in.
                let (spans_from, strings_from) = (self.spans.len(), self.strings.len());
                self.string_depth += 1;
                let merge_value = self.node(vev, vspan, ptr, hash, Some(key_pos), depth + 1);
                self.string_depth -= 1;
                self.spans.truncate(spans_from);
                let strings = self.strings.split_off(strings_from);
                self.collect_merge(merge_value?, strings, ptr, &mut merged, key_pos)?;
                continue;
            }
            let len = ptr.len();
            push_token(ptr, &key);
            let child = child_hash(hash, &ptr[len + 1..]);
            let value = self.node(vev, vspan, ptr, child, Some(key_pos), depth + 1);
            ptr.truncate(len);
            let value = value?;
            if depth == 0
                && key == "kind"
                && let (Some(keep), Value::String(kind)) = (self.keep_body, &value)
            {
                self.skimming = !keep(kind);
            }
            if map.contains_key(&key) || skipped_keys.contains(&key) {
                self.warnings.push(YamlWarning {
                    message: format!("duplicate key {key:?}: the later value is used"),
                    pos: key_pos,
                });
            }
            map.insert(key, value);
        }
        for (key, value, spans) in merged {
            if !map.contains_key(&key) {
                map.insert(key, value);
                if !self.record_positions {
                    continue;
                }
                for (p, pos) in spans {
                    self.spans.push((pointer_hash(&p), pos));
                    if self.string_depth > 0 {
                        self.strings.push((p, pos));
                    }
                }
            }
        }
        // `Map` cannot shrink in place; moving the entries into an exact-size map gives
        // the growth slack back, which matters for documents with large schemas.
        let mut exact = Map::with_capacity(map.len());
        exact.extend(map);
        Ok(Value::Object(exact))
    }

    /// Reads through the node that starts with `ev` without building it: the parser
    /// still checks its syntax, and anchors defined in it are remembered as skipped.
    fn skip(&mut self, ev: Event<'a>, span: &Span, depth: usize) -> Result<(), YamlError> {
        let mut open = 0usize;
        let mut ev = ev;
        loop {
            if !matches!(ev, Event::MappingEnd | Event::SequenceEnd) {
                self.count(1, span)?;
            }
            match ev {
                Event::MappingStart(anchor, _) | Event::SequenceStart(anchor, _) => {
                    self.note_skipped_anchor(anchor);
                    open += 1;
                    if depth + open > MAX_DEPTH {
                        return Err(YamlError {
                            message: format!("nesting deeper than {MAX_DEPTH} levels"),
                            pos: self.pos(span),
                        });
                    }
                }
                Event::MappingEnd | Event::SequenceEnd => open = open.saturating_sub(1),
                Event::Scalar(_, _, anchor, _) => self.note_skipped_anchor(anchor),
                Event::Alias(_) => {}
                other => {
                    return Err(YamlError {
                        message: format!("unexpected YAML event {other:?}"),
                        pos: self.pos(span),
                    });
                }
            }
            if open == 0 {
                return Ok(());
            }
            ev = self.expect_next(span)?.0;
        }
    }

    fn note_skipped_anchor(&mut self, anchor: usize) {
        if anchor > 0 {
            self.skipped_anchors.push(anchor);
        }
    }

    /// Splits the value of a `<<` key (a mapping or a list of mappings) into entries.
    fn collect_merge(
        &mut self,
        value: Value,
        spans: Vec<(String, Pos)>,
        ptr: &str,
        out: &mut MergedEntries,
        pos: Pos,
    ) -> Result<(), YamlError> {
        // The merge value was built at `ptr` itself, so its entries' spans are `ptr/key...`;
        // for a list of mappings they are `ptr/N/key...` and need the index removed.
        let sources: Vec<(Map<String, Value>, String)> = match value {
            Value::Object(m) => vec![(m, ptr.to_string())],
            Value::Array(items) => {
                let mut v = Vec::new();
                for (i, item) in items.into_iter().enumerate() {
                    match item {
                        Value::Object(m) => v.push((m, format!("{ptr}/{i}"))),
                        _ => {
                            return Err(YamlError {
                                message: "a `<<` merge list may hold only mappings".into(),
                                pos,
                            });
                        }
                    }
                }
                v
            }
            _ => {
                return Err(YamlError {
                    message:
                        "the value of a `<<` merge key must be a mapping or a list of mappings"
                            .into(),
                    pos,
                });
            }
        };
        // Earlier sources in a merge list take precedence over later ones.
        for (m, base) in sources {
            for (key, v) in m {
                if out.iter().any(|(k, _, _)| *k == key) {
                    continue;
                }
                let mut key_ptr = base.clone();
                push_token(&mut key_ptr, &key);
                let mut new_ptr = ptr.to_string();
                push_token(&mut new_ptr, &key);
                let entry_spans = spans
                    .iter()
                    .filter_map(|(p, pos)| {
                        let rest = p.strip_prefix(&key_ptr)?;
                        (rest.is_empty() || rest.starts_with('/'))
                            .then(|| (format!("{new_ptr}{rest}"), *pos))
                    })
                    .collect();
                out.push((key, v, entry_spans));
            }
        }
        Ok(())
    }

    /// Mapping keys become strings, as `sigs.k8s.io/yaml` does when it converts to JSON.
    fn key_string(&mut self, ev: Event<'a>, span: &Span) -> Result<String, YamlError> {
        match ev {
            Event::Scalar(text, _, anchor, _) => {
                if anchor > 0 {
                    self.anchors.insert(
                        anchor,
                        Anchored {
                            value: Value::String(text.to_string()),
                            spans: vec![(String::new(), self.pos(span))],
                        },
                    );
                }
                Ok(text.into_owned())
            }
            Event::Alias(id) => match self.anchors.get(&id).map(|a| &a.value) {
                Some(Value::String(s)) => Ok(s.clone()),
                Some(Value::Number(n)) => Ok(n.to_string()),
                Some(Value::Bool(b)) => Ok(b.to_string()),
                Some(Value::Null) => Ok("null".into()),
                _ => Err(YamlError {
                    message: "mapping key is an alias of a collection or of an unknown anchor".into(),
                    pos: self.pos(span),
                }),
            },
            _ => Err(YamlError {
                message: "complex mapping keys (a mapping or sequence used as a key) are not supported by Kubernetes".into(),
                pos: self.pos(span),
            }),
        }
    }
}

/// Resolves a scalar the way `sigs.k8s.io/yaml` (go-yaml v2, YAML 1.1 rules) does.
pub fn resolve_scalar(text: &str, style: ScalarStyle, tag: Option<&(String, String)>) -> Value {
    if let Some((handle, suffix)) = tag {
        if handle == "tag:yaml.org,2002:" || handle == "!!" {
            match suffix.as_str() {
                "str" | "binary" | "timestamp" => return Value::String(text.to_string()),
                "null" => return Value::Null,
                "bool" => {
                    if let Some(b) = resolve_bool(text) {
                        return Value::Bool(b);
                    }
                }
                "int" => {
                    if let Some(n) = resolve_int(text) {
                        return Value::Number(n);
                    }
                }
                "float" => {
                    if let Some(v) = resolve_float(text) {
                        return v;
                    }
                }
                _ => {}
            }
            return Value::String(text.to_string());
        }
    }
    if style != ScalarStyle::Plain {
        return Value::String(text.to_string());
    }
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        _ => {}
    }
    if let Some(b) = resolve_bool(text) {
        return Value::Bool(b);
    }
    let first = text.as_bytes()[0];
    if first.is_ascii_digit() || matches!(first, b'+' | b'-' | b'.') {
        if let Some(n) = resolve_int(text) {
            return Value::Number(n);
        }
        if let Some(v) = resolve_float(text) {
            return v;
        }
    }
    Value::String(text.to_string())
}

fn resolve_bool(text: &str) -> Option<bool> {
    match text {
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            Some(true)
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            Some(false)
        }
        _ => None,
    }
}

/// Integers as Go's `strconv.ParseInt(s, 0, 64)` reads them after go-yaml removed `_`:
/// optional sign, then decimal, `0x` hex, `0o`/leading-`0` octal or `0b` binary.
fn resolve_int(text: &str) -> Option<Number> {
    let plain: String = text.chars().filter(|&c| c != '_').collect();
    let (neg, digits) = match plain.as_bytes().first()? {
        b'-' => (true, &plain[1..]),
        b'+' => (false, &plain[1..]),
        _ => (false, plain.as_str()),
    };
    if digits.is_empty() {
        return None;
    }
    let (radix, body) = if let Some(rest) = digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        (16, rest)
    } else if let Some(rest) = digits
        .strip_prefix("0o")
        .or_else(|| digits.strip_prefix("0O"))
    {
        (8, rest)
    } else if let Some(rest) = digits
        .strip_prefix("0b")
        .or_else(|| digits.strip_prefix("0B"))
    {
        (2, rest)
    } else if digits.len() > 1 && digits.starts_with('0') {
        (8, &digits[1..])
    } else {
        (10, digits)
    };
    if body.is_empty() || !body.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = u64::from_str_radix(body, radix).ok()?;
    if neg {
        let v = i64::try_from(magnitude)
            .ok()
            .map(|m| -m)
            .or_else(|| (magnitude == 1u64 << 63).then_some(i64::MIN))?;
        Some(Number::from(v))
    } else if let Ok(v) = i64::try_from(magnitude) {
        Some(Number::from(v))
    } else {
        Some(Number::from(magnitude))
    }
}

/// Floats as go-yaml v2: `strconv.ParseFloat` syntax, plus `.inf` and `.nan` spellings,
/// which JSON cannot hold and so stay strings.
fn resolve_float(text: &str) -> Option<Value> {
    let plain: String = text.chars().filter(|&c| c != '_').collect();
    let body = plain.strip_prefix(['+', '-']).unwrap_or(&plain);
    let valid = !body.is_empty()
        && body
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'))
        && body.chars().any(|c| c.is_ascii_digit())
        && !body.starts_with(['e', 'E']);
    if !valid {
        return None;
    }
    let f: f64 = plain.parse().ok()?;
    Number::from_f64(f).map(Value::Number)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(text: &str) -> ParsedDocument {
        parse_document(text, 0).unwrap().unwrap()
    }

    fn span_of(doc: &ParsedDocument, ptr: &str) -> Pos {
        doc.index
            .get(ptr)
            .unwrap_or_else(|| panic!("no span for {ptr}"))
    }

    fn skim(text: &str) -> Result<Option<ParsedDocument>, YamlError> {
        parse_document_skimming(text, 0, &|kind| kind != "CustomResourceDefinition")
    }

    #[test]
    fn skimming_skips_root_fields_after_kind_of_a_skimmed_kind() {
        let text = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: a.example.com\n  labels: {x: z}\nspec:\n  group: example.com\n  versions: [v1]\nstatus: {}\n";
        let doc = skim(text).unwrap().unwrap();
        assert_eq!(
            doc.value,
            json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
                   "metadata": {"name": "a.example.com", "labels": {"x": "z"}}})
        );
        assert_eq!(
            span_of(&doc, "/metadata/labels/x"),
            Pos {
                line: 5,
                column: 12
            }
        );
        assert!(doc.index.get("/spec").is_none());
        // Any other kind is built whole, exactly as without skimming.
        let pod = "apiVersion: v1\nkind: Pod\nspec:\n  containers: []\n";
        let skimmed = skim(pod).unwrap().unwrap();
        assert_eq!(skimmed.value, parse(pod).value);
        assert_eq!(
            span_of(&skimmed, "/spec/containers"),
            Pos { line: 4, column: 3 }
        );
    }

    #[test]
    fn skimming_still_reports_syntax_errors_and_root_duplicates_in_skipped_values() {
        let broken =
            "kind: CustomResourceDefinition\nmetadata:\n  name: a\nspec:\n  x: [1, 2\n  y: 3\n";
        assert!(skim(broken).is_err());
        let dup = "kind: CustomResourceDefinition\nspec: {}\nspec: {}\n";
        let doc = skim(dup).unwrap().unwrap();
        assert_eq!(doc.warnings.len(), 1, "{:?}", doc.warnings);
        assert_eq!(doc.warnings[0].pos.line, 3);
    }

    #[test]
    fn skimming_builds_fields_before_kind_and_follows_aliases_into_skipped_values() {
        // `spec` before `kind` cannot be known to be skippable yet; it is built.
        let early = "spec: {a: 1}\nkind: CustomResourceDefinition\n";
        assert_eq!(skim(early).unwrap().unwrap().value["spec"], json!({"a": 1}));
        // An alias into a skipped value: the document is built whole instead of failing.
        let alias = "kind: CustomResourceDefinition\nspec: &s {a: 1}\nmetadata:\n  labels: *s\n";
        let doc = skim(alias).unwrap().unwrap();
        assert_eq!(doc.value["metadata"]["labels"], json!({"a": 1}));
        // A real unknown anchor is still an error.
        assert!(skim("kind: CustomResourceDefinition\nmetadata: *nope\n").is_err());
    }

    #[test]
    fn positions_point_at_keys_and_items() {
        let doc = parse(
            "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: a\n    securityContext:\n      privileged: true\n",
        );
        assert_eq!(span_of(&doc, "/spec"), Pos { line: 3, column: 1 });
        assert_eq!(
            span_of(&doc, "/spec/containers/0"),
            Pos { line: 5, column: 5 }
        );
        assert_eq!(
            span_of(&doc, "/spec/containers/0/securityContext/privileged"),
            Pos { line: 7, column: 7 }
        );
        assert_eq!(
            doc.value["spec"]["containers"][0]["securityContext"]["privileged"],
            json!(true)
        );
    }

    #[test]
    fn yaml_1_1_scalars_as_kubernetes_reads_them() {
        let doc = parse(
            "a: yes\nb: off\nc: 0755\nd: 0x1F\ne: 1_000\nf: 1.5\ng: ~\nh: '0755'\ni: .inf\nj: -12\nk: 1e3\nl: v1.2\nm: !!str 12\n",
        );
        assert_eq!(
            doc.value,
            json!({"a": true, "b": false, "c": 493, "d": 31, "e": 1000, "f": 1.5, "g": null,
                   "h": "0755", "i": ".inf", "j": -12, "k": 1000.0, "l": "v1.2", "m": "12"})
        );
    }

    #[test]
    fn anchors_aliases_and_merge_keys() {
        let text =
            "base: &b\n  image: nginx\n  tag: '1'\nother:\n  <<: *b\n  tag: '2'\nlist: [*b]\n";
        let doc = parse(text);
        assert_eq!(doc.value["other"], json!({"tag": "2", "image": "nginx"}));
        assert_eq!(doc.value["list"][0]["image"], json!("nginx"));
        // The merged field keeps the position where it was written, the explicit one its own.
        assert_eq!(span_of(&doc, "/other/image"), Pos { line: 2, column: 3 });
        assert_eq!(span_of(&doc, "/other/tag"), Pos { line: 6, column: 3 });
        assert_eq!(span_of(&doc, "/list/0/image"), Pos { line: 2, column: 3 });
    }

    #[test]
    fn merge_list_earlier_wins() {
        let doc = parse("a: &a {x: 1}\nb: &b {x: 2, y: 2}\nc:\n  <<: [*a, *b]\n");
        assert_eq!(doc.value["c"], json!({"x": 1, "y": 2}));
    }

    #[test]
    fn line_offset_applies() {
        let doc = parse_document("---\nkind: Pod\n", 10).unwrap().unwrap();
        assert_eq!(
            span_of(&doc, "/kind"),
            Pos {
                line: 12,
                column: 1
            }
        );
    }

    #[test]
    fn errors_have_positions() {
        let err = parse_document("a: b\n  c: [\n", 0).unwrap_err();
        assert!(err.pos.line >= 2, "{err:?}");
    }

    #[test]
    fn alias_bomb_is_refused() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..9 {
            let prev = format!("*a{}", i - 1);
            text.push_str(&format!("a{i}: &a{i} [{}]\n", vec![prev; 10].join(", ")));
        }
        let err = parse_document(&text, 0).unwrap_err();
        assert!(err.message.contains("aliases"), "{err:?}");
    }

    #[test]
    fn deep_nesting_is_refused() {
        let text = format!("{}{}", "[".repeat(1000), "]".repeat(1000));
        assert!(parse_document(&text, 0).is_err());
    }

    #[test]
    fn duplicate_keys_warn() {
        let doc = parse("a: 1\na: 2\n");
        assert_eq!(doc.value["a"], json!(2));
        assert_eq!(doc.warnings.len(), 1);
    }

    #[test]
    fn json_documents_parse() {
        let doc = parse("{\"kind\": \"Pod\", \"spec\": {\"n\": [1, 2]}}");
        assert_eq!(doc.value["spec"]["n"], json!([1, 2]));
    }
}
