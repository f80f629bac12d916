//! Behaviour the upstream fixtures do not exercise (corpus README, "What the
//! fixtures do not cover"), the public API's contracts, and property tests.
//! Expectations come from the check table in `../shared/corpus/pss/CHECKS.md`.

use kspect_posture::pss::{
    CHECKS, Level, PodPart, Policy, Version, Violation, checks_for, evaluate,
};
use proptest::prelude::*;
use serde_json::{Value, json};

fn policy(level: Level, minor: u32) -> Policy {
    Policy {
        level,
        version: Version::new(minor),
    }
}

fn restricted(minor: u32) -> Policy {
    policy(Level::Restricted, minor)
}

fn baseline(minor: u32) -> Policy {
    policy(Level::Baseline, minor)
}

/// A hardened container that satisfies every restricted check on its own.
fn good_container(name: &str) -> Value {
    json!({
        "name": name,
        "image": "registry.k8s.io/pause",
        "securityContext": {"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}}
    })
}

/// The smallest pod allowed at restricted v1.22 and later.
fn good_spec() -> Value {
    json!({
        "securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}},
        "initContainers": [good_container("init")],
        "containers": [good_container("app")]
    })
}

fn eval(spec: &Value, p: Policy) -> Vec<Violation> {
    evaluate(&json!({"name": "p"}), spec, &p)
}

fn ids(v: &[Violation]) -> Vec<&'static str> {
    v.iter().map(|v| v.check).collect()
}

fn only(v: &[Violation], check: &str) -> Violation {
    assert_eq!(ids(v), vec![check], "unexpected violations: {v:#?}");
    v[0].clone()
}

fn set(spec: &mut Value, pointer: &str, value: Value) {
    // Creates missing objects on the way, like `kubectl patch` would.
    let mut cur = spec;
    let tokens: Vec<&str> = pointer.trim_start_matches('/').split('/').collect();
    for (i, token) in tokens.iter().enumerate() {
        let last = i + 1 == tokens.len();
        cur = match cur {
            Value::Array(list) => {
                let idx: usize = token.parse().expect("index");
                &mut list[idx]
            }
            other => {
                if !other.is_object() {
                    *other = json!({});
                }
                let map = other.as_object_mut().expect("object");
                map.entry(token.to_string()).or_insert(Value::Null)
            }
        };
        if last {
            *cur = value.clone();
        }
    }
}

fn with(pointer: &str, value: Value) -> Value {
    let mut spec = good_spec();
    set(&mut spec, pointer, value);
    spec
}

#[test]
fn the_hardened_pod_is_allowed_everywhere_from_v1_22() {
    for minor in 22..=40 {
        assert!(
            eval(&good_spec(), restricted(minor)).is_empty(),
            "v1.{minor}"
        );
        assert!(eval(&good_spec(), baseline(minor)).is_empty(), "v1.{minor}");
    }
    assert!(
        eval(
            &good_spec(),
            Policy {
                level: Level::Restricted,
                version: Version::LATEST
            }
        )
        .is_empty()
    );
}

#[test]
fn privileged_level_allows_anything() {
    let spec = json!({"hostNetwork": true, "containers": [{"name": "x", "securityContext": {"privileged": true}}]});
    assert!(evaluate(&Value::Null, &spec, &policy(Level::Privileged, 37)).is_empty());
    assert!(checks_for(&policy(Level::Privileged, 37)).is_empty());
}

// --- ephemeral containers -------------------------------------------------

#[test]
fn ephemeral_containers_are_visited_by_container_checks() {
    let mut spec = good_spec();
    spec["ephemeralContainers"] =
        json!([{"name": "debug", "securityContext": {"privileged": true}}]);
    let v = only(&eval(&spec, baseline(37)), "privileged");
    assert_eq!(
        v.pointer,
        "/ephemeralContainers/0/securityContext/privileged"
    );
    assert_eq!(v.part, PodPart::Spec);
    assert!(v.detail.contains("debug"), "{}", v.detail);

    // At restricted the debug container lacks allowPrivilegeEscalation=false and drop ALL.
    spec["ephemeralContainers"] = json!([{"name": "debug", "image": "busybox"}]);
    let v = eval(&spec, restricted(37));
    assert_eq!(
        ids(&v),
        vec!["allowPrivilegeEscalation", "capabilities_restricted"]
    );
    assert_eq!(
        v[0].pointer,
        "/ephemeralContainers/0/securityContext/allowPrivilegeEscalation"
    );
    assert_eq!(
        v[1].pointer,
        "/ephemeralContainers/0/securityContext/capabilities/drop"
    );

    // ... and the pod-level runAsNonRoot/seccomp are inherited, so only those two.
    spec["ephemeralContainers"] = json!([good_container("debug")]);
    set(
        &mut spec,
        "/ephemeralContainers/0/securityContext/seLinuxOptions/type",
        json!("spc_t"),
    );
    let v = only(&eval(&spec, baseline(37)), "seLinuxOptions");
    assert_eq!(
        v.pointer,
        "/ephemeralContainers/0/securityContext/seLinuxOptions/type"
    );
}

