# Shell functions shared by the feed bench scripts (sourced, not run).

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
