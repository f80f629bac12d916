//! `kspect rbac ...`: RBAC questions answered offline, exactly as the API server's RBAC
//! authorizer would answer them, over the same inputs as every command (`-f PATH...`).
//!
//! | command | what it prints |
//! | --- | --- |
//! | `can-i VERB TYPE[/NAME] \| /URL --as U` | `yes` / `no` like `kubectl auth can-i` (exit 0 / 1); `--format json` adds the granting binding, role and rule |
//! | `review SAR.json` | the SubjectAccessReview with `status` filled, as the API server returns it |
//! | `list --as U [-n NS]` | the `kubectl auth can-i --list` table |
//! | `who-can VERB TYPE [NAME]` | every subject that may, with the binding chain (`kubectl-who-can` layout) |
//! | `risks` | the risky grants of `RISKS.md` as findings (table, json, sarif, junit) |
//! | `paths [--from S \| --from-pod NS/POD]` | privilege-escalation paths to cluster-admin-equivalent power, step by step (table, json, dot) |
//!
//! The engine is `kspect-rbac`; this module only loads the input, builds the request
//! the way kubectl would, and prints. It also owns the KSP2xx rule table, because a
//! rule's documentation belongs to the binary's catalogue (`kspect rules`, `kspect
//! explain`), while the engine stays free of the core object model.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use clap::{ArgAction, Args, Subcommand, ValueEnum};
use kspect_core::finding::sort_findings;
use kspect_core::load::DiagnosticLevel;
use kspect_core::{Finding, Inventory, Location, Reference, Rule, Severity, suppress};
use kspect_rbac::request::{ResourceAttributes, UserInfo};
use kspect_rbac::{
    Attributes, BindingKind, Decision, ModelOptions, RbacModel, Request, ResourceTarget,
    RiskFinding, RiskOptions, SourceRef, Subject, WhoCanEntry, WhoCanVia,
};
use kspect_rbac::{EscalationPath, PathOptions, Principal, render_dot};
use kspect_report::{Format, RenderOptions, Report};
use serde_json::{Value, json};

use crate::cli::OutputArgs;
use crate::context;

/// kubectl's namespace when the kubeconfig context names none; offline there is no
/// context, so this is what `kubectl auth can-i` would send.
const DEFAULT_NAMESPACE: &str = "default";

/// Verbs `kubectl auth can-i` knows for resources (others get a warning, as in kubectl).
const RESOURCE_VERBS: &[&str] = &[
    "get",
    "list",
    "watch",
    "create",
    "update",
    "patch",
    "delete",
    "deletecollection",
    "use",
    "bind",
    "impersonate",
    "*",
    "approve",
    "sign",
    "escalate",
    "attest",
];

/// Verbs `kubectl auth can-i` knows for non-resource URLs.
const NON_RESOURCE_VERBS: &[&str] = &[
    "get", "put", "post", "head", "options", "delete", "patch", "*",
];

// ---------------------------------------------------------------------------------
// Command line
// ---------------------------------------------------------------------------------

/// `kspect rbac`.
#[derive(Debug, Args)]
pub struct RbacArgs {
    /// The RBAC question.
    #[command(subcommand)]
    pub command: RbacCommand,
}

/// The RBAC subcommands.
#[derive(Debug, Subcommand)]
pub enum RbacCommand {
    /// Check whether an identity may do something: prints `yes` (exit 0) or `no` (exit 1),
    /// like `kubectl auth can-i`.
    CanI(CanIArgs),
    /// Evaluate a SubjectAccessReview (authorization.k8s.io/v1) literally and print it
    /// with `status` filled, as the API server would; exit 0 when allowed, 1 when not.
    Review(ReviewArgs),
    /// The rules that apply to an identity in a namespace: the `kubectl auth can-i
    /// --list` table.
    List(ListArgs),
    /// Every subject that may make a request, with the binding, role and rule that
    /// grant it.
    WhoCan(WhoCanArgs),
    /// Risky grants (cluster-admin to service accounts, secret readers, pod creators,
    /// escalate/bind/impersonate ...) as findings.
    Risks(RisksArgs),
    /// Privilege-escalation paths (create pods -> run as a service account -> its
    /// grants -> ...) to cluster-admin-equivalent power, step by step; exit 1 when a
    /// path is found.
    Paths(PathsArgs),
}

/// The RBAC objects to analyse.
#[derive(Debug, Args, Clone)]
pub struct InputArgs {
    /// Manifests holding the RBAC objects (and service accounts and workloads): files,
    /// directories (searched recursively for .yaml, .yml, .json) or `-` for stdin.
    /// Several may follow one `-f`, or repeat `-f`.
    #[arg(
        short = 'f',
        long = "filename",
        value_name = "PATH",
        required = true,
        num_args = 1..,
        action = ArgAction::Append
    )]
    pub files: Vec<PathBuf>,
    /// Files larger than this many bytes are reported and skipped.
    #[arg(long, value_name = "BYTES", default_value_t = kspect_core::load::DEFAULT_MAX_FILE_SIZE)]
    pub max_file_size: u64,
}

/// Output of the query commands (can-i, list, who-can, review).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum QueryFormat {
    /// The human (kubectl-compatible) text.
    #[value(alias = "text")]
    Table,
    /// JSON.
    Json,
}

/// Who asks: the identity kubectl would build for `--as USER --as-group G...`.
#[derive(Debug, Args, Clone)]
pub struct IdentityArgs {
    /// User name to ask for. `system:serviceaccount:NS:NAME` (without `--as-group`) also
    /// carries `system:serviceaccounts` and `system:serviceaccounts:NS`; every identity
    /// but `system:anonymous` carries `system:authenticated`.
    #[arg(long = "as", value_name = "USER", required = true)]
    pub user: String,
    /// A group of the identity (repeat for several).
    #[arg(long = "as-group", value_name = "GROUP")]
    pub groups: Vec<String>,
}

/// `kspect rbac can-i`.
#[derive(Debug, Args)]
pub struct CanIArgs {
    /// The verb: get, list, watch, create, update, patch, delete, bind, escalate,
    /// impersonate, approve ... (compared exactly, as the API server does).
    #[arg(value_name = "VERB")]
    pub verb: String,
    /// `TYPE[.GROUP][/NAME]` (plural, singular or short name: `pods`, `deploy`,
    /// `deployments.apps/web`) or a non-resource URL starting with `/`.
    #[arg(value_name = "TYPE[/NAME] | URL")]
    pub target: String,
    /// Namespace of the request (default: `default`, as kubectl without a context
    /// namespace).
    #[arg(short = 'n', long, value_name = "NS")]
    pub namespace: Option<String>,
    /// Ask about all namespaces at once (a request without namespace).
    #[arg(short = 'A', long, conflicts_with = "namespace")]
    pub all_namespaces: bool,
    /// Subresource, e.g. `exec`, `log`, `scale`, `status`.
    #[arg(long, value_name = "SUBRESOURCE")]
    pub subresource: Option<String>,
    /// Take `TYPE[.GROUP][/NAME]` exactly as written, as a SubjectAccessReview would
    /// (no lower-casing, no short or singular names).
    #[arg(long)]
    pub exact: bool,
    /// Identity.
    #[command(flatten)]
    pub identity: IdentityArgs,
    /// Also model the authorizer that allows group `system:masters` everything before
    /// RBAC is asked (off: the answer is RBAC's alone).
    #[arg(long)]
    pub privileged_groups: bool,
    /// Output: `table` (yes/no, the default) or `json` (with the granting rules).
    #[arg(long, value_enum, default_value = "table")]
    pub format: QueryFormat,
    /// Write to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Print nothing; only the exit status tells the answer.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Input.
    #[command(flatten)]
    pub input: InputArgs,
}

/// `kspect rbac review`.
#[derive(Debug, Args)]
pub struct ReviewArgs {
    /// The SubjectAccessReview (JSON or YAML), or `-` for stdin.
    #[arg(value_name = "SAR")]
    pub review: PathBuf,
    /// Also model the authorizer that allows group `system:masters` everything.
    #[arg(long)]
    pub privileged_groups: bool,
    /// Write to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Input.
    #[command(flatten)]
    pub input: InputArgs,
}

/// `kspect rbac list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Namespace whose RoleBindings count too (default: `default`).
    #[arg(short = 'n', long, value_name = "NS")]
    pub namespace: Option<String>,
    /// Identity.
    #[command(flatten)]
    pub identity: IdentityArgs,
    /// Print the rows without the header line.
    #[arg(long)]
    pub no_headers: bool,
    /// Output: `table` (kubectl's) or `json`.
    #[arg(long, value_enum, default_value = "table")]
    pub format: QueryFormat,
    /// Write to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Input.
    #[command(flatten)]
    pub input: InputArgs,
}

/// `kspect rbac who-can`.
#[derive(Debug, Args)]
pub struct WhoCanArgs {
    /// The verb (compared exactly: `*` only finds rules whose verbs hold `*`).
    #[arg(value_name = "VERB")]
    pub verb: String,
    /// `TYPE[.GROUP][/NAME]` or a non-resource URL starting with `/`.
    #[arg(value_name = "TYPE[/NAME] | URL")]
    pub target: String,
    /// Object name (same as `TYPE/NAME`).
    #[arg(value_name = "NAME")]
    pub name: Option<String>,
    /// Namespace of the request (default: `default` for namespaced types, none for
    /// cluster-scoped ones). `-n ''` asks about a request without namespace, where only
    /// ClusterRoleBindings count.
    #[arg(short = 'n', long, value_name = "NS")]
    pub namespace: Option<String>,
    /// Subjects that may do it in any namespace: ClusterRoleBindings plus the
    /// RoleBindings of every namespace.
    #[arg(short = 'A', long, conflicts_with = "namespace")]
    pub all_namespaces: bool,
    /// Subresource, e.g. `exec`.
    #[arg(long, value_name = "SUBRESOURCE")]
    pub subresource: Option<String>,
    /// Take `TYPE[.GROUP][/NAME]` exactly as written, as a SubjectAccessReview would
    /// (no lower-casing, no short or singular names).
    #[arg(long)]
    pub exact: bool,
    /// A user name the API server treats as allowed everything (its legacy
    /// `--authorization-rbac-super-user` setting); listed after `system:masters`.
    #[arg(long, value_name = "USER")]
    pub super_user: Option<String>,
    /// Output: `table` (the kubectl-who-can layout) or `json` (with roles, rules and
    /// the workloads that run as each subject).
    #[arg(long, value_enum, default_value = "table")]
    pub format: QueryFormat,
    /// Write to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Input.
    #[command(flatten)]
    pub input: InputArgs,
}

/// `kspect rbac risks`.
#[derive(Debug, Args)]
pub struct RisksArgs {
    /// Manifests: files, directories or `-` (several may follow one `-f`, or repeat it).
    #[arg(
        short = 'f',
        long = "filename",
        value_name = "PATH",
        required = true,
        num_args = 1..,
        action = ArgAction::Append
    )]
    pub files: Vec<PathBuf>,
    /// Also report the grants of the default (bootstrap) policy to system identities.
    #[arg(long)]
    pub include_defaults: bool,
    /// Output and exit-code options.
    #[command(flatten)]
    pub out: OutputArgs,
}

/// Output of `kspect rbac paths`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PathsFormat {
    /// Each path, step by step, with the grants behind every step.
    #[value(alias = "text")]
    Table,
    /// JSON: `{"paths": [{"start", "steps": [...]}]}`.
    Json,
    /// A Graphviz digraph of every path.
    Dot,
}

