#!/usr/bin/env bash
# Vulnerability matching benchmark (issue 5): the bundled advisory corpus plus a synthetic inventory of 1,000,000
# SBOM components on 20,000 devices and 300,000 NVD-style CVE configurations (150,000 CVEs, each a library range
# and a firmware-running-on-hardware AND configuration), in a new SQLite database. Times in the same run:
#   read         streaming every advisory (JSON decode), device and component out of the store (the baseline)
#   full match   vuln.Engine.MatchAll: compile every advisory, match every target on 2 cores, replace the matches,
#                reconcile the findings                                        target < 60 s
#   incremental  one new advisory for a library installed on many devices, vs reading its candidate targets
#                                                                              target < 1 s
# and prints each as a ratio to its baseline. Figures: bench/out/vuln/figures.json and summary.txt.
#
#   bench/vuln/run.sh
#   COMPONENTS=100000 CONFIGS=30000 DEVICES=2000 bench/vuln/run.sh     # smaller
#   DB=postgres://… bench/vuln/run.sh                                   # PostgreSQL (schema must be empty)
#   REUSE=1 bench/vuln/run.sh     # the SQLite database of an earlier run: read, re-match and new advisory only
#   MATCH_MEMORY=-1 bench/vuln/run.sh   # the re-match's memory budget in MiB (default 900; -1: none, GOGC 25 instead)
# Each step's CPU seconds (user + system) are printed beside its wall time: on a shared machine the wall-time
# ratio follows the share of the cores the process got, the CPU ratio much less.
# The heap profile at the re-match's peak goes to bench/out/vuln/heap.pprof
# (go tool pprof -sample_index=inuse_space bench/out/vuln/bench bench/out/vuln/heap.pprof).
set -euo pipefail
cd "$(dirname "$0")/../.."
out=bench/out/vuln
mkdir -p "$out"
go build -o "$out/bench" ./bench/vuln
GOMAXPROCS=${GOMAXPROCS:-2} /usr/bin/time -f '%M' -o "$out/rss" "$out/bench" \
	-db "${DB:-sqlite:$out/bench.db}" -components "${COMPONENTS:-1000000}" -devices "${DEVICES:-20000}" \
	-configs "${CONFIGS:-300000}" -json "$out/figures.json" -memprofile "$out/heap.pprof" ${REUSE:+-reuse} \
	${MATCH_MEMORY:+-match-memory "$MATCH_MEMORY"} 2>&1 | tee "$out/run.log" | grep -v '^time=' || true
python3 - "$out/figures.json" "$(tail -n1 "$out/rss")" <<'PY' | tee "$out/summary.txt"
import json, sys
f = json.load(open(sys.argv[1]))
print(f"inventory: {f['components']:,} components on {f['devices']:,} devices; {f['configs']:,} CVE configurations "
      f"+ {f['corpus_advisories']} corpus advisories; GOMAXPROCS={f['gomaxprocs']}; peak RSS {int(sys.argv[2])//1024} MiB")
print(f"read baseline      {f['read_s']:8.2f} s  ({f['read_records']:,} records); CPU {f['read_cpu_s']:.2f} s, {f['read_alloc_mib']:,} MiB allocated")
print(f"full match         {f['full_match_s']:8.2f} s  = {f['full_match_ratio']:.2f} x read   ({f['matches']:,} matches, {f['findings']:,} findings); "
      f"peak heap {f['full_match_peak_heap_mib']:,} MiB")
print(f"                   CPU {f['full_match_cpu_s']:.2f} s = {f['full_match_cpu_ratio']:.2f} x read's; {f['full_match_alloc_mib']:,} MiB allocated, {f['full_match_gcs']} collections")
print(f"new advisory       {f['incremental_s']*1000:8.1f} ms = {f['incremental_ratio']:.1f} x reading its {f['incremental_targets']} candidates "
      f"({f['incremental_read_s']*1000:.1f} ms); {f['incremental_findings']} findings")
print(f"(loading: corpus {f['corpus_load_s']:.1f} s, synthetic advisories {f['synthetic_load_s']:.1f} s, inventory {f['inventory_load_s']:.1f} s, "
      f"index + first match {f['index_and_match_s']:.1f} s)")
PY