#[test]
fn ephemeral_containers_count_for_annotations_keyed_by_container_name() {
    let mut spec = good_spec();
    spec["ephemeralContainers"] = json!([{"name": "debug"}]);
    let meta = json!({"annotations": {"container.seccomp.security.alpha.kubernetes.io/debug": "unconfined"}});
    let v = evaluate(&meta, &spec, &baseline(18));
    assert_eq!(ids(&v), vec!["seccompProfile_baseline"]);
    assert_eq!(v[0].part, PodPart::Metadata);
    assert_eq!(
        v[0].pointer,
        "/annotations/container.seccomp.security.alpha.kubernetes.io~1debug"
    );
    // An annotation for a container that does not exist is not looked at.
    let meta = json!({"annotations": {"container.seccomp.security.alpha.kubernetes.io/ghost": "unconfined"}});
    assert!(evaluate(&meta, &spec, &baseline(18)).is_empty());
}

// --- AppArmor ---------------------------------------------------------------

#[test]
fn apparmor_profile_fields() {
    for ok in ["RuntimeDefault", "Localhost"] {
        assert!(
            eval(
                &with("/securityContext/appArmorProfile", json!({"type": ok})),
                baseline(37)
            )
            .is_empty()
        );
        assert!(
            eval(
                &with(
                    "/containers/0/securityContext/appArmorProfile",
                    json!({"type": ok, "localhostProfile": "p"})
                ),
                restricted(37)
            )
            .is_empty()
        );
    }
    let v = only(
        &eval(
            &with(
                "/securityContext/appArmorProfile",
                json!({"type": "Unconfined"}),
            ),
            baseline(0),
        ),
        "appArmorProfile",
    );
    assert_eq!(v.reason, "forbidden AppArmor profile");
    assert_eq!(v.pointer, "/securityContext/appArmorProfile/type");
    // An object without a type, a lower-case type, or anything else is denied.
    for bad in [
        json!({}),
        json!({"type": "runtimedefault"}),
        json!({"type": ""}),
        json!("RuntimeDefault"),
    ] {
        let spec = with(
            "/initContainers/0/securityContext/appArmorProfile",
            bad.clone(),
        );
        let v = only(&eval(&spec, restricted(37)), "appArmorProfile");
        assert_eq!(
            v.pointer, "/initContainers/0/securityContext/appArmorProfile/type",
            "{bad}"
        );
    }
    // Null is unset.
    assert!(
        eval(
            &with("/securityContext/appArmorProfile", Value::Null),
            baseline(37)
        )
        .is_empty()
    );
}

#[test]
fn apparmor_annotations_and_plural_reason() {
    let prefix = "container.apparmor.security.beta.kubernetes.io/";
    for ok in ["", "runtime/default", "localhost/custom", "localhost/"] {
        let meta = json!({"annotations": {format!("{prefix}app"): ok}});
        assert!(
            evaluate(&meta, &good_spec(), &baseline(37)).is_empty(),
            "{ok:?}"
        );
    }
    // Any key under the prefix counts, even one naming no container.
    let meta =
        json!({"annotations": {format!("{prefix}nobody"): "unconfined", "other/x": "unconfined"}});
    let v = evaluate(&meta, &good_spec(), &baseline(37));
    let v = only(&v, "appArmorProfile");
    assert_eq!(
        (v.part, v.pointer.as_str()),
        (
            PodPart::Metadata,
            "/annotations/container.apparmor.security.beta.kubernetes.io~1nobody"
        )
    );
    assert_eq!(v.reason, "forbidden AppArmor profile");

    // Two distinct forbidden values: plural.
    let meta = json!({"annotations": {format!("{prefix}app"): "unconfined"}});
    let spec = with(
        "/securityContext/appArmorProfile",
        json!({"type": "Unconfined"}),
    );
    let v = only(&evaluate(&meta, &spec, &baseline(37)), "appArmorProfile");
    assert_eq!(v.reason, "forbidden AppArmor profiles");
    assert_eq!(
        v.pointer, "/securityContext/appArmorProfile/type",
        "fields are reported before annotations"
    );
}

// --- Windows exemptions -----------------------------------------------------

fn windows_spec() -> Value {
    json!({
        "os": {"name": "windows"},
        "securityContext": {"runAsNonRoot": true},
        "initContainers": [{"name": "init", "image": "i"}],
        "containers": [{"name": "app", "image": "i"}]
    })
}

#[test]
fn windows_exemptions_start_at_v1_25() {
    assert!(eval(&windows_spec(), restricted(25)).is_empty());
    assert!(eval(&windows_spec(), restricted(37)).is_empty());
    assert_eq!(
        ids(&eval(&windows_spec(), restricted(24))),
        vec![
            "allowPrivilegeEscalation",
            "capabilities_restricted",
            "seccompProfile_restricted"
        ]
    );
    // Before v1.8 none of the three exists yet.
    assert!(eval(&windows_spec(), restricted(7)).is_empty());
    // Only the exact name "windows" exempts.
    let mut spec = windows_spec();
    spec["os"]["name"] = json!("Windows");
    assert_eq!(ids(&eval(&spec, restricted(37))).len(), 3);
}

