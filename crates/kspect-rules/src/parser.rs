//! Condition parser, compatible with libsinsp's hand-written recursive descent parser.
//!
//! Written by hand (rather than with a parser generator) because compatibility is in
//! the details: keywords recognised by prefix after an operand, word operators that
//! need a following blank while `in`/`exists` need nothing, modifiers that are keywords
//! only in some positions, the lexer's quoted-string quirks, and a recursion budget of
//! five levels per parenthesis. Errors carry the byte offset where the parser stood.

use crate::ast::{
    CmpOp, Expr, FieldRefExpr, LHS_TRANSFORMERS, Modifier, Operand, Rhs, Transformer,
    TransformerArg, TransformerKind,
};

/// libsinsp's default recursion budget.
pub const DEFAULT_MAX_DEPTH: u32 = 100;
/// The budget Falco uses for rule conditions.
pub const FALCO_MAX_DEPTH: u32 = 1000;

const TRANSFORMER_LIST: &str =
    "'val', 'tolower', 'toupper', 'b64', 'basename', 'len', 'join', 'concat', 'getopt'";

/// A syntax error with the offset where it was found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} @{pos}")]
pub struct ParseError {
    /// The message (libsinsp wording).
    pub message: String,
    /// Byte offset in the condition.
    pub pos: usize,
}

/// Parses a condition with libsinsp's default depth budget.
pub fn parse(input: &str) -> Result<Expr, ParseError> {
    parse_with_depth(input, DEFAULT_MAX_DEPTH)
}

/// Parses a condition with the given depth budget.
pub fn parse_with_depth(input: &str, max_depth: u32) -> Result<Expr, ParseError> {
    let mut p = Parser {
        s: input.as_bytes(),
        pos: 0,
        depth: 0,
        max_depth,
        last: String::new(),
    };
    if input.is_empty() {
        return Err(p.err("filter expression is empty"));
    }
    let e = p.parse_or()?;
    if p.pos != p.s.len() {
        let m = format!("unexpected token after '{}', expecting 'or', 'and'", p.last);
        return Err(p.err(&m));
    }
    Ok(e)
}

/// Parses a field or transformer expression alone (`proc.name`, `toupper( x.y)`), as
/// Falco does for exception field names and for values that look like fields.
pub fn parse_operand(input: &str) -> Option<Operand> {
    let mut p = Parser {
        s: input.as_bytes(),
        pos: 0,
        depth: 0,
        max_depth: DEFAULT_MAX_DEPTH,
        last: String::new(),
    };
    let op = if let Some(kind) = p.lex_transformer_name(LHS_TRANSFORMERS) {
        Operand::Transformer(Box::new(p.parse_transformer(kind).ok()?))
    } else {
        Operand::Field(p.parse_field().ok()??)
    };
    (p.pos == p.s.len()).then_some(op)
}

/// Whether a string is a macro identifier (`[a-zA-Z]+[a-zA-Z0-9_]*`).
pub fn is_identifier(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty() && ident_len(b) == b.len()
}

/// Whether a string is a bare string value (`[^()"'[:space:]=,]+`).
pub fn is_bare_string(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(is_bare_char)
}

fn is_blank(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x08)
}

fn is_posix_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

fn is_bare_char(b: u8) -> bool {
    !(matches!(b, b'(' | b')' | b'"' | b'\'' | b'=' | b',') || is_posix_space(b))
}

fn is_arg_char(b: u8) -> bool {
    !(matches!(b, b'[' | b']' | b'"' | b'\'') || is_posix_space(b))
}

/// Length of `[a-zA-Z]+[a-zA-Z0-9_]*` at the start of `s` (0 when none).
fn ident_len(s: &[u8]) -> usize {
    let mut i = 0;
    while i < s.len() && s[i].is_ascii_alphabetic() {
        i += 1;
    }
    if i == 0 {
        return 0;
    }
    while i < s.len() && (s[i].is_ascii_alphanumeric() || s[i] == b'_') {
        i += 1;
    }
    i
}

