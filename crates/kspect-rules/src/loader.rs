//! Reading rule files into lists, macros and rules (define, append, override), the
//! way Falco's rule loader reader and collector do.

use std::collections::BTreeSet;

use crate::output::Priority;
use crate::yaml::{self, Mark, Node};

/// Where an item is: file, line and column, and which item.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Context {
    /// File name as given to the loader.
    pub file: String,
    /// Line, from 1.
    pub line: u32,
    /// Column, from 1.
    pub column: u32,
    /// The item, e.g. `rule 'Terminal shell in container'`.
    pub item: String,
}

impl std::fmt::Display for Context {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)?;
        if !self.item.is_empty() {
            write!(f, " ({})", self.item)?;
        }
        Ok(())
    }
}

/// A loader error or warning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The message (Falco's wording where tests pin it).
    pub message: String,
    /// Where.
    pub ctx: Context,
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.ctx, self.message)
    }
}

/// Falco's warning and error texts (`rule_loading_messages.h`).
pub mod messages {
    /// Deprecated `append: true`.
    pub const WARNING_APPEND: &str = "'append' key is deprecated. Add an 'append' entry (e.g. 'condition: append') under 'override' instead.";
    /// Standalone `enabled`.
    pub const WARNING_ENABLED: &str = "The standalone 'enabled' key usage is deprecated. The correct approach requires also a 'replace' entry under the 'override' key (i.e. 'enabled: replace').";
    /// `override` with `append: true`.
    pub const ERROR_OVERRIDE_APPEND: &str = "Keys 'override' and 'append: true' cannot be used together. Add an 'append' entry (e.g. 'condition: append') under 'override' instead.";
    /// Append to a missing list.
    pub const ERROR_NO_PREVIOUS_LIST: &str =
        "List uses 'append' or 'override.items: append' but no list by that name already exists";
    /// Append to a missing macro.
    pub const ERROR_NO_PREVIOUS_MACRO: &str = "Macro uses 'append' or 'override.condition: append' but no macro by that name already exists";
    /// Append to a missing rule.
    pub const ERROR_NO_PREVIOUS_RULE_APPEND: &str =
        "Rule uses 'append' or 'override.<key>: append' but no rule by that name already exists";
    /// Replace on a missing rule.
    pub const ERROR_NO_PREVIOUS_RULE_REPLACE: &str = "An 'override.<key>: replace' to a rule was requested but no rule by that name already exists";
    /// Bad macro name.
    pub const WARNING_INVALID_MACRO_NAME: &str = "Macro has an invalid name. Macro names should match a regular expression: ([a-zA-Z]+[a-zA-Z0-9_]*)";
    /// Bad list name.
    pub const WARNING_INVALID_LIST_NAME: &str = "List has an invalid name. List names should match a regular expression: ([^()\"'[:space:]=,]+)";
}

use messages::*;

/// One `fields`/`comps`/`values` entry of an exception: a scalar or a sequence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// A scalar.
    Item(String),
    /// A sequence.
    List(Vec<Entry>),
}

/// An exception of a rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExceptionInfo {
    /// Its name.
    pub name: String,
    /// Field(s).
    pub fields: Option<Entry>,
    /// Operator(s).
    pub comps: Option<Entry>,
    /// Value tuples.
    pub values: Vec<Entry>,
    /// Where.
    pub ctx: Context,
}

/// A collected list.
#[derive(Debug, Clone)]
pub struct ListInfo {
    /// Name.
    pub name: String,
    /// Items as written (appends included).
    pub items: Vec<String>,
    /// Sequence number of the latest define/append.
    pub visibility: u64,
    /// Where it was (last) defined.
    pub ctx: Context,
}

/// A collected macro.
#[derive(Debug, Clone)]
pub struct MacroInfo {
    /// Name.
    pub name: String,
    /// Condition text (appends concatenated).
    pub cond: String,
    /// Sequence number of the first definition.
    pub first_seq: u64,
    /// Sequence number of the latest define/append.
    pub visibility: u64,
    /// Where.
    pub ctx: Context,
}

