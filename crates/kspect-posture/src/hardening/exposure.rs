//! Network exposure: Services reachable from outside the cluster, Ingresses without
//! TLS, and ingress-nginx snippet annotations.

use kspect_core::span::join_pointer;
use kspect_core::{Finding, Object, Reference, Rule, Severity};
use serde_json::Value;

use super::Ctx;
use super::refs;

/// Annotations by which cloud controllers make a LoadBalancer internal (not reachable
/// from the internet), with the value that means so (`None`: any value).
const INTERNAL_LB_ANNOTATIONS: &[(&str, Option<&str>)] = &[
    (
        "service.beta.kubernetes.io/aws-load-balancer-internal",
        None,
    ),
    (
        "service.beta.kubernetes.io/aws-load-balancer-scheme",
        Some("internal"),
    ),
    (
        "service.beta.kubernetes.io/azure-load-balancer-internal",
        Some("true"),
    ),
    ("networking.gke.io/load-balancer-type", Some("Internal")),
    ("cloud.google.com/load-balancer-type", Some("Internal")),
    (
        "service.beta.kubernetes.io/openstack-internal-load-balancer",
        Some("true"),
    ),
    (
        "service.beta.kubernetes.io/oci-load-balancer-internal",
        Some("true"),
    ),
    (
        "service.kubernetes.io/ibm-load-balancer-cloud-provider-ip-type",
        Some("private"),
    ),
];

/// KSP332: `type: NodePort` or `LoadBalancer`.
pub static SERVICE_EXPOSED: Rule = Rule {
    id: "KSP332",
    name: "service-exposed-externally",
    title: "Service is exposed outside the cluster (NodePort or LoadBalancer)",
    severity: Severity::Low,
    category: "network",
    kinds: &["Service"],
    doc: r#"A Service of `type: NodePort` opens its port on every node; `type: LoadBalancer`
asks the cloud for an external address (and also opens node ports).

## Why it matters
Every externally reachable Service is attack surface that bypasses the Ingress layer —
its TLS, authentication, WAF and logging. Node ports are open on every node's
address, including nodes with public IPs, and are easy to forget in firewall reviews.
Internal services (databases, admin UIs, metrics) exposed this way are a classic
finding of external penetration tests.

## What an attacker does
An attacker scans the node addresses (30000-32767) or the load balancer's address
and reaches the application directly — often an admin endpoint or a database meant
only for in-cluster clients.

## How to fix
Use `ClusterIP` and publish HTTP services through an Ingress or Gateway; if an
external Service is required, restrict its sources.

```yaml
# before
spec:
  type: NodePort
  ports:
    - port: 80
      nodePort: 30080
# after
spec:
  type: ClusterIP
  ports:
    - port: 80
```
"#,
    remediation: "Use type: ClusterIP and expose the workload through an Ingress or Gateway; if external exposure is intended, restrict it with loadBalancerSourceRanges or firewall rules.",
    references: &[
        Reference::docs(
            "Service type",
            "https://kubernetes.io/docs/concepts/services-networking/service/#publishing-services-service-types",
        ),
        refs::PUBLIC_FACING,
    ],
};

/// KSP333: a public LoadBalancer without source ranges.
pub static LOAD_BALANCER_OPEN: Rule = Rule {
    id: "KSP333",
    name: "load-balancer-open-to-all",
    title: "LoadBalancer Service accepts traffic from any address",
    severity: Severity::Medium,
    category: "network",
    kinds: &["Service"],
    doc: r#"A `type: LoadBalancer` Service that is not internal and has no
`spec.loadBalancerSourceRanges` (or lists `0.0.0.0/0` or `::/0`) accepts connections
from the whole internet.

## Why it matters
`loadBalancerSourceRanges` makes the cloud load balancer (or kube-proxy) drop traffic
from other sources. Without it the Service is as public as its address; for
anything that is not a public web front end, that is rarely intended.

## What an attacker does
An attacker finds the address through internet-wide scanning within hours and
attacks the service directly: credential stuffing on an admin UI, exploits against an
unpatched database or message broker.

## How to fix
List the networks that need access (or make the load balancer internal).

```yaml
# before
spec:
  type: LoadBalancer
# after
spec:
  type: LoadBalancer
  loadBalancerSourceRanges:
    - 203.0.113.0/24
```
"#,
    remediation: "Set spec.loadBalancerSourceRanges to the client networks that need access, or make the load balancer internal with the cloud provider's annotation.",
    references: &[
        Reference::docs(
            "Restrict access for LoadBalancer Service",
            "https://kubernetes.io/docs/tasks/access-application-cluster/configure-cloud-provider-firewall/",
        ),
        refs::PUBLIC_FACING,
    ],
};

