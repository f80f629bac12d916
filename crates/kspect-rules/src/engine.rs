//! The engine: load rule files in order, compile every rule once, and evaluate
//! events against the rules of their source.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::Path;

use crate::ast::{CmpOp, Expr, Operand, Rhs};
use crate::event::Event;
use crate::fields::{FieldId, FieldRegistry};
use crate::filter::{self, Filter};
use crate::loader::{Collection, Context, Diagnostic, Entry, ExceptionInfo, RuleInfo};
use crate::output::{Alert, OutputFormat, Priority};
use crate::parser;
use crate::program::{Memo, Programs, View};
use crate::schema;

/// The outcome of loading one file.
#[derive(Debug, Clone, Default)]
pub struct LoadResult {
    /// The file name.
    pub name: String,
    /// Errors (loading stops at the first one).
    pub errors: Vec<Diagnostic>,
    /// Warnings.
    pub warnings: Vec<Diagnostic>,
    /// Whether the file validates against Falco's rule-file JSON schema (a status only;
    /// it never stops loading).
    pub schema_ok: bool,
}

impl LoadResult {
    /// Whether the file loaded.
    pub fn successful(&self) -> bool {
        self.errors.is_empty()
    }
}

/// Which rules fire when several match (`rule_matching` in `falco.yaml`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RuleMatching {
    /// Only the first matching rule (Falco's default).
    #[default]
    First,
    /// Every matching rule of the type-specific group (or of the catch-all group when
    /// none of those matched).
    All,
}

/// A compiled rule.
#[derive(Debug, Clone)]
pub struct CompiledRule {
    /// Name.
    pub name: String,
    /// Description.
    pub desc: String,
    /// Priority.
    pub priority: Priority,
    /// Source.
    pub source: String,
    /// Tags (sorted).
    pub tags: Vec<String>,
    /// Enabled flag.
    pub enabled: bool,
    /// The expanded condition in libsinsp's display form.
    pub compiled_condition: String,
    /// The filter.
    pub filter: Filter,
    /// The output format.
    pub output: OutputFormat,
    /// Event types the condition can match (`None`: any type).
    pub event_types: Option<BTreeSet<String>>,
    /// Where it was defined.
    pub ctx: Context,
}

impl CompiledRule {
    /// Builds the alert for an event that matched.
    pub fn alert<E: Event + ?Sized>(&self, ev: &E, hostname: &str) -> Alert {
        let (message, output_fields) = self.output.render(ev);
        Alert {
            time_ns: ev.timestamp_ns(),
            rule: self.name.clone(),
            priority: self.priority,
            message,
            output_fields,
            tags: self.tags.clone(),
            source: self.source.clone(),
            hostname: hostname.to_string(),
        }
    }
}

/// The enabled rules of one source, indexed by event type.
#[derive(Debug, Clone, Default)]
pub struct Ruleset {
    rules: Vec<CompiledRule>,
    /// The programs of the rules indexed under each event type, specialized for the
    /// type; looked up once per event, so the hasher is a fast one (the keys are
    /// event-type names from rule files).
    by_type: HashMap<String, View, foldhash::fast::FixedState>,
    /// The programs of the rules that apply to every event type.
    catch_all: View,
    /// The rules' conditions as branching programs over shared checks.
    programs: Programs,
}

thread_local! {
    /// Scratch space for shared check results; one per thread, reused for every event.
    static MEMO: std::cell::RefCell<Memo> = std::cell::RefCell::new(Memo::default());
}

impl Ruleset {
    /// The rules, in rule order.
    pub fn rules(&self) -> &[CompiledRule] {
        &self.rules
    }

    /// `type_field` is the source's `evt.type` field, when it has one.
    fn build(rules: Vec<CompiledRule>, type_field: Option<FieldId>) -> Ruleset {
        let programs = Programs::build(rules.iter().map(|r| &r.filter));
        let mut typed: HashMap<String, Vec<usize>> = HashMap::default();
        let mut catch_all = Vec::new();
        for (i, r) in rules.iter().enumerate() {
            match &r.event_types {
                Some(types) => {
                    for t in types {
                        typed.entry(t.clone()).or_default().push(i);
                    }
                }
                None => catch_all.push(i),
            }
        }
        let by_type = typed
            .into_iter()
            .map(|(ty, idx)| {
                let view = programs.view(&idx, type_field.map(|f| (f, ty.as_str())));
                (ty, view)
            })
            .collect();
        let catch_all = programs.view(&catch_all, None);
        Ruleset {
            rules,
            by_type,
            catch_all,
            programs,
        }
    }

