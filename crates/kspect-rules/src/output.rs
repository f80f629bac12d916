//! Output formats (`%field` tokens) and alerts in Falco's text and JSON shapes.

use std::collections::BTreeSet;

use crate::ast::Operand;
use crate::event::{Event, Values};
use crate::fields::{FieldRegistry, flags};
use crate::filter::{Accessor, compile_operand};
use crate::parser;

/// One part of an output format.
#[derive(Debug, Clone)]
enum Part {
    Lit(String),
    Field {
        token: String,
        acc: Accessor,
        width: Option<usize>,
        transformer: bool,
    },
}

/// A compiled output format.
#[derive(Debug, Clone)]
pub struct OutputFormat {
    parts: Vec<Part>,
}

/// An output token that names no field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid formatting token {0}")]
pub struct FormatError(pub String);

fn token_char(b: u8) -> bool {
    !matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'%')
}

impl OutputFormat {
    /// Compiles `fmt` against `reg`: each `%` starts the longest prefix that parses as a
    /// field or transformer and resolves.
    pub fn compile(fmt: &str, reg: &FieldRegistry) -> Result<OutputFormat, FormatError> {
        let b = fmt.as_bytes();
        let mut parts = Vec::new();
        let mut lit = String::new();
        let mut i = 0;
        while i < b.len() {
            if b[i] != b'%' {
                let start = i;
                while i < b.len() && b[i] != b'%' {
                    i += 1;
                }
                lit.push_str(&fmt[start..i]);
                continue;
            }
            i += 1;
            let wstart = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            let width = fmt[wstart..i].parse::<usize>().ok();
            let mut end = i;
            while end < b.len() && token_char(b[end]) {
                end += 1;
            }
            let mut found = None;
            while end > i {
                if let Some(cand) = fmt.get(i..end) {
                    if let Some(op) = parser::parse_operand(cand) {
                        if let Ok((acc, _, _)) = compile_operand(&op, reg) {
                            found = Some((
                                cand.to_string(),
                                acc,
                                matches!(op, Operand::Transformer(_)),
                            ));
                            break;
                        }
                    }
                }
                end -= 1;
            }
            let Some((token, acc, transformer)) = found else {
                let shown: String = fmt[i..]
                    .chars()
                    .take_while(|c| !c.is_whitespace())
                    .collect();
                return Err(FormatError(format!("%{shown}")));
            };
            if !lit.is_empty() {
                parts.push(Part::Lit(std::mem::take(&mut lit)));
            }
            parts.push(Part::Field {
                token,
                acc,
                width,
                transformer,
            });
            i = end;
        }
        if !lit.is_empty() {
            parts.push(Part::Lit(lit));
        }
        Ok(OutputFormat { parts })
    }

    /// The field tokens, as written.
    pub fn tokens(&self) -> Vec<&str> {
        self.parts
            .iter()
            .filter_map(|p| match p {
                Part::Field { token, .. } => Some(token.as_str()),
                Part::Lit(_) => None,
            })
            .collect()
    }

    /// Renders the message and the `output_fields` map.
    pub fn render<E: Event + ?Sized>(
        &self,
        ev: &E,
    ) -> (String, serde_json::Map<String, serde_json::Value>) {
        let mut out = String::new();
        let mut fields = serde_json::Map::new();
        for p in &self.parts {
            match p {
                Part::Lit(s) => out.push_str(s),
                Part::Field {
                    token,
                    acc,
                    width,
                    transformer,
                } => {
                    let vals = acc.get(ev);
                    let (text, json) = match &vals {
                        Values::Missing => ("<NA>".to_string(), serde_json::Value::Null),
                        Values::One(v) => (v.to_text(), v.to_json()),
                        Values::Many(vs) if vs.is_empty() => {
                            ("<NA>".to_string(), serde_json::Value::Null)
                        }
                        Values::Many(vs) => (
                            format!(
                                "({})",
                                vs.iter().map(|v| v.to_text()).collect::<Vec<_>>().join(",")
                            ),
                            serde_json::Value::Array(vs.iter().map(|v| v.to_json()).collect()),
                        ),
                    };
                    let text = match width {
                        Some(w) => {
                            let mut t: String = text.chars().take(*w).collect();
                            while t.chars().count() < *w {
                                t.push(' ');
                            }
                            t
                        }
                        None => text,
                    };
                    out.push_str(&text);
                    if !transformer {
                        fields.insert(token.clone(), json);
                    }
                }
            }
        }
        (out, fields)
    }

