//! The source lines findings point at, read back from disk for snippets.
//!
//! Reports are rendered after loading, so the text is read again here rather than
//! kept in memory for every object; a file that has gone, `<stdin>`, or one too big
//! to be a manifest simply yields no line.

use std::collections::HashMap;
use std::fs;

/// Files larger than this are not read for snippets (the loader refuses them too).
const MAX_SOURCE_BYTES: u64 = 64 * 1024 * 1024;

/// Lines longer than this are cut to a window around the column.
const MAX_SNIPPET_CHARS: usize = 160;

/// One file's text with the byte offset of each line start.
#[derive(Debug)]
struct Text {
    text: String,
    starts: Vec<usize>,
}

impl Text {
    fn new(text: String) -> Text {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Text { text, starts }
    }

    fn line(&self, line: u32) -> Option<&str> {
        let i = usize::try_from(line).ok()?.checked_sub(1)?;
        let start = *self.starts.get(i)?;
        let end = self
            .starts
            .get(i + 1)
            .map_or(self.text.len(), |next| next - 1);
        let l = self.text.get(start..end)?;
        Some(l.strip_suffix('\r').unwrap_or(l))
    }
}

/// Reads each file at most once.
#[derive(Debug, Default)]
pub(crate) struct SourceCache {
    files: HashMap<String, Option<Text>>,
}

impl SourceCache {
    /// The text of 1-based `line` of `file`, when the file can be read.
    pub(crate) fn line(&mut self, file: &str, line: u32) -> Option<&str> {
        self.files
            .entry(file.to_string())
            .or_insert_with(|| read(file))
            .as_ref()?
            .line(line)
    }
}

fn read(file: &str) -> Option<Text> {
    if file == "-" || file == "<stdin>" {
        return None;
    }
    let meta = fs::metadata(file).ok()?;
    if !meta.is_file() || meta.len() > MAX_SOURCE_BYTES {
        return None;
    }
    let bytes = fs::read(file).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let text = match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    };
    Some(Text::new(text))
}

/// A source line prepared for display: cut around the column when very long, and the
/// whitespace that puts a caret under the 1-based `column`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Snippet {
    /// The (possibly shortened) line, control characters made visible.
    pub(crate) line: String,
    /// Spaces (and tabs where the line has tabs, so terminals align them alike) to
    /// print before the caret.
    pub(crate) caret_pad: String,
}

/// Prepares `line` for display with a caret at `column` (1-based, in characters).
/// A column past the end puts the caret just after the last character.
pub(crate) fn snippet(line: &str, column: u32) -> Snippet {
    let chars: Vec<char> = line.chars().collect();
    let col = usize::try_from(column.max(1) - 1)
        .unwrap_or(usize::MAX)
        .min(chars.len());
    let (from, to) = if chars.len() <= MAX_SNIPPET_CHARS {
        (0, chars.len())
    } else {
        let from = col.saturating_sub(MAX_SNIPPET_CHARS / 2);
        let to = (from + MAX_SNIPPET_CHARS).min(chars.len());
        (to.saturating_sub(MAX_SNIPPET_CHARS), to)
    };
    let mut out = String::new();
    let mut pad = String::new();
    if from > 0 {
        out.push('…');
        pad.push(' ');
    }
    for (i, &c) in chars.iter().enumerate().take(to).skip(from) {
        let shown = visible(c);
        if i < col {
            for s in shown.chars() {
                pad.push(if s == '\t' { '\t' } else { ' ' });
            }
        }
        out.push_str(&shown);
    }
    if to < chars.len() {
        out.push('…');
    }
    Snippet {
        line: out,
        caret_pad: pad,
    }
}

/// A character as it may be printed to a terminal: control characters (an attacker can
/// put escape sequences in a manifest value) become `\u{..}` escapes; tabs stay.
pub(crate) fn visible(c: char) -> String {
    if c == '\t' || !c.is_control() {
        c.to_string()
    } else {
        c.escape_unicode().to_string()
    }
}

/// Text safe to print to a terminal: control characters except new lines and tabs
/// escaped.
pub(crate) fn sanitize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c == '\n' {
            out.push(c);
        } else {
            out.push_str(&visible(c));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_1_based_and_strip_cr() {
        let t = Text::new("a\r\nb\n\nd".to_string());
        assert_eq!(t.line(1), Some("a"));
        assert_eq!(t.line(2), Some("b"));
        assert_eq!(t.line(3), Some(""));
        assert_eq!(t.line(4), Some("d"));
        assert_eq!(t.line(5), None);
        assert_eq!(t.line(0), None);
    }

    #[test]
    fn caret_pad_counts_characters_and_keeps_tabs() {
        let s = snippet("\tké: v", 5);
        assert_eq!(s.line, "\tké: v");
        assert_eq!(s.caret_pad, "\t   ");
    }

    #[test]
    fn long_lines_are_windowed_around_the_column() {
        let line: String = "x".repeat(1000) + "TARGET" + &"y".repeat(1000);
        let s = snippet(&line, 1001);
        assert!(s.line.starts_with('…') && s.line.ends_with('…'));
        let caret = s.caret_pad.chars().count();
        let at: String = s.line.chars().skip(caret).take(6).collect();
        assert_eq!(at, "TARGET");
        assert!(s.line.chars().count() <= MAX_SNIPPET_CHARS + 2);
    }

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(sanitize("a\u{1b}[31mb\nc"), "a\\u{1b}[31mb\nc");
        let s = snippet("k: \u{7}x", 5);
        assert_eq!(s.line, "k: \\u{7}x");
        assert_eq!(s.caret_pad.len(), "k: \\u{7}".len());
    }

    #[test]
    fn unreadable_sources_give_no_line() {
        let mut c = SourceCache::default();
        assert_eq!(c.line("<stdin>", 1), None);
        assert_eq!(c.line("/nonexistent/kspect/file.yaml", 1), None);
    }
}