    /// The matching rules for `ev`, following Falco's selection.
    pub fn matches<E: Event + ?Sized>(&self, ev: &E, mode: RuleMatching) -> Vec<&CompiledRule> {
        let mut out = Vec::new();
        let typed = self.by_type.get(ev.event_type());
        MEMO.with_borrow_mut(|memo| {
            self.programs.begin(memo);
            for view in [typed, Some(&self.catch_all)].into_iter().flatten() {
                self.programs.run(view, ev, memo, |i| {
                    out.push(&self.rules[i]);
                    mode == RuleMatching::All
                });
                if !out.is_empty() {
                    return out;
                }
            }
            out
        })
    }

    /// The first matching rule, if any.
    pub fn first_match<E: Event + ?Sized>(&self, ev: &E) -> Option<&CompiledRule> {
        self.matches(ev, RuleMatching::First).into_iter().next()
    }
}

/// Loads rule files and holds the compiled rules per source.
#[derive(Debug, Clone)]
pub struct Engine {
    registries: Vec<FieldRegistry>,
    collection: Collection,
    compiled: Vec<CompiledRule>,
    rulesets: HashMap<String, Ruleset>,
    min_priority: Priority,
    /// List items after list-in-list expansion, by list name.
    lists_compiled: HashMap<String, Vec<String>>,
}

impl Default for Engine {
    fn default() -> Self {
        Engine::new()
    }
}

/// Quotes an item that holds a space, as Falco's loader does before re-parsing.
fn quote_item(s: &str) -> String {
    if s.contains(' ') && !s.starts_with('"') && !s.starts_with('\'') {
        format!("\"{s}\"")
    } else {
        s.to_string()
    }
}

fn paren_item(s: &str) -> String {
    if s.starts_with('(') {
        s.to_string()
    } else {
        format!("({s})")
    }
}

/// Splices a list into condition text wherever its name stands between delimiters.
fn substitute_list(cond: &mut String, name: &str, items: &[String]) -> bool {
    const BLANKS: &[u8] = b" \t\n\r";
    const DELIMS: &[u8] = b" \t\n\r(),=";
    let sub = items
        .iter()
        .map(|i| quote_item(i))
        .collect::<Vec<_>>()
        .join(", ");
    let mut used = false;
    let mut from = 0;
    while let Some(off) = cond.get(from..).and_then(|s| s.find(name)) {
        let mut start = from + off;
        let mut end = start + name.len();
        let b = cond.as_bytes();
        let left_ok = start == 0 || DELIMS.contains(&b[start - 1]);
        let right_ok = end >= b.len() || DELIMS.contains(&b[end]);
        if !(left_ok && right_ok) {
            from = start + 1;
            continue;
        }
        while start > 0 && BLANKS.contains(&b[start - 1]) {
            start -= 1;
        }
        while end < b.len() && BLANKS.contains(&b[end]) {
            end += 1;
        }
        if sub.is_empty() {
            if start > 0 && b[start - 1] == b',' {
                start -= 1;
            } else if end < b.len() && b[end] == b',' {
                end += 1;
            }
        }
        let mut next = String::with_capacity(cond.len() + sub.len());
        if start > 0 {
            next.push_str(&cond[..start]);
            next.push(' ');
        }
        next.push_str(&sub);
        next.push(' ');
        let resume = next.len();
        next.push_str(&cond[end..]);
        *cond = next;
        used = true;
        from = resume;
    }
    used
}

fn entry_text(e: &Entry) -> String {
    match e {
        Entry::Item(s) => s.clone(),
        Entry::List(items) => format!(
            "({})",
            items.iter().map(entry_text).collect::<Vec<_>>().join(", ")
        ),
    }
}