#[test]
fn windows_exemption_does_not_cover_other_checks() {
    let mut spec = windows_spec();
    spec["securityContext"] = json!({});
    assert_eq!(ids(&eval(&spec, restricted(37))), vec!["runAsNonRoot"]);
    let spec = {
        let mut s = windows_spec();
        set(
            &mut s,
            "/securityContext/windowsOptions/hostProcess",
            json!(true),
        );
        s
    };
    let v = only(&eval(&spec, restricted(37)), "windowsHostProcess");
    assert_eq!(v.pointer, "/securityContext/windowsOptions/hostProcess");
    // The baseline capabilities check has no Windows exemption.
    let mut spec = windows_spec();
    set(
        &mut spec,
        "/containers/0/securityContext/capabilities/add",
        json!(["SYS_ADMIN"]),
    );
    assert_eq!(
        ids(&eval(&spec, baseline(37))),
        vec!["capabilities_baseline"]
    );
}

// --- user namespaces (hostUsers: false) -------------------------------------

#[test]
fn host_users_false_relaxes_run_as_non_root_and_run_as_user_from_v1_35() {
    let mut spec = good_spec();
    spec["securityContext"]["runAsNonRoot"] = json!(false);
    spec["securityContext"]["runAsUser"] = json!(0);
    set(
        &mut spec,
        "/containers/0/securityContext/runAsUser",
        json!(0),
    );
    spec["hostUsers"] = json!(false);
    assert!(eval(&spec, restricted(35)).is_empty());
    assert!(eval(&spec, restricted(37)).is_empty());
    assert_eq!(
        ids(&eval(&spec, restricted(34))),
        vec!["runAsNonRoot", "runAsUser"]
    );
    let v = eval(&spec, restricted(34));
    assert_eq!(v[0].pointer, "/securityContext/runAsNonRoot");
    assert_eq!(v[1].pointer, "/securityContext/runAsUser");
    for host_users in [json!(true), Value::Null, json!("false")] {
        spec["hostUsers"] = host_users.clone();
        assert_eq!(
            ids(&eval(&spec, restricted(37))),
            vec!["runAsNonRoot", "runAsUser"],
            "{host_users}"
        );
    }
}

#[test]
fn proc_mount_relaxation_is_baseline_only() {
    let mut spec = with("/containers/0/securityContext/procMount", json!("Unmasked"));
    spec["hostUsers"] = json!(false);
    assert!(eval(&spec, baseline(35)).is_empty());
    assert_eq!(
        only(&eval(&spec, baseline(34)), "procMount").pointer,
        "/containers/0/securityContext/procMount"
    );
    assert_eq!(
        only(&eval(&spec, restricted(35)), "procMount_restricted").reason,
        "procMount"
    );
    assert_eq!(ids(&eval(&spec, restricted(34))), vec!["procMount"]);
    spec["hostUsers"] = json!(true);
    assert_eq!(ids(&eval(&spec, baseline(37))), vec!["procMount"]);
    assert!(
        eval(
            &with("/containers/0/securityContext/procMount", json!("Default")),
            restricted(37)
        )
        .is_empty()
    );
}

// --- volumes ----------------------------------------------------------------

#[test]
fn csi_ephemeral_and_image_volumes_are_allowed() {
    let spec = with(
        "/volumes",
        json!([
            {"name": "a", "csi": {"driver": "secrets-store.csi.k8s.io"}},
            {"name": "b", "ephemeral": {"volumeClaimTemplate": {"spec": {}}}},
            {"name": "c", "image": {"reference": "registry.example/data:1"}},
            {"name": "d"},
            {"name": "e", "hostPath": null},
            {"name": "f", "configMap": {"name": "x"}}, {"name": "g", "secret": {}},
            {"name": "h", "projected": {}}, {"name": "i", "downwardAPI": {}},
            {"name": "j", "persistentVolumeClaim": {"claimName": "x"}}, {"name": "k", "emptyDir": {}}
        ]),
    );
    assert!(eval(&spec, restricted(0)).is_empty());
    assert!(eval(&spec, restricted(37)).is_empty());
}

#[test]
fn restricted_volume_types_and_unknown_sources() {
    let spec = with(
        "/volumes",
        json!([{"name": "ok", "emptyDir": {}}, {"name": "share", "nfs": {"server": "s", "path": "/"}}]),
    );
    let v = only(&eval(&spec, restricted(37)), "restrictedVolumes");
    assert_eq!(
        (v.reason.as_str(), v.pointer.as_str()),
        ("restricted volume types", "/volumes/1/nfs")
    );
    assert!(
        eval(&spec, baseline(37)).is_empty(),
        "nfs is fine at baseline"
    );

    let spec = with("/volumes", json!([{"name": "x", "fancyNewVolume": {}}]));
    let v = only(&eval(&spec, restricted(37)), "restrictedVolumes");
    assert_eq!(v.pointer, "/volumes/0");
    assert!(v.detail.contains("unknown"), "{}", v.detail);

    // hostPath: hostPathVolumes at baseline, restrictedVolumes (only) at restricted.
    let spec = with(
        "/volumes",
        json!([{"name": "root", "hostPath": {"path": "/"}}]),
    );
    let v = only(&eval(&spec, baseline(37)), "hostPathVolumes");
    assert_eq!(v.pointer, "/volumes/0/hostPath");
    let v = only(&eval(&spec, restricted(0)), "restrictedVolumes");
    assert!(v.detail.contains("hostPath"));
}

// --- probes and lifecycle hosts ---------------------------------------------

