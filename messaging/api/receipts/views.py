"""POST /messaging/receipts/: a gateway's delivery receipts, signed with the shared secret
MESSAGING_RECEIPT_SECRET (HMAC-SHA256 of the raw body, hex, in `X-Postroom-Signature` as
`sha256=<hex>`). No secret configured: every receipt is refused."""

import hashlib
import hmac
import json

from django.conf import settings
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from config.errors import InvalidInput
from messaging.services import receipts

MAX_BODY_BYTES = 1024 * 1024
SIGNATURE_HEADER = "HTTP_X_POSTROOM_SIGNATURE"


def signature_of(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _signed(request, body: bytes) -> bool:
    secret = settings.MESSAGING_RECEIPT_SECRET
    given = request.META.get(SIGNATURE_HEADER, "")
    return bool(secret) and hmac.compare_digest(given.encode(), signature_of(body, secret).encode())


@csrf_exempt
@require_POST
def receipts_view(request):
    declared = request.META.get("CONTENT_LENGTH") or "0"
    if not declared.isdigit() or int(declared) > MAX_BODY_BYTES:
        return JsonResponse({"error": "body too large"}, status=413)
    body = request.body
    if not _signed(request, body):
        return JsonResponse({"error": "invalid signature"}, status=403)
    try:
        data = json.loads(body)
        changed = receipts.receipts_apply(receipts.receipts_of(data))
    except (ValueError, RecursionError):
        return JsonResponse({"error": "body is not JSON"}, status=400)
    except InvalidInput:
        return JsonResponse(
            {"error": "receipts are {message_key, status: delivered|failed, error}"}, status=400
        )
    return JsonResponse({"applied": changed})
