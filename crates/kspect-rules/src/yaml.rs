//! A small YAML node tree that keeps every scalar as text, with its position.
//!
//! Falco reads rule files through yaml-cpp and converts only the keys that are booleans
//! or integers; everything else (list items such as `yes`, `0755` or `1.0`) stays the
//! text that was written. A YAML-1.1 or 1.2 resolving loader would change those values,
//! so this module builds its own tree from the `saphyr-parser` event stream instead.

use saphyr_parser::{Event, Parser, ScalarStyle, Span};

/// Nesting deeper than this is refused, so hostile input cannot overflow the stack.
const MAX_DEPTH: usize = 256;

/// A line and column, both counted from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Mark {
    /// Line, from 1.
    pub line: u32,
    /// Column, from 1.
    pub column: u32,
}

/// A YAML node.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// A null: an empty plain scalar, `~` or `null` (as yaml-cpp sees it).
    Null(Mark),
    /// Any other scalar, as written.
    Scalar {
        /// The text after YAML unquoting/folding.
        text: String,
        /// Whether the scalar was quoted (single or double) or a block scalar.
        quoted: bool,
        /// Where it starts.
        mark: Mark,
    },
    /// A sequence.
    Seq(Vec<Node>, Mark),
    /// A mapping with its keys in file order.
    Map(Vec<(Node, Node)>, Mark),
}

/// A YAML syntax error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct YamlSyntaxError {
    /// The parser's message.
    pub message: String,
    /// Where.
    pub mark: Mark,
}

impl Node {
    /// Position of the node.
    pub fn mark(&self) -> Mark {
        match self {
            Node::Null(m) | Node::Seq(_, m) | Node::Map(_, m) => *m,
            Node::Scalar { mark, .. } => *mark,
        }
    }

    /// The value under `key` when this is a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match self {
            Node::Map(entries, _) => entries
                .iter()
                .find(|(k, _)| k.as_text() == Some(key))
                .map(|(_, v)| v),
            _ => None,
        }
    }

    /// The text of a scalar.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Node::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }

    /// Whether this is a null node.
    pub fn is_null(&self) -> bool {
        matches!(self, Node::Null(_))
    }

    /// The keys of a mapping, as text.
    pub fn keys(&self) -> Vec<&str> {
        match self {
            Node::Map(entries, _) => entries.iter().filter_map(|(k, _)| k.as_text()).collect(),
            _ => Vec::new(),
        }
    }
}

/// Reads a boolean the way yaml-cpp's `convert<bool>` does (y/yes/true/on and their
/// negatives, in lower, upper or capitalised case).
pub fn yaml_bool(text: &str) -> Option<bool> {
    const TRUE: &[&str] = &["y", "yes", "true", "on"];
    const FALSE: &[&str] = &["n", "no", "false", "off"];
    let fits = |w: &str| {
        text == w || text == w.to_uppercase() || {
            let mut c = w.chars();
            match c.next() {
                Some(f) => text == format!("{}{}", f.to_uppercase(), c.as_str()),
                None => false,
            }
        }
    };
    if TRUE.iter().any(|w| fits(w)) {
        Some(true)
    } else if FALSE.iter().any(|w| fits(w)) {
        Some(false)
    } else {
        None
    }
}

/// Parses every document of `text`. A document with no content is `None`.
pub fn parse_all(text: &str) -> Result<Vec<Option<Node>>, YamlSyntaxError> {
    let text = indent_flow_closers(text);
    let mut b = Builder {
        parser: Parser::new_from_str(&text),
        anchors: Vec::new(),
    };
    let mut docs = Vec::new();
    while let Some((ev, span)) = b.next()? {
        match ev {
            Event::StreamEnd => break,
            Event::DocumentStart(_) => {
                let (ev, span) = b.expect(span)?;
                if matches!(ev, Event::DocumentEnd) {
                    docs.push(None);
                    continue;
                }
                let node = b.node(ev, span, 0)?;
                docs.push(if node.is_null() { None } else { Some(node) });
            }
            _ => {}
        }
    }
    Ok(docs)
}

/// yaml-cpp accepts a flow collection closed at the indentation of its parent key
/// (`items: [` ... `]` in column 3), which the shipped rule files rely on; a strict
/// YAML 1.2 parser rejects it. Lines holding only a closing bracket get two more
/// spaces, which changes no value and keeps every line number.
fn indent_flow_closers(text: &str) -> std::borrow::Cow<'_, str> {
    let is_closer = |l: &str| {
        let t = l.trim();
        let t = t.split(" #").next().unwrap_or(t).trim_end();
        matches!(t, "]" | "}" | "]," | "},")
    };
    if !text.lines().any(is_closer) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 64);
    for l in text.split_inclusive('\n') {
        if is_closer(l) {
            out.push_str("  ");
        }
        out.push_str(l);
    }
    std::borrow::Cow::Owned(out)
}

