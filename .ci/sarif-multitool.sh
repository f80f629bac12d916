#!/usr/bin/env bash
# Validates kspect's SARIF with Microsoft's SARIF Multitool (npm @microsoft/sarif-multitool):
# the report crate's sample logs and a real `kspect scan examples/ --format sarif`.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p target/tmp
cargo test -q -p kspect-report --test sarif >/dev/null
cargo run -q -p kspect -- scan examples/ --format sarif --output target/tmp/examples.sarif || [ $? -eq 1 ]
bash crates/kspect-report/tests/sarif_multitool.sh \
  target/tmp/kspect-report-sample.sarif \
  target/tmp/kspect-report-sample-nobase.sarif \
  target/tmp/examples.sarif
