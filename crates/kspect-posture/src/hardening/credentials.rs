//! Credentials written into manifests: literal secrets in environment variables and
//! ConfigMaps, Secrets passed as environment variables, Secret manifests with data.
//!
//! Detection is heuristic, in two parts: a name that says "credential" (`DB_PASSWORD`,
//! `apiKey`, `spring.datasource.password`) with a value that is not a reference, a path
//! or a flag; and values whose shape is a known token format (AWS keys, private keys,
//! GitHub/GitLab/Slack/Google/Stripe tokens, JWTs, URLs with a password), whatever
//! their name. Values never appear in findings: evidence is redacted.

use std::sync::LazyLock;

use kspect_core::span::join_pointer;
use kspect_core::{Finding, Object, Reference, Rule, Severity};
use regex::Regex;
use serde_json::Value;

use super::Ctx;
use super::pod::{Pod, WORKLOAD_KINDS};
use super::refs;

/// Name tokens that mean "this holds a credential".
const CREDENTIAL_TOKENS: &[&str] = &[
    "password",
    "passwd",
    "pwd",
    "pass",
    "passphrase",
    "secret",
    "token",
    "credential",
    "credentials",
    "apikey",
    "privatekey",
    "secretkey",
    "accesskey",
    "clientsecret",
    "authtoken",
];

/// Adjacent name tokens that mean the same (`API_KEY`, `private-key`).
const CREDENTIAL_PAIRS: &[(&str, &str)] = &[
    ("api", "key"),
    ("private", "key"),
    ("access", "key"),
    ("secret", "key"),
    ("signing", "key"),
    ("encryption", "key"),
];

/// A last name token that makes the name about a credential, not the credential
/// itself (`PASSWORD_FILE`, `SECRET_NAME`, `TOKEN_URL`, `ACCESS_KEY_ID`).
const NOT_A_VALUE: &[&str] = &[
    "file",
    "files",
    "path",
    "dir",
    "directory",
    "url",
    "uri",
    "name",
    "names",
    "id",
    "ref",
    "mount",
    "location",
    "endpoint",
    "host",
    "hostname",
    "port",
    "enabled",
    "enable",
    "disabled",
    "required",
    "length",
    "size",
    "ttl",
    "timeout",
    "expiry",
    "expiration",
    "expires",
    "lifetime",
    "interval",
    "period",
    "duration",
    "seconds",
    "type",
    "mode",
    "version",
    "header",
    "field",
    "env",
    "policy",
    "provider",
    "namespace",
    "audience",
    "issuer",
    "algorithm",
    "prefix",
    "format",
    "min",
    "max",
    "count",
    "limit",
    "regex",
    "pattern",
    "key",
    "keys",
    "ttlseconds",
    "store",
    "source",
];

/// Splits a name into lower-case words: on punctuation and camelCase boundaries.
fn tokens(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for ch in name.chars() {
        if !ch.is_ascii_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if ch.is_ascii_uppercase() && prev_lower && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        prev_lower = ch.is_ascii_lowercase() || ch.is_ascii_digit();
        cur.push(ch.to_ascii_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// True when a key or variable name says it holds a credential.
pub(crate) fn is_credential_name(name: &str) -> bool {
    let words = tokens(name);
    let Some(last) = words.last() else {
        return false;
    };
    let credential = words
        .iter()
        .any(|w| CREDENTIAL_TOKENS.contains(&w.as_str()))
        || words
            .windows(2)
            .any(|p| CREDENTIAL_PAIRS.contains(&(p[0].as_str(), p[1].as_str())));
    if !credential {
        return false;
    }
    // `API_KEY` ends in "key" and is a credential; `SECRET_KEY_REF` is not.
    let pair_at_end = words.len() >= 2
        && CREDENTIAL_PAIRS.contains(&(words[words.len() - 2].as_str(), last.as_str()));
    pair_at_end || !NOT_A_VALUE.contains(&last.as_str())
}

/// True when a value looks like a literal credential rather than a reference, a path,
/// a flag or a placeholder.
pub(crate) fn is_literal_value(value: &str) -> bool {
    let v = value
        .trim()
        .trim_end_matches(',')
        .trim_matches(|c| c == '"' || c == '\'');
    if v.chars().count() < 4 || v.contains("{{") || v.contains("${") {
        return false;
    }
    if v.starts_with('$') || v.starts_with('/') || v.starts_with("%(") || v.starts_with("ENC(") {
        return false;
    }
    if v.starts_with('<') && v.ends_with('>') {
        return false;
    }
    let lower = v.to_ascii_lowercase();
    !matches!(
        lower.as_str(),
        "true"
            | "false"
            | "yes"
            | "none"
            | "null"
            | "enabled"
            | "disabled"
            | "required"
            | "optional"
    )
}

/// Token formats recognised by shape, with a name for messages.
static PATTERNS: LazyLock<Vec<(&'static str, Regex)>> = LazyLock::new(|| {
    let raw: &[(&str, &str)] = &[
        (
            "an AWS access key ID",
            r"\b(?:AKIA|ASIA|A3T[A-Z0-9])[A-Z0-9]{16}\b",
        ),
        (
            "a private key",
            r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----",
        ),
        (
            "a GitHub token",
            r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})",
        ),
        ("a GitLab token", r"\bglpat-[A-Za-z0-9_-]{20,}"),
        ("a Slack token", r"\bxox[abprs]-[A-Za-z0-9-]{10,}"),
        ("a Google API key", r"\bAIza[0-9A-Za-z_-]{35}"),
        ("a Stripe live key", r"\b[sr]k_live_[0-9A-Za-z]{20,}"),
        (
            "a JSON Web Token",
            r"\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}",
        ),
    ];
    raw.iter()
        .filter_map(|(what, re)| Regex::new(re).ok().map(|r| (*what, r)))
        .collect()
});