struct Builder<'a> {
    parser: Parser<'a, saphyr_parser::StrInput<'a>>,
    anchors: Vec<(usize, Node)>,
}

fn mark_of(span: &Span) -> Mark {
    Mark {
        line: u32::try_from(span.start.line()).unwrap_or(u32::MAX),
        column: u32::try_from(span.start.col())
            .unwrap_or(u32::MAX)
            .saturating_add(1),
    }
}

impl<'a> Builder<'a> {
    fn next(&mut self) -> Result<Option<(Event<'a>, Span)>, YamlSyntaxError> {
        match self.parser.next_event() {
            None => Ok(None),
            Some(Ok(e)) => Ok(Some(e)),
            Some(Err(e)) => Err(YamlSyntaxError {
                message: e.info().to_string(),
                mark: Mark {
                    line: u32::try_from(e.marker().line()).unwrap_or(u32::MAX),
                    column: u32::try_from(e.marker().col())
                        .unwrap_or(u32::MAX)
                        .saturating_add(1),
                },
            }),
        }
    }

    fn expect(&mut self, after: Span) -> Result<(Event<'a>, Span), YamlSyntaxError> {
        self.next()?.ok_or_else(|| YamlSyntaxError {
            message: "unexpected end of input".into(),
            mark: mark_of(&after),
        })
    }

    fn remember(&mut self, anchor: usize, node: &Node) {
        if anchor > 0 {
            self.anchors.push((anchor, node.clone()));
        }
    }

    fn node(&mut self, ev: Event<'a>, span: Span, depth: usize) -> Result<Node, YamlSyntaxError> {
        let mark = mark_of(&span);
        if depth > MAX_DEPTH {
            return Err(YamlSyntaxError {
                message: format!("nesting deeper than {MAX_DEPTH} levels"),
                mark,
            });
        }
        let node = match ev {
            Event::Scalar(text, style, anchor, _tag) => {
                let quoted = !matches!(style, ScalarStyle::Plain);
                let node =
                    if !quoted && matches!(text.as_ref(), "" | "~" | "null" | "Null" | "NULL") {
                        Node::Null(mark)
                    } else {
                        Node::Scalar {
                            text: text.into_owned(),
                            quoted,
                            mark,
                        }
                    };
                self.remember(anchor, &node);
                node
            }
            Event::Alias(id) => self
                .anchors
                .iter()
                .rev()
                .find(|(a, _)| *a == id)
                .map(|(_, n)| n.clone())
                .ok_or(YamlSyntaxError {
                    message: "alias refers to an unknown anchor".into(),
                    mark,
                })?,
            Event::SequenceStart(anchor, _) => {
                let mut items = Vec::new();
                loop {
                    let (ev, sp) = self.expect(span)?;
                    if matches!(ev, Event::SequenceEnd) {
                        break;
                    }
                    items.push(self.node(ev, sp, depth + 1)?);
                }
                let node = Node::Seq(items, mark);
                self.remember(anchor, &node);
                node
            }
            Event::MappingStart(anchor, _) => {
                let mut entries = Vec::new();
                loop {
                    let (ev, sp) = self.expect(span)?;
                    if matches!(ev, Event::MappingEnd) {
                        break;
                    }
                    let key = self.node(ev, sp, depth + 1)?;
                    let (vev, vsp) = self.expect(sp)?;
                    let value = self.node(vev, vsp, depth + 1)?;
                    entries.push((key, value));
                }
                let node = Node::Map(entries, mark);
                self.remember(anchor, &node);
                node
            }
            other => {
                return Err(YamlSyntaxError {
                    message: format!("unexpected YAML event {other:?}"),
                    mark,
                });
            }
        };
        Ok(node)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_stay_text() {
        let docs = parse_all("- list: a\n  items: [yes, 0755, 1.0, \"q\"]\n").unwrap();
        let doc = docs[0].as_ref().unwrap();
        let Node::Seq(items, _) = doc else { panic!() };
        let Node::Seq(vals, _) = items[0].get("items").unwrap() else {
            panic!()
        };
        let texts: Vec<_> = vals.iter().filter_map(|v| v.as_text()).collect();
        assert_eq!(texts, ["yes", "0755", "1.0", "q"]);
        assert_eq!(items[0].mark().line, 1);
    }

    #[test]
    fn empty_value_is_null() {
        let docs = parse_all("- rule: x\n  source:\n").unwrap();
        let Some(Node::Seq(items, _)) = &docs[0] else {
            panic!()
        };
        assert!(items[0].get("source").unwrap().is_null());
    }

    #[test]
    fn yaml_bools() {
        assert_eq!(yaml_bool("True"), Some(true));
        assert_eq!(yaml_bool("OFF"), Some(false));
        assert_eq!(yaml_bool("tRue"), None);
    }
}
