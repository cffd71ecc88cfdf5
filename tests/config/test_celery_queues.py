"""Celery at scale: every task of ours has a queue and time limits (settings TASK_ROUTES and
TASK_FAMILIES, applied by config.celery), one beat schedule, one task at a time per process."""

import pytest
from django.conf import settings

from config.celery import app, route_task

app.loader.import_default_modules()  # autodiscovery, as a worker does at start
OURS = sorted(name for name in app.tasks if not name.startswith("celery."))


def test_our_tasks_are_found():
    assert "recipients.tasks.run_import" in OURS and len(OURS) >= 19


@pytest.mark.parametrize("name", OURS)
def test_every_task_has_a_named_queue_and_time_limits(name):
    queue, soft, hard = settings.TASK_FAMILIES[settings.TASK_ROUTES[name]]
    assert route_task(name, (), {}, {}) == {"queue": queue}
    assert queue in settings.TASK_QUEUES
    task = app.tasks[name]
    assert (task.soft_time_limit, task.time_limit) == (soft, hard)
    assert 0 < soft < hard < settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]


def test_every_route_names_a_task_and_every_family_is_used():
    assert set(settings.TASK_ROUTES) == set(OURS)
    assert set(settings.TASK_ROUTES.values()) == set(settings.TASK_FAMILIES)


def test_heavy_work_has_queues_of_its_own():
    queue_of = {name: settings.TASK_FAMILIES[family][0] for name, family in settings.TASK_ROUTES.items()}
    assert queue_of["recipients.tasks.run_import"] == "imports"
    assert (
        queue_of["campaigns.tasks.write_print_files"]
        == queue_of["campaigns.tasks.dispatch_campaign"]
        == "pdf"
    )
    assert queue_of["campaigns.tasks.render_campaign_preview"] == "pdf"
    assert (
        queue_of["messaging.tasks.occurrence_generate"]
        == queue_of["messaging.tasks.messages_deliver"]
        == "messages"
    )
    assert queue_of["messaging.tasks.message_export_run"] == "exports"
    assert set(queue_of.values()) == set(settings.TASK_QUEUES)


def test_a_queue_given_when_sending_wins_and_the_prefix_names_every_queue(settings):
    settings.CELERY_QUEUE_PREFIX = "staging-"
    assert route_task("recipients.tasks.run_import", (), {}, {}) == {"queue": "staging-imports"}
    assert (
        app.amqp.router.route({"queue": "elsewhere"}, "recipients.tasks.run_import", (), {})["queue"].name
        == "elsewhere"
    )


def test_celerys_own_tasks_go_to_the_default_queue():
    assert route_task("celery.chord_unlock", (), {}, {}) is None
    assert app.amqp.router.route({}, "celery.chord_unlock", (), {})["queue"].name == "default"


def test_a_worker_without_queues_serves_them_all():
    assert list(app.conf.task_queues) == list(settings.TASK_QUEUES)


def test_one_task_at_a_time_acknowledged_when_done():
    assert app.conf.worker_prefetch_multiplier == 1
    assert app.conf.task_acks_late is True and app.conf.task_reject_on_worker_lost is True
    assert all(app.tasks[name].acks_late for name in OURS)


def test_the_beat_schedule_sends_only_routed_tasks():
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled <= set(settings.TASK_ROUTES)
    assert len(scheduled) == len(settings.CELERY_BEAT_SCHEDULE)  # each periodic task once
