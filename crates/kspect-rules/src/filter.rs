//! Compiling a condition tree into a filter, and evaluating it.
//!
//! Compilation resolves every field to its registry id and argument, checks the
//! operator against the field type (libsinsp's matrix), parses right-hand values into
//! typed constants, and builds hash sets, prefix tables, globs and regexes. Evaluation
//! only extracts values and compares them.

use std::collections::HashSet;

/// A fast, non-cryptographic hasher for sets keyed by rule constants: the keys come
/// from rule files, not from events, so hash flooding is not a concern.
type FastHash = foldhash::fast::FixedState;
use std::net::IpAddr;

use memchr::memmem;

use crate::ast::{
    CmpOp, Expr, Modifier, Operand, Rhs, Transformer, TransformerArg, TransformerKind,
};
use crate::event::{Event, Value, Values};
use crate::fields::{self, FieldArg, FieldId, FieldRegistry, FieldType, flags};
use crate::matchers::{Glob, PrefixTable};
use crate::parser;

/// A compile error (the message follows libsinsp where the tests pin it).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct CompileError {
    /// What is wrong.
    pub message: String,
    /// Whether the cause is an unknown field (for `skip-if-unknown-filter`).
    pub unknown_field: bool,
}

fn err<T>(m: impl Into<String>) -> Result<T, CompileError> {
    Err(CompileError {
        message: m.into(),
        unknown_field: false,
    })
}

/// Reads one field (or a transformer over fields) from an event.
#[derive(Debug, Clone)]
pub enum Accessor {
    /// A field of the source.
    Field {
        /// Field id.
        id: FieldId,
        /// Its argument.
        arg: FieldArg,
    },
    /// A transformer.
    Transform {
        /// Which one.
        kind: TransformerKind,
        /// Arguments.
        args: Vec<TArg>,
        /// Trailing argument (`getopt(...)[t]`).
        key: Option<String>,
    },
}

