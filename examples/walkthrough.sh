#!/usr/bin/env bash
# A first API session, from login to a scheduled print campaign, as an integrator runs it:
#
#   BASE=http://127.0.0.1:8000 KEY=sk_live_... examples/walkthrough.sh
#
# KEY is the API key `make run` prints (or `.venv/bin/python manage.py demo --json`). Needs only
# curl and python3 (its standard library reads the JSON). Each step says what it did; the script
# exits 0 when every step worked, else names the failing step, shows the response and exits 1.
# VOUCHER (default SAVE20, which `manage.py demo` creates) is applied before scheduling; set
# VOUCHER= to skip that step. POLL_SECONDS (default 60) bounds each wait for the worker.
set -euo pipefail

: "${BASE:?set BASE, e.g. BASE=http://127.0.0.1:8000}"
: "${KEY:?set KEY to an API key (make run prints one)}"
BASE=${BASE%/}
export KEY
VOUCHER=${VOUCHER-SAVE20}
POLL_SECONDS=${POLL_SECONDS:-60}
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"

# call METHOD PATH EXPECTED_STATUS [curl arguments...]: a request that must answer
# EXPECTED_STATUS with the envelope's success true and (for JSON) data that is not null: the
# platform API answers some refusals 200 with a message and data null.
call() {
  local method=$1 path=$2 expected=$3
  shift 3
  request "$method" "$path" "$@"
  [ "$STATUS" = "$expected" ] || fail "$method $path answered HTTP $STATUS, expected $expected"
  envelope_ok || fail "$method $path: $(get message)"
}

envelope_ok() {
  python3 - "$WORK/body" <<'PY'
import json, sys
try:
    body = json.load(open(sys.argv[1], encoding="utf-8"))
except ValueError:
    sys.exit(1)
sys.exit(0 if body.get("success") is True and body.get("data") is not None else 1)
PY
}

# json_body OUT PYTHON: writes the JSON that the Python expression builds (given `read`, which
# reads a file of examples/ as Base64, and `env`) to OUT.
json_body() {
  EXAMPLES="$HERE" python3 - "$1" "$2" <<'PY'
import base64, json, os, sys
env = os.environ
def read(name):
    with open(os.path.join(env["EXAMPLES"], name), "rb") as f:
        return base64.b64encode(f.read()).decode()
with open(sys.argv[1], "w", encoding="utf-8") as out:
    json.dump(eval(sys.argv[2]), out)
PY
}

JSON=(-H "Content-Type: application/json")

step login "POST /api/v1/account/login with the API key: an access token (15 min) and a refresh token (7 days)"
json_body "$WORK/login.json" '{"ApiKey": env["KEY"]}'
call POST /api/v1/account/login 200 "${JSON[@]}" --data-binary "@$WORK/login.json"
TOKEN=$(get data.token)
echo "logged in; the access token expires at $(get data.expiry)"

step balance "POST /api/v1/account/balance"
call POST /api/v1/account/balance 200
echo "balance: $(get data.Balance) $(get data.CurrencyCode)"

step recipient "POST /api/v1/recipients: one recipient, into the company's default group"
json_body "$WORK/recipient.json" '{"title": "Ms", "firstName": "Ada", "lastName": "Lovelace",
  "address1": "12 St James Square", "city": "London", "postcode": "sw1y 4jh",
  "customFields": {"MemberId": "W0001"}}'
call POST /api/v1/recipients 200 "${JSON[@]}" --data-binary "@$WORK/recipient.json"
echo "recipient $(get data.recipientId) created"

