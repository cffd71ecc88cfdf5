"""`Idempotency-Key` on every POST, PUT, PATCH and DELETE of every API surface: the HTTP side of
accounts/idempotency.py, mixed into each surface's base view.

A surface's `initial()` ends with `claim_idempotency_key(request)`, once its authenticator has set
the principal (and its permissions, rate limits and path checks have passed: a request they refuse
claims nothing). Unauthenticated requests (logins, signed links) take no key. The claim's refusals
are domain errors, so each surface words them in its own envelope; a repeat of a finished request
is answered here with the stored status, headers and body, plus `Idempotent-Replayed: true`.
When the view has answered, its response is stored, or, for a 5xx, the claim is given up so that
the key may be retried.
"""

from django.http import HttpResponse

from accounts import idempotency
from accounts.errors import IdempotencyKeyInUse
from accounts.principal import Principal

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# What a client reads of an answer besides its status and body.
KEPT_HEADERS = ("Content-Type", "Location", "Content-Disposition", "Cache-Control", "Link", "Retry-After")


class _Replay(Exception):
    """Not an error: the way out of initial() with the stored answer."""

    def __init__(self, stored: idempotency.StoredResponse):
        super().__init__()
        self.stored = stored


class IdempotentWrites:
    """For a surface's base APIView (before APIView in its bases)."""

    takes_idempotency_key = True  # the OpenAPI schema documents the header where this holds
    _idempotency_claim: int | None = None

    def claim_idempotency_key(self, request) -> None:
        key = request.headers.get(HEADER)
        principal = request.auth
        if key is None or request.method not in WRITE_METHODS or not isinstance(principal, Principal):
            return
        fingerprint = idempotency.request_fingerprint(request.method, request.get_full_path(), request.body)
        outcome = idempotency.idempotency_claim(
            company=principal.company,
            credential_kind=principal.credential_kind,
            key=key,
            fingerprint=fingerprint,
        )
        if isinstance(outcome, idempotency.StoredResponse):
            raise _Replay(outcome)
        self._idempotency_claim = outcome

    def handle_exception(self, exc):
        if isinstance(exc, _Replay):
            return _replayed(exc.stored)
        response = super().handle_exception(exc)
        if isinstance(exc, IdempotencyKeyInUse):
            response["Retry-After"] = str(exc.params["retry_after"])
        return response

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        claim, self._idempotency_claim = self._idempotency_claim, None
        if claim is not None:
            _settle(claim, response)
        return response


def _settle(claim: int, response) -> None:
    if response.status_code >= 500 or response.streaming:
        idempotency.idempotency_release(claim_id=claim)
        return
    if hasattr(response, "render"):
        response.render()  # DRF renders after the view returns; the stored body is what is sent
    headers = {name: response[name] for name in KEPT_HEADERS if response.has_header(name)}
    stored = idempotency.StoredResponse(response.status_code, headers, response.content)
    idempotency.idempotency_complete(claim_id=claim, response=stored)


def _replayed(stored: idempotency.StoredResponse) -> HttpResponse:
    response = HttpResponse(stored.body, status=stored.status, headers=stored.headers)
    response[REPLAYED_HEADER] = "true"
    return response