/// A collected rule.
#[derive(Debug, Clone)]
pub struct RuleInfo {
    /// Name.
    pub name: String,
    /// Condition text.
    pub cond: String,
    /// Output format (trimmed).
    pub output: String,
    /// Description.
    pub desc: String,
    /// Priority.
    pub priority: Priority,
    /// Source (`syscall` by default).
    pub source: String,
    /// Enabled flag.
    pub enabled: bool,
    /// Tags, sorted and deduplicated.
    pub tags: BTreeSet<String>,
    /// Exceptions.
    pub exceptions: Vec<ExceptionInfo>,
    /// `capture`.
    pub capture: bool,
    /// `capture_duration`.
    pub capture_duration: u64,
    /// `warn_evttypes`.
    pub warn_evttypes: bool,
    /// `skip-if-unknown-filter`.
    pub skip_if_unknown_filter: bool,
    /// The source is not registered: the rule is kept but never compiled.
    pub unknown_source: bool,
    /// Where.
    pub ctx: Context,
}

/// A `required_plugin_versions` entry: any one alternative satisfies it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PluginRequirement {
    /// `(name, version)` pairs, the first being the main one.
    pub alternatives: Vec<(String, String)>,
    /// Where.
    pub ctx: Context,
}

/// Everything collected from the files loaded so far (names keep their first position).
#[derive(Debug, Clone, Default)]
pub struct Collection {
    /// Lists in definition order.
    pub lists: Vec<ListInfo>,
    /// Macros in definition order.
    pub macros: Vec<MacroInfo>,
    /// Rules in definition order.
    pub rules: Vec<RuleInfo>,
    /// Highest `required_engine_version` seen.
    pub required_engine_version: Option<(u64, u64, u64)>,
    /// Plugin requirements.
    pub plugin_requirements: Vec<PluginRequirement>,
    seq: u64,
}

/// The engine version this implementation corresponds to (Falco 0.44).
pub const ENGINE_VERSION: (u64, u64, u64) = (0, 63, 0);

type R<T> = Result<T, Diagnostic>;

/// Parses `x.y.z` (a leading `v` and a pre-release/build suffix are tolerated).
pub fn parse_semver(s: &str) -> Option<(u64, u64, u64)> {
    let s = s.strip_prefix('v').unwrap_or(s);
    let core = s.split(['-', '+']).next()?;
    let mut it = core.split('.');
    let a = it.next()?.parse().ok()?;
    let b = it.next()?.parse().ok()?;
    let c = it.next()?.parse().ok()?;
    it.next().is_none().then_some((a, b, c))
}

struct Reader<'a> {
    file: &'a str,
    sources: &'a [String],
    warnings: &'a mut Vec<Diagnostic>,
}

const LIST_KEYS: &[&str] = &["list", "items", "append", "override"];
const MACRO_KEYS: &[&str] = &["macro", "condition", "append", "override"];
const RULE_KEYS: &[&str] = &[
    "rule",
    "condition",
    "output",
    "desc",
    "priority",
    "source",
    "enabled",
    "tags",
    "exceptions",
    "append",
    "override",
    "capture",
    "capture_duration",
    "warn_evttypes",
    "skip-if-unknown-filter",
];
const RULE_APPENDABLE: &[&str] = &["condition", "output", "desc", "tags", "exceptions"];
const RULE_REPLACEABLE: &[&str] = &[
    "condition",
    "output",
    "desc",
    "priority",
    "tags",
    "exceptions",
    "enabled",
    "capture",
    "capture_duration",
    "warn_evttypes",
    "skip-if-unknown-filter",
];