/// A compiled transformer argument.
#[derive(Debug, Clone)]
pub enum TArg {
    /// Values from an accessor.
    Acc(Accessor),
    /// A literal.
    Const(String),
    /// A list of arguments.
    List(Vec<TArg>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// One value per event.
    Single,
    /// A list field: `in` means all, `intersects` any.
    List,
    /// Ancestor field without index: true when any ancestor satisfies the check.
    Any,
}

#[derive(Debug, Clone)]
enum Num {
    Int(i128),
}

#[derive(Debug, Clone)]
enum Matcher {
    Exists,
    StrEq(Box<[u8]>),
    StrCmp(CmpOp, Box<[u8]>),
    Contains(Box<memmem::Finder<'static>>),
    IContains(Box<[u8]>),
    StartsWith(Box<[u8]>),
    EndsWith(Box<[u8]>),
    Glob(Glob),
    Regex(regex::bytes::Regex),
    StrSet(HashSet<Box<[u8]>, FastHash>),
    PMatch(PrefixTable),
    NumCmp(CmpOp, Num),
    NumSet(Vec<i128>),
    Bool(bool),
    BoolSet(Vec<bool>),
    Ip(IpAddr),
    IpSet(Vec<IpAddr>),
    Net(Vec<(IpAddr, u8)>),
    /// Modified operator: `op` applied to each element.
    Modified(Modifier, Vec<Matcher>),
    /// Comparison with another field's values.
    Field(CmpOp, Accessor),
}

/// One compiled check.
#[derive(Debug, Clone)]
pub struct Check {
    lhs: Accessor,
    mode: Mode,
    op: CmpOp,
    negate_eq: bool,
    matcher: Matcher,
    /// The check as libsinsp renders it: two checks with the same text are the same
    /// test, so a ruleset evaluates it once per event (see [`crate::program`]).
    key: Box<str>,
}

/// A compiled filter.
#[derive(Debug, Clone)]
pub enum Filter {
    /// All must hold.
    And(Vec<Filter>),
    /// One must hold.
    Or(Vec<Filter>),
    /// Negation.
    Not(Box<Filter>),
    /// A check.
    Check(Box<Check>),
}

/// The result of compiling: the filter and the warnings.
#[derive(Debug, Clone)]
pub struct Compiled {
    /// The filter.
    pub filter: Filter,
    /// Compile warnings (values that look like fields, simplifiable regexes).
    pub warnings: Vec<String>,
}

/// Compiles a macro-free condition tree against `reg`.
pub fn compile(expr: &Expr, reg: &FieldRegistry) -> Result<Compiled, CompileError> {
    let mut c = Compiler {
        reg,
        warnings: Vec::new(),
    };
    let filter = c.expr(expr)?;
    Ok(Compiled {
        filter,
        warnings: c.warnings,
    })
}

struct Compiler<'r> {
    reg: &'r FieldRegistry,
    warnings: Vec<String>,
}

/// Operators each type accepts (libsinsp `flt_is_comparable`).
fn op_allowed(ty: FieldType, op: CmpOp) -> bool {
    use CmpOp::*;
    match op {
        Exists | Eq | EqEq | Ne | In | Intersects => true,
        Lt | Le | Gt | Ge => ty.is_numeric() || matches!(ty, FieldType::CharBuf | FieldType::Dyn),
        Contains | StartsWith | EndsWith => {
            matches!(ty, FieldType::CharBuf | FieldType::ByteBuf | FieldType::Dyn)
        }
        BContains | BStartsWith => ty == FieldType::ByteBuf,
        IContains | Glob | IGlob | Regex | PMatch => {
            matches!(ty, FieldType::CharBuf | FieldType::Dyn)
        }
    }
}

fn parse_int(v: &str) -> Option<i128> {
    v.parse::<i128>().ok()
}

fn parse_port(v: &str) -> Option<i128> {
    parse_int(v).or(match v {
        "ftp" => Some(21),
        "ssh" => Some(22),
        "telnet" => Some(23),
        "smtp" => Some(25),
        "domain" => Some(53),
        "http" => Some(80),
        "https" => Some(443),
        _ => None,
    })
}

fn parse_net(v: &str) -> Option<(IpAddr, u8)> {
    let (a, bits) = match v.split_once('/') {
        Some((a, b)) => (a, Some(b.parse::<u8>().ok()?)),
        None => (v, None),
    };
    let ip: IpAddr = a.parse().ok()?;
    let max = if ip.is_ipv4() { 32 } else { 128 };
    let bits = bits.unwrap_or(max);
    (bits <= max).then_some((ip, bits))
}

fn in_net(ip: &IpAddr, net: &(IpAddr, u8)) -> bool {
    match (ip, &net.0) {
        (IpAddr::V4(a), IpAddr::V4(n)) => {
            let mask = if net.1 == 0 {
                0
            } else {
                u32::MAX << (32 - u32::from(net.1))
            };
            u32::from(*a) & mask == u32::from(*n) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(n)) => {
            let mask = if net.1 == 0 {
                0
            } else {
                u128::MAX << (128 - u32::from(net.1))
            };
            u128::from(*a) & mask == u128::from(*n) & mask
        }
        _ => false,
    }
}

fn parse_hex(v: &str) -> Option<Vec<u8>> {
    if v.len() % 2 != 0 {
        return None;
    }
    (0..v.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(v.get(i..i + 2)?, 16).ok())
        .collect()
}

/// RE2 reads a `{` that does not start a valid counted repetition as a literal; the
/// `regex` crate rejects it, so such braces are escaped first.
fn re2_compat(p: &str) -> String {
    let b = p.as_bytes();
    let mut out = String::with_capacity(p.len() + 4);
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'\\' && i + 1 < b.len() {
            out.push_str(&p[i..i + 2]);
            i += 2;
            continue;
        }
        if c == b'{' {
            let rest = &p[i + 1..];
            let close = rest.find('}');
            let valid = close.is_some_and(|e| {
                let inner = &rest[..e];
                let (a, z) = inner.split_once(',').unwrap_or((inner, "0"));
                !a.is_empty()
                    && a.bytes().all(|x| x.is_ascii_digit())
                    && z.bytes().all(|x| x.is_ascii_digit())
            });
            if !valid {
                out.push_str("\\{");
                i += 1;
                continue;
            }
        }
        let ch = p[i..].chars().next().unwrap_or('?');
        out.push(ch);
        i += ch.len_utf8();
    }
    out
}

/// Whether a regex pattern is a literal, possibly anchored or padded with `.*`, `.+`
/// or `.?` (a case for a simpler operator).
fn regex_is_simple(p: &str) -> bool {
    let mut s = p;
    s = s.strip_prefix('^').unwrap_or(s);
    for pre in [".*", ".+", ".?"] {
        if let Some(r) = s.strip_prefix(pre) {
            s = r;
            break;
        }
    }
    s = s.strip_suffix('$').unwrap_or(s);
    for suf in [".*", ".+", ".?"] {
        if let Some(r) = s.strip_suffix(suf) {
            s = r;
            break;
        }
    }
    !s.is_empty() && !s.chars().any(|c| "\\.+*?()|[]{}^$".contains(c))
}

