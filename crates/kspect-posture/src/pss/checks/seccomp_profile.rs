//! `seccompProfile_baseline` (baseline) and `seccompProfile_restricted` (restricted).

use crate::pss::Level;
use crate::pss::pod::Pod;
use crate::pss::registry::CheckInfo;
use crate::pss::value::{Text, escape, field, quote_all};
use crate::pss::violation::{Failure, Offenses};
use serde_json::Value;

pub(crate) const BASELINE_INFO: CheckInfo = CheckInfo {
    id: "seccompProfile_baseline",
    level: Level::Baseline,
    title: "Seccomp must not be set to Unconfined",
    control: "Seccomp",
    doc: r#"Seccomp filters the system calls a container may make; the runtime's default
profile blocks a few dozen rarely needed calls (`keyctl`, `unshare`, `bpf`,
`mount`...) behind many kernel exploits and container escapes. Baseline does not
require a profile, but forbids switching it off. From v1.19 it checks the fields:
`securityContext.seccompProfile.type` at pod and container level must be
`RuntimeDefault` or `Localhost` when set (`Unconfined` is denied). Versions v1.0 to
v1.18 check the former alpha annotations instead:
`seccomp.security.alpha.kubernetes.io/pod` and
`container.seccomp.security.alpha.kubernetes.io/<container>` must be absent,
`runtime/default`, `docker/default` or `localhost/<profile>`.

Before:
```yaml
securityContext:
  seccompProfile:
    type: Unconfined
```
After:
```yaml
securityContext:
  seccompProfile:
    type: RuntimeDefault
```"#,
    since: &["v1.0", "v1.19"],
};

pub(crate) const RESTRICTED_INFO: CheckInfo = CheckInfo {
    id: "seccompProfile_restricted",
    level: Level::Restricted,
    title: "Seccomp must be set to RuntimeDefault or Localhost",
    control: "Seccomp",
    doc: r#"Without a seccomp profile (Kubernetes' default is still `Unconfined` unless the
kubelet enables `--seccomp-default`) a container may call every system call the
kernel offers, including the ones most kernel privilege escalations start from.
The restricted level requires a profile: `RuntimeDefault` or `Localhost`, set on
the pod (`spec.securityContext.seccompProfile`, inherited by containers) or on
every container that does not inherit one; `Unconfined` or any other type is
denied wherever it is set. Replaces `seccompProfile_baseline` at the restricted
level from v1.19; from v1.25 pods with `spec.os.name: windows` are exempt.

Before:
```yaml
spec:
  containers:
  - name: worker
    image: registry.example/worker:7
```
After:
```yaml
spec:
  securityContext:
    seccompProfile:
      type: RuntimeDefault
  containers:
  - name: worker
    image: registry.example/worker:7
```"#,
    since: &["v1.19", "v1.25"],
};

const POD_ANNOTATION: &str = "seccomp.security.alpha.kubernetes.io/pod";
const CONTAINER_ANNOTATION_PREFIX: &str = "container.seccomp.security.alpha.kubernetes.io/";

fn valid_type(profile: &Value) -> Result<(), Text<'_>> {
    let kind = Text::of(field(profile, "type"));
    if kind.is_one_of(&["RuntimeDefault", "Localhost"]) {
        Ok(())
    } else {
        Err(kind)
    }
}

fn valid_annotation(value: &Value) -> bool {
    match Text::of(Some(value)).as_str() {
        Some(v) => v == "runtime/default" || v == "docker/default" || v.starts_with("localhost/"),
        None => false,
    }
}

/// Before v1.19 only the alpha annotations count.
fn annotations_v1_0(pod: &Pod) -> Option<Failure> {
    let mut offenses = Offenses::new();
    let mut keys = vec![POD_ANNOTATION.to_owned()];
    keys.extend(
        pod.containers
            .iter()
            .map(|c| format!("{CONTAINER_ANNOTATION_PREFIX}{}", c.name)),
    );
    let mut seen = Vec::new();
    for key in keys {
        if seen.contains(&key) {
            continue;
        }
        if let Some(value) = pod.annotation(&key)
            && !valid_annotation(value)
        {
            offenses.metadata(
                format!("/annotations/{}", escape(&key)),
                format!(
                    "annotation {key}={} selects a forbidden seccomp profile",
                    Text::of(Some(value)).quoted()
                ),
            );
        }
        seen.push(key);
    }
    offenses.finish("seccompProfile")
}

/// Pod-level and container-level profiles that are set must be valid. Returns
/// whether the pod-level profile is set and valid (for the restricted rule).
fn explicit_fields(pod: &Pod, offenses: &mut Offenses) -> bool {
    let mut pod_valid = false;
    if let Some(profile) = pod.security("seccompProfile") {
        match valid_type(profile) {
            Ok(()) => pod_valid = true,
            Err(kind) => offenses.spec(
                "/securityContext/seccompProfile/type",
                format!(
                    "the pod sets securityContext.seccompProfile.type to {}",
                    kind.quoted()
                ),
            ),
        }
    }
    for c in &pod.containers {
        if let Some(profile) = c.security("seccompProfile")
            && let Err(kind) = valid_type(profile)
        {
            offenses.spec(
                c.security_pointer("seccompProfile/type"),
                format!(
                    "{c} sets securityContext.seccompProfile.type to {}",
                    kind.quoted()
                ),
            );
        }
    }
    pod_valid
}

pub(crate) fn check_baseline(pod: &Pod, minor: u32) -> Option<Failure> {
    if minor < 19 {
        return annotations_v1_0(pod);
    }
    let mut offenses = Offenses::new();
    explicit_fields(pod, &mut offenses);
    offenses.finish("seccompProfile")
}

pub(crate) fn check_restricted(pod: &Pod, minor: u32) -> Option<Failure> {
    if minor >= 25 && pod.is_windows() {
        return None;
    }
    let mut offenses = Offenses::new();
    let pod_valid = explicit_fields(pod, &mut offenses);
    if !pod_valid {
        let missing: Vec<&str> = pod
            .containers
            .iter()
            .filter(|c| c.security("seccompProfile").is_none())
            .map(|c| c.name.as_str())
            .collect();
        if !missing.is_empty() {
            let (noun, verb) = if missing.len() == 1 {
                ("container", "sets")
            } else {
                ("containers", "set")
            };
            offenses.spec(
                "/securityContext/seccompProfile/type",
                format!(
                    "neither the pod nor {noun} {} {verb} securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\"",
                    quote_all(&missing)
                ),
            );
        }
    }
    offenses.finish("seccompProfile")
}
