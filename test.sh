#!/usr/bin/env bash
# Runs every check and test of vigil. Tests use SQLite always; set
# VIGIL_TEST_PG=postgres://USER@HOST:PORT/DB to run the store tests on PostgreSQL too.
set -euo pipefail
cd "$(dirname "$0")"
export PATH="/usr/local/go/bin:$PATH"
echo "== gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then echo "gofmt would change:"; echo "$unformatted"; exit 1; fi
echo "== go vet"
go vet ./...
echo "== staticcheck"
go tool staticcheck ./...
echo "== README tour (examples/tour.sh, offline)"
tour_bin=$(mktemp -d)
go build -o "$tour_bin/vigil" ./cmd/vigil
examples/tour.sh "$tour_bin/vigil" 2>/dev/null >/dev/null || { echo "examples/tour.sh failed; run it to see the step"; rm -rf "$tour_bin"; exit 1; }
rm -rf "$tour_bin"
echo "tour ok"
echo "== tests"
go tool gotestsum --format pkgname-and-test-fails -- -count=1 -timeout 45m "$@" ./...
