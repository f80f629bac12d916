#!/usr/bin/env bash
# Validates kspect's SARIF with Microsoft's SARIF Multitool (npm @microsoft/sarif-multitool):
# the report crate's sample logs and a real `kspect scan examples/ --format sarif`.
# Run after `cargo test --workspace`, which writes the samples and builds the binary;
# building a single package here would re-resolve features and rebuild dependencies.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p target/tmp
[ -f target/tmp/kspect-report-sample.sarif ] || cargo test -q --workspace -p kspect-report --test sarif >/dev/null
[ -x target/debug/kspect ] || cargo build -q --workspace
target/debug/kspect scan examples/ --format sarif --output target/tmp/examples.sarif || [ $? -eq 1 ]
bash crates/kspect-report/tests/sarif_multitool.sh \
  target/tmp/kspect-report-sample.sarif \
  target/tmp/kspect-report-sample-nobase.sarif \
  target/tmp/examples.sarif