impl Reader<'_> {
    fn ctx(&self, m: Mark, item: &str) -> Context {
        Context {
            file: self.file.to_string(),
            line: m.line,
            column: m.column,
            item: item.to_string(),
        }
    }

    fn fail<T>(&self, msg: impl Into<String>, ctx: &Context) -> R<T> {
        Err(Diagnostic {
            message: msg.into(),
            ctx: ctx.clone(),
        })
    }

    fn warn(&mut self, msg: impl Into<String>, ctx: &Context) {
        self.warnings.push(Diagnostic {
            message: msg.into(),
            ctx: ctx.clone(),
        });
    }

    fn warn_unknown_keys(&mut self, item: &Node, known: &[&str], ctx: &Context) {
        for k in item.keys() {
            if !known.contains(&k) {
                self.warn(format!("Unknown key '{k}'. The key will be ignored."), ctx);
            }
        }
    }

    /// A required non-empty scalar.
    fn string(&self, item: &Node, key: &str, ctx: &Context) -> R<String> {
        match item.get(key) {
            None => self.fail(format!("Item has no mapping for key '{key}'"), ctx),
            Some(Node::Null(_)) => self.fail(format!("Mapping for key '{key}' is empty"), ctx),
            Some(Node::Scalar { text, .. }) if text.is_empty() => {
                self.fail("Value must be non-empty", ctx)
            }
            Some(Node::Scalar { text, .. }) => Ok(text.clone()),
            Some(_) => self.fail("Value is not a scalar value", ctx),
        }
    }

    fn opt_string(&self, item: &Node, key: &str, ctx: &Context) -> R<Option<String>> {
        if item.get(key).is_none() {
            return Ok(None);
        }
        self.string(item, key, ctx).map(Some)
    }

    fn opt_bool(&self, item: &Node, key: &str, ctx: &Context) -> R<Option<bool>> {
        match self.opt_string(item, key, ctx)? {
            None => Ok(None),
            Some(t) => match yaml::yaml_bool(&t) {
                Some(b) => Ok(Some(b)),
                None => self.fail("Can't decode YAML scalar value", ctx),
            },
        }
    }

    fn opt_u64(&self, item: &Node, key: &str, ctx: &Context) -> R<Option<u64>> {
        match self.opt_string(item, key, ctx)? {
            None => Ok(None),
            Some(t) => match t.parse::<u64>() {
                Ok(v) => Ok(Some(v)),
                Err(_) => self.fail("Can't decode YAML scalar value", ctx),
            },
        }
    }

    fn seq_of_scalars(&self, item: &Node, key: &str, ctx: &Context) -> R<Vec<String>> {
        match item.get(key) {
            None => self.fail(format!("Item has no mapping for key '{key}'"), ctx),
            Some(Node::Seq(items, _)) => items
                .iter()
                .map(|v| match v {
                    Node::Scalar { text, .. } => Ok(text.clone()),
                    Node::Null(_) => Ok(String::new()),
                    _ => self.fail("sequence value is not scalar", ctx),
                })
                .collect(),
            Some(_) => self.fail("Value is not a sequence", ctx),
        }
    }

    fn tags(&self, item: &Node, ctx: &Context) -> R<Option<BTreeSet<String>>> {
        if item.get("tags").is_none() {
            return Ok(None);
        }
        Ok(Some(
            self.seq_of_scalars(item, "tags", ctx)?
                .into_iter()
                .collect(),
        ))
    }

    /// `override:` → (append keys, replace keys).
    fn overrides(
        &self,
        item: &Node,
        appendable: &[&str],
        replaceable: &[&str],
        ctx: &Context,
    ) -> R<(Vec<String>, Vec<String>)> {
        let (mut app, mut rep) = (Vec::new(), Vec::new());
        let Some(ov) = item.get("override") else {
            return Ok((app, rep));
        };
        let Node::Map(entries, _) = ov else {
            return self.fail("Value of 'override' must be a mapping", ctx);
        };
        for (k, v) in entries {
            let key = k.as_text().unwrap_or_default().to_string();
            let op = v.as_text().unwrap_or_default();
            let can_app = appendable.contains(&key.as_str());
            let can_rep = replaceable.contains(&key.as_str());
            match op {
                "append" if can_app => app.push(key),
                "append" => {
                    return self.fail(
                        format!("Key '{key}' cannot be appended to, use 'replace' instead"),
                        ctx,
                    );
                }
                "replace" if can_rep => rep.push(key),
                "replace" => return self.fail(format!("Key '{key}' cannot be replaced"), ctx),
                other => {
                    let mut allowed = String::new();
                    if can_app {
                        allowed.push_str("append ");
                    }
                    if can_rep {
                        allowed.push_str("replace ");
                    }
                    return self.fail(
                        format!("Invalid override operation for key '{key}': '{other}'. Allowed values are: {allowed}"),
                        ctx,
                    );
                }
            }
        }
        Ok((app, rep))
    }

    fn entry(&self, n: &Node, ctx: &Context) -> R<Entry> {
        match n {
            Node::Scalar { text, .. } if text.is_empty() => {
                self.fail("Value must be non-empty", ctx)
            }
            Node::Scalar { text, .. } => Ok(Entry::Item(text.clone())),
            Node::Seq(items, _) => Ok(Entry::List(
                items.iter().map(|i| self.entry(i, ctx)).collect::<R<_>>()?,
            )),
            Node::Null(_) => self.fail("Value must be non-empty", ctx),
            Node::Map(..) => self.fail("Value is not a scalar or sequence", ctx),
        }
    }

    fn exceptions(
        &mut self,
        item: &Node,
        rule_ctx: &Context,
        appending: bool,
    ) -> R<Vec<ExceptionInfo>> {
        let mut out: Vec<ExceptionInfo> = Vec::new();
        let exs = match item.get("exceptions") {
            None | Some(Node::Null(_)) => return Ok(out),
            Some(Node::Seq(v, _)) => v,
            Some(_) => return self.fail("Rule exceptions must be a sequence", rule_ctx),
        };
        for ex in exs {
            let ctx = self.ctx(ex.mark(), &rule_ctx.item);
            if !matches!(ex, Node::Map(..)) {
                return self.fail("Rule exception must be a mapping", &ctx);
            }
            let name = self.string(ex, "name", &ctx)?;
            let ctx = self.ctx(
                ex.mark(),
                &format!("exception '{name}' of {}", rule_ctx.item),
            );
            if out.iter().any(|e| e.name == name) {
                self.warn("Multiple definitions of exception with the same name", &ctx);
            }
            for k in ex.keys() {
                if !["name", "fields", "comps", "values"].contains(&k) {
                    self.warn(format!("Unknown key '{k}'. The key will be ignored."), &ctx);
                }
            }
            let fields = match ex.get("fields") {
                None if appending => None,
                None => return self.fail("Item has no mapping for key 'fields'", &ctx),
                Some(n) => Some(self.entry(n, &ctx)?),
            };
            let comps = match ex.get("comps") {
                None => None,
                Some(n) => Some(self.entry(n, &ctx)?),
            };
            let mut values = Vec::new();
            match ex.get("values") {
                Some(Node::Seq(vals, _)) => {
                    for v in vals {
                        values.push(self.entry(v, &ctx)?);
                    }
                }
                Some(_) => return self.fail("Rule exception values must be a sequence", &ctx),
                None if appending => {
                    self.warn("Overriding/appending exception with no values", &ctx)
                }
                None => {}
            }
            out.push(ExceptionInfo {
                name,
                fields,
                comps,
                values,
                ctx,
            });
        }
        Ok(out)
    }
}

