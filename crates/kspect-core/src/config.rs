//! `.kspect.yaml`: which rules run, at what severity, and which findings are accepted risks.
//!
//! ```yaml
//! select: [ALL]              # IDs, ID prefixes (KSP3), categories (pss, workload) or ALL
//! ignore: [KSP305]
//! severity: {KSP301: high}   # per-rule severity override
//! registries:
//!   allowed: [registry.k8s.io, ghcr.io/acme]
//! exceptions:
//!   - rules: [KSP101]
//!     match: {kind: Deployment, namespace: monitoring, name: "node-exporter*", labels: {app: x}}
//!     reason: the node exporter needs the host network
//!     expires: 2027-03-31
//! vulnerabilities:           # accepted vulnerabilities (`kspect vuln`)
//!   - id: CVE-2019-10744     # the advisory ID or any of its aliases
//!     package: lodash        # optional: only in this package
//!     reason: not reachable from user input
//!     expires: 2027-03-31
//! ```
//!
//! Every value keeps its line, so that a bad value, an unknown rule or an expired
//! exception is reported where it was written.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::Value;

use crate::finding::Severity;
use crate::load::{Diagnostic, DiagnosticLevel};
use crate::object::Object;
use crate::rule::{Registry, Rule, selector_specificity};
use crate::span::{Location, SpanIndex, join_pointer};

/// The file name looked for in the current directory and its parents.
pub const CONFIG_FILE_NAME: &str = ".kspect.yaml";

/// Parsed configuration.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// Where it was read from.
    pub path: Option<String>,
    /// Selectors of rules to run (empty means all).
    pub select: Vec<String>,
    /// Selectors of rules not to run.
    pub ignore: Vec<String>,
    /// Severity overrides by selector.
    pub severity: Vec<(String, Severity)>,
    /// Accepted risks.
    pub exceptions: Vec<Exception>,
    /// Image registries (host, or host/path prefix) that images may come from; empty: any.
    pub allowed_registries: Vec<String>,
    /// Accepted vulnerabilities (`vulnerabilities:`), applied by `kspect vuln`.
    pub vuln_exceptions: Vec<VulnException>,
}

/// An accepted vulnerability: findings of this advisory (in this package, when given)
/// are kept but marked suppressed, and no longer fail the gate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VulnException {
    /// The advisory ID (`CVE-2019-10744`, `GHSA-jf85-cpcp-j695`, ...); a finding known
    /// under it or under any of its aliases matches.
    pub id: String,
    /// The package name, when the acceptance is limited to one package.
    pub package: Option<String>,
    /// Why the risk is accepted (required).
    pub reason: String,
    /// After this day the exception stops suppressing and is reported.
    pub expires: Option<jiff::civil::Date>,
    /// Where it was written.
    pub location: Option<Location>,
}

impl VulnException {
    /// True when the exception has expired on `today` (it still holds on its last day).
    pub fn is_expired(&self, today: jiff::civil::Date) -> bool {
        self.expires.is_some_and(|d| d < today)
    }

    /// True when it names this vulnerability (by its ID or an alias; advisory IDs are
    /// compared without regard to case, as databases spell prefixes differently) and,
    /// when it names a package, this package.
    pub fn covers<'a>(
        &self,
        id: &str,
        aliases: impl IntoIterator<Item = &'a str>,
        package: &str,
    ) -> bool {
        let named = |a: &str| a.trim().eq_ignore_ascii_case(&self.id);
        let id_matches = named(id) || aliases.into_iter().any(named);
        id_matches && self.package.as_deref().is_none_or(|p| p == package)
    }
}

/// Which objects an exception covers. Every given field must match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ObjectSelector {
    /// Kind, exact.
    pub kind: Option<String>,
    /// Namespace, a glob (`*` matches any run of characters).
    pub namespace: Option<String>,
    /// Name, a glob.
    pub name: Option<String>,
    /// Labels that must all be present with these values.
    pub labels: Vec<(String, String)>,
}

