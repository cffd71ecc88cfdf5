#!/bin/sh
# Waits for the database, then runs the given process (web, worker or beat).
set -e
python - <<'PY'
import os, time, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()
from django.db import connection
for attempt in range(60):
    try:
        connection.ensure_connection()
        break
    except Exception:
        time.sleep(1)
else:
    raise SystemExit("database not reachable")
PY
exec "$@"