#[test]
fn probe_and_lifecycle_hosts_from_v1_34() {
    let cases = [
        (
            "/containers/0/startupProbe/httpGet",
            "/containers/0/startupProbe/httpGet/host",
        ),
        (
            "/containers/0/livenessProbe/tcpSocket",
            "/containers/0/livenessProbe/tcpSocket/host",
        ),
        (
            "/initContainers/0/readinessProbe/tcpSocket",
            "/initContainers/0/readinessProbe/tcpSocket/host",
        ),
        (
            "/containers/0/lifecycle/preStop/tcpSocket",
            "/containers/0/lifecycle/preStop/tcpSocket/host",
        ),
        (
            "/containers/0/lifecycle/postStart/httpGet",
            "/containers/0/lifecycle/postStart/httpGet/host",
        ),
    ];
    for (at, pointer) in cases {
        let spec = with(at, json!({"host": "10.0.0.1", "port": 80}));
        let v = only(&eval(&spec, baseline(34)), "hostProbesAndHostLifecycle");
        assert_eq!(v.pointer, pointer);
        assert_eq!(v.reason, "probe or lifecycle host");
        assert!(
            eval(&spec, baseline(33)).is_empty(),
            "{at} is not checked before v1.34"
        );
        assert_eq!(
            ids(&eval(&spec, restricted(37))),
            vec!["hostProbesAndHostLifecycle"]
        );
        let empty = with(at, json!({"host": "", "port": 80}));
        assert!(eval(&empty, baseline(37)).is_empty());
    }
    // exec, grpc and sleep handlers are not looked at.
    let spec = with(
        "/containers/0/lifecycle/preStop",
        json!({"exec": {"command": ["x"]}, "sleep": {"seconds": 1}}),
    );
    assert!(eval(&spec, baseline(37)).is_empty());
}

// --- ordering, pointers and reasons -----------------------------------------

#[test]
fn violations_are_ordered_baseline_first_then_by_id() {
    let spec = json!({
        "hostNetwork": true,
        "securityContext": {"sysctls": [{"name": "kernel.msgmax", "value": "1"}]},
        "containers": [{"name": "app", "securityContext": {"privileged": true, "runAsUser": 0}}]
    });
    let v = eval(&spec, restricted(37));
    assert_eq!(
        ids(&v),
        vec![
            "hostNamespaces",
            "privileged",
            "sysctls",
            "allowPrivilegeEscalation",
            "capabilities_restricted",
            "runAsNonRoot",
            "runAsUser",
            "seccompProfile_restricted",
        ]
    );
    let reasons: Vec<&str> = v.iter().map(|v| v.reason.as_str()).collect();
    assert_eq!(
        reasons,
        vec![
            "host namespaces",
            "privileged",
            "forbidden sysctls",
            "allowPrivilegeEscalation != false",
            "unrestricted capabilities",
            "runAsNonRoot != true",
            "runAsUser=0",
            "seccompProfile",
        ]
    );
    let pointers: Vec<&str> = v.iter().map(|v| v.pointer.as_str()).collect();
    assert_eq!(
        pointers,
        vec![
            "/hostNetwork",
            "/containers/0/securityContext/privileged",
            "/securityContext/sysctls/0/name",
            "/containers/0/securityContext/allowPrivilegeEscalation",
            "/containers/0/securityContext/capabilities/drop",
            "/securityContext/runAsNonRoot",
            "/containers/0/securityContext/runAsUser",
            "/securityContext/seccompProfile/type",
        ]
    );
}

#[test]
fn the_first_offending_field_is_the_pointer_and_detail_names_all() {
    let mut spec = good_spec();
    set(
        &mut spec,
        "/initContainers/0/securityContext/privileged",
        json!(true),
    );
    set(
        &mut spec,
        "/containers/0/securityContext/privileged",
        json!(true),
    );
    let v = only(&eval(&spec, baseline(37)), "privileged");
    assert_eq!(v.pointer, "/initContainers/0/securityContext/privileged");
    assert!(
        v.detail.contains("\"init\"") && v.detail.contains("\"app\""),
        "{}",
        v.detail
    );
}

#[test]
fn explicit_false_is_reported_before_missing_settings() {
    let mut spec = good_spec();
    spec["securityContext"] = json!({"seccompProfile": {"type": "RuntimeDefault"}});
    set(
        &mut spec,
        "/containers/0/securityContext/runAsNonRoot",
        json!(false),
    );
    let v = only(&eval(&spec, restricted(37)), "runAsNonRoot");
    assert_eq!(v.pointer, "/containers/0/securityContext/runAsNonRoot");
    assert!(
        v.detail.contains("\"init\""),
        "the init container lacking the setting is named too: {}",
        v.detail
    );
}

#[test]
fn seccomp_restricted_accepts_per_container_profiles() {
    let mut spec = good_spec();
    spec["securityContext"] = json!({"runAsNonRoot": true});
    set(
        &mut spec,
        "/initContainers/0/securityContext/seccompProfile/type",
        json!("Localhost"),
    );
    set(
        &mut spec,
        "/containers/0/securityContext/seccompProfile/type",
        json!("RuntimeDefault"),
    );
    assert!(eval(&spec, restricted(37)).is_empty());
    spec["securityContext"]["seccompProfile"] = json!({"type": "Unconfined"});
    let v = only(&eval(&spec, restricted(37)), "seccompProfile_restricted");
    assert_eq!(v.pointer, "/securityContext/seccompProfile/type");
    // Baseline (fields, v1.19+) denies the same explicit Unconfined.
    assert_eq!(
        ids(&eval(&spec, baseline(19))),
        vec!["seccompProfile_baseline"]
    );
    // Before v1.19 only annotations count.
    assert!(eval(&spec, baseline(18)).is_empty());
}

