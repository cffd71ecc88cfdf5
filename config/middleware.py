import contextlib
import re
import time
import uuid

from csp.middleware import CSPMiddleware
from django.conf import settings
from django.utils import timezone

from accounts import api_logging
from accounts.principal import SESSION, Principal
from config.client_address import client_ip
from config.logging import request_id_var
from config.metrics import request_observed

# A client may pass its own id (to correlate its logs with ours) if it is short and plain.
_WELL_FORMED_ID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")


class MetricsMiddleware:
    """Times every request for /metrics, by the view that answered, its method and status."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        request_observed(request, response.status_code, time.perf_counter() - started)
        return response


class RequestIdMiddleware:
    """Gives every request an id (X-Request-ID), shared by its log lines and its response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _WELL_FORMED_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = request_id_var.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = request_id
        return response


class ScopedCSPMiddleware(CSPMiddleware):
    """django-csp's Content-Security-Policy (settings.CONTENT_SECURITY_POLICY), on the pages a
    browser renders (settings.CSP_PATH_PREFIXES: the admin, the Swagger UI) and nowhere else: the
    API answers JSON to programs, which no policy protects."""

    def _scoped(self, request) -> bool:
        return request.path_info.startswith(tuple(settings.CSP_PATH_PREFIXES))

    def process_request(self, request):
        if self._scoped(request):
            super().process_request(request)

    def process_response(self, request, response):
        if not self._scoped(request):
            return response
        return super().process_response(request, response)


def log_as_company(request, company_id) -> None:
    """For views without a bearer token (login, refresh): name the company the call belongs to."""
    request = getattr(request, "_request", request)
    request.api_log_company_id = company_id


class _TeeStream:
    """Wraps the request body stream and keeps the first `limit` bytes the view reads."""

    def __init__(self, stream, limit: int):
        self.stream, self.limit = stream, limit
        self.head = bytearray()
        self.size = 0

    def _keep(self, chunk: bytes) -> bytes:
        self.size += len(chunk)
        room = self.limit - len(self.head)
        if room > 0:
            self.head += chunk[:room]
        return chunk

    def read(self, *args):
        return self._keep(self.stream.read(*args))

    def readline(self, *args):
        return self._keep(self.stream.readline(*args))

    def __getattr__(self, name):
        return getattr(self.stream, name)


class ApiLoggingMiddleware:
    """Records calls to the API surfaces of companies whose logging window is open. The request
    path only gathers references and appends them to the process's buffer (accounts.api_logging);
    redaction and the database write happen in the background. With no window open anywhere,
    a request pays for a prefix check and a dictionary lookup."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            not request.path.startswith(tuple(settings.API_LOG_PATH_PREFIXES))
            or not api_logging.any_logging()
        ):
            return self.get_response(request)
        started, requested_at = time.perf_counter(), timezone.now()
        tee = None
        stream = getattr(request, "_stream", None)
        if stream is not None:
            tee = request._stream = _TeeStream(stream, settings.API_LOG_CAPTURE_BYTES)
        response = self.get_response(request)
        duration_ms = (time.perf_counter() - started) * 1000
        try:
            self._record(request, response, tee, requested_at, duration_ms)
        except Exception:
            api_logging.logger.exception("could not capture an API call for logging")
        return response

    def _record(self, request, response, tee, requested_at, duration_ms) -> None:
        # The surface's authenticator made it; DRF copies request.auth onto the Django request.
        principal = request.__dict__.get("auth")
        if not isinstance(principal, Principal):
            principal = None
        company_id = principal.company_id if principal else getattr(request, "api_log_company_id", None)
        if company_id is None:
            company_id = _company_of_bearer(request)
        if not api_logging.is_logging(company_id, at=requested_at):
            return
        request_body, request_size = _request_body(request, tee)
        if response.streaming:
            response_body, response_size = b"", 0
        else:
            content = response.content
            response_size = len(content)
            limit = settings.API_LOG_CAPTURE_BYTES
            response_body = content if response_size <= limit else content[:limit]
        match = request.resolver_match
        session = principal is not None and principal.credential_kind == SESSION
        session_id = principal.credential_id if session else None
        api_logging.append(
            api_logging.RawCall(
                company_id=company_id,
                requested_at=requested_at,
                duration_ms=duration_ms,
                method=request.method,
                path=request.path,
                route=(match.view_name or match.route) if match else "",
                query_string=request.META.get("QUERY_STRING", ""),
                status_code=response.status_code,
                user_id=principal.user.pk if principal and principal.user else None,
                session_id=session_id,
                client_ip=client_ip(request) or None,
                request_id=getattr(request, "request_id", ""),
                request_headers=api_logging.header_pairs(request.headers),
                request_body=request_body,
                request_body_size=request_size,
                response_headers=api_logging.header_pairs(response.headers),
                response_body=response_body,
                response_body_size=response_size,
            )
        )


def _company_of_bearer(request):
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if not header.startswith("Bearer "):
        return None
    from config.api.jwt import company_of_token  # the API plumbing loads after the apps

    return company_of_token(header[7:].strip())


def _request_body(request, tee) -> tuple[bytes, int]:
    declared = request.META.get("CONTENT_LENGTH") or ""
    size = int(declared) if declared.isdigit() else 0
    if tee is None:
        return b"", size
    wanted = min(size, tee.limit)
    if len(tee.head) < wanted and not getattr(request, "_read_started", False):
        # The view answered without reading the body (a 401, say): read what the log keeps.
        with contextlib.suppress(Exception):
            tee.read(wanted - len(tee.head))
    return bytes(tee.head), max(size, tee.size)