/// `scheme://user:password@host` with a literal password.
static URL_CREDENTIALS: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s:/@]+:([^\s@/]+)@[^\s]").ok());

/// `name: value` or `name = value` lines inside a configuration file.
static SETTING_LINE: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r#"^\s*["']?([A-Za-z0-9_.\-]+)["']?\s*[:=]\s*(.+?)\s*$"#).ok());

/// What kind of known token a value contains, if any.
pub(crate) fn known_token(value: &str) -> Option<&'static str> {
    if let Some((what, _)) = PATTERNS.iter().find(|(_, re)| re.is_match(value)) {
        return Some(what);
    }
    let url = URL_CREDENTIALS.as_ref()?;
    url.captures_iter(value)
        .filter_map(|c| c.get(1))
        .any(|pw| is_literal_value(pw.as_str()))
        .then_some("a URL with an embedded password")
}

/// A redacted rendering of a secret value: its first characters only when long.
fn redact(value: &str) -> String {
    let n = value.chars().count();
    if n > 16 {
        let head: String = value.chars().take(4).collect();
        format!("{head}… ({n} characters, redacted)")
    } else {
        format!("({n} characters, redacted)")
    }
}

/// KSP328: a literal credential in an environment variable.
pub static CREDENTIAL_IN_ENV: Rule = Rule {
    id: "KSP328",
    name: "credential-in-env",
    title: "Environment variable holds a literal credential",
    severity: Severity::High,
    category: "secrets",
    kinds: WORKLOAD_KINDS,
    doc: r#"A container `env` entry whose name says credential (`DB_PASSWORD`, `API_KEY`,
`GITHUB_TOKEN` ...) has a literal `value`, or whose value has the shape of a known
token (AWS access key, private key, GitHub/GitLab/Slack token, JWT, a URL with a
password).

## Why it matters
The credential is now in Git history, in every copy of the manifest, in CI logs and
in the object stored in etcd unencrypted — readable by anyone who can `get` the
Deployment, which is far more people than can read Secrets. Rotating it means
rewriting history.

## What an attacker does
An attacker with read access to the repository, to a CI artefact, or to workloads in
the cluster (`kubectl get deploy -o yaml`) harvests the credential and uses it
against the database or API it unlocks.

## How to fix
Move the value into a Secret (created from a secret manager, not committed), and
reference it — preferably as a mounted file.

```yaml
# before
env:
  - name: DB_PASSWORD
    value: s3cr3t-Pa55
# after
env:
  - name: DB_PASSWORD_FILE
    value: /run/secrets/db/password
volumeMounts:
  - name: db
    mountPath: /run/secrets/db
    readOnly: true
```
"#,
    remediation: "Remove the literal value; store the credential in a Secret (or an external secret manager) and mount it as a file, then rotate it.",
    references: &[
        Reference::cis("5.4.1"),
        refs::CREDENTIALS_IN_FILES,
        refs::CONTAINER_API_CREDENTIALS,
    ],
};

