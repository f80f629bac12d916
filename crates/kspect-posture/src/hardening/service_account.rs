//! Service-account tokens in pods, and the namespace's `default` service account.

use kspect_core::{Finding, Object, Reference, Rule, Severity};
use serde_json::Value;

use super::Ctx;
use super::pod::{Pod, WORKLOAD_KINDS, show};
use super::refs;

/// KSP326: the service-account token is mounted.
pub static TOKEN_AUTOMOUNT: Rule = Rule {
    id: "KSP326",
    name: "service-account-token-automount",
    title: "Service-account token is mounted into the pod",
    severity: Severity::Medium,
    category: "workload",
    kinds: WORKLOAD_KINDS,
    doc: r#"A pod that neither sets `automountServiceAccountToken: false` nor uses a
ServiceAccount that does gets an API token mounted at
`/var/run/secrets/kubernetes.io/serviceaccount/token`.

## Why it matters
Most applications never talk to the Kubernetes API, yet each of their pods carries a
credential for it. Whatever RBAC grants the service account — and grants to
`default` accounts or to all authenticated users accumulate over time — is one file
read away from any code execution in the pod. kspect looks the ServiceAccount up in
the input; when it is absent, the API's default (mount) is assumed.

## What an attacker does
After exploiting the application, an attacker reads the token and calls the API
server with it: lists Secrets, creates pods, or probes what the account can do
(`kubectl auth can-i --list`) — the usual first step of lateral movement in a cluster.

## How to fix
Disable the mount on the pod (or on its ServiceAccount); mount a projected token only
in pods that need the API.

```yaml
# before
spec:
  containers:
    - name: app
      image: registry.example.com/app:1.4.2
# after
spec:
  automountServiceAccountToken: false
  containers:
    - name: app
      image: registry.example.com/app:1.4.2
```
"#,
    remediation: "Set automountServiceAccountToken: false on the pod spec or on its ServiceAccount, unless the application calls the Kubernetes API.",
    references: &[
        Reference::cis("5.1.6"),
        refs::CONTAINER_API_CREDENTIALS,
        refs::STEAL_TOKEN,
    ],
};

/// KSP327: the pod runs as the namespace's `default` service account.
pub static DEFAULT_SERVICE_ACCOUNT: Rule = Rule {
    id: "KSP327",
    name: "default-service-account",
    title: "Pod uses the namespace's default service account",
    severity: Severity::Low,
    category: "workload",
    kinds: WORKLOAD_KINDS,
    doc: r#"A pod without `serviceAccountName` (or with `default`) runs as the namespace's
`default` service account, shared by every pod that does not pick its own.

## Why it matters
Permissions granted to `default` for one workload's sake are granted to every pod in
the namespace, and audit logs cannot tell the workloads apart. A dedicated account per
workload keeps RBAC least-privilege and attributable.

## What an attacker does
An attacker who compromises any pod of the namespace inherits everything ever bound
to `default` there — often more than the compromised workload needed — and their API
calls blend in with every other workload's.

## How to fix
Create a ServiceAccount per workload (without token automount unless needed).

```yaml
# before
spec:
  containers:
    - name: app
      image: registry.example.com/app:1.4.2
# after
spec:
  serviceAccountName: app
  automountServiceAccountToken: false
  containers:
    - name: app
      image: registry.example.com/app:1.4.2
```
"#,
    remediation: "Create a dedicated ServiceAccount for the workload and set spec.serviceAccountName to it.",
    references: &[Reference::cis("5.1.5"), refs::STEAL_TOKEN],
};

/// The service account a pod runs as: `serviceAccountName`, the deprecated
/// `serviceAccount`, or `default`.
fn account_name<'a>(pod: &Pod<'a>) -> &'a str {
    ["serviceAccountName", "serviceAccount"]
        .iter()
        .find_map(|k| {
            pod.spec(k)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
        })
        .unwrap_or("default")
}

/// KSP326.
pub(crate) fn check_automount(ctx: &Ctx<'_>, object: &Object, out: &mut Vec<Finding>) {
    let Some(pod) = Pod::of(object) else { return };
    let ptr = pod.spec_ptr("automountServiceAccountToken");
    let account = account_name(&pod);
    // The pod's own setting wins over its ServiceAccount's.
    match pod.spec("automountServiceAccountToken") {
        Some(Value::Bool(false)) => return,
        Some(v) => {
            out.push(Finding::at(
                &TOKEN_AUTOMOUNT,
                object,
                &ptr,
                format!(
                    "the pod sets automountServiceAccountToken: {} and gets a token of service account {account:?}",
                    show(v)
                ),
            ));
            return;
        }
        None => {}
    }
    let sa = ctx
        .inventory
        .of_kind("ServiceAccount")
        .find(|sa| sa.id.name == account && sa.id.namespace == object.id.namespace);
    let why = match sa.map(|sa| sa.get("/automountServiceAccountToken")) {
        Some(Some(Value::Bool(false))) => return,
        Some(Some(v)) => format!(
            "its ServiceAccount {account:?} sets automountServiceAccountToken: {}",
            show(v)
        ),
        Some(None) => format!("its ServiceAccount {account:?} does not disable it"),
        None => format!(
            "ServiceAccount {account:?} is not in the input, so the default (mount) applies"
        ),
    };
    out.push(Finding::at(
        &TOKEN_AUTOMOUNT,
        object,
        &ptr,
        format!("the pod does not set automountServiceAccountToken: false and {why}"),
    ));
}

/// KSP327.
pub(crate) fn check_default(_: &Ctx<'_>, object: &Object, out: &mut Vec<Finding>) {
    let Some(pod) = Pod::of(object) else { return };
    if account_name(&pod) != "default" {
        return;
    }
    let message = if pod.spec("serviceAccountName").is_some() {
        "the pod sets serviceAccountName: default"
    } else {
        "the pod sets no serviceAccountName and runs as the namespace's default service account"
    };
    out.push(Finding::at(
        &DEFAULT_SERVICE_ACCOUNT,
        object,
        &pod.spec_ptr("serviceAccountName"),
        message,
    ));
}
