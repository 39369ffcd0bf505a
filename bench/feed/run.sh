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
#   DB=postgres://postgres@127.0.0.1:5432/vigil_bench?sslmode=disable bench/feed/run.sh
#                                    # also PostgreSQL: ingest into a schema "bench" of that database (replaced)
#                                    # and its floor, COPY of as many finding rows into a table with only the
#                                    # identity index; then the ratios PG/floor and PG/SQLite of the same run,
#                                    # and (server on this host) the server's CPU seconds for ingest and floor;
#                                    # then the floor variants: COPY into vigil's own findings table (all its
#                                    # indexes and triggers), and with one event row per finding (SQLite gets
#                                    # the same two variants, written with single-row inserts)
#   FLOOR_RUNS=1 bench/feed/run.sh   # each floor once instead of best of 3
# Besides (a) and (b) it times bench/feed/parse: vigil's feed.Reader plus an ipindex lookup per row, no storage,
# and bench/feed/floor: the bare SQLite inserts of as many finding rows as (b) created, with only the unique
# identity index (no parsing, matching, events or upsert), expressed as report rows/s — the most any design
# that keeps one row per finding in SQLite can reach on this machine. Each floor is the best of 3 runs (FLOOR_RUNS).
set -euo pipefail
cd "$(dirname "$0")/../.."
. bench/feed/lib.sh
out=bench/out/feed
mkdir -p "$out"
ROWS=${ROWS:-"1000000 5000000"}
floor_runs=${FLOOR_RUNS:-3} # each floor is the best of this many runs

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

# peak_rss_kib CMD... runs CMD with stdout to $out/last.out and prints its peak RSS in KiB. With DB set and the
# server on this host, it also writes to $out/last.pgcpu the CPU seconds (user + system) that the server processes
# of DB's database used meanwhile (polled from /proc every 0.1 s; 0 when none is visible): on a shared machine the
# rows/s follow the load, the CPU seconds much less.
peak_rss_kib() {
	local poll=
	if [ -n "${DB:-}" ]; then
		pg_cpu_poll "$out/last.pgcpu" &
		poll=$!
	fi
	/usr/bin/time -f '%M' -o "$out/last.rss" "$@" >"$out/last.out"
	if [ -n "$poll" ]; then
		sleep 0.3
		kill "$poll"
		wait "$poll" 2>/dev/null || true
	fi
	tail -n1 "$out/last.rss"
}

# pg_cpu_poll FILE keeps writing to FILE the CPU seconds used so far by the server processes of DB's database
# (each process's last reading counts, so connections that ended still do).
pg_cpu_poll() {
	local dbname=${DB##*/} p t s
	dbname=${dbname%%\?*}
	declare -A seen
	echo 0 >"$1"
	while :; do
		for p in $(pgrep -f "^postgres: .* $dbname " || true); do
			t=$(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null) && [ -n "$t" ] && seen[$p]=$t
		done
		s=0
		for t in "${seen[@]}"; do s=$((s + t)); done
		echo "$s / $(getconf CLK_TCK)" | bc -l >"$1"
		sleep 0.1
	done
}


pgdsn=
if [ -n "${DB:-}" ]; then
	case "$DB" in *\?*) pgdsn="$DB&search_path=bench" ;; *) pgdsn="$DB?search_path=bench" ;; esac
fi

