#!/bin/sh
# The image's entrypoint: entrypoint.sh <start script> [arguments]. Checks the settings and waits
# for the database (config.preflight: one line naming the setting, and exit 1, when either is
# wrong); before the web role it also applies the migrations, under a PostgreSQL advisory lock so
# that of several web replicas starting together one migrates and the others wait for it.
set -eu
case "$(basename "${1:-}")" in
    start-web.sh) python -m config.preflight --migrate ;;
    *) python -m config.preflight ;;
esac
exec "$@"