/// `kspect rbac paths`.
#[derive(Debug, Args)]
pub struct PathsArgs {
    /// Start from one identity: `system:serviceaccount:NS:NAME`,
    /// `serviceaccount:NS/NAME`, `group:NAME`, `user:NAME` or a plain user name.
    /// Default: every subject named in a binding.
    #[arg(long, value_name = "SUBJECT", conflicts_with = "from_pod")]
    pub from: Option<String>,
    /// Start from the service account that pod NS/POD runs as.
    #[arg(long, value_name = "NS/POD")]
    pub from_pod: Option<String>,
    /// Also start from system identities bound only by the default (bootstrap) policy.
    #[arg(long)]
    pub include_defaults: bool,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: PathsFormat,
    /// Write to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Input.
    #[command(flatten)]
    pub input: InputArgs,
}

/// Runs one `kspect rbac` command; the result is the exit status.
pub fn run(args: RbacArgs) -> anyhow::Result<u8> {
    match args.command {
        RbacCommand::CanI(a) => can_i(a),
        RbacCommand::Review(a) => review(a),
        RbacCommand::List(a) => list(a),
        RbacCommand::WhoCan(a) => who_can(a),
        RbacCommand::Risks(a) => risks(a),
        RbacCommand::Paths(a) => paths(a),
    }
}

// ---------------------------------------------------------------------------------
// Input
// ---------------------------------------------------------------------------------

/// The common output options for the query commands, so that loading and writing go
/// through the same helpers as every other command.
fn output_args(input: &InputArgs, output: Option<PathBuf>, quiet: bool) -> OutputArgs {
    OutputArgs {
        format: "table".into(),
        output,
        fail_on: Severity::Low,
        config: None,
        quiet,
        no_color: true,
        max_file_size: input.max_file_size,
    }
}

/// The inventory and the RBAC model built from it; each object's handle is its index
/// in `inventory.objects()`.
struct Loaded<'a> {
    inventory: &'a Inventory,
    model: RbacModel<usize>,
}

impl<'a> Loaded<'a> {
    fn new(inventory: &'a Inventory) -> Loaded<'a> {
        Loaded {
            inventory,
            model: model_of(inventory),
        }
    }

    fn input_errors(&self) -> bool {
        self.inventory
            .diagnostics
            .iter()
            .any(|d| d.level == DiagnosticLevel::Error)
    }

    fn object(&self, source: &SourceRef<usize>) -> Option<&'a kspect_core::Object> {
        self.inventory.objects().get(source.handle)
    }

    /// File and line of a field of the object behind `source`.
    fn locate(&self, source: &SourceRef<usize>, pointer: &str) -> Option<Location> {
        Some(
            self.object(source)?
                .locate(&format!("{}{pointer}", source.pointer)),
        )
    }

    /// `file:line` of the object behind `source`.
    fn at(&self, source: &SourceRef<usize>) -> String {
        self.locate(source, "")
            .map(|l| format!("{}:{}", l.file, l.line))
            .unwrap_or_default()
    }

    /// Input problems and the RBAC model's load problems, on stderr.
    fn report_problems(&self, quiet: bool) {
        context::report_input_problems(self.inventory, quiet);
        if quiet {
            return;
        }
        let mut err = std::io::stderr().lock();
        for issue in self.model.issues() {
            let at = self
                .locate(&issue.source, "")
                .map(|l| format!("{}:{}:{}: ", l.file, l.line, l.column))
                .unwrap_or_default();
            let what = match (issue.kind.is_empty(), issue.name.is_empty()) {
                (false, false) => format!("{} {}: ", issue.kind, issue.name),
                (false, true) => format!("{}: ", issue.kind),
                _ => String::new(),
            };
            let _ = writeln!(err, "{at}warning: {what}{}", issue.message);
        }
    }
}

fn model_of(inventory: &Inventory) -> RbacModel<usize> {
    RbacModel::from_sourced_objects(
        inventory
            .objects()
            .iter()
            .enumerate()
            .map(|(i, o)| (i, &o.value)),
        ModelOptions::default(),
    )
}

/// Exit status of a query: 2 when some input could not be read (the answer may be
/// wrong), else the answer's.
fn status(answer: u8, loaded: &Loaded) -> u8 {
    if loaded.input_errors() { 2 } else { answer }
}

fn warn(message: &str) {
    let _ = writeln!(std::io::stderr().lock(), "Warning: {message}");
}

// ---------------------------------------------------------------------------------
// can-i
// ---------------------------------------------------------------------------------

/// `TYPE[.GROUP][/NAME]` or `/URL`: resolved as kubectl resolves it (lower case, short
/// and singular names, `.version.group`), or with `exact` taken as written, the way a
/// SubjectAccessReview spells a request (`Pods` stays `Pods`).
fn parse_target(target: &str, exact: bool) -> anyhow::Result<ResourceTarget> {
    if !exact || target.starts_with('/') {
        return Ok(kspect_rbac::parse_resource_arg(target)?);
    }
    let (type_part, name) = target.split_once('/').unwrap_or((target, ""));
    let (resource, group) = type_part.split_once('.').unwrap_or((type_part, ""));
    if resource.is_empty() {
        bail!("invalid resource argument {target:?}: empty resource type");
    }
    Ok(ResourceTarget::Resource(kspect_rbac::ResourceArg {
        group: group.to_string(),
        resource: resource.to_string(),
        name: name.to_string(),
        known: None,
    }))
}

/// The request kubectl would send for `VERB TARGET [-n NS | -A] [--subresource S]`,
/// with kubectl's warnings.
fn can_i_request(
    verb: &str,
    target: &str,
    exact: bool,
    namespace: Option<&str>,
    all_namespaces: bool,
    subresource: Option<&str>,
    user: UserInfo,
) -> anyhow::Result<Request> {
    let parsed = parse_target(target, exact)?;
    match parsed {
        ResourceTarget::NonResource(path) => {
            if subresource.is_some() {
                bail!("--subresource can not be used with NonResourceURL");
            }
            if !NON_RESOURCE_VERBS.contains(&verb) {
                warn(&format!("verb '{verb}' is not a known verb"));
            }
            Ok(Request::non_resource(user, verb, &path))
        }
        ResourceTarget::Resource(arg) => {
            let namespace = if all_namespaces {
                String::new()
            } else {
                namespace.unwrap_or(DEFAULT_NAMESPACE).to_string()
            };
            if !all_namespaces && arg.namespaced() == Some(false) {
                if arg.group.is_empty() {
                    warn(&format!(
                        "resource '{}' is not namespace scoped",
                        arg.resource
                    ));
                } else {
                    warn(&format!(
                        "resource '{}' is not namespace scoped in group '{}'",
                        arg.resource, arg.group
                    ));
                }
            }
            if !RESOURCE_VERBS.contains(&verb) {
                warn(&format!("verb '{verb}' is not a known verb"));
            }
            Ok(Request::resource(
                user,
                ResourceAttributes {
                    namespace,
                    verb: verb.to_string(),
                    group: arg.group,
                    resource: arg.resource,
                    subresource: subresource.unwrap_or("").to_string(),
                    name: arg.name,
                },
            ))
        }
    }
}

fn identity(args: &IdentityArgs) -> UserInfo {
    UserInfo::impersonated(&args.user, &args.groups)
}

fn can_i(args: CanIArgs) -> anyhow::Result<u8> {
    let user = identity(&args.identity);
    let request = can_i_request(
        &args.verb,
        &args.target,
        args.exact,
        args.namespace.as_deref(),
        args.all_namespaces,
        args.subresource.as_deref(),
        user,
    )?;
    let out_args = output_args(&args.input, args.output.clone(), args.quiet);
    let inventory = context::load_inventory(&args.input.files, &out_args);
    let loaded = Loaded::new(&inventory);
    loaded.report_problems(args.quiet);
    let masters = args.privileged_groups
        && request
            .user
            .groups
            .iter()
            .any(|g| g == kspect_rbac::request::SYSTEM_MASTERS);
    let decision = loaded.model.authorize(&request);
    let allowed = masters || decision.allowed;
    let reason = if masters && !decision.allowed {
        String::new()
    } else {
        loaded.model.reason(&decision)
    };
    if !args.quiet {
        let mut out = context::open_output(&out_args)?;
        match args.format {
            QueryFormat::Table => {
                // kubectl: `yes`, or `no` followed by ` - REASON` when there is one.
                if allowed {
                    writeln!(out, "yes")?;
                } else if reason.is_empty() {
                    writeln!(out, "no")?;
                } else {
                    writeln!(out, "no - {reason}")?;
                }
            }
            QueryFormat::Json => {
                let mut doc = json!({
                    "allowed": allowed,
                    "reason": reason,
                    "reasons": grant_reasons(&loaded, &decision),
                    "request": request_json(&request),
                });
                if masters {
                    doc["privilegedGroup"] = json!(kspect_rbac::request::SYSTEM_MASTERS);
                }
                if !decision.errors.is_empty() {
                    doc["errors"] = json!(decision.errors);
                }
                serde_json::to_writer_pretty(&mut out, &doc)?;
                writeln!(out)?;
            }
        }
        out.flush()?;
    }
    Ok(status(if allowed { 0 } else { 1 }, &loaded))
}

/// The request as a SubjectAccessReview spec, which is what the answer is about.
fn request_json(request: &Request) -> Value {
    let mut spec = json!({"user": request.user.name, "groups": request.user.groups});
    match &request.attributes {
        Attributes::Resource(r) => {
            spec["resourceAttributes"] = json!({
                "namespace": r.namespace, "verb": r.verb, "group": r.group,
                "resource": r.resource, "subresource": r.subresource, "name": r.name,
            });
        }
        Attributes::NonResource(n) => {
            spec["nonResourceAttributes"] = json!({"path": n.path, "verb": n.verb});
        }
    }
    spec
}

/// `{kind, name, namespace?, file, line}` of an RBAC object.
fn object_json(
    loaded: &Loaded,
    kind: &str,
    name: &str,
    namespace: &str,
    source: &SourceRef<usize>,
) -> Value {
    let mut v = json!({"kind": kind, "name": name});
    if !namespace.is_empty() {
        v["namespace"] = json!(namespace);
    }
    if let Some(loc) = loaded.locate(source, "") {
        v["file"] = json!(&*loc.file);
        v["line"] = json!(loc.line);
    }
    v
}

/// Every granting rule of a decision: the API server's wording, then binding, role,
/// matched subject and rule, each with its file and line.
fn grant_reasons(loaded: &Loaded, decision: &Decision) -> Vec<Value> {
    decision
        .grants
        .iter()
        .filter_map(|g| {
            let view = loaded.model.grant_view(g)?;
            let rule_pointer = format!("/rules/{}", g.rule_index);
            let mut role = object_json(
                loaded,
                view.role.kind,
                view.role.name,
                view.role.namespace,
                view.role.source,
            );
            // Aggregated roles have no written rules: the rule then points at the role.
            if let Some(loc) = loaded.locate(view.role.source, &rule_pointer)
                && loc.pointer == rule_pointer
            {
                role["ruleLine"] = json!(loc.line);
            }
            Some(json!({
                "text": view.text,
                "binding": object_json(loaded, view.binding.kind, view.binding.name, view.binding.namespace, view.binding.source),
                "role": role,
                "subject": view.subject,
                "ruleIndex": view.rule_index,
                "rule": view.rule,
            }))
        })
        .collect()
}

