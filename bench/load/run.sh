#!/usr/bin/env bash
# Load benchmark (issue 12): real `vigil serve` processes on loopback driven by concurrent clients (API reads,
# token checks, portal pages with a signed-in session, feed uploads); per request kind the count, requests per
# second, p50/p99 latency and errors, then each process's CPU seconds and what bounded the run. See bench/README.md.
#
#   bench/load/run.sh                                  # SQLite, 1 node
#   DB=postgres://postgres@127.0.0.1:5432/vigil_load?sslmode=disable bench/load/run.sh
#                                                      # then PostgreSQL (schema "load", replaced), 1 and 3 nodes
#   CLIENTS=16 DURATION=60s ORGS=20000 RANGES=100000 ROWS=1000000 bench/load/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
out=bench/out/load
mkdir -p "$out"
go build -o "$out/vigil" ./cmd/vigil
go build -o "$out/gen" ./bench/feed/gen
go build -o "$out/load" ./bench/load

common=(-vigil "$out/vigil" -gen "$out/gen" -clients "${CLIENTS:-8}" -duration "${DURATION:-30s}"
	-requests "${REQUESTS:-200000}" -orgs "${ORGS:-2000}" -ranges "${RANGES:-10000}" -rows "${ROWS:-100000}")
{
	echo "# $(date -u +%FT%TZ), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
	"$out/load" "${common[@]}" -dir "$out/sqlite" -json "$out/sqlite.json" -nodes 1
	if [ -n "${DB:-}" ]; then
		"$out/load" "${common[@]}" -dir "$out/postgres" -json "$out/postgres.json" -db "$DB" -nodes 1,3
	fi
} | tee "$out/summary.txt"
