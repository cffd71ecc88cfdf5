#!/bin/sh
exec celery -A config worker --loglevel ${LOG_LEVEL:-INFO} --concurrency ${WORKER_CONCURRENCY:-2}