    /// Whether a token names a deprecated field.
    pub fn uses_field(&self, reg: &FieldRegistry, name: &str) -> bool {
        self.parts.iter().any(|p| match p {
            Part::Field {
                acc: Accessor::Field { id, .. },
                ..
            } => reg.def(*id).name == name,
            _ => false,
        })
    }

    /// Deprecated fields used by the format.
    pub fn deprecated_fields(&self, reg: &FieldRegistry) -> BTreeSet<String> {
        self.parts
            .iter()
            .filter_map(|p| match p {
                Part::Field {
                    acc: Accessor::Field { id, .. },
                    ..
                } => {
                    let d = reg.def(*id);
                    d.has(flags::DEPRECATED).then(|| d.name.clone())
                }
                _ => None,
            })
            .collect()
    }
}

/// Rule priorities, most severe first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub enum Priority {
    /// Emergency.
    Emergency,
    /// Alert.
    Alert,
    /// Critical.
    Critical,
    /// Error.
    Error,
    /// Warning.
    Warning,
    /// Notice.
    Notice,
    /// Informational.
    Informational,
    /// Debug.
    Debug,
}

impl Priority {
    /// Parses a priority, case-insensitively; `info` means informational.
    pub fn parse(s: &str) -> Option<Priority> {
        Some(match s.to_ascii_lowercase().as_str() {
            "emergency" => Priority::Emergency,
            "alert" => Priority::Alert,
            "critical" => Priority::Critical,
            "error" => Priority::Error,
            "warning" => Priority::Warning,
            "notice" => Priority::Notice,
            "informational" | "info" => Priority::Informational,
            "debug" => Priority::Debug,
            _ => return None,
        })
    }

    /// The canonical spelling used in outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Emergency => "Emergency",
            Priority::Alert => "Alert",
            Priority::Critical => "Critical",
            Priority::Error => "Error",
            Priority::Warning => "Warning",
            Priority::Notice => "Notice",
            Priority::Informational => "Informational",
            Priority::Debug => "Debug",
        }
    }
}

/// One alert, with the fields of Falco's JSON output.
#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    /// Event time, nanoseconds since the epoch.
    pub time_ns: i64,
    /// Rule name.
    pub rule: String,
    /// Rule priority.
    pub priority: Priority,
    /// The formatted message (without the time/priority prefix).
    pub message: String,
    /// `output_fields`.
    pub output_fields: serde_json::Map<String, serde_json::Value>,
    /// Rule tags (sorted).
    pub tags: Vec<String>,
    /// Event source.
    pub source: String,
    /// Host name.
    pub hostname: String,
}

impl Alert {
    fn time_iso(&self) -> String {
        let ts = jiff::Timestamp::from_nanosecond(i128::from(self.time_ns))
            .unwrap_or(jiff::Timestamp::UNIX_EPOCH);
        let secs = ts.as_second();
        let nanos = ts.subsec_nanosecond();
        let dt = jiff::Timestamp::from_second(secs).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
        let base = dt.strftime("%Y-%m-%dT%H:%M:%S").to_string();
        format!("{base}.{nanos:09}Z")
    }

    /// Falco's text line: `<time>: <Priority> <message>`.
    pub fn to_text(&self) -> String {
        format!(
            "{}: {} {}",
            self.time_iso(),
            self.priority.as_str(),
            self.message
        )
    }

    /// Falco's JSON alert object.
    pub fn to_json(&self) -> serde_json::Value {
        let mut fields = self.output_fields.clone();
        fields.insert("evt.time".into(), serde_json::Value::from(self.time_ns));
        serde_json::json!({
            "hostname": self.hostname,
            "output": self.to_text(),
            "output_fields": fields,
            "priority": self.priority.as_str(),
            "rule": self.rule,
            "source": self.source,
            "tags": self.tags,
            "time": self.time_iso(),
        })
    }
}