#[test]
fn seccomp_annotations_before_v1_19() {
    let key = "seccomp.security.alpha.kubernetes.io/pod";
    for (value, allowed) in [
        (json!("runtime/default"), true),
        (json!("docker/default"), true),
        (json!("localhost/prof.json"), true),
        (json!("unconfined"), false),
        (json!(""), false),
        (Value::Null, false),
    ] {
        let meta = json!({"annotations": {key: value}});
        let v = evaluate(&meta, &good_spec(), &baseline(18));
        assert_eq!(v.is_empty(), allowed, "{value}");
        assert!(
            evaluate(&meta, &good_spec(), &baseline(19)).is_empty(),
            "annotations are ignored from v1.19"
        );
    }
}

#[test]
fn version_variants_switch_at_their_start() {
    let spec = with(
        "/securityContext/sysctls",
        json!([{"name": "net.ipv4.tcp_rmem"}]),
    );
    assert_eq!(ids(&eval(&spec, baseline(31))), vec!["sysctls"]);
    assert!(eval(&spec, baseline(32)).is_empty());
    let spec = with(
        "/securityContext/sysctls",
        json!([{"name": "net.ipv4.tcp_notsent_lowat"}]),
    );
    assert_eq!(ids(&eval(&spec, baseline(36))), vec!["sysctls"]);
    assert!(eval(&spec, baseline(37)).is_empty());
    assert!(
        eval(
            &spec,
            Policy {
                level: Level::Baseline,
                version: Version::LATEST
            }
        )
        .is_empty()
    );

    let spec = with(
        "/containers/0/securityContext/seLinuxOptions",
        json!({"type": "container_engine_t", "level": "s0:c1"}),
    );
    assert_eq!(ids(&eval(&spec, baseline(30))), vec!["seLinuxOptions"]);
    assert!(eval(&spec, baseline(31)).is_empty());
    for field in ["user", "role"] {
        let spec = with(
            &format!("/securityContext/seLinuxOptions/{field}"),
            json!("system_u"),
        );
        assert_eq!(
            only(&eval(&spec, baseline(37)), "seLinuxOptions").pointer,
            format!("/securityContext/seLinuxOptions/{field}")
        );
    }
}

#[test]
fn checks_for_matches_the_table_in_checks_md() {
    let base_v1_0 = vec![
        "appArmorProfile",
        "capabilities_baseline",
        "hostNamespaces",
        "hostPathVolumes",
        "hostPorts",
        "privileged",
        "procMount",
        "seLinuxOptions",
        "seccompProfile_baseline",
        "sysctls",
        "windowsHostProcess",
    ];
    assert_eq!(checks_for(&baseline(0)), base_v1_0);
    assert_eq!(checks_for(&baseline(33)), base_v1_0);
    assert_eq!(
        checks_for(&restricted(7)),
        vec![
            "appArmorProfile",
            "capabilities_baseline",
            "hostNamespaces",
            "hostPorts",
            "privileged",
            "procMount",
            "seLinuxOptions",
            "seccompProfile_baseline",
            "sysctls",
            "windowsHostProcess",
            "restrictedVolumes",
            "runAsNonRoot",
        ]
    );
    assert_eq!(
        checks_for(&restricted(21)),
        vec![
            "appArmorProfile",
            "capabilities_baseline",
            "hostNamespaces",
            "hostPorts",
            "privileged",
            "procMount",
            "seLinuxOptions",
            "sysctls",
            "windowsHostProcess",
            "allowPrivilegeEscalation",
            "restrictedVolumes",
            "runAsNonRoot",
            "seccompProfile_restricted",
        ]
    );
    let r37 = vec![
        "appArmorProfile",
        "hostNamespaces",
        "hostPorts",
        "hostProbesAndHostLifecycle",
        "privileged",
        "seLinuxOptions",
        "sysctls",
        "windowsHostProcess",
        "allowPrivilegeEscalation",
        "capabilities_restricted",
        "procMount_restricted",
        "restrictedVolumes",
        "runAsNonRoot",
        "runAsUser",
        "seccompProfile_restricted",
    ];
    assert_eq!(checks_for(&restricted(37)), r37);
    assert_eq!(checks_for(&restricted(100)), r37);
    assert_eq!(
        checks_for(&Policy {
            level: Level::Restricted,
            version: Version::LATEST
        }),
        r37
    );
    let r34 = checks_for(&restricted(34));
    assert!(
        r34.contains(&"procMount") && !r34.contains(&"procMount_restricted"),
        "procMount is replaced only from v1.35"
    );
    assert!(
        r34.contains(&"hostProbesAndHostLifecycle")
            && !checks_for(&restricted(33)).contains(&"hostProbesAndHostLifecycle")
    );
}

