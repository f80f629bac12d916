//! Reading manifests from files, directories and stdin into objects and diagnostics.
//!
//! A bad document never stops the load: it becomes a [`Diagnostic`] with its file,
//! document and line, and every other document is still read.

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use serde::Serialize;
use serde_json::Value;

use crate::object::Object;
use crate::span::{DocSpans, DocumentId, Pos, ROOT_HASH};
use crate::yaml::parse_document_skimming;

/// Files larger than this are refused unless the caller raises the limit.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 64 * 1024 * 1024;

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DiagnosticLevel {
    /// Something odd that did not stop the document from being analysed.
    Warning,
    /// The document (or file) could not be analysed.
    Error,
}

/// A problem with the input itself (not a security finding).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Error or warning.
    pub level: DiagnosticLevel,
    /// The file as given (or `<stdin>`).
    pub file: String,
    /// 1-based document number, when the problem is inside one document.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document: Option<u32>,
    /// 1-based line, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// 1-based column, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
    /// What is wrong, in words a person can act on.
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(col) = self.column {
                write!(f, ":{col}")?;
            }
        }
        let level = match self.level {
            DiagnosticLevel::Warning => "warning",
            DiagnosticLevel::Error => "error",
        };
        write!(f, ": {level}: {}", self.message)?;
        if let Some(doc) = self.document {
            write!(f, " (document {doc})")?;
        }
        Ok(())
    }
}

/// Options for loading.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    /// Larger files are reported and skipped.
    pub max_file_size: u64,
    /// Objects of these kinds keep only `apiVersion`, `kind` and `metadata` (and the
    /// positions of those): for a command none of whose analyzers reads their bodies.
    /// The OpenAPI schemas of CustomResourceDefinitions are most of the bytes of many
    /// charts (argo-cd's 14 MB of CRDs become over 100 MB of parsed values), and no
    /// security rule reads them.
    pub metadata_only_kinds: Vec<String>,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            metadata_only_kinds: Vec::new(),
        }
    }
}

impl LoadOptions {
    fn keeps_body(&self, kind: &str) -> bool {
        !self.metadata_only_kinds.iter().any(|k| k == kind)
    }
}

/// What a load produced: objects in input order, and every problem met.
#[derive(Debug, Default, Clone)]
pub struct Loaded {
    /// Objects, in the order of files (sorted within directories) and documents.
    pub objects: Vec<Object>,
    /// Problems with the input.
    pub diagnostics: Vec<Diagnostic>,
    /// How many files were read.
    pub files: usize,
}

impl Loaded {
    /// True when any diagnostic is an error (a document or file was not analysed).
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.level == DiagnosticLevel::Error)
    }

    fn extend(&mut self, other: Loaded) {
        self.objects.extend(other.objects);
        self.diagnostics.extend(other.diagnostics);
        self.files += other.files;
    }
}

/// Loads every path: files, directories (recursively, `.yaml`, `.yml`, `.json`) and `-` for stdin.
pub fn load_paths<P: AsRef<Path>>(paths: &[P], options: &LoadOptions) -> Loaded {
    let mut inputs: Vec<Input> = Vec::new();
    let mut out = Loaded::default();
    for path in paths {
        let path = path.as_ref();
        if path == Path::new("-") {
            inputs.push(Input::Stdin);
            continue;
        }
        match std::fs::metadata(path) {
            Ok(m) if m.is_dir() => collect_dir(path, &mut inputs, &mut out.diagnostics),
            Ok(_) => inputs.push(Input::File(path.to_path_buf())),
            Err(e) => out.diagnostics.push(file_error(
                &path.display().to_string(),
                format!("cannot read: {e}"),
            )),
        }
    }
    let results: Vec<Loaded> = inputs
        .par_iter()
        .map(|input| load_input(input, options))
        .collect();
    for r in results {
        out.extend(r);
    }
    out
}

enum Input {
    Stdin,
    File(PathBuf),
}