/// Normalises an exception operator and checks it.
fn normalize_comp(c: &str) -> String {
    c.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn comp_is_valid(c: &str) -> bool {
    let parts: Vec<&str> = c.split(' ').collect();
    match parts.as_slice() {
        [op] => CmpOp::from_word(op).is_some(),
        [op, m] => {
            matches!(*m, "oneof" | "anyof" | "allof")
                && CmpOp::from_word(op).is_some_and(|o| o.accepts_modifier())
        }
        _ => false,
    }
}

fn comp_is_list_like(c: &str) -> bool {
    matches!(c, "in" | "pmatch" | "intersects") || c.contains(' ')
}

/// Appends a rule's exceptions to its condition text (Falco builds them as text).
fn exceptions_text(rule: &RuleInfo, reg: Option<&FieldRegistry>) -> Result<String, String> {
    let mut cond = format!("({})", rule.cond);
    for ex in &rule.exceptions {
        let icond = exception_text(ex, reg)?;
        if !icond.is_empty() {
            cond.push_str(" and not ");
            cond.push_str(&icond);
        }
    }
    Ok(cond)
}

fn check_field(f: &str, reg: Option<&FieldRegistry>) -> Result<(), String> {
    let Some(reg) = reg else { return Ok(()) };
    let ok =
        parser::parse_operand(f.trim()).is_some_and(|o| filter::compile_operand(&o, reg).is_ok());
    if ok {
        Ok(())
    } else {
        Err(format!("'{f}' is not a supported filter field"))
    }
}

fn exception_text(ex: &ExceptionInfo, reg: Option<&FieldRegistry>) -> Result<String, String> {
    match &ex.fields {
        None => Err("Rule exception must have fields property with a list of values".into()),
        Some(Entry::Item(field)) => {
            check_field(field, reg)?;
            let comp = match &ex.comps {
                None => "in".to_string(),
                Some(Entry::Item(c)) => normalize_comp(c),
                Some(Entry::List(_)) => {
                    return Err(
                        "When fields is a single value, comps must be a single value".into(),
                    );
                }
            };
            if !comp_is_valid(&comp) || !comp_is_list_like(&comp) {
                return Err(format!(
                    "When fields is a single value instead of a list, comps must be one of in, pmatch, intersects, or a string operator with a oneof/anyof/allof modifier (got '{comp}')"
                ));
            }
            let mut vals = Vec::new();
            for v in &ex.values {
                match v {
                    Entry::Item(s) => vals.push(quote_item(s)),
                    Entry::List(_) => {
                        return Err(
                            "Expected values array for item to contain a list of strings".into(),
                        );
                    }
                }
            }
            if vals.is_empty() {
                return Ok(String::new());
            }
            Ok(format!("({field} {comp} ({}))", vals.join(", ")))
        }
        Some(Entry::List(fields)) => {
            let fields: Vec<String> = fields.iter().map(entry_text).collect();
            let comps: Vec<String> = match &ex.comps {
                None => vec!["=".to_string(); fields.len()],
                Some(Entry::List(c)) => c.iter().map(|c| normalize_comp(&entry_text(c))).collect(),
                Some(Entry::Item(_)) => {
                    return Err(
                        "When fields is a list, comps must be a list of the same length".into(),
                    );
                }
            };
            if comps.len() != fields.len() {
                return Err("Fields and comps lists must have equal length".into());
            }
            for c in &comps {
                if !comp_is_valid(c) {
                    return Err(format!("'{c}' is not a supported comparison operator"));
                }
            }
            for f in &fields {
                check_field(f, reg)?;
            }
            let mut icond = String::from("(");
            for values in &ex.values {
                let Entry::List(vals) = values else {
                    return Err("Expected values array for item to contain a list of values".into());
                };
                if vals.len() != fields.len() {
                    return Err("Fields and values lists must have equal length".into());
                }
                if icond != "(" {
                    icond.push_str(" or ");
                }
                icond.push('(');
                for (k, f) in fields.iter().enumerate() {
                    if k > 0 {
                        icond.push_str(" and ");
                    }
                    let v = match &vals[k] {
                        Entry::List(items) => format!(
                            "({})",
                            items
                                .iter()
                                .map(|i| quote_item(&entry_text(i)))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                        Entry::Item(s) if comp_is_list_like(&comps[k]) => paren_item(s),
                        Entry::Item(s) => quote_item(s),
                    };
                    icond.push_str(&format!(" {f} {} {v}", comps[k]));
                }
                icond.push(')');
            }
            icond.push(')');
            Ok(if icond == "()" { String::new() } else { icond })
        }
    }
}

/// Warnings Falco's filter warning resolver gives for a condition: `ka.*`/`jevt.*`
/// compared with `<NA>`, and the deprecated `evt.dir`.
pub fn condition_warnings(e: &Expr) -> Vec<String> {
    let mut out = Vec::new();
    e.visit(&mut |x| {
        let Expr::Check { lhs, op, rhs, .. } = x else { return };
        for f in lhs.fields() {
            if f.name == "evt.dir" {
                out.push("usage of deprecated field 'evt.dir' has been detected in the rule condition".to_string());
            }
        }
        let Operand::Field(f) = lhs else { return };
        if !(f.name.starts_with("ka.") || f.name.starts_with("jevt.")) {
            return;
        }
        let na = match (op, rhs) {
            (CmpOp::Eq | CmpOp::EqEq | CmpOp::Ne, Some(Rhs::Value(v))) => v == "<NA>",
            (CmpOp::In | CmpOp::Intersects | CmpOp::PMatch, Some(Rhs::List(items))) => items.iter().any(|i| i == "<NA>"),
            _ => false,
        };
        if na {
            out.push(format!(
                "string \"<NA>\" may be a valid value for field '{}' only when it is missing; plugin fields never return it, so this comparison never matches as intended",
                f.name
            ));
        }
    });
    out
}

/// Event types a condition can match: `None` means any.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Types {
    Only(BTreeSet<String>),
    Except(BTreeSet<String>),
}

fn type_set(e: &Expr) -> (Types, bool) {
    let all = || Types::Except(BTreeSet::new());
    match e {
        Expr::And(c) => {
            let mut acc = (all(), true);
            for x in c {
                let (t, exact) = type_set(x);
                acc = (intersect(acc.0, t), acc.1 && exact);
            }
            acc
        }
        Expr::Or(c) => {
            let mut acc = (Types::Only(BTreeSet::new()), true);
            for x in c {
                let (t, exact) = type_set(x);
                acc = (union(acc.0, t), acc.1 && exact);
            }
            acc
        }
        Expr::Not(x) => match type_set(x) {
            (Types::Only(s), true) => (Types::Except(s), true),
            (Types::Except(s), true) => (Types::Only(s), true),
            _ => (all(), false),
        },
        Expr::Identifier(_) => (all(), false),
        Expr::Check {
            lhs: Operand::Field(f),
            op,
            modifier: None,
            rhs,
        } if f.arg.is_none() => {
            let vals = match rhs {
                Some(Rhs::Value(v)) | Some(Rhs::Ident(v)) => vec![v.clone()],
                Some(Rhs::List(v)) => v.clone(),
                _ => return (all(), false),
            };
            match (f.name.as_str(), op) {
                ("evt.type", CmpOp::Eq | CmpOp::EqEq | CmpOp::In | CmpOp::Intersects) => {
                    (Types::Only(vals.into_iter().collect()), true)
                }
                ("evt.type", CmpOp::Ne) => (Types::Except(vals.into_iter().collect()), true),
                // evt.num starts at 1: the conventional never-true placeholder.
                ("evt.num", CmpOp::Eq | CmpOp::EqEq) if vals == ["0"] => {
                    (Types::Only(BTreeSet::new()), true)
                }
                _ => (all(), false),
            }
        }
        Expr::Check { .. } => (all(), false),
    }
}

fn intersect(a: Types, b: Types) -> Types {
    match (a, b) {
        (Types::Only(x), Types::Only(y)) => Types::Only(x.intersection(&y).cloned().collect()),
        (Types::Only(x), Types::Except(y)) | (Types::Except(y), Types::Only(x)) => {
            Types::Only(x.difference(&y).cloned().collect())
        }
        (Types::Except(x), Types::Except(y)) => Types::Except(x.union(&y).cloned().collect()),
    }
}

fn union(a: Types, b: Types) -> Types {
    match (a, b) {
        (Types::Only(x), Types::Only(y)) => Types::Only(x.union(&y).cloned().collect()),
        (Types::Only(x), Types::Except(y)) | (Types::Except(y), Types::Only(x)) => {
            Types::Except(y.difference(&x).cloned().collect())
        }
        (Types::Except(x), Types::Except(y)) => {
            Types::Except(x.intersection(&y).cloned().collect())
        }
    }
}

struct MacroResolver<'a> {
    parsed: HashMap<&'a str, (Expr, u64, u64)>,
    resolved: HashMap<String, Expr>,
    used: HashSet<String>,
}

