//! Running the CIS Kubernetes checks over a node's facts.
//!
//! Each check is decided twice. The *kube-bench view* rebuilds the text kube-bench's
//! audit would print (command lines joined as `ps` shows them, the config file kube-bench
//! would pick, `stat` lines) and applies kube-bench's text semantics. The *kspect view*
//! reads the parsed facts exactly (flags as pflag reads them, the config file the kubelet
//! really loads, the components' defaults where nothing is written) and fixes the known
//! kube-bench mistakes listed in CHECKS.md. When the two disagree, the result carries
//! kube-bench's status and the reason.

use std::sync::Arc;

use serde_json::Value;

use crate::benchmark::{self, Benchmark, Choice};
use crate::checks::{self, Audit, CheckDef, Files, Item, Op, Target};
use crate::cmdline::{Origin, flag_bool_text, parse_go_bool, parse_go_duration};
use crate::facts::{Component, ConfigFile, KUBELET_CONFIG_CANDIDATES, NodeFacts, Process};
use crate::kbtest;
use crate::policies::{self, ClusterObjects};
use crate::result::{CheckResult, Report, Status};

/// What to run.
#[derive(Debug, Clone)]
pub struct NodeOptions {
    /// `--benchmark`.
    pub benchmark: Choice,
    /// `--targets`; `None` picks them from what runs on the node.
    pub targets: Option<Vec<Target>>,
    /// `--check`: only these IDs (empty: all).
    pub checks: Vec<String>,
    /// `--manifests`: cluster objects that decide the policy checks of section 5.
    pub manifests: Option<Arc<ClusterObjects>>,
}

impl Default for NodeOptions {
    fn default() -> Self {
        NodeOptions {
            benchmark: Choice::Auto,
            targets: None,
            checks: Vec::new(),
            manifests: None,
        }
    }
}

/// Picks the benchmark for `choice` and says why.
pub fn select_benchmark(facts: &NodeFacts, choice: Choice) -> (Benchmark, String, Option<String>) {
    match choice {
        Choice::Fixed(b) => (b, "--benchmark".to_string(), None),
        Choice::Auto => match &facts.version {
            Some(v) => match benchmark::for_version(v.major, v.minor) {
                Ok(b) => (b, format!("Kubernetes {} ({})", v.text, v.source), None),
                Err(e) => {
                    let b = if v.major == 1 && v.minor < 29 {
                        Benchmark::Cis111
                    } else {
                        Benchmark::Cis112
                    };
                    (
                        b,
                        format!("Kubernetes {} ({})", v.text, v.source),
                        Some(format!("{e}; using {b}, the nearest kspect implements")),
                    )
                }
            },
            None => (
                Benchmark::Cis112,
                "default (no Kubernetes version found)".to_string(),
                Some("no Kubernetes version found on the node (no image tag or --version); using cis-1.12".to_string()),
            ),
        },
    }
}

/// The targets kube-bench runs without `--targets`: master and controlplane when the API
/// server runs, etcd when etcd runs, then node and policies.
pub fn auto_targets(facts: &NodeFacts) -> Vec<Target> {
    let mut t = Vec::new();
    if facts.process(Component::ApiServer).is_some() {
        t.push(Target::Master);
    }
    if facts.process(Component::Etcd).is_some() {
        t.push(Target::Etcd);
    }
    if facts.process(Component::ApiServer).is_some() {
        t.push(Target::ControlPlane);
    }
    t.push(Target::Node);
    t.push(Target::Policies);
    t
}

/// Runs the node benchmark.
pub fn run(facts: &NodeFacts, opts: &NodeOptions) -> Report {
    let (bench, source, note) = select_benchmark(facts, opts.benchmark);
    let targets = match &opts.targets {
        Some(t) => {
            let mut t = t.clone();
            t.sort();
            t.dedup();
            t
        }
        None => auto_targets(facts),
    };
    let mut notes = facts.notes.clone();
    notes.extend(note);
    let mut ctx = Ctx::new(facts);
    ctx.benchmark = bench;
    ctx.policy = opts.manifests.as_deref();
    let results = checks::checks(bench)
        .filter(|c| targets.contains(&c.target))
        .filter(|c| opts.checks.is_empty() || opts.checks.iter().any(|id| id == c.id))
        .map(|c| evaluate(&ctx, c))
        .collect();
    Report {
        benchmark: bench.name().to_string(),
        benchmark_source: source,
        targets: targets.iter().map(|t| t.name().to_string()).collect(),
        checks: results,
        notes,
    }
}

/// Pre-computed views shared by all checks.
struct Ctx<'f, 'a> {
    facts: &'f NodeFacts<'a>,
    /// The kubelet config kspect reads: the `--config` file, or kube-bench's candidate
    /// when no kubelet command line was found at all.
    kubelet_config: Option<&'f ConfigFile>,
    /// The config file kube-bench's `cat $kubeletconf` reads.
    kb_kubelet_config: Option<ConfigFile>,
    /// The benchmark run.
    benchmark: Benchmark,
    /// Cluster objects for section 5 (`--manifests`).
    policy: Option<&'f ClusterObjects>,
}

impl<'f, 'a> Ctx<'f, 'a> {
    fn new(facts: &'f NodeFacts<'a>) -> Self {
        let kubelet = facts.process(Component::Kubelet);
        let kubelet_config = facts.kubelet_config.as_ref().filter(|c| {
            kubelet.is_none()
                || kubelet.is_some_and(|k| k.command.get("config").is_some())
                    && c.found_by.contains("--config")
        });
        let kb_kubelet_config = KUBE_BENCH_KUBELET_CONFS
            .iter()
            .find(|p| facts.fs.exists(p))
            .and_then(|p| ConfigFile::load(facts.fs, p, "kube-bench's candidate list"));
        Ctx {
            facts,
            kubelet_config,
            kb_kubelet_config,
            benchmark: Benchmark::Cis112,
            policy: None,
        }
    }

    fn fs(&self) -> &dyn crate::fs::NodeFs {
        self.facts.fs
    }
}

