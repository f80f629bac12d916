//! Runs every case of `../shared/corpus/netpol/*/cases.json` through the library and
//! compares with the reference analyzer's expected output.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use kspect_netpol::connlist::{Direction, ListOptions, parse_focus_conn};
use kspect_netpol::eval::{FlowEnd, eval_flow};
use kspect_netpol::podmap::{MapQuery, pod_map};
use kspect_netpol::{Format, ListRequest, Protocol};
use serde_json::Value;

#[derive(Default)]
struct Tally {
    passed: usize,
    total: usize,
    skipped: usize,
    known_gaps: usize,
    failures: Vec<String>,
}

/// Cases known to disagree today, each with the reason (issue 4 tracks them). A case
/// listed here that starts to pass fails the test too, so the list can only shrink.
/// Entries match a case kind (`kind:NAME`) or a scenario and case id prefix.
const KNOWN_GAPS: &[(&str, &str)] = &[];

fn known_gap(kind: &str, case: &str) -> Option<&'static str> {
    KNOWN_GAPS.iter().find_map(|(pattern, why)| {
        let hit = match pattern.strip_prefix("kind:") {
            Some(k) => k == kind,
            None => case.starts_with(pattern),
        };
        hit.then_some(*why)
    })
}

fn strip_newlines(s: &str) -> String {
    s.chars().filter(|c| *c != '\n' && *c != '\r').collect()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|x| x.as_str().map(str::to_string))
        .collect()
}

fn list_request(o: &Value) -> ListRequest {
    ListRequest {
        format: o["format"]
            .as_str()
            .and_then(Format::parse)
            .unwrap_or(Format::Txt),
        focus: ListOptions {
            focus_workloads: strings(&o["focus_workloads"]),
            focus_workload_peers: strings(&o["focus_workload_peers"]),
            focus_direction: match o["focus_direction"].as_str() {
                Some("ingress") => Some(Direction::Ingress),
                Some("egress") => Some(Direction::Egress),
                _ => None,
            },
            focus_conn: o["focus_conn"].as_str().and_then(parse_focus_conn),
        },
        exposure: o["exposure"].as_bool().unwrap_or(false),
        explain: o["explain"].as_bool().unwrap_or(false),
        explain_only: match o["explain_only"].as_str() {
            Some("allow") => Some(true),
            Some("deny") => Some(false),
            _ => None,
        },
    }
}

fn inventory(dir: &Path, case: &Value, meta: &Value) -> kspect_core::Inventory {
    let mut input = dir.join("input");
    if let Some(sub) = case["input_subpath"].as_str() {
        input = input.join(sub);
    }
    // Error and warning cases are about the odd files themselves.
    let skip = if case["kind"] == "first_error_or_warning" {
        Vec::new()
    } else {
        strings(&meta["non_manifest_files"])
    };
    kspect_netpol::load::load_inventory(&[input], &skip)
}

fn first_diff(expected: &str, got: &str) -> String {
    let e: Vec<&str> = expected.lines().collect();
    let g: Vec<&str> = got.lines().collect();
    for i in 0..e.len().max(g.len()) {
        if e.get(i) != g.get(i) {
            return format!(
                "line {}: expected {:?}, got {:?}",
                i + 1,
                e.get(i).unwrap_or(&"<none>"),
                g.get(i).unwrap_or(&"<none>")
            );
        }
    }
    "only newlines differ".into()
}

