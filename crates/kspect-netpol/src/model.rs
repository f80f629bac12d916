//! The analysis model: namespaces, pods grouped into workloads, and the three policy
//! tiers (AdminNetworkPolicy, NetworkPolicy, BaselineAdminNetworkPolicy), validated.
//!
//! [`crate::build::build`] fills it from an [`kspect_core::Inventory`].

use std::fmt;

use crate::ip::IpSet;
use crate::ports::{PortSet, Protocol};
use crate::selector::{Labels, Selector};

/// Index of a namespace in [`Cluster::namespaces`].
pub type NsId = usize;
/// Index of a pod in [`Cluster::pods`].
pub type PodId = usize;
/// Index of a workload in [`Cluster::workloads`].
pub type WorkloadId = usize;

/// A namespace with its labels (always including `kubernetes.io/metadata.name`).
#[derive(Debug, Clone)]
pub struct Namespace {
    /// Name.
    pub name: String,
    /// Labels.
    pub labels: Labels,
}

/// A container port (the target of named ports).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ContainerPort {
    /// `name`, when set.
    pub name: Option<String>,
    /// `containerPort`.
    pub port: u16,
    /// `protocol` (TCP when absent).
    pub protocol: Protocol,
}

/// A pod: a real one from the input, or one of the one or two pods that stand for a
/// workload object.
#[derive(Debug, Clone)]
pub struct Pod {
    /// Pod name (for a workload object: `<workload>-1`, `<workload>-2`).
    pub name: String,
    /// Namespace.
    pub namespace: NsId,
    /// Labels.
    pub labels: Labels,
    /// Ports of all (non-init) containers, in order.
    pub ports: Vec<ContainerPort>,
    /// The workload it belongs to.
    pub workload: WorkloadId,
    /// `spec.hostNetwork: true`.
    pub host_network: bool,
}

impl Pod {
    /// Resolves a named port: the first container port with that name, as (protocol, number).
    pub fn named_port(&self, name: &str) -> Option<(Protocol, u16)> {
        self.ports
            .iter()
            .find(|p| p.name.as_deref() == Some(name))
            .map(|p| (p.protocol, p.port))
    }
}

/// A workload: what the output lists (`ns/name[Kind]`).
#[derive(Debug, Clone)]
pub struct Workload {
    /// Namespace.
    pub namespace: NsId,
    /// Name (the owner's name for owned pods).
    pub name: String,
    /// Kind (`Deployment`, `ReplicaSet`, `Pod` ...).
    pub kind: String,
    /// Its pods.
    pub pods: Vec<PodId>,
    /// Index of the input object it came from (first pod or the workload object),
    /// `None` for the synthetic ingress controller.
    pub object: Option<usize>,
}

/// A port item of a NetworkPolicy rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PortSpec {
    /// Numeric range (or all ports when the item has no `port`).
    Numbers(Protocol, PortSet),
    /// A named port, resolved against the destination pod.
    Named(Protocol, String),
}

/// A NetworkPolicy peer.
#[derive(Debug, Clone)]
pub enum NpPeer {
    /// `podSelector` and/or `namespaceSelector`. A missing namespace selector means the
    /// policy's namespace; a missing pod selector means all pods.
    Pods {
        /// `namespaceSelector`.
        namespaces: Option<Selector>,
        /// `podSelector`.
        pods: Option<Selector>,
    },
    /// `ipBlock`: cidr minus except (IPv4 part).
    IpBlock(IpSet),
}

/// One ingress or egress rule of a NetworkPolicy.
#[derive(Debug, Clone)]
pub struct NpRule {
    /// Peers; empty means every peer.
    pub peers: Vec<NpPeer>,
    /// Ports; empty means every port of every protocol.
    pub ports: Vec<PortSpec>,
}

/// A NetworkPolicy.
#[derive(Debug, Clone)]
pub struct NetworkPolicy {
    /// Namespace.
    pub namespace: NsId,
    /// Name.
    pub name: String,
    /// `spec.podSelector`.
    pub pod_selector: Selector,
    /// Effective policy types.
    pub affects_ingress: bool,
    /// Effective policy types.
    pub affects_egress: bool,
    /// Ingress rules.
    pub ingress: Vec<NpRule>,
    /// Egress rules.
    pub egress: Vec<NpRule>,
    /// Index of the input object.
    pub object: usize,
}

/// Action of an admin policy rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Allow (final).
    Allow,
    /// Deny (final).
    Deny,
    /// Hand the decision to NetworkPolicies (then the baseline).
    Pass,
}

impl Action {
    /// `Allow`, `Deny`, `Pass`.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Allow => "Allow",
            Action::Deny => "Deny",
            Action::Pass => "Pass",
        }
    }
}

/// Pods an admin policy talks about: all pods of matching namespaces, or matching pods
/// of matching namespaces.
#[derive(Debug, Clone)]
pub struct AdminPods {
    /// Namespace selector.
    pub namespaces: Selector,
    /// Pod selector (`None`: every pod of those namespaces).
    pub pods: Option<Selector>,
}

