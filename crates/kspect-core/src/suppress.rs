//! Applying configuration to findings: selection, severity overrides, the
//! `kspect.dev/ignore` annotation and `.kspect.yaml` exceptions.
//!
//! Suppressed findings are kept (marked) so that reports can show them, SARIF can
//! carry them as suppressions, and nothing is silently lost. A suppression that
//! matches nothing, and an exception past its expiry date, become findings
//! themselves: stale suppressions hide the next real problem.

use std::collections::HashMap;

use crate::config::{Config, Exception};
use crate::finding::{Finding, Severity, Suppression};
use crate::inventory::Inventory;
use crate::object::Object;
use crate::rule::{Reference, Registry, Rule, selector_specificity};
use crate::span::join_pointer;

/// The annotation that suppresses findings on one object: `"KSP101,KSP301: reason"`;
/// several directives may be separated by `;` or new lines.
pub const IGNORE_ANNOTATION: &str = "kspect.dev/ignore";

/// A suppression (annotation or exception) that matched no finding.
pub static UNUSED_SUPPRESSION: Rule = Rule {
    id: "KSP002",
    name: "unused-suppression",
    title: "Suppression matches no finding",
    severity: Severity::Info,
    category: "meta",
    kinds: &[],
    doc: "A `kspect.dev/ignore` annotation or a `.kspect.yaml` exception that matches no finding.

## Why it matters
Suppressions outlive the problems they were written for. One that matches nothing today will
silently hide the next, possibly different, finding of the same rule on the same object.

## What an attacker does
Nothing directly; but a reviewer who sees an ignore annotation assumes the risk was assessed,
and a later change that reintroduces the weakness passes review and CI unnoticed.

## How to fix
Remove the rule ID from the annotation (or the exception from `.kspect.yaml`).

```yaml
# before
metadata:
  annotations:
    kspect.dev/ignore: \"KSP101: needs host access\"   # KSP101 no longer fires
# after
metadata: {}
```
",
    remediation: "Remove the suppression: it matches no finding.",
    references: &[],
};

/// An exception in `.kspect.yaml` whose expiry date has passed.
pub static EXPIRED_EXCEPTION: Rule = Rule {
    id: "KSP003",
    name: "expired-exception",
    title: "Exception has expired",
    severity: Severity::Low,
    category: "meta",
    kinds: &[],
    doc: "An exception in `.kspect.yaml` whose `expires` date is in the past. It no longer suppresses anything.

## Why it matters
An accepted risk is accepted for a time: the expiry date is when someone promised to look again.
kspect stops honouring the exception on that day, so the findings it covered count again.

## What an attacker does
Exploits the weakness that was meant to be temporary; expired exceptions are how temporary
becomes permanent.

## How to fix
Fix the findings, or review the risk and move the date.

```yaml
# before
exceptions:
  - rules: [KSP103]
    match: {name: legacy-agent}
    reason: migration to eBPF agent
    expires: 2026-01-31
# after (risk reviewed again)
    expires: 2026-06-30
```
",
    remediation: "Fix the findings the exception covered, or review the risk and set a new expiry date.",
    references: &[Reference::docs("kspect configuration", "https://github.com/kspect/kspect/blob/main/docs/config.md")],
};

/// The rules this module reports.
pub static META_RULES: [&Rule; 2] = [&UNUSED_SUPPRESSION, &EXPIRED_EXCEPTION];

/// One directive of an ignore annotation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IgnoreDirective {
    /// Rule selectors.
    pub rules: Vec<String>,
    /// The reason written after the colon.
    pub reason: String,
}

/// Parses the value of a `kspect.dev/ignore` annotation.
pub fn parse_ignore_annotation(value: &str) -> Vec<IgnoreDirective> {
    value
        .split([';', '\n'])
        .filter_map(|part| {
            let part = part.trim();
            if part.is_empty() {
                return None;
            }
            let (ids, reason) = part.split_once(':').unwrap_or((part, ""));
            let rules: Vec<String> = ids
                .split([',', ' '])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect();
            (!rules.is_empty()).then(|| IgnoreDirective {
                rules,
                reason: reason.trim().to_string(),
            })
        })
        .collect()
}

