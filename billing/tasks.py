from celery import shared_task

from billing import services
from billing.models import Order


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def invoice_email_send_task(order_id: int) -> int:
    """Email a provisional booking's invoice. Safe to retry: an invoice already sent is not
    sent again."""
    order = Order.unscoped.filter(pk=order_id).first()
    if order is None:
        return 0
    return services.invoice_email_send(order=order)