impl Collection {
    fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    /// Reads one rules file into the collection. On error, items read before the error
    /// stay collected (as in Falco, where the file's load then fails as a whole).
    pub fn read(
        &mut self,
        content: &str,
        file: &str,
        sources: &[String],
        warnings: &mut Vec<Diagnostic>,
    ) -> R<()> {
        let file_ctx = Context {
            file: file.to_string(),
            line: 1,
            column: 1,
            item: String::new(),
        };
        let docs = yaml::parse_all(content).map_err(|e| Diagnostic {
            message: e.message,
            ctx: Context {
                line: e.mark.line,
                column: e.mark.column,
                ..file_ctx.clone()
            },
        })?;
        let mut rd = Reader {
            file,
            sources,
            warnings,
        };
        for doc in docs.iter().flatten() {
            let items = match doc {
                Node::Seq(items, _) => items,
                Node::Map(..) => {
                    return rd.fail("Rules content is not yaml array of objects", &file_ctx);
                }
                _ => return rd.fail("Rules content is not yaml", &file_ctx),
            };
            for item in items {
                if item.is_null() {
                    continue;
                }
                self.read_item(&mut rd, item)?;
            }
        }
        Ok(())
    }

    fn read_item(&mut self, rd: &mut Reader<'_>, item: &Node) -> R<()> {
        let m = item.mark();
        if !matches!(item, Node::Map(..)) {
            return rd.fail(
                "Unexpected element type. Each element should be a yaml associative array.",
                &rd.ctx(m, ""),
            );
        }
        if item.get("required_engine_version").is_some() {
            let ctx = rd.ctx(m, "required_engine_version");
            let v = rd.string(item, "required_engine_version", &ctx)?;
            let ver = match v.parse::<u32>() {
                Ok(n) => (0, u64::from(n), 0),
                Err(_) => match parse_semver(&v) {
                    Some(s) => s,
                    None => {
                        return rd.fail(
                            format!("Unable to parse engine version '{v}' as a semver string. Expected \"x.y.z\" semver format."),
                            &ctx,
                        );
                    }
                },
            };
            if ver.0 != ENGINE_VERSION.0 || ver > ENGINE_VERSION {
                return rd.fail(
                    format!(
                        "Rules require engine version {}.{}.{}, but engine version is {}.{}.{}",
                        ver.0, ver.1, ver.2, ENGINE_VERSION.0, ENGINE_VERSION.1, ENGINE_VERSION.2
                    ),
                    &ctx,
                );
            }
            if self.required_engine_version.is_none_or(|r| ver > r) {
                self.required_engine_version = Some(ver);
            }
            return Ok(());
        }
        if let Some(req) = item.get("required_plugin_versions") {
            let ctx = rd.ctx(m, "required_plugin_versions");
            let Node::Seq(entries, _) = req else {
                return rd.fail("Value of required_plugin_versions must be a sequence", &ctx);
            };
            for e in entries {
                let ectx = rd.ctx(e.mark(), "required_plugin_versions");
                if !matches!(e, Node::Map(..)) {
                    return rd.fail("Plugin version must be a mapping", &ectx);
                }
                let mut alts = vec![(
                    rd.string(e, "name", &ectx)?,
                    rd.string(e, "version", &ectx)?,
                )];
                if let Some(a) = e.get("alternatives") {
                    let Node::Seq(alternatives, _) = a else {
                        return rd.fail(
                            "Value of plugin version alternatives must be a sequence",
                            &ectx,
                        );
                    };
                    for alt in alternatives {
                        if !matches!(alt, Node::Map(..)) {
                            return rd.fail("Plugin version alternative must be a mapping", &ectx);
                        }
                        alts.push((
                            rd.string(alt, "name", &ectx)?,
                            rd.string(alt, "version", &ectx)?,
                        ));
                    }
                }
                let mut seen = BTreeSet::new();
                for (n, v) in &alts {
                    if parse_semver(v).is_none() {
                        return rd.fail(format!("Plugin version string {v} is not valid"), &ectx);
                    }
                    if !seen.insert(n.clone()) {
                        return rd.fail(
                            format!(
                                "Defined multiple alternative version requirements for plugin {n}"
                            ),
                            &ectx,
                        );
                    }
                }
                self.plugin_requirements.push(PluginRequirement {
                    alternatives: alts,
                    ctx: ectx,
                });
            }
            return Ok(());
        }
        if item.get("list").is_some() {
            return self.read_list(rd, item);
        }
        if item.get("macro").is_some() {
            return self.read_macro(rd, item);
        }
        if item.get("rule").is_some() {
            return self.read_rule(rd, item);
        }
        let ctx = rd.ctx(m, "");
        rd.warn("Unknown top level item", &ctx);
        Ok(())
    }

