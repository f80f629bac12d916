//! The condition tree and its canonical text form.
//!
//! The text form follows libsinsp's `as_string()`: and/or groups in parentheses with
//! single spaces, `not X`, lists as `(a, b)`, and string values quoted only when they
//! hold a blank, `=`, a quote, a backslash or a control character. Falco prints
//! compiled conditions this way, and the upstream tests compare against it.

use std::fmt::{self, Write};

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CmpOp {
    /// `=`
    Eq,
    /// `==` (same meaning as `=`, printed as written)
    EqEq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `contains`
    Contains,
    /// `icontains`
    IContains,
    /// `bcontains`
    BContains,
    /// `startswith`
    StartsWith,
    /// `bstartswith`
    BStartsWith,
    /// `endswith`
    EndsWith,
    /// `glob`
    Glob,
    /// `iglob`
    IGlob,
    /// `regex`
    Regex,
    /// `in`
    In,
    /// `intersects`
    Intersects,
    /// `pmatch`
    PMatch,
    /// `exists`
    Exists,
}

impl CmpOp {
    /// The operator as written in conditions.
    pub fn as_str(self) -> &'static str {
        match self {
            CmpOp::Eq => "=",
            CmpOp::EqEq => "==",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
            CmpOp::Contains => "contains",
            CmpOp::IContains => "icontains",
            CmpOp::BContains => "bcontains",
            CmpOp::StartsWith => "startswith",
            CmpOp::BStartsWith => "bstartswith",
            CmpOp::EndsWith => "endswith",
            CmpOp::Glob => "glob",
            CmpOp::IGlob => "iglob",
            CmpOp::Regex => "regex",
            CmpOp::In => "in",
            CmpOp::Intersects => "intersects",
            CmpOp::PMatch => "pmatch",
            CmpOp::Exists => "exists",
        }
    }

    /// Parses an operator word or symbol.
    pub fn from_word(s: &str) -> Option<CmpOp> {
        ALL_OPS.iter().copied().find(|o| o.as_str() == s)
    }

    /// Operators that take a list on the right (`in`, `intersects`, `pmatch`).
    pub fn is_list_op(self) -> bool {
        matches!(self, CmpOp::In | CmpOp::Intersects | CmpOp::PMatch)
    }

    /// Operators that take a number on the right.
    pub fn is_numeric_op(self) -> bool {
        matches!(self, CmpOp::Lt | CmpOp::Le | CmpOp::Gt | CmpOp::Ge)
    }

    /// Operators that accept `oneof`/`anyof`/`allof`.
    pub fn accepts_modifier(self) -> bool {
        !self.is_list_op() && !self.is_numeric_op() && self != CmpOp::Exists
    }
}

/// Every operator, in the order the lexer tries them.
pub const ALL_OPS: &[CmpOp] = &[
    CmpOp::Exists,
    CmpOp::Le,
    CmpOp::Lt,
    CmpOp::Ge,
    CmpOp::Gt,
    CmpOp::EqEq,
    CmpOp::Eq,
    CmpOp::Ne,
    CmpOp::Glob,
    CmpOp::IGlob,
    CmpOp::Contains,
    CmpOp::IContains,
    CmpOp::BContains,
    CmpOp::StartsWith,
    CmpOp::BStartsWith,
    CmpOp::EndsWith,
    CmpOp::Regex,
    CmpOp::Intersects,
    CmpOp::In,
    CmpOp::PMatch,
];

/// `oneof` / `anyof` / `allof` (libs 0.25 operator modifiers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Modifier {
    /// Exactly one element satisfies the operator.
    OneOf,
    /// At least one.
    AnyOf,
    /// All of them.
    AllOf,
}

impl Modifier {
    /// The keyword.
    pub fn as_str(self) -> &'static str {
        match self {
            Modifier::OneOf => "oneof",
            Modifier::AnyOf => "anyof",
            Modifier::AllOf => "allof",
        }
    }
}

/// A field reference: `name` or `name[arg]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FieldRefExpr {
    /// Dotted field name as written (`evt.arg.flags` stays whole here).
    pub name: String,
    /// The bracket argument, when present (`Some("")` for `[""]`).
    pub arg: Option<String>,
}

/// Transformer names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TransformerKind {
    /// `tolower`
    ToLower,
    /// `toupper`
    ToUpper,
    /// `b64` (decodes)
    B64,
    /// `basename`
    Basename,
    /// `len`
    Len,
    /// `join`
    Join,
    /// `concat`
    Concat,
    /// `getopt`
    Getopt,
    /// `val` (right-hand side only: marks a field)
    Val,
}

impl TransformerKind {
    /// The name as written.
    pub fn as_str(self) -> &'static str {
        match self {
            TransformerKind::ToLower => "tolower",
            TransformerKind::ToUpper => "toupper",
            TransformerKind::B64 => "b64",
            TransformerKind::Basename => "basename",
            TransformerKind::Len => "len",
            TransformerKind::Join => "join",
            TransformerKind::Concat => "concat",
            TransformerKind::Getopt => "getopt",
            TransformerKind::Val => "val",
        }
    }
}