/// kube-bench's full `node.kubelet.confs` list (including the non-config files it falls
/// back to), for the kube-bench view of `$kubeletconf`.
const KUBE_BENCH_KUBELET_CONFS: &[&str] = &[
    "/etc/kubernetes/kubelet-config.yaml",
    "/etc/kubernetes/kubelet/kubelet-config.json",
    "/var/lib/kubelet/config.yaml",
    "/etc/kubernetes/azure.json",
    "/var/lib/kubelet/config.yml",
    "/etc/kubernetes/kubelet/config.json",
    "/etc/kubernetes/kubelet/config",
    "/home/kubernetes/kubelet-config.yaml",
    "/home/kubernetes/kubelet-config.yml",
    "/etc/default/kubeletconfig.json",
    "/etc/default/kubelet",
    "/var/lib/kubelet/kubeconfig",
    "/etc/systemd/system/kubelet.service.d/10-kubeadm.conf",
    "/etc/systemd/system/kubelet.service",
    "/lib/systemd/system/kubelet.service",
    "/etc/kubernetes/kubelet.yaml",
];

fn evaluate(ctx: &Ctx, def: &CheckDef) -> CheckResult {
    let mut r = CheckResult {
        id: def.id.to_string(),
        group: def.group.to_string(),
        title: def.title.to_string(),
        target: def.target.name().to_string(),
        scored: def.scored,
        status: Status::Warn,
        evidence: String::new(),
        remediation: remediation_for(def),
        kube_bench_status: None,
        note: None,
        expected: kbtest::expected_text(def.bin_op, def.items),
        audit: String::new(),
        actual: String::new(),
        kind: String::new(),
        source: None,
        sources: Vec::new(),
    };
    if let (Target::Policies, Some(objects)) = (def.target, ctx.policy)
        && let Some(v) = policies::evaluate(ctx.benchmark, def.id, objects)
    {
        if def.audit == Audit::Manual {
            r.kind = "manual".to_string();
            r.expected.clear();
        } else {
            r.audit = "kubectl".to_string();
        }
        apply_policy(&mut r, v, objects);
        return r;
    }
    let verdicts = match def.audit {
        Audit::Manual => {
            r.kind = "manual".to_string();
            r.expected.clear();
            r.evidence = "manual check: a person has to review this (kube-bench marks it WARN without running anything)".to_string();
            return r;
        }
        Audit::Cluster => {
            r.evidence =
                "needs the cluster API (kube-bench runs kubectl); a node's files cannot decide it (pass the cluster's objects with --manifests)"
                    .to_string();
            r.audit = "kubectl".to_string();
            return r;
        }
        Audit::Flags(c) => flag_check(ctx, def, c),
        Audit::Mode(files) | Audit::Owner(files) => file_check(ctx, def, files),
        Audit::EncryptionProviders => encryption_check(ctx, def),
    };
    r.status = Status::of(verdicts.kspect, def.scored);
    let kb = Status::of(verdicts.kube_bench, def.scored);
    r.evidence = verdicts.evidence;
    r.set_sources(verdicts.sources);
    r.audit = verdicts.audit;
    r.actual = verdicts.actual;
    if kb != r.status {
        r.kube_bench_status = Some(kb);
        r.note = Some(match verdicts.why {
            Some(w) => format!("kube-bench reports {kb}: {w}"),
            None => format!("kube-bench reports {kb}"),
        });
    } else if let Some(w) = verdicts.why {
        r.note = Some(w);
    }
    r
}

/// Fills a section-5 result from the decision over `--manifests` objects.
fn apply_policy(r: &mut CheckResult, v: policies::PolicyVerdict, objects: &ClusterObjects) {
    r.status = v.status;
    r.evidence = v.evidence;
    r.set_sources(v.sources);
    r.audit = format!(
        "{} objects from {} file(s) given with --manifests{}",
        objects.len(),
        objects.files(),
        if r.audit.is_empty() {
            String::new()
        } else {
            format!(" (kube-bench: {})", r.audit)
        }
    );
    let kb_text = if r.kind == "manual" {
        format!(
            "kube-bench reports {} (a manual check: it runs nothing)",
            v.kube_bench
        )
    } else {
        format!("kube-bench reports {} on the same objects", v.kube_bench)
    };
    if v.kube_bench != r.status {
        r.kube_bench_status = Some(v.kube_bench);
        r.note = Some(if v.why.is_empty() {
            kb_text
        } else {
            format!("{kb_text}: {}", v.why)
        });
    } else if !v.why.is_empty() {
        r.note = Some(v.why);
    }
}

/// Both verdicts of a check.
struct Verdicts {
    kspect: bool,
    kube_bench: bool,
    evidence: String,
    audit: String,
    actual: String,
    why: Option<String>,
    /// Where the evidence came from, the deciding place first.
    sources: Vec<Origin>,
}

// ---------------------------------------------------------------------------------------
// Command-line checks

/// A value as kspect found it.
#[derive(Debug, Clone)]
struct Seen {
    value: String,
    /// `--flag=value (file:line)`, `key: value (file:line)` or `default`.
    describe: String,
    is_default: bool,
    /// Where it was read; for a default, where it would be written.
    origin: Option<Origin>,
}

/// Component defaults where nothing is written: `(flag default, config-file default)`.
/// Only values that decide a check are listed; presence-only items never use them.
fn default_for(c: Component, flag: &str) -> Option<(&'static str, &'static str)> {
    let d = |v| Some((v, v));
    match (c, flag) {
        (Component::ApiServer, "--anonymous-auth") => d("true"),
        (Component::ApiServer, "--authorization-mode") => d("AlwaysAllow"),
        (
            Component::ApiServer | Component::ControllerManager | Component::Scheduler,
            "--profiling",
        ) => d("true"),
        (Component::ApiServer, "--service-account-lookup") => d("true"),
        (
            Component::ApiServer,
            "--audit-log-maxage" | "--audit-log-maxbackup" | "--audit-log-maxsize",
        ) => d("0"),
        (Component::ApiServer, "--service-account-extend-token-expiration") => d("true"),
        (Component::ControllerManager, "--use-service-account-credentials") => d("false"),
        (Component::ControllerManager | Component::Scheduler, "--bind-address") => d("0.0.0.0"),
        (
            Component::Etcd,
            "--client-cert-auth" | "--auto-tls" | "--peer-client-cert-auth" | "--peer-auto-tls",
        ) => d("false"),
        (Component::Kubelet, "--anonymous-auth") => Some(("true", "false")),
        (Component::Kubelet, "--authorization-mode") => Some(("AlwaysAllow", "Webhook")),
        (Component::Kubelet, "--read-only-port") => Some(("10255", "0")),
        (Component::Kubelet, "--streaming-connection-idle-timeout") => d("4h0m0s"),
        (Component::Kubelet, "--make-iptables-util-chains") => d("true"),
        (Component::Kubelet, "--event-qps") => d("50"),
        (Component::Kubelet, "--rotate-certificates") => d("false"),
        (Component::Kubelet, "RotateKubeletServerCertificate") => d("true"),
        (Component::Proxy, "--metrics-bind-address") => d("127.0.0.1:10249"),
        _ => None,
    }
}

