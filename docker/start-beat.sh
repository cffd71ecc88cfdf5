#!/bin/sh
# The beat role: sends the periodic tasks (settings' CELERY_BEAT_SCHEDULE). Run exactly one per
# deployment: a second would send each periodic task twice.
exec celery -A config beat --loglevel "${LOG_LEVEL:-INFO}" --schedule "${BEAT_SCHEDULE_FILE:-/tmp/celerybeat-schedule}"
