#!/bin/sh
# Copyright (c) 2026 The vigil authors.
# SPDX-License-Identifier: Apache-2.0
#
# Refreshes the README's pictures: runs the browser journeys on SQLite
# (Debian's chromium) with screenshots into a temporary directory, then
# keeps in docs/screenshots exactly the pictures README.md shows.
set -eu
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go test ./internal/web/e2e -count=1 -timeout 30m -run 'Journeys/sqlite' -args -screenshots "$tmp"
rm -f docs/screenshots/*.png
for f in $(grep -o 'docs/screenshots/[a-z0-9-]*\.png' README.md | sort -u); do
	cp "$tmp/$(basename "$f")" "$f"
done
ls -l docs/screenshots