#[test]
fn check_catalog_is_complete_and_documented() {
    assert_eq!(CHECKS.len(), 19);
    let mut ids: Vec<&str> = CHECKS.iter().map(|c| c.id).collect();
    let every_id_run = {
        let mut all: Vec<&str> = checks_for(&restricted(37));
        all.extend(checks_for(&baseline(37)));
        all.extend([
            "capabilities_baseline",
            "hostPathVolumes",
            "seccompProfile_baseline",
        ]);
        all.sort_unstable();
        all.dedup();
        all
    };
    ids.sort_unstable();
    let before = ids.len();
    ids.dedup();
    assert_eq!(before, ids.len(), "duplicate IDs");
    assert_eq!(ids, every_id_run);
    for c in CHECKS {
        assert!(
            c.doc.contains("Before:")
                && c.doc.contains("After:")
                && c.doc.matches("```yaml").count() == 2,
            "{}",
            c.id
        );
        assert!(
            !c.title.is_empty() && !c.control.is_empty() && !c.since.is_empty(),
            "{}",
            c.id
        );
        assert!(
            c.since.iter().all(|v| v.parse::<Version>().is_ok()),
            "{}",
            c.id
        );
        assert!(c.level != Level::Privileged);
        // The first variant is where the check starts to run.
        let first: Version = c.since[0].parse().expect("version");
        let level_policy = Policy {
            level: c.level,
            version: first,
        };
        let earlier = Policy {
            level: c.level,
            version: Version::new(first.minor().saturating_sub(1)),
        };
        assert!(
            checks_for(&level_policy).contains(&c.id)
                || c.level == Level::Baseline
                    && checks_for(&Policy {
                        level: Level::Baseline,
                        version: first
                    })
                    .contains(&c.id),
            "{}",
            c.id
        );
        if first.minor() > 0 {
            assert!(
                !checks_for(&earlier).contains(&c.id),
                "{} runs before {}",
                c.id,
                c.since[0]
            );
        }
    }
}

// --- odd input types ---------------------------------------------------------

#[test]
fn mistyped_values_never_pass_for_allowed_ones() {
    // A quoted "true" is not true: privileged stays off (the API server would reject the pod).
    assert!(
        eval(
            &with("/containers/0/securityContext/privileged", json!("true")),
            baseline(37)
        )
        .is_empty()
    );
    // ... and a quoted "false" is not false.
    let v = only(
        &eval(
            &with(
                "/containers/0/securityContext/allowPrivilegeEscalation",
                json!("false"),
            ),
            restricted(37),
        ),
        "allowPrivilegeEscalation",
    );
    assert_eq!(
        v.pointer,
        "/containers/0/securityContext/allowPrivilegeEscalation"
    );
    assert_eq!(
        ids(&eval(
            &with("/securityContext/runAsNonRoot", json!("true")),
            restricted(37)
        )),
        vec!["runAsNonRoot"]
    );
    assert_eq!(
        ids(&eval(
            &with("/securityContext/runAsUser", json!("0")),
            restricted(37)
        )),
        vec!["runAsUser"]
    );
    assert!(
        eval(
            &with("/securityContext/runAsUser", json!(1000)),
            restricted(37)
        )
        .is_empty()
    );
    assert_eq!(
        ids(&eval(
            &with(
                "/containers/0/ports",
                json!([{"containerPort": 80, "hostPort": "8080"}])
            ),
            baseline(37)
        )),
        vec!["hostPorts"]
    );
    assert!(
        eval(
            &with(
                "/containers/0/ports",
                json!([{"containerPort": 80, "hostPort": 0}])
            ),
            baseline(37)
        )
        .is_empty()
    );
    // A securityContext that is not an object sets nothing.
    assert_eq!(
        ids(&eval(
            &with("/containers/0/securityContext", json!("hardened")),
            restricted(37)
        )),
        vec!["allowPrivilegeEscalation", "capabilities_restricted"]
    );
    // A bare string where a list belongs is a one-element list.
    let v = only(
        &eval(
            &with(
                "/containers/0/securityContext/capabilities/add",
                json!("SYS_ADMIN"),
            ),
            baseline(37),
        ),
        "capabilities_baseline",
    );
    assert_eq!(v.pointer, "/containers/0/securityContext/capabilities/add");
    let v = only(
        &eval(
            &with(
                "/containers/0/securityContext/capabilities/add",
                json!(["CHOWN", "CAP_SYS_ADMIN"]),
            ),
            baseline(37),
        ),
        "capabilities_baseline",
    );
    assert_eq!(
        v.pointer,
        "/containers/0/securityContext/capabilities/add/1"
    );
    // Seccomp type that is not a string is not a valid type.
    assert_eq!(
        ids(&eval(
            &with("/securityContext/seccompProfile/type", json!(1)),
            restricted(37)
        )),
        vec!["seccompProfile_restricted"]
    );
    // Non-object pod parts are empty objects.
    assert!(evaluate(&json!("x"), &json!(42), &restricted(37)).is_empty());
    assert!(evaluate(&Value::Null, &Value::Null, &baseline(37)).is_empty());
}

#[test]
fn annotation_pointers_escape_tilde_and_slash() {
    let meta = json!({"annotations": {"container.apparmor.security.beta.kubernetes.io/a~b": "unconfined"}});
    let v = evaluate(&meta, &good_spec(), &baseline(37));
    assert_eq!(
        v[0].pointer,
        "/annotations/container.apparmor.security.beta.kubernetes.io~1a~0b"
    );
}

// --- properties ---------------------------------------------------------------

