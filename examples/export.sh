#!/usr/bin/env bash
# The messages export API (/v1/), as an integrator runs it: a login with the platform API key,
# the message campaigns by workspace, a publish of one campaign's generated messages as CSV pages,
# the pages polled until the worker has written them all, then page 0 fetched as JSON, as UTF-8
# CSV and as a time-limited URL, which curl downloads:
#
#   BASE=http://127.0.0.1:8000 KEY=sk_live_... CODE=mac_... CAMPAIGN=... examples/export.sh
#
# KEY is the platform API key, CODE the company's messages api_code, CAMPAIGN a message campaign
# with generated messages: `make run` prints this line filled in with the demo's (or take
# api_key, messages_api_code and messages_campaign_id from `.venv/bin/python manage.py demo
# --json`). Needs only curl and python3. Each step says what it did; the script exits 0 when
# every step worked, else names the failing step, shows the response and exits 1. POLL_SECONDS
# (default 60) bounds the wait for the worker; X_IP (default 127.0.0.1) is the x-ip header, the
# address of the user the integrator acts for (kept for the audit).
set -euo pipefail

: "${BASE:?set BASE, e.g. BASE=http://127.0.0.1:8000}"
: "${KEY:?set KEY to an API key (make run prints one)}"
: "${CODE:?set CODE to the company messages api_code (make run prints the demo one)}"
: "${CAMPAIGN:?set CAMPAIGN to a message campaign id (make run prints the demo one)}"
BASE=${BASE%/}
X_IP=${X_IP:-127.0.0.1}
POLL_SECONDS=${POLL_SECONDS:-60}
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
export CODE CAMPAIGN

# json_of NAME VALUE...: a JSON object of these pairs (file_num as a number) for a request body.
json_of() {
  python3 -c '
import json, sys
pairs = sys.argv[1:]
print(json.dumps({k: int(v) if k == "file_num" else v for k, v in zip(pairs[::2], pairs[1::2])}))
' "$@"
}

CONTEXT=$(python3 -c 'import json, os; print(json.dumps({"api_access": True, "api_code": os.environ["CODE"]}))')

# v1 PATH EXPECTED_STATUS JSON: POST /v1/PATH with the API's headers (the bearer token,
# x-auth-context with the api_code, x-ip); another status fails the step with its message.
v1() {
  local path=$1 expected=$2
  printf '%s' "$3" >"$WORK/request.json"
  request POST "/v1/$path" -H "Content-Type: application/json" -H "x-auth-context: $CONTEXT" \
    -H "x-ip: $X_IP" --data-binary "@$WORK/request.json"
  [ "$STATUS" = "$expected" ] || fail "POST /v1/$path answered HTTP $STATUS, expected $expected: $(get message)"
}

step login "POST /api/v1/account/login with the API key: the access token the export API takes as Bearer"
printf '%s' "$(python3 -c 'import json, os; print(json.dumps({"ApiKey": os.environ["KEY"]}))')" >"$WORK/login.json"
request POST /api/v1/account/login -H "Content-Type: application/json" --data-binary "@$WORK/login.json"
[ "$STATUS" = 200 ] || fail "POST /api/v1/account/login answered HTTP $STATUS, expected 200"
TOKEN=$(get data.token)
[ -n "$TOKEN" ] || fail "no data.token in the answer"
echo "logged in; the access token expires at $(get data.expiry)"

step campaigns "POST /v1/campaign/all: the company's message campaigns, by workspace"
v1 campaign/all 200 '{}'
python3 - "$WORK/body" <<'PY'
import json, os, sys
for workspace in json.load(open(sys.argv[1], encoding="utf-8"))["data"]:
    print(f"workspace {workspace['workspace_name']} ({workspace['workspace_id']}):")
    for c in workspace["campaigns"]:
        mark = "  <- CAMPAIGN" if c["campaign_id"] == os.environ["CAMPAIGN"] else ""
        print(f"  {c['campaign_id']} {c['name']!r}: {c['channel']}, {c['status']}, "
              f"{c['stage']}, {c['total_messages']} messages{mark}")
PY

step publish "POST /v1/messages/publish: the campaign's generated messages to storage as CSV pages (202, a job)"
v1 messages/publish 202 "$(json_of campaign_id "$CAMPAIGN")"
echo "$(get message) job $(get data.job_id): $(get data.status)"

step pages "POST /v1/messages/pages until the job is done: the number of pages and rows"
written() {
  v1 messages/pages 200 "$(json_of campaign_id "$CAMPAIGN")"
  local status
  status=$(get data.status)
  [ "$status" != failed ] || fail "the export failed"
  [ "$status" = done ]
}
wait_until "the export" written
NUM_FILES=$(get data.num_files)
echo "export done: $NUM_FILES page(s), $(get data.total_rows) rows"
[ "$NUM_FILES" -ge 1 ] || fail "no pages were written"

step fetch "POST /v1/messages/fetch page 0 as json, utf8 and url"
v1 messages/fetch 200 "$(json_of campaign_id "$CAMPAIGN" file_num 0 export_type json)"
echo "json: $(get data | python3 -c 'import json, sys; print(len(json.load(sys.stdin)))') rows of page" \
  "$(get file_num) of $(get num_files), truncated: $(get truncated); the first: $(get data.0)"
v1 messages/fetch 200 "$(json_of campaign_id "$CAMPAIGN" file_num 0 export_type utf8)"
python3 -c 'import json, sys; sys.stdout.write(json.load(open(sys.argv[1], encoding="utf-8"))["data"])' \
  "$WORK/body" >"$WORK/page.csv"
echo "utf8: $(wc -l <"$WORK/page.csv" | tr -d ' ') lines of CSV, beginning:"
head -n 3 "$WORK/page.csv" | sed 's/^/  /'
v1 messages/fetch 200 "$(json_of campaign_id "$CAMPAIGN" file_num 0 export_type url)"
URL=$(get data)
echo "url: valid until $(get expires_at)"

step download "GET the url with curl (no other credentials): the page as a CSV file"
: >"$WORK/body"
STATUS=$(curl -sS -o "$WORK/download.csv" -D "$WORK/headers" -w '%{http_code}' "$URL") ||
  fail "curl could not download $URL"
[ "$STATUS" = 200 ] || fail "the url answered HTTP $STATUS, expected 200"
cmp -s "$WORK/download.csv" "$WORK/page.csv" || fail "the download differs from the utf8 page"
echo "downloaded $(wc -c <"$WORK/download.csv" | tr -d ' ') bytes, the same as the utf8 page;" \
  "$(grep -i '^content-type:' "$WORK/headers" | tr -d '\r')"

STEP=done
cat <<EOF

Every step worked: campaign $CAMPAIGN is published in $NUM_FILES page(s) (its stage is now
Published; new messages make it Ready to Publish again, and a publish then writes a new version).
Staff see the export job, its pages to download, and the company's monthly usage in the admin:
  $BASE/admin/messaging/messageexport/
EOF