// ---------------------------------------------------------------------------------
// review
// ---------------------------------------------------------------------------------

fn read_review(path: &Path, max: u64) -> anyhow::Result<Value> {
    let label = path.display().to_string();
    let mut bytes = Vec::new();
    if path == Path::new("-") {
        std::io::stdin()
            .lock()
            .take(max.saturating_add(1))
            .read_to_end(&mut bytes)
            .context("cannot read the SubjectAccessReview from stdin")?;
    } else {
        bytes = std::fs::read(path).with_context(|| format!("cannot read {label}"))?;
    }
    if bytes.len() as u64 > max {
        bail!("{label}: larger than {max} bytes");
    }
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(v) => Ok(v),
        Err(json_err) => {
            // Not JSON: a YAML SubjectAccessReview is read by the manifest loader.
            let parsed = kspect_core::load::parse_bytes(&label, &bytes);
            match (parsed.objects.len(), parsed.has_errors()) {
                (1, false) => Ok(parsed
                    .objects
                    .into_iter()
                    .next()
                    .map(|o| o.value)
                    .unwrap_or_default()),
                _ => bail!(
                    "{label}: not a SubjectAccessReview document (JSON: {json_err}; YAML: {} objects, {} problems)",
                    parsed.objects.len(),
                    parsed.diagnostics.len()
                ),
            }
        }
    }
}

fn review(args: ReviewArgs) -> anyhow::Result<u8> {
    if args.review == Path::new("-") && args.input.files.iter().any(|f| f == Path::new("-")) {
        bail!("stdin can hold either the SubjectAccessReview or the input (-f -), not both");
    }
    let sar = read_review(&args.review, args.input.max_file_size)?;
    let out_args = output_args(&args.input, args.output.clone(), false);
    let inventory = context::load_inventory(&args.input.files, &out_args);
    let loaded = Loaded::new(&inventory);
    loaded.report_problems(false);
    let options = kspect_rbac::ReviewOptions {
        privileged_groups: args.privileged_groups,
    };
    let result = kspect_rbac::review_subject_access(&loaded.model, &sar, options)
        .with_context(|| format!("{}", args.review.display()))?;
    let allowed = result
        .pointer("/status/allowed")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let mut out = context::open_output(&out_args)?;
    serde_json::to_writer_pretty(&mut out, &result)?;
    writeln!(out)?;
    out.flush()?;
    Ok(status(if allowed { 0 } else { 1 }, &loaded))
}

// ---------------------------------------------------------------------------------
// list
// ---------------------------------------------------------------------------------

fn list(args: ListArgs) -> anyhow::Result<u8> {
    let user = identity(&args.identity);
    let namespace = args.namespace.as_deref().unwrap_or(DEFAULT_NAMESPACE);
    let out_args = output_args(&args.input, args.output.clone(), false);
    let inventory = context::load_inventory(&args.input.files, &out_args);
    let loaded = Loaded::new(&inventory);
    loaded.report_problems(false);
    let review = loaded.model.rules_for(&user, namespace);
    let rules = loaded.model.review_rules(&review);
    let rows = kspect_rbac::can_i_list_rows(&rules);
    let evaluation_error = evaluation_error(&review.errors);
    let mut out = context::open_output(&out_args)?;
    match args.format {
        QueryFormat::Table => {
            // The API server reports lookup errors as the review's evaluation error and
            // kubectl does not print it; a person should still learn that a binding
            // points at a missing role.
            if let Some(e) = &evaluation_error {
                let _ = writeln!(std::io::stderr().lock(), "kspect: note: {e}");
            }
            out.write_all(kspect_rbac::render_can_i_list(&rows, !args.no_headers).as_bytes())?;
        }
        QueryFormat::Json => {
            let mut doc = json!({
                "user": user.name,
                "groups": user.groups,
                "namespace": namespace,
                "rules": rows,
            });
            if let Some(e) = evaluation_error {
                doc["evaluationError"] = json!(e);
            }
            serde_json::to_writer_pretty(&mut out, &doc)?;
            writeln!(out)?;
        }
    }
    out.flush()?;
    Ok(status(0, &loaded))
}

/// The API server's aggregate of lookup errors (`[a, b]` for several).
fn evaluation_error(errors: &[String]) -> Option<String> {
    let mut unique: Vec<&str> = Vec::new();
    for e in errors {
        if !unique.contains(&e.as_str()) {
            unique.push(e);
        }
    }
    match unique.len() {
        0 => None,
        1 => Some(unique[0].to_string()),
        _ => Some(format!("[{}]", unique.join(", "))),
    }
}

// ---------------------------------------------------------------------------------
// who-can
// ---------------------------------------------------------------------------------

/// What a who-can question asks, before the namespace is chosen.
struct WhoCanQuestion {
    attributes: Attributes,
    /// `verb resource[/subresource][/name]` or `verb /url`, for messages.
    action: String,
    resource_request: bool,
}

fn who_can_question(args: &WhoCanArgs) -> anyhow::Result<WhoCanQuestion> {
    let parsed = parse_target(&args.target, args.exact)?;
    match parsed {
        ResourceTarget::NonResource(path) => {
            if args.subresource.is_some() {
                bail!("--subresource can not be used with NonResourceURL");
            }
            if args.name.is_some() {
                bail!("NonResourceURL and ResourceName can not specified together");
            }
            Ok(WhoCanQuestion {
                action: format!("{} {path}", args.verb),
                attributes: Attributes::NonResource(kspect_rbac::NonResourceAttributes {
                    path,
                    verb: args.verb.clone(),
                }),
                resource_request: false,
            })
        }
        ResourceTarget::Resource(arg) => {
            let name = match (&args.name, arg.name.is_empty()) {
                (Some(_), false) => bail!("give the object name either as TYPE/NAME or as NAME"),
                (Some(n), true) => n.clone(),
                (None, _) => arg.name.clone(),
            };
            let namespace = if args.all_namespaces {
                String::new()
            } else {
                match (&args.namespace, arg.namespaced()) {
                    (Some(ns), _) => ns.clone(),
                    // The API server asks about cluster-scoped types without namespace,
                    // so RoleBindings can never grant them.
                    (None, Some(false)) => String::new(),
                    (None, _) => DEFAULT_NAMESPACE.to_string(),
                }
            };
            let subresource = args.subresource.clone().unwrap_or_default();
            let mut action = format!("{} {}", args.verb, arg.resource);
            if !arg.group.is_empty() {
                action.push('.');
                action.push_str(&arg.group);
            }
            for part in [&subresource, &name] {
                if !part.is_empty() {
                    action.push('/');
                    action.push_str(part);
                }
            }
            Ok(WhoCanQuestion {
                action,
                attributes: Attributes::Resource(ResourceAttributes {
                    namespace,
                    verb: args.verb.clone(),
                    group: arg.group,
                    resource: arg.resource,
                    subresource,
                    name,
                }),
                resource_request: true,
            })
        }
    }
}

fn who_can(args: WhoCanArgs) -> anyhow::Result<u8> {
    let question = who_can_question(&args)?;
    let out_args = output_args(&args.input, args.output.clone(), false);
    let inventory = context::load_inventory(&args.input.files, &out_args);
    let loaded = Loaded::new(&inventory);
    loaded.report_problems(false);
    let model = &loaded.model;
    let super_user = args.super_user.as_deref();
    let mut answer = model.who_can(&question.attributes, super_user);
    if args.all_namespaces && question.resource_request {
        // Any namespace: the RoleBindings of every namespace, in name order.
        let mut namespaces: Vec<&str> = model.binding_namespaces().collect();
        namespaces.sort_unstable();
        for ns in namespaces {
            let mut attributes = question.attributes.clone();
            if let Attributes::Resource(r) = &mut attributes {
                r.namespace = ns.to_string();
            }
            let more = model.who_can(&attributes, None);
            answer.entries.extend(more.entries.into_iter().filter(|e| {
                matches!(e.via, WhoCanVia::Binding { binding, .. }
                    if model.binding(binding).is_some_and(|b| b.kind == BindingKind::RoleBinding))
            }));
            answer.errors.extend(more.errors);
        }
    }
    let mut out = context::open_output(&out_args)?;
    match args.format {
        QueryFormat::Table => write_who_can_table(&mut out, model, &answer.entries, &question)?,
        QueryFormat::Json => {
            let subjects: Vec<Value> = answer
                .entries
                .iter()
                .map(|e| who_can_entry_json(&loaded, e))
                .collect();
            let mut doc = json!({
                "request": attributes_json(&question.attributes),
                "subjects": subjects,
            });
            if let Some(e) = evaluation_error(&answer.errors) {
                doc["evaluationError"] = json!(e);
            }
            serde_json::to_writer_pretty(&mut out, &doc)?;
            writeln!(out)?;
        }
    }
    out.flush()?;
    Ok(status(0, &loaded))
}

fn attributes_json(attributes: &Attributes) -> Value {
    match attributes {
        Attributes::Resource(r) => json!({"resourceAttributes": {
            "namespace": r.namespace, "verb": r.verb, "group": r.group,
            "resource": r.resource, "subresource": r.subresource, "name": r.name,
        }}),
        Attributes::NonResource(n) => {
            json!({"nonResourceAttributes": {"path": n.path, "verb": n.verb}})
        }
    }
}

fn who_can_entry_json(loaded: &Loaded, entry: &WhoCanEntry) -> Value {
    let model = &loaded.model;
    let mut v = serde_json::to_value(&entry.subject).unwrap_or(Value::Null);
    match entry.via {
        WhoCanVia::PrivilegedGroup => {
            v["via"] = json!({"type": "privilegedGroup"});
        }
        WhoCanVia::SuperUser => {
            v["via"] = json!({"type": "superUser"});
        }
        WhoCanVia::Binding {
            binding,
            role,
            rule_index,
        } => {
            let Some(b) = model.binding(binding) else {
                return v;
            };
            let mut via = json!({
                "type": "binding",
                "binding": object_json(loaded, b.kind.as_str(), &b.meta.name, &b.meta.namespace, &b.source),
                "ruleIndex": rule_index,
            });
            if let Some(r) = model.role(role) {
                via["role"] = object_json(
                    loaded,
                    r.kind.as_str(),
                    &r.meta.name,
                    &r.meta.namespace,
                    &r.source,
                );
                if let Some(rule) = r.rules.get(rule_index) {
                    via["rule"] = serde_json::to_value(rule).unwrap_or(Value::Null);
                }
            }
            v["via"] = via;
            let workloads: Vec<Value> = model
                .subject_workloads(&entry.subject, &b.meta.namespace)
                .iter()
                .map(|w| object_json(loaded, &w.kind, &w.name, &w.namespace, &w.source))
                .collect();
            if !workloads.is_empty() {
                v["workloads"] = json!(workloads);
            }
        }
    }
    v
}