/// KSP334: `spec.externalIPs`.
pub static SERVICE_EXTERNAL_IPS: Rule = Rule {
    id: "KSP334",
    name: "service-external-ips",
    title: "Service sets externalIPs",
    severity: Severity::Medium,
    category: "network",
    kinds: &["Service"],
    doc: r#"A Service with `spec.externalIPs` makes kube-proxy on every node capture traffic
addressed to those IPs.

## Why it matters
Kubernetes does not check who owns an external IP. Whoever can create or edit such a
Service can claim any address — including that of another service or an external
host — and intercept traffic that cluster nodes send to it (CVE-2020-8554, which has
no patch, only the mitigation of blocking the field at admission).

## What an attacker does
An attacker with rights to create Services in one namespace sets `externalIPs` to the
address of an internal API or of a public service the cluster calls, and receives
that traffic — credentials included — in their own pod.

## How to fix
Remove `externalIPs`; use a LoadBalancer or an Ingress, and block the field with the
`DenyServiceExternalIPs` admission plugin.

```yaml
# before
spec:
  externalIPs:
    - 198.51.100.10
# after
spec:
  type: LoadBalancer
```
"#,
    remediation: "Remove spec.externalIPs and enable the DenyServiceExternalIPs admission plugin (or an equivalent policy).",
    references: &[
        Reference::docs(
            "CVE-2020-8554: Man in the middle using LoadBalancer or ExternalIPs",
            "https://github.com/kubernetes/kubernetes/issues/97076",
        ),
        refs::ADVERSARY_IN_THE_MIDDLE,
    ],
};

/// KSP335: an Ingress without TLS for (some of) its hosts.
pub static INGRESS_WITHOUT_TLS: Rule = Rule {
    id: "KSP335",
    name: "ingress-without-tls",
    title: "Ingress serves traffic without TLS",
    severity: Severity::Medium,
    category: "network",
    kinds: &["Ingress"],
    doc: r#"An Ingress with no `spec.tls`, or with hosts in its rules that no `tls` entry covers,
serves those hosts over plain HTTP.

## Why it matters
Without TLS, everything between the client and the ingress controller — session
cookies, passwords, API tokens, personal data — travels in clear text and can be read
or changed by anyone on the path (Wi-Fi, ISPs, a compromised router).

## What an attacker does
An attacker on the network path captures credentials and session cookies, or
injects content into responses.

## How to fix
Add a `tls` entry with a certificate for every host (cert-manager can issue them).

```yaml
# before
spec:
  rules:
    - host: shop.example.com
# after
spec:
  tls:
    - hosts: [shop.example.com]
      secretName: shop-example-com-tls
  rules:
    - host: shop.example.com
```
"#,
    remediation: "Add spec.tls entries covering every host of the Ingress, with a certificate Secret (for instance issued by cert-manager).",
    references: &[
        Reference::docs(
            "Ingress TLS",
            "https://kubernetes.io/docs/concepts/services-networking/ingress/#tls",
        ),
        refs::NETWORK_SNIFFING,
        refs::ADVERSARY_IN_THE_MIDDLE,
    ],
};