/// KSP329: a Secret read into environment variables.
pub static SECRET_IN_ENV: Rule = Rule {
    id: "KSP329",
    name: "secret-in-env",
    title: "Secret is passed as environment variables",
    severity: Severity::Low,
    category: "secrets",
    kinds: WORKLOAD_KINDS,
    doc: r#"A container that reads a Secret through `env[].valueFrom.secretKeyRef` or
`envFrom[].secretRef` instead of mounting it as a file.

## Why it matters
Environment variables leak: they are inherited by every child process, printed by
crash reporters and debug endpoints (`/env`, `phpinfo()`), visible in
`/proc/<pid>/environ` to anything sharing the PID namespace, and never updated when
the Secret is rotated. A mounted Secret volume is updated in place and readable only
through the file system.

## What an attacker does
An attacker who finds a diagnostics endpoint or an error page that dumps the
environment, or who lands in a sidecar with a shared process namespace, reads the
credential without ever touching the Kubernetes API.

## How to fix
Mount the Secret as a read-only volume and point the application at the file.

```yaml
# before
env:
  - name: DB_PASSWORD
    valueFrom:
      secretKeyRef: {name: db, key: password}
# after
volumeMounts:
  - name: db
    mountPath: /run/secrets/db
    readOnly: true
volumes:
  - name: db
    secret:
      secretName: db
```
"#,
    remediation: "Mount the Secret as a read-only volume and read the credential from the file instead of the environment.",
    references: &[Reference::cis("5.4.1"), refs::CREDENTIALS_IN_FILES],
};

/// KSP330: a Secret manifest with data.
pub static SECRET_DATA_IN_MANIFEST: Rule = Rule {
    id: "KSP330",
    name: "secret-data-in-manifest",
    title: "Secret manifest holds credentials in plain form",
    severity: Severity::High,
    category: "secrets",
    kinds: &["Secret"],
    doc: r#"A `Secret` manifest with non-empty `data` (base64, an encoding, not encryption) or
`stringData` (clear text) — kept in a repository or in a manifest dump.

## Why it matters
A Secret's manifest is only as private as every place it is copied to: Git history,
forks, CI workspaces, backups. Anyone with read access decodes it with `base64 -d`.
Secrets belong in a secret manager (External Secrets, Vault) or encrypted at rest in
the repository (Sealed Secrets, SOPS), not in plain manifests.

## What an attacker does
An attacker with read access to the repository — a contractor, a leaked token, a
public fork — searches for `kind: Secret`, decodes the values and uses the
credentials directly.

## How to fix
Remove the data from the repository (and rotate it); generate the Secret from a secret
manager or commit only an encrypted form.

```yaml
# before
apiVersion: v1
kind: Secret
metadata: {name: db}
stringData:
  password: s3cr3t-Pa55
# after
apiVersion: external-secrets.io/v1beta1
kind: ExternalSecret
metadata: {name: db}
spec:
  secretStoreRef: {name: vault, kind: ClusterSecretStore}
  target: {name: db}
  data:
    - secretKey: password
      remoteRef: {key: prod/db, property: password}
```
"#,
    remediation: "Remove the Secret's data from source control and rotate it; create it from a secret manager (External Secrets, Vault) or commit it encrypted (Sealed Secrets, SOPS).",
    references: &[Reference::cis("5.4.2"), refs::CREDENTIALS_IN_FILES],
};

/// KSP331: a credential-looking value in a ConfigMap.
pub static CREDENTIAL_IN_CONFIGMAP: Rule = Rule {
    id: "KSP331",
    name: "credential-in-configmap",
    title: "ConfigMap holds a credential",
    severity: Severity::High,
    category: "secrets",
    kinds: &["ConfigMap"],
    doc: r#"A ConfigMap key whose name says credential (`password`, `api-key`, `token` ...) with a
literal value, a configuration file inside a ConfigMap with such a setting
(`spring.datasource.password=...`), or a value shaped like a known token.

## Why it matters
ConfigMaps are meant for non-confidential data: RBAC grants read access to them
broadly (many roles can read every ConfigMap of a namespace), they are not encrypted
at rest even where Secrets are, and they are printed freely in logs and dashboards.

## What an attacker does
An attacker with read access to ConfigMaps — a common grant to monitoring tools and
developers, or any pod's token with `get configmaps` — lists them and collects the
credentials.

## How to fix
Move the credential to a Secret and reference it from the configuration.

```yaml
# before
kind: ConfigMap
data:
  application.properties: |
    spring.datasource.password=s3cr3t-Pa55
# after
kind: ConfigMap
data:
  application.properties: |
    spring.datasource.password=${DB_PASSWORD}
```
"#,
    remediation: "Move the credential to a Secret (or a secret manager) and reference it from the configuration; rotate the exposed value.",
    references: &[
        Reference::cis("5.4.1"),
        refs::CREDENTIALS_IN_FILES,
        refs::CONTAINER_API_CREDENTIALS,
    ],
};