    fn read_list(&mut self, rd: &mut Reader<'_>, item: &Node) -> R<()> {
        let m = item.mark();
        let name = rd.string(item, "list", &rd.ctx(m, "list"))?;
        let ctx = rd.ctx(m, &format!("list '{name}'"));
        if !crate::parser::is_bare_string(&name) {
            rd.warn(WARNING_INVALID_LIST_NAME, &ctx);
        }
        rd.warn_unknown_keys(item, LIST_KEYS, &ctx);
        let items = rd.seq_of_scalars(item, "items", &ctx)?;
        let append = rd.opt_bool(item, "append", &ctx)?.unwrap_or(false);
        if append {
            rd.warn(WARNING_APPEND, &ctx);
        }
        let (app, rep) = rd.overrides(item, &["items"], &["items"], &ctx)?;
        if append && (!app.is_empty() || !rep.is_empty()) {
            return rd.fail(ERROR_OVERRIDE_APPEND, &ctx);
        }
        let seq = self.next_seq();
        let existing = self.lists.iter_mut().find(|l| l.name == name);
        if append || !app.is_empty() {
            let Some(l) = existing else {
                return rd.fail(ERROR_NO_PREVIOUS_LIST, &ctx);
            };
            l.items.extend(items);
            l.visibility = seq;
            return Ok(());
        }
        let info = ListInfo {
            name,
            items,
            visibility: seq,
            ctx,
        };
        match existing {
            Some(l) => *l = info,
            None => self.lists.push(info),
        }
        Ok(())
    }