/// kubectl-who-can's layout: the RoleBinding section (resource requests only), an
/// empty line, the ClusterRoleBinding section; a section without bindings is one
/// "No subjects found ..." line. Columns as Go's tabwriter (padding 2) aligns them.
fn write_who_can_table(
    out: &mut dyn Write,
    model: &RbacModel<usize>,
    entries: &[WhoCanEntry],
    question: &WhoCanQuestion,
) -> std::io::Result<()> {
    let mut role_rows: Vec<Vec<String>> = Vec::new();
    let mut cluster_rows: Vec<Vec<String>> = Vec::new();
    for e in entries {
        let WhoCanVia::Binding { binding, .. } = e.via else {
            continue;
        };
        let Some(b) = model.binding(binding) else {
            continue;
        };
        let s = &e.subject;
        match b.kind {
            BindingKind::RoleBinding => role_rows.push(vec![
                b.meta.name.clone(),
                b.meta.namespace.clone(),
                s.name.clone(),
                s.kind.clone(),
                s.namespace.clone(),
            ]),
            BindingKind::ClusterRoleBinding => cluster_rows.push(vec![
                b.meta.name.clone(),
                s.name.clone(),
                s.kind.clone(),
                s.namespace.clone(),
            ]),
        }
    }
    if question.resource_request {
        if role_rows.is_empty() {
            writeln!(
                out,
                "No subjects found with permissions to {} assigned through RoleBindings",
                question.action
            )?;
        } else {
            let header = [
                "ROLEBINDING",
                "NAMESPACE",
                "SUBJECT",
                "TYPE",
                "SA-NAMESPACE",
            ];
            write_tabbed(out, &header, &role_rows)?;
        }
        writeln!(out)?;
    }
    if cluster_rows.is_empty() {
        writeln!(
            out,
            "No subjects found with permissions to {} assigned through ClusterRoleBindings",
            question.action
        )?;
    } else {
        let header = ["CLUSTERROLEBINDING", "SUBJECT", "TYPE", "SA-NAMESPACE"];
        write_tabbed(out, &header, &cluster_rows)?;
    }
    Ok(())
}

