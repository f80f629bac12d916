//! Falco's rule-file JSON schema check (`rule_json_schema.h`), as a status only.
//!
//! Falco validates the YAML nodes with valijson in weak-typing mode: every scalar is
//! text, and a text scalar satisfies `integer` or `boolean` when it converts
//! (`"26"` is an integer, only `true`/`false` are booleans). The schema is small and
//! fixed, so it is checked here by hand rather than through a JSON-Schema engine
//! that has no weak typing.

use crate::yaml::{self, Node};

fn is_string(n: &Node) -> bool {
    matches!(n, Node::Scalar { .. })
}

fn is_bool(n: &Node) -> bool {
    matches!(n.as_text(), Some("true" | "false"))
}

fn is_int(n: &Node) -> bool {
    n.as_text().is_some_and(|t| t.parse::<i64>().is_ok())
}

fn all_keys_in(n: &Node, allowed: &[&str]) -> bool {
    n.keys().iter().all(|k| allowed.contains(k))
}

fn string_array(n: &Node) -> bool {
    matches!(n, Node::Seq(items, _) if items.iter().all(is_string))
}

fn overridden(n: &Node) -> bool {
    matches!(n.as_text(), Some("append" | "replace"))
}

const RULE_PROPS: &[&str] = &[
    "required_engine_version",
    "required_plugin_versions",
    "macro",
    "condition",
    "list",
    "items",
    "rule",
    "desc",
    "enabled",
    "output",
    "append",
    "priority",
    "capture",
    "capture_duration",
    "source",
    "exceptions",
    "override",
    "tags",
    "warn_evttypes",
    "skip-if-unknown-filter",
];

const PRIORITIES: &[&str] = &[
    "EMERGENCY",
    "ALERT",
    "CRITICAL",
    "ERROR",
    "WARNING",
    "NOTICE",
    "INFO",
    "INFORMATIONAL",
    "DEBUG",
];

fn plugin_req(n: &Node, with_alternatives: bool) -> bool {
    let allowed: &[&str] = if with_alternatives {
        &["name", "version", "alternatives"]
    } else {
        &["name", "version"]
    };
    matches!(n, Node::Map(..))
        && all_keys_in(n, allowed)
        && n.get("name").is_some_and(is_string)
        && n.get("version").is_some_and(is_string)
        && n.get("alternatives").is_none_or(
            |a| matches!(a, Node::Seq(items, _) if items.iter().all(|i| plugin_req(i, false))),
        )
}

fn item_ok(n: &Node) -> bool {
    let Node::Map(entries, _) = n else {
        return false;
    };
    entries.iter().all(|(k, v)| {
        let Some(k) = k.as_text() else { return false };
        match k {
            "required_engine_version"
            | "macro"
            | "condition"
            | "list"
            | "rule"
            | "desc"
            | "output"
            | "source" => is_string(v),
            "enabled" | "append" | "capture" | "warn_evttypes" | "skip-if-unknown-filter" => {
                is_bool(v)
            }
            "capture_duration" => is_int(v),
            "priority" => v.as_text().is_some_and(|p| PRIORITIES.contains(&p)),
            "items" | "tags" => string_array(v),
            "required_plugin_versions" => {
                matches!(v, Node::Seq(items, _) if items.iter().all(|i| plugin_req(i, true)))
            }
            "exceptions" => matches!(v, Node::Seq(items, _) if items.iter().all(|e| {
                matches!(e, Node::Map(..))
                    && all_keys_in(e, &["name", "fields", "comps", "values"])
                    && e.get("name").is_some_and(is_string)
            })),
            "override" => match v {
                Node::Map(entries, _) => {
                    !entries.is_empty()
                        && entries.iter().all(|(ok, ov)| {
                            ok.as_text().is_some_and(|k| {
                                [
                                    "items",
                                    "desc",
                                    "condition",
                                    "output",
                                    "priority",
                                    "enabled",
                                    "exceptions",
                                    "capture",
                                    "capture_duration",
                                    "tags",
                                    "warn_evttypes",
                                    "skip-if-unknown-filter",
                                ]
                                .contains(&k)
                            }) && overridden(ov)
                        })
                }
                _ => false,
            },
            other => RULE_PROPS.contains(&other),
        }
    })
}

/// Whether `content` validates against the rule-file schema.
pub fn validate(content: &str) -> bool {
    let Ok(docs) = yaml::parse_all(content) else {
        return false;
    };
    docs.iter().flatten().all(|d| match d {
        Node::Seq(items, _) => items.iter().all(item_ok),
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weak_types() {
        assert!(validate("- required_engine_version: 26\n"));
        assert!(validate(
            "- rule: a\n  capture: true\n  capture_duration: 10\n"
        ));
        assert!(!validate("- rule: a\n  capture: \"yes\"\n"));
        assert!(!validate(
            "- list: a\n  items: [x]\n  override_written_wrong: {items: append}\n"
        ));
        assert!(!validate("- rule: a\n  priority: Info\n"));
    }
}
