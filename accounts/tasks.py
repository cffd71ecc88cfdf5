from celery import shared_task

from accounts import services


@shared_task(acks_late=True)
def purge_expired_refresh_tokens() -> int:
    return services.purge_expired_refresh_tokens()