impl Compiler<'_> {
    fn expr(&mut self, e: &Expr) -> Result<Filter, CompileError> {
        Ok(match e {
            Expr::And(c) => Filter::And(c.iter().map(|x| self.expr(x)).collect::<Result<_, _>>()?),
            Expr::Or(c) => Filter::Or(c.iter().map(|x| self.expr(x)).collect::<Result<_, _>>()?),
            Expr::Not(x) => Filter::Not(Box::new(self.expr(x)?)),
            Expr::Identifier(name) => {
                return err(format!("Undefined macro '{name}' used in filter."));
            }
            Expr::Check {
                lhs,
                op,
                modifier,
                rhs,
            } => {
                let mut c = self.check(lhs, *op, *modifier, rhs.as_ref())?;
                c.key = e.as_string().into_boxed_str();
                Filter::Check(Box::new(c))
            }
        })
    }

    fn field(
        &self,
        f: &crate::ast::FieldRefExpr,
    ) -> Result<(Accessor, FieldType, u16, String), CompileError> {
        let r = self
            .reg
            .resolve(&f.name, f.arg.as_deref())
            .map_err(|e| CompileError {
                unknown_field: matches!(e, fields::FieldError::Unknown(_)),
                message: e.to_string(),
            })?;
        let def = self.reg.def(r.id);
        let mut fl = def.flags;
        if fields::is_ancestor_field(&def.name) && r.arg == FieldArg::None {
            fl |= flags::IS_LIST | (1 << 15);
        }
        Ok((
            Accessor::Field {
                id: r.id,
                arg: r.arg,
            },
            def.ty,
            fl,
            def.name.clone(),
        ))
    }

    /// Compiles an operand; returns its accessor, type and flags.
    fn operand(&self, o: &Operand) -> Result<(Accessor, FieldType, u16), CompileError> {
        match o {
            Operand::Field(f) => {
                let (a, t, fl, _) = self.field(f)?;
                Ok((a, t, fl))
            }
            Operand::Transformer(t) => self.transformer(t),
        }
    }

    fn transformer(&self, t: &Transformer) -> Result<(Accessor, FieldType, u16), CompileError> {
        let name = t.kind.as_str();
        if t.arg.is_some() && t.kind != TransformerKind::Getopt {
            return err(format!(
                "filter error: transformer '{name}' does not support field arguments"
            ));
        }
        if t.kind == TransformerKind::Val {
            let Some(TransformerArg::Field(f)) = t.args.first() else {
                return err("filter error: 'val' takes exactly one field");
            };
            if t.args.len() != 1 {
                return err("filter error: 'val' takes exactly one field");
            }
            let (a, ty, fl, n) = self.field(f)?;
            if fl & flags::NO_RHS != 0 {
                return err(format!(
                    "filter error: field '{n}' cannot be used as a right-hand side field"
                ));
            }
            return Ok((a, ty, fl));
        }
        let mut args = Vec::new();
        let mut in_types = Vec::new();
        for a in &t.args {
            let (ca, ty) = self.targ(a)?;
            args.push(ca);
            in_types.push(ty);
        }
        let out = match t.kind {
            TransformerKind::ToLower
            | TransformerKind::ToUpper
            | TransformerKind::B64
            | TransformerKind::Basename => {
                if args.len() != 1 {
                    return err(format!(
                        "filter error: transformer '{name}' takes one argument"
                    ));
                }
                match in_types[0] {
                    Some((FieldType::CharBuf | FieldType::ByteBuf, fl)) => {
                        (FieldType::CharBuf, fl & flags::IS_LIST)
                    }
                    Some((ty, _)) => {
                        return err(format!(
                            "filter error: transformer '{name}' is not supported by field type '{}'",
                            ty.name()
                        ));
                    }
                    None => {
                        return err(format!(
                            "filter error: transformer '{name}' requires a field argument"
                        ));
                    }
                }
            }
            TransformerKind::Len => {
                if args.len() != 1 || in_types[0].is_none() {
                    return err("filter error: transformer 'len' takes one field argument");
                }
                (FieldType::Uint64, 0)
            }
            TransformerKind::Join | TransformerKind::Concat | TransformerKind::Getopt => {
                (FieldType::CharBuf, 0)
            }
            TransformerKind::Val => (FieldType::CharBuf, 0),
        };
        Ok((
            Accessor::Transform {
                kind: t.kind,
                args,
                key: t.arg.clone(),
            },
            out.0,
            out.1,
        ))
    }

    fn targ(&self, a: &TransformerArg) -> Result<(TArg, Option<(FieldType, u16)>), CompileError> {
        Ok(match a {
            TransformerArg::Field(f) => {
                let (acc, ty, fl, n) = self.field(f)?;
                if fl & flags::NO_TRANSFORMER != 0 || ty == FieldType::Dyn {
                    return err(format!(
                        "filter error: field '{n}' does not support transformers"
                    ));
                }
                (TArg::Acc(acc), Some((ty, fl)))
            }
            TransformerArg::Transformer(t) => {
                let (acc, ty, fl) = self.transformer(t)?;
                (TArg::Acc(acc), Some((ty, fl)))
            }
            TransformerArg::Str(s) | TransformerArg::Num(s) => (TArg::Const(s.clone()), None),
            TransformerArg::List(items) => {
                let mut v = Vec::new();
                for i in items {
                    v.push(self.targ(i)?.0);
                }
                (TArg::List(v), None)
            }
        })
    }

    fn warn_field_like(&mut self, v: &str) {
        let t = v.trim();
        match parser::parse_operand(t) {
            Some(Operand::Field(f)) if self.reg.resolve(&f.name, f.arg.as_deref()).is_ok() => {
                self.warnings.push(format!(
                    "'{v}' may be a valid field misused as a const string value"
                ));
            }
            Some(Operand::Transformer(tr)) if self.transformer(&tr).is_ok() => {
                self.warnings.push(format!(
                    "'{v}' may be a valid field transformer misused as a const string value"
                ));
            }
            _ => {}
        }
    }

    fn value_matcher(
        &mut self,
        ty: FieldType,
        op: CmpOp,
        v: &str,
    ) -> Result<Matcher, CompileError> {
        use CmpOp::*;
        let bad = |v: &str| {
            err(format!(
                "filter error: value '{v}' is not valid for a field of type {}",
                ty.name()
            ))
        };
        if ty != FieldType::ByteBuf && v.as_bytes().contains(&0) {
            return err("filter error: values cannot contain a NUL character");
        }
        Ok(match ty {
            FieldType::CharBuf | FieldType::Dyn => {
                let b: Box<[u8]> = v.as_bytes().into();
                match op {
                    Eq | EqEq | Ne => Matcher::StrEq(b),
                    Lt | Le | Gt | Ge => Matcher::StrCmp(op, b),
                    Contains => Matcher::Contains(Box::new(memmem::Finder::new(&b).into_owned())),
                    IContains => Matcher::IContains(b.to_ascii_lowercase().into()),
                    StartsWith => Matcher::StartsWith(b),
                    EndsWith => Matcher::EndsWith(b),
                    Glob => Matcher::Glob(crate::matchers::Glob::new(&b, false)),
                    IGlob => Matcher::Glob(crate::matchers::Glob::new(&b, true)),
                    Regex => {
                        if regex_is_simple(v) {
                            self.warnings.push(format!(
                                "regex '{v}' could be replaced by a simpler and faster comparison operator"
                            ));
                        }
                        let re = regex::bytes::Regex::new(&format!("^(?:{})$", re2_compat(v)))
                            .map_err(|e| CompileError {
                                message: format!("filter error: invalid regex '{v}': {e}"),
                                unknown_field: false,
                            })?;
                        Matcher::Regex(re)
                    }
                    _ => return err("filter error: unsupported operator"),
                }
            }
            FieldType::ByteBuf => match op {
                BContains | BStartsWith => {
                    let Some(h) = parse_hex(v) else {
                        return err(format!("filter error: '{v}' is not a valid hex string"));
                    };
                    if op == BContains {
                        Matcher::Contains(Box::new(memmem::Finder::new(&h).into_owned()))
                    } else {
                        Matcher::StartsWith(h.into())
                    }
                }
                Contains => {
                    Matcher::Contains(Box::new(memmem::Finder::new(v.as_bytes()).into_owned()))
                }
                StartsWith => Matcher::StartsWith(v.as_bytes().into()),
                EndsWith => Matcher::EndsWith(v.as_bytes().into()),
                _ => Matcher::StrEq(v.as_bytes().into()),
            },
            FieldType::Bool => match v {
                "true" => Matcher::Bool(true),
                "false" => Matcher::Bool(false),
                _ => return bad(v),
            },
            FieldType::IpAddr => match v.parse::<IpAddr>() {
                Ok(ip) => Matcher::Ip(ip),
                Err(_) => return bad(v),
            },
            FieldType::IpNet => match parse_net(v) {
                Some(n) => Matcher::Net(vec![n]),
                None => return bad(v),
            },
            FieldType::Port => match parse_port(v) {
                Some(n) => Matcher::NumCmp(if op == Ne { Eq } else { op }, Num::Int(n)),
                None => return bad(v),
            },
            _ => match parse_int(v) {
                Some(n) => Matcher::NumCmp(if op == Ne { Eq } else { op }, Num::Int(n)),
                None => return bad(v),
            },
        })
    }

    fn set_matcher(
        &mut self,
        ty: FieldType,
        op: CmpOp,
        items: &[String],
    ) -> Result<Matcher, CompileError> {
        if ty != FieldType::ByteBuf && items.iter().any(|i| i.as_bytes().contains(&0)) {
            return err("filter error: values cannot contain a NUL character");
        }
        if op == CmpOp::PMatch {
            return Ok(Matcher::PMatch(PrefixTable::new(
                items.iter().map(|s| s.as_bytes()),
            )));
        }
        Ok(match ty {
            FieldType::CharBuf | FieldType::ByteBuf | FieldType::Dyn => {
                if ty != FieldType::ByteBuf && items.iter().any(|i| i.as_bytes().contains(&0)) {
                    return err("filter error: values cannot contain a NUL character");
                }
                Matcher::StrSet(items.iter().map(|s| s.as_bytes().into()).collect())
            }
            FieldType::Bool => Matcher::BoolSet(
                items
                    .iter()
                    .map(|v| match v.as_str() {
                        "true" => Ok(true),
                        "false" => Ok(false),
                        _ => err(format!("filter error: '{v}' is not a boolean")),
                    })
                    .collect::<Result<_, _>>()?,
            ),
            FieldType::IpAddr => Matcher::IpSet(
                items
                    .iter()
                    .map(|v| {
                        v.parse().map_err(|_| CompileError {
                            message: format!("filter error: '{v}' is not an IP address"),
                            unknown_field: false,
                        })
                    })
                    .collect::<Result<_, _>>()?,
            ),
            FieldType::IpNet => Matcher::Net(
                items
                    .iter()
                    .map(|v| {
                        parse_net(v).ok_or(CompileError {
                            message: format!("filter error: '{v}' is not a network"),
                            unknown_field: false,
                        })
                    })
                    .collect::<Result<_, _>>()?,
            ),
            _ => Matcher::NumSet(
                items
                    .iter()
                    .map(|v| {
                        let p = if ty == FieldType::Port {
                            parse_port(v)
                        } else {
                            parse_int(v)
                        };
                        p.ok_or(CompileError {
                            message: format!("filter error: '{v}' is not a number"),
                            unknown_field: false,
                        })
                    })
                    .collect::<Result<_, _>>()?,
            ),
        })
    }

    fn check(
        &mut self,
        lhs: &Operand,
        op: CmpOp,
        modifier: Option<Modifier>,
        rhs: Option<&Rhs>,
    ) -> Result<Check, CompileError> {
        let (acc, ty, fl) = self.operand(lhs)?;
        let list = fl & flags::IS_LIST != 0;
        let any = fl & (1 << 15) != 0;
        let mode = if any {
            Mode::Any
        } else if list {
            Mode::List
        } else {
            Mode::Single
        };
        if list && !any && !matches!(op, CmpOp::Exists | CmpOp::In | CmpOp::Intersects) {
            return err(format!(
                "filter error: list fields only support operators 'exists', 'in' and 'intersects', not '{}'",
                op.as_str()
            ));
        }
        if !op_allowed(ty, op) {
            return err(format!(
                "filter error: operator '{}' is not supported by field type '{}'",
                op.as_str(),
                ty.name()
            ));
        }
        if let Some(m) = modifier {
            if matches!(ty, FieldType::IpAddr | FieldType::IpNet)
                && !matches!(op, CmpOp::Eq | CmpOp::EqEq | CmpOp::Ne)
            {
                return err(format!(
                    "filter error: operator '{} {}' is not supported by field type '{}'",
                    op.as_str(),
                    m.as_str(),
                    ty.name()
                ));
            }
        }
        let negate_eq = op == CmpOp::Ne;
        let matcher = match (op, rhs) {
            (CmpOp::Exists, _) => Matcher::Exists,
            (_, None) => return err("filter error: missing value"),
            (_, Some(Rhs::Operand(o))) => {
                if op == CmpOp::Regex {
                    return err("filter error: 'regex' does not support a right-hand side field");
                }
                if matches!(&acc, Accessor::Field { .. }) && fl & flags::NO_RHS != 0 {
                    return err(
                        "filter error: this field does not support a right-hand side field comparison",
                    );
                }
                let (racc, rty, rfl) = self.operand(o)?;
                let rlist = rfl & flags::IS_LIST != 0;
                if rty != ty || (rlist != list && !op.is_list_op()) {
                    return err(format!(
                        "filter error: cannot compare field of type '{}' with field of type '{}'",
                        ty.name(),
                        rty.name()
                    ));
                }
                Matcher::Field(op, racc)
            }
            (_, Some(Rhs::Value(v))) if modifier.is_none() => {
                if !op.is_numeric_op() {
                    self.warn_field_like(v);
                }
                if op.is_list_op() {
                    self.set_matcher(ty, op, std::slice::from_ref(v))?
                } else {
                    self.value_matcher(ty, op, v)?
                }
            }
            (_, Some(Rhs::Ident(v))) | (_, Some(Rhs::Value(v))) => {
                let items = vec![v.clone()];
                self.list_or_modified(ty, op, modifier, &items)?
            }
            (_, Some(Rhs::List(items))) => {
                for i in items {
                    self.warn_field_like(i);
                }
                self.list_or_modified(ty, op, modifier, items)?
            }
        };
        Ok(Check {
            lhs: acc,
            mode,
            op,
            negate_eq,
            matcher,
            key: Box::from(""),
        })
    }

    fn list_or_modified(
        &mut self,
        ty: FieldType,
        op: CmpOp,
        modifier: Option<Modifier>,
        items: &[String],
    ) -> Result<Matcher, CompileError> {
        match modifier {
            None if op.is_list_op() => self.set_matcher(ty, op, items),
            None => match items {
                [one] => self.value_matcher(ty, op, one),
                _ => err("filter error: a list needs a list operator"),
            },
            Some(m) => {
                let eop = if op == CmpOp::Ne { CmpOp::Eq } else { op };
                let ms = items
                    .iter()
                    .map(|i| self.value_matcher(ty, eop, i))
                    .collect::<Result<_, _>>()?;
                Ok(Matcher::Modified(m, ms))
            }
        }
    }
}

