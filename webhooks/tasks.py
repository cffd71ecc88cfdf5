"""Background work of webhooks: thin tasks that take ids and call the delivery code or a service."""

from celery import shared_task

from webhooks import delivery, services


@shared_task(acks_late=True)
def deliver_endpoint(endpoint_id: str) -> dict:
    """Send an endpoint's due deliveries; queues itself again if its time ran out first. Safe to
    run twice at once (each claims other deliveries) or again after a worker died (the dead one's
    deliveries are taken again once their lease runs out)."""
    done = delivery.deliver_endpoint(endpoint_id)
    if done.more:
        deliver_endpoint.delay(str(endpoint_id))
    return {"attempted": done.attempted, "succeeded": done.succeeded, "failed": done.failed}


@shared_task(acks_late=True)
def deliver_due_webhooks() -> int:
    """The beat: endpoints failing for too long switched off, then one deliver_endpoint per
    endpoint with a delivery due (retries, and deliveries whose first send was lost with a worker
    or a broker)."""
    delivery.disable_failing_endpoints()
    endpoint_ids = delivery.due_endpoint_ids()
    for endpoint_id in endpoint_ids:
        deliver_endpoint.delay(str(endpoint_id))
    return len(endpoint_ids)


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def endpoint_disabled_email_send(endpoint_id: str) -> int:
    return services.endpoint_disabled_email_send(endpoint_id=endpoint_id)