impl MacroResolver<'_> {
    /// Inlines macros; `visible(first_seq)` says whether a macro may be referenced.
    fn resolve(
        &mut self,
        e: &Expr,
        visibility: Option<u64>,
        stack: &mut Vec<String>,
    ) -> Result<Expr, String> {
        Ok(match e {
            Expr::And(c) => Expr::And(
                c.iter()
                    .map(|x| self.resolve(x, visibility, stack))
                    .collect::<Result<_, _>>()?,
            ),
            Expr::Or(c) => Expr::Or(
                c.iter()
                    .map(|x| self.resolve(x, visibility, stack))
                    .collect::<Result<_, _>>()?,
            ),
            Expr::Not(x) => Expr::Not(Box::new(self.resolve(x, visibility, stack)?)),
            Expr::Identifier(name) => {
                let Some((body, first_seq, vis)) = self.parsed.get(name.as_str()).cloned() else {
                    return Err(format!("Undefined macro '{name}' used in filter."));
                };
                if visibility.is_some_and(|v| first_seq >= v) {
                    return Err(format!("Undefined macro '{name}' used in filter."));
                }
                if stack.contains(name) {
                    return Err(format!("reference loop in macro '{name}'"));
                }
                self.used.insert(name.clone());
                if let Some(r) = self.resolved.get(name) {
                    return Ok(r.clone());
                }
                stack.push(name.clone());
                let r = self.resolve(&body, Some(vis), stack)?;
                stack.pop();
                self.resolved.insert(name.clone(), r.clone());
                r
            }
            other => other.clone(),
        })
    }
}

impl Engine {
    /// An engine with the `syscall` and `k8s_audit` sources.
    pub fn new() -> Self {
        Engine::with_sources(vec![FieldRegistry::syscall(), FieldRegistry::k8s_audit()])
    }

