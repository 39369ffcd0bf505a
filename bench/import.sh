#!/usr/bin/env bash
# Registry import benchmark: 10,000 organisations with 50,000 assets from CSV into
# a new SQLite database, through the real CLI, against a baseline measured in the
# same run (the Go benchmark's parse-only figure for the same data).
set -euo pipefail
cd "$(dirname "$0")/.."
out=bench/out/import; mkdir -p "$out"
go build -o "$out/vigil" ./cmd/vigil
python3 - "$out/orgs.csv" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("name,sector,country,languages,domains,cidrs,asns,emails\n")
    for i in range(10000):
        hi, lo = divmod(i, 256)
        f.write(f"Org {i},energy,NL,nl,org{i}.example,10.{hi}.{lo}.0/26;10.{hi}.{lo}.64/26;10.{hi}.{lo}.128/25;2001:db8:{i:x}::/48,,soc@org{i}.example\n")
PY
rm -f "$out"/bench.db*
start=$(date +%s.%N)
"$out/vigil" --db "sqlite:$out/bench.db" --json org import "$out/orgs.csv" > "$out/result.json"
end=$(date +%s.%N)
cli=$(echo "$end - $start" | bc)
go test -run '^$' -bench 'Import' -benchtime 3x ./internal/store/ | tee "$out/gobench.txt"
parse=$(awk '/parse_only/ {print $3/1e9}' "$out/gobench.txt")
echo "CLI import of 10k orgs / 50k assets: ${cli}s (parse-only baseline ${parse}s; ratio $(echo "$cli / $parse" | bc -l | cut -c1-5)x)"
