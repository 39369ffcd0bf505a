#!/usr/bin/env bash
# Runs the README's tour, offline, against a fresh SQLite database in a temporary directory, with the sample files
# beside this script. Usage: examples/tour.sh [PATH-TO-VIGIL]  (without one it builds ./cmd/vigil). Every step must
# succeed; ./test.sh runs it. Steps that reach the network in real use (security.txt, RDAP, a CSAF provider, a probe,
# DNS ownership checks) are not part of this offline tour; their tests run against loopback servers in go test.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
vigil=${1:-}
if [ -z "$vigil" ]; then
	(cd "$here/.." && go build -o "$work/vigil" ./cmd/vigil)
	vigil="$work/vigil"
fi
vigil=$(cd "$(dirname "$vigil")" && pwd)/$(basename "$vigil")
cd "$work"
export VIGIL_DB="sqlite:$work/vigil.db"
step() { echo "+ vigil $*" >&2; "$vigil" "$@"; }
expect() { # expect WORDS OUTPUT: the output of the last step must contain WORDS
	case "$2" in *"$1"*) ;; *) echo "tour: expected \"$1\" in: $2" >&2; exit 1 ;; esac
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
echo "tour: every step ran" >&2