/// Reads a kube-bench JSONPath (`{.a.b}` or the cipher-suite `range`) from a config value
/// and prints it as kube-bench does.
fn jsonpath(value: &Value, path: &str) -> Option<(String, String)> {
    if let Some(rest) = path.strip_prefix("{range .") {
        let key = rest.split('[').next()?;
        let arr = value.get(key)?.as_array()?;
        let mut s = String::new();
        for v in arr {
            s.push_str(&scalar_text(v));
            s.push(',');
        }
        return Some((s, format!("/{key}")));
    }
    let inner = path.strip_prefix("{.")?.strip_suffix('}')?;
    let pointer: String = inner
        .split('.')
        .map(|k| format!("/{}", k.replace('~', "~0").replace('/', "~1")))
        .collect();
    let v = value.pointer(&pointer)?;
    if v.is_null() {
        return None;
    }
    Some((scalar_text(v), pointer))
}

fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// The text kube-bench's audit prints for a component: `ps -ef | grep BIN` (every
/// command line containing the binary name, which is how etcd's audit also sees the API
/// server) or `ps -fC BIN` for the kubelet and kube-proxy (only that process).
fn kube_bench_ps(ctx: &Ctx, c: Component) -> String {
    let bin = ctx
        .facts
        .process(c)
        .and_then(|p| {
            p.command
                .program()
                .map(|s| s.rsplit('/').next().unwrap_or(s).to_string())
        })
        .unwrap_or_else(|| c.binary().to_string());
    match c {
        Component::Kubelet | Component::Proxy => ctx
            .facts
            .process(c)
            .map(|p| p.command.text())
            .unwrap_or_default(),
        _ => ctx
            .facts
            .processes
            .iter()
            .map(|p| p.command.text())
            .filter(|t| t.contains(&bin))
            .collect::<Vec<_>>()
            .join("\n"),
    }
}

/// kube-bench's value for one item: command line, then config output, then environment.
fn kube_bench_lookup(ctx: &Ctx, c: Component, ps: &str, item: &Item) -> Option<String> {
    if let Some(v) = kbtest::find_value(ps, item.flag) {
        return Some(v);
    }
    if let Some(path) = item.path {
        let cfg = match c {
            Component::Kubelet => ctx.kb_kubelet_config.as_ref(),
            // `$proxykubeconfig` is a kubeconfig, which never holds metricsBindAddress.
            _ => None,
        };
        if let Some((v, _)) = cfg.and_then(|cfg| jsonpath(&cfg.value, path)) {
            return Some(v);
        }
    }
    if let Some(env) = item.env {
        return ctx
            .facts
            .process(c)
            .and_then(|p| p.env_var(env))
            .map(|(v, _)| v.to_string());
    }
    None
}

/// Canonical text of a boolean as the component parses it.
fn canonical_bool(v: &str) -> String {
    match parse_go_bool(v) {
        Some(b) => b.to_string(),
        None => v.to_string(),
    }
}

