//! Throughput of the hot path of `kspect scan` and `kspect pss`: loading manifests
//! (YAML with positions) and evaluating the Pod Security Standards, in objects per second.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kspect_core::Inventory;
use kspect_core::config::Config;
use kspect_core::load::parse_str;
use kspect_posture::pss::{self, Level, Policy, Version};

/// A realistic Deployment (about 60 lines) with a few deliberate weaknesses.
fn deployment(i: usize) -> String {
    format!(
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-{i}
  namespace: team-{ns}
  labels: {{app: app-{i}, tier: backend}}
spec:
  replicas: 2
  selector:
    matchLabels: {{app: app-{i}}}
  template:
    metadata:
      labels: {{app: app-{i}}}
      annotations:
        prometheus.io/scrape: "true"
    spec:
      serviceAccountName: app-{i}
      securityContext:
        runAsNonRoot: true
        seccompProfile: {{type: RuntimeDefault}}
      initContainers:
        - name: migrate
          image: registry.example.com/app-{i}-migrate:1.{i}
          securityContext:
            allowPrivilegeEscalation: false
            capabilities: {{drop: [ALL]}}
      containers:
        - name: app
          image: registry.example.com/app-{i}:1.{i}
          ports:
            - containerPort: 8080
          env:
            - name: MODE
              value: production
            - name: TOKEN
              valueFrom:
                secretKeyRef: {{name: app-{i}, key: token}}
          resources:
            requests: {{cpu: 100m, memory: 128Mi}}
            limits: {{cpu: "1", memory: 512Mi}}
          securityContext:
            allowPrivilegeEscalation: {ape}
            readOnlyRootFilesystem: true
            capabilities:
              drop: [ALL]
              add: [{cap}]
          volumeMounts:
            - {{name: tmp, mountPath: /tmp}}
      volumes:
        - name: tmp
          emptyDir: {{}}
"#,
        ns = i % 17,
        ape = i % 3 == 0,
        cap = if i % 5 == 0 {
            "SYS_ADMIN"
        } else {
            "NET_BIND_SERVICE"
        },
    )
}

fn corpus(n: usize) -> String {
    (0..n).map(deployment).collect::<Vec<_>>().join("---\n")
}

fn bench(c: &mut Criterion) {
    const N: usize = 2000;
    let text = corpus(N);
    let mut group = c.benchmark_group("manifests");
    group.throughput(Throughput::Elements(N as u64));
    group.sample_size(20);
    group.bench_function("load", |b| b.iter(|| parse_str("bench.yaml", &text)));
    let inventory = Inventory::new(parse_str("bench.yaml", &text));
    let policy = Policy::new(Level::Restricted, Version::LATEST);
    group.bench_function("pss_restricted", |b| {
        b.iter(|| {
            inventory
                .pod_bearing()
                .filter_map(|o| o.pod_template())
                .map(|t| pss::evaluate(t.metadata, t.spec, &policy).len())
                .sum::<usize>()
        })
    });
    group.bench_function("load_and_posture_check", |b| {
        b.iter(|| {
            let inventory = Inventory::new(parse_str("bench.yaml", &text));
            kspect_posture::check(&inventory, &Config::default()).len()
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