fn run_case(dir: &Path, meta: &Value, case: &Value) -> Result<(), String> {
    let kind = case["kind"].as_str().unwrap_or("");
    let o = &case["options"];
    match kind {
        "connlist" | "exposure" | "explain" | "explain_exposure" => {
            let expected =
                std::fs::read_to_string(dir.join(case["expected"].as_str().unwrap_or("")))
                    .map_err(|e| format!("cannot read expected: {e}"))?;
            let inv = inventory(dir, case, meta);
            let out =
                kspect_netpol::list(&inv, &list_request(o)).map_err(|e| format!("error: {e}"))?;
            if strip_newlines(&expected) == strip_newlines(&out.text) {
                Ok(())
            } else {
                Err(first_diff(&expected, &out.text))
            }
        }
        "diff" => {
            let expected =
                std::fs::read_to_string(dir.join(case["expected"].as_str().unwrap_or("")))
                    .map_err(|e| format!("cannot read expected: {e}"))?;
            let base = dir
                .parent()
                .ok_or("no parent")?
                .join(case["base_scenario"].as_str().unwrap_or(""));
            let base_meta: Value = serde_json::from_str(
                &std::fs::read_to_string(base.join("cases.json")).map_err(|e| e.to_string())?,
            )
            .map_err(|e| e.to_string())?;
            let old = inventory(&base, &Value::Null, &base_meta);
            let new = inventory(dir, case, meta);
            let d = kspect_netpol::diff::diff(&old, &new).map_err(|e| format!("error: {e}"))?;
            // The CLI names the sides after its --dir1/--dir2 flags.
            let names = if case["arg_names"].as_bool() == Some(true) {
                ("old", "new")
            } else if case["expected"]
                .as_str()
                .is_some_and(|e| e.starts_with("expected/cli/"))
            {
                ("dir1", "dir2")
            } else {
                ("ref1", "ref2")
            };
            let format = o["format"]
                .as_str()
                .and_then(Format::parse)
                .unwrap_or(Format::Txt);
            let got = d.render(format, names);
            if strip_newlines(&expected) == strip_newlines(&got) {
                Ok(())
            } else {
                Err(first_diff(&expected, &got))
            }
        }
        "fatal_error" => {
            let inv = inventory(dir, case, meta);
            match kspect_netpol::list(&inv, &ListRequest::default()) {
                Err(e) => {
                    if std::env::var("NETPOL_SHOW").is_ok() {
                        println!(
                            "  [{}] {e}\n     upstream: {}",
                            case["id"],
                            case["upstream_error_contains"]
                                .as_str()
                                .or(case["upstream_error_go_expr"].as_str())
                                .unwrap_or("")
                        );
                    }
                    Ok(())
                }
                Ok(_) => Err(format!(
                    "expected a fatal error ({})",
                    case["upstream_error_contains"]
                        .as_str()
                        .or(case["upstream_error_go_expr"].as_str())
                        .unwrap_or("")
                )),
            }
        }
        "eval_flow" => {
            let inv = inventory(dir, case, meta);
            let cluster = kspect_netpol::analyze(&inv).map_err(|e| format!("error: {e}"))?;
            let an = kspect_netpol::Analyzer::new(&cluster);
            let end = |v: &Value| {
                let ns = v["namespace"].as_str().unwrap_or("default");
                let name = v["pod"].as_str().or(v["workload"].as_str()).unwrap_or("");
                FlowEnd::Named(format!("{ns}/{name}"))
            };
            let proto = case["protocol"]
                .as_str()
                .and_then(Protocol::parse)
                .ok_or("bad protocol")?;
            let port = case["port"]
                .as_u64()
                .and_then(|p| u16::try_from(p).ok())
                .ok_or("bad port")?;
            let v = eval_flow(&an, &end(&case["src"]), &end(&case["dst"]), proto, port)
                .map_err(|e| format!("error: {e}"))?;
            let want = case["expected_allowed"].as_bool().unwrap_or(false);
            if v.allowed == want {
                Ok(())
            } else {
                Err(format!(
                    "expected allowed={want}, got {} ({})",
                    v.allowed, v.allowed_conns
                ))
            }
        }
        "pod_connectivity_map" => {
            let expected =
                std::fs::read_to_string(dir.join(case["expected"].as_str().unwrap_or("")))
                    .map_err(|e| format!("cannot read expected: {e}"))?;
            let inv = inventory(dir, case, meta);
            let cluster = kspect_netpol::build(
                &inv,
                kspect_netpol::BuildOptions {
                    pods_only: true,
                    ..Default::default()
                },
            )
            .map_err(|e| format!("error: {e}"))?;
            let an = kspect_netpol::Analyzer::new(&cluster);
            let query = if case["all_connections"].as_bool() == Some(true) {
                MapQuery::AllConnections
            } else {
                let proto = case["protocol"].as_str().and_then(Protocol::parse);
                let port = case["port"].as_str().and_then(|p| p.parse::<u16>().ok());
                MapQuery::One(proto.zip(port))
            };
            let got = pod_map(&an, query).join("\n");
            let want: String = expected.chars().filter(|c| *c != '\r').collect();
            if want.trim_end() == got {
                Ok(())
            } else {
                Err(first_diff(&want, &got))
            }
        }
        "connlist_size" => {
            let inv = inventory(dir, case, meta);
            let out =
                kspect_netpol::list(&inv, &list_request(o)).map_err(|e| format!("error: {e}"))?;
            let n = out.text.lines().filter(|l| l.contains(" => ")).count();
            let want = case["expected_connection_count"].as_u64().unwrap_or(0) as usize;
            let bad = case["must_not_contain_line"]
                .as_str()
                .is_some_and(|l| out.text.lines().any(|x| x == l));
            if n == want && !bad {
                Ok(())
            } else {
                Err(format!(
                    "expected {want} pairs, got {n} (forbidden line present: {bad})"
                ))
            }
        }
        "warnings" => {
            let inv = inventory(dir, case, meta);
            // The warnings `list` reports: the model's and the option checks'.
            let cluster = kspect_netpol::analyze(&inv).map_err(|e| format!("error: {e}"))?;
            let (_, option_warnings) = kspect_netpol::normalize_request(&list_request(o));
            let texts: Vec<String> = cluster
                .warnings
                .iter()
                .chain(&option_warnings)
                .map(|w| w.to_string())
                .collect();
            for w in case["expected_warnings"].as_array().into_iter().flatten() {
                let ok = match w["contains"].as_str() {
                    Some(c) => texts.iter().any(|t| t.contains(c)),
                    None => !texts.is_empty(),
                };
                if !ok {
                    return Err(format!("missing warning {w}; got {texts:?}"));
                }
            }
            Ok(())
        }
        "first_error_or_warning" => {
            let inv = inventory(dir, case, meta);
            let has_input_problem = !inv.diagnostics.is_empty();
            match kspect_netpol::list(&inv, &list_request(o)) {
                Err(_) => Ok(()),
                Ok(out) => {
                    let empty = out.text.trim().is_empty();
                    let want_empty = case["expect_empty_result"].as_bool().unwrap_or(false);
                    if (has_input_problem || !out.warnings.is_empty()) && empty == want_empty {
                        Ok(())
                    } else {
                        Err(format!(
                            "expected an error or warning ({}) and empty={want_empty}; got empty={empty}, {} diagnostics, {} warnings",
                            case["upstream_error_contains"].as_str().unwrap_or(""),
                            inv.diagnostics.len(),
                            out.warnings.len()
                        ))
                    }
                }
            }
        }
        other => Err(format!("case kind {other} not run")),
    }
}

