//! `kspect pss`: Pod Security Standards verdicts, exactly as Pod Security Admission.
//!
//! With `--level`, every pod-bearing object is evaluated at that level and version.
//! Without it, each object is evaluated as PSA would in its namespace: the
//! `pod-security.kubernetes.io/{enforce,audit,warn}[-version]` labels of the Namespace
//! objects in the input decide, and each violation says which modes it would hit.

use std::io::Write;

use anyhow::Context as _;
use kspect_core::load::DiagnosticLevel;
use kspect_core::{Finding, Inventory, Object};
use kspect_posture::pss::{self, Level, Policy, Version, Violation};
use kspect_posture::pss_rules;
use kspect_report::{Format, RenderOptions, Report};
use serde_json::{Value, json};

use crate::cli::PssArgs;
use crate::context;
use crate::registry::all_rules;

/// The PSA modes, in the order they are reported.
const MODES: [&str; 3] = ["enforce", "audit", "warn"];

/// The policy of each mode for one object (None: the mode is not set, which PSA treats
/// as privileged).
struct ModePolicies {
    modes: Vec<(&'static str, Policy)>,
}

/// One object's verdict.
struct Verdict<'a> {
    object: &'a Object,
    /// The policy the verdict (`allowed`) is about: `--level`, or the enforce mode.
    violations: Vec<(Violation, Vec<&'static str>)>,
    allowed: bool,
    policies: Option<ModePolicies>,
}

pub fn run(args: PssArgs) -> anyhow::Result<u8> {
    let format = match args.out.format.as_str() {
        "table" => None,
        other => Some(other.parse::<Format>()?),
    };
    let version: Version = args.version.parse().with_context(|| {
        format!(
            "invalid --version {:?} (expected `latest` or `v1.N`)",
            args.version
        )
    })?;
    let fixed = match &args.level {
        Some(l) => Some(Policy::new(
            l.parse::<Level>().with_context(|| {
                format!("invalid --level {l:?} (expected privileged, baseline or restricted)")
            })?,
            version,
        )),
        None => None,
    };
    let inventory = context::load_inventory(&args.paths, &args.out);
    context::report_input_problems(&inventory, args.out.quiet);
    let verdicts: Vec<Verdict> = inventory
        .pod_bearing()
        .map(|o| evaluate(o, &inventory, fixed.as_ref(), version))
        .collect();
    let denied = verdicts.iter().any(|v| !v.allowed);
    let input_errors = inventory
        .diagnostics
        .iter()
        .any(|d| d.level == DiagnosticLevel::Error);

    let mut out = context::open_output(&args.out)?;
    match format {
        None => write_table(
            &mut out,
            &verdicts,
            fixed.as_ref(),
            context::use_color(&args.out),
        )?,
        Some(Format::Json) => {
            let doc = json_document(&verdicts, fixed.as_ref(), &args.version);
            serde_json::to_writer_pretty(&mut out, &doc)?;
            writeln!(out)?;
        }
        Some(format) => {
            let registry = all_rules();
            let findings: Vec<Finding> = verdicts
                .iter()
                .flat_map(|v| {
                    v.violations.iter().filter_map(move |(violation, _)| {
                        let policy = fixed.unwrap_or(Policy::new(Level::Restricted, version));
                        pss_rules::finding(v.object, violation, &policy)
                    })
                })
                .collect();
            let report = Report {
                tool_version: env!("CARGO_PKG_VERSION"),
                command: "pss",
                findings: &findings,
                diagnostics: &inventory.diagnostics,
                registry: &registry,
                objects_scanned: inventory.len(),
                files_scanned: inventory.files,
                fail_on: Some(args.out.fail_on),
            };
            let options = RenderOptions {
                color: context::use_color(&args.out),
                base_dir: std::env::current_dir().ok(),
            };
            kspect_report::render(format, &report, &options, &mut out)?;
        }
    }
    out.flush()?;
    Ok(super::exit_status(denied, input_errors))
}

fn evaluate<'a>(
    object: &'a Object,
    inventory: &Inventory,
    fixed: Option<&Policy>,
    version: Version,
) -> Verdict<'a> {
    let Some(t) = object.pod_template() else {
        return Verdict {
            object,
            violations: Vec::new(),
            allowed: true,
            policies: None,
        };
    };
    if let Some(policy) = fixed {
        let violations: Vec<_> = pss::evaluate(t.metadata, t.spec, policy)
            .into_iter()
            .map(|v| (v, Vec::new()))
            .collect();
        return Verdict {
            object,
            allowed: violations.is_empty(),
            violations,
            policies: None,
        };
    }
    let policies = namespace_policies(object, inventory, version);
    // Union of the violations of every mode, each tagged with the modes it hits.
    let mut violations: Vec<(Violation, Vec<&'static str>)> = Vec::new();
    let mut allowed = true;
    for (mode, policy) in &policies.modes {
        for v in pss::evaluate(t.metadata, t.spec, policy) {
            if *mode == "enforce" {
                allowed = false;
            }
            match violations.iter_mut().find(|(e, _)| e.check == v.check) {
                Some((_, modes)) => modes.push(mode),
                None => violations.push((v, vec![mode])),
            }
        }
    }
    Verdict {
        object,
        violations,
        allowed,
        policies: Some(policies),
    }
}

