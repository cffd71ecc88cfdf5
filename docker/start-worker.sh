#!/bin/sh
# The worker role: a Celery worker serving every queue, or only those CELERY_WORKER_QUEUES names
# (comma-separated full names: "pdf", or "imports,exports"), to give heavy work workers of its own.
# /metrics adds up this container's processes' numbers (config.metrics): a fresh directory each start.
export PROMETHEUS_MULTIPROC_DIR="${PROMETHEUS_MULTIPROC_DIR:-/tmp/postroom-metrics}"
rm -rf "$PROMETHEUS_MULTIPROC_DIR" && mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
exec celery -A config worker --loglevel "${LOG_LEVEL:-INFO}" --concurrency "${WORKER_CONCURRENCY:-2}" \
    ${CELERY_WORKER_QUEUES:+--queues "$CELERY_WORKER_QUEUES"}
