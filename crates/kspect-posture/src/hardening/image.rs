//! Image references: mutable tags, digests, pull policy and allowed registries.

use kspect_core::{Finding, Object, Reference, Rule, Severity};
use serde_json::Value;

use super::Ctx;
use super::pod::{Pod, WORKLOAD_KINDS};
use super::refs;

/// The parts of an image reference, normalised as the container runtimes resolve them
/// (`nginx` is `docker.io/library/nginx`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ImageRef {
    /// Registry host (with port), lower case; Docker Hub's aliases become `docker.io`.
    pub registry: String,
    /// Repository path inside the registry, e.g. `library/nginx`.
    pub repository: String,
    /// The tag, when one is written.
    pub tag: Option<String>,
    /// The digest, when one is written (`sha256:...`).
    pub digest: Option<String>,
}

impl ImageRef {
    /// Parses a reference the way the Docker reference grammar splits it. This is a
    /// small, total function, so it is written here rather than pulling in a crate.
    pub fn parse(image: &str) -> ImageRef {
        let image = image.trim();
        let (name_tag, digest) = match image.split_once('@') {
            Some((n, d)) => (n, Some(d.to_string()).filter(|d| !d.is_empty())),
            None => (image, None),
        };
        let last_slash = name_tag.rfind('/');
        let (name, tag) = match name_tag.rfind(':') {
            Some(i) if last_slash.is_none_or(|s| i > s) => {
                (&name_tag[..i], Some(name_tag[i + 1..].to_string()))
            }
            _ => (name_tag, None),
        };
        let tag = tag.filter(|t| !t.is_empty());
        let (registry, repository) = match name.split_once('/') {
            Some((first, rest))
                if first.contains('.') || first.contains(':') || first == "localhost" =>
            {
                (normalise_host(first), rest.to_string())
            }
            _ => ("docker.io".to_string(), name.to_string()),
        };
        let repository = if registry == "docker.io" && !repository.contains('/') {
            format!("library/{repository}")
        } else {
            repository
        };
        ImageRef {
            registry,
            repository,
            tag,
            digest,
        }
    }

    /// `registry/repository`.
    pub fn full_name(&self) -> String {
        format!("{}/{}", self.registry, self.repository)
    }

    /// True when the reference can point at different content over time.
    pub fn is_mutable(&self) -> bool {
        self.digest.is_none()
    }

    /// True when no tag or `latest` is written (and no digest).
    pub fn is_latest(&self) -> bool {
        self.digest.is_none() && self.tag.as_deref().is_none_or(|t| t == "latest")
    }
}

fn normalise_host(host: &str) -> String {
    let host = host.to_ascii_lowercase();
    match host.as_str() {
        "index.docker.io" | "registry-1.docker.io" | "registry.hub.docker.com" => {
            "docker.io".to_string()
        }
        _ => host,
    }
}

