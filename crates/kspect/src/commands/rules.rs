//! `kspect rules` and `kspect explain`: the rule catalog.

use std::io::Write;

use anyhow::bail;
use serde_json::json;

use crate::cli::{ExplainArgs, RulesArgs};
use crate::registry::all_rules;

pub fn list(args: RulesArgs) -> anyhow::Result<u8> {
    let registry = all_rules();
    let rules: Vec<_> = registry
        .rules()
        .iter()
        .filter(|r| {
            args.category
                .as_deref()
                .is_none_or(|c| c.eq_ignore_ascii_case(r.category))
        })
        .collect();
    let mut out = std::io::stdout().lock();
    match args.format.as_str() {
        "table" => {
            writeln!(
                out,
                "{:<8} {:<9} {:<9} {:<8} {:<34} TITLE",
                "ID", "SEVERITY", "CATEGORY", "DEFAULT", "NAME"
            )?;
            for r in &rules {
                let default = if registry.is_default_on(r) {
                    "on"
                } else {
                    "off"
                };
                writeln!(
                    out,
                    "{:<8} {:<9} {:<9} {:<8} {:<34} {}",
                    r.id, r.severity, r.category, default, r.name, r.title
                )?;
            }
            writeln!(
                out,
                "\n{} rules. Rules marked off restate a Pod Security Standards rule and run when selected\n(`select: [ALL]` or their ID in .kspect.yaml). `kspect explain ID` prints a rule's documentation.",
                rules.len()
            )?;
        }
        "json" => {
            let list: Vec<_> = rules
                .iter()
                .map(|r| {
                    json!({
                        "id": r.id, "name": r.name, "title": r.title, "severity": r.severity,
                        "category": r.category, "kinds": r.kinds, "remediation": r.remediation,
                        "defaultEnabled": registry.is_default_on(r),
                        "references": r.references,
                    })
                })
                .collect();
            serde_json::to_writer_pretty(&mut out, &list)?;
            writeln!(out)?;
        }
        other => bail!("unknown format {other:?} for `rules` (expected table or json)"),
    }
    Ok(0)
}

pub fn explain(args: ExplainArgs) -> anyhow::Result<u8> {
    let registry = all_rules();
    let Some(rule) = registry.get(&args.id) else {
        bail!("no rule {:?}; `kspect rules` lists them", args.id);
    };
    let mut out = std::io::stdout().lock();
    writeln!(out, "# {} {}: {}\n", rule.id, rule.name, rule.title)?;
    writeln!(
        out,
        "Severity: {}    Category: {}",
        rule.severity, rule.category
    )?;
    if !rule.kinds.is_empty() {
        writeln!(out, "Applies to: {}", rule.kinds.join(", "))?;
    }
    writeln!(out, "\n{}\n", rule.doc.trim_end())?;
    if !rule.references.is_empty() {
        writeln!(out, "## References")?;
        for r in rule.references {
            let kind = serde_json::to_value(r.kind)?
                .as_str()
                .unwrap_or_default()
                .to_uppercase();
            writeln!(out, "- {kind} {}: {}", r.id, r.url)?;
        }
    }
    Ok(0)
}
