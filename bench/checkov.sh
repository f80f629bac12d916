#!/usr/bin/env bash
# Times `kspect scan` against `checkov --framework kubernetes` on the same manifests and
# prints each tool's wall time and peak memory (max RSS) and the ratios.
#
#   bash bench/checkov.sh [MANIFEST_DIR]      (default: ../shared/corpus/manifests)
#
# Checkov is installed from PyPI into bench/.venv on first use. Whole-binary timing
# with GNU time; run on an otherwise idle machine and read the ratio, not the digits.
set -euo pipefail
cd "$(dirname "$0")/.."
INPUT=${1:-../shared/corpus/manifests}
CHECKOV_VERSION=${CHECKOV_VERSION:-3.3.30}
OUT=bench/out
mkdir -p "$OUT"

if [ ! -x bench/.venv/bin/checkov ]; then
  python3 -m venv bench/.venv
  bench/.venv/bin/pip install --quiet "checkov==${CHECKOV_VERSION}"
fi
cargo build --release --quiet -p kspect
KSPECT=target/release/kspect

measure() { # name, then the command; prints "seconds max_rss_kb"
  local name=$1; shift
  /usr/bin/time -f "%e %M" -o "$OUT/$name.time" "$@" >"$OUT/$name.out" 2>"$OUT/$name.err" || true
  tail -n 1 "$OUT/$name.time"
}

objects=$(find "$INPUT" -name '*.yaml' -o -name '*.yml' | wc -l)
echo "input: $INPUT ($objects YAML files)"
read -r k_s k_kb < <(measure kspect "$KSPECT" scan "$INPUT" --format json --output "$OUT/kspect.json")
echo "kspect:  ${k_s}s  $((k_kb / 1024)) MiB peak"
read -r c_s c_kb < <(measure checkov bench/.venv/bin/checkov --framework kubernetes --quiet --compact -d "$INPUT")
echo "checkov: ${c_s}s  $((c_kb / 1024)) MiB peak"
python3 - "$k_s" "$c_s" "$k_kb" "$c_kb" <<'PY'
import sys
k, c, km, cm = map(float, sys.argv[1:])
print(f"speed ratio (checkov / kspect): {c / max(k, 0.001):.0f}x")
print(f"memory ratio (checkov / kspect): {cm / max(km, 1):.1f}x")
PY
