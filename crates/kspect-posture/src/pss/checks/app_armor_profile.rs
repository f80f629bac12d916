//! `appArmorProfile` (baseline): AppArmor may not be switched off or replaced
//! by anything but the runtime default or a profile loaded on the node.

use crate::pss::Level;
use crate::pss::pod::Pod;
use crate::pss::registry::CheckInfo;
use crate::pss::value::{Text, escape, field};
use crate::pss::violation::{Failure, Offenses};
use serde_json::Value;

pub(crate) const INFO: CheckInfo = CheckInfo {
    id: "appArmorProfile",
    level: Level::Baseline,
    title: "AppArmor must not be disabled or overridden",
    control: "AppArmor",
    doc: r#"On nodes with AppArmor, the container runtime confines every container with a
default profile that denies writes to sensitive parts of /proc and /sys, mounting,
and other actions that container escapes rely on. Setting the profile to
`Unconfined` (field `securityContext.appArmorProfile.type`, or the older annotation
`container.apparmor.security.beta.kubernetes.io/<container>: unconfined`) removes
that layer: a compromised process can then use any kernel surface its
capabilities permit. Only `RuntimeDefault` and `Localhost` profiles (in
annotations: `runtime/default`, `localhost/<name>` or an empty value) are allowed,
at pod and container level; any other annotation value under that prefix is
rejected even if it names no container.

Before:
```yaml
spec:
  securityContext:
    appArmorProfile:
      type: Unconfined
```
After:
```yaml
spec:
  securityContext:
    appArmorProfile:
      type: RuntimeDefault
```"#,
    since: &["v1.0"],
};

const ANNOTATION_PREFIX: &str = "container.apparmor.security.beta.kubernetes.io/";

/// The `appArmorProfile` object is unset or its type is one of the two safe kinds.
fn allowed_type(profile: Option<&Value>) -> Result<(), Text<'_>> {
    let Some(profile) = profile else {
        return Ok(());
    };
    let kind = Text::of(field(profile, "type"));
    if kind.is_one_of(&["RuntimeDefault", "Localhost"]) {
        Ok(())
    } else {
        Err(kind)
    }
}

fn allowed_annotation(value: &Value) -> bool {
    match Text::of(Some(value)).as_str() {
        Some(v) => v.is_empty() || v == "runtime/default" || v.starts_with("localhost/"),
        None => false,
    }
}

fn insert_distinct(values: &mut Vec<String>, value: String) {
    if !values.contains(&value) {
        values.push(value);
    }
}

pub(crate) fn check(pod: &Pod, _minor: u32) -> Option<Failure> {
    let mut offenses = Offenses::new();
    // Distinct bad values decide between "profile" and "profiles", as upstream counts them.
    let mut bad_values: Vec<String> = Vec::new();

    if let Err(kind) = allowed_type(pod.security("appArmorProfile")) {
        insert_distinct(&mut bad_values, kind.quoted());
        offenses.spec(
            "/securityContext/appArmorProfile/type",
            format!(
                "the pod sets securityContext.appArmorProfile.type to {}",
                kind.quoted()
            ),
        );
    }
    for c in &pod.containers {
        if let Err(kind) = allowed_type(c.security("appArmorProfile")) {
            insert_distinct(&mut bad_values, kind.quoted());
            offenses.spec(
                c.security_pointer("appArmorProfile/type"),
                format!(
                    "{c} sets securityContext.appArmorProfile.type to {}",
                    kind.quoted()
                ),
            );
        }
    }

    let mut annotations: Vec<(&String, &Value)> = field(pod.metadata, "annotations")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter(|(k, _)| k.starts_with(ANNOTATION_PREFIX))
                .collect()
        })
        .unwrap_or_default();
    annotations.sort_by(|a, b| a.0.cmp(b.0));
    for (key, value) in annotations {
        if !allowed_annotation(value) {
            let shown = format!("{key}={}", Text::of(Some(value)).quoted());
            insert_distinct(&mut bad_values, shown.clone());
            offenses.metadata(
                format!("/annotations/{}", escape(key)),
                format!("annotation {shown} selects a forbidden AppArmor profile"),
            );
        }
    }

    if offenses.is_empty() {
        return None;
    }
    let reason = if bad_values.len() == 1 {
        "forbidden AppArmor profile"
    } else {
        "forbidden AppArmor profiles"
    };
    offenses.finish(reason)
}