fn collect_dir(dir: &Path, inputs: &mut Vec<Input>, diags: &mut Vec<Diagnostic>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            diags.push(file_error(
                &dir.display().to_string(),
                format!("cannot read directory: {e}"),
            ));
            return;
        }
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        // Hidden folders are VCS and tool state (.git, .github workflows are not manifests).
        if name.starts_with('.') {
            continue;
        }
        let Ok(meta) = std::fs::metadata(&path) else {
            continue;
        };
        if meta.is_dir() {
            collect_dir(&path, inputs, diags);
        } else if is_manifest_name(name) {
            inputs.push(Input::File(path));
        }
    }
}

fn is_manifest_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.ends_with(".yaml") || lower.ends_with(".yml") || lower.ends_with(".json")
}

fn file_error(file: &str, message: String) -> Diagnostic {
    Diagnostic {
        level: DiagnosticLevel::Error,
        file: file.to_string(),
        document: None,
        line: None,
        column: None,
        message,
    }
}

fn load_input(input: &Input, options: &LoadOptions) -> Loaded {
    let (label, bytes) = match input {
        Input::Stdin => {
            let mut buf = Vec::new();
            let limit = options.max_file_size.saturating_add(1);
            if let Err(e) = std::io::stdin().lock().take(limit).read_to_end(&mut buf) {
                return Loaded {
                    diagnostics: vec![file_error("<stdin>", format!("cannot read: {e}"))],
                    ..Loaded::default()
                };
            }
            ("<stdin>".to_string(), buf)
        }
        Input::File(path) => {
            let label = path.display().to_string();
            match std::fs::metadata(path) {
                Ok(m) if m.len() > options.max_file_size => {
                    return Loaded {
                        diagnostics: vec![too_large(&label, m.len(), options.max_file_size)],
                        files: 1,
                        ..Loaded::default()
                    };
                }
                _ => {}
            }
            match std::fs::read(path) {
                Ok(b) => (label, b),
                Err(e) => {
                    return Loaded {
                        diagnostics: vec![file_error(&label, format!("cannot read: {e}"))],
                        ..Loaded::default()
                    };
                }
            }
        }
    };
    if bytes.len() as u64 > options.max_file_size {
        return Loaded {
            diagnostics: vec![too_large(&label, bytes.len() as u64, options.max_file_size)],
            files: 1,
            ..Loaded::default()
        };
    }
    let mut loaded = parse_bytes_with(&label, &bytes, options);
    loaded.files = 1;
    loaded
}

fn too_large(label: &str, size: u64, max: u64) -> Diagnostic {
    file_error(
        label,
        format!(
            "file is {size} bytes, larger than the limit of {max} bytes; skipped (raise it with --max-file-size)"
        ),
    )
}

/// Parses the bytes of one file; the label names it in objects and diagnostics.
pub fn parse_bytes(label: &str, bytes: &[u8]) -> Loaded {
    parse_bytes_with(label, bytes, &LoadOptions::default())
}

/// Like [`parse_bytes`], with the body options of `options` (its size limit is the
/// caller's business: the bytes are already read).
pub fn parse_bytes_with(label: &str, bytes: &[u8], options: &LoadOptions) -> Loaded {
    let sniff = &bytes[..bytes.len().min(8192)];
    if sniff.contains(&0) {
        return Loaded {
            diagnostics: vec![file_error(
                label,
                "binary file (contains NUL bytes); skipped".into(),
            )],
            ..Loaded::default()
        };
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => parse_str_with(label, text, options),
        Err(e) => {
            let line = bytes[..e.valid_up_to()]
                .iter()
                .filter(|&&b| b == b'\n')
                .count()
                + 1;
            Loaded {
                diagnostics: vec![Diagnostic {
                    line: Some(u32::try_from(line).unwrap_or(u32::MAX)),
                    ..file_error(
                        label,
                        format!(
                            "not valid UTF-8 text (invalid byte at offset {}); skipped",
                            e.valid_up_to()
                        ),
                    )
                }],
                ..Loaded::default()
            }
        }
    }
}