/// Go `tabwriter` with minwidth 0, padding 2, space padding: every cell but the last
/// is padded to its column's widest cell plus 2.
fn write_tabbed(out: &mut dyn Write, header: &[&str], rows: &[Vec<String>]) -> std::io::Result<()> {
    let mut lines: Vec<Vec<&str>> = vec![header.to_vec()];
    lines.extend(rows.iter().map(|r| r.iter().map(String::as_str).collect()));
    let columns = header.len().saturating_sub(1);
    let mut widths = vec![0usize; columns];
    for line in &lines {
        for (w, cell) in widths.iter_mut().zip(line.iter()) {
            *w = (*w).max(cell.chars().count() + 2);
        }
    }
    for line in &lines {
        let mut text = String::new();
        for (i, cell) in line.iter().enumerate() {
            text.push_str(cell);
            if let Some(w) = widths.get(i) {
                text.extend(std::iter::repeat_n(' ', w - cell.chars().count()));
            }
        }
        writeln!(out, "{text}")?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------
// risks
// ---------------------------------------------------------------------------------

fn risks(args: RisksArgs) -> anyhow::Result<u8> {
    let format: Format = args.out.format.parse()?;
    let registry = crate::registry::all_rules();
    let config = context::load_config(&args.out, &registry)?;
    let inventory = context::load_inventory(&args.files, &args.out);
    let found = if args.include_defaults {
        findings_with(
            &inventory,
            RiskOptions {
                include_defaults: true,
            },
        )
    } else {
        findings(&inventory)
    };
    let mut findings = suppress::apply(found, &inventory, &config, &registry, context::today());
    sort_findings(&mut findings);
    if format != Format::Table {
        context::report_input_problems(&inventory, args.out.quiet);
    }
    let report = Report {
        tool_version: env!("CARGO_PKG_VERSION"),
        command: "rbac risks",
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
    let mut out = context::open_output(&args.out)?;
    kspect_report::render(format, &report, &options, &mut out)?;
    out.flush()?;
    let failed = kspect_report::exit_code(&report) != 0;
    let input_errors = inventory
        .diagnostics
        .iter()
        .any(|d| d.level == DiagnosticLevel::Error);
    Ok(super::exit_status(failed, input_errors))
}

/// Every KSP2xx rule (risky RBAC grants, `RISKS.md`), in ID order.
pub fn rules() -> Vec<&'static Rule> {
    RULES.to_vec()
}

/// The risky-grant findings of the inventory (default policy left out), each located
/// at the binding subject, roleRef, label or annotation that causes it.
pub fn findings(inventory: &Inventory) -> Vec<Finding> {
    findings_with(inventory, RiskOptions::default())
}

/// [`findings`] with options.
pub fn findings_with(inventory: &Inventory, options: RiskOptions) -> Vec<Finding> {
    let loaded = Loaded::new(inventory);
    loaded
        .model
        .risks(options)
        .iter()
        .filter_map(|f| to_finding(&loaded, f))
        .collect()
}

fn rule_by_id(id: &str) -> Option<&'static Rule> {
    RULES.iter().copied().find(|r| r.id == id)
}

/// Index of `subject` in the binding's written `subjects` list.
fn subject_index(binding: &Value, subject: &Subject) -> Option<usize> {
    let field = |s: &Value, k: &str| s.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    binding.get("subjects")?.as_array()?.iter().position(|s| {
        field(s, "kind") == subject.kind
            && field(s, "name") == subject.name
            && field(s, "namespace") == subject.namespace
    })
}

/// The first key of `keys` present in the string map at `pointer`, as a pointer.
fn key_pointer(value: &Value, pointer: &str, keys: &[&str]) -> String {
    let map = value.pointer(pointer).and_then(Value::as_object);
    match keys
        .iter()
        .find(|k| map.is_some_and(|m| m.contains_key(**k)))
    {
        Some(k) => kspect_core::span::join_pointer(pointer, &[k]),
        None => pointer.to_string(),
    }
}

const AGGREGATE_LABELS: &[&str] = &[
    "rbac.authorization.k8s.io/aggregate-to-admin",
    "rbac.authorization.k8s.io/aggregate-to-edit",
    "rbac.authorization.k8s.io/aggregate-to-view",
];

const IAM_ANNOTATIONS: &[&str] = &[
    "eks.amazonaws.com/role-arn",
    "iam.gke.io/gcp-service-account",
    "azure.workload.identity/client-id",
];

fn to_finding(loaded: &Loaded, f: &RiskFinding<usize>) -> Option<Finding> {
    let rule = rule_by_id(&f.rule_id)?;
    // The anchor: the binding subject (or roleRef when the role is missing), else the
    // role's aggregation label, else the service account's cloud annotation.
    let (source, pointer) = if let Some(b) = &f.binding {
        let object = loaded.object(&b.source)?;
        let value = object.value.pointer(&b.source.pointer)?;
        let pointer = match (&f.subject, &f.role) {
            (None, None) => "/roleRef/name".to_string(),
            (Some(s), _) => subject_index(value, s)
                .map(|i| format!("/subjects/{i}"))
                .unwrap_or_else(|| "/subjects".into()),
            (None, Some(_)) => "/roleRef".to_string(),
        };
        (b.source.clone(), pointer)
    } else if let Some(r) = &f.role {
        let object = loaded.object(&r.source)?;
        let value = object.value.pointer(&r.source.pointer)?;
        (
            r.source.clone(),
            key_pointer(value, "/metadata/labels", AGGREGATE_LABELS),
        )
    } else {
        let s = f.subject.as_ref()?;
        let sa = loaded
            .model
            .service_accounts()
            .iter()
            .find(|sa| sa.meta.namespace == s.namespace && sa.meta.name == s.name)?;
        let value = loaded
            .object(&sa.source)?
            .value
            .pointer(&sa.source.pointer)?;
        (
            sa.source.clone(),
            key_pointer(value, "/metadata/annotations", IAM_ANNOTATIONS),
        )
    };
    let object = loaded.object(&source)?;
    let pointer = format!("{}{pointer}", source.pointer);
    let mut finding = Finding::at(rule, object, &pointer, f.message.clone())
        .with_remediation(f.remediation.clone());
    finding.severity = f.severity.parse::<Severity>().unwrap_or(rule.severity);
    if let Some(evidence) = evidence(loaded, f) {
        finding = finding.with_evidence(evidence);
    }
    Some(finding)
}

/// The chain behind a finding: `binding (file:line) -> role (file:line)`, then the
/// granting rules, name limits and the workloads that run as the subject.
fn evidence(loaded: &Loaded, f: &RiskFinding<usize>) -> Option<String> {
    let qualified = |ns: &str, name: &str| {
        if ns.is_empty() {
            name.to_string()
        } else {
            format!("{ns}/{name}")
        }
    };
    let mut chain: Vec<String> = Vec::new();
    if let Some(b) = &f.binding {
        let name = qualified(&b.namespace, &b.name);
        chain.push(format!("{} {name} ({})", b.kind, loaded.at(&b.source)));
    }
    let mut parts: Vec<String> = Vec::new();
    if let Some(r) = &f.role {
        let name = qualified(&r.namespace, &r.name);
        chain.push(format!("{} {name} ({})", r.kind, loaded.at(&r.source)));
        // The model's rules: aggregated ClusterRoles have none written in the file.
        let role = loaded.model.roles().iter().find(|x| x.source == r.source);
        for i in &f.rule_indices {
            if let Some(rule) = role.and_then(|x| x.rules.get(*i)) {
                let text = serde_json::to_string(rule).unwrap_or_default();
                parts.push(format!("rules[{i}] {text}"));
            }
        }
    }
    if !chain.is_empty() {
        parts.insert(0, chain.join(" -> "));
    }
    if !f.resource_names.is_empty() {
        parts.push(format!("limited to names {:?}", f.resource_names));
    }
    for w in &f.workloads {
        let name = qualified(&w.namespace, &w.name);
        parts.push(format!(
            "runs as it: {} {name} ({})",
            w.kind,
            loaded.at(&w.source)
        ));
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

// ---------------------------------------------------------------------------------
// The KSP2xx rules: one per `RISKS.md` entry that kspect reports (R02 and R24 are not
// RBAC-object findings). The number after the 2 is the `RISKS.md` entry.
// ---------------------------------------------------------------------------------

const GOOD_PRACTICES: Reference = Reference::docs(
    "RBAC good practices",
    "https://kubernetes.io/docs/concepts/security/rbac-good-practices/",
);
const RBAC_DOCS: Reference = Reference::docs(
    "Using RBAC authorization",
    "https://kubernetes.io/docs/reference/access-authn-authz/rbac/",
);
const VALID_ACCOUNTS: Reference =
    Reference::mitre("T1078", "https://attack.mitre.org/techniques/T1078/");
const CLOUD_ACCOUNTS: Reference = Reference::mitre(
    "T1078.004",
    "https://attack.mitre.org/techniques/T1078/004/",
);
const CONTAINER_API: Reference = Reference::mitre(
    "T1552.007",
    "https://attack.mitre.org/techniques/T1552/007/",
);
const STEAL_TOKEN: Reference =
    Reference::mitre("T1528", "https://attack.mitre.org/techniques/T1528/");
const ADMIN_COMMAND: Reference =
    Reference::mitre("T1609", "https://attack.mitre.org/techniques/T1609/");
const DEPLOY_CONTAINER: Reference =
    Reference::mitre("T1610", "https://attack.mitre.org/techniques/T1610/");
const ESCAPE_TO_HOST: Reference =
    Reference::mitre("T1611", "https://attack.mitre.org/techniques/T1611/");
const CLUSTER_ROLES: Reference = Reference::mitre(
    "T1098.006",
    "https://attack.mitre.org/techniques/T1098/006/",
);
const FORGE_CERTIFICATES: Reference =
    Reference::mitre("T1649", "https://attack.mitre.org/techniques/T1649/");
const IMPAIR_DEFENSES: Reference = Reference::mitre(
    "T1562.001",
    "https://attack.mitre.org/techniques/T1562/001/",
);
const ADVERSARY_IN_THE_MIDDLE: Reference =
    Reference::mitre("T1557", "https://attack.mitre.org/techniques/T1557/");
const DATA_DESTRUCTION: Reference =
    Reference::mitre("T1485", "https://attack.mitre.org/techniques/T1485/");

const BINDING_KINDS: &[&str] = &["ClusterRoleBinding", "RoleBinding"];

/// KSP201 (R01).
pub static WILDCARD: Rule = Rule {
    id: "KSP201",
    name: "rbac-wildcard-grant",
    title: "Wildcard grant: every verb on every resource (cluster-admin equivalent)",
    severity: Severity::Critical,
    category: "rbac",
    kinds: BINDING_KINDS,
    doc: r#"A binding gives a subject a role whose rules allow every verb on every resource
(`verbs: ["*"]`, `resources: ["*"]`, `apiGroups: ["*"]`), which is what the default
`cluster-admin` ClusterRole holds. Held through a ClusterRoleBinding this is full control
of the cluster; through a RoleBinding, full control of one namespace, its Secrets and its
service accounts. Default system bindings of a real cluster are not reported.

## Why it matters
A wildcard grant is every other RBAC risk at once: reading all Secrets, running pods as
any service account, exec into any container, rewriting RBAC itself. It also covers
resource types that do not exist yet, so CRDs installed later (with their own sensitive
data) are silently included. A service account with this grant turns the compromise of
any pod running as it into the compromise of the cluster.

## What an attacker does
An attacker who obtains the subject's credentials — a token read from a pod's
filesystem, a leaked kubeconfig, a CI secret — lists Secrets in every namespace, deploys
a privileged DaemonSet to take over every node and creates a ClusterRoleBinding of their
own for persistence.

## How to fix
Grant the verbs and resources the subject actually uses, in the namespaces it works in.
Reserve `cluster-admin` for break-glass human access, never for service accounts.

```yaml
# before
kind: ClusterRoleBinding
roleRef: {kind: ClusterRole, name: cluster-admin}
subjects:
  - {kind: ServiceAccount, name: deployer, namespace: ci}
# after
kind: RoleBinding
metadata: {name: deployer, namespace: shop}
roleRef: {kind: ClusterRole, name: edit}
subjects:
  - {kind: ServiceAccount, name: deployer, namespace: ci}
```
"#,
    remediation: "Replace the wildcard grant with the specific verbs and resources the subject needs; do not bind cluster-admin to service accounts or for daily work.",
    references: &[
        Reference::cis("5.1.1"),
        Reference::cis("5.1.3"),
        VALID_ACCOUNTS,
        CLUSTER_ROLES,
        GOOD_PRACTICES,
    ],
};

/// KSP203 (R03).
pub static READ_SECRETS: Rule = Rule {
    id: "KSP203",
    name: "rbac-read-secrets",
    title: "Read access to Secrets",
    severity: Severity::Critical,
    category: "rbac",
    kinds: BINDING_KINDS,
    doc: r#"A binding lets a subject `get`, `list` or `watch` Secrets — cluster-wide
through a ClusterRoleBinding, or in one namespace. `list` and `watch` return the data
of every Secret in the response, so they are as strong as `get`.

## Why it matters
Secrets hold registry credentials, TLS private keys, database passwords, cloud keys and
(on older clusters or where created by hand) long-lived service-account tokens. Reading
them is reading the identities of everything that uses them. Cluster-wide, or in
`kube-system`, the tokens of controllers with near-admin rights are among them.

## What an attacker does
With a stolen token of the subject the attacker runs `kubectl get secrets -A -o yaml`,
collects every token and key, and continues as whichever identity is most powerful —
often a controller's service account in `kube-system`.

## How to fix
Drop read access to Secrets, or limit it with `resourceNames` to the Secrets the
workload needs. Workloads should mount their Secrets instead of reading them through the
API.

```yaml
# before
rules:
  - apiGroups: [""]
    resources: ["secrets"]
    verbs: ["get", "list", "watch"]
# after
rules:
  - apiGroups: [""]
    resources: ["secrets"]
    resourceNames: ["shop-db-credentials"]
    verbs: ["get"]
```
"#,
    remediation: "Drop get/list/watch on secrets, or limit get with resourceNames to the Secrets the workload needs; mount Secrets instead of reading them through the API.",
    references: &[
        Reference::cis("5.1.2"),
        CONTAINER_API,
        STEAL_TOKEN,
        GOOD_PRACTICES,
    ],
};

/// KSP204 (R04).
pub static WRITE_SECRETS: Rule = Rule {
    id: "KSP204",
    name: "rbac-write-secrets",
    title: "Write access to Secrets",
    severity: Severity::High,
    category: "rbac",
    kinds: BINDING_KINDS,
    doc: r#"A binding lets a subject `create`, `update` or `patch` Secrets. Creating a
Secret of type `kubernetes.io/service-account-token` that names an existing service
account makes the control plane fill it with a token for that account.

## Why it matters
Write access to Secrets mints credentials: the subject can obtain a long-lived token for
any service account of the namespace, including ones far more privileged than itself.
Changing a Secret that a privileged workload mounts (a configuration file, a kubeconfig,
a TLS key) also changes what that workload trusts or runs.

## What an attacker does
The attacker creates a token Secret annotated with
`kubernetes.io/service-account.name: <powerful-sa>`, waits a second for the token
controller, and reads the token (write roles usually come with read). They then act as
that service account indefinitely — the token does not expire.

## How to fix
Remove create/update/patch on Secrets from roles that do not manage them, or restrict
update/patch to named Secrets.

```yaml
# before
rules:
  - apiGroups: [""]
    resources: ["secrets"]
    verbs: ["create", "update", "patch"]
# after
rules:
  - apiGroups: [""]
    resources: ["secrets"]
    resourceNames: ["shop-tls"]
    verbs: ["update"]
```
"#,
    remediation: "Remove create/update/patch on secrets, or restrict update/patch to named Secrets.",
    references: &[Reference::cis("5.1.2"), STEAL_TOKEN, GOOD_PRACTICES],
};

/// KSP205 (R05).
pub static TOKEN_REQUEST: Rule = Rule {
    id: "KSP205",
    name: "rbac-token-request",
    title: "Token minting for service accounts (create serviceaccounts/token)",
    severity: Severity::Critical,
    category: "rbac",
    kinds: BINDING_KINDS,
    doc: r#"A binding lets a subject `create` the `serviceaccounts/token` subresource, the
TokenRequest API. Without `resourceNames` it applies to every service account in scope.

## Why it matters
TokenRequest returns a fresh, valid token for the named service account. The holder of
this permission therefore holds the union of the rights of every service account it can
mint for. The default `edit` and `admin` roles grant it, so an `edit` RoleBinding is
worth every service account of that namespace.

## What an attacker does
`kubectl create token <sa> -n <ns> --duration=8760h` — one call per interesting account
— and the attacker is that account, with nothing written to a pod or a Secret.

## How to fix
Remove the permission, or limit it with `resourceNames` to the accounts the subject
legitimately acts as.

```yaml
# before
rules:
  - apiGroups: [""]
    resources: ["serviceaccounts/token"]
    verbs: ["create"]
# after
rules:
  - apiGroups: [""]
    resources: ["serviceaccounts/token"]
    resourceNames: ["report-uploader"]
    verbs: ["create"]
```
"#,
    remediation: "Remove create on serviceaccounts/token or limit it with resourceNames to the accounts the subject must act as.",
    references: &[Reference::cis("5.1.13"), STEAL_TOKEN, GOOD_PRACTICES],
};

/// KSP206 (R06).
pub static CREATE_WORKLOADS: Rule = Rule {
    id: "KSP206",
    name: "rbac-create-workloads",
    title: "Workload creation (pods or pod controllers)",
    severity: Severity::High,
    category: "rbac",
    kinds: BINDING_KINDS,
    doc: r#"A binding lets a subject create pods, or create/update/patch a pod controller
(Deployment, DaemonSet, StatefulSet, ReplicaSet, Job, CronJob, ReplicationController).

## Why it matters
Whoever writes a pod spec chooses its service account, the Secrets and volumes it
mounts and — unless Pod Security admission enforces baseline or restricted — whether it
is privileged, shares the host's namespaces or mounts host paths. Creating pods in a
namespace is therefore equivalent to holding every service account and Secret of that
namespace, and possibly every node.

## What an attacker does
The attacker starts a pod with `serviceAccountName` set to the namespace's most powerful
account and reads its token from the mounted volume; or starts a privileged pod with
`hostPID` and a `hostPath: /` mount and takes over the node, its kubelet credentials and
the tokens of every pod on it.

## How to fix
Grant workload creation only where it is needed, enforce Pod Security admission in
those namespaces, and keep powerful service accounts out of namespaces where others can
create pods.

```yaml
# before
rules:
  - apiGroups: ["", "apps"]
    resources: ["pods", "deployments"]
    verbs: ["create", "update", "patch"]
# after (deployment is left to the CD system; people only read)
rules:
  - apiGroups: ["", "apps"]
    resources: ["pods", "deployments"]
    verbs: ["get", "list", "watch"]
```
"#,
    remediation: "Grant workload creation only where needed, enforce Pod Security admission (baseline or restricted) there, and keep privileged service accounts out of namespaces where others can create pods.",
    references: &[
        Reference::cis("5.1.4"),
        DEPLOY_CONTAINER,
        ESCAPE_TO_HOST,
        GOOD_PRACTICES,
    ],
};

/// KSP207 (R07).
pub static MODIFY_PODS: Rule = Rule {
    id: "KSP207",
    name: "rbac-modify-pods",
    title: "Modification of running pods (update/patch pods)",
    severity: Severity::High,
    category: "rbac",
    kinds: BINDING_KINDS,
    doc: r#"A binding lets a subject `update` or `patch` pods. A running pod's container
images can be changed in place.

## Why it matters
Swapping the image of a running container runs the attacker's code with that pod's
service account, mounted Secrets and node placement, without creating anything new that
a reviewer or an admission policy for new pods would look at.

## What an attacker does
`kubectl set image pod/payments-0 app=attacker/implant` — the kubelet restarts the
container with the new image and the implant inherits the pod's identity and data.

## How to fix
Remove update/patch on pods; change workloads through their controllers, under review.

```yaml
# before
rules:
  - apiGroups: [""]
    resources: ["pods"]
    verbs: ["get", "list", "update", "patch"]
# after
rules:
  - apiGroups: [""]
    resources: ["pods"]
    verbs: ["get", "list"]
```
"#,
    remediation: "Remove update/patch on pods; change workloads through their controllers under review.",
    references: &[DEPLOY_CONTAINER, GOOD_PRACTICES],
};

/// KSP208 (R08).
pub static EXEC_ATTACH: Rule = Rule {
    id: "KSP208",
    name: "rbac-exec-attach",
    title: "Exec or attach into pods",
    severity: Severity::High,
    category: "rbac",
    kinds: BINDING_KINDS,
    doc: r#"A binding lets a subject `create` or `get` the `pods/exec` or `pods/attach`
subresource. `get` counts: `kubectl exec` over WebSocket is an HTTP GET.

## Why it matters
Exec runs arbitrary commands inside existing containers, with their service-account
token, mounted Secrets, network position and any host access they have. It is the
shortest path from an API credential to code execution in the workloads.

## What an attacker does
`kubectl exec -it <pod> -- cat /var/run/secrets/kubernetes.io/serviceaccount/token`
collects the pod's token; in a privileged pod the same command reaches the node.

## How to fix
Remove `pods/exec` and `pods/attach` (both verbs) from standing roles; grant them
temporarily through an audited break-glass process.

```yaml
# before
rules:
  - apiGroups: [""]
    resources: ["pods", "pods/exec", "pods/log"]
    verbs: ["get", "create"]
# after
rules:
  - apiGroups: [""]
    resources: ["pods", "pods/log"]
    verbs: ["get"]
```
"#,
    remediation: "Remove pods/exec and pods/attach (create and get) from standing roles; use audited break-glass access instead.",
    references: &[ADMIN_COMMAND, GOOD_PRACTICES],
};

/// KSP209 (R09).
pub static EPHEMERAL_CONTAINERS: Rule = Rule {
    id: "KSP209",
    name: "rbac-ephemeral-containers",
    title: "Ephemeral containers in running pods",
    severity: Severity::High,
    category: "rbac",
    kinds: BINDING_KINDS,
    doc: r#"A binding lets a subject `update` or `patch` the `pods/ephemeralcontainers`
subresource, which is what `kubectl debug` uses to add a container to a running pod.

## Why it matters
The added container shares the pod's namespaces, service account and volumes, and its
security context is chosen by the caller. It is exec with a fresh image of the
attacker's choosing.

## What an attacker does
`kubectl debug -it <pod> --image=attacker/tools --target=app` starts a container inside
the victim pod, with its token and process namespace.

## How to fix
Keep the subresource in dedicated, temporarily bound debugging roles only.

```yaml
# before
rules:
  - apiGroups: [""]
    resources: ["pods/ephemeralcontainers"]
    verbs: ["update", "patch"]
# after
rules: []   # bound only for the duration of an incident
```
"#,
    remediation: "Remove update/patch on pods/ephemeralcontainers outside temporarily bound debugging roles.",
    references: &[ADMIN_COMMAND, DEPLOY_CONTAINER],
};

/// KSP210 (R10).
pub static PORT_FORWARD: Rule = Rule {
    id: "KSP210",
    name: "rbac-port-forward-proxy",
    title: "Port-forward and proxy to pods or services",
    severity: Severity::Medium,
    category: "rbac",
    kinds: BINDING_KINDS,
    doc: r#"A binding lets a subject use `pods/portforward`, `pods/proxy` or
`services/proxy`, which tunnel connections through the API server into pods.

## Why it matters
The tunnel bypasses how a Service is exposed and much of the network policy around it:
ports that listen only inside a pod (admin consoles, debug endpoints, databases without
a Service) become reachable from wherever the credential is used.

## What an attacker does
`kubectl port-forward pod/db-0 5432` from the attacker's laptop, then a direct
connection to the database with default or stolen credentials.

## How to fix
Grant these subresources only to people who debug these workloads, and not to service
accounts.

```yaml
# before
rules:
  - apiGroups: [""]
    resources: ["pods/portforward", "services/proxy"]
    verbs: ["create", "get"]
# after
rules: []
```
"#,
    remediation: "Remove pods/portforward, pods/proxy and services/proxy unless the subject debugs these workloads.",
    references: &[VALID_ACCOUNTS, GOOD_PRACTICES],
};

/// KSP211 (R11).
pub static NODES_PROXY: Rule = Rule {
    id: "KSP211",
    name: "rbac-nodes-proxy",
    title: "Kubelet API through nodes/proxy",
    severity: Severity::High,
    category: "rbac",
    kinds: BINDING_KINDS,
    doc: r#"A binding lets a subject `get` or `create` the `nodes/proxy` subresource (also
through `*` on node subresources), which forwards requests to the kubelet API.

## Why it matters
The kubelet API runs commands in every container of a node. Requests through
`nodes/proxy` bypass admission control and leave no pod-level audit events. `get` is
enough, because the kubelet's exec endpoint accepts WebSocket GETs.

## What an attacker does
The attacker calls `/api/v1/nodes/<node>/proxy/run/<ns>/<pod>/<container>?cmd=...`
for each pod of each node and harvests every service-account token in the cluster.

## How to fix
Remove `nodes/proxy`; monitoring needs `nodes/metrics` or `nodes/stats` instead.

```yaml
# before
rules:
  - apiGroups: [""]
    resources: ["nodes/proxy"]
    verbs: ["get"]
# after
rules:
  - apiGroups: [""]
    resources: ["nodes/metrics", "nodes/stats"]
    verbs: ["get"]
```
"#,
    remediation: "Remove nodes/proxy (get is enough for exec over WebSocket); grant nodes/metrics or nodes/stats for monitoring instead.",
    references: &[Reference::cis("5.1.10"), ADMIN_COMMAND, GOOD_PRACTICES],
};

/// KSP212 (R12).
pub static IMPERSONATE: Rule = Rule {
    id: "KSP212",
    name: "rbac-impersonate",
    title: "Impersonation of users, groups or service accounts",
    severity: Severity::Critical,
    category: "rbac",
    kinds: BINDING_KINDS,
    doc: r#"A binding lets a subject use the `impersonate` verb on `users`, `groups`,
`serviceaccounts`, `userextras` or `uids`.

## Why it matters
Impersonation makes every request the subject sends count as another identity's. An
unlimited grant on groups reaches `system:masters`, which no RBAC binding can limit; a
grant on service accounts reaches every account's rights. A grant limited with
`resourceNames` is exactly as strong as the identities it names.

## What an attacker does
`kubectl get secrets -A --as=anyone --as-group=system:masters` — and the cluster is
theirs.

## How to fix
Remove `impersonate`, or limit it with `resourceNames` to identities that are no more
powerful than the subject.

```yaml
# before
rules:
  - apiGroups: [""]
    resources: ["users", "groups", "serviceaccounts"]
    verbs: ["impersonate"]
# after
rules:
  - apiGroups: [""]
    resources: ["users"]
    resourceNames: ["readonly-auditor"]
    verbs: ["impersonate"]
```
"#,
    remediation: "Remove the impersonate verb, or limit it with resourceNames to identities no more powerful than the subject.",
    references: &[Reference::cis("5.1.8"), VALID_ACCOUNTS, GOOD_PRACTICES],
};

/// KSP213 (R13).
pub static ESCALATE: Rule = Rule {
    id: "KSP213",
    name: "rbac-escalate",
    title: "escalate on roles: writing roles with permissions the writer lacks",
    severity: Severity::Critical,
    category: "rbac",
    kinds: BINDING_KINDS,
    doc: r#"A binding lets a subject use the `escalate` verb on `roles` or `clusterroles`
(together with the right to write them).

## Why it matters
The API server refuses a Role or ClusterRole that grants more than its writer holds —
unless the writer may `escalate`. With it, the writer can put `*` on `*` into any role
they are bound to, or can bind, and becomes cluster-admin.

## What an attacker does
The attacker edits a ClusterRole already bound to their account and adds
`{apiGroups: ["*"], resources: ["*"], verbs: ["*"]}`; the next request is allowed
everything.

## How to fix
Remove the `escalate` verb; people who write roles should only grant what they hold.

```yaml
# before
rules:
  - apiGroups: ["rbac.authorization.k8s.io"]
    resources: ["clusterroles"]
    verbs: ["create", "update", "escalate"]
# after
rules:
  - apiGroups: ["rbac.authorization.k8s.io"]
    resources: ["clusterroles"]
    verbs: ["create", "update"]
```
"#,
    remediation: "Remove the escalate verb; role authors should only grant what they hold.",
    references: &[Reference::cis("5.1.8"), CLUSTER_ROLES, GOOD_PRACTICES],
};

/// KSP214 (R14).
pub static BIND: Rule = Rule {
    id: "KSP214",
    name: "rbac-bind",
    title: "bind on roles: binding roles the binder does not hold",
    severity: Severity::Critical,
    category: "rbac",
    kinds: BINDING_KINDS,
    doc: r#"A binding lets a subject use the `bind` verb on `roles` or `clusterroles`
(together with the right to write bindings). The API server checks `bind` against the
role being referenced, by name.

## Why it matters
Without `bind`, a binding can only hand out roles whose rules the binder already holds.
With an unlimited `bind`, the subject binds itself — or any account it controls — to
`cluster-admin`.

## What an attacker does
`kubectl create clusterrolebinding pwn --clusterrole=cluster-admin
--serviceaccount=default:default`, then uses any pod in `default`.

## How to fix
Remove `bind`, or limit it with `resourceNames` to the roles the subject may hand out.

```yaml
# before
rules:
  - apiGroups: ["rbac.authorization.k8s.io"]
    resources: ["clusterroles"]
    verbs: ["bind"]
# after
rules:
  - apiGroups: ["rbac.authorization.k8s.io"]
    resources: ["clusterroles"]
    resourceNames: ["view"]
    verbs: ["bind"]
```
"#,
    remediation: "Remove the bind verb, or limit it with resourceNames to the roles the subject may hand out.",
    references: &[Reference::cis("5.1.8"), CLUSTER_ROLES, GOOD_PRACTICES],
};

/// KSP215 (R15).
pub static WRITE_BINDINGS: Rule = Rule {
    id: "KSP215",
    name: "rbac-write-bindings",
    title: "Write access to role bindings",
    severity: Severity::Medium,
    category: "rbac",
    kinds: BINDING_KINDS,
    doc: r#"A binding lets a subject create, update or patch RoleBindings or
ClusterRoleBindings (without `bind`, which KSP214 reports).

## Why it matters
The API server only lets the subject bind roles it fully holds, but that still lets it
copy its own rights to any identity it controls — a persistence mechanism that outlives
the removal of the original credential — and attach broad existing roles such as a
namespace's `admin`.

## What an attacker does
The attacker binds their rights to a service account of their own or to a group they
can enter, so that revoking the stolen credential does not revoke the access.

## How to fix
Leave binding management to cluster administrators and to GitOps tooling.

```yaml
# before
rules:
  - apiGroups: ["rbac.authorization.k8s.io"]
    resources: ["rolebindings"]
    verbs: ["create", "update", "patch"]
# after
rules:
  - apiGroups: ["rbac.authorization.k8s.io"]
    resources: ["rolebindings"]
    verbs: ["get", "list"]
```
"#,
    remediation: "Limit binding management to administrators; review who can bind the default admin/edit roles.",
    references: &[CLUSTER_ROLES, GOOD_PRACTICES],
};

/// KSP216 (R16).
pub static WRITE_ROLES: Rule = Rule {
    id: "KSP216",
    name: "rbac-write-roles",
    title: "Write access to roles, or rules pushed into the default roles by aggregation",
    severity: Severity::High,
    category: "rbac",
    kinds: &["ClusterRoleBinding", "RoleBinding", "ClusterRole"],
    doc: r#"A binding lets a subject create, update or patch Roles or ClusterRoles; or a
ClusterRole carries an `rbac.authorization.k8s.io/aggregate-to-{admin,edit,view}: "true"`
label and so adds its rules to the default `admin`, `edit` or `view` roles.

## Why it matters
Changing a role changes the rights of everyone bound to it. An aggregation label is the
quiet version: the aggregation controller (which holds `escalate`) copies the labelled
role's rules into every holder of the default roles across the cluster, with no binding
written anywhere.

## What an attacker does
The attacker creates a ClusterRole labelled `aggregate-to-view` that grants read on
Secrets; every subject with `view` anywhere can now read Secrets, including the
attacker's low-privilege account.

## How to fix
Limit role management to administrators, and review every ClusterRole that carries an
aggregate-to label.

```yaml
# before
kind: ClusterRole
metadata:
  name: extra-view
  labels:
    rbac.authorization.k8s.io/aggregate-to-view: "true"
rules:
  - {apiGroups: [""], resources: ["secrets"], verbs: ["get", "list"]}
# after
kind: ClusterRole
metadata:
  name: extra-view
rules:
  - {apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list"]}
```
"#,
    remediation: "Limit role management to administrators; remove aggregate-to-* labels unless every admin/edit/view holder should get those rules.",
    references: &[CLUSTER_ROLES, RBAC_DOCS, GOOD_PRACTICES],
};

/// KSP217 (R17).
pub static CSR_APPROVAL: Rule = Rule {
    id: "KSP217",
    name: "rbac-csr-approval",
    title: "Certificate signing request approval or signing",
    severity: Severity::Critical,
    category: "rbac",
    kinds: BINDING_KINDS,
    doc: r#"A binding lets a subject approve certificate signing requests (`update` on
`certificatesigningrequests/approval` and `approve` on a signer) or sign them
(`update` on `certificatesigningrequests/status` and `sign` on a signer). With `create`
on CSRs as well, the whole issuing path is in one hand.

## Why it matters
A client certificate from the `kubernetes.io/kube-apiserver-client` signer authenticates
as any user and any groups written in it — `O=system:masters` included, which no RBAC
change can take away. Certificates cannot be revoked short of rotating the cluster CA.

## What an attacker does
The attacker submits a CSR for `CN=admin,O=system:masters`, approves it, downloads the
certificate and keeps cluster-admin access for the certificate's lifetime.

## How to fix
Leave approval and signing to the certificate controller; limit `approve`/`sign` with
`resourceNames` to the signers a component really needs.

```yaml
# before
rules:
  - apiGroups: ["certificates.k8s.io"]
    resources: ["certificatesigningrequests/approval"]
    verbs: ["update"]
  - apiGroups: ["certificates.k8s.io"]
    resources: ["signers"]
    verbs: ["approve"]
# after
rules:
  - apiGroups: ["certificates.k8s.io"]
    resources: ["certificatesigningrequests"]
    verbs: ["get", "list"]
```
"#,
    remediation: "Remove CSR approval and signing permissions outside the certificate controller; limit approve/sign with resourceNames to the signers needed.",
    references: &[Reference::cis("5.1.11"), FORGE_CERTIFICATES, GOOD_PRACTICES],
};

/// KSP218 (R18).
pub static WEBHOOKS: Rule = Rule {
    id: "KSP218",
    name: "rbac-webhook-configuration",
    title: "Admission webhook configuration changes",
    severity: Severity::High,
    category: "rbac",
    kinds: BINDING_KINDS,
    doc: r#"A binding lets a subject create, update, patch or delete
ValidatingWebhookConfigurations or MutatingWebhookConfigurations.

## Why it matters
An admission webhook receives every object it matches before it is stored, Secrets
included, and a mutating one can rewrite pods (add containers, change the service
account, mount host paths). Deleting or loosening an existing policy webhook switches
its guardrails off for everyone.

## What an attacker does
The attacker registers a mutating webhook for all pods that injects a sidecar with the
attacker's image, or deletes the policy engine's webhook before deploying a privileged
pod.

## How to fix
Restrict webhook configuration changes to cluster administrators and to the controllers
that own each configuration.

```yaml
# before
rules:
  - apiGroups: ["admissionregistration.k8s.io"]
    resources: ["mutatingwebhookconfigurations"]
    verbs: ["*"]
# after
rules:
  - apiGroups: ["admissionregistration.k8s.io"]
    resources: ["mutatingwebhookconfigurations"]
    verbs: ["get", "list", "watch"]
```
"#,
    remediation: "Restrict webhook configuration changes to cluster administrators and the controllers that own them.",
    references: &[Reference::cis("5.1.12"), IMPAIR_DEFENSES, GOOD_PRACTICES],
};

/// KSP219 (R19).
pub static CREATE_PV: Rule = Rule {
    id: "KSP219",
    name: "rbac-create-persistentvolumes",
    title: "PersistentVolume creation",
    severity: Severity::High,
    category: "rbac",
    kinds: BINDING_KINDS,
    doc: r#"A binding lets a subject create PersistentVolumes, which are cluster-scoped
and may be of type `hostPath`.

## Why it matters
A `hostPath` PersistentVolume, claimed and mounted by a pod, exposes a node's
filesystem even where Pod Security admission forbids inline `hostPath` volumes. The
node's kubelet credentials, container runtime socket and other pods' data are there.

## What an attacker does
The attacker creates a PV with `hostPath: {path: /}`, a PVC bound to it and a pod that
mounts the claim, then reads `/var/lib/kubelet` and writes to `/etc` on the node.

## How to fix
Leave PersistentVolume creation to storage provisioners; users create
PersistentVolumeClaims.

```yaml
# before
rules:
  - apiGroups: [""]
    resources: ["persistentvolumes"]
    verbs: ["create"]
# after
rules:
  - apiGroups: [""]
    resources: ["persistentvolumeclaims"]
    verbs: ["create"]
```
"#,
    remediation: "Leave PersistentVolume creation to provisioners; users should create PersistentVolumeClaims.",
    references: &[Reference::cis("5.1.9"), ESCAPE_TO_HOST, GOOD_PRACTICES],
};

/// KSP220 (R20).
pub static MODIFY_NODES: Rule = Rule {
    id: "KSP220",
    name: "rbac-modify-nodes",
    title: "Node modification (and pod stealing)",
    severity: Severity::High,
    category: "rbac",
    kinds: BINDING_KINDS,
    doc: r#"A binding lets a subject update or patch nodes or `nodes/status` — labels,
taints, `unschedulable` — and, for the full finding, also delete or evict pods.

## Why it matters
Relabelling and tainting nodes steers where pods run. Combined with deleting or evicting
pods, it moves powerful pods (controllers with broad service accounts) onto a node the
attacker already controls, where their tokens can be taken.

## What an attacker does
The attacker cordons every node but their own, evicts the pods of a privileged
controller and collects its service-account token when it is rescheduled onto the
compromised node.

## How to fix
Keep node writes with node agents and controllers.

```yaml
# before
rules:
  - apiGroups: [""]
    resources: ["nodes", "nodes/status"]
    verbs: ["update", "patch"]
# after
rules:
  - apiGroups: [""]
    resources: ["nodes"]
    verbs: ["get", "list", "watch"]
```
"#,
    remediation: "Remove update/patch on nodes and nodes/status outside node agents and controllers.",
    references: &[ESCAPE_TO_HOST, GOOD_PRACTICES],
};

/// KSP221 (R21).
pub static POD_STATUS: Rule = Rule {
    id: "KSP221",
    name: "rbac-pod-status",
    title: "Pod status modification",
    severity: Severity::Low,
    category: "rbac",
    kinds: BINDING_KINDS,
    doc: r#"A binding lets a subject update or patch `pods/status`.

## Why it matters
Pod status decides readiness and the addresses that Services send traffic to. Rewriting
it lets the subject redirect a Service's endpoints to addresses it chooses.

## What an attacker does
The attacker rewrites the pod IP of a ready backend so that the Service's traffic goes
to a pod they control, and intercepts requests inside the namespace.

## How to fix
Leave pod status to the kubelet and controllers.

```yaml
# before
rules:
  - apiGroups: [""]
    resources: ["pods/status"]
    verbs: ["update", "patch"]
# after
rules:
  - apiGroups: [""]
    resources: ["pods"]
    verbs: ["get"]
```
"#,
    remediation: "Remove update/patch on pods/status outside controllers.",
    references: &[ADVERSARY_IN_THE_MIDDLE, GOOD_PRACTICES],
};

/// KSP222 (R22).
pub static SERVICE_STATUS: Rule = Rule {
    id: "KSP222",
    name: "rbac-service-status",
    title: "Service status modification (CVE-2020-8554)",
    severity: Severity::Medium,
    category: "rbac",
    kinds: BINDING_KINDS,
    doc: r#"A binding lets a subject update or patch `services/status`, which holds the
load-balancer ingress addresses.

## Why it matters
Setting `status.loadBalancer.ingress` to an arbitrary IP makes kube-proxy on every node
route traffic for that IP to the subject's Service (CVE-2020-8554): a
man-in-the-middle position against cluster traffic to that address.

## What an attacker does
The attacker patches their Service's status with the IP of an external API the cluster
uses and receives every in-cluster connection to it.

## How to fix
Leave Service status to the service controller, and block `externalIPs` with an
admission policy.

```yaml
# before
rules:
  - apiGroups: [""]
    resources: ["services/status"]
    verbs: ["patch"]
# after
rules:
  - apiGroups: [""]
    resources: ["services"]
    verbs: ["get", "list"]
```
"#,
    remediation: "Remove update/patch on services/status outside the service controller; block externalIPs with an admission policy.",
    references: &[
        ADVERSARY_IN_THE_MIDDLE,
        Reference::docs(
            "CVE-2020-8554",
            "https://github.com/kubernetes/kubernetes/issues/97076",
        ),
    ],
};

/// KSP223 (R23).
pub static MODIFY_NAMESPACES: Rule = Rule {
    id: "KSP223",
    name: "rbac-modify-namespaces",
    title: "Namespace modification",
    severity: Severity::Medium,
    category: "rbac",
    kinds: BINDING_KINDS,
    doc: r#"A binding lets a subject update or patch Namespace objects. A RoleBinding is
enough for the namespace it lives in.

## Why it matters
Namespace labels select the Pod Security admission level
(`pod-security.kubernetes.io/enforce`) and NetworkPolicy namespace selectors. Relabelling
a namespace can switch its pod guardrails off or let it through other namespaces'
network policies.

## What an attacker does
The attacker sets `pod-security.kubernetes.io/enforce: privileged` on their namespace
and then creates a privileged pod that escapes to the node.

## How to fix
Leave namespace changes to cluster administrators.

```yaml
# before
rules:
  - apiGroups: [""]
    resources: ["namespaces"]
    verbs: ["patch", "update"]
# after
rules:
  - apiGroups: [""]
    resources: ["namespaces"]
    verbs: ["get"]
```
"#,
    remediation: "Remove update/patch on namespaces; namespace labels decide Pod Security admission levels.",
    references: &[IMPAIR_DEFENSES, GOOD_PRACTICES],
};

/// KSP225 (R25).
pub static EVERYONE: Rule = Rule {
    id: "KSP225",
    name: "rbac-grant-to-everyone",
    title: "Grant to everyone (anonymous, all authenticated users, all service accounts)",
    severity: Severity::Critical,
    category: "rbac",
    kinds: BINDING_KINDS,
    doc: r#"A binding names `system:anonymous`, `system:unauthenticated`,
`system:authenticated` or `system:serviceaccounts` as a subject. Critical when the role
is risky; otherwise medium (or high for unauthenticated access).

## Why it matters
The rights go to every caller that reaches the API server — or to every workload of
the cluster. Any risky grant held this way is one request away for anyone, and any pod
compromise anywhere inherits it.

## What an attacker does
The attacker needs no credential at all (anonymous) or only the token of any pod in the
cluster, and uses the grant directly.

## How to fix
Bind the role to the specific users, groups or service accounts that need it.

```yaml
# before
subjects:
  - {kind: Group, name: system:authenticated, apiGroup: rbac.authorization.k8s.io}
# after
subjects:
  - {kind: Group, name: platform-team, apiGroup: rbac.authorization.k8s.io}
```
"#,
    remediation: "Bind the role to the specific users, groups or service accounts that need it.",
    references: &[VALID_ACCOUNTS, GOOD_PRACTICES],
};

/// KSP226 (R26).
pub static DESTRUCTIVE: Rule = Rule {
    id: "KSP226",
    name: "rbac-destructive-wildcard",
    title: "Destructive wildcard: delete on every kind of resource",
    severity: Severity::High,
    category: "rbac",
    kinds: BINDING_KINDS,
    doc: r#"A binding lets a subject `delete` or `deletecollection` on `*` resources.

## Why it matters
One request per type wipes workloads, configuration and data — including resource types
added later by CRDs, such as backups or certificates.

## What an attacker does
The attacker runs `kubectl delete all,pvc,secrets,configmaps --all -n <ns>` for each
namespace, or uses the grant as ransom leverage.

## How to fix
Replace the wildcard with the resource types the subject manages.

```yaml
# before
rules:
  - apiGroups: ["*"]
    resources: ["*"]
    verbs: ["get", "list", "delete"]
# after
rules:
  - apiGroups: ["batch"]
    resources: ["jobs"]
    verbs: ["get", "list", "delete"]
```
"#,
    remediation: "Replace delete on * with the resource types the subject manages.",
    references: &[Reference::cis("5.1.3"), DATA_DESTRUCTION, GOOD_PRACTICES],
};

/// KSP227 (R27).
pub static DANGLING: Rule = Rule {
    id: "KSP227",
    name: "rbac-dangling-binding",
    title: "Dangling binding: missing role or missing service account",
    severity: Severity::Medium,
    category: "rbac",
    kinds: BINDING_KINDS,
    doc: r#"A binding refers to a role that does not exist in the input, or names a
service account that is not among the namespace's service accounts.

## Why it matters
A dangling binding grants nothing today and comes alive the moment someone creates a
role or account with that name. Whoever can create Roles in the namespace, or service
accounts, inherits a grant nobody reviews any more.

## What an attacker does
The attacker creates a Role named like the missing one, with the rules they want, and
is granted it through the forgotten binding — passing the escalation check, because
the binding already exists.

## How to fix
Delete the binding (or the stale subject), or create the role it is meant for.

```yaml
# before
kind: RoleBinding
roleRef: {kind: Role, name: old-deployer}    # no such Role
subjects:
  - {kind: User, name: bob}
# after: the binding is deleted
```
"#,
    remediation: "Delete the binding or the stale subject, or create the role it is meant to reference.",
    references: &[VALID_ACCOUNTS, GOOD_PRACTICES],
};

/// KSP228 (R28).
pub static CLOUD_IAM: Rule = Rule {
    id: "KSP228",
    name: "rbac-cloud-iam-service-account",
    title: "Service account linked to a cloud IAM identity",
    severity: Severity::Low,
    category: "rbac",
    kinds: &["ServiceAccount"],
    doc: r#"A ServiceAccount carries an annotation that links it to a cloud identity (EKS
IRSA `eks.amazonaws.com/role-arn`, GKE Workload Identity
`iam.gke.io/gcp-service-account`, Azure Workload Identity
`azure.workload.identity/client-id`).

## Why it matters
Every path to this account's token — reading Secrets, minting tokens, creating pods,
exec — now also reaches the cloud account, outside anything RBAC can see or limit.

## What an attacker does
The attacker mints a token for the account (or runs a pod as it) and exchanges it for
cloud credentials with the role's rights: buckets, databases, other clusters.

## How to fix
Give the cloud role least privilege and keep token minting, pod creation and exec in
that namespace tight; remove the annotation where the link is not needed.

```yaml
# before
kind: ServiceAccount
metadata:
  name: uploader
  annotations:
    eks.amazonaws.com/role-arn: arn:aws:iam::123456789012:role/admin
# after
kind: ServiceAccount
metadata:
  name: uploader
  annotations:
    eks.amazonaws.com/role-arn: arn:aws:iam::123456789012:role/uploads-write-only
```
"#,
    remediation: "Grant the cloud role least privilege and keep token-minting, pod-creation and secret-reading rights in that namespace tight.",
    references: &[CLOUD_ACCOUNTS, STEAL_TOKEN],
};

