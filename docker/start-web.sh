#!/bin/sh
# The web role: gunicorn with WEB_CONCURRENCY processes. Scale out with more containers behind the
# proxy; nothing is kept in a process between requests.
# /metrics adds up this container's processes' numbers (config.metrics): a fresh directory each start.
export PROMETHEUS_MULTIPROC_DIR="${PROMETHEUS_MULTIPROC_DIR:-/tmp/postroom-metrics}"
rm -rf "$PROMETHEUS_MULTIPROC_DIR" && mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
exec gunicorn config.wsgi --bind "${HOST:-0.0.0.0}:${PORT:-8000}" --workers "${WEB_CONCURRENCY:-3}" \
    --timeout "${WEB_TIMEOUT_SECONDS:-30}" --worker-tmp-dir /dev/shm --access-logfile -
