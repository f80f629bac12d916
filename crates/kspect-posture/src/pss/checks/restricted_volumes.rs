//! `restrictedVolumes` (restricted): only volume types that cannot reach the node
//! or arbitrary network storage.

use crate::pss::Level;
use crate::pss::pod::Pod;
use crate::pss::registry::CheckInfo;
use crate::pss::value::{Text, field, items};
use crate::pss::violation::{Failure, Offenses};
use serde_json::Value;

pub(crate) const INFO: CheckInfo = CheckInfo {
    id: "restrictedVolumes",
    level: Level::Restricted,
    title: "Pods may only use configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected and secret volumes",
    control: "Volume Types",
    doc: r#"Beyond hostPath, many in-tree volume types let the pod spec itself name
storage outside the cluster's control: `nfs`, `iscsi`, `rbd`, `cephfs`, `glusterfs`
and `fc` connect the node to an arbitrary server the pod author chooses, `gitRepo`
runs git on the node against an attacker-supplied repository (a known route to
code execution on the node), `flexVolume` executes a driver binary on the node.
The restricted level allows only volume sources whose access is brokered by the
cluster: `configMap`, `csi`, `downwardAPI`, `emptyDir`, `ephemeral`, `image`,
`persistentVolumeClaim`, `projected` and `secret`. Network storage is still
usable through a PersistentVolumeClaim, where an administrator controls the
PersistentVolume. A volume with only a `name` is treated as `emptyDir`, as the API
server defaults it; a volume whose source kspect does not recognise is reported as
`unknown`. Replaces `hostPathVolumes` at the restricted level.

Before:
```yaml
volumes:
- name: shared
  nfs:
    server: 10.0.0.5
    path: /exports
```
After:
```yaml
volumes:
- name: shared
  persistentVolumeClaim:
    claimName: shared-nfs
```"#,
    since: &["v1.0"],
};

const ALLOWED: &[&str] = &[
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "image",
    "persistentVolumeClaim",
    "projected",
    "secret",
];

/// The other volume sources of `corev1.VolumeSource`, in the API's field order.
const RESTRICTED: &[&str] = &[
    "hostPath",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "gitRepo",
    "nfs",
    "iscsi",
    "glusterfs",
    "rbd",
    "flexVolume",
    "cinder",
    "cephfs",
    "flocker",
    "fc",
    "azureFile",
    "vsphereVolume",
    "quobyte",
    "azureDisk",
    "photonPersistentDisk",
    "portworxVolume",
    "scaleIO",
    "storageos",
];

/// `Ok` for an allowed (or defaulted) volume, else the offending source key
/// (`None` when no known source is set).
fn classify(volume: &Value) -> Result<(), Option<&'static str>> {
    let Some(object) = volume.as_object() else {
        // Not a volume at all: nothing the API server would default.
        return Err(None);
    };
    // The library allows a volume as soon as any allowed source is set, even if
    // a forbidden one is set too (validation would reject such a pod anyway).
    if ALLOWED.iter().any(|key| field(volume, key).is_some()) {
        return Ok(());
    }
    if let Some(key) = RESTRICTED.iter().find(|key| field(volume, key).is_some()) {
        return Err(Some(key));
    }
    // API-server defaulting: with no source at all the volume becomes emptyDir.
    // Keys we do not know could be a newer volume source, so they are "unknown".
    let only_name_or_nulls = object.iter().all(|(k, v)| k == "name" || v.is_null());
    if only_name_or_nulls {
        Ok(())
    } else {
        Err(None)
    }
}

pub(crate) fn check(pod: &Pod, _minor: u32) -> Option<Failure> {
    let mut offenses = Offenses::new();
    for (pointer, volume) in items(field(pod.spec, "volumes"), "/volumes") {
        if let Err(kind) = classify(volume) {
            let name = Text::of(field(volume, "name")).quoted();
            match kind {
                Some(key) => offenses.spec(
                    format!("{pointer}/{key}"),
                    format!("volume {name} has restricted type {key:?}"),
                ),
                None => offenses.spec(
                    pointer,
                    format!(
                        "volume {name} has an unknown type (not one of the allowed volume sources)"
                    ),
                ),
            }
        }
    }
    offenses.finish("restricted volume types")
}
