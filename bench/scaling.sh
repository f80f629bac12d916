#!/usr/bin/env bash
# Shows how kspect's cost grows with the input: scans 1x, 2x, 4x and 8x copies of the
# manifest corpus and prints time and peak memory per size. Linear growth means the
# time per copy stays flat.
#
#   bash bench/scaling.sh [MANIFEST_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
INPUT=${1:-../shared/corpus/manifests}
cargo build --release --quiet -p kspect
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for n in 1 2 4 8; do
  dir="$work/x$n"
  mkdir -p "$dir"
  for i in $(seq 1 "$n"); do cp -r "$INPUT" "$dir/copy$i"; done
  /usr/bin/time -f "%e %M" -o "$work/t" target/release/kspect scan "$dir" --format json --output "$work/out.json" >/dev/null 2>&1 || true
  read -r s kb < <(tail -n 1 "$work/t")
  python3 -c "import sys; s,kb,n=float('$s'),int('$kb'),$n; print(f'{n}x corpus: {s:.2f}s  {kb//1024} MiB peak  {s/n:.3f}s per copy')"
done