/// Transformers usable on the left-hand side, in lexing order.
pub const LHS_TRANSFORMERS: &[TransformerKind] = &[
    TransformerKind::ToLower,
    TransformerKind::ToUpper,
    TransformerKind::B64,
    TransformerKind::Basename,
    TransformerKind::Len,
    TransformerKind::Join,
    TransformerKind::Concat,
    TransformerKind::Getopt,
];

/// One argument of a transformer.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TransformerArg {
    /// A field.
    Field(FieldRefExpr),
    /// A nested transformer.
    Transformer(Box<Transformer>),
    /// A quoted string (unescaped).
    Str(String),
    /// A number as written.
    Num(String),
    /// A parenthesised list of arguments.
    List(Vec<TransformerArg>),
}

/// A transformer application `name(args)[arg]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Transformer {
    /// Which transformer.
    pub kind: TransformerKind,
    /// Its arguments.
    pub args: Vec<TransformerArg>,
    /// A trailing `[arg]`, when present.
    pub arg: Option<String>,
}

/// A value producer: a field or a transformer expression.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Operand {
    /// A plain field.
    Field(FieldRefExpr),
    /// A transformer (including `val(...)` on the right-hand side).
    Transformer(Box<Transformer>),
}

/// The right-hand side of a check.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Rhs {
    /// A single string or number value (unescaped text).
    Value(String),
    /// A parenthesised list of values.
    List(Vec<String>),
    /// An identifier where a list was expected (`in foo`): one value.
    Ident(String),
    /// A field compared with `val(...)` or a transformer.
    Operand(Operand),
}

/// A condition expression.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Expr {
    /// n-ary `and`.
    And(Vec<Expr>),
    /// n-ary `or`.
    Or(Vec<Expr>),
    /// `not`.
    Not(Box<Expr>),
    /// A macro reference.
    Identifier(String),
    /// A field check.
    Check {
        /// Left-hand side.
        lhs: Operand,
        /// Operator.
        op: CmpOp,
        /// Optional `oneof`/`anyof`/`allof`.
        modifier: Option<Modifier>,
        /// Right-hand side (absent for `exists`).
        rhs: Option<Rhs>,
    },
}

/// Writes a string value the way libsinsp prints it.
pub fn write_value(out: &mut String, v: &str, quote_empty: bool) {
    let needs_quotes = (v.is_empty() && quote_empty)
        || v.bytes().any(|b| {
            b == b' ' || b == b'=' || b == b'"' || b == b'\'' || b == b'\\' || b < 0x20 || b == 0x7f
        });
    if !needs_quotes {
        out.push_str(v);
        return;
    }
    out.push('"');
    for c in v.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                let _ = write!(out, "\\x{:02X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

impl fmt::Display for FieldRefExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)?;
        if let Some(a) = &self.arg {
            let mut s = String::new();
            write_value(&mut s, a, true);
            write!(f, "[{s}]")?;
        }
        Ok(())
    }
}

impl fmt::Display for TransformerArg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TransformerArg::Field(x) => write!(f, "{x}"),
            TransformerArg::Transformer(t) => write!(f, "{t}"),
            TransformerArg::Str(s) | TransformerArg::Num(s) => f.write_str(s),
            TransformerArg::List(items) => {
                f.write_str("(")?;
                for (i, it) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    write!(f, "{it}")?;
                }
                f.write_str(")")
            }
        }
    }
}

impl fmt::Display for Transformer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}(", self.kind.as_str())?;
        for (i, a) in self.args.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{a}")?;
        }
        f.write_str(")")?;
        if let Some(a) = &self.arg {
            let mut s = String::new();
            write_value(&mut s, a, true);
            write!(f, "[{s}]")?;
        }
        Ok(())
    }
}

impl fmt::Display for Operand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Operand::Field(x) => write!(f, "{x}"),
            Operand::Transformer(t) => write!(f, "{t}"),
        }
    }
}

fn write_list(out: &mut String, items: &[String]) {
    out.push('(');
    for (i, it) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        write_value(out, it, false);
    }
    out.push(')');
}

impl Expr {
    /// The canonical text form (libsinsp `as_string`).
    pub fn as_string(&self) -> String {
        let mut s = String::new();
        self.write(&mut s);
        s
    }

    fn write(&self, out: &mut String) {
        match self {
            Expr::And(c) | Expr::Or(c) => {
                let sep = if matches!(self, Expr::And(_)) {
                    " and "
                } else {
                    " or "
                };
                out.push('(');
                for (i, e) in c.iter().enumerate() {
                    if i > 0 {
                        out.push_str(sep);
                    }
                    e.write(out);
                }
                out.push(')');
            }
            Expr::Not(e) => {
                out.push_str("not ");
                e.write(out);
            }
            Expr::Identifier(n) => out.push_str(n),
            Expr::Check {
                lhs,
                op,
                modifier,
                rhs,
            } => {
                let _ = write!(out, "{lhs} {}", op.as_str());
                if let Some(m) = modifier {
                    out.push(' ');
                    out.push_str(m.as_str());
                }
                match rhs {
                    None => {}
                    Some(Rhs::Value(v)) => {
                        out.push(' ');
                        write_value(out, v, false);
                    }
                    Some(Rhs::List(items)) => {
                        out.push(' ');
                        write_list(out, items);
                    }
                    Some(Rhs::Ident(i)) => {
                        out.push(' ');
                        out.push_str(i);
                    }
                    Some(Rhs::Operand(o)) => {
                        let _ = write!(out, " {o}");
                    }
                }
            }
        }
    }