# fresh_db ENGINE DSN: an empty database for vigil.
fresh_db() {
	if [ "$1" = postgres ]; then
		psql -q -v ON_ERROR_STOP=1 "$DB" -c 'SET client_min_messages = warning' -c 'DROP SCHEMA IF EXISTS bench CASCADE' -c 'CREATE SCHEMA bench' >/dev/null
	else
		local f=${2#sqlite:}
		rm -f "$f" "$f-wal" "$f-shm"
	fi
}

# ingest_engine ROWS DIR REPORT ENGINE DSN FLOORDB: vigil ingest feed into a new database of ENGINE, then the
# engine's floor (best of 3) for as many findings as the ingest made; sets ${ENGINE}_rps.
ingest_engine() {
	local rows=$1 dir=$2 report=$3 engine=$4 dsn=$5 floordb=$6
	fresh_db "$engine" "$dsn"
	"$out/vigil" --db "$dsn" --json org import "$dir/orgs.csv" >"$dir/import-$engine.json"
	local start end rss wall vrows vs vrps nf best=0 best_s=0 best_rss=0 fps
	start=$(date +%s.%N)
	rss=$(peak_rss_kib "$out/vigil" --db "$dsn" --json ingest feed "$report")
	end=$(date +%s.%N)
	cp "$out/last.out" "$dir/ingest-$engine.json"
	wall=$(echo "$end - $start" | bc -l)
	vrows=$(json_field "$dir/ingest-$engine.json" rows)
	vs=$(json_field "$dir/ingest-$engine.json" seconds)
	vrps=$(echo "$vrows / $vs" | bc -l)
	printf -v "${engine}_rps" '%s' "$vrps"
	printf '%-9s %-24s %10.0f %10.2f %9.1f\n' "$rows" "vigil ingest ($engine)" "$vrps" "$vs" "$(echo "$rss/1024" | bc -l)" >>"$out/summary.txt"
	printf '%-9s %-24s %9.1f%%  (process wall time %.2fs)\n' "$rows" "ratio vigil/baseline" "$(echo "100 * $vrps / $base_rps" | bc -l)" "$wall" >>"$out/summary.txt"
	local vcpu=0
	if [ "$engine" = postgres ]; then
		vcpu=$(cat "$out/last.pgcpu")
	fi
	# The engine's floor: bare inserts (SQLite) or COPY (PostgreSQL) of as many finding rows as this ingest
	# made, with only the identity index, scaled to report rows/s at this report's findings-per-row.
	nf=$(json_field "$dir/ingest-$engine.json" findings_new)
	local fcpu=0
	for _ in $(seq "$floor_runs"); do
		rss=$(peak_rss_kib "$out/floor" -findings "$nf" -db "$floordb")
		fps=$(json_field "$out/last.out" findings_per_second)
		if [ "$(echo "$fps > $best" | bc -l)" = 1 ]; then
			best=$fps best_s=$(json_field "$out/last.out" seconds) best_rss=$rss
			if [ "$engine" = postgres ]; then
				fcpu=$(cat "$out/last.pgcpu")
			fi
		fi
	done
	local frps
	frps=$(echo "$best * $vrows / $nf" | bc -l)
	printf '%-9s %-24s %10.0f %10.2f %9.1f  (%d findings at %.0f/s, best of 3)\n' "$rows" "$engine floor (no parse)" "$frps" \
		"$best_s" "$(echo "$best_rss/1024" | bc -l)" "$nf" "$best" >>"$out/summary.txt"
	printf '%-9s %-24s %9.1f%%\n' "$rows" "ratio vigil/$engine floor" "$(echo "100 * $vrps / $frps" | bc -l)" >>"$out/summary.txt"
	if [ "$engine" = postgres ] && [ "$(echo "$vcpu > 0 && $fcpu > 0" | bc -l)" = 1 ]; then
		printf '%-9s %-24s %9.1f%%  (server CPU: ingest %.2fs, floor %.2fs)\n' "$rows" "server CPU floor/ingest" \
			"$(echo "100 * $fcpu / $vcpu" | bc -l)" "$vcpu" "$fcpu" >>"$out/summary.txt"
	fi
	# What lies between that floor and the ingest: the same rows written into vigil's own findings table (all its
	# indexes and triggers; COPY on PostgreSQL, single-row inserts on SQLite), then with one event row per finding as
	# a new finding gets, each best of 3.
	local variant vbest vdb=$floordb
	if [ "$engine" = postgres ]; then
		vdb=$DB
	fi
	for variant in findings findings+events; do
		vbest=0
		for _ in $(seq "$floor_runs"); do
			peak_rss_kib "$out/floor" -findings "$nf" -variant "$variant" -db "$vdb" >/dev/null
			fps=$(json_field "$out/last.out" findings_per_second)
			if [ "$(echo "$fps > $vbest" | bc -l)" = 1 ]; then
				vbest=$fps
			fi
		done
		printf '%-9s %-24s %10.0f %10s %9s  (%.1f%% of the floor; ingest is %.1f%% of this)\n' "$rows" "floor: $variant" \
			"$(echo "$vbest * $vrows / $nf" | bc -l)" - - "$(echo "100 * $vbest / $best" | bc -l)" \
			"$(echo "100 * $vrps / ($vbest * $vrows / $nf)" | bc -l)" >>"$out/summary.txt"
	done
	if [ "$engine" = sqlite ]; then
		rm -f "$floordb" "$floordb-wal" "$floordb-shm"
	fi
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
		ingest_engine "$rows" "$dir" "$report" sqlite "sqlite:$dir/bench.db" "$dir/floor.db"
		if [ -n "${DB:-}" ]; then
			ingest_engine "$rows" "$dir" "$report" postgres "$pgdsn" "$pgdsn"
			printf '%-9s %-24s %9.1f%%\n' "$rows" "ratio postgres/sqlite" "$(echo "100 * $postgres_rps / $sqlite_rps" | bc -l)" >>"$out/summary.txt"
		fi
	fi
done
cat "$out/summary.txt"
