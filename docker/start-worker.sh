#!/bin/sh
# The worker role: a Celery worker serving every queue, or only those CELERY_WORKER_QUEUES names
# (comma-separated full names: "pdf", or "imports,exports"), to give heavy work workers of its own.
exec celery -A config worker --loglevel "${LOG_LEVEL:-INFO}" --concurrency "${WORKER_CONCURRENCY:-2}" \
    ${CELERY_WORKER_QUEUES:+--queues "$CELERY_WORKER_QUEUES"}