fn leaf() -> BoxedStrategy<Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        prop_oneof![Just(0i64), Just(1), Just(80), Just(-1), any::<i64>()].prop_map(Value::from),
        Just(json!(0.0)),
        prop::sample::select(vec![
            "",
            "true",
            "false",
            "0",
            "ALL",
            "NET_BIND_SERVICE",
            "SYS_ADMIN",
            "CHOWN",
            "Default",
            "Unmasked",
            "RuntimeDefault",
            "Localhost",
            "Unconfined",
            "windows",
            "linux",
            "runtime/default",
            "unconfined",
            "localhost/x",
            "container_t",
            "spc_t",
            "kernel.shm_rmid_forced",
            "kernel.msgmax",
            "app",
            "init",
            "10.0.0.1",
            "~/",
            "\u{0}",
            "ünïcödé",
        ])
        .prop_map(Value::from),
    ]
    .boxed()
}

const KEYS: &[&str] = &[
    "name",
    "containers",
    "initContainers",
    "ephemeralContainers",
    "securityContext",
    "privileged",
    "allowPrivilegeEscalation",
    "capabilities",
    "add",
    "drop",
    "runAsNonRoot",
    "runAsUser",
    "procMount",
    "seccompProfile",
    "appArmorProfile",
    "type",
    "seLinuxOptions",
    "user",
    "role",
    "windowsOptions",
    "hostProcess",
    "sysctls",
    "hostNetwork",
    "hostPID",
    "hostIPC",
    "hostUsers",
    "os",
    "volumes",
    "hostPath",
    "emptyDir",
    "nfs",
    "csi",
    "ports",
    "hostPort",
    "livenessProbe",
    "startupProbe",
    "lifecycle",
    "preStop",
    "httpGet",
    "tcpSocket",
    "host",
    "annotations",
    "container.apparmor.security.beta.kubernetes.io/app",
    "seccomp.security.alpha.kubernetes.io/pod",
    "container.seccomp.security.alpha.kubernetes.io/app",
];

/// JSON built from the keys the checks read, so that random values land on real paths.
fn json_ish() -> BoxedStrategy<Value> {
    leaf()
        .prop_recursive(6, 96, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::vec((prop::sample::select(KEYS), inner), 0..6).prop_map(
                    |entries| {
                        Value::Object(
                            entries
                                .into_iter()
                                .map(|(k, v)| (k.to_string(), v))
                                .collect(),
                        )
                    }
                ),
            ]
        })
        .boxed()
}

fn security_context() -> BoxedStrategy<Value> {
    (
        prop::option::weighted(0.15, leaf()),
        prop::option::weighted(0.15, leaf()),
        prop::option::weighted(0.15, leaf()),
        prop::option::weighted(0.15, leaf()),
        prop::option::weighted(0.15, leaf()),
        prop::option::weighted(
            0.15,
            (
                prop::collection::vec(leaf(), 0..3),
                prop::collection::vec(leaf(), 0..3),
            ),
        ),
        prop::option::weighted(0.15, leaf()),
        prop::option::weighted(0.15, leaf()),
        prop::option::weighted(0.15, (leaf(), leaf())),
        prop::option::weighted(0.15, leaf()),
    )
        .prop_map(
            |(
                privileged,
                ape,
                non_root,
                user,
                proc_mount,
                caps,
                seccomp,
                apparmor,
                selinux,
                host_process,
            )| {
                let mut sc = serde_json::Map::new();
                let mut put = |k: &str, v: Option<Value>| {
                    if let Some(v) = v {
                        sc.insert(k.to_string(), v);
                    }
                };
                put("privileged", privileged);
                put("allowPrivilegeEscalation", ape);
                put("runAsNonRoot", non_root);
                put("runAsUser", user);
                put("procMount", proc_mount);
                put(
                    "capabilities",
                    caps.map(|(add, drop)| json!({"add": add, "drop": drop})),
                );
                put("seccompProfile", seccomp.map(|t| json!({"type": t})));
                put("appArmorProfile", apparmor.map(|t| json!({"type": t})));
                put(
                    "seLinuxOptions",
                    selinux.map(|(t, u)| json!({"type": t, "user": u})),
                );
                put(
                    "windowsOptions",
                    host_process.map(|h| json!({"hostProcess": h})),
                );
                Value::Object(sc)
            },
        )
        .boxed()
}

fn container() -> BoxedStrategy<Value> {
    (
        leaf(),
        prop::option::weighted(0.15, security_context()),
        prop::option::weighted(0.15, leaf()),
        prop::option::weighted(0.15, leaf()),
    )
        .prop_map(|(name, sc, host_port, probe_host)| {
            let mut c = json!({"name": name});
            if let Some(sc) = sc {
                c["securityContext"] = sc;
            }
            if let Some(p) = host_port {
                c["ports"] = json!([{"containerPort": 80, "hostPort": p}]);
            }
            if let Some(h) = probe_host {
                c["startupProbe"] = json!({"tcpSocket": {"host": h, "port": 80}});
            }
            c
        })
        .boxed()
}

fn volume() -> BoxedStrategy<Value> {
    (
        prop::sample::select(vec![
            "emptyDir",
            "hostPath",
            "nfs",
            "csi",
            "image",
            "gitRepo",
            "unknownThing",
            "secret",
        ]),
        prop::option::weighted(0.15, leaf()),
    )
        .prop_map(|(kind, extra)| {
            let mut v = json!({"name": "v", kind: {}});
            if let Some(extra) = extra {
                v["hostPath"] = extra;
            }
            v
        })
        .boxed()
}