/// Parses the text of one file (multi-document YAML, or JSON); the label names it.
pub fn parse_str(label: &str, text: &str) -> Loaded {
    parse_str_with(label, text, &LoadOptions::default())
}

/// Like [`parse_str`], with the body options of `options`.
pub fn parse_str_with(label: &str, text: &str, options: &LoadOptions) -> Loaded {
    let file: Arc<str> = Arc::from(label);
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // YAML reads a CRLF line break as LF, but saphyr rejects some multi-line scalars
    // written with CRLF; normalising first keeps every line and column.
    let normalised;
    let text = if text.contains("\r\n") {
        normalised = text.replace("\r\n", "\n");
        normalised.as_str()
    } else {
        text
    };
    let mut out = Loaded::default();
    for chunk in split_documents(text) {
        parse_chunk(&file, chunk, options, &mut out);
    }
    out
}

/// One YAML document cut out of a file.
#[derive(Debug, Clone, Copy)]
struct Chunk<'a> {
    text: &'a str,
    /// 0-based line of the chunk's first line in the file.
    first_line: u32,
    /// 1-based document number.
    number: u32,
}

/// Cuts a YAML stream at its `---` markers so that one malformed document cannot take
/// the others down with it: YAML parsers stop at the first error, and a line that
/// starts with `---` at column 0 always starts a new document (the spec forbids it
/// inside a document's content).
fn split_documents(text: &str) -> Vec<Chunk<'_>> {
    // (byte start, byte end, first line) of every piece between markers.
    let mut pieces: Vec<(usize, usize, u32)> = Vec::new();
    let (mut start, mut start_line, mut offset, mut line_no) = (0usize, 0u32, 0usize, 0u32);
    for line in text.split_inclusive('\n') {
        if offset > 0 && is_document_start(line) {
            pieces.push((start, offset, start_line));
            start = offset;
            start_line = line_no;
        }
        offset += line.len();
        line_no += 1;
    }
    pieces.push((start, text.len(), start_line));
    let mut chunks = Vec::new();
    for (s, e, first_line) in pieces {
        let piece = &text[s..e];
        // A piece before the first `---` that holds only comments is no document.
        if piece.starts_with("---") || has_content(piece) {
            let number = u32::try_from(chunks.len()).unwrap_or(u32::MAX - 1) + 1;
            chunks.push(Chunk {
                text: piece,
                first_line,
                number,
            });
        }
    }
    chunks
}

/// The text with every tab in a line's leading whitespace read as a space, and every
/// line that holds only closing brackets (and the quote that ends a multi-line scalar)
/// indented two more spaces.
fn relax_flow_indentation(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    for line in text.split_inclusive('\n') {
        let body = line.trim_start_matches([' ', '\t']);
        let lead = &line[..line.len() - body.len()];
        out.extend(lead.chars().map(|c| if c == '\t' { ' ' } else { c }));
        let closing_only = !body.trim().is_empty()
            && body
                .trim()
                .chars()
                .all(|c| matches!(c, ']' | '}' | ',' | ' ' | '\'' | '"'));
        if closing_only {
            out.push_str("  ");
        }
        out.push_str(body);
    }
    out
}

/// The 1-based line (within the chunk) of the last line that is not blank.
fn last_content_line(text: &str) -> u32 {
    let n = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, _)| i + 1)
        .last()
        .unwrap_or(1);
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn is_document_start(line: &str) -> bool {
    line.strip_prefix("---")
        .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t', '\n', '\r']))
}

/// True when the text holds anything but blank lines, comments and directives.
fn has_content(text: &str) -> bool {
    text.lines().any(|l| {
        let t = l.trim();
        !(t.is_empty() || t.starts_with('#') || t.starts_with('%') || t == "...")
    })
}

