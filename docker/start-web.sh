#!/bin/sh
# The web role: gunicorn with WEB_CONCURRENCY processes. Scale out with more containers behind the
# proxy; nothing is kept in a process between requests.
exec gunicorn config.wsgi --bind "${HOST:-0.0.0.0}:${PORT:-8000}" --workers "${WEB_CONCURRENCY:-3}" \
    --timeout "${WEB_TIMEOUT_SECONDS:-30}" --worker-tmp-dir /dev/shm --access-logfile -