impl AdminPods {
    /// True when the pod in a namespace with these labels is covered.
    pub fn matches(&self, ns_labels: &Labels, pod_labels: &Labels) -> bool {
        self.namespaces.matches(ns_labels)
            && self.pods.as_ref().is_none_or(|p| p.matches(pod_labels))
    }
}

/// A peer of an admin policy rule.
#[derive(Debug, Clone)]
pub enum AdminPeer {
    /// In-cluster pods.
    Pods(AdminPods),
    /// External networks (IPv4 part; IPv6 dropped with a warning).
    Networks(IpSet),
    /// `nodes` (not modelled; never matches, warned about).
    Nodes,
}

/// A port item of an admin policy rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AdminPort {
    /// `portNumber` or `portRange`.
    Numbers(Protocol, PortSet),
    /// `namedPort` (protocol taken from the destination pod's container port).
    Named(String),
}

/// A rule of an admin policy.
#[derive(Debug, Clone)]
pub struct AdminRule {
    /// `name`.
    pub name: String,
    /// `action`.
    pub action: Action,
    /// `from` / `to`.
    pub peers: Vec<AdminPeer>,
    /// `ports`; empty: everything.
    pub ports: Vec<AdminPort>,
}

/// An AdminNetworkPolicy or the BaselineAdminNetworkPolicy.
#[derive(Debug, Clone)]
pub struct AdminPolicy {
    /// Name.
    pub name: String,
    /// Priority (ANP only; the baseline has none).
    pub priority: Option<u32>,
    /// Subject.
    pub subject: AdminPods,
    /// Ingress rules in order.
    pub ingress: Vec<AdminRule>,
    /// Egress rules in order.
    pub egress: Vec<AdminRule>,
    /// Index of the input object.
    pub object: usize,
}

/// An object left out of a lenient build: a later definition of an object defined
/// twice, or a policy the model cannot accept.
#[derive(Debug, Clone)]
pub struct Skipped {
    /// Why it was left out.
    pub message: String,
    /// The object (`Kind ns/name`).
    pub object: String,
    /// Where it is.
    pub location: kspect_core::Location,
}

/// A non-fatal problem met while building the model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// What is wrong.
    pub message: String,
    /// The object concerned (`Kind ns/name`), when there is one.
    pub object: Option<String>,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.object {
            Some(o) => write!(f, "{o}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// Everything the analysis needs, validated.
#[derive(Debug, Clone, Default)]
pub struct Cluster {
    /// Namespaces, sorted by name.
    pub namespaces: Vec<Namespace>,
    /// Pods.
    pub pods: Vec<Pod>,
    /// Workloads.
    pub workloads: Vec<Workload>,
    /// NetworkPolicies in input order.
    pub policies: Vec<NetworkPolicy>,
    /// AdminNetworkPolicies sorted by priority.
    pub admin_policies: Vec<AdminPolicy>,
    /// The BaselineAdminNetworkPolicy, if any.
    pub baseline: Option<AdminPolicy>,
    /// The synthetic ingress controller workload, when the input has Ingress/Route objects,
    /// with the connections each backend workload is exposed on.
    pub ingress_controller: Option<crate::ingress::IngressController>,
    /// Non-fatal problems.
    pub warnings: Vec<Warning>,
    /// Objects left out by a lenient build ([`crate::BuildOptions::lenient`]).
    pub skipped: Vec<Skipped>,
    /// Per namespace (by id), the primary user-defined network it is attached to
    /// (`UserDefinedNetwork ns/name` or `ClusterUserDefinedNetwork name`), if any.
    pub primary_networks: Vec<Option<String>>,
}

impl Cluster {
    /// A workload's display name: `ns/name[Kind]`.
    pub fn workload_name(&self, w: WorkloadId) -> String {
        let wl = &self.workloads[w];
        format!(
            "{}/{}[{}]",
            self.namespaces[wl.namespace].name, wl.name, wl.kind
        )
    }

    /// True when two pods sit in different primary networks (the cluster pod network or
    /// an OVN-Kubernetes primary UserDefinedNetwork), which isolates them whatever the
    /// policies say.
    pub fn primary_isolated(&self, a: PodId, b: PodId) -> bool {
        let net = |p: PodId| -> Option<&str> {
            self.pods
                .get(p)
                .and_then(|pod| self.primary_networks.get(pod.namespace))
                .and_then(|n| n.as_deref())
        };
        // The ingress controller is outside the cluster's networks.
        let controller = self.ingress_controller.as_ref().map(|c| c.pod);
        if Some(a) == controller || Some(b) == controller {
            return false;
        }
        net(a) != net(b)
    }

    /// The namespace index of a name.
    pub fn namespace_id(&self, name: &str) -> Option<NsId> {
        self.namespaces
            .binary_search_by(|n| n.name.as_str().cmp(name))
            .ok()
    }
}