    fn read_macro(&mut self, rd: &mut Reader<'_>, item: &Node) -> R<()> {
        let m = item.mark();
        let name = rd.string(item, "macro", &rd.ctx(m, "macro"))?;
        let ctx = rd.ctx(m, &format!("macro '{name}'"));
        if !crate::parser::is_identifier(&name) {
            rd.warn(WARNING_INVALID_MACRO_NAME, &ctx);
        }
        rd.warn_unknown_keys(item, MACRO_KEYS, &ctx);
        let cond = rd.string(item, "condition", &ctx)?;
        let append = rd.opt_bool(item, "append", &ctx)?.unwrap_or(false);
        if append {
            rd.warn(WARNING_APPEND, &ctx);
        }
        let (app, rep) = rd.overrides(item, &["condition"], &["condition"], &ctx)?;
        if append && (!app.is_empty() || !rep.is_empty()) {
            return rd.fail(ERROR_OVERRIDE_APPEND, &ctx);
        }
        let seq = self.next_seq();
        let existing = self.macros.iter_mut().find(|x| x.name == name);
        if append || !app.is_empty() {
            let Some(x) = existing else {
                return rd.fail(ERROR_NO_PREVIOUS_MACRO, &ctx);
            };
            x.cond.push(' ');
            x.cond.push_str(&cond);
            x.visibility = seq;
            return Ok(());
        }
        match existing {
            Some(x) => {
                x.cond = cond;
                x.visibility = seq;
                x.ctx = ctx;
            }
            None => self.macros.push(MacroInfo {
                name,
                cond,
                first_seq: seq,
                visibility: seq,
                ctx,
            }),
        }
        Ok(())
    }

