#!/usr/bin/env bash
# A message campaign through the services API, as an integrator runs it: a token, an SMS
# campaign to a group that fires now, and its firing and messages watched until every message
# has left:
#
#   BASE=http://127.0.0.1:8000 CLIENT_ID=... CLIENT_SECRET=... SERVICE=... GROUP=... examples/messages.sh
#
# `make run` prints this line filled in (or take oauth_client_id, oauth_client_secret,
# service_uuid and default_group_id from `.venv/bin/python manage.py demo --json`). Needs only
# curl and python3. Each step says what it did; the script exits 0 when every step worked, else
# names the failing step, shows the response and exits 1. POLL_SECONDS (default 60) bounds the
# wait for the worker.
set -euo pipefail

: "${BASE:?set BASE, e.g. BASE=http://127.0.0.1:8000}"
: "${CLIENT_ID:?set CLIENT_ID to an OAuth client id (make run prints one)}"
: "${CLIENT_SECRET:?set CLIENT_SECRET to its secret (make run prints it)}"
: "${SERVICE:?set SERVICE to a workspace id, the services API serviceUuid (make run prints one)}"
: "${GROUP:?set GROUP to a recipient group id (make run prints the default group)}"
BASE=${BASE%/}
export GROUP
POLL_SECONDS=${POLL_SECONDS:-60}
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"

# call METHOD PATH EXPECTED_STATUS [curl arguments...]: a request (examples/lib.sh) whose
# status other than EXPECTED_STATUS fails the step.
call() {
  local method=$1 path=$2 expected=$3
  shift 3
  request "$method" "$path" "$@"
  [ "$STATUS" = "$expected" ] || fail "$method $path answered HTTP $STATUS, expected $expected"
}

step token "POST /oauth/token/ with the client id and secret (client credentials): a bearer token for an hour"
call POST /oauth/token/ 200 -u "$CLIENT_ID:$CLIENT_SECRET" -d grant_type=client_credentials
TOKEN=$(get access_token)
[ -n "$TOKEN" ] || fail "no access_token in the answer"
echo "token type $(get token_type), expires in $(get expires_in)s"

CAMPAIGNS=/services/$SERVICE/campaigns
step campaign "POST $CAMPAIGNS: an SMS to group $GROUP, schedule_type now, status active"
python3 - "$WORK/campaign.json" <<'PY'
import json, os, sys
json.dump({
    "name": "Messages walkthrough " + os.environ["RUN"],
    "status": "active",
    "sending_type": "sms",
    "schedule_type": "now",
    "template": "Hello {first_name}, our spring sale starts today.",
    "sender": "Postroom",
    "recipient_lists": os.environ["GROUP"],
}, open(sys.argv[1], "w", encoding="utf-8"))
PY
call POST "$CAMPAIGNS" 201 -H "Content-Type: application/json" --data-binary "@$WORK/campaign.json"
CAMPAIGN=$(get data.uuid)
echo "campaign $CAMPAIGN: $(get data.status), next firing $(get data.next_dt)"

step watch "GET $CAMPAIGNS/$CAMPAIGN?fields=tasks,messages until every message has left"
all_sent() {
  call GET "$CAMPAIGNS/$CAMPAIGN?fields=tasks,messages" 200
  local task queued total
  task=$(get data.tasks.0.status)
  queued=$(get data.messages.queued)
  total=$(get data.messages.total)
  echo "  campaign $(get data.status); firing ${task:-not yet}: $(get data.tasks.0.targeted) targeted," \
    "$(get data.tasks.0.generated) generated; messages: $queued queued, $(get data.messages.sent) sent," \
    "$(get data.messages.delivered) delivered, $(get data.messages.failed) failed"
  case $task in
    failed) fail "the firing failed" ;;
    generated) [ "${total:-0}" -gt 0 ] && [ "$queued" = 0 ] ;;
    *) return 1 ;;
  esac
}
wait_until "the messages" all_sent
[ "$(get data.status)" = finished ] || fail "status $(get data.status), expected finished"
SENT=$(get data.messages.sent)
[ "${SENT:-0}" -gt 0 ] || fail "no message was sent"

STEP=done
cat <<EOF

Every step worked: the campaign fired once (schedule_type now) and finished; $SENT messages left.
Where they went:
- With no gateway set (make run's embedded default), the console backend sent them: the worker
  logs each one as "message sent to the console", with its message_key, address and body.
  MESSAGING_GATEWAY_URL (an HTTP gateway) sends them for real ("Message delivery" in
  docs/OPERATIONS.md).
- Staff see the campaign, its firing and its messages in the admin:
  $BASE/admin/messaging/messagecampaign/$CAMPAIGN/change/
  $BASE/admin/messaging/message/?campaign_id=$CAMPAIGN
EOF
