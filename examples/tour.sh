#!/usr/bin/env bash
# Runs the README's tour, offline, against a fresh SQLite database in a temporary directory, with the sample files
# beside this script. Usage: examples/tour.sh [PATH-TO-VIGIL]  (without one it builds ./cmd/vigil). Every step must
# succeed; ./test.sh runs it. Steps that reach the internet in real use (ownership verification in DNS, security.txt,
# RDAP, a CSAF provider, a probe, a label registry's URL) run against servers on loopback: examples/fixture (DNS,
# HTTP and the fake device of internal/probe/fakedevice) and vigil serve.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"' EXIT
vigil=${1:-}
if [ -z "$vigil" ]; then
	(cd "$here/.." && go build -o "$work/vigil" ./cmd/vigil)
	vigil="$work/vigil"
fi
(cd "$here/.." && go build -o "$work/fixture" ./examples/fixture)
vigil=$(cd "$(dirname "$vigil")" && pwd)/$(basename "$vigil")
cd "$work"
export VIGIL_DB="sqlite:$work/vigil.db"
step() { echo "+ vigil $*" >&2; "$vigil" "$@"; }
expect() { # expect WORDS OUTPUT: the output of the last step must contain WORDS
	case "$2" in *"$1"*) ;; *) echo "tour: expected \"$1\" in: $2" >&2; exit 1 ;; esac
}
wait_for() { # wait_for FILE PATTERN: until FILE contains PATTERN (at most 30 s)
	for _ in $(seq 300); do grep -q "$2" "$1" 2>/dev/null && return; sleep 0.1; done
	echo "tour: no \"$2\" in $1 after 30 s" >&2; cat "$1" >&2; exit 1
}

# The registry.
org=$(step org add "Energie Noord" --domain energie-noord.example --cidr 192.0.2.0/26 --asn AS64500 \
	--email soc@energie-noord.example --lang nl)
expect 1 "$org"
expect "imported 3 organisations" "$(step org import "$here/orgs.csv")"
step org export --format csv >/dev/null
step asset add "Energie Noord" 2001:db8::/48 >/dev/null
step asset overlaps >/dev/null
expect "_vigil-verify.energie-noord.example" "$(step asset token "Energie Noord")"
step contact add "Energie Noord" --phone "+31 50 123 4567" --role security --lang en >/dev/null
device=$(step device add "Energie Noord" --vendor "Delta Electronics" --model "InfraSuite Device Master" --firmware "1.0.12")
step token create --org "Energie Noord" --scopes read,write >/dev/null
step org list >/dev/null

# Threat feeds become findings.
expect "rows" "$(step ingest feed "$here/2025-06-01-scan_exchange-nl-asn.csv")"
expect "192.0.2.95" "$(step findings --org "Waterschap Zuid")"
expect "scan_exchange" "$(step triggers)"
step quarantine list >/dev/null

# Vulnerabilities and warnings.
step ingest kev "$here/kev.json" >/dev/null
step ingest nvd "$here/nvd-CVE-2023-46604.json" >/dev/null
expect "matches" "$(step device sbom "$device" "$here/bom.cdx.json")"
expect "CVE-2023-46604" "$(step vulns)"
expect "composed" "$(step notify run --smtp-url sink:)"
step notify status >/dev/null
step notify calls >/dev/null
step stats >/dev/null

# Assessment and the A-G label.
step catalogue --framework cra >/dev/null
expect "wrote" "$(step assess template --vendor "Lumen Labs" --model "LumiCam Indoor 2" --output template.yaml)"
assessment=$(step --json assess start --vendor "Lumen Labs" --model "LumiCam Indoor 2" --firmware 3.4.1 | sed -n 's/^  "id": "\{0,1\}\([0-9]*\)"\{0,1\},$/\1/p' | head -1)
expect 1 "$assessment"
step assess answer "$assessment" "$here/answers.yaml" >/dev/null
step assess evidence "$assessment" "$here"/evidence/* >/dev/null
step assess submit "$assessment" >/dev/null
step assess review "$assessment" --approve --reviewer lab >/dev/null
label=$(step --json label issue "$assessment" | grep -o 'VL-[0-9A-Z-]*' | head -1)
expect "VL-" "$label"
step label show "$label" >label.json
expect "valid" "$(step label verify label.json)"
step label render "$label" --format png -o label.png
test -s label.png
step label rules >/dev/null

# Steps that reach the internet in real use, here against servers on loopback: the fixture publishes the ownership
# token in DNS, a security.txt, RDAP bootstrap files and an RDAP server, a CSAF provider, and runs a weak fake device.
token=$(step asset token "Energie Noord" | sed -n 's/^TXT record value: //p')
"$work/fixture" -env "$work/fixture.env" -csaf "$here/csaf" -txt "_vigil-verify.energie-noord.example=$token" \
	-txt "_vigil-verify.2.0.192.in-addr.arpa=$token" &
pids+=($!)
wait_for "$work/fixture.env" FIXTURE_PORTS
. "$work/fixture.env"
export VIGIL_DNS_SERVER=$FIXTURE_DNS # in real use: the system resolver
expect "verified by dns" "$(step asset verify "Energie Noord" 1)"
expect "verified by dns" "$(step asset verify "Energie Noord" 2)"
expect "security@energie-noord.example" "$(step securitytxt check "$FIXTURE_HTTP/.well-known/security.txt" --allow-private || true)"
step contact bootstrap --url "$FIXTURE_HTTP/bootstrap/" --allow-private >/dev/null
expect "abuse@energie-noord.example" "$(step contact lookup energie-noord.example --allow-private)"
expect "advisories 1 new" "$(step ingest csaf "$FIXTURE_HTTP/.well-known/csaf/provider-metadata.json" --allow-private)"
# shellcheck disable=SC2086 # FIXTURE_PORTS is a list of --port flags
expect "default-credentials" "$(step probe "$FIXTURE_DEVICE" --lab 127.0.0.1/32 $FIXTURE_PORTS --rate 50)"
"$vigil" serve --addr 127.0.0.1:0 2>"$work/serve.log" &
pids+=($!)
wait_for "$work/serve.log" "msg=serving"
# vigil serve listens before its database is open (503, "not ready: migrating"); the job queue starts when it is ready.
wait_for "$work/serve.log" "River client started"
served=$(sed -n 's/.*msg=serving url=\(http[^ ]*\).*/\1/p' "$work/serve.log" | head -1)
expect "valid" "$(step label verify "$served/labels/$label.json" --allow-private)"
echo "tour: every step ran" >&2