/// True when the image lies in an allowlist entry: a registry host (`ghcr.io`) or a
/// host and path prefix (`ghcr.io/acme`), matched on whole path segments.
pub(crate) fn registry_allowed(image: &ImageRef, entry: &str) -> bool {
    let entry = entry.trim();
    let entry = entry
        .strip_prefix("https://")
        .or_else(|| entry.strip_prefix("http://"))
        .unwrap_or(entry)
        .trim_end_matches('/');
    if entry.is_empty() {
        return false;
    }
    let (host, path) = entry.split_once('/').unwrap_or((entry, ""));
    let prefix = if path.is_empty() {
        normalise_host(host)
    } else {
        format!("{}/{path}", normalise_host(host))
    };
    let full = image.full_name();
    full == prefix
        || full
            .strip_prefix(&prefix)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// KSP322: no tag, or `latest`.
pub static IMAGE_MUTABLE_TAG: Rule = Rule {
    id: "KSP322",
    name: "image-latest-tag",
    title: "Image has no tag or uses latest",
    severity: Severity::Medium,
    category: "workload",
    kinds: WORKLOAD_KINDS,
    doc: r#"A container image written without a tag (`nginx`) or with `:latest` names whatever
was pushed last.

## Why it matters
The same manifest then runs different code on different nodes and on every restart;
nobody can tell which version is deployed, roll back to a known one, or match it to
a vulnerability scan. A compromised or typo-squatted upstream push reaches
production at the next pod restart.

## What an attacker does
An attacker who can push to the repository (stolen CI token, compromised maintainer)
replaces `latest`; every pod that starts afterwards runs their image, without any
change to the manifests that a review would catch.

## How to fix
Use an immutable version tag, or better a digest.

```yaml
# before
image: nginx:latest
# after
image: nginx:1.27.2@sha256:<digest of that version>
```
"#,
    remediation: "Reference the image by a specific version tag, ideally pinned by digest (name:tag@sha256:...).",
    references: &[
        Reference::docs(
            "Images: image names",
            "https://kubernetes.io/docs/concepts/containers/images/#image-names",
        ),
        refs::MALICIOUS_IMAGE,
        refs::IMPLANT_IMAGE,
    ],
};

/// KSP323: no digest.
pub static IMAGE_NOT_PINNED: Rule = Rule {
    id: "KSP323",
    name: "image-not-pinned-by-digest",
    title: "Image is not pinned by digest",
    severity: Severity::Low,
    category: "workload",
    kinds: WORKLOAD_KINDS,
    doc: r#"A container image referenced by tag only (`app:1.4.2`) can change under the same name;
only a digest (`@sha256:...`) names fixed content.

## Why it matters
Tags are mutable pointers. A registry compromise, a mistaken re-push or a tag that is
moved on purpose (`1.4`, `stable`) changes what runs without any change in Git. A
digest makes the deployed content verifiable and reproducible.

## What an attacker does
An attacker with push rights to the repository overwrites an existing version tag
with a backdoored image; nodes that pull it (new nodes, evicted pods, `Always` pull
policy) run the backdoor while the manifests still look reviewed and unchanged.

## How to fix
Pin by digest (keeping the tag for humans).

```yaml
# before
image: registry.example.com/app:1.4.2
# after
image: registry.example.com/app:1.4.2@sha256:<digest>
```
"#,
    remediation: "Append the image digest to the reference (name:tag@sha256:...), for instance with your CI or a digest-pinning tool.",
    references: &[
        Reference::cis("5.5.1"),
        refs::IMPLANT_IMAGE,
        refs::MALICIOUS_IMAGE,
    ],
};

/// KSP324: a mutable reference whose effective pull policy is not `Always`.
pub static IMAGE_PULL_POLICY: Rule = Rule {
    id: "KSP324",
    name: "image-pull-policy-not-always",
    title: "Mutable image is not pulled with imagePullPolicy Always",
    severity: Severity::Low,
    category: "workload",
    kinds: WORKLOAD_KINDS,
    doc: r#"A container whose image is a mutable tag (no digest) and whose `imagePullPolicy`
is, or defaults to, `IfNotPresent` or `Never` uses whatever copy the node has cached.

## Why it matters
The API server defaults the policy to `Always` only for `:latest` or untagged images;
any other tag defaults to `IfNotPresent`. Nodes then run different content under one
name, and — more serious on shared clusters — a pod reuses an image cached by another
tenant without the registry ever checking its pull credentials.

## What an attacker does
On a multi-tenant node, an attacker's pod names a private image that another team
pulled earlier and runs it (with its embedded secrets) without having access to the
registry. Elsewhere, a poisoned image cached on a node keeps running after the tag
was fixed in the registry.

## How to fix
Pin by digest (then the policy does not matter), or pull always.

```yaml
# before
image: registry.example.com/app:1.4.2
# after
image: registry.example.com/app:1.4.2
imagePullPolicy: Always
```
"#,
    remediation: "Pin the image by digest, or set imagePullPolicy: Always (and enable the AlwaysPullImages admission plugin on shared clusters).",
    references: &[
        Reference::docs(
            "Images: image pull policy",
            "https://kubernetes.io/docs/concepts/containers/images/#image-pull-policy",
        ),
        refs::IMPLANT_IMAGE,
    ],
};

/// KSP325: a registry outside `registries.allowed`.
pub static IMAGE_REGISTRY_NOT_ALLOWED: Rule = Rule {
    id: "KSP325",
    name: "image-registry-not-allowed",
    title: "Image comes from a registry outside the allowlist",
    severity: Severity::High,
    category: "workload",
    kinds: WORKLOAD_KINDS,
    doc: r#"A container image whose registry (or registry path) is not listed in
`registries.allowed` of `.kspect.yaml`. Without an allowlist the rule is silent.

## Why it matters
An allowlist is how an organisation says where trusted images come from: a registry
it scans, signs and mirrors into. An image from elsewhere has not been through
that pipeline — it may be unscanned, unsigned, typo-squatted, or pulled from a public
registry with rate limits and no availability guarantee.

## What an attacker does
An attacker gets a manifest merged that references `docker.io/some-lookalike/app` or
their own registry; the image carries a backdoor or a cryptominer and the
organisation's scanning never sees it.

## How to fix
Mirror the image into an allowed registry and reference it there (and enforce the list
at admission with a policy engine).

```yaml
# before
image: docker.io/someone/tool:2.1
# after
image: registry.example.com/mirror/tool:2.1
```
"#,
    remediation: "Reference the image from an allowed registry (mirror it there), or add its registry to registries.allowed in .kspect.yaml after review.",
    references: &[
        Reference::cis("5.5.1"),
        refs::MALICIOUS_IMAGE,
        refs::IMPLANT_IMAGE,
    ],
};

/// Runs `f` on each container that names an image, with the parsed reference.
fn each_image(
    object: &Object,
    mut f: impl FnMut(&super::pod::Container<'_>, &str, &ImageRef, String),
) {
    let Some(pod) = Pod::of(object) else { return };
    for c in &pod.containers {
        let Some(image) = c.image().filter(|i| !i.trim().is_empty()) else {
            continue;
        };
        let parsed = ImageRef::parse(image);
        f(c, image, &parsed, format!("{}/image", c.ptr));
    }
}

/// KSP322.
pub(crate) fn check_mutable_tag(_: &Ctx<'_>, object: &Object, out: &mut Vec<Finding>) {
    each_image(object, |c, image, parsed, ptr| {
        if !parsed.is_latest() {
            return;
        }
        let message = match parsed.tag {
            None => format!("{c} uses image {image:?} without a tag, which means latest"),
            Some(_) => format!("{c} uses image {image:?} with the latest tag"),
        };
        out.push(Finding::at(&IMAGE_MUTABLE_TAG, object, &ptr, message).with_evidence(image));
    });
}

/// KSP323.
pub(crate) fn check_digest(_: &Ctx<'_>, object: &Object, out: &mut Vec<Finding>) {
    each_image(object, |c, image, parsed, ptr| {
        if parsed.is_mutable() {
            out.push(
                Finding::at(
                    &IMAGE_NOT_PINNED,
                    object,
                    &ptr,
                    format!("{c} uses image {image:?}, which is not pinned by digest"),
                )
                .with_evidence(image),
            );
        }
    });
}

/// KSP324.
pub(crate) fn check_pull_policy(_: &Ctx<'_>, object: &Object, out: &mut Vec<Finding>) {
    let Some(pod) = Pod::of(object) else { return };
    for c in &pod.containers {
        let Some(image) = c.image().filter(|i| !i.trim().is_empty()) else {
            continue;
        };
        let parsed = ImageRef::parse(image);
        if !parsed.is_mutable() {
            continue;
        }
        let explicit = c.value.get("imagePullPolicy").and_then(Value::as_str);
        // The API server's defaulting: Always for latest or no tag, else IfNotPresent.
        let (policy, how) = match explicit {
            Some(p) => (p, "imagePullPolicy"),
            None if parsed.is_latest() => ("Always", "default"),
            None => ("IfNotPresent", "default"),
        };
        if policy == "Always" {
            continue;
        }
        let message = if how == "default" {
            format!(
                "{c} uses mutable image {image:?} without imagePullPolicy, which defaults to IfNotPresent"
            )
        } else {
            format!("{c} uses mutable image {image:?} with imagePullPolicy: {policy}")
        };
        out.push(Finding::at(
            &IMAGE_PULL_POLICY,
            object,
            &format!("{}/imagePullPolicy", c.ptr),
            message,
        ));
    }
}

/// KSP325.
pub(crate) fn check_registry(ctx: &Ctx<'_>, object: &Object, out: &mut Vec<Finding>) {
    let allowed = &ctx.config.allowed_registries;
    if allowed.is_empty() {
        return;
    }
    each_image(object, |c, image, parsed, ptr| {
        if allowed.iter().any(|entry| registry_allowed(parsed, entry)) {
            return;
        }
        out.push(
            Finding::at(
                &IMAGE_REGISTRY_NOT_ALLOWED,
                object,
                &ptr,
                format!(
                    "{c} uses image {image:?} from {}, which is not in the allowed registries ({})",
                    parsed.full_name(),
                    allowed.join(", ")
                ),
            )
            .with_evidence(parsed.full_name()),
        );
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn p(s: &str) -> ImageRef {
        ImageRef::parse(s)
    }

    #[test]
    fn docker_hub_normalisation() {
        let r = p("nginx");
        assert_eq!(r.full_name(), "docker.io/library/nginx");
        assert_eq!(r.tag, None);
        assert!(r.is_latest());
        assert_eq!(p("bitnami/redis:7").full_name(), "docker.io/bitnami/redis");
        assert_eq!(p("index.docker.io/library/nginx:1").registry, "docker.io");
    }

    #[test]
    fn registry_port_is_not_a_tag() {
        let r = p("localhost:5000/app");
        assert_eq!(r.registry, "localhost:5000");
        assert_eq!(r.tag, None);
        let r = p("registry.example.com:443/team/app:1.2@sha256:abc");
        assert_eq!(r.registry, "registry.example.com:443");
        assert_eq!(r.repository, "team/app");
        assert_eq!(r.tag.as_deref(), Some("1.2"));
        assert_eq!(r.digest.as_deref(), Some("sha256:abc"));
        assert!(!r.is_mutable() && !r.is_latest());
    }

    #[test]
    fn digest_without_tag_is_not_latest() {
        assert!(!p("nginx@sha256:0123").is_latest());
        assert!(p("nginx:latest").is_latest());
        assert!(!p("nginx:1.27").is_latest());
    }

    #[test]
    fn allowlist_matches_whole_segments() {
        let img = p("ghcr.io/acme/app:1");
        assert!(registry_allowed(&img, "ghcr.io"));
        assert!(registry_allowed(&img, "ghcr.io/acme"));
        assert!(registry_allowed(&img, "https://GHCR.io/acme/"));
        assert!(!registry_allowed(
            &p("ghcr.io/acmecorp/app"),
            "ghcr.io/acme"
        ));
        assert!(registry_allowed(&p("nginx"), "docker.io"));
        assert!(registry_allowed(&p("nginx"), "docker.io/library"));
        assert!(!registry_allowed(&p("nginx"), ""));
    }

    proptest! {
        #[test]
        fn parse_is_total_and_keeps_the_digest(s in ".{0,80}") {
            let r = ImageRef::parse(&s);
            prop_assert!(!r.registry.is_empty());
            if let Some((_, d)) = s.trim().split_once('@') && !d.is_empty() {
                prop_assert_eq!(r.digest.as_deref(), Some(d));
            }
        }

        #[test]
        fn tagged_references_round_trip(
            host in "[a-z]{1,8}\\.[a-z]{2,3}",
            repo in "[a-z0-9]{1,8}(/[a-z0-9]{1,8}){0,2}",
            tag in "[A-Za-z0-9_][A-Za-z0-9_.-]{0,10}",
        ) {
            let r = ImageRef::parse(&format!("{host}/{repo}:{tag}"));
            prop_assert_eq!(r.registry, host);
            prop_assert_eq!(r.repository, repo);
            prop_assert_eq!(r.tag, Some(tag));
        }
    }
}
