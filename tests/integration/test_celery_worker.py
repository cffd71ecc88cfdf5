from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import ApiSession, IssuedRefreshToken
from accounts.tasks import purge_expired_refresh_tokens
from tests.integration.conftest import needs_real_worker, wait_until

pytestmark = [pytest.mark.worker, needs_real_worker, pytest.mark.django_db(transaction=True)]


def test_a_real_worker_runs_a_task_and_its_result_lands_in_the_database(
    celery_worker_process, api_user, api_key, tokens
):
    # given: one expired and one live refresh-token record
    session = ApiSession.objects.get(user=api_user)
    now = timezone.now()
    IssuedRefreshToken.objects.create(jti="expired-one", session=session, expires_at=now - timedelta(days=1))
    live = IssuedRefreshToken.objects.exclude(jti="expired-one").get()
    worker = celery_worker_process()

    # when: the housekeeping task goes through Redis (its route: the default queue) to the worker
    purge_expired_refresh_tokens.delay()

    # then
    wait_until(
        lambda: not IssuedRefreshToken.objects.filter(jti="expired-one").exists(),
        describe=worker.log,
    )
    assert list(IssuedRefreshToken.objects.values_list("jti", flat=True)) == [live.jti]