/// Length of a dotted field name (at least one dot) at the start of `s`.
fn field_name_len(s: &[u8]) -> usize {
    let mut i = ident_len(s);
    if i == 0 {
        return 0;
    }
    let mut dots = 0;
    while i < s.len() && s[i] == b'.' {
        let n = ident_len(&s[i + 1..]);
        if n == 0 {
            break;
        }
        i += 1 + n;
        dots += 1;
    }
    if dots == 0 { 0 } else { i }
}

fn hex_len(s: &[u8]) -> usize {
    if s.len() >= 3 && s[0] == b'0' && (s[1] == b'x' || s[1] == b'X') {
        let n = s[2..].iter().take_while(|b| b.is_ascii_hexdigit()).count();
        if n > 0 {
            return 2 + n;
        }
    }
    0
}

/// `[+\-]?[0-9]+[\.]?[0-9]*([eE][+\-][0-9]+)?`
fn number_len(s: &[u8]) -> usize {
    let mut i = 0;
    if i < s.len() && (s[i] == b'+' || s[i] == b'-') {
        i += 1;
    }
    let d = s[i..].iter().take_while(|b| b.is_ascii_digit()).count();
    if d == 0 {
        return 0;
    }
    i += d;
    if i < s.len() && s[i] == b'.' {
        i += 1;
    }
    i += s[i..].iter().take_while(|b| b.is_ascii_digit()).count();
    if i + 2 < s.len() && (s[i] == b'e' || s[i] == b'E') && (s[i + 1] == b'+' || s[i + 1] == b'-') {
        let e = s[i + 2..].iter().take_while(|b| b.is_ascii_digit()).count();
        if e > 0 {
            i += 2 + e;
        }
    }
    i
}

struct Parser<'a> {
    s: &'a [u8],
    pos: usize,
    depth: u32,
    max_depth: u32,
    last: String,
}

type PResult<T> = Result<T, ParseError>;