    fn read_rule(&mut self, rd: &mut Reader<'_>, item: &Node) -> R<()> {
        let m = item.mark();
        let name = rd.string(item, "rule", &rd.ctx(m, "rule"))?;
        let ctx = rd.ctx(m, &format!("rule '{name}'"));
        rd.warn_unknown_keys(item, RULE_KEYS, &ctx);
        let append_flag = rd.opt_bool(item, "append", &ctx)?.unwrap_or(false);
        if append_flag {
            rd.warn(WARNING_APPEND, &ctx);
        }
        let (app, rep) = rd.overrides(item, RULE_APPENDABLE, RULE_REPLACEABLE, &ctx)?;
        if append_flag && (!app.is_empty() || !rep.is_empty()) {
            return rd.fail(ERROR_OVERRIDE_APPEND, &ctx);
        }
        let source = match item.get("source") {
            Some(Node::Scalar { text, .. }) => Some(text.clone()),
            _ => None,
        };
        let check_source = |this: &Self, rd: &Reader<'_>| -> R<()> {
            if let (Some(s), Some(prev)) = (&source, this.rules.iter().find(|r| r.name == name)) {
                if !s.is_empty() && *s != prev.source {
                    return rd.fail("Rule has been re-defined with a different source", &ctx);
                }
            }
            Ok(())
        };
        if !app.is_empty() || !rep.is_empty() {
            let mut expected: BTreeSet<&str> = RULE_APPENDABLE
                .iter()
                .chain(RULE_REPLACEABLE)
                .copied()
                .filter(|k| item.get(k).is_some())
                .collect();
            for (keys, kind) in [(&app, "append"), (&rep, "replace")] {
                for k in keys {
                    if !expected.remove(k.as_str()) {
                        return rd.fail(format!("An {kind} override for '{k}' was specified but '{k}' is not defined"), &ctx);
                    }
                }
            }
            if let Some(k) = expected.first() {
                return rd.fail(
                    format!(
                        "Unexpected key '{k}': no corresponding entry under 'override' is defined."
                    ),
                    &ctx,
                );
            }
            check_source(self, rd)?;
            if !app.is_empty() {
                let cond = if app.iter().any(|k| k == "condition") {
                    Some(rd.string(item, "condition", &ctx)?)
                } else {
                    None
                };
                let output = if app.iter().any(|k| k == "output") {
                    Some(rd.string(item, "output", &ctx)?)
                } else {
                    None
                };
                let desc = if app.iter().any(|k| k == "desc") {
                    Some(rd.string(item, "desc", &ctx)?)
                } else {
                    None
                };
                let tags = if app.iter().any(|k| k == "tags") {
                    rd.tags(item, &ctx)?
                } else {
                    None
                };
                let exceptions = if app.iter().any(|k| k == "exceptions") {
                    Some(rd.exceptions(item, &ctx, true)?)
                } else {
                    None
                };
                let Some(r) = self.rules.iter_mut().find(|r| r.name == name) else {
                    return rd.fail(ERROR_NO_PREVIOUS_RULE_APPEND, &ctx);
                };
                append_text(&mut r.cond, cond);
                append_text(&mut r.output, output);
                append_text(&mut r.desc, desc);
                if let Some(t) = tags {
                    r.tags.extend(t);
                }
                if let Some(exs) = exceptions {
                    append_exceptions(&mut r.exceptions, exs, rd)?;
                }
            }
            if !rep.is_empty() {
                let has = |k: &str| rep.iter().any(|x| x == k);
                let cond = if has("condition") {
                    Some(rd.string(item, "condition", &ctx)?)
                } else {
                    None
                };
                let output = if has("output") {
                    Some(rd.string(item, "output", &ctx)?.trim().to_string())
                } else {
                    None
                };
                let desc = if has("desc") {
                    Some(rd.string(item, "desc", &ctx)?)
                } else {
                    None
                };
                let tags = if has("tags") {
                    rd.tags(item, &ctx)?
                } else {
                    None
                };
                let exceptions = if has("exceptions") {
                    Some(rd.exceptions(item, &ctx, false)?)
                } else {
                    None
                };
                let priority = if has("priority") {
                    let p = rd.string(item, "priority", &ctx)?;
                    match Priority::parse(&p) {
                        Some(p) => Some(p),
                        None => return rd.fail("Invalid priority", &ctx),
                    }
                } else {
                    None
                };
                let enabled = if has("enabled") {
                    rd.opt_bool(item, "enabled", &ctx)?
                } else {
                    None
                };
                let capture = if has("capture") {
                    rd.opt_bool(item, "capture", &ctx)?
                } else {
                    None
                };
                let capture_duration = if has("capture_duration") {
                    rd.opt_u64(item, "capture_duration", &ctx)?
                } else {
                    None
                };
                let warn = if has("warn_evttypes") {
                    rd.opt_bool(item, "warn_evttypes", &ctx)?
                } else {
                    None
                };
                let skip = if has("skip-if-unknown-filter") {
                    rd.opt_bool(item, "skip-if-unknown-filter", &ctx)?
                } else {
                    None
                };
                let Some(r) = self.rules.iter_mut().find(|r| r.name == name) else {
                    return rd.fail(ERROR_NO_PREVIOUS_RULE_REPLACE, &ctx);
                };
                if let Some(c) = cond {
                    r.cond = c;
                }
                if let Some(o) = output {
                    r.output = o;
                }
                if let Some(d) = desc {
                    r.desc = d;
                }
                if let Some(t) = tags {
                    r.tags = t;
                }
                if let Some(e) = exceptions {
                    r.exceptions = e;
                }
                if let Some(p) = priority {
                    r.priority = p;
                }
                if let Some(e) = enabled {
                    r.enabled = e;
                }
                if let Some(c) = capture {
                    r.capture = c;
                }
                if let Some(c) = capture_duration {
                    r.capture_duration = c;
                }
                if let Some(w) = warn {
                    r.warn_evttypes = w;
                }
                if let Some(s) = skip {
                    r.skip_if_unknown_filter = s;
                }
            }
            return Ok(());
        }
        if append_flag {
            check_source(self, rd)?;
            let cond = rd.opt_string(item, "condition", &ctx)?;
            let exceptions = if item.get("exceptions").is_some() {
                Some(rd.exceptions(item, &ctx, true)?)
            } else {
                None
            };
            let Some(r) = self.rules.iter_mut().find(|r| r.name == name) else {
                return rd.fail(ERROR_NO_PREVIOUS_RULE_APPEND, &ctx);
            };
            append_text(&mut r.cond, cond);
            if let Some(exs) = exceptions {
                append_exceptions(&mut r.exceptions, exs, rd)?;
            }
            return Ok(());
        }
        if ["condition", "output", "desc", "priority"]
            .iter()
            .all(|k| item.get(k).is_none())
        {
            let enabled = match rd.opt_bool(item, "enabled", &ctx)? {
                Some(e) => e,
                None => return rd.fail("Item has no mapping for key 'enabled'", &ctx),
            };
            rd.warn(WARNING_ENABLED, &ctx);
            let Some(r) = self.rules.iter_mut().find(|r| r.name == name) else {
                return rd.fail(
                    "Rule has 'enabled' key but no rule by that name already exists",
                    &ctx,
                );
            };
            r.enabled = enabled;
            return Ok(());
        }
        let cond = rd.string(item, "condition", &ctx)?;
        let output = rd.string(item, "output", &ctx)?.trim().to_string();
        let desc = rd.string(item, "desc", &ctx)?;
        let prio = rd.string(item, "priority", &ctx)?;
        let Some(priority) = Priority::parse(&prio) else {
            return rd.fail("Invalid priority", &ctx);
        };
        let source = match item.get("source") {
            Some(Node::Scalar { text, .. }) if !text.is_empty() => text.clone(),
            _ => "syscall".to_string(),
        };
        let info = RuleInfo {
            cond,
            output,
            desc,
            priority,
            enabled: rd.opt_bool(item, "enabled", &ctx)?.unwrap_or(true),
            warn_evttypes: rd.opt_bool(item, "warn_evttypes", &ctx)?.unwrap_or(true),
            skip_if_unknown_filter: rd
                .opt_bool(item, "skip-if-unknown-filter", &ctx)?
                .unwrap_or(false),
            capture: rd.opt_bool(item, "capture", &ctx)?.unwrap_or(false),
            capture_duration: rd.opt_u64(item, "capture_duration", &ctx)?.unwrap_or(0),
            tags: rd.tags(item, &ctx)?.unwrap_or_default(),
            exceptions: rd.exceptions(item, &ctx, false)?,
            unknown_source: !rd.sources.contains(&source),
            source,
            name,
            ctx,
        };
        if let Some(prev) = self.rules.iter().find(|r| r.name == info.name) {
            if prev.source != info.source {
                return rd.fail(
                    "Rule has been re-defined with a different source",
                    &info.ctx,
                );
            }
        }
        if info.unknown_source {
            let msg = format!("Unknown source {}, skipping", info.source);
            rd.warn(msg, &info.ctx);
        }
        match self.rules.iter_mut().find(|r| r.name == info.name) {
            Some(r) => *r = info,
            None => self.rules.push(info),
        }
        let _ = self.next_seq();
        Ok(())
    }
}

fn append_text(dst: &mut String, add: Option<String>) {
    if let Some(a) = add {
        if !a.is_empty() {
            if !dst.is_empty() {
                dst.push(' ');
            }
            dst.push_str(&a);
        }
    }
}

fn append_exceptions(
    dst: &mut Vec<ExceptionInfo>,
    add: Vec<ExceptionInfo>,
    rd: &Reader<'_>,
) -> R<()> {
    for ex in add {
        match dst.iter_mut().find(|e| e.name == ex.name) {
            Some(prev) => {
                if ex.fields.is_some() || ex.comps.is_some() {
                    return rd.fail(
                        "Can not append exception fields or comps to existing exception, only values",
                        &ex.ctx,
                    );
                }
                prev.values.extend(ex.values);
            }
            None => {
                if ex.fields.is_none() {
                    return rd.fail(
                        "Rule exception must have fields property with a list of values",
                        &ex.ctx,
                    );
                }
                dst.push(ex);
            }
        }
    }
    Ok(())
}