/// KSP328.
pub(crate) fn check_env_literal(_: &Ctx<'_>, object: &Object, out: &mut Vec<Finding>) {
    let Some(pod) = Pod::of(object) else { return };
    for c in &pod.containers {
        let env = c.value.get("env").and_then(Value::as_array);
        for (i, var) in env.into_iter().flatten().enumerate() {
            let name = var.get("name").and_then(Value::as_str).unwrap_or("");
            let Some(value) = var.get("value").and_then(Value::as_str) else {
                continue;
            };
            let message = if let Some(what) = known_token(value) {
                format!("{c} sets env var {name} to what looks like {what}")
            } else if is_credential_name(name) && is_literal_value(value) {
                format!("{c} sets env var {name}, named like a credential, to a literal value")
            } else {
                continue;
            };
            out.push(
                Finding::at(
                    &CREDENTIAL_IN_ENV,
                    object,
                    &format!("{}/env/{i}/value", c.ptr),
                    message,
                )
                .with_evidence(redact(value)),
            );
        }
    }
}

/// KSP329.
pub(crate) fn check_secret_env(_: &Ctx<'_>, object: &Object, out: &mut Vec<Finding>) {
    let Some(pod) = Pod::of(object) else { return };
    for c in &pod.containers {
        let env = c.value.get("env").and_then(Value::as_array);
        for (i, var) in env.into_iter().flatten().enumerate() {
            let Some(r) = var.pointer("/valueFrom/secretKeyRef") else {
                continue;
            };
            let name = var.get("name").and_then(Value::as_str).unwrap_or("");
            let secret = r.get("name").and_then(Value::as_str).unwrap_or("");
            let key = r.get("key").and_then(Value::as_str).unwrap_or("");
            out.push(Finding::at(
                &SECRET_IN_ENV,
                object,
                &format!("{}/env/{i}/valueFrom/secretKeyRef", c.ptr),
                format!("{c} reads key {key:?} of Secret {secret:?} into env var {name}"),
            ));
        }
        let env_from = c.value.get("envFrom").and_then(Value::as_array);
        for (i, source) in env_from.into_iter().flatten().enumerate() {
            let Some(r) = source.get("secretRef") else {
                continue;
            };
            let secret = r.get("name").and_then(Value::as_str).unwrap_or("");
            out.push(Finding::at(
                &SECRET_IN_ENV,
                object,
                &format!("{}/envFrom/{i}/secretRef", c.ptr),
                format!("{c} imports every key of Secret {secret:?} as environment variables"),
            ));
        }
    }
}

/// KSP330.
pub(crate) fn check_secret(_: &Ctx<'_>, object: &Object, out: &mut Vec<Finding>) {
    if object.id.api_version != "v1" {
        return;
    }
    for (field, how) in [
        ("data", "base64-encoded, not encrypted"),
        ("stringData", "in clear text"),
    ] {
        let Some(map) = object.value.get(field).and_then(Value::as_object) else {
            continue;
        };
        let keys: Vec<&str> = map
            .iter()
            .filter(|(_, v)| v.as_str().is_some_and(|s| !s.trim().is_empty()))
            .map(|(k, _)| k.as_str())
            .collect();
        if keys.is_empty() {
            continue;
        }
        out.push(
            Finding::at(
                &SECRET_DATA_IN_MANIFEST,
                object,
                &format!("/{field}"),
                format!(
                    "the Secret holds {} value(s) in {field}, {how}: {}",
                    keys.len(),
                    keys.join(", ")
                ),
            )
            .with_evidence(format!("keys: {}", keys.join(", "))),
        );
    }
}

