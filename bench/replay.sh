#!/usr/bin/env bash
# Times the whole `kspect runtime replay` binary over a generated JSON-lines syscall
# event file with the default Falco rules, and prints events per second (issue target:
# 300,000). Falco itself cannot replay kspect's event schema, so there is no peer ratio
# here; `cargo bench -p kspect-runtime --bench replay` measures the stages apart.
#
#   bash bench/replay.sh [EVENTS]      (default 200000)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-200000}
RULES=../shared/corpus/falco/rules/falco_rules.yaml
[ -f "$RULES" ] || { echo "skipping: $RULES not found"; exit 0; }
cargo build --release --quiet -p kspect
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 bench/gen_events.py "$N" >"$work/events.jsonl"
for run in 1 2 3; do
  /usr/bin/time -f "%e %M" -o "$work/t" target/release/kspect runtime replay \
    --rules "$RULES" --events "$work/events.jsonl" -o json >"$work/alerts.json"
  read -r s kb < <(tail -n 1 "$work/t")
  alerts=$(wc -l <"$work/alerts.json")
  python3 -c "n,s,kb,a=$N,float('$s'),int('$kb'),$alerts; print(f'run $run: {n} events in {s:.2f}s = {n/max(s,0.001)/1000:.0f} K events/s, {a} alerts, {kb//1024} MiB peak')"
done