/// KSP336: ingress-nginx `*-snippet` annotations.
pub static INGRESS_NGINX_SNIPPET: Rule = Rule {
    id: "KSP336",
    name: "ingress-nginx-snippet",
    title: "Ingress injects raw NGINX configuration through a snippet annotation",
    severity: Severity::High,
    category: "network",
    kinds: &["Ingress"],
    doc: r#"An Ingress with an ingress-nginx snippet annotation
(`nginx.ingress.kubernetes.io/configuration-snippet`, `server-snippet`,
`auth-snippet` ...) inserts raw configuration into the controller's `nginx.conf`.

## Why it matters
The controller runs with a service account that can read every Secret of the cluster.
Snippets are arbitrary NGINX (and Lua) configuration, so whoever can write an Ingress
can make the controller serve its own files and token (CVE-2021-25742). Current
ingress-nginx versions disable snippets by default for this reason.

## What an attacker does
An attacker allowed to create Ingresses in one namespace adds a snippet that serves
`/var/run/secrets/kubernetes.io/serviceaccount/token` of the controller, then uses the
token to read all Secrets of the cluster.

## How to fix
Replace the snippet with the dedicated annotations or a ConfigMap setting, and keep
`allow-snippet-annotations: "false"` on the controller.

```yaml
# before
metadata:
  annotations:
    nginx.ingress.kubernetes.io/configuration-snippet: |
      more_set_headers "X-Frame-Options: DENY";
# after
metadata:
  annotations:
    nginx.ingress.kubernetes.io/custom-headers: ingress-nginx/security-headers
```
"#,
    remediation: "Remove the snippet annotation (use dedicated annotations or controller ConfigMap settings) and set allow-snippet-annotations to false on the controller.",
    references: &[
        Reference::docs(
            "CVE-2021-25742: ingress-nginx custom snippets",
            "https://github.com/kubernetes/ingress-nginx/issues/7837",
        ),
        refs::STEAL_TOKEN,
        refs::PUBLIC_FACING,
    ],
};

fn service_type(object: &Object) -> &str {
    object
        .get("/spec/type")
        .and_then(Value::as_str)
        .unwrap_or("ClusterIP")
}

/// KSP332.
pub(crate) fn check_service_type(_: &Ctx<'_>, object: &Object, out: &mut Vec<Finding>) {
    let message = match service_type(object) {
        "NodePort" => "the Service is of type NodePort and opens its ports on every node",
        "LoadBalancer" => {
            "the Service is of type LoadBalancer and gets an address outside the cluster (and node ports)"
        }
        _ => return,
    };
    out.push(Finding::at(&SERVICE_EXPOSED, object, "/spec/type", message));
}

fn is_internal_lb(object: &Object) -> bool {
    INTERNAL_LB_ANNOTATIONS.iter().any(|(key, want)| {
        object.annotation(key).is_some_and(|v| match want {
            None => !v.eq_ignore_ascii_case("false"),
            Some(want) => v.eq_ignore_ascii_case(want),
        })
    })
}

fn is_any_address(cidr: &str) -> bool {
    matches!(cidr.trim(), "0.0.0.0/0" | "::/0" | "0::0/0")
}

/// KSP333.
pub(crate) fn check_source_ranges(_: &Ctx<'_>, object: &Object, out: &mut Vec<Finding>) {
    if service_type(object) != "LoadBalancer" || is_internal_lb(object) {
        return;
    }
    let ranges = object
        .get("/spec/loadBalancerSourceRanges")
        .and_then(Value::as_array);
    match ranges {
        Some(list) if !list.is_empty() => {
            for (i, r) in list.iter().enumerate() {
                if r.as_str().is_some_and(is_any_address) {
                    out.push(Finding::at(
                        &LOAD_BALANCER_OPEN,
                        object,
                        &format!("/spec/loadBalancerSourceRanges/{i}"),
                        format!(
                            "loadBalancerSourceRanges allows {} (any address)",
                            r.as_str().unwrap_or_default()
                        ),
                    ));
                }
            }
        }
        _ => {
            // The older annotation has the same effect as the field.
            let key = "service.beta.kubernetes.io/load-balancer-source-ranges";
            if let Some(v) = object.annotation(key)
                && !v.trim().is_empty()
            {
                if v.split(',').any(is_any_address) {
                    out.push(Finding::at(
                        &LOAD_BALANCER_OPEN,
                        object,
                        &join_pointer("/metadata/annotations", &[key]),
                        format!("annotation {key} allows any address"),
                    ));
                }
                return;
            }
            out.push(Finding::at(
                &LOAD_BALANCER_OPEN,
                object,
                "/spec/loadBalancerSourceRanges",
                "the LoadBalancer Service is not internal and sets no loadBalancerSourceRanges: any address can connect",
            ));
        }
    }
}

