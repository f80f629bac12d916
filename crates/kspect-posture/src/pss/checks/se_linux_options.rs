//! `seLinuxOptions` (baseline): no custom SELinux user or role, and only the
//! container types of the standard policy.

use crate::pss::Level;
use crate::pss::pod::Pod;
use crate::pss::registry::CheckInfo;
use crate::pss::value::{Text, field};
use crate::pss::violation::{Failure, Offenses};
use serde_json::Value;

pub(crate) const INFO: CheckInfo = CheckInfo {
    id: "seLinuxOptions",
    level: Level::Baseline,
    title: "SELinux options must not set a custom user, role or type",
    control: "SELinux",
    doc: r#"On SELinux hosts every container runs in a confined domain (`container_t`) that
keeps it away from host files even when other layers fail. `seLinuxOptions` can
move the process to another domain: `type: spc_t` ("super privileged container")
or `unconfined_t` lifts the confinement entirely, and a custom `user` or `role`
can do the same. Baseline allows `type` unset/empty, `container_t`,
`container_init_t`, `container_kvm_t` and, from v1.31, `container_engine_t`; `user`
and `role` must be unset or empty. `level` (the MCS category) may be set. Checked
at pod level and in every container.

Before:
```yaml
securityContext:
  seLinuxOptions:
    type: spc_t
```
After:
```yaml
securityContext:
  seLinuxOptions:
    level: "s0:c123,c456"   # categories are fine; leave type/user/role unset
```"#,
    since: &["v1.0", "v1.31"],
};

const TYPES_V1_0: &[&str] = &["", "container_t", "container_init_t", "container_kvm_t"];
const TYPES_V1_31: &[&str] = &[
    "",
    "container_t",
    "container_init_t",
    "container_kvm_t",
    "container_engine_t",
];

fn check_options(options: &Value, base: &str, who: &str, types: &[&str], offenses: &mut Offenses) {
    let kind = Text::of(field(options, "type"));
    if !kind.is_one_of(types) {
        offenses.spec(
            format!("{base}/type"),
            format!(
                "{who} sets securityContext.seLinuxOptions.type to forbidden {}",
                kind.quoted()
            ),
        );
    }
    for key in ["user", "role"] {
        let value = Text::of(field(options, key));
        if !value.is_empty() {
            offenses.spec(
                format!("{base}/{key}"),
                format!(
                    "{who} sets securityContext.seLinuxOptions.{key} to {} (must be empty)",
                    value.quoted()
                ),
            );
        }
    }
}

pub(crate) fn check(pod: &Pod, minor: u32) -> Option<Failure> {
    let types = if minor >= 31 { TYPES_V1_31 } else { TYPES_V1_0 };
    let mut offenses = Offenses::new();
    if let Some(options) = pod.security("seLinuxOptions") {
        check_options(
            options,
            "/securityContext/seLinuxOptions",
            "the pod",
            types,
            &mut offenses,
        );
    }
    for c in &pod.containers {
        if let Some(options) = c.security("seLinuxOptions") {
            let base = c.security_pointer("seLinuxOptions");
            check_options(options, &base, &c.to_string(), types, &mut offenses);
        }
    }
    offenses.finish("seLinuxOptions")
}