    /// An engine with the given field sources.
    pub fn with_sources(registries: Vec<FieldRegistry>) -> Self {
        Engine {
            registries,
            collection: Collection::default(),
            compiled: Vec::new(),
            rulesets: HashMap::new(),
            min_priority: Priority::Debug,
            lists_compiled: HashMap::new(),
        }
    }

    /// Rules less severe than `p` are not enabled (Falco's `priority` setting).
    pub fn set_min_priority(&mut self, p: Priority) {
        self.min_priority = p;
        self.rebuild_rulesets();
    }

    /// Enables or disables compiled rules by a predicate (rule selection by name or tag,
    /// like Falco's `-D`/`-t`/`-T`), then rebuilds the rulesets. Call after loading:
    /// loading recompiles rules with their file-defined `enabled` flags.
    pub fn set_enabled_where(&mut self, enabled: bool, pred: impl Fn(&CompiledRule) -> bool) {
        for r in &mut self.compiled {
            if pred(r) {
                r.enabled = enabled;
            }
        }
        self.rebuild_rulesets();
    }

    /// The field registry of a source.
    pub fn registry(&self, source: &str) -> Option<&FieldRegistry> {
        self.registries.iter().find(|r| r.source() == source)
    }

    /// What was collected so far (lists, macros, rules as written).
    pub fn collection(&self) -> &Collection {
        &self.collection
    }

    /// Every compiled rule (enabled or not), in rule order.
    pub fn compiled_rules(&self) -> &[CompiledRule] {
        &self.compiled
    }

    /// A list's items after list-in-list expansion.
    pub fn list_items_compiled(&self, name: &str) -> Option<&[String]> {
        self.lists_compiled.get(name).map(Vec::as_slice)
    }

    /// Checks the `required_plugin_versions` of every file loaded so far against
    /// `plugins` (usually [`crate::plugins::BUILTIN_PLUGINS`]), as Falco does once the
    /// rule files are loaded; the error names the file and line of the requirement.
    pub fn check_plugin_requirements(
        &self,
        plugins: &[crate::plugins::PluginVersion],
    ) -> Result<(), Diagnostic> {
        crate::plugins::check(&self.collection, plugins)
    }

    /// The enabled rules of a source.
    pub fn ruleset(&self, source: &str) -> Option<&Ruleset> {
        self.rulesets.get(source)
    }

    /// Loads a file from disk.
    pub fn load_file(&mut self, path: &Path) -> LoadResult {
        let name = path.display().to_string();
        match std::fs::read_to_string(path) {
            Ok(text) => self.load_rules(&text, &name),
            Err(e) => LoadResult {
                name: name.clone(),
                errors: vec![Diagnostic {
                    message: format!("Could not read file: {e}"),
                    ctx: Context {
                        file: name,
                        ..Context::default()
                    },
                }],
                ..LoadResult::default()
            },
        }
    }

    /// Loads one rules file (after the ones loaded before, as Falco's `-r` does) and
    /// recompiles everything collected so far.
    pub fn load_rules(&mut self, content: &str, name: &str) -> LoadResult {
        let mut res = LoadResult {
            name: name.to_string(),
            schema_ok: schema::validate(content),
            ..LoadResult::default()
        };
        let sources: Vec<String> = self
            .registries
            .iter()
            .map(|r| r.source().to_string())
            .collect();
        if let Err(e) = self
            .collection
            .read(content, name, &sources, &mut res.warnings)
        {
            res.errors.push(e);
            return res;
        }
        match self.compile_all(&mut res.warnings) {
            Ok(rules) => {
                self.compiled = rules;
                self.rebuild_rulesets();
            }
            Err(e) => res.errors.push(e),
        }
        res
    }

    fn rebuild_rulesets(&mut self) {
        self.rulesets.clear();
        let mut per: HashMap<String, Vec<CompiledRule>> = HashMap::new();
        for r in &self.compiled {
            if r.enabled && r.priority <= self.min_priority {
                per.entry(r.source.clone()).or_default().push(r.clone());
            }
        }
        for reg in &self.registries {
            let rules = per.remove(reg.source()).unwrap_or_default();
            // Only syscall rules are indexed by event type (as in Falco).
            let type_field = (reg.source() == "syscall")
                .then(|| reg.id("evt.type"))
                .flatten();
            self.rulesets
                .insert(reg.source().to_string(), Ruleset::build(rules, type_field));
        }
    }