fn parse_chunk(file: &Arc<str>, chunk: Chunk<'_>, options: &LoadOptions, out: &mut Loaded) {
    let diag = |level, line: Option<u32>, column: Option<u32>, message: String| Diagnostic {
        level,
        file: file.to_string(),
        document: Some(chunk.number),
        line,
        column,
        message,
    };
    let template = find_template(chunk.text).map(|l| l + chunk.first_line);
    let keep_body = |kind: &str| options.keeps_body(kind);
    let parse = |text: &str| parse_document_skimming(text, chunk.first_line, &keep_body);
    let mut parsed = parse(chunk.text);
    if let Err(e) = &parsed
        && (e.message.contains("tab") || e.message.contains("indentation"))
    {
        // Kubernetes' YAML library (go-yaml) is more lenient than saphyr inside flow
        // collections: it accepts tabs in a line's leading whitespace and a closing `]`
        // or `}` at the indentation of the key that opened it. Retry with those lines
        // re-indented; inside a flow collection indentation carries no meaning, so the
        // value is the one go-yaml reads. Lines keep their numbers.
        let lenient = relax_flow_indentation(chunk.text);
        if let Ok(retry) = parse(&lenient) {
            out.diagnostics.push(diag(
                DiagnosticLevel::Warning,
                Some(e.pos.line),
                None,
                format!(
                    "{} (accepted as Kubernetes' YAML parser accepts it)",
                    e.message
                ),
            ));
            parsed = Ok(retry);
        }
    }
    let parsed = match parsed {
        Ok(Some(p)) => p,
        Ok(None) => return,
        Err(e) => {
            let message = match template {
                Some(_) => format!(
                    "unrendered Helm/Go template (`{{{{ ... }}}}`); render it first, e.g. `helm template`, then scan the output (YAML error: {})",
                    e.message
                ),
                None => format!("invalid YAML: {}", e.message),
            };
            // An error found only at the end of the input (an unclosed bracket) would
            // otherwise point at the next document's `---`; point at this document's
            // last line instead.
            let last_line = chunk.first_line + last_content_line(chunk.text);
            let (line, column) = match template {
                Some(l) => (l, None),
                None if e.pos.line > last_line => (last_line, None),
                None => (e.pos.line, Some(e.pos.column)),
            };
            out.diagnostics
                .push(diag(DiagnosticLevel::Error, Some(line), column, message));
            return;
        }
    };
    if let Some(line) = template {
        out.diagnostics.push(diag(
            DiagnosticLevel::Error,
            Some(line),
            None,
            "unrendered Helm/Go template (`{{ ... }}`); render it first, e.g. `helm template`, then scan the output".into(),
        ));
        return;
    }
    for w in &parsed.warnings {
        out.diagnostics.push(diag(
            DiagnosticLevel::Warning,
            Some(w.pos.line),
            Some(w.pos.column),
            w.message.clone(),
        ));
    }
    let root_pos = parsed.root;
    // Positions are recorded while parsing: keeping every file's text to parse again on
    // demand (DocSpans::lazy) measured 20 MB more on the manifest corpus than the hashed
    // index, because most documents end up located anyway.
    let mut value = parsed.value;
    let mut index = parsed.index;
    let keeps_body = options.keeps_body(value.get("kind").and_then(Value::as_str).unwrap_or(""));
    if !keeps_body {
        value = metadata_only(value);
        index = index.restricted_to(&value, ROOT_HASH);
    }
    let spans = Arc::new(DocSpans::ready(index));
    let doc = DocumentId {
        file: file.clone(),
        document: chunk.number,
    };
    match value {
        Value::Null => {}
        Value::Object(_) => add_object(value, String::new(), &doc, &spans, root_pos, options, out),
        other => out.diagnostics.push(diag(
            DiagnosticLevel::Error,
            Some(root_pos.line),
            Some(root_pos.column),
            format!(
                "document is a {}, not a Kubernetes object (a mapping)",
                type_name(&other)
            ),
        )),
    }
}