// ---------------------------------------------------------------------------------
// Evaluation

fn b64_decode(s: &[u8]) -> Option<Vec<u8>> {
    let val = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => u32::from(c - b'A'),
            b'a'..=b'z' => u32::from(c - b'a') + 26,
            b'0'..=b'9' => u32::from(c - b'0') + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        })
    };
    let body: Vec<u8> = s.iter().copied().take_while(|c| *c != b'=').collect();
    if s[body.len()..].iter().any(|c| *c != b'=') || body.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(body.len() * 3 / 4);
    for chunk in body.chunks(4) {
        let mut acc = 0u32;
        for (i, c) in chunk.iter().enumerate() {
            acc |= val(*c)? << (18 - 6 * i);
        }
        let n = chunk.len() - 1;
        for i in 0..n {
            out.push(((acc >> (16 - 8 * i)) & 0xff) as u8);
        }
    }
    Some(out)
}

fn map_str<'e>(v: Values<'e>, f: impl Fn(&[u8]) -> Option<Vec<u8>>) -> Values<'e> {
    let conv = |x: &Value<'e>| -> Option<Value<'e>> {
        let b = x.as_bytes()?;
        let out = f(b)?;
        Some(Value::Str(
            String::from_utf8_lossy(&out).into_owned().into(),
        ))
    };
    match v {
        Values::Missing => Values::Missing,
        Values::One(x) => conv(&x).map_or(Values::Missing, Values::One),
        Values::Many(xs) => Values::Many(xs.iter().filter_map(conv).collect()),
    }
}