    fn compile_all(
        &mut self,
        warnings: &mut Vec<Diagnostic>,
    ) -> Result<Vec<CompiledRule>, Diagnostic> {
        let col = &self.collection;
        let diag = |m: String, ctx: &Context| Diagnostic {
            message: m,
            ctx: ctx.clone(),
        };
        // Lists inside lists: names of lists defined earlier are expanded one level.
        let mut compiled_lists: Vec<(String, Vec<String>)> = Vec::new();
        let mut used_lists: HashSet<String> = HashSet::new();
        for l in &col.lists {
            let mut items = Vec::new();
            for it in &l.items {
                match col
                    .lists
                    .iter()
                    .position(|o| o.name == *it && o.visibility < l.visibility && o.name != l.name)
                {
                    Some(i) => {
                        used_lists.insert(it.clone());
                        match compiled_lists.iter().find(|(n, _)| *n == col.lists[i].name) {
                            Some((_, v)) => items.extend(v.iter().cloned()),
                            None => items.extend(col.lists[i].items.iter().cloned()),
                        }
                    }
                    None => items.push(it.clone()),
                }
            }
            compiled_lists.push((l.name.clone(), items));
        }
        let subst = |text: &str, used: &mut HashSet<String>| -> String {
            let mut t = text.to_string();
            for (n, items) in &compiled_lists {
                if substitute_list(&mut t, n, items) {
                    used.insert(n.clone());
                }
            }
            t
        };
        let mut resolver = MacroResolver {
            parsed: HashMap::new(),
            resolved: HashMap::new(),
            used: HashSet::new(),
        };
        for m in &col.macros {
            let text = subst(&m.cond, &mut used_lists);
            let e = parser::parse_with_depth(&text, parser::FALCO_MAX_DEPTH).map_err(|e| {
                diag(
                    format!("Compilation error when compiling \"{}\": {e}", m.cond),
                    &m.ctx,
                )
            })?;
            resolver
                .parsed
                .insert(m.name.as_str(), (e, m.first_seq, m.visibility));
        }
        for m in &col.macros {
            let Some((body, _, vis)) = resolver.parsed.get(m.name.as_str()).cloned() else {
                continue;
            };
            let mut stack = vec![m.name.clone()];
            resolver
                .resolve(&body, Some(vis), &mut stack)
                .map_err(|e| diag(e, &m.ctx))?;
        }
        let mut out = Vec::new();
        for r in &col.rules {
            if r.unknown_source {
                continue;
            }
            let Some(reg) = self.registries.iter().find(|x| x.source() == r.source) else {
                continue;
            };
            let text = exceptions_text(r, Some(reg)).map_err(|e| diag(e, &r.ctx))?;
            let cond_text = if r.exceptions.iter().all(|e| e.values.is_empty()) {
                r.cond.clone()
            } else {
                text
            };
            let text = subst(&cond_text, &mut used_lists);
            let e = parser::parse_with_depth(&text, parser::FALCO_MAX_DEPTH).map_err(|e| {
                diag(
                    format!("Compilation error when compiling \"{}\": {e}", r.cond),
                    &r.ctx,
                )
            })?;
            let e = resolver
                .resolve(&e, None, &mut Vec::new())
                .map_err(|e| diag(e, &r.ctx))?;
            for w in condition_warnings(&e) {
                warnings.push(diag(w, &r.ctx));
            }
            let compiled = match filter::compile(&e, reg) {
                Ok(c) => c,
                Err(err) if err.unknown_field && r.skip_if_unknown_filter => {
                    warnings.push(diag(
                        format!("Rule has been skipped: {}", err.message),
                        &r.ctx,
                    ));
                    continue;
                }
                Err(err) => {
                    return Err(diag(
                        format!("{} (in condition \"{}\")", err.message, r.cond),
                        &r.ctx,
                    ));
                }
            };
            for w in compiled.warnings {
                warnings.push(diag(w, &r.ctx));
            }
            let mut output_text = r.output.clone();
            if output_text.contains("%container.info") {
                output_text = output_text
                    .replace("%container.info", "")
                    .trim()
                    .to_string();
                warnings.push(diag(
                    "%container.info is deprecated and was removed from the output".into(),
                    &r.ctx,
                ));
            }
            let output = match OutputFormat::compile(&output_text, reg) {
                Ok(o) => o,
                Err(_) if r.skip_if_unknown_filter => {
                    warnings.push(diag(
                        "Rule has been skipped: unknown field in output".into(),
                        &r.ctx,
                    ));
                    continue;
                }
                Err(e) => return Err(diag(e.to_string(), &r.ctx)),
            };
            for f in output.deprecated_fields(reg) {
                warnings.push(diag(
                    format!("usage of deprecated field '{f}' has been detected in the rule output"),
                    &r.ctx,
                ));
            }
            let event_types = if r.source == "syscall" {
                let (t, _) = type_set(&e);
                match t {
                    Types::Only(s) => {
                        if s.len() > 100 && r.warn_evttypes {
                            warnings.push(diag("Rule matches too many evt.type values. This has a significant performance penalty.".into(), &r.ctx));
                        }
                        Some(s)
                    }
                    Types::Except(_) => {
                        if r.warn_evttypes {
                            warnings.push(diag("Rule matches too many evt.type values. This has a significant performance penalty.".into(), &r.ctx));
                        }
                        None
                    }
                }
            } else {
                None
            };
            out.push(CompiledRule {
                name: r.name.clone(),
                desc: r.desc.clone(),
                priority: r.priority,
                source: r.source.clone(),
                tags: r.tags.iter().cloned().collect(),
                enabled: r.enabled,
                compiled_condition: e.as_string(),
                filter: compiled.filter,
                output,
                event_types,
                ctx: r.ctx.clone(),
            });
        }
        for m in &col.macros {
            if !resolver.used.contains(&m.name) {
                warnings.push(diag(
                    "Macro not referred to by any other rule/macro".into(),
                    &m.ctx,
                ));
            }
        }
        for l in &col.lists {
            if !used_lists.contains(&l.name) {
                warnings.push(diag(
                    "List not referred to by any other rule/macro".into(),
                    &l.ctx,
                ));
            }
        }
        self.lists_compiled = compiled_lists.into_iter().collect();
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Open<'a> {
        reg: &'a FieldRegistry,
        ty: &'a str,
        name: &'a str,
    }