export GROUP_NAME="Walkthrough $RUN"
step import "POST /api/v1/recipients/import: examples/people.csv (Base64) into a new group '$GROUP_NAME'"
json_body "$WORK/import.json" '{"groupName": env["GROUP_NAME"], "fileName": "people.csv",
  "fileData": read("people.csv"), "mappings": [
    {"sourceHeader": "First Name", "destinationField": "FirstName", "mappingType": "standard"},
    {"sourceHeader": "Last Name", "destinationField": "LastName", "mappingType": "standard"},
    {"sourceHeader": "Street", "destinationField": "Address1", "mappingType": "standard"},
    {"sourceHeader": "Town", "destinationField": "City", "mappingType": "standard"},
    {"sourceHeader": "Post Code", "destinationField": "Postcode", "mappingType": "standard"},
    {"sourceHeader": "MemberId", "destinationField": "MemberId", "mappingType": "custom"}]}'
call POST /api/v1/recipients/import 202 "${JSON[@]}" --data-binary "@$WORK/import.json"
JOB=$(get data.jobId)
echo "accepted: job $JOB ($(get data.message))"

step import-status "GET /api/v1/recipients/import/$JOB until the worker has run it"
import_finished() {
  call GET "/api/v1/recipients/import/$JOB" 200
  local status
  status=$(get data.status)
  echo "  $status: $(get data.rowsRead) rows read, $(get data.imported) imported," \
    "$(get data.failed) left out, $(get data.percent)%"
  case $status in
    ready) return 0 ;;
    failed) fail "the import failed: $(get data.failureReason)" ;;
    *) return 1 ;;
  esac
}
wait_until "the import" import_finished
GROUP_ID=$(get data.groupId)
export GROUP_ID
python3 - "$WORK/body" <<'PY'
import json, sys
for warning in json.load(open(sys.argv[1]))["data"]["warnings"]:
    print("  warning:", warning)
PY
request GET "/api/v1/groups/$GROUP_ID/import-errors"
[ "$STATUS" = 200 ] || fail "GET /api/v1/groups/$GROUP_ID/import-errors answered HTTP $STATUS"
echo "  rows left out (GET /api/v1/groups/$GROUP_ID/import-errors):"
tail -n +2 "$WORK/body" | sed 's/^/    row /'

export FOLDER="Walkthrough $RUN"
step library "POST /api/v1/files/folders and /api/v1/files/upload: examples/brochure.pdf into Home/$FOLDER"
json_body "$WORK/folder.json" '{"name": env["FOLDER"], "parentPath": "Home"}'
call POST /api/v1/files/folders 200 "${JSON[@]}" --data-binary "@$WORK/folder.json"
call POST /api/v1/files/upload 200 -F "File=@$HERE/brochure.pdf;type=application/pdf" -F "FolderPath=Home/$FOLDER"
echo "uploaded $(get data.FileName) to $(get data.FolderPath)"

step templates "GET /api/v1/template: designs for an A4 letter in a C5 window envelope"
call GET "/api/v1/template?pageSize=A4%20Letter&windowGummedCode=C5WIN" 200
echo "$(get data.total) template(s) available; this walkthrough sends its own PDF instead"

step campaign "POST /api/v1/campaigns: a letter from examples/brochure.pdf (Base64) to group '$GROUP_NAME'"
json_body "$WORK/campaign.json" '{"campaign": {"name": "Walkthrough " + env["RUN"],
    "pageSize": "A4 Letter", "pageOrientation": "Portrait", "windowGummedCode": "C5WIN",
    "stockWeightCode": "100UNCOAT", "mailClassCode": "First", "isDuplex": False,
    "isAdmail": False, "isConfidential": False, "defaultRecipientName": "Customer",
    "recipients": {"type": "group", "id": env["GROUP_ID"]}},
  "pdf": {"fileBase64": read("brochure.pdf"), "originalName": "brochure.pdf", "fileName": "brochure.pdf"},
  "templateName": "Walkthrough brochure " + env["RUN"]}'
call POST /api/v1/campaigns 200 "${JSON[@]}" --data-binary "@$WORK/campaign.json"
CAMPAIGN=$(get data.campaignId)
echo "campaign $CAMPAIGN created with template $(get data.templateId); status $(get data.status)"

