#!/bin/sh
exec celery -A config beat --loglevel ${LOG_LEVEL:-INFO} --schedule /tmp/celerybeat-schedule
