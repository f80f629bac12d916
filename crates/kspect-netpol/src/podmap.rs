//! The pod-level connectivity map (every ordered pair of pods, including a pod with itself).

use crate::engine::Analyzer;
use crate::ports::Protocol;

/// What each line of the map says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MapQuery {
    /// The full allowed set.
    AllConnections,
    /// Whether one protocol/port is allowed (`None`: no port given, which counts only
    /// where no port restriction applies).
    One(Option<(Protocol, u16)>),
}

/// `src: ns/pod, dest: ns/pod, allowed conns: X` lines sorted as strings.
pub fn pod_map(an: &Analyzer<'_>, query: MapQuery) -> Vec<String> {
    let cluster = an.cluster();
    let name = |p: usize| {
        let pod = &cluster.pods[p];
        format!("{}/{}", cluster.namespaces[pod.namespace].name, pod.name)
    };
    let mut lines = Vec::new();
    for a in 0..cluster.pods.len() {
        for b in 0..cluster.pods.len() {
            let c = an.pod_to_pod(a, b);
            let x = match query {
                MapQuery::AllConnections => c.to_string(),
                MapQuery::One(Some((p, n))) => c.contains(p, n).to_string(),
                MapQuery::One(None) => c.is_all().to_string(),
            };
            lines.push(format!(
                "src: {}, dest: {}, allowed conns: {x}",
                name(a),
                name(b)
            ));
        }
    }
    lines.sort();
    lines
}
