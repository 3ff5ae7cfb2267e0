#!/usr/bin/env bash
# schemathesis against a real server: every operation in api/openapi.json, fuzzed as the
# demo ward's nurse; fails on any 5xx or any response that breaks the document.
#   scripts/schemathesis.sh [path/to/wardround]   (default: target/debug/wardround)
# Needs `pip install schemathesis` (PyPI); CI installs it.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${1:-target/debug/wardround}"
[ -x "$BIN" ] || cargo build --quiet
EXAMPLES="${SCHEMATHESIS_EXAMPLES:-25}"

work=$(mktemp -d)
# The server writes its audit checkpoint as it stops: let it finish before its files go.
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
HOME="$work" XDG_CONFIG_HOME="$work" WARDROUND_ADMIN_PASSWORD="schemathesis admin" \
  "$BIN" serve --demo-ward --listen "127.0.0.1:$port" --database "$work/w.sqlite" 2>"$work/serve.log" &
server=$!
for _ in $(seq 100); do
  grep -q "listening on" "$work/serve.log" && break
  sleep 0.1
done
password=$(sed -n 's/.*demo accounts .* password \(.*\)$/\1/p' "$work/serve.log")
base="http://127.0.0.1:$port/api/v1"
token=$(curl -sf -X POST "$base/session" -H 'content-type: application/json' \
  -d "{\"username\":\"nurse\",\"password\":\"$password\"}" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')

admin=$(curl -sf -X POST "$base/session" -H 'content-type: application/json' \
  -d '{"username":"admin","password":"schemathesis admin"}' \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')

# Every check that holds the server to the document. Left out: positive_data_acceptance
# (the document gives types, not every rule: a name that must exist, a non-empty title)
# and ensure_resource_availability (a 404 for a patient or user named in a body reads to it
# as the resource just created gone missing).
CHECKS=not_a_server_error,status_code_conformance,content_type_conformance
CHECKS+=,response_headers_conformance,response_schema_conformance,negative_data_rejection
CHECKS+=,missing_required_header,unsupported_method,allow_header_conformance,use_after_free
CHECKS+=,ignored_auth,object_level_authorization
run() {
  schemathesis run "$base/openapi.json" --url "$base" \
    --checks "$CHECKS" \
    --max-examples "$EXAMPLES" --request-timeout 10 \
    --generation-deterministic "$@"
}
# The event stream never ends by design (tests/it/api.rs covers it); logging out would end
# the session the rest of the run uses.
echo "== as the demo ward's nurse"
run -H "Authorization: Bearer $token" --exclude-path /events --exclude-path /session
echo "== as the administrator (the admin API)"
run -H "Authorization: Bearer $admin" --include-path-regex '^/admin/'
echo "schemathesis: no server errors, every response as documented"
