//! The rule registry: one table of every rule kspect can report, with its documentation.
//!
//! `kspect rules`, `kspect explain ID`, the docs and the SARIF `rules[]` all read this
//! table, so a rule is described in exactly one place. IDs are never reused; a renamed
//! rule keeps working through [`Registry::redirect`].

use serde::Serialize;

use crate::finding::Severity;

/// What a reference points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RefKind {
    /// A CIS Kubernetes (or Docker) Benchmark recommendation, e.g. `5.2.2`.
    Cis,
    /// A Pod Security Standards control, e.g. `Privileged Containers`.
    Pss,
    /// A MITRE ATT&CK technique (containers matrix), e.g. `T1611`.
    Mitre,
    /// Any other documentation page.
    Docs,
}

/// One reference of a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Reference {
    /// What kind of reference.
    pub kind: RefKind,
    /// Its identifier (`5.2.2`, `T1611`, a control name, or a title).
    pub id: &'static str,
    /// A link, when there is a stable one.
    pub url: &'static str,
}

impl Reference {
    /// A CIS Kubernetes Benchmark recommendation.
    pub const fn cis(id: &'static str) -> Reference {
        Reference {
            kind: RefKind::Cis,
            id,
            url: "https://www.cisecurity.org/benchmark/kubernetes",
        }
    }
    /// A Pod Security Standards control.
    pub const fn pss(control: &'static str) -> Reference {
        Reference {
            kind: RefKind::Pss,
            id: control,
            url: "https://kubernetes.io/docs/concepts/security/pod-security-standards/",
        }
    }
    /// A MITRE ATT&CK technique.
    pub const fn mitre(id: &'static str, url: &'static str) -> Reference {
        Reference {
            kind: RefKind::Mitre,
            id,
            url,
        }
    }
    /// A documentation page.
    pub const fn docs(title: &'static str, url: &'static str) -> Reference {
        Reference {
            kind: RefKind::Docs,
            id: title,
            url,
        }
    }
}

/// Static metadata of one rule.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Rule {
    /// Stable ID, e.g. `KSP101`. Never reused.
    pub id: &'static str,
    /// Short kebab-case name, e.g. `privileged-container`.
    pub name: &'static str,
    /// One-line title.
    pub title: &'static str,
    /// Default severity.
    pub severity: Severity,
    /// Category used for selection and grouping: `pss`, `workload`, `rbac`, `meta` ...
    pub category: &'static str,
    /// Kinds the rule looks at (empty: not object-based).
    pub kinds: &'static [&'static str],
    /// Markdown documentation: why it matters, what an attacker does, how to fix it
    /// (with a before/after YAML snippet).
    pub doc: &'static str,
    /// A one-paragraph fix.
    pub remediation: &'static str,
    /// CIS, PSS, MITRE and documentation references.
    pub references: &'static [Reference],
}

/// The sections every rule's documentation must have (a test enforces it).
pub const REQUIRED_DOC_SECTIONS: &[&str] = &[
    "## Why it matters",
    "## What an attacker does",
    "## How to fix",
];

/// Every rule of one analysis, in ID order.
#[derive(Debug, Clone, Default)]
pub struct Registry {
    rules: Vec<&'static Rule>,
    redirects: Vec<(&'static str, &'static str)>,
    default_off: Vec<&'static str>,
}

impl Registry {
    /// A registry of these rules; panics on a duplicate ID, which is a programming error
    /// caught by the test suite, never by input.
    pub fn new(rules: impl IntoIterator<Item = &'static Rule>) -> Registry {
        let mut rules: Vec<&'static Rule> = rules.into_iter().collect();
        rules.sort_by(|a, b| a.id.cmp(b.id));
        for w in rules.windows(2) {
            assert_ne!(w[0].id, w[1].id, "duplicate rule ID");
        }
        Registry {
            rules,
            redirects: Vec::new(),
            default_off: Vec::new(),
        }
    }

