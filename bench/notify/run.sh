#!/usr/bin/env bash
# Notices per organisation for one report (issue 19): a Shadowserver-style scan_http_vulnerable report (all rows
# critical) against a registry of organisations, ingested into a fresh SQLite database with the rows shuffled (the
# generator's order) and sorted by address, then composed with `vigil notify run --no-deliver` (5,000 events per
# composition batch, as serve's sweep). Prints, per binary and order, the immediate notices composed, the
# organisations with findings and the most notices one organisation got. The baseline is the same run with vigil
# built from BEFORE (default: the commit before one warning per organisation and run).
#
#   bench/notify/run.sh                                # 100,000 rows, 512 organisations
#   ROWS=1000000 ORGS=20000 RANGES=100000 bench/notify/run.sh
#   BEFORE=2e7c01d bench/notify/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
ROWS=${ROWS:-100000}
ORGS=${ORGS:-512}
RANGES=${RANGES:-$((ORGS * 5))}
BEFORE=${BEFORE:-2e7c01d}
out=bench/out/notify/$ROWS-$ORGS
mkdir -p "$out"

go build -o "$out/gen" ./bench/feed/gen
go build -o "$out/vigil-after" ./cmd/vigil
if [ ! -x "$out/vigil-before" ]; then
	src=$(mktemp -d)
	git archive "$BEFORE" | tar -x -C "$src"
	(cd "$src" && go build -o "$OLDPWD/$out/vigil-before" ./cmd/vigil)
	rm -rf "$src"
fi

report=2025-06-01-scan_http_vulnerable-bench-asn.csv
if [ ! -s "$out/shuffled/$report" ]; then
	"$out/gen" -out "$out/shuffled" -rows "$ROWS" -orgs "$ORGS" -ranges "$RANGES"
	mkdir -p "$out/sorted"
	cp "$out/shuffled/orgs.csv" "$out/sorted/orgs.csv"
	python3 - "$out/shuffled/$report" "$out/sorted/$report" <<'PY'
import csv, ipaddress, sys
with open(sys.argv[1], newline='') as f:
    header, *rows = f.read().splitlines(keepends=True)
ip = lambda line: ipaddress.ip_address(next(csv.reader([line]))[2])
rows.sort(key=lambda line: (ip(line).version, ip(line)))
with open(sys.argv[2], 'w', newline='') as f:
    f.write(header)
    f.writelines(rows)
PY
fi

count() {
	python3 - "$1" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
notices, top = db.execute("SELECT COUNT(*), COALESCE(MAX(c), 0) FROM (SELECT org_id, COUNT(*) c FROM notices WHERE kind = 'immediate' GROUP BY org_id)").fetchone()
total = db.execute("SELECT COALESCE(SUM(c), 0) FROM (SELECT COUNT(*) c FROM notices WHERE kind = 'immediate' GROUP BY org_id)").fetchone()[0]
orgs = db.execute("SELECT COUNT(DISTINCT org_id) FROM findings").fetchone()[0]
findings = db.execute("SELECT COUNT(*) FROM findings").fetchone()[0]
print(f"{total:>9} {orgs:>9} {top:>8} {findings:>9}")
PY
}

printf '%-7s %-9s %9s %9s %8s %9s %8s\n' binary order notices orgs max/org findings seconds | tee "$out/summary.txt"
for bin in before after; do
	for order in sorted shuffled; do
		db="$out/$bin-$order.db"
		rm -f "$db" "$db-wal" "$db-shm"
		"$out/vigil-$bin" --db "sqlite:$db" --json org import "$out/$order/orgs.csv" >/dev/null
		"$out/vigil-$bin" --db "sqlite:$db" --json ingest feed "$out/$order/$report" >"$out/$bin-$order-ingest.json"
		start=$(date +%s.%N)
		"$out/vigil-$bin" --db "sqlite:$db" --json notify run --no-deliver >"$out/$bin-$order-notify.json"
		end=$(date +%s.%N)
		printf '%-7s %-9s %s %8.1f\n' "$bin" "$order" "$(count "$db")" "$(echo "$end - $start" | bc -l)" | tee -a "$out/summary.txt"
	done
done
