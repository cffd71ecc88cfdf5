# The real worker and beat of tests/integration, for generation's worker tests.
from tests.integration.conftest import celery_beat_process, celery_worker_process  # noqa: F401 (fixtures)
