#!/usr/bin/env bash
# Feed ingest benchmark (issue 4): a Shadowserver-style scan_http_vulnerable report of 1M and 5M rows and a
# registry of 20,000 organisations with 100,000 ranges, timed in the same run as
#   (a) baseline: a minimal Go program that only parses the CSV (encoding/csv) and does the bart lookup, and
#   (b) `vigil ingest feed` into a new SQLite database (when the vigil binary has that command).
# Prints rows/s and peak RSS for both, and the ratio (b)/(a). Targets: (b) >= 50 % of (a), >= 200,000 rows/s,
# peak RSS < 256 MiB and independent of the file size.
#
#   bench/feed/run.sh            # 1M and 5M rows
#   ROWS="1000000" bench/feed/run.sh
#   SKIP_VIGIL=1 bench/feed/run.sh   # baseline and vigil's parse+match path only
# Besides (a) and (b) it times bench/feed/parse: vigil's feed.Reader plus an ipindex lookup per row, no storage,
# and bench/feed/floor: the bare SQLite inserts of as many finding rows as (b) created, with only the unique
# identity index (no parsing, matching, events or upsert), expressed as report rows/s — the most any design
# that keeps one row per finding in SQLite can reach on this machine.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=bench/out/feed
mkdir -p "$out"
ROWS=${ROWS:-"1000000 5000000"}

go build -o "$out/gen" ./bench/feed/gen
go build -o "$out/baseline" ./bench/feed/baseline
go build -o "$out/parse" ./bench/feed/parse
go build -o "$out/floor" ./bench/feed/floor
have_vigil=no
if [ -n "${SKIP_VIGIL:-}" ]; then
	echo "note: SKIP_VIGIL set; not timing vigil ingest feed" >&2
elif go build -o "$out/vigil" ./cmd/vigil 2>"$out/vigil-build.log" && "$out/vigil" ingest feed --help >/dev/null 2>&1; then
	have_vigil=yes
else
	echo "note: no vigil binary with 'ingest feed' (see $out/vigil-build.log); timing the baseline only" >&2
fi

# peak_rss_kib CMD... runs CMD with stdout to $out/last.out and prints its peak RSS in KiB.
peak_rss_kib() {
	/usr/bin/time -f '%M' -o "$out/last.rss" "$@" >"$out/last.out"
	tail -n1 "$out/last.rss"
}

# json_field FILE KEY prints a field of the JSON object in FILE (one object, or one per line: the last).
json_field() {
	python3 - "$1" "$2" <<'PY'
import json, sys
text = open(sys.argv[1]).read().strip()
try:
    v = json.loads(text)
except ValueError:
    v = json.loads(text.splitlines()[-1])
if isinstance(v, list):
    v = v[-1]
print(v[sys.argv[2]])
PY
}

printf '%-9s %-24s %10s %10s %9s\n' rows program rows/s seconds peak_MiB >"$out/summary.txt"
for rows in $ROWS; do
	dir="$out/$rows"
	report="$dir/2025-06-01-scan_http_vulnerable-bench-asn.csv"
	if [ ! -s "$report" ]; then
		"$out/gen" -out "$dir" -rows "$rows" -orgs 20000 -ranges 100000
	fi
	cat "$report" >/dev/null # warm the page cache for both programs alike

	rss=$(peak_rss_kib "$out/baseline" -ranges "$dir/ranges.csv" "$report")
	base_rps=$(json_field "$out/last.out" rows_per_second)
	base_s=$(json_field "$out/last.out" seconds)
	printf '%-9s %-24s %10.0f %10.2f %9.1f\n' "$rows" baseline "$base_rps" "$base_s" "$(echo "$rss/1024" | bc -l)" >>"$out/summary.txt"

	rss=$(peak_rss_kib "$out/parse" -ranges "$dir/ranges.csv" "$report")
	printf '%-9s %-24s %10.0f %10.2f %9.1f\n' "$rows" "feed+ipindex (no store)" "$(json_field "$out/last.out" rows_per_second)" \
		"$(json_field "$out/last.out" seconds)" "$(echo "$rss/1024" | bc -l)" >>"$out/summary.txt"

	if [ "$have_vigil" = yes ]; then
		db="$dir/bench.db"
		rm -f "$db" "$db-wal" "$db-shm"
		"$out/vigil" --db "sqlite:$db" --json org import "$dir/orgs.csv" >"$dir/import.json"
		start=$(date +%s.%N)
		rss=$(peak_rss_kib "$out/vigil" --db "sqlite:$db" --json ingest feed "$report")
		end=$(date +%s.%N)
		cp "$out/last.out" "$dir/ingest.json"
		wall=$(echo "$end - $start" | bc -l)
		vrows=$(json_field "$dir/ingest.json" rows)
		vs=$(json_field "$dir/ingest.json" seconds)
		vrps=$(echo "$vrows / $vs" | bc -l)
		printf '%-9s %-24s %10.0f %10.2f %9.1f\n' "$rows" "vigil ingest feed" "$vrps" "$vs" "$(echo "$rss/1024" | bc -l)" >>"$out/summary.txt"
		printf '%-9s %-24s %9.1f%%  (process wall time %.2fs)\n' "$rows" "ratio vigil/baseline" "$(echo "100 * $vrps / $base_rps" | bc -l)" "$wall" >>"$out/summary.txt"
		# The engine's floor: bare inserts of as many finding rows as this ingest made, with only the
		# identity index, scaled to report rows/s at this report's findings-per-row.
		nf=$(json_field "$dir/ingest.json" findings_new)
		rss=$(peak_rss_kib "$out/floor" -findings "$nf" -db "$dir/floor.db")
		ffps=$(json_field "$out/last.out" findings_per_second)
		printf '%-9s %-24s %10.0f %10.2f %9.1f  (%d findings at %.0f/s)\n' "$rows" "sqlite floor (no parse)" "$(echo "$ffps * $vrows / $nf" | bc -l)" \
			"$(json_field "$out/last.out" seconds)" "$(echo "$rss/1024" | bc -l)" "$nf" "$ffps" >>"$out/summary.txt"
		rm -f "$dir/floor.db" "$dir/floor.db-wal" "$dir/floor.db-shm"
	fi
done
cat "$out/summary.txt"