fn getopt(args: &str, spec: &str, key: &str) -> Option<String> {
    let words: Vec<&str> = args.split_whitespace().collect();
    let takes_value = |c: char| {
        spec.find(c)
            .is_some_and(|i| spec[i + c.len_utf8()..].starts_with(':'))
    };
    let mut i = 0;
    while i < words.len() {
        let w = words[i];
        if let Some(opts) = w
            .strip_prefix('-')
            .filter(|o| !o.is_empty() && !o.starts_with('-'))
        {
            for (j, c) in opts.char_indices() {
                if takes_value(c) {
                    let rest = &opts[j + c.len_utf8()..];
                    let v = if rest.is_empty() {
                        i += 1;
                        words.get(i).copied().unwrap_or("")
                    } else {
                        rest
                    };
                    if c.to_string() == key {
                        return Some(v.to_string());
                    }
                    break;
                } else if c.to_string() == key {
                    return Some(String::new());
                }
            }
        }
        i += 1;
    }
    None
}

impl Accessor {
    /// Extracts the values for `ev`.
    #[inline]
    pub fn get<'e, E: Event + ?Sized>(&self, ev: &'e E) -> Values<'e> {
        match self {
            Accessor::Field { id, arg } => ev.extract(*id, arg),
            Accessor::Transform { .. } => self.transform(ev),
        }
    }

    /// Extracts the values of a transformer for `ev` (kept apart from [`Accessor::get`]
    /// so the common case, a plain field, inlines into the checks).
    fn transform<'e, E: Event + ?Sized>(&self, ev: &'e E) -> Values<'e> {
        match self {
            Accessor::Field { .. } => self.get(ev),
            Accessor::Transform { kind, args, key } => match kind {
                TransformerKind::Val => match args.first() {
                    Some(TArg::Acc(a)) => a.get(ev),
                    _ => Values::Missing,
                },
                TransformerKind::ToLower => map_str(targ_values(args.first(), ev), |b| {
                    Some(b.to_ascii_lowercase())
                }),
                TransformerKind::ToUpper => map_str(targ_values(args.first(), ev), |b| {
                    Some(b.to_ascii_uppercase())
                }),
                TransformerKind::B64 => map_str(targ_values(args.first(), ev), b64_decode),
                TransformerKind::Basename => map_str(targ_values(args.first(), ev), |b| {
                    Some(b.rsplit(|c| *c == b'/').next().unwrap_or(b).to_vec())
                }),
                TransformerKind::Len => match targ_values(args.first(), ev) {
                    Values::Missing => Values::Missing,
                    Values::One(v) => {
                        Values::One(Value::Uint(v.as_bytes().map_or(1, |b| b.len() as u64)))
                    }
                    Values::Many(v) => Values::One(Value::Uint(v.len() as u64)),
                },
                TransformerKind::Join => {
                    let sep = match args.first() {
                        Some(TArg::Const(s)) => s.clone(),
                        _ => String::new(),
                    };
                    let mut parts = Vec::new();
                    for a in args.iter().skip(1) {
                        collect_text(a, ev, &mut parts);
                    }
                    if parts.is_empty() {
                        Values::Missing
                    } else {
                        Values::One(Value::Str(parts.join(&sep).into()))
                    }
                }
                TransformerKind::Concat => {
                    let mut parts = Vec::new();
                    for a in args {
                        collect_text(a, ev, &mut parts);
                    }
                    Values::One(Value::Str(parts.concat().into()))
                }
                TransformerKind::Getopt => {
                    let text = match targ_values(args.first(), ev) {
                        Values::One(v) => v.to_text(),
                        _ => return Values::Missing,
                    };
                    let spec = match args.get(1) {
                        Some(TArg::Const(s)) => s.as_str(),
                        _ => "",
                    };
                    match key.as_deref().and_then(|k| getopt(&text, spec, k)) {
                        Some(v) => Values::One(Value::Str(v.into())),
                        None => Values::Missing,
                    }
                }
            },
        }
    }
}