impl Parser<'_> {
    fn err(&self, m: &str) -> ParseError {
        ParseError {
            message: m.to_string(),
            pos: self.pos,
        }
    }

    fn rest(&self) -> &[u8] {
        &self.s[self.pos..]
    }

    fn text(&self, from: usize, to: usize) -> String {
        String::from_utf8_lossy(&self.s[from..to]).into_owned()
    }

    fn depth_push(&mut self) -> PResult<()> {
        self.depth += 1;
        if self.depth >= self.max_depth {
            return Err(self.err(&format!("exceeded max depth limit of {}", self.max_depth)));
        }
        Ok(())
    }

    fn depth_pop(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    fn lex_blank(&mut self) -> bool {
        let start = self.pos;
        while self.pos < self.s.len() && is_blank(self.s[self.pos]) {
            self.pos += 1;
        }
        self.pos > start
    }

    fn lex_str(&mut self, t: &str) -> bool {
        if self.rest().starts_with(t.as_bytes()) {
            self.pos += t.len();
            self.last = t.to_string();
            true
        } else {
            false
        }
    }

    fn peek(&self, b: u8) -> bool {
        self.s.get(self.pos) == Some(&b)
    }

    fn lex_len(&mut self, n: usize) -> Option<String> {
        if n == 0 {
            return None;
        }
        let t = self.text(self.pos, self.pos + n);
        self.pos += n;
        self.last = t.clone();
        Some(t)
    }

    fn lex_identifier(&mut self) -> Option<String> {
        let n = ident_len(self.rest());
        self.lex_len(n)
    }

    fn lex_field_name(&mut self) -> Option<String> {
        let n = field_name_len(self.rest());
        self.lex_len(n)
    }

    fn lex_bare(&mut self) -> Option<String> {
        let n = self.rest().iter().take_while(|b| is_bare_char(**b)).count();
        self.lex_len(n)
    }

    fn lex_number(&mut self) -> Option<String> {
        let h = hex_len(self.rest());
        if h > 0 {
            return self.lex_len(h);
        }
        let n = number_len(self.rest());
        self.lex_len(n)
    }

    /// A quoted string: ends at the first delimiter not preceded by a backslash.
    fn lex_quoted(&mut self) -> PResult<Option<String>> {
        let Some(&q) = self.s.get(self.pos) else {
            return Ok(None);
        };
        if q != b'"' && q != b'\'' {
            return Ok(None);
        }
        let body_start = self.pos + 1;
        let mut i = body_start;
        let end = loop {
            if i >= self.s.len() {
                return Ok(None);
            }
            if self.s[i] == q && self.s[i - 1] != b'\\' {
                break i;
            }
            i += 1;
        };
        let body = &self.s[body_start..end];
        let saved = self.pos;
        self.pos = end + 1;
        match unescape(body, q) {
            Ok(v) => {
                self.last = v.clone();
                Ok(Some(v))
            }
            Err(m) => {
                let e = self.err(&m);
                self.pos = saved;
                Err(e)
            }
        }
    }

    fn lex_field_arg(&mut self) -> PResult<String> {
        if let Some(q) = self.lex_quoted()? {
            return Ok(q);
        }
        let n = self.rest().iter().take_while(|b| is_arg_char(**b)).count();
        self.lex_len(n).ok_or_else(|| {
            self.err("expected a valid field argument: a quoted string or a bare string")
        })
    }

    /// Lexes `name(` for one of `kinds`; the name must touch the parenthesis.
    fn lex_transformer_name(&mut self, kinds: &[TransformerKind]) -> Option<TransformerKind> {
        for k in kinds {
            let n = k.as_str();
            let r = self.rest();
            if r.len() > n.len() && r.starts_with(n.as_bytes()) && r[n.len()] == b'(' {
                self.pos += n.len() + 1;
                self.last = "(".into();
                return Some(*k);
            }
        }
        None
    }

    fn parse_or(&mut self) -> PResult<Expr> {
        self.depth_push()?;
        self.lex_blank();
        let mut children = vec![self.parse_and()?];
        self.lex_blank();
        while self.lex_str("or") {
            if !self.lex_blank() && !self.peek(b'(') {
                return Err(self.err("expected blank or '(' after 'or'"));
            }
            children.push(self.parse_and()?);
            self.lex_blank();
        }
        self.depth_pop();
        Ok(if children.len() == 1 {
            children.remove(0)
        } else {
            Expr::Or(children)
        })
    }

    fn parse_and(&mut self) -> PResult<Expr> {
        self.depth_push()?;
        let mut children = vec![self.parse_not()?];
        self.lex_blank();
        while self.lex_str("and") {
            if !self.lex_blank() && !self.peek(b'(') {
                return Err(self.err("expected blank or '(' after 'and'"));
            }
            children.push(self.parse_not()?);
            self.lex_blank();
        }
        self.depth_pop();
        Ok(if children.len() == 1 {
            children.remove(0)
        } else {
            Expr::And(children)
        })
    }

    fn parse_not(&mut self) -> PResult<Expr> {
        self.depth_push()?;
        let mut negate = false;
        self.lex_blank();
        loop {
            let save = (self.pos, self.last.clone());
            if !self.lex_str("not") {
                break;
            }
            if self.lex_blank() {
                negate = !negate;
                continue;
            }
            if self.peek(b'(') {
                negate = !negate;
                break;
            }
            (self.pos, self.last) = save;
            break;
        }
        let child = self.parse_check()?;
        self.depth_pop();
        Ok(if negate {
            Expr::Not(Box::new(child))
        } else {
            child
        })
    }

    fn parse_embedded(&mut self) -> PResult<Expr> {
        self.depth_push()?;
        let e = self.parse_or()?;
        self.lex_blank();
        if !self.lex_str(")") {
            return Err(self.err("expected a ')' token"));
        }
        self.depth_pop();
        Ok(e)
    }

    fn parse_check(&mut self) -> PResult<Expr> {
        self.depth_push()?;
        self.lex_blank();
        if self.lex_str("(") {
            let e = self.parse_embedded()?;
            self.depth_pop();
            return Ok(e);
        }
        if let Some(kind) = self.lex_transformer_name(LHS_TRANSFORMERS) {
            let t = self.parse_transformer(kind)?;
            self.lex_blank();
            let e = self.parse_condition(Operand::Transformer(Box::new(t)))?;
            self.depth_pop();
            return Ok(e);
        }
        if let Some(f) = self.parse_field()? {
            self.lex_blank();
            let e = self.parse_condition(Operand::Field(f))?;
            self.depth_pop();
            return Ok(e);
        }
        if let Some(id) = self.lex_identifier() {
            self.depth_pop();
            return Ok(Expr::Identifier(id));
        }
        Err(self.err("expected a '(' token, a field check, or an identifier"))
    }

    fn parse_field(&mut self) -> PResult<Option<FieldRefExpr>> {
        let Some(name) = self.lex_field_name() else {
            return Ok(None);
        };
        let arg = self.parse_opt_arg()?;
        Ok(Some(FieldRefExpr { name, arg }))
    }

    fn parse_opt_arg(&mut self) -> PResult<Option<String>> {
        if !self.lex_str("[") {
            return Ok(None);
        }
        let a = self.lex_field_arg()?;
        if !self.lex_str("]") {
            return Err(self.err("expected a ']' token"));
        }
        Ok(Some(a))
    }

    /// After `name(`: arguments, `)`, optional `[arg]`.
    fn parse_transformer(&mut self, kind: TransformerKind) -> PResult<Transformer> {
        self.depth_push()?;
        self.lex_blank();
        let mut args = Vec::new();
        if kind == TransformerKind::Val {
            match self.parse_field()? {
                Some(f) => args.push(TransformerArg::Field(f)),
                None => return Err(self.err("expected a field within 'val' transformer")),
            }
        } else {
            args.push(self.parse_targ()?);
            self.lex_blank();
            while self.lex_str(",") {
                self.lex_blank();
                args.push(self.parse_targ()?);
                self.lex_blank();
            }
        }
        self.lex_blank();
        if !self.lex_str(")") {
            return Err(self.err("expected a ')' token closing the transformer"));
        }
        let arg = self.parse_opt_arg()?;
        self.depth_pop();
        Ok(Transformer { kind, args, arg })
    }

    fn parse_targ(&mut self) -> PResult<TransformerArg> {
        if let Some(a) = self.parse_targ_item()? {
            return Ok(a);
        }
        if self.lex_str("(") {
            self.lex_blank();
            let mut items = Vec::new();
            if !self.lex_str(")") {
                loop {
                    match self.parse_targ_item()? {
                        Some(a) => items.push(a),
                        None => {
                            return Err(self.err(
                                "expected transformer list argument: field, transformer, quoted string, or number",
                            ));
                        }
                    }
                    self.lex_blank();
                    if self.lex_str(",") {
                        self.lex_blank();
                        continue;
                    }
                    break;
                }
                if !self.lex_str(")") {
                    return Err(self.err("expected a ')' token"));
                }
            }
            return Ok(TransformerArg::List(items));
        }
        Err(self.err(
            "expected field transformer argument: field, transformer, quoted string, number, or transformer list",
        ))
    }

    fn parse_targ_item(&mut self) -> PResult<Option<TransformerArg>> {
        if let Some(kind) = self.lex_transformer_name(LHS_TRANSFORMERS) {
            return Ok(Some(TransformerArg::Transformer(Box::new(
                self.parse_transformer(kind)?,
            ))));
        }
        if let Some(f) = self.parse_field()? {
            return Ok(Some(TransformerArg::Field(f)));
        }
        if let Some(q) = self.lex_quoted()? {
            return Ok(Some(TransformerArg::Str(q)));
        }
        if let Some(n) = self.lex_number() {
            return Ok(Some(TransformerArg::Num(n)));
        }
        Ok(None)
    }

    fn lex_op(&mut self) -> Option<CmpOp> {
        for op in crate::ast::ALL_OPS {
            let w = op.as_str();
            let r = self.rest();
            if !r.starts_with(w.as_bytes()) {
                continue;
            }
            let word = w.as_bytes()[0].is_ascii_alphabetic();
            let needs_blank = word
                && !matches!(
                    op,
                    CmpOp::Exists | CmpOp::In | CmpOp::Intersects | CmpOp::PMatch
                );
            if needs_blank && !r.get(w.len()).is_some_and(|b| is_blank(*b)) {
                continue;
            }
            self.pos += w.len();
            self.last = w.to_string();
            return Some(*op);
        }
        None
    }

    fn rhs_transformer(&mut self) -> PResult<Option<Operand>> {
        const RHS: &[TransformerKind] = &[
            TransformerKind::Val,
            TransformerKind::ToLower,
            TransformerKind::ToUpper,
            TransformerKind::B64,
            TransformerKind::Basename,
            TransformerKind::Len,
            TransformerKind::Join,
            TransformerKind::Concat,
            TransformerKind::Getopt,
        ];
        match self.lex_transformer_name(RHS) {
            Some(k) => Ok(Some(Operand::Transformer(Box::new(
                self.parse_transformer(k)?,
            )))),
            None => Ok(None),
        }
    }

    fn parse_list_value(&mut self) -> PResult<Option<Rhs>> {
        if self.lex_str("(") {
            self.lex_blank();
            let mut items = Vec::new();
            if let Some(v) = self.lex_str_value()? {
                items.push(v);
                self.lex_blank();
                while self.lex_str(",") {
                    self.lex_blank();
                    match self.lex_str_value()? {
                        Some(v) => items.push(v),
                        None => return Err(self.err("expected a string value")),
                    }
                    self.lex_blank();
                }
            }
            if !self.lex_str(")") {
                return Err(self.err("expected a ')' token"));
            }
            return Ok(Some(Rhs::List(items)));
        }
        Ok(self.lex_identifier().map(Rhs::Ident))
    }

    fn lex_str_value(&mut self) -> PResult<Option<String>> {
        if let Some(q) = self.lex_quoted()? {
            return Ok(Some(q));
        }
        Ok(self.lex_bare())
    }

    /// A modifier keyword counts only when a blank and then a list or a non-keyword
    /// identifier follow it; otherwise it is an ordinary value.
    fn lex_modifier(&mut self) -> Option<Modifier> {
        let save = (self.pos, self.last.clone());
        for m in [Modifier::OneOf, Modifier::AnyOf, Modifier::AllOf] {
            if !self.lex_str(m.as_str()) {
                continue;
            }
            if self.lex_blank() {
                if self.peek(b'(') {
                    return Some(m);
                }
                let n = ident_len(self.rest());
                if n > 0 {
                    let w = &self.rest()[..n];
                    if w != b"and" && w != b"or" && w != b"not" {
                        return Some(m);
                    }
                }
            }
            break;
        }
        (self.pos, self.last) = save;
        None
    }

    fn parse_condition(&mut self, lhs: Operand) -> PResult<Expr> {
        let Some(op) = self.lex_op() else {
            return Err(self.err(
                "expected a valid check operator: one of 'exists', '<=', '<', '>=', '>', '==', '=', '!=', 'glob', 'iglob', 'contains', 'icontains', 'bcontains', 'startswith', 'bstartswith', 'endswith', 'regex', 'intersects', 'in', 'pmatch'",
            ));
        };
        if op == CmpOp::Exists {
            return Ok(Expr::Check {
                lhs,
                op,
                modifier: None,
                rhs: None,
            });
        }
        let blank = self.lex_blank();
        let rhs = if op.is_numeric_op() {
            if let Some(o) = self.rhs_transformer()? {
                Rhs::Operand(o)
            } else if let Some(n) = self.lex_number() {
                Rhs::Value(n)
            } else {
                return Err(self.err(&format!(
                    "expected a number value or a field with a valid transformer: {TRANSFORMER_LIST}"
                )));
            }
        } else if op.is_list_op() {
            if let Some(o) = self.rhs_transformer()? {
                Rhs::Operand(o)
            } else if let Some(l) = self.parse_list_value()? {
                l
            } else {
                return Err(self.err(&format!(
                    "expected a list, an identifier, or a field with a valid transformer: {TRANSFORMER_LIST}"
                )));
            }
        } else {
            let is_word = op.as_str().as_bytes()[0].is_ascii_alphabetic();
            if blank || is_word {
                if let Some(m) = self.lex_modifier() {
                    self.lex_blank();
                    let Some(l) = self.parse_list_value()? else {
                        return Err(self.err("expected a list or an identifier"));
                    };
                    return Ok(Expr::Check {
                        lhs,
                        op,
                        modifier: Some(m),
                        rhs: Some(l),
                    });
                }
            }
            if let Some(o) = self.rhs_transformer()? {
                Rhs::Operand(o)
            } else if let Some(v) = self.lex_str_value()? {
                Rhs::Value(v)
            } else {
                return Err(self.err(&format!(
                    "expected a string value or a field with a valid transformer: {TRANSFORMER_LIST}"
                )));
            }
        };
        Ok(Expr::Check {
            lhs,
            op,
            modifier: None,
            rhs: Some(rhs),
        })
    }
}