/// Applies selection, severity overrides and suppressions; adds meta findings.
///
/// `today` decides which exceptions have expired.
pub fn apply(
    findings: Vec<Finding>,
    inventory: &Inventory,
    config: &Config,
    registry: &Registry,
    today: jiff::civil::Date,
) -> Vec<Finding> {
    let objects: HashMap<(&str, u32, &crate::object::ObjectRef), &Object> = inventory
        .objects()
        .iter()
        .map(|o| ((&*o.source.doc.file, o.source.doc.document, &o.id), o))
        .collect();
    // (object index key, directive index, rule selector) -> used?
    let mut annotation_used: HashMap<(usize, usize, usize), bool> = HashMap::new();
    let mut exception_used = vec![0usize; config.exceptions.len()];
    let mut expired_hits = vec![0usize; config.exceptions.len()];
    let mut out = Vec::with_capacity(findings.len());

    for mut f in findings {
        let Some(rule) = registry.get(&f.rule) else {
            out.push(f);
            continue;
        };
        if !registry.is_enabled(config, rule) {
            continue;
        }
        if let Some(severity) = config.severity_override(rule) {
            f.severity = severity;
        }
        let object = match (&f.object, &f.location) {
            (Some(id), Some(loc)) => objects.get(&(&*loc.file, loc.document, id)).copied(),
            _ => None,
        };
        if let Some(obj) = object {
            if let Some(value) = obj.annotation(IGNORE_ANNOTATION) {
                let key = obj as *const Object as usize;
                for (di, d) in parse_ignore_annotation(value).iter().enumerate() {
                    for (si, sel) in d.rules.iter().enumerate() {
                        let hit = selector_specificity(sel, rule).is_some();
                        let used = annotation_used.entry((key, di, si)).or_insert(false);
                        if hit && f.suppressed.is_none() {
                            *used = true;
                            f.suppressed = Some(Suppression {
                                kind: "annotation",
                                reason: if d.reason.is_empty() {
                                    "(no reason given)".into()
                                } else {
                                    d.reason.clone()
                                },
                                location: Some(obj.locate(&join_pointer(
                                    "/metadata/annotations",
                                    &[IGNORE_ANNOTATION],
                                ))),
                            });
                        }
                    }
                }
            }
            if f.suppressed.is_none() {
                for (i, e) in config.exceptions.iter().enumerate() {
                    if e.covers_rule(rule) && e.selector.matches(obj) {
                        if e.is_expired(today) {
                            expired_hits[i] += 1;
                            continue;
                        }
                        exception_used[i] += 1;
                        f.suppressed = Some(Suppression {
                            kind: "config",
                            reason: e.reason.clone(),
                            location: e.location.clone(),
                        });
                        break;
                    }
                }
            }
        }
        out.push(f);
    }

    // Annotations on objects that produced no finding at all are unused too.
    for obj in inventory.objects() {
        let Some(value) = obj.annotation(IGNORE_ANNOTATION) else {
            continue;
        };
        let key = obj as *const Object as usize;
        for (di, d) in parse_ignore_annotation(value).iter().enumerate() {
            for (si, sel) in d.rules.iter().enumerate() {
                if annotation_used
                    .get(&(key, di, si))
                    .copied()
                    .unwrap_or(false)
                {
                    continue;
                }
                // Only report selectors of rules that ran: a rule switched off by config
                // cannot have been used.
                let enabled = registry.rules().iter().any(|r| {
                    selector_specificity(sel, r).is_some() && registry.is_enabled(config, r)
                });
                if !enabled && registry.selector_matches_any(sel) {
                    continue;
                }
                let mut f = Finding::at(
                    &UNUSED_SUPPRESSION,
                    obj,
                    &join_pointer("/metadata/annotations", &[IGNORE_ANNOTATION]),
                    if registry.selector_matches_any(sel) {
                        format!(
                            "`{IGNORE_ANNOTATION}` names {sel}, which reports nothing on this object"
                        )
                    } else {
                        format!("`{IGNORE_ANNOTATION}` names {sel}, which is not a kspect rule")
                    },
                );
                f.severity = config.severity_for(&UNUSED_SUPPRESSION);
                if registry.is_enabled(config, &UNUSED_SUPPRESSION) {
                    out.push(f);
                }
            }
        }
    }

    for (i, e) in config.exceptions.iter().enumerate() {
        if e.is_expired(today) {
            if registry.is_enabled(config, &EXPIRED_EXCEPTION) {
                let date = e.expires.map(|d| d.to_string()).unwrap_or_default();
                let mut f = Finding::general(
                    &EXPIRED_EXCEPTION,
                    e.location.clone(),
                    format!(
                        "exception for {} expired on {date} ({}); it no longer suppresses {} finding(s)",
                        e.rules.join(", "),
                        e.reason,
                        expired_hits[i]
                    ),
                );
                f.severity = config.severity_for(&EXPIRED_EXCEPTION);
                out.push(f);
            }
        } else if exception_used[i] == 0 && registry.is_enabled(config, &UNUSED_SUPPRESSION) {
            let mut f = Finding::general(
                &UNUSED_SUPPRESSION,
                e.location.clone(),
                unused_exception_message(e),
            );
            f.severity = config.severity_for(&UNUSED_SUPPRESSION);
            out.push(f);
        }
    }
    out
}

fn unused_exception_message(e: &Exception) -> String {
    format!(
        "exception for {} ({}) matches no finding",
        e.rules.join(", "),
        e.reason
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annotation_directives() {
        let d = parse_ignore_annotation("KSP101, KSP301: needs host network; KSP305\nKSP4: x");
        assert_eq!(d.len(), 3);
        assert_eq!(d[0].rules, ["KSP101", "KSP301"]);
        assert_eq!(d[0].reason, "needs host network");
        assert_eq!(d[1].rules, ["KSP305"]);
        assert_eq!(d[1].reason, "");
        assert_eq!(d[2].rules, ["KSP4"]);
    }
}