fn pod_spec() -> BoxedStrategy<Value> {
    (
        prop::collection::vec(container(), 0..3),
        prop::collection::vec(container(), 0..2),
        prop::collection::vec(container(), 0..2),
        prop::option::weighted(0.15, security_context()),
        prop::collection::vec(volume(), 0..3),
        prop::option::weighted(0.15, leaf()),
        prop::option::weighted(0.15, leaf()),
        prop::option::weighted(0.15, leaf()),
        prop::option::weighted(0.15, prop::collection::vec(leaf(), 0..3)),
    )
        .prop_map(|(containers, init, ephemeral, sc, volumes, host_net, host_users, os, sysctls)| {
            let mut spec = json!({"containers": containers, "initContainers": init, "ephemeralContainers": ephemeral, "volumes": volumes});
            if let Some(mut sc) = sc {
                if let Some(names) = sysctls {
                    sc["sysctls"] = Value::Array(names.into_iter().map(|n| json!({"name": n})).collect());
                }
                spec["securityContext"] = sc;
            }
            if let Some(h) = host_net {
                spec["hostNetwork"] = h;
            }
            if let Some(h) = host_users {
                spec["hostUsers"] = h;
            }
            if let Some(os) = os {
                spec["os"] = json!({"name": os});
            }
            spec
        })
    .boxed()
}

fn metadata() -> BoxedStrategy<Value> {
    prop::collection::vec(
        (
            prop::sample::select(vec![
                "container.apparmor.security.beta.kubernetes.io/app",
                "seccomp.security.alpha.kubernetes.io/pod",
                "container.seccomp.security.alpha.kubernetes.io/app",
                "unrelated",
            ]),
            leaf(),
        ),
        0..3,
    )
    .prop_map(|entries| json!({"annotations": Value::Object(entries.into_iter().map(|(k, v)| (k.to_string(), v)).collect())}))
    .boxed()
}

fn version() -> impl Strategy<Value = Version> {
    prop_oneof![(0u32..40).prop_map(Version::new), Just(Version::LATEST)]
}

/// Pods where upstream's restricted level is knowingly laxer than baseline, both
/// invalid pods the API server rejects before admission: Windows pods (Linux-only
/// fields are forbidden on them, and three restricted checks exempt them while the
/// baseline checks they replace do not) and volumes with two sources (an allowed
/// source makes `restrictedVolumes` pass while `hostPathVolumes` sees the hostPath).
fn upstream_laxer_at_restricted(spec: &Value) -> bool {
    let windows = spec.pointer("/os/name") == Some(&json!("windows"));
    let two_sources = spec["volumes"].as_array().is_some_and(|vs| {
        vs.iter().any(|v| {
            v.get("hostPath").is_some_and(|h| !h.is_null())
                && v.as_object().is_some_and(|o| o.len() > 2)
        })
    });
    windows || two_sources
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn evaluate_never_panics_on_arbitrary_values(meta in json_ish(), spec in json_ish(), v in version()) {
        for level in [Level::Privileged, Level::Baseline, Level::Restricted] {
            let out = evaluate(&meta, &spec, &Policy { level, version: v });
            let active = checks_for(&Policy { level, version: v });
            for violation in &out {
                prop_assert!(active.contains(&violation.check));
                prop_assert!(violation.pointer.starts_with('/'));
                prop_assert!(!violation.reason.is_empty() && !violation.detail.is_empty());
            }
        }
    }

    #[test]
    fn restricted_never_allows_what_baseline_denies(meta in metadata(), spec in pod_spec(), v in version()) {
        prop_assume!(!upstream_laxer_at_restricted(&spec));
        let base = evaluate(&meta, &spec, &Policy { level: Level::Baseline, version: v });
        let strict = evaluate(&meta, &spec, &Policy { level: Level::Restricted, version: v });
        prop_assert!(base.is_empty() || !strict.is_empty(), "baseline denied {:?} but restricted allowed", base);
    }

    #[test]
    fn violations_come_out_in_reporting_order(meta in metadata(), spec in pod_spec(), v in version()) {
        let out = evaluate(&meta, &spec, &Policy { level: Level::Restricted, version: v });
        let order = checks_for(&Policy { level: Level::Restricted, version: v });
        let positions: Vec<usize> = out.iter().filter_map(|x| order.iter().position(|id| *id == x.check)).collect();
        prop_assert_eq!(positions.len(), out.len());
        prop_assert!(positions.windows(2).all(|w| w[0] < w[1]));
    }
}

#[test]
fn upstream_quirk_restricted_can_be_laxer_on_invalid_pods() {
    // Documented upstream behaviour the property above excludes.
    let spec = with(
        "/volumes",
        json!([{"name": "both", "emptyDir": {}, "hostPath": {"path": "/"}}]),
    );
    assert_eq!(ids(&eval(&spec, baseline(37))), vec!["hostPathVolumes"]);
    assert!(eval(&spec, restricted(37)).is_empty());
    let mut spec = windows_spec();
    set(
        &mut spec,
        "/containers/0/securityContext/capabilities/add",
        json!(["SYS_ADMIN"]),
    );
    assert_eq!(
        ids(&eval(&spec, baseline(37))),
        vec!["capabilities_baseline"]
    );
    assert!(eval(&spec, restricted(37)).is_empty());
}
