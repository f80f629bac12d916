//! Text that XML 1.0 can carry.
//!
//! quick-xml escapes markup (`<`, `&`, quotes) but passes every character through, and
//! XML 1.0 forbids most control characters outright (even escaped): a manifest value
//! holding one would make the whole JUnit file unparsable. They become U+FFFD here.

/// True for the characters XML 1.0 allows (production `Char`).
fn allowed(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// `text` with characters XML cannot hold replaced by U+FFFD.
pub(crate) fn text(text: &str) -> String {
    text.chars()
        .map(|c| if allowed(c) { c } else { '\u{FFFD}' })
        .collect()
}

/// `text` for an attribute value: also on one line, since parsers turn a literal new
/// line in an attribute into a space anyway, and tools show attributes as one line.
pub(crate) fn attr(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\t' | '\n' | '\r' => ' ',
            c if allowed(c) => c,
            _ => '\u{FFFD}',
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forbidden_characters_are_replaced() {
        assert_eq!(
            text("a\u{0}b\u{1b}c\u{FFFE}\td\n"),
            "a\u{FFFD}b\u{FFFD}c\u{FFFD}\td\n"
        );
        assert_eq!(attr("a\nb\tc\u{1}"), "a b c\u{FFFD}");
        assert_eq!(text("ünï 😀"), "ünï 😀");
    }
}