    /// A condition text that parses back to exactly this tree.
    ///
    /// Unlike [`Expr::as_string`] (libsinsp's display form, which is not always valid
    /// input: `test.str = ` for an empty value) every string is quoted and nested
    /// negations keep their parentheses.
    pub fn to_source(&self) -> String {
        let mut s = String::new();
        self.write_source(&mut s);
        s
    }

    fn write_source(&self, out: &mut String) {
        match self {
            Expr::And(c) | Expr::Or(c) => {
                let sep = if matches!(self, Expr::And(_)) {
                    " and "
                } else {
                    " or "
                };
                out.push('(');
                for (i, e) in c.iter().enumerate() {
                    if i > 0 {
                        out.push_str(sep);
                    }
                    e.write_source(out);
                }
                out.push(')');
            }
            Expr::Not(e) => {
                out.push_str("not (");
                e.write_source(out);
                out.push(')');
            }
            Expr::Identifier(n) => out.push_str(n),
            Expr::Check {
                lhs,
                op,
                modifier,
                rhs,
            } => {
                write_operand_source(out, lhs);
                out.push(' ');
                out.push_str(op.as_str());
                if let Some(m) = modifier {
                    out.push(' ');
                    out.push_str(m.as_str());
                }
                match rhs {
                    None => {}
                    Some(Rhs::Value(v)) => {
                        out.push(' ');
                        if op.is_numeric_op() {
                            out.push_str(v);
                        } else {
                            quote_source(out, v);
                        }
                    }
                    Some(Rhs::List(items)) => {
                        out.push_str(" (");
                        for (i, it) in items.iter().enumerate() {
                            if i > 0 {
                                out.push_str(", ");
                            }
                            quote_source(out, it);
                        }
                        out.push(')');
                    }
                    Some(Rhs::Ident(i)) => {
                        out.push(' ');
                        out.push_str(i);
                    }
                    Some(Rhs::Operand(o)) => {
                        out.push(' ');
                        write_operand_source(out, o);
                    }
                }
            }
        }
    }

    /// Calls `f` on every check and identifier, depth first.
    pub fn visit<'a>(&'a self, f: &mut dyn FnMut(&'a Expr)) {
        f(self);
        match self {
            Expr::And(c) | Expr::Or(c) => c.iter().for_each(|e| e.visit(f)),
            Expr::Not(e) => e.visit(f),
            _ => {}
        }
    }
}

impl Operand {
    /// Every plain field the operand reads, depth first.
    pub fn fields(&self) -> Vec<&FieldRefExpr> {
        fn arg_fields<'a>(a: &'a TransformerArg, out: &mut Vec<&'a FieldRefExpr>) {
            match a {
                TransformerArg::Field(f) => out.push(f),
                TransformerArg::Transformer(t) => t.args.iter().for_each(|a| arg_fields(a, out)),
                TransformerArg::List(items) => items.iter().for_each(|a| arg_fields(a, out)),
                _ => {}
            }
        }
        let mut out = Vec::new();
        match self {
            Operand::Field(f) => out.push(f),
            Operand::Transformer(t) => t.args.iter().for_each(|a| arg_fields(a, &mut out)),
        }
        out
    }
}

/// Double-quotes `v` so that the libsinsp lexer reads it back unchanged. A backslash
/// is written as backslash-space (which the lexer turns into one backslash) because a
/// quote right after a backslash would not close the string.
fn quote_source(out: &mut String, v: &str) {
    out.push('"');
    for c in v.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\ "),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn write_field_source(out: &mut String, f: &FieldRefExpr) {
    out.push_str(&f.name);
    if let Some(a) = &f.arg {
        out.push('[');
        quote_source(out, a);
        out.push(']');
    }
}

fn write_targ_source(out: &mut String, a: &TransformerArg) {
    match a {
        TransformerArg::Field(f) => write_field_source(out, f),
        TransformerArg::Transformer(t) => write_transformer_source(out, t),
        TransformerArg::Str(s) => quote_source(out, s),
        TransformerArg::Num(n) => out.push_str(n),
        TransformerArg::List(items) => {
            out.push('(');
            for (i, it) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_targ_source(out, it);
            }
            out.push(')');
        }
    }
}

fn write_transformer_source(out: &mut String, t: &Transformer) {
    out.push_str(t.kind.as_str());
    out.push('(');
    for (i, a) in t.args.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        write_targ_source(out, a);
    }
    out.push(')');
    if let Some(a) = &t.arg {
        out.push('[');
        quote_source(out, a);
        out.push(']');
    }
}

fn write_operand_source(out: &mut String, o: &Operand) {
    match o {
        Operand::Field(f) => write_field_source(out, f),
        Operand::Transformer(t) => write_transformer_source(out, t),
    }
}