/// Every KSP2xx rule, in ID order.
static RULES: [&Rule; 26] = [
    &WILDCARD,
    &READ_SECRETS,
    &WRITE_SECRETS,
    &TOKEN_REQUEST,
    &CREATE_WORKLOADS,
    &MODIFY_PODS,
    &EXEC_ATTACH,
    &EPHEMERAL_CONTAINERS,
    &PORT_FORWARD,
    &NODES_PROXY,
    &IMPERSONATE,
    &ESCALATE,
    &BIND,
    &WRITE_BINDINGS,
    &WRITE_ROLES,
    &CSR_APPROVAL,
    &WEBHOOKS,
    &CREATE_PV,
    &MODIFY_NODES,
    &POD_STATUS,
    &SERVICE_STATUS,
    &MODIFY_NAMESPACES,
    &EVERYONE,
    &DESTRUCTIVE,
    &DANGLING,
    &CLOUD_IAM,
];

// ---------------------------------------------------------------------------------
// paths
// ---------------------------------------------------------------------------------

fn paths(args: PathsArgs) -> anyhow::Result<u8> {
    let out_args = output_args(&args.input, args.output.clone(), false);
    let inventory = context::load_inventory(&args.input.files, &out_args);
    let loaded = Loaded::new(&inventory);
    loaded.report_problems(false);
    let model = &loaded.model;
    let mut header = None;
    let found: Vec<EscalationPath> = if let Some(from) = &args.from {
        let Some(start) = Principal::parse(from) else {
            bail!("--from {from:?}: expected a user, group:NAME or service account");
        };
        model.escalation_paths_from(&[start])
    } else if let Some(pod) = &args.from_pod {
        let Some((ns, name)) = pod
            .split_once('/')
            .filter(|(n, p)| !n.is_empty() && !p.is_empty())
        else {
            bail!("--from-pod {pod:?}: expected NAMESPACE/POD");
        };
        let Some(start) = model.pod_principal(ns, name) else {
            bail!("--from-pod {pod}: no pod or workload {name} in namespace {ns} in the input");
        };
        header = Some(format!("pod {ns}/{name} runs as {}", start.label()));
        model.escalation_paths_from(&[start])
    } else {
        model.escalation_paths(PathOptions {
            include_defaults: args.include_defaults,
        })
    };
    let mut out = context::open_output(&out_args)?;
    match args.format {
        PathsFormat::Table => {
            if let Some(h) = &header {
                writeln!(out, "{h}")?;
            }
            write_paths_table(&mut out, &found)?;
        }
        PathsFormat::Json => {
            let mut doc = json!({ "paths": found });
            if let Some(h) = header {
                doc["from"] = json!(h);
            }
            serde_json::to_writer_pretty(&mut out, &doc)?;
            writeln!(out)?;
        }
        PathsFormat::Dot => write!(out, "{}", render_dot(&found))?,
    }
    out.flush()?;
    Ok(status(u8::from(!found.is_empty()), &loaded))
}