step preview "GET /api/v1/campaigns/$CAMPAIGN/preview until the worker has rendered it"
preview_ready() {
  request GET "/api/v1/campaigns/$CAMPAIGN/preview"
  case $STATUS in
    200) return 0 ;;
    404) return 1 ;; # not rendered yet
    *) fail "GET /api/v1/campaigns/$CAMPAIGN/preview answered HTTP $STATUS" ;;
  esac
}
wait_until "the preview" preview_ready
[ "$(head -c 5 "$WORK/body")" = "%PDF-" ] || fail "the preview is not a PDF"
cp "$WORK/body" "$WORK/preview.pdf"
echo "preview: a PDF of $(wc -c <"$WORK/preview.pdf") bytes (the design with the first recipient's address)"

step approve "POST /api/v1/campaigns/approve: the recipient list is frozen"
call POST "/api/v1/campaigns/approve?campaignId=$CAMPAIGN" 200
echo "status: $(get data.currentStatus)"

show_cost() {
  echo "  $(get data.totalRecipients) letters x $(get data.costPerRecipient) = $(get data.subtotal)," \
    "discount $(get data.discountAmount), VAT $(get data.vatAmount), total $(get data.totalCost) $(get data.currencyCode)"
}

step cost "POST /api/v1/campaigns/cost"
call POST "/api/v1/campaigns/cost?campaignId=$CAMPAIGN" 200
show_cost

if [ -n "$VOUCHER" ]; then
  step voucher "POST /api/v1/campaigns/voucher: apply $VOUCHER"
  call POST "/api/v1/campaigns/voucher?campaignId=$CAMPAIGN&VoucherAction=apply&VoucherCode=$VOUCHER" 200
  show_cost
fi

step available-dates "POST /api/v1/campaigns/availableDates (default: today to 30 days on)"
call POST /api/v1/campaigns/availableDates 200
SEND_DATE=$(get data.0)
[ -n "$SEND_DATE" ] || fail "no dispatch date available in the next 30 days"
echo "next dispatch days: $(get data | python3 -c 'import json, sys; print(", ".join(json.load(sys.stdin)[:5]))')"

step schedule "POST /api/v1/campaigns/schedule on $SEND_DATE, paid from the balance"
call POST "/api/v1/campaigns/schedule?campaignId=$CAMPAIGN&send_date=$SEND_DATE&next_available_date=true&use_balance=true" 200
[ "$(get data.paymentStatus)" = ACCEPTED ] || fail "payment status $(get data.paymentStatus)"
echo "$(get message)"

step status "POST /api/v1/campaigns/statusDetails"
call POST "/api/v1/campaigns/statusDetails?campaignId=$CAMPAIGN" 200
[ "$(get data.currentStatus)" = Scheduled ] || fail "status $(get data.currentStatus), expected Scheduled"
python3 - "$WORK/body" <<'PY'
import json, sys
for change in json.load(open(sys.argv[1]))["data"]["statusHistories"]:
    print(f"  {change['date']}  {change['status']}" + (f"  ({change['note']})" if change["note"] else ""))
PY
call POST /api/v1/account/balance 200
echo "balance now: $(get data.Balance) $(get data.CurrencyCode)"

STEP=done
cat <<EOF

Every step worked. What happens next, without you:
- On $SEND_DATE the worker's dispatch beat (every DISPATCH_BEAT_MINUTES, 15) moves the campaign
  to Printing and writes its print-ready files: PDFs of at most CAMPAIGN_PRINT_CHUNK_LETTERS
  letters and manifest.csv, in storage under
  companies/<company id>/campaigns/$CAMPAIGN/print/<attempt>/
  (var/media/ with the embedded defaults); then it records Dispatched with the estimated
  delivery date. Follow it with POST /api/v1/campaigns/statusDetails?campaignId=$CAMPAIGN.
- Staff see the campaign, its print run and download links for the files in the admin:
  $BASE/admin/campaigns/campaign/$CAMPAIGN/change/
EOF
