#!/usr/bin/env bash
# Peak memory of `vigil ingest feed` against the size of the report (issue 12): the same generator as run.sh
# (20,000 organisations, 100,000 ranges, seed 42) writes a 1M- and a 10M-row report, streamed to disk (a 10M-row
# file is about 3.4 GB; it is deleted at the end unless KEEP=1), and each is ingested into a new SQLite database
# (and, with DB=postgres://…, into a new schema "bench" of that database) in the same run. For each ingest it
# prints rows/s, the peak RSS of the vigil process (VmHWM from /proc, polled every second, and /usr/bin/time's
# maximum resident set size) and the RSS sampled every SAMPLE seconds, with the report lines committed so far, to
# $out/rss-<rows>-<engine>.txt, so a growth with the rows read shows as a rising series rather than a plateau.
#
#   bench/feed/rss.sh                                   # 1M and 10M rows, SQLite
#   DB=postgres://postgres@127.0.0.1:5432/vigil_bench?sslmode=disable PG_ROWS=1000000 bench/feed/rss.sh
#                                   # then PostgreSQL too, for the sizes in PG_ROWS (default: ROWS)
#   VIGIL_MEMPROFILE=bench/out/feed/heap.pprof bench/feed/rss.sh   # heap profile at the end of each ingest
set -euo pipefail
cd "$(dirname "$0")/../.."
. bench/feed/lib.sh
out=bench/out/feed
mkdir -p "$out"
ROWS=${ROWS:-"1000000 10000000"}
SAMPLE=${SAMPLE:-10}
PG_ROWS=${PG_ROWS:-$ROWS}
if [ -n "${DB:-}" ]; then
	case "$DB" in *\?*) pgdsn="$DB&search_path=bench" ;; *) pgdsn="$DB?search_path=bench" ;; esac
fi

go build -o "$out/gen" ./bench/feed/gen
go build -o "$out/vigil" ./cmd/vigil

# committed ENGINE DIR prints the report lines the running ingest has committed so far (its resume point), or
# nothing when the engine's shell (sqlite3, psql) is missing.
committed() {
	if [ "$1" = sqlite ]; then
		command -v sqlite3 >/dev/null && sqlite3 "file:$2/rss.db?mode=ro" 'SELECT max(committed_line) FROM ingest_runs' 2>/dev/null
	else
		command -v psql >/dev/null && psql -tAq "$DB" -c 'SELECT max(committed_line) FROM bench.ingest_runs' 2>/dev/null
	fi
	true
}

# sample_rss PID FILE ENGINE DIR appends "seconds rss_kib hwm_kib committed_lines" every SAMPLE seconds while PID
# lives.
sample_rss() {
	local pid=$1 file=$2 t0 rss hwm
	t0=$(date +%s)
	: >"$file"
	while [ -r "/proc/$pid/status" ]; do
		rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
		hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
		[ -n "$rss" ] && echo "$(($(date +%s) - t0)) $rss $hwm $(committed "$3" "$4")" >>"$file"
		sleep "$SAMPLE"
	done
}


summary="$out/rss-summary.txt"
printf '%-9s %-9s %10s %9s %10s %12s %12s\n' rows engine rows/s seconds findings peak_MiB rss_samples >"$summary"
for rows in $ROWS; do # every report first, so that the ingests follow each other
	dir="$out/$rows"
	if [ ! -s "$dir/2025-06-01-scan_http_vulnerable-bench-asn.csv" ]; then
		"$out/gen" -out "$dir" -rows "$rows" -orgs 20000 -ranges 100000
	fi
done

# ingest ROWS ENGINE: one ingest of the ROWS report into a new database of ENGINE, a line in the summary.
ingest() {
	local rows=$1 engine=$2 dir="$out/$1" dsn tpid vpid spid= peak vrows vs nf samples
	local report="$dir/2025-06-01-scan_http_vulnerable-bench-asn.csv"
	if [ "$engine" = postgres ]; then
		psql -q -v ON_ERROR_STOP=1 "$DB" -c 'SET client_min_messages = warning' -c 'DROP SCHEMA IF EXISTS bench CASCADE' -c 'CREATE SCHEMA bench' >/dev/null
		dsn=$pgdsn
	else
		rm -f "$dir/rss.db" "$dir/rss.db-wal" "$dir/rss.db-shm"
		dsn="sqlite:$dir/rss.db"
	fi
	"$out/vigil" --db "$dsn" --json org import "$dir/orgs.csv" >"$dir/rss-import-$engine.json"
	/usr/bin/time -f '%M' -o "$dir/rss-time-$engine.txt" "$out/vigil" --db "$dsn" --json ingest feed "$report" \
		>"$dir/rss-ingest-$engine.json" &
	tpid=$!
	sleep 1
	vpid=$(pgrep -P "$tpid" | head -n1 || true)
	if [ -n "$vpid" ]; then
		sample_rss "$vpid" "$out/rss-$rows-$engine.txt" "$engine" "$dir" &
		spid=$!
	fi
	wait "$tpid"
	if [ -n "$spid" ]; then wait "$spid" 2>/dev/null || true; fi
	peak=$(tail -n1 "$dir/rss-time-$engine.txt")
	vrows=$(json_field "$dir/rss-ingest-$engine.json" rows)
	vs=$(json_field "$dir/rss-ingest-$engine.json" seconds)
	nf=$(json_field "$dir/rss-ingest-$engine.json" findings_new)
	# the RSS at a fifth, two fifths … of the run, in MiB: a plateau or a rise
	samples=$(awk '{r[NR]=$2} END {n=NR; for (i=1;i<=5;i++) {k=int(n*i/5); if (k<1) k=1; printf "%s%.0f", (i>1?",":""), r[k]/1024}}' "$out/rss-$rows-$engine.txt")
	printf '%-9s %-9s %10.0f %9.1f %10s %12.1f %12s\n' "$rows" "$engine" "$(echo "$vrows / $vs" | bc -l)" "$vs" "$nf" \
		"$(echo "$peak/1024" | bc -l)" "$samples" >>"$summary"
	if [ "$engine" = sqlite ]; then
		rm -f "$dir/rss.db" "$dir/rss.db-wal" "$dir/rss.db-shm"
	fi
}

for rows in $ROWS; do
	ingest "$rows" sqlite
done
if [ -n "${DB:-}" ]; then
	for rows in $PG_ROWS; do
		ingest "$rows" postgres
	done
fi
if [ -z "${KEEP:-}" ]; then
	for rows in $ROWS; do
		if [ "$rows" -gt 5000000 ]; then rm -f "$out/$rows/2025-06-01-scan_http_vulnerable-bench-asn.csv"; fi
	done
fi
cat "$summary"