fn targ_values<'e, E: Event + ?Sized>(a: Option<&TArg>, ev: &'e E) -> Values<'e> {
    match a {
        Some(TArg::Acc(acc)) => acc.get(ev),
        Some(TArg::Const(c)) => Values::One(Value::Str(c.clone().into())),
        _ => Values::Missing,
    }
}

fn collect_text<E: Event + ?Sized>(a: &TArg, ev: &E, out: &mut Vec<String>) {
    match a {
        TArg::Acc(acc) => out.extend(acc.get(ev).as_slice().iter().map(Value::to_text)),
        TArg::Const(c) => out.push(c.clone()),
        TArg::List(items) => items.iter().for_each(|i| collect_text(i, ev, out)),
    }
}

/// Whether `hay` contains `needle_lower` (already lower case), ignoring ASCII case,
/// without allocating a lower-cased copy of every value.
fn icontains(hay: &[u8], needle_lower: &[u8]) -> bool {
    let Some((&first, rest)) = needle_lower.split_first() else {
        return true;
    };
    if hay.len() < needle_lower.len() {
        return false;
    }
    let last_start = hay.len() - needle_lower.len();
    let upper = first.to_ascii_uppercase();
    let mut i = 0;
    while i <= last_start {
        // Jump to the next byte that can start a match, in either case.
        match memchr::memchr2(first, upper, &hay[i..=last_start]) {
            None => return false,
            Some(off) => {
                let at = i + off;
                if hay[at + 1..at + needle_lower.len()].eq_ignore_ascii_case(rest) {
                    return true;
                }
                i = at + 1;
            }
        }
    }
    false
}