fn add_object(
    mut value: Value,
    prefix: String,
    doc: &DocumentId,
    spans: &Arc<DocSpans>,
    pos: Pos,
    options: &LoadOptions,
    out: &mut Loaded,
) {
    let kind = value
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    // `kind: List` and every `*List` (kubectl get -o yaml) hold their objects in `items`.
    if kind.ends_with("List") && value.get("items").is_some_and(Value::is_array) {
        let items = match value.get_mut("items").map(Value::take) {
            Some(Value::Array(items)) => items,
            _ => Vec::new(),
        };
        for (i, item) in items.into_iter().enumerate() {
            let item_prefix = format!("{prefix}/items/{i}");
            let item_pos = spans.get(&item_prefix).unwrap_or(pos);
            if !item.is_object() {
                out.diagnostics.push(Diagnostic {
                    level: DiagnosticLevel::Error,
                    file: doc.file.to_string(),
                    document: Some(doc.document),
                    line: Some(item_pos.line),
                    column: Some(item_pos.column),
                    message: format!(
                        "item {i} of {kind} is a {}, not an object",
                        type_name(&item)
                    ),
                });
                continue;
            }
            add_object(item, item_prefix, doc, spans, item_pos, options, out);
        }
        return;
    }
    // An item of a `List` shares its document's positions with the other items, so only
    // its value is reduced; a whole document was reduced with its positions above.
    if !options.keeps_body(&kind) {
        value = metadata_only(value);
    }
    let source = crate::object::Source {
        doc: doc.clone(),
        prefix,
        spans: spans.clone(),
    };
    match Object::new(value, source) {
        Ok(obj) => out.objects.push(obj),
        Err(missing) => out.diagnostics.push(Diagnostic {
            level: DiagnosticLevel::Error,
            file: doc.file.to_string(),
            document: Some(doc.document),
            line: Some(pos.line),
            column: Some(pos.column),
            message: missing.to_string(),
        }),
    }
}

/// The object reduced to `apiVersion`, `kind` and `metadata`: enough for its identity,
/// labels and annotations (suppressions, selectors), nothing else.
fn metadata_only(value: Value) -> Value {
    match value {
        Value::Object(mut map) => {
            let mut kept = serde_json::Map::with_capacity(3);
            for key in ["apiVersion", "kind", "metadata"] {
                if let Some(v) = map.remove(key) {
                    kept.insert(key.to_string(), v);
                }
            }
            Value::Object(kept)
        }
        other => other,
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "sequence",
        Value::Object(_) => "mapping",
    }
}

