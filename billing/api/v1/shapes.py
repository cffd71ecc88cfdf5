"""Platform API shapes of billing's orders (provisional bookings), in the casing of its cost
details (campaigns.api.v1.shapes.cost_details); shown in webhook events."""

from config.api.webhook_shapes import rendered_all


def _stamp(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


def order_details(order) -> dict:
    """An order: its number (the schedule answer's `orderId`), the campaign it books, its status
    (PENDING, APPROVED: paid, REJECTED: released) and what its invoice asks."""
    return {
        "orderId": order.number,
        "campaignId": order.reference,
        "status": order.status,
        "currencyCode": order.currency,
        "costPerRecipient": order.unit_price,
        "totalRecipients": order.quantity,
        "subtotal": order.subtotal,
        "discountAmount": order.discount,
        "vatRate": order.vat_rate,
        "vatAmount": order.vat,
        "totalCost": order.total,
        "scheduledDate": f"{order.send_date.isoformat()}T00:00:00" if order.send_date else None,
        "createdDate": _stamp(order.created_at),
        "decidedDate": _stamp(order.decided_at),
        "reason": order.reason or None,
    }


# Orders in webhook events (registered from billing.apps).
WEBHOOK_SHAPES = rendered_all({"order": order_details})