/// Feature gates `A=true,B=False` with booleans canonical.
fn canonical_gates(v: &str) -> String {
    v.split(',')
        .map(|kv| match kv.split_once('=') {
            Some((k, b)) => format!("{}={}", k.trim(), canonical_bool(b.trim())),
            None => kv.to_string(),
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// kspect's value for one item.
fn kspect_lookup(ctx: &Ctx, c: Component, p: Option<&Process>, item: &Item) -> Option<Seen> {
    let is_bool_flag = matches!(
        item.flag,
        "--anonymous-auth"
            | "--profiling"
            | "--service-account-lookup"
            | "--use-service-account-credentials"
            | "--client-cert-auth"
            | "--auto-tls"
            | "--peer-client-cert-auth"
            | "--peer-auto-tls"
            | "--make-iptables-util-chains"
            | "--rotate-certificates"
            | "--seccomp-default"
            | "--service-account-extend-token-expiration"
    );
    if let Some(p) = p {
        if item.flag.starts_with("--") {
            if let Some(f) = p.command.get(item.flag) {
                let mut value = if is_bool_flag {
                    canonical_bool(flag_bool_text(f))
                } else {
                    f.value.clone().unwrap_or_else(|| "true".to_string())
                };
                if item.flag == "--feature-gates" {
                    value = canonical_gates(&value);
                }
                if item.flag == "--streaming-connection-idle-timeout"
                    && parse_go_duration(&value) == Some(0.0)
                {
                    value = "0".to_string();
                }
                let shown = match &f.value {
                    Some(v) => format!("--{}={v}", f.name),
                    None => format!("--{}", f.name),
                };
                return Some(Seen {
                    value,
                    describe: format!("{shown} ({})", f.origin),
                    is_default: false,
                    origin: Some(f.origin.clone()),
                });
            }
        } else if let Some(f) = p.command.get("--feature-gates") {
            // A bare name (4.2.11's RotateKubeletServerCertificate) is a feature gate.
            let gates = f.value.clone().unwrap_or_default();
            for kv in gates.split(',') {
                if let Some((k, v)) = kv.split_once('=')
                    && k.trim() == item.flag
                {
                    return Some(Seen {
                        value: canonical_bool(v.trim()),
                        describe: format!("--feature-gates={gates} ({})", f.origin),
                        is_default: false,
                        origin: Some(f.origin.clone()),
                    });
                }
            }
        }
    }
    if let Some(path) = item.path {
        let cfg = match c {
            Component::Kubelet => ctx.kubelet_config,
            Component::Proxy => ctx.facts.proxy_config.as_ref(),
            _ => None,
        };
        if let Some(cfg) = cfg
            && let Some((mut value, pointer)) = jsonpath(&cfg.value, path)
        {
            let mut note = String::new();
            if item.flag == "--streaming-connection-idle-timeout"
                && parse_go_duration(&value) == Some(0.0)
            {
                // The kubelet replaces a zero duration in its config file by its 4h default.
                note = " (a zero duration in the config file is replaced by the 4h default)"
                    .to_string();
                value = "4h0m0s".to_string();
            }
            let key = pointer.trim_start_matches('/').replace('/', ".");
            return Some(Seen {
                origin: Some(cfg.origin(&pointer)),
                describe: format!(
                    "{key}: {} ({}){note}",
                    scalar_text_at(&cfg.value, &pointer),
                    cfg.origin(&pointer)
                ),
                value,
                is_default: false,
            });
        }
    }
    if let (Some(env), Some(p)) = (item.env, p)
        && let Some((v, origin)) = p.env_var(env)
    {
        return Some(Seen {
            value: if is_bool_flag {
                canonical_bool(v)
            } else {
                v.to_string()
            },
            describe: format!("{env}={v} ({origin})"),
            is_default: false,
            origin: Some(origin.clone()),
        });
    }
    // Defaults apply to comparisons only: "is it set?" is a question about the text.
    let has_compare = item.compare.is_some() || !item.set;
    if has_compare && let Some((flag_default, config_default)) = default_for(c, item.flag) {
        let uses_config = c == Component::Kubelet && ctx.kubelet_config.is_some();
        let (v, which) = if uses_config {
            (config_default, "the kubelet's config-file default")
        } else if c == Component::Kubelet {
            (
                flag_default,
                "the kubelet's flag default (no config file in use)",
            )
        } else {
            (flag_default, "the default")
        };
        return Some(Seen {
            value: v.to_string(),
            describe: format!("{} not set; {which} is {v}", item.flag),
            is_default: true,
            origin: where_to_set(ctx, c, p, item),
        });
    }
    None
}

/// Where an unset item would be written: the kubelet's (or kube-proxy's) config file
/// when the item has a config key and one is in use, else the component's command line
/// (the manifest line of its first `command:` word, the unit's `ExecStart=` line, or
/// `/proc/PID/cmdline`).
fn where_to_set(ctx: &Ctx, c: Component, p: Option<&Process>, item: &Item) -> Option<Origin> {
    if item.path.is_some() {
        let cfg = match c {
            Component::Kubelet => ctx.kubelet_config,
            Component::Proxy => ctx.facts.proxy_config.as_ref(),
            _ => None,
        };
        if let Some(cfg) = cfg {
            return Some(Origin::file(cfg.path.clone()));
        }
    }
    process_origin(p)
}

/// Where a component's command line starts.
fn process_origin(p: Option<&Process>) -> Option<Origin> {
    p.and_then(|p| p.command.words.first())
        .map(|w| w.origin.clone())
}

fn scalar_text_at(v: &Value, pointer: &str) -> String {
    match v.pointer(pointer) {
        Some(Value::Array(a)) => a.iter().map(scalar_text).collect::<Vec<_>>().join(","),
        Some(x) => scalar_text(x),
        None => String::new(),
    }
}

/// The components kube-bench's `config.yaml` requires for a target (the optional ones,
/// etcd and kubelet on master and kube-proxy on node, fall back to their names).
fn required_components(t: Target) -> &'static [Component] {
    match t {
        Target::Master => &[
            Component::ApiServer,
            Component::Scheduler,
            Component::ControllerManager,
        ],
        Target::Etcd => &[Component::Etcd],
        Target::ControlPlane => &[Component::ApiServer],
        Target::Node => &[Component::Kubelet],
        Target::Policies => &[],
    }
}

/// When a required component of the target is not found, kube-bench substitutes no
/// binary name at all, every command-line audit of the target fails, and so does the
/// check (FAIL when scored, WARN otherwise). kspect reports the same: nothing can be
/// audited, and assuming the component's defaults would pass checks on a node that
/// does not run it.
fn missing_component(ctx: &Ctx, def: &CheckDef) -> Option<Verdicts> {
    let missing: Vec<&str> = required_components(def.target)
        .iter()
        .filter(|c| ctx.facts.process(**c).is_none())
        .map(|c| c.binary())
        .collect();
    if missing.is_empty() {
        return None;
    }
    Some(Verdicts {
        kspect: false,
        kube_bench: false,
        evidence: format!(
            "{} not found on this node (no process, static pod manifest or systemd unit): the command line cannot be audited",
            missing.join(", ")
        ),
        audit: format!(
            "{} target: required component {} not found",
            def.target.name(),
            missing.join(", ")
        ),
        actual: String::new(),
        why: Some(format!(
            "kube-bench fails every command-line audit of the {} target when a required component is not running (it substitutes no binary name), and kspect does the same",
            def.target.name()
        )),
        sources: Vec::new(),
    })
}

fn flag_check(ctx: &Ctx, def: &CheckDef, c: Component) -> Verdicts {
    if let Some(v) = missing_component(ctx, def) {
        return v;
    }
    let p = ctx.facts.process(c);
    let ps = kube_bench_ps(ctx, c);
    let mut kb_verdicts = Vec::new();
    let mut ks_verdicts = Vec::new();
    let mut evidence = Vec::new();
    let mut why = Vec::new();
    let mut seen_any_default = false;
    let mut described = std::collections::HashSet::new();
    // (passes, origin) per item, to put the deciding places first.
    let mut origins: Vec<(bool, Option<Origin>)> = Vec::new();
    for item in def.items {
        let kb = kube_bench_lookup(ctx, c, &ps, item);
        let ks = kspect_lookup(ctx, c, p, item);
        kb_verdicts.push(kbtest::item_passes(item, kb.as_deref()));
        let ks_pass = match &ks {
            // A default stands for "not written": it decides comparisons, and makes
            // "must be absent" items moot (the comparison item decides instead).
            Some(s) if s.is_default && !item.set => false,
            Some(s) => kbtest::item_passes(item, Some(&s.value)),
            None => kbtest::item_passes(item, None),
        };
        ks_verdicts.push(ks_pass);
        origins.push((
            ks_pass,
            match &ks {
                Some(s) => s.origin.clone(),
                None => where_to_set(ctx, c, p, item),
            },
        ));
        let line = match &ks {
            Some(s) => {
                seen_any_default |= s.is_default;
                s.describe.clone()
            }
            None => format!("{} not set", item.flag),
        };
        if described.insert(line.clone()) {
            evidence.push(line);
        }
        let ks_value = ks
            .as_ref()
            .filter(|s| !s.is_default)
            .map(|s| s.value.as_str());
        if kb.as_deref() != ks_value && !(kb.is_none() && ks_value.is_none()) {
            let kb_text = match &kb {
                Some(v) => format!("reads {} as {v:?}", item.flag),
                None => format!("does not find {}", item.flag),
            };
            let why_text = match ks_value {
                Some("0") if item.flag == "--streaming-connection-idle-timeout" => format!(
                    "{kb_text} and compares the text with \"0\"; it is a zero duration, which disables the idle timeout"
                ),
                Some(v) => format!("{kb_text}, but the component reads {v:?}"),
                None => format!("{kb_text}, but it is not set where the component reads it"),
            };
            if !why.contains(&why_text) {
                why.push(why_text);
            }
        }
    }
    let mut kspect = kbtest::combine(def.bin_op, &ks_verdicts);
    let kube_bench = kbtest::combine(def.bin_op, &kb_verdicts);
    if seen_any_default && kspect != kube_bench {
        why.push(
            "it only sees what is written and never applies the component's default".to_string(),
        );
    }
    // Values that pass kube-bench's test but defeat the recommendation.
    let value_of = |flag: &str| -> Option<String> {
        def.items
            .iter()
            .find(|i| i.flag == flag)
            .and_then(|i| kspect_lookup(ctx, c, p, i))
            .filter(|s| !s.is_default)
            .map(|s| s.value)
    };
    let event_qps_zero =
        || value_of("--event-qps").and_then(|v| v.parse::<f64>().ok()) == Some(0.0);
    let pid_limit = || value_of("--pod-max-pids").and_then(|v| v.parse::<i64>().ok());
    let seccomp_off = || {
        value_of("--seccomp-default")
            .map(|v| canonical_bool(&v))
            .as_deref()
            == Some("false")
    };
    match def.id {
        "4.2.8" if event_qps_zero() => {
            kspect = false;
            why.push("eventRecordQPS 0 removes the rate limit, which lets event floods overload the kubelet".to_string());
        }
        "4.2.13" => {
            if let Some(v) = pid_limit().filter(|v| *v <= 0) {
                kspect = false;
                why.push(format!(
                    "podPidsLimit {v} sets no limit (only a positive value limits PIDs)"
                ));
            }
        }
        "4.2.14" if seccomp_off() => {
            kspect = false;
            why.push("seccompDefault false is written but leaves RuntimeDefault off".to_string());
        }
        _ => {}
    }
    let mut audit = match p {
        Some(p) => format!("{} command line from {}", c.binary(), p.source),
        None => format!(
            "{} not found on this node (no process, static pod manifest or systemd unit)",
            c.binary()
        ),
    };
    if def.items.iter().any(|i| i.path.is_some()) {
        match (c, ctx.kubelet_config, &ctx.facts.proxy_config) {
            (Component::Kubelet, Some(cfg), _) => {
                audit.push_str(&format!("; config file {} ({})", cfg.path, cfg.found_by))
            }
            (Component::Kubelet, None, _) => {
                audit.push_str("; no kubelet config file in use");
                if let Some(kb) = &ctx.kb_kubelet_config {
                    audit.push_str(&format!(
                        " (kube-bench would read {}, which the kubelet does not load)",
                        kb.path
                    ));
                }
            }
            (Component::Proxy, _, Some(cfg)) => {
                audit.push_str(&format!("; config file {}", cfg.path))
            }
            _ => {}
        }
    }
    if p.is_none() {
        evidence.insert(0, format!("{} not found", c.binary()));
        if c == Component::Proxy && why.is_empty() {
            why.push("kube-proxy usually runs as a DaemonSet configured by the kube-proxy ConfigMap, which a node's files do not show; the result assumes its defaults".to_string());
        }
    }
    // A failed check points at the items that fail it; a passed one at every item.
    let mut sources: Vec<Origin> = Vec::new();
    if !kspect {
        sources.extend(
            origins
                .iter()
                .filter(|(ok, _)| !ok)
                .filter_map(|(_, o)| o.clone()),
        );
    }
    sources.extend(origins.into_iter().filter_map(|(_, o)| o));
    Verdicts {
        kspect,
        kube_bench,
        evidence: evidence.join("; "),
        audit,
        actual: ps,
        why: (!why.is_empty()).then(|| why.join("; ")),
        sources,
    }
}

// ---------------------------------------------------------------------------------------
// File checks

/// The files a check looks at, for kspect and for kube-bench.
struct Picked {
    kspect: Vec<String>,
    kube_bench: Vec<String>,
    /// Why kspect's pick differs (when it does).
    why: Option<String>,
}

fn first_existing(ctx: &Ctx, candidates: &[&str]) -> Option<String> {
    candidates
        .iter()
        .find(|p| ctx.fs().exists(p))
        .map(|p| p.to_string())
}

fn flag_path(p: Option<&Process>, flag: &str) -> Option<String> {
    p.and_then(|p| p.command.get(flag))
        .and_then(|f| f.value.clone())
}

fn pick(ctx: &Ctx, files: Files) -> Picked {
    let fs = ctx.fs();
    let exists = |p: &String| fs.exists(p);
    let same = |v: Vec<String>| Picked {
        kspect: v.clone(),
        kube_bench: v,
        why: None,
    };
    match files {
        Files::Conf(c) => {
            let base = format!("/etc/kubernetes/manifests/{}", c.binary());
            let cands = [
                format!("{base}.yaml"),
                format!("{base}.yml"),
                format!("{base}.manifest"),
            ];
            same(
                cands
                    .into_iter()
                    .find(|p| fs.exists(p))
                    .into_iter()
                    .collect(),
            )
        }
        Files::EtcdConf => {
            let conf = first_existing(
                ctx,
                &[
                    "/etc/kubernetes/manifests/etcd.yaml",
                    "/etc/kubernetes/manifests/etcd.yml",
                    "/etc/kubernetes/manifests/etcd.manifest",
                    "/etc/etcd/etcd.conf",
                    "/var/snap/etcd/common/etcd.conf.yml",
                    "/var/snap/etcd/common/etcd.conf.yaml",
                    "/usr/lib/systemd/system/etcd.service",
                ],
            );
            let mut out = Vec::new();
            if let Some(conf) = conf {
                let mut all = vec![conf.clone()];
                all.extend(fs.walk(&conf));
                out = all
                    .into_iter()
                    .filter(|p| p.rsplit('/').next().is_some_and(|n| n.contains("etcd")))
                    .collect();
            }
            same(out)
        }
        Files::Cni => {
            let kubelet = ctx.facts.process(Component::Kubelet);
            let mut kb = Vec::new();
            if let Some(dir) = flag_path(kubelet, "--cni-conf-dir") {
                kb.extend(fs.walk(&dir));
            }
            let ipam: Vec<String> = fs
                .walk("/var/lib/cni/networks")
                .into_iter()
                .filter(|p| {
                    fs.stat(p)
                        .is_ok_and(|m| m.kind == crate::fs::FileKind::File)
                })
                .collect();
            kb.extend(ipam.iter().cloned());
            let mut ks = kb.clone();
            let conf: Vec<String> = fs
                .walk("/etc/cni/net.d")
                .into_iter()
                .filter(|p| {
                    fs.stat(p)
                        .is_ok_and(|m| m.kind == crate::fs::FileKind::File)
                })
                .filter(|p| !ks.contains(p))
                .collect();
            let why = (!conf.is_empty()).then(|| {
                "it never examines /etc/cni/net.d (the default CNI configuration directory), whose files kspect includes".to_string()
            });
            ks.extend(conf);
            Picked {
                kspect: ks,
                kube_bench: kb,
                why,
            }
        }
        Files::EtcdDataDir => {
            let etcd = ctx.facts.process(Component::Etcd);
            let from_flag = flag_path(etcd, "--data-dir")
                .or_else(|| {
                    etcd.and_then(|p| p.env_var("ETCD_DATA_DIR"))
                        .map(|(v, _)| v.to_string())
                })
                .filter(|d| fs.stat(d).is_ok_and(|m| m.kind == crate::fs::FileKind::Dir));
            let dir = from_flag.unwrap_or_else(|| {
                first_existing(
                    ctx,
                    &[
                        "/var/lib/etcd/default.etcd",
                        "/var/lib/etcd/data.etcd",
                        "/var/lib/rancher/k3s/server/db/etcd",
                    ],
                )
                .unwrap_or_else(|| "/var/lib/etcd/default.etcd".to_string())
            });
            // kube-bench stats the directory even when missing (the error text fails the test).
            same(vec![dir])
        }
        Files::AdminConfs => same(
            [
                "/etc/kubernetes/admin.conf",
                "/etc/kubernetes/super-admin.conf",
            ]
            .iter()
            .map(|s| s.to_string())
            .filter(exists)
            .collect(),
        ),
        Files::Kubeconfig(c) => {
            let cands: &[&str] = match c {
                Component::Scheduler => &[
                    "/etc/kubernetes/scheduler.conf",
                    "/var/lib/kube-scheduler/kubeconfig",
                    "/var/lib/kube-scheduler/config.yaml",
                ],
                Component::ControllerManager => &[
                    "/etc/kubernetes/controller-manager.conf",
                    "/var/lib/kube-controller-manager/kubeconfig",
                ],
                _ => &[
                    "/etc/kubernetes/kubelet.conf",
                    "/etc/kubernetes/kubelet-kubeconfig.conf",
                    "/var/lib/kubelet/kubeconfig",
                    "/etc/kubernetes/kubelet-kubeconfig",
                    "/etc/kubernetes/kubelet/kubeconfig",
                    "/etc/kubernetes/ssl/kubecfg-kube-node.yaml",
                    "/etc/kubernetes/kubeconfig-kubelet",
                ],
            };
            let kb: Vec<String> = first_existing(ctx, cands).into_iter().collect();
            let flagged = flag_path(ctx.facts.process(c), "--kubeconfig").filter(|p| fs.exists(p));
            match flagged {
                Some(f) if !kb.contains(&f) => Picked {
                    why: Some(format!(
                        "{} reads its kubeconfig from {f} (--kubeconfig); kube-bench looks at {}",
                        c.binary(),
                        kb.first()
                            .map(String::as_str)
                            .unwrap_or("its default path, which does not exist")
                    )),
                    kspect: vec![f],
                    kube_bench: kb,
                },
                _ => same(kb),
            }
        }
        Files::Pki => {
            let root = "/etc/kubernetes/pki";
            let mut all = Vec::new();
            if fs.exists(root) {
                all.push(root.to_string());
                all.extend(fs.walk(root));
            }
            same(all)
        }
        Files::PkiCerts | Files::PkiKeys => {
            let suffix = if files == Files::PkiCerts {
                ".crt"
            } else {
                ".key"
            };
            same(
                fs.walk("/etc/kubernetes/pki")
                    .into_iter()
                    .filter(|p| p.ends_with(suffix))
                    .collect(),
            )
        }
        Files::KubeletService => {
            let kb: Vec<String> = first_existing(
                ctx,
                &[
                    "/etc/systemd/system/kubelet.service.d/10-kubeadm.conf",
                    "/etc/systemd/system/kubelet.service",
                    "/lib/systemd/system/kubelet.service",
                ],
            )
            .into_iter()
            .collect();
            let ks = ctx.facts.kubelet_unit.all();
            let why = (ks != kb && !ks.is_empty()).then(|| {
                format!(
                    "the kubelet unit is made of {}; kube-bench audits only {}",
                    ks.join(", "),
                    kb.first()
                        .map(String::as_str)
                        .unwrap_or("the first of its fixed candidate paths (none exists)")
                )
            });
            Picked {
                kspect: ks,
                kube_bench: kb,
                why,
            }
        }
        Files::ProxyKubeconfig => {
            let kb: Vec<String> = first_existing(
                ctx,
                &[
                    "/etc/kubernetes/kubelet-kubeconfig",
                    "/etc/kubernetes/kubelet-kubeconfig.conf",
                    "/etc/kubernetes/kubelet/config",
                    "/etc/kubernetes/ssl/kubecfg-kube-proxy.yaml",
                    "/var/lib/kubelet/kubeconfig",
                    "/etc/kubernetes/proxy.conf",
                ],
            )
            .into_iter()
            .collect();
            let proxy = ctx.facts.process(Component::Proxy);
            let own = flag_path(proxy, "--kubeconfig").or_else(|| {
                ctx.facts
                    .proxy_config
                    .as_ref()
                    .and_then(|c| c.value.pointer("/clientConnection/kubeconfig"))
                    .and_then(Value::as_str)
                    .map(str::to_string)
            });
            let ks: Vec<String> = match own {
                Some(p) => vec![p].into_iter().filter(exists).collect(),
                None => first_existing(
                    ctx,
                    &[
                        "/etc/kubernetes/proxy.conf",
                        "/etc/kubernetes/ssl/kubecfg-kube-proxy.yaml",
                    ],
                )
                .into_iter()
                .collect(),
            };
            Picked {
                why: (ks != kb).then(|| "kspect looks only at kube-proxy's own kubeconfig (--kubeconfig or clientConnection.kubeconfig); kube-bench's candidates include kubelet files".to_string()),
                kspect: ks,
                kube_bench: kb,
            }
        }
        Files::KubeletClientCa => {
            let kubelet = ctx.facts.process(Component::Kubelet);
            let cands = [
                "/etc/kubernetes/pki/ca.crt",
                "/etc/kubernetes/certs/ca.crt",
                "/etc/kubernetes/cert/ca.pem",
            ];
            let flag = flag_path(kubelet, "--client-ca-file");
            let kb_path = flag
                .clone()
                .or_else(|| first_existing(ctx, &cands))
                .unwrap_or_else(|| "/etc/kubernetes/pki/ca.crt".to_string());
            let kb: Vec<String> = Some(kb_path).filter(exists).into_iter().collect();
            let from_config = ctx
                .kubelet_config
                .and_then(|c| c.value.pointer("/authentication/x509/clientCAFile"))
                .and_then(Value::as_str)
                .map(str::to_string);
            let ks_path = flag
                .or(from_config.clone())
                .or_else(|| first_existing(ctx, &cands));
            let ks: Vec<String> = ks_path.filter(exists).into_iter().collect();
            Picked {
                why: (ks != kb).then(|| {
                    format!(
                        "the kubelet's client CA is {} (authentication.x509.clientCAFile); kube-bench does not read the config file and looks at {}",
                        from_config.as_deref().unwrap_or("-"),
                        kb.first().map(String::as_str).unwrap_or("a default path that does not exist")
                    )
                }),
                kspect: ks,
                kube_bench: kb,
            }
        }
        Files::KubeletConfig => {
            let kb: Vec<String> = first_existing(ctx, KUBE_BENCH_KUBELET_CONFS)
                .into_iter()
                .collect();
            let ks: Vec<String> = match ctx.kubelet_config {
                Some(c) => vec![c.path.clone()],
                None => first_existing(ctx, KUBELET_CONFIG_CANDIDATES)
                    .into_iter()
                    .collect(),
            };
            Picked {
                why: (ks != kb).then(|| "kspect checks the file named by the kubelet's --config flag; kube-bench the first of its candidate paths".to_string()),
                kspect: ks,
                kube_bench: kb,
            }
        }
    }
}

/// The `stat` lines kube-bench's audit prints for `paths`.
fn stat_lines(ctx: &Ctx, def: &CheckDef, files: Files, paths: &[String]) -> Vec<String> {
    let is_mode = matches!(def.audit, Audit::Mode(_));
    paths
        .iter()
        .map(|p| match ctx.fs().stat(p) {
            Ok(m) => match (is_mode, files) {
                (true, Files::AdminConfs) => format!("permissions={} {p}", m.mode_text()),
                (false, Files::AdminConfs) => format!("ownership={} {p}", m.ownership()),
                (true, _) => format!("permissions={}", m.mode_text()),
                (false, _) => m.ownership(),
            },
            Err(e) => format!("stat: cannot stat '{p}': {e}"),
        })
        .collect()
}

fn evaluate_lines(def: &CheckDef, lines: &[String]) -> bool {
    let one = |text: &str| {
        let v: Vec<bool> = def
            .items
            .iter()
            .map(|i| kbtest::item_passes(i, kbtest::find_value(text, i.flag).as_deref()))
            .collect();
        kbtest::combine(def.bin_op, &v)
    };
    if def.multiple {
        !lines.is_empty() && lines.iter().all(|l| one(l))
    } else {
        one(&lines.join("\n"))
    }
}

fn file_check(ctx: &Ctx, def: &CheckDef, files: Files) -> Verdicts {
    let picked = pick(ctx, files);
    let mut ks_lines = stat_lines(ctx, def, files, &picked.kspect);
    let mut kb_lines = stat_lines(ctx, def, files, &picked.kube_bench);
    // 4.1.2 prints "File not found" when the unit is missing.
    if files == Files::KubeletService && matches!(def.audit, Audit::Owner(_)) {
        if kb_lines.is_empty() {
            kb_lines.push("File not found".to_string());
        }
        if ks_lines.is_empty() {
            ks_lines.push("File not found".to_string());
        }
    }
    let kube_bench = evaluate_lines(def, &kb_lines);
    // kspect judges every file of a multi-file set (the kubelet unit and its drop-ins).
    let mut kspect = if files == Files::KubeletService && picked.kspect.len() > 1 {
        ks_lines
            .iter()
            .all(|l| evaluate_lines(def, std::slice::from_ref(l)))
    } else {
        evaluate_lines(def, &ks_lines)
    };
    let mut why = picked.why.clone();
    // CHECKS.md: "missing → WARN". kube-bench's audit prints nothing and the test
    // fails; the check is manual, so WARN asks a person to look where the kubeconfig
    // really is (kubeadm keeps it in the kube-proxy ConfigMap).
    if files == Files::ProxyKubeconfig && picked.kspect.is_empty() {
        kspect = false;
        why = Some(
            "no kube-proxy kubeconfig file exists on this node (kubeadm keeps it in the kube-proxy ConfigMap, mounted into the kube-proxy pod), so there is no file to check; reported WARN as kube-bench does".to_string(),
        );
    }
    let evidence = if picked.kspect.is_empty() {
        match files {
            Files::Cni => "no CNI configuration or IPAM files found".to_string(),
            Files::KubeletService => "no kubelet systemd unit found".to_string(),
            Files::Pki => "/etc/kubernetes/pki does not exist".to_string(),
            Files::PkiCerts => "no *.crt file below /etc/kubernetes/pki".to_string(),
            Files::PkiKeys => "no *.key file below /etc/kubernetes/pki".to_string(),
            _ => "file not found".to_string(),
        }
    } else {
        let is_mode = matches!(def.audit, Audit::Mode(_));
        picked
            .kspect
            .iter()
            .map(|p| match ctx.fs().stat(p) {
                Ok(m) if is_mode => format!("{p}: mode {}", m.mode_text()),
                Ok(m) => format!("{p}: owner {}", m.ownership()),
                Err(e) => format!("{p}: {e}"),
            })
            .collect::<Vec<_>>()
            .join("; ")
    };
    // The files that fail the test first, then every file looked at; a missing static
    // pod manifest points at the path the kubelet would read it from.
    let mut sources: Vec<Origin> = Vec::new();
    if !kspect {
        sources.extend(
            picked
                .kspect
                .iter()
                .filter(|p| {
                    !evaluate_lines(def, &stat_lines(ctx, def, files, std::slice::from_ref(p)))
                })
                .map(Origin::file),
        );
    }
    sources.extend(picked.kspect.iter().map(Origin::file));
    if let (true, Files::Conf(c)) = (picked.kspect.is_empty(), files) {
        sources.push(Origin::file(format!(
            "{}/{}.yaml",
            crate::facts::MANIFEST_DIR,
            c.binary()
        )));
    }
    let audit = match files {
        Files::Conf(c) => format!("stat of {}'s static pod manifest", c.binary()),
        _ => format!(
            "stat of {}",
            if picked.kspect.is_empty() {
                "nothing (no file found)".to_string()
            } else {
                picked.kspect.join(", ")
            }
        ),
    };
    Verdicts {
        kspect,
        kube_bench,
        evidence,
        audit,
        actual: kb_lines.join("\n"),
        why,
        sources,
    }
}

// ---------------------------------------------------------------------------------------
// 1.2.28

fn encryption_check(ctx: &Ctx, def: &CheckDef) -> Verdicts {
    if let Some(v) = missing_component(ctx, def) {
        return v;
    }
    let api = ctx.facts.process(Component::ApiServer);
    let path = flag_path(api, "--encryption-provider-config");
    let text = path.as_deref().and_then(|p| ctx.fs().read_text(p));
    let allowed = match def.items.first().and_then(|i| i.compare) {
        Some((Op::ValidElements, v)) => v,
        _ => "aescbc,kms,secretbox",
    };
    // kube-bench: the first word on the line after the first `providers:`.
    let kb_value = text.as_deref().and_then(|t| {
        let mut lines = t.lines().skip_while(|l| !l.contains("providers:"));
        lines.next()?;
        let next = lines.next()?;
        let word: String = next
            .chars()
            .skip_while(|c| !c.is_ascii_alphabetic())
            .take_while(|c| c.is_ascii_alphabetic())
            .collect();
        (!word.is_empty()).then_some(word)
    });
    let kube_bench = kb_value
        .as_deref()
        .is_some_and(|v| kbtest::valid_elements(v, allowed));
    // kspect: the provider that writes Secrets is the first one of the resource entry
    // covering `secrets` (or a wildcard).
    let mut evidence = match &path {
        None => "--encryption-provider-config not set: Secrets are stored unencrypted in etcd"
            .to_string(),
        Some(p) if text.is_none() => {
            format!("--encryption-provider-config={p}, but the file cannot be read")
        }
        Some(_) => String::new(),
    };
    let mut kspect = false;
    // The flag's place on the command line, then the provider entry in the file.
    let mut sources: Vec<Origin> = Vec::new();
    match api.and_then(|a| a.command.get("--encryption-provider-config")) {
        Some(f) => sources.push(f.origin.clone()),
        None => sources.extend(process_origin(api)),
    }
    if let (Some(p), Some(t)) = (&path, &text) {
        match kspect_core::yaml::parse_document(t, 0) {
            Ok(Some(doc)) => {
                let position = doc
                    .value
                    .get("resources")
                    .and_then(Value::as_array)
                    .and_then(|rs| {
                        rs.iter().position(|r| {
                            r.get("resources")
                                .and_then(Value::as_array)
                                .is_some_and(|names| {
                                    names.iter().any(|n| {
                                        matches!(n.as_str(), Some("secrets" | "*.*" | "*."))
                                    })
                                })
                        })
                    });
                let entry = position.and_then(|i| doc.value.pointer(&format!("/resources/{i}")));
                let at = position
                    .and_then(|i| doc.index.get(&format!("/resources/{i}/providers/0")))
                    .map(|pos| Origin::at(p.clone(), pos.line))
                    .unwrap_or_else(|| Origin::file(p.clone()));
                sources.insert(0, at);
                let first = entry
                    .and_then(|e| e.get("providers"))
                    .and_then(Value::as_array)
                    .and_then(|ps| ps.first())
                    .and_then(Value::as_object)
                    .and_then(|o| o.keys().next().cloned());
                match first {
                    Some(name) => {
                        kspect = kbtest::valid_elements(&name, allowed);
                        evidence = format!(
                            "{p}: Secrets are written with the {name} provider (first in the list)"
                        );
                    }
                    None => evidence = format!("{p}: no provider covers secrets"),
                }
            }
            Ok(None) => evidence = format!("{p}: empty"),
            Err(e) => evidence = format!("{p}:{}: {e}", e.pos.line),
        }
    }
    Verdicts {
        kspect,
        kube_bench,
        why: (kspect != kube_bench).then(|| {
            format!(
                "it reads only the first provider after the first `providers:` line ({}), not the provider list for secrets",
                kb_value.as_deref().unwrap_or("nothing")
            )
        }),
        evidence,
        audit: format!("the EncryptionConfiguration named by --encryption-provider-config{}", path.map(|p| format!(" ({p})")).unwrap_or_default()),
        actual: kb_value.map(|v| format!("provider={v}")).unwrap_or_default(),
        sources,
    }
}

/// The check's remediation, led by the exact change its test wants for flag checks.
fn remediation_for(def: &CheckDef) -> String {
    let Audit::Flags(_) = def.audit else {
        return def.remediation.to_string();
    };
    let Some(item) = def.items.iter().find(|i| i.set) else {
        return match def.items.first() {
            Some(i) => format!("Remove {}. {}", i.flag, def.remediation),
            None => def.remediation.to_string(),
        };
    };
    let key = item
        .path
        .filter(|p| p.starts_with("{."))
        .map(|p| {
            format!(
                " (config file: {})",
                p.trim_start_matches("{.").trim_end_matches('}')
            )
        })
        .unwrap_or_default();
    let action = match item.compare {
        None => {
            let all: Vec<&str> = def.items.iter().filter(|i| i.set).map(|i| i.flag).collect();
            format!("Set {}{key}", all.join(" and "))
        }
        Some((Op::Eq, v)) => format!("Set {}={v}{key}", item.flag),
        Some((Op::NotEq, v)) => format!("Set {} to a value other than {v}{key}", item.flag),
        Some((Op::Gte, v)) => format!("Set {} to {v} or more{key}", item.flag),
        Some((Op::Has, v)) => format!("Include {v} in {}{key}", item.flag),
        Some((Op::NotHave, v)) => format!("Remove {v} from {}{key}", item.flag),
        Some((Op::ValidElements, v)) => format!("Set {} to a subset of {v}{key}", item.flag),
        Some((Op::Bitmask, v)) => format!("Set mode {v} or stricter"),
    };
    format!("{action}. {}", def.remediation)
}