/// The 1-based line (within the chunk) of Helm/Go template syntax that would not appear
/// in a rendered manifest. `{{ $labels.x }}` inside a Prometheus rule string is data,
/// so only template actions that Helm charts use are recognised.
fn find_template(text: &str) -> Option<u32> {
    // Words that start a Helm action, or objects only a chart's template can see.
    const ACTION_STARTS: &[&str] = &[
        ".Values",
        ".Release",
        ".Chart",
        ".Capabilities",
        ".Files",
        ".Template",
        "include ",
        "template ",
        "toYaml",
        "if ",
        "else",
        "end",
        "range ",
        "with ",
        "define ",
        "tpl ",
    ];
    for (i, line) in text.lines().enumerate() {
        let mut rest = line;
        while let Some(open) = rest.find("{{") {
            rest = &rest[open + 2..];
            let action = rest.trim_start_matches('-').trim_start();
            let action = &action[..action.find("}}").unwrap_or(action.len())];
            if action.contains(".Values")
                || action.contains(".Release")
                || ACTION_STARTS.iter().any(|m| action.starts_with(m))
            {
                return Some(u32::try_from(i).unwrap_or(u32::MAX - 1) + 1);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn skimming_crds() -> LoadOptions {
        LoadOptions {
            metadata_only_kinds: vec!["CustomResourceDefinition".to_string()],
            ..LoadOptions::default()
        }
    }

    #[test]
    fn metadata_only_kinds_keep_identity_metadata_and_their_positions() {
        let text = "apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
  annotations:
    kspect.dev/ignore: KSP301
spec:
  group: example.com
  versions:
  - name: v1
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: kept
data:
  a: b
";
        let loaded = parse_str_with("c.yaml", text, &skimming_crds());
        assert_eq!(loaded.objects.len(), 2);
        let crd = &loaded.objects[0];
        let keys: Vec<&str> = crd
            .value
            .as_object()
            .unwrap()
            .keys()
            .map(|k| k.as_str())
            .collect();
        assert_eq!(keys, ["apiVersion", "kind", "metadata"]);
        assert_eq!(crd.id.name, "widgets.example.com");
        assert_eq!(crd.annotation("kspect.dev/ignore"), Some("KSP301"));
        let name = crd.locate("/metadata/name");
        assert_eq!((name.line, name.column), (4, 3));
        assert_eq!(
            crd.locate("/metadata/annotations/kspect.dev~1ignore").line,
            6
        );
        // The dropped body has no positions left: a pointer into it falls back to the root.
        let gone = crd.locate("/spec/group");
        assert_eq!((gone.line, gone.pointer.as_str()), (1, ""));
        // Other kinds are untouched.
        let cm = &loaded.objects[1];
        assert_eq!(cm.get("/data/a").and_then(Value::as_str), Some("b"));
        assert_eq!(cm.locate("/data/a").line, 17);
    }

    #[test]
    fn metadata_only_applies_to_items_of_a_list() {
        let text = "apiVersion: v1
kind: List
items:
- apiVersion: apiextensions.k8s.io/v1
  kind: CustomResourceDefinition
  metadata:
    name: a.example.com
  spec:
    group: example.com
- apiVersion: v1
  kind: Service
  metadata:
    name: s
  spec:
    type: NodePort
";
        let loaded = parse_str_with("l.yaml", text, &skimming_crds());
        assert_eq!(loaded.objects.len(), 2);
        assert!(loaded.objects[0].get("/spec").is_none());
        assert_eq!(loaded.objects[0].locate("/metadata/name").line, 7);
        assert_eq!(
            loaded.objects[1].get("/spec/type").and_then(Value::as_str),
            Some("NodePort")
        );
        assert_eq!(loaded.objects[1].locate("/spec/type").line, 15);
    }

    #[test]
    fn multi_document_with_a_broken_one_in_the_middle() {
        let text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\nkind: [broken\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: c\n";
        let loaded = parse_str("f.yaml", text);
        let names: Vec<_> = loaded.objects.iter().map(|o| o.id.name.as_str()).collect();
        assert_eq!(names, ["a", "c"]);
        assert_eq!(loaded.diagnostics.len(), 1);
        let d = &loaded.diagnostics[0];
        assert_eq!(d.document, Some(2));
        assert_eq!(d.line, Some(5), "{d}");
        assert!(d.message.starts_with("invalid YAML"), "{d}");
        let c = &loaded.objects[1];
        assert_eq!(c.source.doc.document, 3);
        assert_eq!(c.locate("/metadata/name").line, 10);
    }

    #[test]
    fn lists_are_expanded_with_positions() {
        let text = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: p}\n- apiVersion: v1\n  kind: Service\n  metadata:\n    name: s\n";
        let loaded = parse_str("l.yaml", text);
        assert_eq!(loaded.objects.len(), 2);
        let s = &loaded.objects[1];
        assert_eq!(s.id.kind, "Service");
        let loc = s.locate("/metadata/name");
        assert_eq!((loc.line, loc.column), (10, 5));
        assert_eq!(loc.pointer, "/metadata/name");
        let missing = s.locate("/spec/type");
        assert_eq!(missing.pointer, "");
        assert_eq!(missing.line, 7);
    }

    #[test]
    fn documents_without_identity_are_reported() {
        let loaded = parse_str("x.yaml", "foo: bar\n---\napiVersion: v1\nmetadata: {}\n");
        assert!(loaded.objects.is_empty());
        assert_eq!(loaded.diagnostics.len(), 2);
        assert!(
            loaded.diagnostics[0]
                .message
                .contains("no `apiVersion` and no `kind`")
        );
        assert!(loaded.diagnostics[1].message.contains("no `kind`"));
        assert_eq!(loaded.diagnostics[1].line, Some(3));
    }

    #[test]
    fn helm_templates_are_recognised_but_prometheus_strings_are_data() {
        let helm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n";
        let loaded = parse_str("t.yaml", helm);
        assert!(loaded.objects.is_empty());
        assert_eq!(loaded.diagnostics[0].line, Some(4));
        assert!(loaded.diagnostics[0].message.contains("Helm"));
        let prom = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: r\ndata:\n  a: 'value {{ $labels.instance }} is {{ $value }}'\n";
        assert_eq!(parse_str("p.yaml", prom).objects.len(), 1);
    }

    #[test]
    fn binary_and_non_utf8_are_reported() {
        let l = parse_bytes("b.bin", b"apiVersion: v1\0\0");
        assert!(l.objects.is_empty() && l.diagnostics[0].message.contains("binary"));
        let l = parse_bytes("u.yaml", b"kind: Pod\nname: \xff\n");
        assert_eq!(l.diagnostics[0].line, Some(2));
    }

    #[test]
    fn json_files_and_leading_comments() {
        let l = parse_str(
            "a.json",
            "{\"apiVersion\": \"v1\", \"kind\": \"Namespace\", \"metadata\": {\"name\": \"n\"}}",
        );
        assert_eq!(l.objects.len(), 1);
        let l = parse_str(
            "c.yaml",
            "# only a comment\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: n}\n---\n",
        );
        assert_eq!(l.objects.len(), 1);
        assert_eq!(l.objects[0].source.doc.document, 1);
        assert!(l.diagnostics.is_empty());
    }

    #[test]
    fn tabs_in_flow_indentation_are_accepted_like_go_yaml() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  args:\n    [\n      \"-a\",\n\t      \"-b\",\n    ]\n";
        let l = parse_str("t.yaml", text);
        assert_eq!(l.objects.len(), 1, "{:?}", l.diagnostics);
        assert_eq!(l.objects[0].value["spec"]["args"][1], "-b");
        assert_eq!(l.diagnostics[0].level, DiagnosticLevel::Warning);
    }

    #[test]
    fn closing_bracket_at_key_indentation_and_crlf_are_accepted() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  args: [\n      \"-a\", \"-b\",\n  ]\n  c: 1\n";
        let l = parse_str("b.yaml", text);
        assert_eq!(l.objects.len(), 1, "{:?}", l.diagnostics);
        assert_eq!(
            l.objects[0].value["spec"]["args"],
            serde_json::json!(["-a", "-b"])
        );
        assert_eq!(l.objects[0].locate("/spec/c").line, 8);
        let crlf = "apiVersion: v1\r\nkind: ConfigMap\r\nmetadata: {name: n}\r\ndata:\r\n  config: '{\r\n    \"a\": 1\r\n    }'\r\n";
        let l = parse_str("c.yaml", crlf);
        assert_eq!(l.objects.len(), 1, "{:?}", l.diagnostics);
        assert_eq!(l.objects[0].value["data"]["config"], "{ \"a\": 1 }");
    }

    #[test]
    fn scalar_documents_are_errors() {
        let l = parse_str("s.yaml", "just a string\n");
        assert!(
            l.diagnostics[0]
                .message
                .contains("string, not a Kubernetes object")
        );
    }
}
