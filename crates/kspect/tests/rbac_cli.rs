//! `kspect rbac ...` through the real binary: the command-line contract of issue 3
//! (can-i, review, list, who-can, risks), the RBAC corpus through `rbac review` and
//! `rbac who-can`, and the risk findings on the default policy.

mod common;

use std::path::{Path, PathBuf};

use common::{run, run_stdin, write};
use serde_json::{Value, json};

/// `../shared/corpus/rbac`, or `None` with a visible message (a failure under `CI=true`).
fn corpus_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/rbac");
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("corpus not found at {} (CI=true)", dir.display());
    }
    eprintln!("skipping: corpus not found at {}", dir.display());
    println!("skipping: corpus not found at {}", dir.display());
    None
}

fn read_jsonl(dir: &Path, name: &str) -> Vec<Value> {
    let text = std::fs::read_to_string(dir.join(name)).expect("read corpus file");
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("corpus line is JSON"))
        .collect()
}

/// Prints "N of M passed" and fails listing the first disagreements.
fn finish(what: &str, total: usize, failures: &[String]) {
    println!("{what}: {} of {total} passed", total - failures.len());
    assert!(
        failures.is_empty(),
        "{what}: {} of {total} disagree; first ones:\n{}",
        failures.len(),
        failures
            .iter()
            .take(10)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// The roles and bindings of a corpus line as one JSON `kind: List` document.
fn objects_file(dir: &Path, line: &Value) -> PathBuf {
    let mut items = Vec::new();
    for key in ["roles", "bindings"] {
        items.extend(line[key].as_array().into_iter().flatten().cloned());
    }
    let list = json!({"apiVersion": "v1", "kind": "List", "items": items});
    write(dir, "objects.json", &list.to_string())
}

/// A SubjectAccessReview asking exactly what the corpus request asks.
fn sar_for(req: &Value) -> Value {
    let mut spec = json!({"user": req["user"], "groups": req["groups"]});
    if req["resourceRequest"].as_bool().unwrap_or(true) {
        spec["resourceAttributes"] = json!({
            "namespace": req["namespace"], "verb": req["verb"], "group": req["apiGroup"],
            "resource": req["resource"], "subresource": req["subresource"], "name": req["name"],
        });
    } else {
        spec["nonResourceAttributes"] = json!({"path": req["path"], "verb": req["verb"]});
    }
    json!({"apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview", "spec": spec})
}

#[test]
fn every_corpus_case_through_rbac_review() {
    let Some(corpus) = corpus_dir() else {
        return;
    };
    let cases = read_jsonl(&corpus, "cases.jsonl");
    assert!(!cases.is_empty());
    let mut failures = Vec::new();
    for case in &cases {
        let name = case["name"].as_str().unwrap_or("?");
        let expected = case["allowed"].as_bool().expect("allowed is a bool");
        let dir = tempfile::tempdir().unwrap();
        objects_file(dir.path(), case);
        let sar = sar_for(&case["request"]);
        write(dir.path(), "sar.json", &sar.to_string());
        let r = run(
            &["rbac", "review", "sar.json", "-f", "objects.json"],
            dir.path(),
        );
        let mut problems = Vec::new();
        match serde_json::from_str::<Value>(&r.stdout) {
            Ok(out) => {
                if out["status"]["allowed"] != json!(expected) {
                    problems.push(format!("status {}", out["status"]));
                }
                if expected
                    && !out["status"]["reason"]
                        .as_str()
                        .unwrap_or("")
                        .starts_with("RBAC: allowed by ")
                {
                    problems.push(format!("reason {}", out["status"]["reason"]));
                }
                // The review comes back whole, with only `status` added.
                if out["spec"] != sar["spec"] || out["kind"] != sar["kind"] {
                    problems.push("spec not echoed".into());
                }
            }
            Err(e) => problems.push(format!("output is not JSON ({e}): {}", r.stderr)),
        }
        let expected_code = if expected { 0 } else { 1 };
        if r.code != expected_code {
            problems.push(format!("exit {} (stderr {})", r.code, r.stderr.trim()));
        }
        if !problems.is_empty() {
            failures.push(format!(
                "{name}: expected {expected}, {}",
                problems.join("; ")
            ));
        }
    }
    finish(
        "cases.jsonl through `kspect rbac review`",
        cases.len(),
        &failures,
    );
}

#[test]
fn every_whocan_line_through_rbac_who_can() {
    let Some(corpus) = corpus_dir() else {
        return;
    };
    let lines = read_jsonl(&corpus, "whocan.jsonl");
    assert!(!lines.is_empty());
    let mut failures = Vec::new();
    for line in &lines {
        let name = line["name"].as_str().unwrap_or("?");
        let req = &line["request"];
        let dir = tempfile::tempdir().unwrap();
        objects_file(dir.path(), line);
        let s = |k: &str| req[k].as_str().unwrap_or("").to_string();
        // `--exact`: the corpus request is literal (`Pods`, not kubectl's `pods`).
        let mut args: Vec<String> =
            vec!["rbac".into(), "who-can".into(), "--exact".into(), s("verb")];
        let mut target = s("resource");
        if !s("apiGroup").is_empty() {
            target = format!("{target}.{}", s("apiGroup"));
        }
        args.push(target);
        // The request namespace literally: `-n ''` is a request without namespace.
        args.extend(["-n".into(), s("namespace")]);
        if !s("subresource").is_empty() {
            args.extend(["--subresource".into(), s("subresource")]);
        }
        if let Some(u) = line["superUser"].as_str().filter(|u| !u.is_empty()) {
            args.extend(["--super-user".into(), u.to_string()]);
        }
        args.extend([
            "--format".into(),
            "json".into(),
            "-f".into(),
            "objects.json".into(),
        ]);
        let argv: Vec<&str> = args.iter().map(String::as_str).collect();
        let r = run(&argv, dir.path());
        let key = |v: &Value| {
            let f = |k: &str| v[k].as_str().unwrap_or("").to_string();
            (f("kind"), f("apiGroup"), f("name"), f("namespace"))
        };
        let expected: Vec<_> = line["subjects"]
            .as_array()
            .expect("subjects")
            .iter()
            .map(key)
            .collect();
        match serde_json::from_str::<Value>(&r.stdout) {
            Ok(out) if r.code == 0 => {
                let got: Vec<_> = out["subjects"]
                    .as_array()
                    .map(|a| a.iter().map(key).collect())
                    .unwrap_or_default();
                if got != expected {
                    failures.push(format!(
                        "{name}:\n  got      {got:?}\n  expected {expected:?}"
                    ));
                }
            }
            _ => failures.push(format!("{name}: exit {}: {}", r.code, r.stderr)),
        }
    }
    finish(
        "whocan.jsonl through `kspect rbac who-can`",
        lines.len(),
        &failures,
    );
}

/// A small shop: jane and the `web` service account read pods in `shop`; every service
/// account of `ci` may deploy everywhere; `ci/builder` reads every Secret; everyone
/// may GET /healthz; one binding points at a ClusterRole that does not exist.
const SHOP: &str = "apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: pod-reader
  namespace: shop
rules:
  - apiGroups: [\"\"]
    resources: [\"pods\", \"pods/log\"]
    verbs: [\"get\", \"list\"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: reader
  namespace: shop
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: pod-reader
subjects:
  - apiGroup: rbac.authorization.k8s.io
    kind: User
    name: jane
  - kind: ServiceAccount
    name: web
    namespace: shop
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: deployer
rules:
  - apiGroups: [\"apps\"]
    resources: [\"deployments\"]
    verbs: [\"create\", \"update\"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: ci-deployer
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: deployer
subjects:
  - apiGroup: rbac.authorization.k8s.io
    kind: Group
    name: system:serviceaccounts:ci
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: secret-reader
rules:
  - apiGroups: [\"\"]
    resources: [\"secrets\"]
    verbs: [\"get\", \"list\"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: builder-secrets
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: secret-reader
subjects:
  - kind: ServiceAccount
    name: builder
    namespace: ci
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: health
rules:
  - nonResourceURLs: [\"/healthz\", \"/metrics*\"]
    verbs: [\"get\"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: health-for-all
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: health
subjects:
  - apiGroup: rbac.authorization.k8s.io
    kind: Group
    name: system:authenticated
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: ghost
  namespace: legacy
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: old-admin
subjects:
  - apiGroup: rbac.authorization.k8s.io
    kind: User
    name: bob
";

const WEB_POD: &str = "apiVersion: v1
kind: Pod
metadata:
  name: web-7f9
  namespace: shop
spec:
  serviceAccountName: web
  containers:
    - name: web
      image: nginx:1.25
";

/// 1-based line of the first line of `text` that equals `line` after `after` (a line).
fn line_of(text: &str, after: &str, line: &str) -> u64 {
    let start = text
        .lines()
        .position(|l| l == after)
        .unwrap_or_else(|| panic!("no line {after:?}"));
    let at = text
        .lines()
        .enumerate()
        .skip(start)
        .find(|(_, l)| *l == line)
        .unwrap_or_else(|| panic!("no line {line:?} after {after:?}"))
        .0;
    at as u64 + 1
}

fn shop() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "rbac.yaml", SHOP);
    write(dir.path(), "web.yaml", WEB_POD);
    dir
}

#[test]
fn can_i_says_yes_or_no_with_kubectl_exit_codes() {
    let dir = shop();
    let d = dir.path();
    let ask = |args: &[&str]| {
        let mut all = vec!["rbac", "can-i"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["-f", "rbac.yaml"]);
        run(&all, d)
    };
    let yes = ask(&["get", "pods", "-n", "shop", "--as", "jane"]);
    assert_eq!(
        (yes.code, yes.stdout.as_str()),
        (0, "yes\n"),
        "{}",
        yes.stderr
    );
    let no = ask(&["get", "pods", "-n", "other", "--as", "jane"]);
    assert_eq!((no.code, no.stdout.as_str()), (1, "no\n"), "{}", no.stderr);
    // Without -n, kubectl asks in `default`: the RoleBinding in shop does not count.
    assert_eq!(ask(&["get", "pods", "--as", "jane"]).code, 1);
    // Kind and short names, TYPE/NAME, subresources.
    assert_eq!(
        ask(&["get", "po/web-7f9", "-n", "shop", "--as", "jane"]).code,
        0
    );
    assert_eq!(ask(&["list", "Pod", "-n", "shop", "--as", "jane"]).code, 0);
    // --exact takes the type as written: `Pod` is not a resource a rule names.
    assert_eq!(
        ask(&["list", "Pod", "-n", "shop", "--as", "jane", "--exact"]).code,
        1
    );
    assert_eq!(
        ask(&["list", "pods", "-n", "shop", "--as", "jane", "--exact"]).code,
        0
    );
    let log = ask(&[
        "get",
        "pods",
        "-n",
        "shop",
        "--subresource",
        "log",
        "--as",
        "jane",
    ]);
    assert_eq!(log.code, 0);
    let exec = ask(&[
        "create",
        "pods",
        "-n",
        "shop",
        "--subresource",
        "exec",
        "--as",
        "jane",
    ]);
    assert_eq!(exec.code, 1);
    // The group as kubectl writes it; the core group does not have deployments.
    let sa = "system:serviceaccount:ci:runner";
    assert_eq!(
        ask(&["create", "deployments.apps", "-n", "prod", "--as", sa]).code,
        0
    );
    assert_eq!(ask(&["create", "deploy", "-n", "prod", "--as", sa]).code, 0);
    assert_eq!(
        ask(&["create", "deployments.extensions", "-n", "prod", "--as", sa]).code,
        1
    );
    // -A: a request without namespace; ClusterRoleBindings still grant it.
    let builder = "system:serviceaccount:ci:builder";
    assert_eq!(ask(&["list", "secrets", "-A", "--as", builder]).code, 0);
    assert_eq!(ask(&["list", "secrets", "-A", "--as", "jane"]).code, 1);
    // -q: nothing printed, the exit status answers.
    let quiet = ask(&["get", "pods", "-n", "shop", "--as", "jane", "-q"]);
    assert_eq!((quiet.code, quiet.stdout.as_str()), (0, ""));
    let quiet_no = ask(&["delete", "pods", "-n", "shop", "--as", "jane", "-q"]);
    assert_eq!((quiet_no.code, quiet_no.stdout.as_str()), (1, ""));
}

#[test]
fn service_account_identity_implies_its_groups() {
    let dir = shop();
    let d = dir.path();
    // ci-deployer is bound to the group system:serviceaccounts:ci only.
    let sa = ["--as", "system:serviceaccount:ci:runner"];
    let mut args = vec!["rbac", "can-i", "update", "deployments", "-n", "x"];
    args.extend_from_slice(&sa);
    args.extend_from_slice(&["-f", "rbac.yaml", "--format", "json"]);
    let r = run(&args, d);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(
        doc["request"]["groups"],
        json!([
            "system:serviceaccounts",
            "system:serviceaccounts:ci",
            "system:authenticated"
        ])
    );
    assert_eq!(
        doc["reasons"][0]["subject"]["name"],
        "system:serviceaccounts:ci"
    );
    // Explicit --as-group replaces the implied service-account groups, as the
    // impersonation filter does.
    let r = run(
        &[
            "rbac",
            "can-i",
            "update",
            "deployments",
            "-n",
            "x",
            "--as",
            "system:serviceaccount:ci:runner",
            "--as-group",
            "devs",
            "-f",
            "rbac.yaml",
        ],
        d,
    );
    assert_eq!((r.code, r.stdout.as_str()), (1, "no\n"));
    // Another namespace's account is not in the group.
    let r = run(
        &[
            "rbac",
            "can-i",
            "update",
            "deployments",
            "-n",
            "x",
            "--as",
            "system:serviceaccount:shop:web",
            "-f",
            "rbac.yaml",
        ],
        d,
    );
    assert_eq!(r.code, 1);
    // Every authenticated identity carries system:authenticated: /healthz and the
    // trailing-* URL rule.
    for url in ["/healthz", "/metrics/cadvisor"] {
        let r = run(
            &[
                "rbac",
                "can-i",
                "get",
                url,
                "--as",
                "anyone",
                "-f",
                "rbac.yaml",
            ],
            d,
        );
        assert_eq!((r.code, r.stdout.as_str()), (0, "yes\n"), "{url}");
    }
    let r = run(
        &[
            "rbac",
            "can-i",
            "get",
            "/healthz/x",
            "--as",
            "anyone",
            "-f",
            "rbac.yaml",
        ],
        d,
    );
    assert_eq!(r.code, 1);
    let r = run(
        &[
            "rbac",
            "can-i",
            "get",
            "/healthz",
            "--as",
            "system:anonymous",
            "-f",
            "rbac.yaml",
        ],
        d,
    );
    assert_eq!(r.code, 1, "anonymous is not authenticated");
}

#[test]
fn can_i_json_names_binding_role_and_rule() {
    let dir = shop();
    let r = run(
        &[
            "rbac",
            "can-i",
            "list",
            "pods",
            "-n",
            "shop",
            "--as",
            "system:serviceaccount:shop:web",
            "--format",
            "json",
            "-f",
            "rbac.yaml",
        ],
        dir.path(),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(doc["allowed"], true);
    let reasons = doc["reasons"].as_array().unwrap();
    assert_eq!(reasons.len(), 1, "{reasons:#?}");
    let why = &reasons[0];
    assert_eq!(
        why["text"],
        "RoleBinding \"reader/shop\" of Role \"pod-reader\" to ServiceAccount \"web/shop\""
    );
    assert_eq!(
        doc["reason"],
        format!("RBAC: allowed by {}", why["text"].as_str().unwrap())
    );
    assert_eq!(why["binding"]["kind"], "RoleBinding");
    assert_eq!(why["binding"]["name"], "reader");
    assert_eq!(why["binding"]["namespace"], "shop");
    assert_eq!(why["binding"]["file"], "rbac.yaml");
    // The binding's document starts on the line before its `kind:`.
    let kind_line = SHOP.lines().position(|l| l == "kind: RoleBinding").unwrap() as u64 + 1;
    assert_eq!(why["binding"]["line"], kind_line - 1, "binding line");
    assert_eq!(why["role"]["name"], "pod-reader");
    assert_eq!(why["role"]["line"], 1);
    assert_eq!(why["ruleIndex"], 0);
    assert_eq!(why["rule"]["verbs"], json!(["get", "list"]));
    assert_eq!(why["subject"]["kind"], "ServiceAccount");

    // A "no" in JSON: no reasons.
    let r = run(
        &[
            "rbac",
            "can-i",
            "delete",
            "pods",
            "-n",
            "shop",
            "--as",
            "jane",
            "--format",
            "json",
            "-f",
            "rbac.yaml",
        ],
        dir.path(),
    );
    assert_eq!(r.code, 1);
    let doc: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(doc["allowed"], false);
    assert_eq!(doc["reasons"], json!([]));
}

#[test]
fn missing_role_gives_the_api_server_reason() {
    let dir = shop();
    let r = run(
        &[
            "rbac",
            "can-i",
            "get",
            "pods",
            "-n",
            "legacy",
            "--as",
            "bob",
            "-f",
            "rbac.yaml",
        ],
        dir.path(),
    );
    assert_eq!(r.code, 1);
    assert_eq!(
        r.stdout,
        "no - RBAC: clusterrole.rbac.authorization.k8s.io \"old-admin\" not found\n"
    );
}

#[test]
fn input_from_several_paths_directories_and_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Split the shop into two files in a folder.
    let (first, second) = SHOP.split_at(
        SHOP.find("---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\n")
            .unwrap(),
    );
    write(d, "in/a.yaml", first);
    write(d, "in/b.yaml", second.trim_start_matches("---\n"));
    let sa = "system:serviceaccount:ci:runner";
    // Role in a.yaml, deployer in b.yaml.
    let jane = ["rbac", "can-i", "get", "pods", "-n", "shop", "--as", "jane"];
    let ci = [
        "rbac",
        "can-i",
        "create",
        "deployments.apps",
        "-n",
        "p",
        "--as",
        sa,
    ];
    let with = |base: &[&str], files: &[&str]| {
        let mut a: Vec<&str> = base.to_vec();
        a.extend_from_slice(files);
        run(&a, d).code
    };
    assert_eq!(with(&jane, &["-f", "in/a.yaml", "in/b.yaml"]), 0);
    assert_eq!(with(&ci, &["-f", "in/a.yaml", "in/b.yaml"]), 0);
    assert_eq!(with(&ci, &["-f", "in/a.yaml", "-f", "in/b.yaml"]), 0);
    assert_eq!(with(&ci, &["-f", "in"]), 0);
    assert_eq!(with(&ci, &["-f", "in/a.yaml"]), 1, "b.yaml not read");
    // stdin
    let mut args: Vec<&str> = ci.to_vec();
    args.extend_from_slice(&["-f", "-"]);
    let r = run_stdin(&args, d, SHOP);
    assert_eq!((r.code, r.stdout.as_str()), (0, "yes\n"), "{}", r.stderr);
    // A missing input is an input error: exit 2 even though the answer is printed.
    assert_eq!(with(&jane, &["-f", "in/a.yaml", "nope.yaml"]), 2);
}

#[test]
fn usage_errors_exit_2() {
    let dir = shop();
    let d = dir.path();
    // No -f.
    assert_eq!(
        run(&["rbac", "can-i", "get", "pods", "--as", "jane"], d).code,
        2
    );
    // No --as.
    assert_eq!(
        run(&["rbac", "can-i", "get", "pods", "-f", "rbac.yaml"], d).code,
        2
    );
    // -n and -A together.
    let r = run(
        &[
            "rbac",
            "can-i",
            "get",
            "pods",
            "-n",
            "a",
            "-A",
            "--as",
            "j",
            "-f",
            "rbac.yaml",
        ],
        d,
    );
    assert_eq!(r.code, 2);
    // A subresource with a URL, as kubectl refuses it.
    let r = run(
        &[
            "rbac",
            "can-i",
            "get",
            "/healthz",
            "--subresource",
            "x",
            "--as",
            "j",
            "-f",
            "rbac.yaml",
        ],
        d,
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("--subresource can not be used with NonResourceURL"),
        "{}",
        r.stderr
    );
    // A bad type.
    assert_eq!(
        run(
            &[
                "rbac",
                "can-i",
                "get",
                "pods.",
                "--as",
                "j",
                "-f",
                "rbac.yaml"
            ],
            d
        )
        .code,
        2
    );
    // A review that is not one.
    write(d, "bad.json", "{\"kind\": \"Pod\"}");
    assert_eq!(
        run(&["rbac", "review", "bad.json", "-f", "rbac.yaml"], d).code,
        2
    );
}

#[test]
fn kubectl_warnings_on_stderr() {
    let dir = shop();
    let r = run(
        &[
            "rbac",
            "can-i",
            "list",
            "nodes",
            "--as",
            "j",
            "-f",
            "rbac.yaml",
        ],
        dir.path(),
    );
    assert_eq!(r.code, 1);
    assert!(
        r.stderr
            .contains("Warning: resource 'nodes' is not namespace scoped"),
        "{}",
        r.stderr
    );
    let r = run(
        &[
            "rbac",
            "can-i",
            "frob",
            "pods",
            "--as",
            "j",
            "-f",
            "rbac.yaml",
        ],
        dir.path(),
    );
    assert!(
        r.stderr
            .contains("Warning: verb 'frob' is not a known verb"),
        "{}",
        r.stderr
    );
}

#[test]
fn review_prints_the_sar_with_status() {
    let dir = shop();
    let d = dir.path();
    let sar = json!({
        "apiVersion": "authorization.k8s.io/v1",
        "kind": "SubjectAccessReview",
        "spec": {
            "user": "jane",
            "groups": ["system:authenticated"],
            "resourceAttributes": {"namespace": "shop", "verb": "get", "resource": "pods", "subresource": "log"}
        }
    });
    write(d, "sar.json", &sar.to_string());
    let r = run(
        &["rbac", "review", "sar.json", "-f", "rbac.yaml", "web.yaml"],
        d,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let out: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(out["spec"], sar["spec"]);
    assert_eq!(
        out["status"],
        json!({"allowed": true, "reason": "RBAC: allowed by RoleBinding \"reader/shop\" of Role \"pod-reader\" to User \"jane\""})
    );
    // Literal evaluation: `Pods` is not `pods`, and no groups are implied.
    let mut literal = sar.clone();
    literal["spec"]["resourceAttributes"]["resource"] = json!("Pods");
    write(d, "literal.json", &literal.to_string());
    let r = run(&["rbac", "review", "literal.json", "-f", "rbac.yaml"], d);
    assert_eq!(r.code, 1);
    let out: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(out["status"], json!({"allowed": false}));
    let no_groups = json!({
        "apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview",
        "spec": {"user": "system:serviceaccount:ci:runner",
                 "resourceAttributes": {"namespace": "p", "verb": "create", "group": "apps", "resource": "deployments"}}
    });
    // From stdin, as YAML would also be accepted; here JSON on stdin.
    let r = run_stdin(
        &["rbac", "review", "-", "-f", "rbac.yaml"],
        d,
        &no_groups.to_string(),
    );
    assert_eq!(r.code, 1, "a review implies no groups: {}", r.stdout);
    // YAML review.
    write(
        d,
        "sar.yaml",
        "apiVersion: authorization.k8s.io/v1\nkind: SubjectAccessReview\nspec:\n  user: anyone\n  groups: [system:authenticated]\n  nonResourceAttributes: {path: /healthz, verb: get}\n",
    );
    let r = run(&["rbac", "review", "sar.yaml", "-f", "rbac.yaml"], d);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn list_prints_the_kubectl_table() {
    let dir = shop();
    let r = run(
        &[
            "rbac",
            "list",
            "--as",
            "jane",
            "-n",
            "shop",
            "-f",
            "rbac.yaml",
        ],
        dir.path(),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    // kubectl sorts rows by the rule's String(): same verbs, and `pods/log]` < `pods]`.
    // The URL rule comes from the system:authenticated binding.
    let expected = "\
Resources   Non-Resource URLs   Resource Names   Verbs
pods/log    []                  []               [get list]
pods        []                  []               [get list]
            [/healthz]          []               [get]
            [/metrics*]         []               [get]
";
    assert_eq!(r.stdout, expected);
    let r = run(
        &[
            "rbac",
            "list",
            "--as",
            "jane",
            "-n",
            "shop",
            "--no-headers",
            "-f",
            "rbac.yaml",
        ],
        dir.path(),
    );
    // Without the header the columns are as wide as the rows need (tabwriter minimum 6).
    let rows_only = "\
pods/log   []            []    [get list]
pods       []            []    [get list]
           [/healthz]    []    [get]
           [/metrics*]   []    [get]
";
    assert_eq!(r.stdout, rows_only);
    // Another namespace: only the cluster-wide URL rules.
    let r = run(
        &[
            "rbac",
            "list",
            "--as",
            "jane",
            "-f",
            "rbac.yaml",
            "--format",
            "json",
        ],
        dir.path(),
    );
    let doc: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(doc["namespace"], "default");
    assert_eq!(
        doc["rules"],
        json!([
            {"resources": "", "nonResourceURLs": ["/healthz"], "resourceNames": [], "verbs": ["get"]},
            {"resources": "", "nonResourceURLs": ["/metrics*"], "resourceNames": [], "verbs": ["get"]}
        ])
    );
    // A binding to a missing role: the list is still printed, with the evaluation error.
    let r = run(
        &[
            "rbac",
            "list",
            "--as",
            "bob",
            "-n",
            "legacy",
            "-f",
            "rbac.yaml",
            "--format",
            "json",
        ],
        dir.path(),
    );
    let doc: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(
        doc["evaluationError"],
        "clusterrole.rbac.authorization.k8s.io \"old-admin\" not found"
    );
}

#[test]
fn who_can_lists_subjects_like_kubectl_who_can() {
    let dir = shop();
    let d = dir.path();
    let r = run(
        &[
            "rbac",
            "who-can",
            "get",
            "pods",
            "-n",
            "shop",
            "-f",
            "rbac.yaml",
            "web.yaml",
        ],
        d,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let expected = "\
ROLEBINDING  NAMESPACE  SUBJECT  TYPE            SA-NAMESPACE
reader       shop       jane     User            
reader       shop       web      ServiceAccount  shop

No subjects found with permissions to get pods assigned through ClusterRoleBindings
";
    assert_eq!(r.stdout, expected);
    let r = run(
        &["rbac", "who-can", "list", "secrets", "-f", "rbac.yaml"],
        d,
    );
    let expected = "\
No subjects found with permissions to list secrets assigned through RoleBindings

CLUSTERROLEBINDING  SUBJECT  TYPE            SA-NAMESPACE
builder-secrets     builder  ServiceAccount  ci
";
    assert_eq!(r.stdout, expected);
    // Non-resource URL: no RoleBinding section.
    let r = run(
        &["rbac", "who-can", "get", "/metrics/x", "-f", "rbac.yaml"],
        d,
    );
    let expected = "\
CLUSTERROLEBINDING  SUBJECT               TYPE   SA-NAMESPACE
health-for-all      system:authenticated  Group  
";
    assert_eq!(r.stdout, expected);
    // -A: RoleBindings of every namespace.
    let r = run(
        &["rbac", "who-can", "get", "pods", "-A", "-f", "rbac.yaml"],
        d,
    );
    assert!(r.stdout.starts_with("ROLEBINDING"), "{}", r.stdout);
    // JSON: the chain and the workloads that run as the subject.
    let r = run(
        &[
            "rbac",
            "who-can",
            "get",
            "pods",
            "web-7f9",
            "-n",
            "shop",
            "--format",
            "json",
            "-f",
            "rbac.yaml",
            "web.yaml",
        ],
        d,
    );
    let doc: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(doc["request"]["resourceAttributes"]["name"], "web-7f9");
    let subjects = doc["subjects"].as_array().unwrap();
    let names: Vec<&str> = subjects
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["system:masters", "jane", "web"]);
    assert_eq!(subjects[0]["via"]["type"], "privilegedGroup");
    let web = &subjects[2];
    assert_eq!(web["via"]["binding"]["name"], "reader");
    assert_eq!(web["via"]["role"]["name"], "pod-reader");
    assert_eq!(web["via"]["rule"]["resources"], json!(["pods", "pods/log"]));
    assert_eq!(web["workloads"][0]["kind"], "Pod");
    assert_eq!(web["workloads"][0]["name"], "web-7f9");
    assert_eq!(web["workloads"][0]["file"], "web.yaml");
}

fn bootstrap_dir() -> Option<PathBuf> {
    Some(corpus_dir()?.join("bootstrap"))
}

#[test]
fn risks_on_the_default_policy() {
    let Some(boot) = bootstrap_dir() else {
        return;
    };
    let boot_arg = boot.to_str().unwrap();
    let cwd = tempfile::tempdir().unwrap();
    // The default policy of a real cluster is not user misconfiguration.
    let r = run(
        &["rbac", "risks", "-f", boot_arg, "--format", "json"],
        cwd.path(),
    );
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let doc: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(doc["findings"], json!([]), "default policy reported");
    // With --include-defaults the grants the RISKS.md table lists come out.
    let r = run(
        &[
            "rbac",
            "risks",
            "-f",
            boot_arg,
            "--format",
            "json",
            "--include-defaults",
        ],
        cwd.path(),
    );
    assert_eq!(r.code, 1);
    let doc: Value = serde_json::from_str(&r.stdout).unwrap();
    let findings = doc["findings"].as_array().unwrap();
    let has = |rule: &str, needle: &str, severity: &str| {
        findings.iter().any(|f| {
            f["rule"] == rule
                && f["severity"] == severity
                && f["message"].as_str().unwrap_or("").contains(needle)
        })
    };
    assert!(has("KSP201", "Group \"system:masters\"", "critical"));
    assert!(has("KSP203", "generic-garbage-collector", "critical"));
    assert!(has("KSP211", "namespace-controller", "high"));
    assert!(has(
        "KSP213",
        "clusterrole-aggregation-controller",
        "critical"
    ));
    // Located at the subject of the binding.
    let masters = findings
        .iter()
        .find(|f| f["rule"] == "KSP201")
        .expect("KSP201");
    let file = masters["location"]["file"].as_str().unwrap();
    assert!(file.ends_with("cluster-role-bindings.yaml"), "{file}");
    let text = std::fs::read_to_string(boot.join("cluster-role-bindings.yaml")).unwrap();
    assert_eq!(
        masters["location"]["line"],
        line_of(
            &text,
            "  subjects:",
            "  - apiGroup: rbac.authorization.k8s.io"
        )
    );
    assert_eq!(masters["object"]["kind"], "ClusterRoleBinding");
    assert_eq!(masters["object"]["name"], "cluster-admin");
}

const CHANGES: &str = "apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: ci-admin
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: cluster-admin
subjects:
  - kind: ServiceAccount
    name: deployer
    namespace: ci
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: runner
  namespace: ci
spec:
  selector: {matchLabels: {app: runner}}
  template:
    metadata: {labels: {app: runner}}
    spec:
      serviceAccountName: deployer
      containers:
        - name: runner
          image: ci/runner:1
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: devs-edit
  namespace: team-a
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: edit
subjects:
  - kind: Group
    name: devs
    apiGroup: rbac.authorization.k8s.io
";

#[test]
fn risks_on_user_changes_name_subject_chain_and_workloads() {
    let Some(boot) = bootstrap_dir() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "changes.yaml", CHANGES);
    let boot_arg = boot.to_str().unwrap();
    let r = run(
        &[
            "rbac",
            "risks",
            "-f",
            boot_arg,
            "changes.yaml",
            "--format",
            "json",
        ],
        d,
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    let doc: Value = serde_json::from_str(&r.stdout).unwrap();
    let findings = doc["findings"].as_array().unwrap();
    let admin = findings
        .iter()
        .find(|f| f["rule"] == "KSP201")
        .expect("cluster-admin to a service account");
    assert_eq!(admin["severity"], "critical");
    assert_eq!(admin["category"], "rbac");
    assert_eq!(admin["location"]["file"], "changes.yaml");
    assert_eq!(
        admin["location"]["line"],
        line_of(CHANGES, "  name: ci-admin", "  - kind: ServiceAccount"),
        "the subject entry"
    );
    assert_eq!(admin["object"]["name"], "ci-admin");
    let message = admin["message"].as_str().unwrap();
    assert!(message.contains("Deployment ci/runner"), "{message}");
    let evidence = admin["evidence"].as_str().unwrap();
    assert!(
        evidence.contains("ClusterRole cluster-admin ("),
        "{evidence}"
    );
    assert!(evidence.contains("cluster-roles.yaml:"), "{evidence}");
    let deployment = line_of(CHANGES, "kind: ClusterRoleBinding", "apiVersion: apps/v1");
    assert!(
        evidence.contains(&format!(
            "runs as it: Deployment ci/runner (changes.yaml:{deployment})"
        )),
        "{evidence}"
    );
    // edit through a RoleBinding: namespaced severities, not the rule's default.
    let secrets = findings
        .iter()
        .find(|f| f["rule"] == "KSP203" && f["object"]["name"] == "devs-edit")
        .expect("edit reads secrets");
    assert_eq!(secrets["severity"], "medium");
    assert_eq!(
        secrets["location"]["line"],
        line_of(CHANGES, "  name: devs-edit", "  - kind: Group")
    );
    // Every finding is one of the registered rules, with its documentation.
    let sarif = run(
        &[
            "rbac",
            "risks",
            "-f",
            boot_arg,
            "changes.yaml",
            "--format",
            "sarif",
        ],
        d,
    );
    let sarif: Value = serde_json::from_str(&sarif.stdout).unwrap();
    common::assert_valid_sarif(&sarif);
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert!(results.iter().any(|r| r["ruleId"] == "KSP201"));
    // --fail-on critical: KSP201 is critical, so still 1; a suppression annotation on the
    // binding takes it away.
    let r = run(
        &[
            "rbac",
            "risks",
            "-f",
            boot_arg,
            "changes.yaml",
            "--fail-on",
            "critical",
            "-q",
        ],
        d,
    );
    assert_eq!(r.code, 1);
    let suppressed = CHANGES.replacen(
        "  name: ci-admin\n",
        "  name: ci-admin\n  annotations:\n    kspect.dev/ignore: \"KSP201: break-glass account, reviewed\"\n",
        1,
    );
    write(d, "changes.yaml", &suppressed);
    let r = run(
        &[
            "rbac",
            "risks",
            "-f",
            boot_arg,
            "changes.yaml",
            "--fail-on",
            "critical",
            "--format",
            "json",
        ],
        d,
    );
    assert_eq!(r.code, 0, "{}", r.stdout);
    let doc: Value = serde_json::from_str(&r.stdout).unwrap();
    let admin = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "KSP201")
        .expect("still listed");
    assert_eq!(admin["suppressed"]["kind"], "annotation");
}

// ---------------------------------------------------------------------------------
// rbac paths
// ---------------------------------------------------------------------------------

/// `dev` may create pods in `ci`; `ci/deployer` is bound to a `*` on `*`
/// ClusterRole; pod `ci/web` runs as it; `viewer` may only read pods.
const ESCALATION: &str = r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: pod-maker, namespace: ci}
rules:
- {apiGroups: [""], resources: [pods], verbs: [create]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: dev-pods, namespace: ci}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: pod-maker}
subjects: [{kind: User, name: dev}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: reader}
rules:
- {apiGroups: [""], resources: [pods], verbs: [get, list]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: viewer-reads}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: reader}
subjects: [{kind: User, name: viewer}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: everything}
rules:
- {apiGroups: ["*"], resources: ["*"], verbs: ["*"]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: deployer-everything}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: everything}
subjects: [{kind: ServiceAccount, name: deployer, namespace: ci}]
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: ci}
spec: {serviceAccountName: deployer, containers: [{name: c, image: nginx}]}
"#;

fn escalation_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "rbac.yaml", ESCALATION);
    dir
}

#[test]
fn paths_from_a_user_step_by_step() {
    let dir = escalation_dir();
    let r = run(
        &["rbac", "paths", "--from", "dev", "-f", "rbac.yaml"],
        dir.path(),
    );
    assert_eq!(r.code, 1, "a path found exits 1: {}{}", r.stdout, r.stderr);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(
        lines[0],
        "PATH 1: User \"dev\" -> cluster-admin (wildcard) in 2 steps"
    );
    assert!(
        lines[1].starts_with("  1. [R06] User \"dev\" creates pods in namespace ci")
            && lines[1].ends_with("-> ServiceAccount \"ci/deployer\""),
        "{}",
        r.stdout
    );
    assert!(
        lines[2].contains("RoleBinding \"dev-pods/ci\" of Role \"pod-maker\" to User \"dev\""),
        "{}",
        r.stdout
    );
    assert!(lines[3].starts_with("  2. [R01] ServiceAccount \"ci/deployer\""));
    assert!(lines[4].contains("ClusterRoleBinding \"deployer-everything\""));
}

#[test]
fn paths_none_for_a_harmless_subject() {
    let dir = escalation_dir();
    let r = run(
        &["rbac", "paths", "--from", "viewer", "-f", "rbac.yaml"],
        dir.path(),
    );
    assert_eq!(
        (r.code, r.stdout.as_str()),
        (0, "no escalation path to cluster-admin found\n"),
        "{}",
        r.stderr
    );
    // Every subject: dev and the deployer, never viewer.
    let all = run(
        &["rbac", "paths", "--format", "json", "-f", "rbac.yaml"],
        dir.path(),
    );
    let doc: Value = serde_json::from_str(&all.stdout).expect("json");
    let starts: Vec<&Value> = doc["paths"]
        .as_array()
        .expect("paths")
        .iter()
        .map(|p| &p["start"])
        .collect();
    assert_eq!(
        starts,
        [
            &json!({"kind": "User", "name": "dev"}),
            &json!({"kind": "ServiceAccount", "namespace": "ci", "name": "deployer"})
        ]
    );
    assert_eq!(doc["paths"][0]["steps"][0]["risk"], "R06");
    assert_eq!(
        doc["paths"][0]["steps"][1]["to"],
        json!({"clusterAdmin": "wildcard"})
    );
}

#[test]
fn paths_from_pod_starts_at_its_service_account() {
    let dir = escalation_dir();
    let r = run(
        &["rbac", "paths", "--from-pod", "ci/web", "-f", "rbac.yaml"],
        dir.path(),
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(
        lines[0],
        "pod ci/web runs as ServiceAccount \"ci/deployer\""
    );
    assert_eq!(
        lines[1],
        "PATH 1: ServiceAccount \"ci/deployer\" -> cluster-admin (wildcard) in 1 step"
    );
    let missing = run(
        &["rbac", "paths", "--from-pod", "ci/nope", "-f", "rbac.yaml"],
        dir.path(),
    );
    assert_ne!(missing.code, 0);
    assert_ne!(missing.code, 1);
    assert!(missing.stderr.contains("ci/nope"), "{}", missing.stderr);
}

/// A minimal DOT reader: `digraph NAME { stmt; ... }` where every statement is a
/// node (`"id" [attrs]`) or an edge (`"a" -> "b" [attrs]`) or a graph attribute.
fn parse_dot(text: &str) -> (Vec<String>, Vec<(String, String)>) {
    fn quoted(s: &str) -> Option<(String, &str)> {
        let s = s.trim_start();
        let mut chars = s.char_indices();
        if chars.next()?.1 != '"' {
            return None;
        }
        let mut out = String::new();
        let mut escaped = false;
        for (i, c) in chars {
            match (escaped, c) {
                (true, c) => {
                    out.push(c);
                    escaped = false;
                }
                (false, '\\') => escaped = true,
                (false, '"') => return Some((out, &s[i + 1..])),
                (false, c) => out.push(c),
            }
        }
        None
    }
    let text = text.trim();
    let body = text
        .strip_prefix("digraph")
        .expect("starts with digraph")
        .trim_start();
    let open = body.find('{').expect("opening brace");
    let name = body[..open].trim();
    assert!(
        !name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_'),
        "graph name {name:?}"
    );
    let inner = body[open + 1..].strip_suffix('}').expect("closing brace");
    let (mut nodes, mut edges) = (Vec::new(), Vec::new());
    let mut rest = inner.trim_start();
    while !rest.is_empty() {
        if let Some((from, after)) = quoted(rest) {
            let after = after.trim_start();
            let (stmt_end, to) = if let Some(after_arrow) = after.strip_prefix("->") {
                let (to, after_to) = quoted(after_arrow).expect("edge target");
                (after_to, Some(to))
            } else {
                (after, None)
            };
            let stmt_end = stmt_end.trim_start();
            let stmt_end = if let Some(attrs) = stmt_end.strip_prefix('[') {
                // Attribute values are quoted or bare words without `]`.
                let mut depth_rest = attrs;
                loop {
                    let t = depth_rest.trim_start();
                    if let Some(r) = t.strip_prefix(']') {
                        break r;
                    }
                    if t.starts_with('"') {
                        depth_rest = quoted(t).expect("attr string").1;
                    } else {
                        let mut it = t.char_indices();
                        let cut = it
                            .find(|(_, c)| *c == '"' || *c == ']')
                            .map(|(i, _)| i)
                            .expect("attribute list closes");
                        depth_rest = &t[cut..];
                    }
                }
            } else {
                stmt_end
            };
            rest = stmt_end
                .trim_start()
                .strip_prefix(';')
                .expect("statement ends with ;")
                .trim_start();
            match to {
                Some(to) => edges.push((from, to)),
                None => nodes.push(from),
            }
        } else {
            // Graph attributes: `rankdir=LR;`, `node [shape=box];`.
            let end = rest.find(';').expect("statement ends with ;");
            rest = rest[end + 1..].trim_start();
        }
    }
    (nodes, edges)
}

#[test]
fn paths_dot_is_a_digraph_of_the_path() {
    let dir = escalation_dir();
    let r = run(
        &[
            "rbac",
            "paths",
            "--from",
            "dev",
            "--format",
            "dot",
            "-f",
            "rbac.yaml",
        ],
        dir.path(),
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    let (nodes, edges) = parse_dot(&r.stdout);
    let mut sorted = nodes.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        [
            "ServiceAccount \"ci/deployer\"",
            "User \"dev\"",
            "cluster-admin (wildcard)"
        ]
    );
    assert!(edges.contains(&(
        "User \"dev\"".to_string(),
        "ServiceAccount \"ci/deployer\"".to_string()
    )));
    assert!(edges.contains(&(
        "ServiceAccount \"ci/deployer\"".to_string(),
        "cluster-admin (wildcard)".to_string()
    )));
    assert_eq!(edges.len(), 2);
    for (a, b) in &edges {
        assert!(nodes.contains(a) && nodes.contains(b), "edge {a} -> {b}");
    }
}

#[test]
fn paths_on_bootstrap_skip_default_identities() {
    let Some(dir) = corpus_dir() else {
        return;
    };
    let bootstrap = dir.join("bootstrap");
    let b = bootstrap.to_str().expect("utf-8 path");
    let r = run(&["rbac", "paths", "-f", b], &dir);
    assert_eq!(
        (r.code, r.stdout.as_str()),
        (0, "no escalation path to cluster-admin found\n"),
        "{}",
        r.stderr
    );
    let all = run(
        &[
            "rbac",
            "paths",
            "--include-defaults",
            "--format",
            "json",
            "-f",
            b,
        ],
        &dir,
    );
    assert_eq!(all.code, 1, "{}", all.stderr);
    let doc: Value = serde_json::from_str(&all.stdout).expect("json");
    let starts: Vec<&Value> = doc["paths"]
        .as_array()
        .expect("paths")
        .iter()
        .map(|p| &p["start"])
        .collect();
    // system:masters is cluster-admin by definition (R02); the aggregation
    // controller holds escalate + update on clusterroles (RISKS.md R13 note).
    assert!(starts.contains(&&json!({"kind": "Group", "name": "system:masters"})));
    assert!(starts.contains(
        &&json!({"kind": "ServiceAccount", "namespace": "kube-system",
                                     "name": "clusterrole-aggregation-controller"})
    ));
}