    impl Event for Open<'_> {
        fn event_type(&self) -> &str {
            self.ty
        }
        fn timestamp_ns(&self) -> i64 {
            1_700_000_000_123_456_789
        }
        fn extract(
            &self,
            f: crate::fields::FieldId,
            _a: &crate::fields::FieldArg,
        ) -> crate::Values<'_> {
            match self.reg.def(f).name.as_str() {
                "evt.type" => crate::Values::One(crate::Value::Str(self.ty.into())),
                "proc.name" => crate::Values::One(crate::Value::Str(self.name.into())),
                _ => crate::Values::Missing,
            }
        }
    }

    const RULES: &str = "
- list: shells
  items: [bash, sh]
- macro: opened
  condition: evt.type in (open, openat)
- rule: shell opens
  desc: d
  condition: opened and proc.name in (shells)
  output: shell %proc.name opened (fd=%fd.name)
  priority: WARNING
  tags: [b, a, b]
- rule: any bash
  desc: d
  condition: proc.name = bash
  output: bash did %evt.type
  priority: DEBUG
  warn_evttypes: false
";

    #[test]
    fn type_index_and_first_match() {
        let mut e = Engine::new();
        let res = e.load_rules(RULES, "r.yaml");
        assert!(res.successful(), "{:?}", res.errors);
        let reg = FieldRegistry::syscall();
        let rs = e.ruleset("syscall").unwrap();
        assert_eq!(rs.rules()[0].event_types.as_ref().map(|s| s.len()), Some(2));
        assert!(rs.rules()[1].event_types.is_none());
        let ev = Open {
            reg: &reg,
            ty: "openat",
            name: "bash",
        };
        let first = rs.first_match(&ev).unwrap();
        assert_eq!(first.name, "shell opens");
        let alert = first.alert(&ev, "h");
        assert_eq!(alert.message, "shell bash opened (fd=<NA>)");
        assert_eq!(alert.tags, ["a", "b"]);
        let j = alert.to_json();
        assert_eq!(j["priority"], "Warning");
        assert_eq!(j["time"], "2023-11-14T22:13:20.123456789Z");
        assert_eq!(j["output_fields"]["fd.name"], serde_json::Value::Null);
        // The catch-all group is consulted only when no type-specific rule matched.
        assert_eq!(rs.matches(&ev, RuleMatching::All).len(), 1);
        let ev = Open {
            reg: &reg,
            ty: "execve",
            name: "bash",
        };
        assert_eq!(rs.first_match(&ev).unwrap().name, "any bash");
        e.set_min_priority(Priority::Notice);
        assert!(e.ruleset("syscall").unwrap().first_match(&ev).is_none());
    }

    /// Rules sharing checks: the memo must give each event its own results, never a
    /// previous event's, and the same answers as evaluating every filter alone.
    #[test]
    fn shared_checks_are_evaluated_per_event() {
        let rules = "
- macro: opened
  condition: evt.type in (open, openat)
- rule: a
  desc: d
  condition: opened and proc.name = bash and not proc.name = sh
  output: a
  priority: WARNING
- rule: b
  desc: d
  condition: opened and (proc.name = sh or proc.name = bash)
  output: b
  priority: WARNING
- rule: c
  desc: d
  condition: opened and not proc.name in (bash, sh)
  output: c
  priority: WARNING
";
        let mut e = Engine::new();
        assert!(e.load_rules(rules, "r.yaml").successful());
        let reg = FieldRegistry::syscall();
        let rs = e.ruleset("syscall").unwrap();
        assert!(
            rs.programs.checks() < 8,
            "shared checks are stored once: {}",
            rs.programs.checks()
        );
        for (ty, name) in [
            ("open", "bash"),
            ("open", "sh"),
            ("openat", "vi"),
            ("open", "bash"),
            ("execve", "bash"),
            ("openat", "sh"),
        ] {
            let ev = Open {
                reg: &reg,
                ty,
                name,
            };
            let with_memo: Vec<&str> = rs
                .matches(&ev, RuleMatching::All)
                .iter()
                .map(|r| r.name.as_str())
                .collect();
            let plain: Vec<&str> = rs
                .rules()
                .iter()
                .filter(|r| r.filter.eval(&ev))
                .map(|r| r.name.as_str())
                .collect();
            assert_eq!(with_memo, plain, "{ty} {name}");
        }
    }

    /// A random condition over `evt.type` and `proc.name`, with `and`, `or`, `not`
    /// and parentheses nested up to four levels.
    fn condition() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let leaf = prop::sample::select(vec![
            "evt.type = open",
            "evt.type in (open, openat)",
            "evt.type != execve",
            "evt.type in (execve, connect)",
            "proc.name = bash",
            "proc.name in (sh, bash)",
            "proc.name startswith b",
            "proc.name exists",
        ])
        .prop_map(str::to_string);
        leaf.prop_recursive(4, 24, 3, |inner| {
            prop_oneof![
                (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} and {b})")),
                (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} or {b})")),
                inner.prop_map(|a| format!("not ({a})")),
            ]
        })
    }

    proptest::proptest! {
        /// The ruleset's programs (lowered, specialized per event type, sharing
        /// checks) select exactly the rules that evaluating each filter tree alone
        /// and applying Falco's selection would: the type's rules first, the
        /// catch-all rules only when none of those matched.
        #[test]
        fn programs_agree_with_filter_trees(
            conds in proptest::collection::vec(condition(), 1..6),
        ) {
            let mut text = String::new();
            for (i, c) in conds.iter().enumerate() {
                text.push_str(&format!(
                    "- rule: r{i}\n  desc: d\n  condition: {c}\n  output: o\n  priority: WARNING\n"
                ));
            }
            let mut e = Engine::new();
            let res = e.load_rules(&text, "p.yaml");
            proptest::prop_assume!(res.successful());
            let reg = FieldRegistry::syscall();
            let rs = e.ruleset("syscall").unwrap();
            for ty in ["open", "openat", "execve", "connect", "read"] {
                for name in ["bash", "sh", "vi"] {
                    let ev = Open { reg: &reg, ty, name };
                    let typed: Vec<&str> = rs.rules().iter()
                        .filter(|r| r.event_types.as_ref().is_some_and(|t| t.contains(ty)))
                        .filter(|r| r.filter.eval(&ev))
                        .map(|r| r.name.as_str())
                        .collect();
                    let expected = if typed.is_empty() {
                        rs.rules().iter()
                            .filter(|r| r.event_types.is_none() && r.filter.eval(&ev))
                            .map(|r| r.name.as_str())
                            .collect()
                    } else {
                        typed
                    };
                    let all: Vec<&str> = rs.matches(&ev, RuleMatching::All)
                        .iter().map(|r| r.name.as_str()).collect();
                    proptest::prop_assert_eq!(&all, &expected, "{} {}", ty, name);
                    let first = rs.first_match(&ev).map(|r| r.name.as_str());
                    proptest::prop_assert_eq!(first, expected.first().copied());
                }
            }
        }
    }

    #[test]
    fn errors_carry_file_and_line() {
        let mut e = Engine::new();
        let res = e.load_rules(
            "- rule: x\n  desc: d\n  condition: proc.nope = 1\n  output: o\n  priority: INFO\n",
            "f.yaml",
        );
        assert_eq!(res.errors.len(), 1);
        assert_eq!(
            (res.errors[0].ctx.file.as_str(), res.errors[0].ctx.line),
            ("f.yaml", 1)
        );
        assert!(
            res.errors[0]
                .message
                .contains("nonexistent field proc.nope")
        );
    }

    #[test]
    fn list_substitution_is_textual() {
        let mut c = "proc.name in (shell_binaries) and x.y=shell_binaries_more".to_string();
        substitute_list(&mut c, "shell_binaries", &["bash".into(), "sh".into()]);
        assert_eq!(c, "proc.name in ( bash, sh ) and x.y=shell_binaries_more");
        let mut c = "a.b in (x, empty_list)".to_string();
        substitute_list(&mut c, "empty_list", &[]);
        assert_eq!(parser::parse(&c).unwrap().as_string(), "a.b in (x)");
    }
}