impl ObjectSelector {
    /// True when the object satisfies every given condition.
    pub fn matches(&self, object: &Object) -> bool {
        self.kind
            .as_ref()
            .is_none_or(|k| k.eq_ignore_ascii_case(&object.id.kind))
            && self
                .namespace
                .as_ref()
                .is_none_or(|p| glob_match(p, object.id.namespace.as_deref().unwrap_or("")))
            && self
                .name
                .as_ref()
                .is_none_or(|p| glob_match(p, &object.id.name))
            && self
                .labels
                .iter()
                .all(|(k, v)| object.labels().any(|(ok, ov)| ok == k && ov == v))
    }
}

/// An accepted risk: findings of these rules on these objects are suppressed.
#[derive(Debug, Clone)]
pub struct Exception {
    /// Rule selectors.
    pub rules: Vec<String>,
    /// Objects covered.
    pub selector: ObjectSelector,
    /// Why the risk is accepted (required).
    pub reason: String,
    /// After this day the exception stops suppressing and is reported.
    pub expires: Option<jiff::civil::Date>,
    /// Where it was written.
    pub location: Option<Location>,
}

impl Exception {
    /// True when the exception has expired on `today`.
    pub fn is_expired(&self, today: jiff::civil::Date) -> bool {
        self.expires.is_some_and(|d| d < today)
    }

    /// True when it names this rule.
    pub fn covers_rule(&self, rule: &Rule) -> bool {
        self.rules
            .iter()
            .any(|s| selector_specificity(s, rule).is_some())
    }
}

impl Config {
    /// True when the rule is selected: the most specific matching selector decides,
    /// and on a tie `ignore` wins.
    pub fn is_enabled(&self, rule: &Rule) -> bool {
        let best = |list: &[String]| {
            list.iter()
                .filter_map(|s| selector_specificity(s, rule))
                .max()
        };
        let select = if self.select.is_empty() {
            Some(0)
        } else {
            best(&self.select)
        };
        match (select, best(&self.ignore)) {
            (None, _) => false,
            (Some(_), None) => true,
            (Some(s), Some(i)) => s > i,
        }
    }

    /// The severity of `rule` after overrides (the most specific override wins).
    pub fn severity_for(&self, rule: &Rule) -> Severity {
        self.severity_override(rule).unwrap_or(rule.severity)
    }

    /// The configured severity of `rule`, when a selector overrides it. Without one, a
    /// finding keeps the severity its analyzer gave it (which may differ from the rule's
    /// default, e.g. a namespaced RBAC grant is less severe than a cluster-wide one).
    pub fn severity_override(&self, rule: &Rule) -> Option<Severity> {
        self.severity
            .iter()
            .filter_map(|(s, sev)| selector_specificity(s, rule).map(|spec| (spec, *sev)))
            .max_by_key(|(spec, _)| *spec)
            .map(|(_, sev)| sev)
    }

    /// Warnings for selectors that name no rule of the registry.
    pub fn validate(&self, registry: &Registry) -> Vec<Diagnostic> {
        let file = self
            .path
            .clone()
            .unwrap_or_else(|| CONFIG_FILE_NAME.to_string());
        let mut out = Vec::new();
        let mut check = |sel: &str, what: &str, loc: Option<&Location>| {
            if !registry.selector_matches_any(sel) {
                out.push(Diagnostic {
                    level: DiagnosticLevel::Warning,
                    file: file.clone(),
                    document: None,
                    line: loc.map(|l| l.line),
                    column: loc.map(|l| l.column),
                    message: format!("{what} {sel:?} matches no rule (see `kspect rules`)"),
                });
            }
        };
        for s in &self.select {
            check(s, "select", None);
        }
        for s in &self.ignore {
            check(s, "ignore", None);
        }
        for (s, _) in &self.severity {
            check(s, "severity override", None);
        }
        for e in &self.exceptions {
            for r in &e.rules {
                check(r, "exception rule", e.location.as_ref());
            }
        }
        out
    }
}

/// Finds `.kspect.yaml` in `start` or its ancestors.
pub fn discover(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .map(|d| d.join(CONFIG_FILE_NAME))
        .find(|p| p.is_file())
}

/// Reads and parses a configuration file; errors make the whole config unusable.
pub fn load_config(path: &Path) -> Result<(Config, Vec<Diagnostic>), Vec<Diagnostic>> {
    let label = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| {
        vec![Diagnostic {
            level: DiagnosticLevel::Error,
            file: label.clone(),
            document: None,
            line: None,
            column: None,
            message: format!("cannot read configuration: {e}"),
        }]
    })?;
    parse_config(&label, &text)
}

