from celery import shared_task

from accounts import idempotency, services


@shared_task(acks_late=True)
def purge_expired_refresh_tokens() -> int:
    return services.purge_expired_refresh_tokens()


@shared_task(acks_late=True)
def close_expired_api_logging_windows() -> int:
    return services.api_logging_close_expired()


@shared_task(acks_late=True)
def purge_old_api_log_entries() -> int:
    return services.api_log_purge()


@shared_task(acks_late=True)
def purge_expired_idempotency_keys() -> int:
    return idempotency.idempotency_keys_purge_expired()