/// The policies PSA applies to an object's namespace, from the Namespace labels in the input.
fn namespace_policies(
    object: &Object,
    inventory: &Inventory,
    default_version: Version,
) -> ModePolicies {
    let ns_name = object.id.namespace.as_deref().unwrap_or("default");
    let mut modes = Vec::new();
    if let Some(ns) = inventory.namespace(ns_name) {
        let label = |key: &str| ns.labels().find(|(k, _)| *k == key).map(|(_, v)| v);
        for mode in MODES {
            let Some(level) = label(&format!("pod-security.kubernetes.io/{mode}")) else {
                continue;
            };
            // PSA treats an unparsable level or version label as the most restrictive
            // value it could mean (restricted, latest).
            let level = level.parse::<Level>().unwrap_or(Level::Restricted);
            let version = label(&format!("pod-security.kubernetes.io/{mode}-version"))
                .map(|v| v.parse::<Version>().unwrap_or(Version::LATEST))
                .unwrap_or(default_version);
            modes.push((mode, Policy::new(level, version)));
        }
    }
    ModePolicies { modes }
}

fn json_document(verdicts: &[Verdict], fixed: Option<&Policy>, version_arg: &str) -> Value {
    let results: Vec<Value> = verdicts
        .iter()
        .map(|v| {
            let loc = v.object.location();
            let violations: Vec<Value> = v
                .violations
                .iter()
                .map(|(violation, modes)| {
                    let at = v.object.locate(&pss_rules::violation_pointer(v.object, violation));
                    let mut entry = json!({
                        "check": violation.check,
                        "reason": violation.reason,
                        "detail": violation.detail,
                        "location": {"line": at.line, "column": at.column},
                    });
                    if fixed.is_none() {
                        entry["modes"] = json!(modes);
                    }
                    entry
                })
                .collect();
            let mut result = json!({
                "object": v.object.id,
                "source": {"file": &*loc.file, "document": loc.document, "line": loc.line},
                "allowed": v.allowed,
                "violations": violations,
            });
            if let Some(p) = &v.policies {
                let modes: serde_json::Map<String, Value> = p
                    .modes
                    .iter()
                    .map(|(m, pol)| (m.to_string(), json!({"level": pol.level.to_string(), "version": pol.version.to_string()})))
                    .collect();
                result["namespacePolicy"] = Value::Object(modes);
            }
            result
        })
        .collect();
    match fixed {
        Some(p) => {
            json!({"level": p.level.to_string(), "version": version_arg, "results": results})
        }
        None => json!({"level": null, "version": version_arg, "results": results}),
    }
}

fn write_table(
    out: &mut dyn Write,
    verdicts: &[Verdict],
    fixed: Option<&Policy>,
    color: bool,
) -> anyhow::Result<()> {
    let paint = |code: &str, text: &str| {
        if color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    };
    let mut denied = 0;
    for v in verdicts {
        let loc = v.object.location();
        let policy = match (fixed, &v.policies) {
            (Some(p), _) => format!("{}:{}", p.level, p.version),
            (None, Some(p)) if !p.modes.is_empty() => p
                .modes
                .iter()
                .map(|(m, pol)| format!("{m}={}:{}", pol.level, pol.version))
                .collect::<Vec<_>>()
                .join(" "),
            _ => "privileged (no pod-security labels on the namespace)".to_string(),
        };
        let verdict = if v.allowed {
            paint("32", "allowed")
        } else {
            paint("1;31", "DENIED")
        };
        if !v.allowed {
            denied += 1;
        }
        writeln!(
            out,
            "{verdict}  {}  {}:{}  [{policy}]",
            v.object.id, loc.file, loc.line
        )?;
        for (violation, modes) in &v.violations {
            let at = v
                .object
                .locate(&pss_rules::violation_pointer(v.object, violation));
            let modes = if modes.is_empty() {
                String::new()
            } else {
                format!(" [{}]", modes.join(","))
            };
            writeln!(
                out,
                "    {} {}: {}{modes}\n        {}\n        at {}:{}:{}",
                paint("33", "-"),
                violation.check,
                violation.reason,
                violation.detail,
                at.file,
                at.line,
                at.column
            )?;
        }
    }
    writeln!(
        out,
        "\n{} pod-bearing objects: {} allowed, {} denied",
        verdicts.len(),
        verdicts.len() - denied,
        denied
    )?;
    Ok(())
}