fn num_cmp(op: CmpOp, a: i128, b: i128) -> bool {
    match op {
        CmpOp::Lt => a < b,
        CmpOp::Le => a <= b,
        CmpOp::Gt => a > b,
        CmpOp::Ge => a >= b,
        _ => a == b,
    }
}

fn f64_cmp(op: CmpOp, a: f64, b: f64) -> bool {
    match op {
        CmpOp::Lt => a < b,
        CmpOp::Le => a <= b,
        CmpOp::Gt => a > b,
        CmpOp::Ge => a >= b,
        _ => a == b,
    }
}

fn bytes_cmp(op: CmpOp, a: &[u8], b: &[u8]) -> bool {
    match op {
        CmpOp::Lt => a < b,
        CmpOp::Le => a <= b,
        CmpOp::Gt => a > b,
        CmpOp::Ge => a >= b,
        CmpOp::Contains | CmpOp::BContains => memmem::find(a, b).is_some(),
        CmpOp::IContains => {
            memmem::find(&a.to_ascii_lowercase(), &b.to_ascii_lowercase()).is_some()
        }
        CmpOp::StartsWith | CmpOp::BStartsWith => a.starts_with(b),
        CmpOp::EndsWith => a.ends_with(b),
        CmpOp::Glob => Glob::new(b, false).matches(a),
        CmpOp::IGlob => Glob::new(b, true).matches(a),
        CmpOp::PMatch => PrefixTable::new([b]).matches(a),
        _ => a == b,
    }
}

/// Compares two runtime values with `op` (field-to-field comparisons).
fn value_cmp(op: CmpOp, a: &Value<'_>, b: &Value<'_>) -> bool {
    if let (Some(x), Some(y)) = (a.as_bytes(), b.as_bytes()) {
        return bytes_cmp(op, x, y);
    }
    if let (Some(x), Some(y)) = (a.as_i128(), b.as_i128()) {
        return num_cmp(op, x, y);
    }
    match (a, b) {
        (Value::Double(x), Value::Double(y)) => f64_cmp(op, *x, *y),
        (Value::Ip(x), Value::Ip(y)) => x == y,
        _ => false,
    }
}

impl Matcher {
    fn one(&self, v: &Value<'_>) -> bool {
        match self {
            Matcher::Exists => true,
            Matcher::StrEq(b) => v.as_bytes() == Some(b),
            Matcher::StrCmp(op, b) => v.as_bytes().is_some_and(|x| bytes_cmp(*op, x, b)),
            Matcher::Contains(f) => v.as_bytes().is_some_and(|x| f.find(x).is_some()),
            Matcher::IContains(n) => v.as_bytes().is_some_and(|x| icontains(x, n)),
            Matcher::StartsWith(p) => v.as_bytes().is_some_and(|x| x.starts_with(p)),
            Matcher::EndsWith(p) => v.as_bytes().is_some_and(|x| x.ends_with(p)),
            Matcher::Glob(g) => v.as_bytes().is_some_and(|x| g.matches(x)),
            Matcher::Regex(r) => v.as_bytes().is_some_and(|x| r.is_match(x)),
            Matcher::StrSet(s) => v.as_bytes().is_some_and(|x| s.contains(x)),
            Matcher::PMatch(t) => v.as_bytes().is_some_and(|x| t.matches(x)),
            Matcher::NumCmp(op, Num::Int(n)) => match v {
                Value::Double(d) => f64_cmp(*op, *d, *n as f64),
                _ => v.as_i128().is_some_and(|x| num_cmp(*op, x, *n)),
            },
            Matcher::NumSet(s) => match v {
                Value::Double(d) => s.iter().any(|n| *d == *n as f64),
                _ => v.as_i128().is_some_and(|x| s.contains(&x)),
            },
            Matcher::Bool(b) => matches!(v, Value::Bool(x) if x == b),
            Matcher::BoolSet(s) => matches!(v, Value::Bool(x) if s.contains(x)),
            Matcher::Ip(ip) => matches!(v, Value::Ip(x) if x == ip),
            Matcher::IpSet(s) => matches!(v, Value::Ip(x) if s.contains(x)),
            Matcher::Net(nets) => match v {
                Value::Ip(x) => nets.iter().any(|n| in_net(x, n)),
                _ => false,
            },
            Matcher::Modified(m, ms) => {
                let n = ms.iter().filter(|x| x.one(v)).count();
                match m {
                    Modifier::OneOf => n == 1,
                    Modifier::AnyOf => n >= 1,
                    Modifier::AllOf => !ms.is_empty() && n == ms.len(),
                }
            }
            Matcher::Field(..) => false,
        }
    }
}