/// Parses configuration text. Returns the config and its warnings, or every error.
pub fn parse_config(label: &str, text: &str) -> Result<(Config, Vec<Diagnostic>), Vec<Diagnostic>> {
    let mut p = ConfigParser {
        file: Arc::from(label),
        spans: SpanIndex::default(),
        diags: Vec::new(),
    };
    let value = match crate::yaml::parse_document(text, 0) {
        Ok(Some(doc)) => {
            p.spans = doc.index;
            doc.value
        }
        Ok(None) => Value::Object(Default::default()),
        Err(e) => {
            return Err(vec![Diagnostic {
                level: DiagnosticLevel::Error,
                file: label.to_string(),
                document: None,
                line: Some(e.pos.line),
                column: Some(e.pos.column),
                message: format!("invalid YAML: {}", e.message),
            }]);
        }
    };
    let mut config = Config {
        path: Some(label.to_string()),
        ..Config::default()
    };
    let Some(map) = value.as_object() else {
        p.error("", "the configuration must be a mapping".into());
        return Err(p.diags);
    };
    for (key, v) in map {
        let ptr = join_pointer("", &[key]);
        match key.as_str() {
            "select" => config.select = p.strings(v, &ptr),
            "ignore" => config.ignore = p.strings(v, &ptr),
            "severity" => config.severity = p.severities(v, &ptr),
            "registries" => config.allowed_registries = p.registries(v, &ptr),
            "exceptions" => config.exceptions = p.exceptions(v, &ptr),
            "vulnerabilities" => config.vuln_exceptions = p.vuln_exceptions(v, &ptr),
            other => p.warn(&ptr, format!("unknown key {other:?} (expected select, ignore, severity, registries, exceptions, vulnerabilities)")),
        }
    }
    if p.diags.iter().any(|d| d.level == DiagnosticLevel::Error) {
        Err(p.diags)
    } else {
        Ok((config, p.diags))
    }
}

struct ConfigParser {
    file: Arc<str>,
    spans: SpanIndex,
    diags: Vec<Diagnostic>,
}

impl ConfigParser {
    fn location(&self, ptr: &str) -> Location {
        let (found, pos) = self
            .spans
            .nearest(ptr)
            .map(|(f, p)| (f.to_string(), p))
            .unwrap_or_else(|| (String::new(), crate::span::Pos { line: 1, column: 1 }));
        Location {
            file: self.file.clone(),
            document: 1,
            line: pos.line,
            column: pos.column,
            pointer: found,
        }
    }

    fn push(&mut self, level: DiagnosticLevel, ptr: &str, message: String) {
        let loc = self.location(ptr);
        self.diags.push(Diagnostic {
            level,
            file: self.file.to_string(),
            document: None,
            line: Some(loc.line),
            column: Some(loc.column),
            message,
        });
    }

    fn error(&mut self, ptr: &str, message: String) {
        self.push(DiagnosticLevel::Error, ptr, message);
    }

    fn warn(&mut self, ptr: &str, message: String) {
        self.push(DiagnosticLevel::Warning, ptr, message);
    }

