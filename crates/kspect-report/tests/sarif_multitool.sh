#!/usr/bin/env bash
# Checks SARIF files with Microsoft's SARIF Multitool (`validate`, from the SARIF SDK).
# The Rust tests already validate against the OASIS JSON schema; this adds the
# Multitool's semantic rules (SARIF1xxx: what the spec says MUST or SHOULD hold;
# SARIF2xxx: advice) and its own schema check (JSONnnnn).
#
# Usage:
#   crates/kspect-report/tests/sarif_multitool.sh FILE.sarif [FILE.sarif ...]
#
# Sample files: `cargo test -p kspect-report --test sarif` writes
# target/tmp/kspect-report-sample.sarif and target/tmp/kspect-report-sample-nobase.sarif.
#
# Fails (exit 1) on any result at level `error` or `warning` (a result without a level
# is a warning, SARIF's default): JSONnnnn schema errors, SARIF1xxx violations, and the
# SARIF2xxx checks rated as warnings (e.g. SARIF2017, a location without a region).
# Notes (advice such as SARIF2002 "use message ids") are printed, not fatal.
# Exit 2 when the Multitool itself cannot run.
#
# The Multitool comes from npm (@microsoft/sarif-multitool, a self-contained .NET
# binary). It is installed on first use under $SARIF_MULTITOOL_PREFIX (default
# ${TMPDIR:-/tmp}/kspect-sarif-multitool); set SARIF_MULTITOOL to use a binary you have.
set -euo pipefail

if [ "$#" -eq 0 ]; then
    sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
fi

version="${SARIF_MULTITOOL_VERSION:-5.7.0}"
prefix="${SARIF_MULTITOOL_PREFIX:-${TMPDIR:-/tmp}/kspect-sarif-multitool}"
tool="${SARIF_MULTITOOL:-}"

if [ -z "$tool" ]; then
    case "$(uname -s)" in
        Linux) platform=linux ;;
        Darwin) platform=darwin ;;
        *) echo "sarif_multitool.sh: unsupported platform $(uname -s)" >&2; exit 2 ;;
    esac
    tool="$prefix/node_modules/@microsoft/sarif-multitool-$platform/Sarif.Multitool"
    if [ ! -f "$tool" ]; then
        echo "installing @microsoft/sarif-multitool@$version into $prefix" >&2
        npm install --prefix "$prefix" --no-audit --no-fund --loglevel=error \
            "@microsoft/sarif-multitool@$version" >&2
    fi
    # npm may skip the package's postinstall (`chmod u+x`) when install scripts are not allowed.
    chmod u+x "$tool"
fi

# The binary is self-contained; without ICU installed .NET needs invariant globalization.
export DOTNET_SYSTEM_GLOBALIZATION_INVARIANT="${DOTNET_SYSTEM_GLOBALIZATION_INVARIANT:-1}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# SARIF2006 fetches every URI in the log over HTTP: no network here, and no rule of
# validity depends on a web site being up.
cat >"$work/config.xml" <<'EOF'
<?xml version="1.0" encoding="utf-8"?>
<Properties>
  <Properties Key="SARIF2006.UrisShouldBeReachable.Options">
    <Property Key="RuleEnabled" Value="Disabled" Type="Driver.RuleEnabledState" />
  </Properties>
</Properties>
EOF

status=0
for input in "$@"; do
    if [ ! -f "$input" ]; then
        echo "sarif_multitool.sh: no such file: $input" >&2
        exit 2
    fi
    out="$work/out.sarif"
    # The binary is called directly (not through the npm wrapper, which runs it via a
    # shell and would split the `;` in --level).
    if ! "$tool" validate "$input" --output "$out" --log ForceOverwrite \
        --config "$work/config.xml" --level "Error;Warning;Note" >"$work/console.txt" 2>&1; then
        cat "$work/console.txt" >&2
        echo "sarif_multitool.sh: the Multitool failed on $input" >&2
        exit 2
    fi
    # Summarise its SARIF output: message templates live in the rule's messageStrings.
    rc=0
    node - "$out" "$input" <<'EOF' || rc=$?
const fs = require('fs');
const [outPath, input] = process.argv.slice(2);
const log = JSON.parse(fs.readFileSync(outPath, 'utf8'));
const run = log.runs[0];
const inv = (run.invocations || [])[0] || {};
if (inv.executionSuccessful === false) {
  console.error(`${input}: the Multitool reports an unsuccessful execution`);
  for (const n of inv.toolExecutionNotifications || []) console.error(`  ${n.message && n.message.text}`);
  process.exit(2);
}
const rules = (run.tool.driver.rules || []);
let bad = 0, notes = 0;
for (const r of run.results || []) {
  const level = r.level || 'warning';
  const rule = rules[r.ruleIndex] || {};
  const template = ((rule.messageStrings || {})[r.message.id] || {}).text || r.message.text || r.message.id || '';
  const text = template.replace(/\{(\d+)\}/g, (_, i) => (r.message.arguments || [])[i] ?? '');
  const where = ((r.locations || [])[0] || {}).physicalLocation;
  const pos = where && where.region ? `(${where.region.startLine},${where.region.startColumn})` : '';
  console.log(`${input}${pos}: ${level} ${r.ruleId}: ${text}`);
  if (level === 'error' || level === 'warning') bad++; else notes++;
}
console.log(`${input}: ${bad} errors or warnings, ${notes} notes`);
process.exit(bad > 0 ? 1 : 0);
EOF
    case "$rc" in
        0) ;;
        1) status=1 ;;
        *) exit 2 ;;
    esac
done
exit "$status"