impl Check {
    /// The check as libsinsp renders it (empty when it has no stable text).
    pub(crate) fn key(&self) -> &str {
        &self.key
    }

    /// Whether the check reads `field` (without argument) and nothing else, so that
    /// its result is known once that field's value is.
    pub(crate) fn reads_only(&self, field: FieldId) -> bool {
        matches!(&self.lhs, Accessor::Field { id, arg: FieldArg::None } if *id == field)
            && !matches!(self.matcher, Matcher::Field(..))
    }

    /// Whether the check holds for `ev`.
    pub(crate) fn eval<E: Event + ?Sized>(&self, ev: &E) -> bool {
        let vals = self.lhs.get(ev);
        if vals.is_missing() {
            return false;
        }
        let vs = vals.as_slice();
        if let Matcher::Field(op, racc) = &self.matcher {
            let rvals = racc.get(ev);
            if rvals.is_missing() {
                return false;
            }
            let rs = rvals.as_slice();
            let base = if *op == CmpOp::Ne { CmpOp::Eq } else { *op };
            let one = |v: &Value<'_>| -> bool {
                let r = if op.is_list_op() {
                    rs.iter().any(|r| value_cmp(CmpOp::Eq, v, r))
                } else {
                    rs.first().is_some_and(|r| value_cmp(base, v, r))
                };
                r != (*op == CmpOp::Ne)
            };
            return match (self.mode, self.op) {
                (Mode::List, CmpOp::In) => vs.iter().all(one),
                _ => vs.iter().any(one),
            };
        }
        let one = |v: &Value<'_>| self.matcher.one(v) != self.negate_eq;
        match self.mode {
            Mode::Single => vs.first().is_some_and(one),
            Mode::Any => vs.iter().any(one),
            Mode::List => match self.op {
                CmpOp::Exists => true,
                CmpOp::In => vs.iter().all(one),
                _ => vs.iter().any(one),
            },
        }
    }
}

impl Filter {
    /// Evaluates the filter on `ev`.
    pub fn eval<E: Event + ?Sized>(&self, ev: &E) -> bool {
        match self {
            Filter::And(c) => c.iter().all(|f| f.eval(ev)),
            Filter::Or(c) => c.iter().any(|f| f.eval(ev)),
            Filter::Not(f) => !f.eval(ev),
            Filter::Check(c) => c.eval(ev),
        }
    }
}

/// Compiles a field or transformer expression alone (output tokens, exception fields).
pub fn compile_operand(
    o: &Operand,
    reg: &FieldRegistry,
) -> Result<(Accessor, FieldType, u16), CompileError> {
    Compiler {
        reg,
        warnings: Vec::new(),
    }
    .operand(o)
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The allocation-free `icontains` agrees with lower-casing both sides.
        #[test]
        fn icontains_matches_lowercase_search(hay in "[a-cA-C./ ]{0,24}", needle in "[a-cA-C./]{0,4}") {
            let n = needle.to_ascii_lowercase();
            let naive = memmem::find(hay.to_ascii_lowercase().as_bytes(), n.as_bytes()).is_some();
            proptest::prop_assert_eq!(icontains(hay.as_bytes(), n.as_bytes()), naive);
        }
    }

    #[test]
    fn base64_decoding() {
        assert_eq!(b64_decode(b"dGVzdA==").unwrap(), b"test");
        assert_eq!(b64_decode(b"dGVzdA").unwrap(), b"test");
        assert!(b64_decode(b"!!").is_none());
    }

    #[test]
    fn simple_regexes() {
        assert!(regex_is_simple("^syscall$"));
        assert!(regex_is_simple(".?syscall.?"));
        assert!(!regex_is_simple("syscall.{1}"));
        assert!(!regex_is_simple("syscall\\.*"));
        assert!(!regex_is_simple("s.*l"));
    }

    #[test]
    fn getopt_reads_options() {
        assert_eq!(getopt("-n 3 -t x", "nt:", "t").as_deref(), Some("x"));
        assert_eq!(getopt("-tfoo", "t:", "t").as_deref(), Some("foo"));
    }
}