fn write_paths_table(out: &mut dyn Write, paths: &[EscalationPath]) -> std::io::Result<()> {
    if paths.is_empty() {
        return writeln!(out, "no escalation path to cluster-admin found");
    }
    for (i, path) in paths.iter().enumerate() {
        let goal = path.steps.last().map(|s| s.to.label()).unwrap_or_default();
        let n = path.steps.len();
        let plural = if n == 1 { "" } else { "s" };
        if i > 0 {
            writeln!(out)?;
        }
        writeln!(
            out,
            "PATH {}: {} -> {goal} in {n} step{plural}",
            i + 1,
            path.start.label()
        )?;
        for (j, step) in path.steps.iter().enumerate() {
            writeln!(
                out,
                "  {}. [{}] {} {} -> {}",
                j + 1,
                step.risk,
                step.from.label(),
                step.action,
                step.to.label()
            )?;
            for g in &step.granted_by {
                writeln!(out, "       granted by {g}")?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use kspect_core::rule::{REQUIRED_DOC_SECTIONS, RefKind};

    #[test]
    fn every_rule_is_documented() {
        for rule in rules() {
            let summary = rule.doc.split("\n## ").next().unwrap_or("").trim();
            assert!(summary.len() > 40, "{}: no summary paragraph", rule.id);
            let mut last = 0;
            for section in REQUIRED_DOC_SECTIONS {
                let at = rule
                    .doc
                    .find(section)
                    .unwrap_or_else(|| panic!("{}: missing {section:?}", rule.id));
                assert!(at >= last, "{}: {section:?} out of order", rule.id);
                last = at;
            }
            let fix = &rule.doc[rule.doc.find("## How to fix").unwrap_or(0)..];
            let snippet = fix
                .split("```yaml")
                .nth(1)
                .and_then(|s| s.split("```").next())
                .unwrap_or_else(|| panic!("{}: no yaml snippet under How to fix", rule.id));
            assert!(
                snippet.contains("# before") && snippet.contains("# after"),
                "{}: snippet needs # before and # after",
                rule.id
            );
            assert!(!rule.kinds.is_empty() && !rule.remediation.is_empty());
            assert_eq!(rule.category, "rbac");
            assert!(
                rule.references.iter().any(|r| r.kind == RefKind::Mitre),
                "{}: no MITRE reference",
                rule.id
            );
            assert!(
                rule.references
                    .iter()
                    .all(|r| r.url.starts_with("https://"))
            );
        }
    }

    #[test]
    fn ids_are_sorted_unique_and_cover_the_engine() {
        let ids: Vec<&str> = rules().iter().map(|r| r.id).collect();
        let mut sorted = ids.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(ids, sorted);
        // Every pattern of the engine's catalogue, plus the object checks it reports
        // outside the catalogue (R25 everyone, R27 dangling, R28 cloud IAM, R16 labels).
        let mut engine: Vec<&str> = kspect_rbac::risks::catalog::PATTERNS
            .iter()
            .map(|p| p.rule_id)
            .collect();
        engine.extend(["KSP225", "KSP227", "KSP228", "KSP216"]);
        for id in engine {
            assert!(rule_by_id(id).is_some(), "no rule for {id}");
        }
        // The number after the 2 is the RISKS.md entry.
        for p in kspect_rbac::risks::catalog::PATTERNS {
            assert_eq!(&p.rule_id[4..], &p.risk[1..], "{}", p.rule_id);
        }
    }

    #[test]
    fn who_can_table_pads_like_go_tabwriter() {
        let mut out = Vec::new();
        let rows = vec![
            vec!["b".to_string(), "jane".into(), "User".into(), String::new()],
            vec![
                "long-binding".to_string(),
                "sa".into(),
                "ServiceAccount".into(),
                "ns1".into(),
            ],
        ];
        write_tabbed(
            &mut out,
            &["CLUSTERROLEBINDING", "SUBJECT", "TYPE", "SA-NAMESPACE"],
            &rows,
        )
        .unwrap_or_default();
        let text = String::from_utf8(out).unwrap_or_default();
        assert_eq!(
            text,
            "CLUSTERROLEBINDING  SUBJECT  TYPE            SA-NAMESPACE\n\
             b                   jane     User            \n\
             long-binding        sa       ServiceAccount  ns1\n"
        );
    }
}