    fn strings(&mut self, v: &Value, ptr: &str) -> Vec<String> {
        match v {
            Value::String(s) => vec![s.clone()],
            Value::Array(items) => {
                let mut out = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    match item {
                        Value::String(s) => out.push(s.clone()),
                        _ => self.error(&format!("{ptr}/{i}"), "expected a string".into()),
                    }
                }
                out
            }
            Value::Null => Vec::new(),
            _ => {
                self.error(ptr, "expected a list of strings".into());
                Vec::new()
            }
        }
    }

    fn severities(&mut self, v: &Value, ptr: &str) -> Vec<(String, Severity)> {
        let Some(map) = v.as_object() else {
            self.error(
                ptr,
                "expected a mapping of rule selector to severity".into(),
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for (sel, sev) in map {
            let sp = join_pointer(ptr, &[sel]);
            match sev.as_str().map(str::parse::<Severity>) {
                Some(Ok(s)) => out.push((sel.clone(), s)),
                Some(Err(e)) => self.error(&sp, e.to_string()),
                None => self.error(&sp, "expected a severity name".into()),
            }
        }
        out
    }

    fn registries(&mut self, v: &Value, ptr: &str) -> Vec<String> {
        match v.as_object() {
            Some(map) => {
                let mut out = Vec::new();
                for (k, val) in map {
                    let kp = join_pointer(ptr, &[k]);
                    if k == "allowed" {
                        out = self.strings(val, &kp);
                    } else {
                        self.warn(&kp, format!("unknown key {k:?} (expected allowed)"));
                    }
                }
                out
            }
            None => {
                self.error(ptr, "expected a mapping with `allowed`".into());
                Vec::new()
            }
        }
    }

    fn exceptions(&mut self, v: &Value, ptr: &str) -> Vec<Exception> {
        let Some(items) = v.as_array() else {
            self.error(ptr, "expected a list of exceptions".into());
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let ip = format!("{ptr}/{i}");
            if let Some(e) = self.exception(item, &ip) {
                out.push(e);
            }
        }
        out
    }

    fn exception(&mut self, v: &Value, ptr: &str) -> Option<Exception> {
        let Some(map) = v.as_object() else {
            self.error(ptr, "an exception must be a mapping".into());
            return None;
        };
        let mut e = Exception {
            rules: Vec::new(),
            selector: ObjectSelector::default(),
            reason: String::new(),
            expires: None,
            location: Some(self.location(ptr)),
        };
        for (k, val) in map {
            let kp = join_pointer(ptr, &[k]);
            match k.as_str() {
                "rule" | "rules" => e.rules.extend(self.strings(val, &kp)),
                "match" => e.selector = self.selector(val, &kp),
                "reason" => match val.as_str() {
                    Some(s) => e.reason = s.trim().to_string(),
                    None => self.error(&kp, "expected a string".into()),
                },
                "expires" => e.expires = self.date(val, &kp),
                other => self.warn(
                    &kp,
                    format!("unknown key {other:?} (expected rules, match, reason, expires)"),
                ),
            }
        }
        if e.rules.is_empty() {
            self.error(ptr, "exception names no rule (`rules: [ID, ...]`)".into());
        }
        if e.reason.is_empty() {
            self.error(
                ptr,
                "exception has no `reason`: say why the risk is accepted".into(),
            );
        }
        Some(e)
    }

    /// A `YYYY-MM-DD` date; YAML may have read it as a string or (unquoted) a scalar.
    fn date(&mut self, v: &Value, ptr: &str) -> Option<jiff::civil::Date> {
        let text = match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        match text.parse::<jiff::civil::Date>() {
            Ok(d) => Some(d),
            Err(_) => {
                self.error(
                    ptr,
                    format!("expected a date as YYYY-MM-DD, found {text:?}"),
                );
                None
            }
        }
    }

    /// A non-empty string, trimmed; anything else is an error at `ptr`.
    fn text(&mut self, v: &Value, ptr: &str) -> Option<String> {
        match v.as_str().map(str::trim) {
            Some(s) if !s.is_empty() => Some(s.to_string()),
            Some(_) => {
                self.error(ptr, "expected a non-empty string".into());
                None
            }
            None => {
                self.error(ptr, "expected a string".into());
                None
            }
        }
    }

    fn vuln_exceptions(&mut self, v: &Value, ptr: &str) -> Vec<VulnException> {
        let Some(items) = v.as_array() else {
            self.error(
                ptr,
                "expected a list of accepted vulnerabilities (`- id: CVE-...`)".into(),
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let ip = format!("{ptr}/{i}");
            if let Some(e) = self.vuln_exception(item, &ip) {
                out.push(e);
            }
        }
        out
    }

    fn vuln_exception(&mut self, v: &Value, ptr: &str) -> Option<VulnException> {
        let Some(map) = v.as_object() else {
            self.error(
                ptr,
                "an accepted vulnerability must be a mapping (id, package, reason, expires)".into(),
            );
            return None;
        };
        let mut e = VulnException {
            id: String::new(),
            package: None,
            reason: String::new(),
            expires: None,
            location: Some(self.location(ptr)),
        };
        let mut id_given = false;
        for (k, val) in map {
            let kp = join_pointer(ptr, &[k]);
            match k.as_str() {
                "id" => {
                    id_given = true;
                    if let Some(s) = self.text(val, &kp) {
                        e.id = s;
                    }
                }
                "package" => e.package = self.text(val, &kp),
                "reason" => {
                    if let Some(s) = val.as_str() {
                        e.reason = s.trim().to_string();
                    } else {
                        self.error(&kp, "expected a string".into());
                    }
                }
                "expires" => e.expires = self.date(val, &kp),
                other => self.warn(
                    &kp,
                    format!("unknown key {other:?} (expected id, package, reason, expires)"),
                ),
            }
        }
        if !id_given {
            self.error(
                ptr,
                "accepted vulnerability names no advisory (`id: CVE-...`)".into(),
            );
        }
        if e.reason.is_empty() {
            self.error(
                ptr,
                "accepted vulnerability has no `reason`: say why the risk is accepted".into(),
            );
        }
        Some(e)
    }

    fn selector(&mut self, v: &Value, ptr: &str) -> ObjectSelector {
        let mut s = ObjectSelector::default();
        let Some(map) = v.as_object() else {
            self.error(
                ptr,
                "expected a mapping (kind, namespace, name, labels)".into(),
            );
            return s;
        };
        for (k, val) in map {
            let kp = join_pointer(ptr, &[k]);
            let text = || val.as_str().map(str::to_string);
            match k.as_str() {
                "kind" => s.kind = text(),
                "namespace" => s.namespace = text(),
                "name" => s.name = text(),
                "labels" => match val.as_object() {
                    Some(m) => {
                        for (lk, lv) in m {
                            let value = match lv {
                                Value::String(x) => x.clone(),
                                other => other.to_string(),
                            };
                            s.labels.push((lk.clone(), value));
                        }
                    }
                    None => self.error(&kp, "expected a mapping of label to value".into()),
                },
                other => {
                    self.warn(
                        &kp,
                        format!("unknown key {other:?} (expected kind, namespace, name, labels)"),
                    );
                    continue;
                }
            }
            if k != "labels" && !val.is_string() {
                self.error(&kp, "expected a string".into());
            }
        }
        s
    }
}

/// Matches `text` against a pattern where `*` stands for any run of characters.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || text.len() < first.len() + last.len() || !text.ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for part in &parts[1..parts.len() - 1] {
        match rest.find(part) {
            Some(i) => rest = &rest[i + part.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    static RULE: Rule = Rule {
        id: "KSP301",
        name: "missing-limits",
        title: "t",
        severity: Severity::Low,
        category: "workload",
        kinds: &[],
        doc: "",
        remediation: "",
        references: &[],
    };

    #[test]
    fn selection_most_specific_wins() {
        let c = Config {
            select: vec!["KSP3".into()],
            ignore: vec!["workload".into()],
            ..Config::default()
        };
        assert!(c.is_enabled(&RULE));
        let c = Config {
            ignore: vec!["KSP301".into()],
            ..Config::default()
        };
        assert!(!c.is_enabled(&RULE));
        let c = Config {
            select: vec!["KSP1".into()],
            ..Config::default()
        };
        assert!(!c.is_enabled(&RULE));
        let c = Config {
            select: vec!["KSP301".into()],
            ignore: vec!["ALL".into()],
            ..Config::default()
        };
        assert!(c.is_enabled(&RULE));
    }

    #[test]
    fn parse_full_config() {
        let text = "select: [ALL]\nignore: [KSP305]\nseverity: {KSP301: high}\nregistries:\n  allowed: [ghcr.io/acme]\nexceptions:\n  - rules: [KSP301]\n    match: {kind: Deployment, name: 'web-*', labels: {tier: front}}\n    reason: accepted\n    expires: 2027-01-31\n";
        let (c, warnings) = parse_config("k.yaml", text).unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(c.severity_for(&RULE), Severity::High);
        assert_eq!(c.allowed_registries, ["ghcr.io/acme"]);
        let e = &c.exceptions[0];
        assert_eq!(e.selector.name.as_deref(), Some("web-*"));
        assert_eq!(e.location.as_ref().unwrap().line, 7);
        assert!(!e.is_expired("2027-01-31".parse().unwrap()));
        assert!(e.is_expired("2027-02-01".parse().unwrap()));
    }

    #[test]
    fn config_errors_point_at_lines() {
        let text =
            "severity:\n  KSP301: severe\nexceptions:\n  - rules: [KSP1]\n    expires: tomorrow\n";
        let errs = parse_config("k.yaml", text).unwrap_err();
        let lines: Vec<_> = errs.iter().map(|d| (d.line, d.message.clone())).collect();
        assert!(
            lines
                .iter()
                .any(|(l, m)| *l == Some(2) && m.contains("unknown severity")),
            "{lines:?}"
        );
        assert!(
            lines
                .iter()
                .any(|(l, m)| *l == Some(5) && m.contains("YYYY-MM-DD")),
            "{lines:?}"
        );
        assert!(
            lines
                .iter()
                .any(|(l, m)| *l == Some(4) && m.contains("reason")),
            "{lines:?}"
        );
    }

    #[test]
    fn parse_vulnerability_exceptions() {
        let text = "ignore: [KSP305]\nvulnerabilities:\n  - id: CVE-2019-10744\n    package: lodash\n    reason: ' not reachable '\n    expires: 2027-01-31\n  - id: RUSTSEC-2019-0039\n    reason: no fix exists\n";
        let (c, warnings) = parse_config("k.yaml", text).unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(c.vuln_exceptions.len(), 2);
        let e = &c.vuln_exceptions[0];
        assert_eq!(e.id, "CVE-2019-10744");
        assert_eq!(e.package.as_deref(), Some("lodash"));
        assert_eq!(e.reason, "not reachable");
        assert_eq!(e.location.as_ref().unwrap().line, 3);
        assert!(!e.is_expired("2027-01-31".parse().unwrap()));
        assert!(e.is_expired("2027-02-01".parse().unwrap()));
        // By ID or alias, any case; only in the named package.
        assert!(e.covers("GHSA-jf85-cpcp-j695", ["cve-2019-10744"], "lodash"));
        assert!(e.covers("CVE-2019-10744", [], "lodash"));
        assert!(!e.covers("CVE-2019-10744", [], "lodash-es"));
        assert!(!e.covers("CVE-2020-8203", ["GHSA-p6mc-m468-83gw"], "lodash"));
        let any = &c.vuln_exceptions[1];
        assert_eq!(any.package, None);
        assert_eq!(any.expires, None);
        assert!(any.covers("RUSTSEC-2019-0039", [], "typemap"));
        assert!(!any.is_expired("2999-01-01".parse().unwrap()));
        assert_eq!(any.location.as_ref().unwrap().line, 7);
    }

    #[test]
    fn vulnerability_exception_errors_point_at_lines() {
        let text = "vulnerabilities:\n  - package: lodash\n    reason: accepted\n  - id: CVE-1\n    expires: soon\n    color: red\n  - id: [CVE-2]\n    reason: r\n";
        let errs = parse_config("k.yaml", text).unwrap_err();
        let lines: Vec<_> = errs.iter().map(|d| (d.line, d.message.clone())).collect();
        let has = |line: u32, text: &str| {
            lines
                .iter()
                .any(|(l, m)| *l == Some(line) && m.contains(text))
        };
        assert!(has(2, "names no advisory"), "{lines:?}");
        assert!(has(4, "no `reason`"), "{lines:?}");
        assert!(has(5, "YYYY-MM-DD"), "{lines:?}");
        assert!(has(6, "unknown key \"color\""), "{lines:?}");
        assert!(has(7, "expected a string"), "{lines:?}");
        let errs = parse_config("k.yaml", "vulnerabilities: {id: CVE-1}\n").unwrap_err();
        assert!(errs[0].message.contains("list"), "{errs:?}");
    }

    #[test]
    fn globs() {
        assert!(glob_match("web-*", "web-1"));
        assert!(glob_match("*", ""));
        assert!(glob_match("a*b*c", "axxbyyc"));
        assert!(!glob_match("a*b", "ab-"));
        assert!(!glob_match("ab*ba", "aba"));
    }
}