/// KSP334.
pub(crate) fn check_external_ips(_: &Ctx<'_>, object: &Object, out: &mut Vec<Finding>) {
    let Some(ips) = object.get("/spec/externalIPs").and_then(Value::as_array) else {
        return;
    };
    let ips: Vec<&str> = ips.iter().filter_map(Value::as_str).collect();
    if ips.is_empty() {
        return;
    }
    out.push(
        Finding::at(
            &SERVICE_EXTERNAL_IPS,
            object,
            "/spec/externalIPs",
            format!(
                "the Service claims external IPs {} on every node (CVE-2020-8554)",
                ips.join(", ")
            ),
        )
        .with_evidence(ips.join(", ")),
    );
}

fn is_ingress(object: &Object) -> bool {
    matches!(
        object.id.api_version.as_str(),
        "networking.k8s.io/v1" | "networking.k8s.io/v1beta1" | "extensions/v1beta1"
    )
}

/// True when a TLS host pattern covers a rule host (a `*.` wildcard matches one label).
fn tls_covers(pattern: &str, host: &str) -> bool {
    let (pattern, host) = (pattern.to_ascii_lowercase(), host.to_ascii_lowercase());
    if pattern == host {
        return true;
    }
    match (pattern.strip_prefix("*."), host.split_once('.')) {
        (Some(suffix), Some((label, rest))) => !label.is_empty() && rest == suffix,
        _ => false,
    }
}

/// KSP335.
pub(crate) fn check_ingress_tls(_: &Ctx<'_>, object: &Object, out: &mut Vec<Finding>) {
    if !is_ingress(object) {
        return;
    }
    let tls = object
        .get("/spec/tls")
        .and_then(Value::as_array)
        .filter(|t| !t.is_empty());
    let Some(tls) = tls else {
        out.push(Finding::at(
            &INGRESS_WITHOUT_TLS,
            object,
            "/spec/tls",
            "the Ingress has no tls section: it serves plain HTTP",
        ));
        return;
    };
    let tls_hosts: Vec<&str> = tls
        .iter()
        .filter_map(|t| t.get("hosts").and_then(Value::as_array))
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let rules = object.get("/spec/rules").and_then(Value::as_array);
    for (i, rule) in rules.into_iter().flatten().enumerate() {
        let Some(host) = rule.get("host").and_then(Value::as_str) else {
            continue;
        };
        if !tls_hosts.iter().any(|p| tls_covers(p, host)) {
            out.push(Finding::at(
                &INGRESS_WITHOUT_TLS,
                object,
                &format!("/spec/rules/{i}/host"),
                format!("host {host} is not covered by any tls entry of the Ingress"),
            ));
        }
    }
}

/// KSP336.
pub(crate) fn check_nginx_snippet(_: &Ctx<'_>, object: &Object, out: &mut Vec<Finding>) {
    if !is_ingress(object) {
        return;
    }
    for (key, _) in object.annotations() {
        let Some(name) = key.strip_prefix("nginx.ingress.kubernetes.io/") else {
            continue;
        };
        if name.ends_with("-snippet") {
            out.push(Finding::at(
                &INGRESS_NGINX_SNIPPET,
                object,
                &join_pointer("/metadata/annotations", &[key]),
                format!("the Ingress injects raw NGINX configuration through annotation {key}"),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::tls_covers;

    #[test]
    fn wildcard_covers_one_label() {
        assert!(tls_covers("*.example.com", "shop.example.com"));
        assert!(!tls_covers("*.example.com", "a.b.example.com"));
        assert!(!tls_covers("*.example.com", "example.com"));
        assert!(tls_covers("Shop.Example.com", "shop.example.com"));
    }
}
