# Sourced by the walkthrough scripts (examples/walkthrough.sh, messages.sh, campaign-v2.sh,
# export.sh): a scratch directory, names unique per run, steps, failing with the step and the last
# response, one HTTP request helper that sends the bearer token once there is one, a JSON reader,
# and a wait for the worker.
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export RUN=$(date +%Y%m%d-%H%M%S)-$$ # names made here are unique per run
STEP=start
TOKEN=
STATUS=

fail() {
  echo "FAILED at step '$STEP': $*" >&2
  if [ -s "$WORK/body" ]; then
    echo "response body:" >&2
    head -c 3000 "$WORK/body" >&2
    echo >&2
  fi
  exit 1
}
trap 'fail "command failed at line $LINENO"' ERR

step() {
  STEP=$1
  printf '\n== %s: %s\n' "$1" "$2"
}

# request METHOD PATH [curl arguments...]: the response body goes to $WORK/body, its status
# to $STATUS. Bearer token when there is one.
request() {
  local method=$1 path=$2
  shift 2
  local auth=()
  if [ -n "$TOKEN" ]; then auth=(-H "Authorization: Bearer $TOKEN"); fi
  : >"$WORK/body"
  STATUS=$(curl -sS -o "$WORK/body" -w '%{http_code}' -X "$method" ${auth[@]+"${auth[@]}"} "$@" "$BASE$path") ||
    fail "curl could not complete $method $BASE$path"
}

# get PATH: a value of the JSON response body by a dotted path (data.items.0.id); JSON for
# objects and lists, text for the rest, empty for null or missing.
get() {
  python3 - "$WORK/body" "$1" <<'PY'
import json, sys
try:
    value = json.load(open(sys.argv[1], encoding="utf-8"))
except ValueError:  # not JSON (a file, an HTML error page)
    value = None
for key in filter(None, sys.argv[2].split(".")):
    if isinstance(value, list):
        value = value[int(key)] if key.isdigit() and int(key) < len(value) else None
    elif isinstance(value, dict):
        value = value.get(key)
    else:
        value = None
if value is None:
    print("")
elif isinstance(value, (dict, list, bool)):
    print(json.dumps(value))
else:
    print(value)
PY
}

# wait_until DESCRIPTION COMMAND...: runs COMMAND every second until it succeeds, or fails
# the step after POLL_SECONDS.
wait_until() {
  local what=$1
  shift
  local deadline=$((SECONDS + POLL_SECONDS))
  until "$@"; do
    [ $SECONDS -lt $deadline ] || fail "gave up after ${POLL_SECONDS}s waiting for $what"
    sleep 1
  done
}