    /// Marks rules that run only when a configuration selects them (`select: [ALL]`, their
    /// ID, prefix or category). Used for rules that restate another rule's fact in other
    /// words, so that the default output says each thing once.
    pub fn default_off(mut self, ids: &[&'static str]) -> Registry {
        self.default_off.extend_from_slice(ids);
        self
    }

    /// True when the rule runs without an explicit `select`.
    pub fn is_default_on(&self, rule: &Rule) -> bool {
        !self.default_off.contains(&rule.id)
    }

    /// True when the rule runs under this configuration.
    ///
    /// Rules of the `meta` category (about kspect's own configuration: unused
    /// suppressions, expired exceptions) run whatever `select` says, unless ignored by
    /// something more specific than `ALL`: selecting `pss` must not hide that an
    /// exception expired.
    pub fn is_enabled(&self, config: &crate::config::Config, rule: &Rule) -> bool {
        if rule.category == "meta" {
            return !config
                .ignore
                .iter()
                .any(|s| selector_specificity(s, rule).is_some_and(|spec| spec > 0));
        }
        if config.select.is_empty() && !self.is_default_on(rule) {
            return false;
        }
        config.is_enabled(rule)
    }

    /// Declares that an old ID now means a new one.
    pub fn redirect(mut self, old: &'static str, new: &'static str) -> Registry {
        self.redirects.push((old, new));
        self
    }

    /// All rules, in ID order.
    pub fn rules(&self) -> &[&'static Rule] {
        &self.rules
    }

    /// The rule with this ID (case-insensitive, following redirects).
    pub fn get(&self, id: &str) -> Option<&'static Rule> {
        let id = self
            .redirects
            .iter()
            .find(|(old, _)| old.eq_ignore_ascii_case(id))
            .map(|(_, new)| *new)
            .unwrap_or(id);
        self.rules
            .iter()
            .find(|r| r.id.eq_ignore_ascii_case(id) || r.name.eq_ignore_ascii_case(id))
            .copied()
    }

    /// True when a selector (`ALL`, an ID, an ID prefix, a category or a rule name)
    /// names at least one rule.
    pub fn selector_matches_any(&self, selector: &str) -> bool {
        self.rules
            .iter()
            .any(|r| selector_specificity(selector, r).is_some())
    }
}

/// How specifically `selector` names `rule`, or `None` when it does not:
/// `ALL` < category < ID prefix (longer is more specific) < exact ID or name.
pub fn selector_specificity(selector: &str, rule: &Rule) -> Option<usize> {
    if selector.eq_ignore_ascii_case("ALL") {
        return Some(0);
    }
    if selector.eq_ignore_ascii_case(rule.category) {
        return Some(1);
    }
    if selector.eq_ignore_ascii_case(rule.id) || selector.eq_ignore_ascii_case(rule.name) {
        return Some(100);
    }
    let upper = selector.to_ascii_uppercase();
    if rule.id.starts_with(&upper) && upper.len() >= 3 {
        return Some(1 + upper.len());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const R: Rule = Rule {
        id: "KSP301",
        name: "no-limits",
        title: "t",
        severity: Severity::Low,
        category: "workload",
        kinds: &[],
        doc: "",
        remediation: "",
        references: &[],
    };

    #[test]
    fn specificity_order() {
        let all = selector_specificity("ALL", &R).unwrap();
        let cat = selector_specificity("workload", &R).unwrap();
        let pre = selector_specificity("KSP3", &R).unwrap();
        let longer = selector_specificity("KSP30", &R).unwrap();
        let exact = selector_specificity("ksp301", &R).unwrap();
        assert!(all < cat && cat < pre && pre < longer && longer < exact);
        assert_eq!(selector_specificity("KSP2", &R), None);
        assert_eq!(selector_specificity("no-limits", &R), Some(100));
    }

    #[test]
    fn registry_lookup_and_redirect() {
        static RULE: Rule = R;
        let reg = Registry::new([&RULE]).redirect("KSP999", "KSP301");
        assert_eq!(reg.get("ksp999").unwrap().id, "KSP301");
        assert!(reg.get("KSP000").is_none());
    }
}
