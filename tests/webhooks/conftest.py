from tests.integration.conftest import celery_beat_process, celery_worker_process  # noqa: F401 (fixtures)
from tests.webhooks.receiver import receiver  # noqa: F401 (a fixture)
