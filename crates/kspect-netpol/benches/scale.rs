//! Scale: 10,000 pods in 500 namespaces with 2,000 policies; the full workload
//! connectivity (every pair and every address range) must take well under a second.

use std::fmt::Write as _;
use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use kspect_core::Inventory;
use kspect_core::load::parse_str;
use kspect_netpol::{Analyzer, analyze, connlist};

/// 500 namespaces (10 teams); per namespace 5 apps of 4 pods (owned by a ReplicaSet);
/// per namespace 4 policies: default deny, app-to-app on a port, a team-wide namespace
/// selector with a port range, and egress to DNS plus an external block.
fn generate() -> Inventory {
    let mut y = String::with_capacity(8 << 20);
    for n in 0..500 {
        let ns = format!("ns-{n}");
        let team = n % 10;
        let _ = write!(
            y,
            "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {ns}\n  labels: {{team: t{team}}}\n---\n"
        );
        for app in 0..5 {
            for r in 0..4 {
                let _ = write!(
                    y,
                    "apiVersion: v1\nkind: Pod\nmetadata:\n  name: app{app}-{r}\n  namespace: {ns}\n  labels: {{app: app{app}, tier: t{}}}\n  ownerReferences: [{{apiVersion: apps/v1, kind: ReplicaSet, name: app{app}-rs, controller: true}}]\nspec:\n  containers: [{{name: c, image: i, ports: [{{containerPort: 8080, name: http}}]}}]\n---\n",
                    app % 2
                );
            }
        }
        let _ = write!(
            y,
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: deny, namespace: {ns}}}\nspec:\n  podSelector: {{}}\n  policyTypes: [Ingress, Egress]\n---\n\
apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: app1-from-app0, namespace: {ns}}}\nspec:\n  podSelector: {{matchLabels: {{app: app1}}}}\n  ingress:\n  - from: [{{podSelector: {{matchLabels: {{app: app0}}}}}}]\n    ports: [{{port: http}}]\n---\n\
apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: team, namespace: {ns}}}\nspec:\n  podSelector: {{matchLabels: {{tier: t0}}}}\n  ingress:\n  - from: [{{namespaceSelector: {{matchLabels: {{team: t{team}}}}}, podSelector: {{matchLabels: {{app: app2}}}}}}]\n    ports: [{{port: 8000, endPort: 8100}}]\n---\n\
apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: egress, namespace: {ns}}}\nspec:\n  podSelector: {{}}\n  policyTypes: [Egress]\n  egress:\n  - to: [{{namespaceSelector: {{matchLabels: {{team: t{team}}}}}}}]\n  - to: [{{ipBlock: {{cidr: 10.{}.0.0/16, except: [10.{}.1.0/24]}}}}]\n    ports: [{{port: 443}}, {{port: 53, protocol: UDP}}]\n---\n",
            n % 256,
            n % 256
        );
    }
    Inventory::new(parse_str("generated.yaml", &y))
}

fn bench(c: &mut Criterion) {
    let inv = generate();
    assert_eq!(inv.of_kind("Pod").count(), 10_000);
    assert_eq!(inv.of_kind("NetworkPolicy").count(), 2_000);
    // Phase timings, printed once, to see where the time goes.
    let t = std::time::Instant::now();
    let cluster = analyze(&inv).expect("valid input");
    let t1 = t.elapsed();
    let an = Analyzer::new(&cluster);
    let t2 = t.elapsed();
    let (conns, _) = connlist::connections(&an);
    let t3 = t.elapsed();
    eprintln!(
        "build {t1:?}, engine {:?} ({} classes), connections {:?} ({} lines)",
        t2 - t1,
        an.class_count(),
        t3 - t2,
        conns.len()
    );
    let mut g = c.benchmark_group("netpol");
    g.sample_size(10);
    g.bench_function("workload connectivity, 10k pods, 2k policies", |b| {
        b.iter(|| {
            let cluster = analyze(black_box(&inv)).expect("valid input");
            let an = Analyzer::new(&cluster);
            let (conns, _) = connlist::connections(&an);
            black_box(conns.len())
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