/// Decodes the escapes of a quoted string body (libsinsp `escaping.cpp` rules).
pub fn unescape(body: &[u8], quote: u8) -> Result<String, String> {
    let mut out: Vec<u8> = Vec::with_capacity(body.len());
    let mut i = 0;
    while i < body.len() {
        let c = body[i];
        if c != b'\\' {
            out.push(c);
            i += 1;
            continue;
        }
        let Some(&n) = body.get(i + 1) else {
            out.push(b'\\');
            break;
        };
        i += 2;
        match n {
            b'b' => out.push(0x08),
            b'f' => out.push(0x0c),
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b't' => out.push(b'\t'),
            b'\\' => out.push(b'\\'),
            b'/' => out.push(b'/'),
            b' ' => out.push(b'\\'),
            b'"' if quote == b'"' => out.push(b'"'),
            b'\'' if quote == b'\'' => out.push(b'\''),
            b'"' => return Err("invalid \\\" escape in '-quoted string".into()),
            b'\'' => return Err("invalid \\' escape in \"-quoted string".into()),
            b'x' => {
                let h = body.get(i..i + 2).and_then(|h| std::str::from_utf8(h).ok());
                match h.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(v) => {
                        out.push(v);
                        i += 2;
                    }
                    None => return Err("invalid \\x escape: expected two hex digits".into()),
                }
            }
            _ => return Err("unsupported string escape sequence".into()),
        }
    }
    Ok(match String::from_utf8(out) {
        Ok(s) => s,
        Err(e) => e.into_bytes().iter().map(|b| char::from(*b)).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precedence() {
        let e = parse("a.a=1 or b.b=2 and c").unwrap();
        assert_eq!(e.as_string(), "(a.a = 1 or (b.b = 2 and c))");
    }

    #[test]
    fn not_folding() {
        assert_eq!(parse("not not a").unwrap().as_string(), "a");
        assert_eq!(parse("not(not(a))").unwrap().as_string(), "not not a");
    }

    #[test]
    fn errors_have_positions() {
        let e = parse("a andb").unwrap_err();
        assert_eq!(e.to_string(), "expected blank or '(' after 'and' @5");
    }
}