/// Runs the cases of the given kinds in every scenario; prints "N of M passed" per kind
/// and fails when any case disagrees.
fn run_kinds(kinds: &[&str]) {
    let Some(root) = kspect_core::corpus::corpus_dir("netpol") else {
        return;
    };
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("corpus readable")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("cases.json").is_file())
        .collect();
    dirs.sort();
    let mut tallies: BTreeMap<String, Tally> = BTreeMap::new();
    for dir in &dirs {
        let meta: Value = serde_json::from_str(
            &std::fs::read_to_string(dir.join("cases.json")).expect("cases.json readable"),
        )
        .expect("cases.json is JSON");
        let scenario = dir
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("")
            .to_string();
        for case in meta["cases"].as_array().into_iter().flatten() {
            let kind = case["kind"].as_str().unwrap_or("").to_string();
            if !kinds.contains(&kind.as_str()) {
                continue;
            }
            let t = tallies.entry(kind.clone()).or_default();
            // Multi-network (UDN/NAD) analysis is not modelled: counted, reported, skipped.
            if case["options"]["multiple_networks"].as_bool() == Some(true) {
                t.skipped += 1;
                continue;
            }
            t.total += 1;
            let name = format!("{scenario} {}", case["id"].as_str().unwrap_or(""));
            let gap = known_gap(&kind, &name);
            match (run_case(dir, &meta, case), gap) {
                (Ok(()), None) => t.passed += 1,
                (Ok(()), Some(_)) => {
                    t.passed += 1;
                    t.failures
                        .push(format!("{name}: now passes; remove it from KNOWN_GAPS"));
                }
                (Err(_), Some(_)) => t.known_gaps += 1,
                (Err(e), None) => t.failures.push(format!("{name}: {e}")),
            }
        }
    }
    let mut all_ok = true;
    for (kind, t) in &tallies {
        println!(
            "{kind}: {} of {} passed, {} known gaps ({} multi-network cases skipped)",
            t.passed, t.total, t.known_gaps, t.skipped
        );
        for f in t.failures.iter().take(
            std::env::var("NETPOL_FAILS")
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(15),
        ) {
            println!("    {f}");
        }
        all_ok &= t.failures.is_empty();
    }
    assert!(all_ok, "netpol corpus cases disagree: {kinds:?}");
}

#[test]
fn corpus_connlist() {
    run_kinds(&["connlist", "connlist_size"]);
}

#[test]
fn corpus_errors_and_warnings() {
    run_kinds(&["fatal_error", "first_error_or_warning", "warnings"]);
}

#[test]
fn corpus_eval_and_pod_maps() {
    run_kinds(&["eval_flow", "pod_connectivity_map"]);
}

#[test]
fn corpus_diff() {
    run_kinds(&["diff"]);
}

#[test]
fn corpus_exposure() {
    run_kinds(&["exposure"]);
}

#[test]
fn corpus_explain() {
    run_kinds(&["explain", "explain_exposure"]);
}
