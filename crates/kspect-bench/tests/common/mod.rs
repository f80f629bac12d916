//! Node trees written by the tests: kubeadm defaults, hardened and broken variants.
#![allow(dead_code)]

use std::os::unix::fs::{PermissionsExt, chown, symlink};
use std::path::{Path, PathBuf};

/// A node filesystem in a temporary directory.
pub struct Tree {
    pub dir: tempfile::TempDir,
}

impl Tree {
    pub fn new() -> Tree {
        let t = Tree {
            dir: tempfile::tempdir().unwrap(),
        };
        // Merged /usr, as on current Debian/Ubuntu: /lib is a symlink to usr/lib.
        std::fs::create_dir_all(t.dir.path().join("usr/lib")).unwrap();
        symlink("usr/lib", t.dir.path().join("lib")).unwrap();
        t.write("/etc/passwd", 0o644, "root:x:0:0:root:/root:/bin/bash\netcd:x:1234:1234::/var/lib/etcd:/usr/sbin/nologin\nalice:x:1000:1000::/home/alice:/bin/bash\n");
        t.write(
            "/etc/group",
            0o644,
            "root:x:0:\netcd:x:1234:\nalice:x:1000:\ndocker:x:998:alice\n",
        );
        t
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn host(&self, path: &str) -> PathBuf {
        self.dir.path().join(path.trim_start_matches('/'))
    }

    pub fn write(&self, path: &str, mode: u32, text: &str) {
        let p = self.host(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
        self.chmod(path, mode);
    }

    pub fn mkdir(&self, path: &str, mode: u32) {
        let p = self.host(path);
        std::fs::create_dir_all(&p).unwrap();
        self.chmod(path, mode);
    }

    pub fn chmod(&self, path: &str, mode: u32) {
        std::fs::set_permissions(self.host(path), std::fs::Permissions::from_mode(mode)).unwrap();
    }

    /// Sets the owner; only root can, so the callers skip owner assertions otherwise.
    pub fn chown(&self, path: &str, uid: u32, gid: u32) {
        if is_root() {
            chown(self.host(path), Some(uid), Some(gid)).unwrap();
        }
    }
}

pub fn is_root() -> bool {
    std::fs::metadata("/proc/self")
        .map(|m| std::os::unix::fs::MetadataExt::uid(&m) == 0)
        .unwrap_or(false)
}

pub const VERSION: &str = "v1.31.4";

pub fn apiserver_manifest(extra: &[&str], drop: &[&str]) -> String {
    let mut flags = vec![
        "--advertise-address=192.168.56.10",
        "--allow-privileged=true",
        "--authorization-mode=Node,RBAC",
        "--client-ca-file=/etc/kubernetes/pki/ca.crt",
        "--enable-admission-plugins=NodeRestriction",
        "--enable-bootstrap-token-auth=true",
        "--etcd-cafile=/etc/kubernetes/pki/etcd/ca.crt",
        "--etcd-certfile=/etc/kubernetes/pki/apiserver-etcd-client.crt",
        "--etcd-keyfile=/etc/kubernetes/pki/apiserver-etcd-client.key",
        "--etcd-servers=https://127.0.0.1:2379",
        "--kubelet-client-certificate=/etc/kubernetes/pki/apiserver-kubelet-client.crt",
        "--kubelet-client-key=/etc/kubernetes/pki/apiserver-kubelet-client.key",
        "--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname",
        "--proxy-client-cert-file=/etc/kubernetes/pki/front-proxy-client.crt",
        "--proxy-client-key-file=/etc/kubernetes/pki/front-proxy-client.key",
        "--requestheader-allowed-names=front-proxy-client",
        "--requestheader-client-ca-file=/etc/kubernetes/pki/front-proxy-ca.crt",
        "--requestheader-extra-headers-prefix=X-Remote-Extra-",
        "--requestheader-group-headers=X-Remote-Group",
        "--requestheader-username-headers=X-Remote-User",
        "--secure-port=6443",
        "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
        "--service-account-key-file=/etc/kubernetes/pki/sa.pub",
        "--service-account-signing-key-file=/etc/kubernetes/pki/sa.key",
        "--service-cluster-ip-range=10.96.0.0/12",
        "--tls-cert-file=/etc/kubernetes/pki/apiserver.crt",
        "--tls-private-key-file=/etc/kubernetes/pki/apiserver.key",
    ];
    flags.retain(|f| !drop.iter().any(|d| f.starts_with(d)));
    flags.extend_from_slice(extra);
    static_pod("kube-apiserver", &flags)
}

pub fn controller_manager_manifest(extra: &[&str], drop: &[&str]) -> String {
    let mut flags = vec![
        "--allocate-node-cidrs=true",
        "--authentication-kubeconfig=/etc/kubernetes/controller-manager.conf",
        "--authorization-kubeconfig=/etc/kubernetes/controller-manager.conf",
        "--bind-address=127.0.0.1",
        "--client-ca-file=/etc/kubernetes/pki/ca.crt",
        "--cluster-cidr=10.244.0.0/16",
        "--cluster-name=kubernetes",
        "--cluster-signing-cert-file=/etc/kubernetes/pki/ca.crt",
        "--cluster-signing-key-file=/etc/kubernetes/pki/ca.key",
        "--controllers=*,bootstrapsigner,tokencleaner",
        "--kubeconfig=/etc/kubernetes/controller-manager.conf",
        "--leader-elect=true",
        "--requestheader-client-ca-file=/etc/kubernetes/pki/front-proxy-ca.crt",
        "--root-ca-file=/etc/kubernetes/pki/ca.crt",
        "--service-account-private-key-file=/etc/kubernetes/pki/sa.key",
        "--service-cluster-ip-range=10.96.0.0/12",
        "--use-service-account-credentials=true",
    ];
    flags.retain(|f| !drop.iter().any(|d| f.starts_with(d)));
    flags.extend_from_slice(extra);
    static_pod("kube-controller-manager", &flags)
}

pub fn scheduler_manifest(extra: &[&str], drop: &[&str]) -> String {
    let mut flags = vec![
        "--authentication-kubeconfig=/etc/kubernetes/scheduler.conf",
        "--authorization-kubeconfig=/etc/kubernetes/scheduler.conf",
        "--bind-address=127.0.0.1",
        "--kubeconfig=/etc/kubernetes/scheduler.conf",
        "--leader-elect=true",
    ];
    flags.retain(|f| !drop.iter().any(|d| f.starts_with(d)));
    flags.extend_from_slice(extra);
    static_pod("kube-scheduler", &flags)
}

pub fn etcd_manifest(extra: &[&str], drop: &[&str]) -> String {
    let mut flags = vec![
        "--advertise-client-urls=https://192.168.56.10:2379",
        "--cert-file=/etc/kubernetes/pki/etcd/server.crt",
        "--client-cert-auth=true",
        "--data-dir=/var/lib/etcd",
        "--experimental-initial-corrupt-check=true",
        "--initial-advertise-peer-urls=https://192.168.56.10:2380",
        "--initial-cluster=cp1=https://192.168.56.10:2380",
        "--key-file=/etc/kubernetes/pki/etcd/server.key",
        "--listen-client-urls=https://127.0.0.1:2379,https://192.168.56.10:2379",
        "--listen-metrics-urls=http://127.0.0.1:2381",
        "--listen-peer-urls=https://192.168.56.10:2380",
        "--name=cp1",
        "--peer-cert-file=/etc/kubernetes/pki/etcd/peer.crt",
        "--peer-client-cert-auth=true",
        "--peer-key-file=/etc/kubernetes/pki/etcd/peer.key",
        "--peer-trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt",
        "--snapshot-count=10000",
        "--trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt",
    ];
    flags.retain(|f| !drop.iter().any(|d| f.starts_with(d)));
    flags.extend_from_slice(extra);
    let image = "registry.k8s.io/etcd:3.5.15-0".to_string();
    pod_yaml("etcd", "etcd", &image, &flags)
}

fn static_pod(name: &str, flags: &[&str]) -> String {
    let image = format!("registry.k8s.io/{name}:{VERSION}");
    pod_yaml(name, name, &image, flags)
}

fn pod_yaml(name: &str, bin: &str, image: &str, flags: &[&str]) -> String {
    let mut s = format!(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  labels:\n    component: {name}\n    tier: control-plane\n  name: {name}\n  namespace: kube-system\nspec:\n  containers:\n  - command:\n    - {bin}\n"
    );
    for f in flags {
        s.push_str(&format!("    - {f}\n"));
    }
    s.push_str(&format!("    image: {image}\n    imagePullPolicy: IfNotPresent\n    name: {name}\n  hostNetwork: true\n  priorityClassName: system-node-critical\n"));
    s
}

/// What kubeadm writes to /var/lib/kubelet/config.yaml.
pub const KUBEADM_KUBELET_CONFIG: &str = "apiVersion: kubelet.config.k8s.io/v1beta1
authentication:
  anonymous:
    enabled: false
  webhook:
    cacheTTL: 0s
    enabled: true
  x509:
    clientCAFile: /etc/kubernetes/pki/ca.crt
authorization:
  mode: Webhook
  webhook:
    cacheAuthorizedTTL: 0s
    cacheUnauthorizedTTL: 0s
cgroupDriver: systemd
clusterDNS:
- 10.96.0.10
clusterDomain: cluster.local
containerRuntimeEndpoint: \"\"
cpuManagerReconcilePeriod: 0s
evictionPressureTransitionPeriod: 0s
fileCheckFrequency: 0s
healthzBindAddress: 127.0.0.1
healthzPort: 10248
httpCheckFrequency: 0s
imageMaximumGCAge: 0s
imageMinimumGCAge: 0s
kind: KubeletConfiguration
logging:
  flushFrequency: 0
  options:
    json:
      infoBufferSize: \"0\"
  verbosity: 0
memorySwap: {}
nodeStatusReportFrequency: 0s
nodeStatusUpdateFrequency: 0s
rotateCertificates: true
runtimeRequestTimeout: 0s
shutdownGracePeriod: 0s
shutdownGracePeriodCriticalPods: 0s
staticPodPath: /etc/kubernetes/manifests
streamingConnectionIdleTimeout: 0s
syncFrequency: 0s
volumeStatsAggPeriod: 0s
";

pub const KUBELET_UNIT: &str = "[Unit]
Description=kubelet: The Kubernetes Node Agent
Documentation=https://kubernetes.io/docs/
Wants=network-online.target
After=network-online.target

[Service]
ExecStart=/usr/bin/kubelet
Restart=always
StartLimitInterval=0
RestartSec=10

[Install]
WantedBy=multi-user.target
";

pub const KUBEADM_DROPIN: &str = "# Note: This dropin only works with kubeadm and kubelet v1.11+
[Service]
Environment=\"KUBELET_KUBECONFIG_ARGS=--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf --kubeconfig=/etc/kubernetes/kubelet.conf\"
Environment=\"KUBELET_CONFIG_ARGS=--config=/var/lib/kubelet/config.yaml\"
# This is a file that \"kubeadm init\" and \"kubeadm join\" generates at runtime, populating the KUBELET_KUBEADM_ARGS variable dynamically
EnvironmentFile=-/var/lib/kubelet/kubeadm-flags.env
# This is a file that the user can use for overrides of the kubelet args as a last resort. Preferably, the user should use
# the .NodeRegistration.KubeletExtraArgs object in the configuration files instead. KUBELET_EXTRA_ARGS should be sourced from this file.
EnvironmentFile=-/etc/default/kubelet
ExecStart=
ExecStart=/usr/bin/kubelet $KUBELET_KUBECONFIG_ARGS $KUBELET_CONFIG_ARGS $KUBELET_KUBEADM_ARGS $KUBELET_EXTRA_ARGS
";

/// A worker's files (kubelet side) as kubeadm and the Kubernetes packages leave them.
pub fn kubeadm_worker(t: &Tree) {
    t.write(
        "/usr/lib/systemd/system/kubelet.service",
        0o644,
        KUBELET_UNIT,
    );
    t.write(
        "/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf",
        0o644,
        KUBEADM_DROPIN,
    );
    t.write("/var/lib/kubelet/kubeadm-flags.env", 0o644, "KUBELET_KUBEADM_ARGS=\"--container-runtime-endpoint=unix:///var/run/containerd/containerd.sock --pod-infra-container-image=registry.k8s.io/pause:3.10\"\n");
    t.write(
        "/var/lib/kubelet/config.yaml",
        0o644,
        KUBEADM_KUBELET_CONFIG,
    );
    t.write(
        "/etc/kubernetes/kubelet.conf",
        0o600,
        "apiVersion: v1\nkind: Config\n",
    );
    t.mkdir("/etc/kubernetes/pki", 0o755);
    t.write("/etc/kubernetes/pki/ca.crt", 0o644, "CERT");
    t.write("/etc/cni/net.d/10-calico.conflist", 0o644, "{}");
    t.write(
        "/etc/cni/net.d/calico-kubeconfig",
        0o600,
        "apiVersion: v1\n",
    );
}

/// A control plane node as `kubeadm init` leaves it.
pub fn kubeadm_control_plane(t: &Tree) {
    kubeadm_worker(t);
    t.write(
        "/etc/kubernetes/manifests/kube-apiserver.yaml",
        0o600,
        &apiserver_manifest(&[], &[]),
    );
    t.write(
        "/etc/kubernetes/manifests/kube-controller-manager.yaml",
        0o600,
        &controller_manager_manifest(&[], &[]),
    );
    t.write(
        "/etc/kubernetes/manifests/kube-scheduler.yaml",
        0o600,
        &scheduler_manifest(&[], &[]),
    );
    t.write(
        "/etc/kubernetes/manifests/etcd.yaml",
        0o600,
        &etcd_manifest(&[], &[]),
    );
    for f in [
        "admin.conf",
        "super-admin.conf",
        "controller-manager.conf",
        "scheduler.conf",
    ] {
        t.write(
            &format!("/etc/kubernetes/{f}"),
            0o600,
            "apiVersion: v1\nkind: Config\n",
        );
    }
    for c in [
        "ca",
        "apiserver",
        "apiserver-kubelet-client",
        "front-proxy-ca",
        "front-proxy-client",
        "apiserver-etcd-client",
    ] {
        t.write(&format!("/etc/kubernetes/pki/{c}.crt"), 0o644, "CERT");
        t.write(&format!("/etc/kubernetes/pki/{c}.key"), 0o600, "KEY");
    }
    t.write("/etc/kubernetes/pki/sa.key", 0o600, "KEY");
    t.write("/etc/kubernetes/pki/sa.pub", 0o600, "PUB");
    t.mkdir("/etc/kubernetes/pki/etcd", 0o755);
    for c in ["ca", "server", "peer", "healthcheck-client"] {
        t.write(&format!("/etc/kubernetes/pki/etcd/{c}.crt"), 0o644, "CERT");
        t.write(&format!("/etc/kubernetes/pki/etcd/{c}.key"), 0o600, "KEY");
    }
    t.mkdir("/var/lib/etcd", 0o700);
    t.mkdir("/var/lib/etcd/member", 0o700);
}
