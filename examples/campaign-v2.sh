#!/usr/bin/env bash
# A WhatsApp template campaign through campaign API v2, as an integrator runs it: a campaign to
# two clients from a message template that sends now, its messages watched until they have left;
# then a campaign scheduled for tomorrow, moved and renamed, and deleted:
#
#   BASE=http://127.0.0.1:8000 KEY=sk_live_... TEMPLATE=... examples/campaign-v2.sh
#
# KEY is the platform API key `make run` prints; TEMPLATE a message template's id (make run
# prints the demo's, or take v2_template_id from `.venv/bin/python manage.py demo --json`). Needs
# only curl and python3. Each step says what it did; the script exits 0 when every step worked,
# else names the failing step, shows the response and exits 1. POLL_SECONDS (default 60) bounds
# the wait for the worker.
set -euo pipefail

: "${BASE:?set BASE, e.g. BASE=http://127.0.0.1:8000}"
: "${KEY:?set KEY to an API key (make run prints one)}"
: "${TEMPLATE:?set TEMPLATE to a message template id (make run prints the demo one)}"
BASE=${BASE%/}
export TEMPLATE
POLL_SECONDS=${POLL_SECONDS:-60}
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"

# v2 METHOD PATH EXPECTED_STATUS [JSON body file]: a campaign API v2 request with the key.
v2() {
  local method=$1 path=$2 expected=$3 body=${4:-}
  local data=()
  if [ -n "$body" ]; then data=(-H "Content-Type: application/json" --data-binary "@$body"); fi
  request "$method" "/v2/campaign/$path" -H "X-API-Key: $KEY" ${data[@]+"${data[@]}"}
  [ "$STATUS" = "$expected" ] || fail "$method /v2/campaign/$path answered HTTP $STATUS, expected $expected"
}

# body FILE NAME [SENDAT]: a create request for two clients, from the template.
body() {
  python3 - "$1" "$2" "${3:-}" <<'PY'
import json, os, sys
request = {
    "name": sys.argv[2] + " " + os.environ["RUN"],
    "TempMsgID": os.environ["TEMPLATE"],
    "clients": [
        {"accountID": "+447700900101", "params": ["Olivia", "ORD-1001"]},
        {"accountID": "+447700900102", "params": ["Jack", "ORD-1002"]},
    ],
}
if sys.argv[3]:
    request["SendAt"] = sys.argv[3]
json.dump(request, open(sys.argv[1], "w", encoding="utf-8"))
PY
}

step create "POST /v2/campaign/create: the template to two clients with their params, sent now"
body "$WORK/now.json" "Order confirmations"
v2 POST create 200 "$WORK/now.json"
ID=$(get ID)
echo "campaign $ID: $(get Status), template $(get TemplateName) ($(get Lang)), message: $(get Message)"

step watch "GET /v2/campaign/getCampMsgs?campaignID=$ID until both messages have left"
left() {
  v2 GET "getCampMsgs?campaignID=$ID" 200
  python3 - "$WORK/body" <<'PY'
import json, sys
answer = json.load(open(sys.argv[1], encoding="utf-8"))
for message in answer["Messages"]:
    print(f"  {message['AccountID']}: {message['Status']} ({message['MessageKey']}) {message['Message']}")
settled = [m for m in answer["Messages"] if m["Status"] in ("sent", "delivered", "failed")]
sys.exit(0 if answer["Total"] == 2 and len(settled) == 2 else 1)
PY
}
deadline=$((SECONDS + POLL_SECONDS))
until left; do
  [ $SECONDS -lt $deadline ] || fail "gave up after ${POLL_SECONDS}s waiting for the messages"
  sleep 1
done
v2 GET "getAll?resultSize=1" 200
echo "campaign $(get Campaigns.0.ID): $(get Campaigns.0.Status); sent $(get Campaigns.0.SentCount)," \
  "failed $(get Campaigns.0.FailedCount) of $(get Campaigns.0.Total)"
[ "$(get Campaigns.0.Status)" = completed ] || fail "status $(get Campaigns.0.Status), expected completed"

step schedule "POST /v2/campaign/create with SendAt tomorrow, then PUT /v2/campaign/update: renamed, a day later"
TOMORROW=$(python3 -c 'import datetime as d; print((d.datetime.now(d.timezone.utc) + d.timedelta(days=1)).replace(microsecond=0).isoformat())')
LATER=$(python3 -c 'import datetime as d; print((d.datetime.now(d.timezone.utc) + d.timedelta(days=2)).replace(microsecond=0).isoformat())')
body "$WORK/later.json" "Reminders" "$TOMORROW"
v2 POST create 200 "$WORK/later.json"
LATER_ID=$(get ID)
echo "campaign $LATER_ID: $(get Status), sends at $(get SendAt)"
python3 -c 'import json, sys; json.dump({"id": int(sys.argv[2]), "name": "Reminders (moved)", "SendAt": sys.argv[3]}, open(sys.argv[1], "w"))' \
  "$WORK/update.json" "$LATER_ID" "$LATER"
v2 PUT update 200 "$WORK/update.json"
echo "campaign $LATER_ID: $(get Name), $(get Status), sends at $(get SendAt)"

step delete "DELETE /v2/campaign/delete: the scheduled campaign, never sent"
python3 -c 'import json, sys; json.dump({"id": int(sys.argv[2])}, open(sys.argv[1], "w"))' "$WORK/delete.json" "$LATER_ID"
v2 DELETE delete 200 "$WORK/delete.json"
echo "campaign $LATER_ID: $(get Status)"
[ "$(get Status)" = deleted ] || fail "status $(get Status), expected deleted"

STEP=done
cat <<EOF

Every step worked: campaign $ID sent each client its message (with no gateway set, as in make
run's embedded default, the worker logs each as "message sent to the console"); campaign
$LATER_ID was scheduled, moved and deleted before it sent anything.
Staff see client campaigns, their clients and counters in the admin:
  $BASE/admin/messaging/clientcampaign/$ID/change/
EOF