/// The first credential-looking setting inside a multi-line value: (line number
/// within the value, setting name, value), and how many there are.
fn settings_with_credentials(text: &str) -> Option<(usize, String, String, usize)> {
    let re = SETTING_LINE.as_ref()?;
    let mut hits = text.lines().enumerate().filter_map(|(n, line)| {
        let caps = re.captures(line)?;
        let name = caps.get(1)?.as_str();
        let value = caps.get(2)?.as_str();
        (is_credential_name(name) && is_literal_value(value))
            .then(|| (n + 1, name.to_string(), value.to_string()))
    });
    let (line, name, value) = hits.next()?;
    Some((line, name, value, 1 + hits.count()))
}

/// KSP331.
pub(crate) fn check_configmap(_: &Ctx<'_>, object: &Object, out: &mut Vec<Finding>) {
    let Some(data) = object.value.get("data").and_then(Value::as_object) else {
        return;
    };
    for (key, value) in data {
        let Some(value) = value.as_str() else {
            continue;
        };
        let ptr = join_pointer("/data", &[key]);
        let (message, evidence) = if let Some(what) = known_token(value) {
            (
                format!("key {key:?} contains what looks like {what}"),
                redact(value),
            )
        } else if !value.trim().contains('\n') && is_credential_name(key) && is_literal_value(value)
        {
            (
                format!("key {key:?}, named like a credential, has a literal value"),
                redact(value),
            )
        } else if let Some((line, name, v, count)) = settings_with_credentials(value) {
            let more = if count > 1 {
                format!(" ({} more in this key)", count - 1)
            } else {
                String::new()
            };
            (
                format!(
                    "key {key:?} sets {name} to a literal value on line {line} of its content{more}"
                ),
                redact(&v),
            )
        } else {
            continue;
        };
        out.push(
            Finding::at(&CREDENTIAL_IN_CONFIGMAP, object, &ptr, message).with_evidence(evidence),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_names() {
        for yes in [
            "DB_PASSWORD",
            "MYSQL_ROOT_PASSWORD",
            "apiKey",
            "API_KEY",
            "GITHUB_TOKEN",
            "client-secret",
            "spring.datasource.password",
            "AWS_SECRET_ACCESS_KEY",
            "JWT_SECRET",
            "SECRET_KEY_BASE",
        ] {
            assert!(is_credential_name(yes), "{yes}");
        }
        for no in [
            "PASSWORD_FILE",
            "SECRET_NAME",
            "TOKEN_URL",
            "AWS_ACCESS_KEY_ID",
            "HOME",
            "KEY",
            "tokenTTL",
            "secretKeyRef",
            "passwordPolicy",
            "LOG_LEVEL",
            "bypass",
        ] {
            assert!(!is_credential_name(no), "{no}");
        }
    }

    #[test]
    fn literal_values() {
        assert!(is_literal_value("s3cr3t-Pa55"));
        assert!(is_literal_value("\"hunter22\""));
        for no in [
            "",
            "true",
            "$(DB_PASS)",
            "${DB_PASS}",
            "/run/secrets/x",
            "<your-token>",
            "{{ .pw }}",
            "abc",
        ] {
            assert!(!is_literal_value(no), "{no}");
        }
    }

    #[test]
    fn known_tokens() {
        // Synthetic values with the right shapes; none is a real credential.
        assert_eq!(
            known_token("AKIAABCDEFGHIJKLMNOP"),
            Some("an AWS access key ID")
        );
        assert_eq!(
            known_token("-----BEGIN RSA PRIVATE KEY-----\nMIIE"),
            Some("a private key")
        );
        assert_eq!(
            known_token("postgres://app:Sup3rS3cret@db:5432/app"),
            Some("a URL with an embedded password")
        );
        assert_eq!(
            known_token("postgres://app:$(DB_PASSWORD)@db:5432/app"),
            None
        );
        assert_eq!(known_token("https://example.com/path"), None);
        assert_eq!(known_token("-----BEGIN CERTIFICATE-----"), None);
    }

    #[test]
    fn settings_in_files() {
        let text = "server.port=8080\nspring.datasource.password=s3cr3t-Pa55\ntoken: abcdefgh\n";
        let (line, name, _, count) = settings_with_credentials(text).unwrap();
        assert_eq!(
            (line, name.as_str(), count),
            (2, "spring.datasource.password", 2)
        );
        assert!(settings_with_credentials("password: ${DB_PASSWORD}\nsecretName: db\n").is_none());
    }

    #[test]
    fn redaction_hides_the_value() {
        let r = redact("s3cr3t-Pa55");
        assert!(!r.contains("s3cr3t"));
    }
}
