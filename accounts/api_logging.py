"""API logging at run time: which companies are being logged, what an entry keeps (secrets
redacted, bodies capped), and the in-process buffer that a background thread writes in batches.

The request path pays for a dictionary lookup when no company is being logged, and for
`append(RawCall(...))` (a few references) when one is. Redaction, truncation and the insert
happen in the flusher thread of the same process, every API_LOG_FLUSH_INTERVAL_MS or as soon as
API_LOG_FLUSH_BATCH entries wait. A process that dies loses what it had not flushed yet (at most
one flush interval of calls); a process that exits normally flushes at exit.

No HTTP framework here: the middleware (config/middleware.py) hands over plain values.
"""

import atexit
import base64
import binascii
import json
import logging
import os
import re
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone

from accounts.models import ApiLogEntry, Company

logger = logging.getLogger("postroom.api_logging")

REDACTED = "[REDACTED]"

# ---- which companies are being logged -----------------------------------------------------------

_windows: dict[uuid.UUID, datetime] = {}
_windows_loaded_at = -1.0
_windows_lock = threading.Lock()


def _load_windows() -> None:
    global _windows, _windows_loaded_at
    rows = Company.objects.filter(api_logging_until__gt=timezone.now()).values_list("id", "api_logging_until")
    _windows, _windows_loaded_at = dict(rows), time.monotonic()


def logging_windows() -> dict[uuid.UUID, datetime]:
    """Open windows by company id, as this process last read them (at most
    API_LOG_WINDOW_CACHE_SECONDS ago): one small query per process every few seconds, whatever
    the traffic. A lookup failure keeps the previous answer."""
    if time.monotonic() - _windows_loaded_at >= settings.API_LOG_WINDOW_CACHE_SECONDS:
        with _windows_lock:
            if time.monotonic() - _windows_loaded_at >= settings.API_LOG_WINDOW_CACHE_SECONDS:
                try:
                    _load_windows()
                except Exception:
                    logger.warning("could not read the API logging windows", exc_info=True)
    return _windows


def forget_windows() -> None:
    """Make this process read the windows again on its next request (after a change)."""
    global _windows_loaded_at
    _windows_loaded_at = -1.0


def is_logging(company_id, at: datetime | None = None) -> bool:
    """Is this company's window open now (or `at`)? Cheap: no query unless the process cache is
    stale."""
    windows = logging_windows()
    if not windows or company_id is None:
        return False
    if not isinstance(company_id, uuid.UUID):
        try:
            company_id = uuid.UUID(str(company_id))
        except ValueError:
            return False
    until = windows.get(company_id)
    return until is not None and until > (at or timezone.now())


def any_logging() -> bool:
    return bool(logging_windows())


# ---- redaction and truncation -------------------------------------------------------------------

_SECRET_NAMES = {"authorization", "proxyauthorization", "cookie", "setcookie", "xauthcontext"}
_SECRET_SUFFIXES = ("token", "password", "passwords", "secret", "apikey", "clientsecret")
_BASE64_NAMES = {"filedata", "filecontent", "filebytes", "base64", "content64"}
# Long runs of Base64 (file content): never stored, whatever key or position they come in. A run
# is tried from its start only (the look-behind): from every position inside a shorter run, each
# search would read the rest of it again (for ordinary text, a hundred times its length).
_MIN_BASE64_CHARS = 200
_BASE64_RUN = re.compile(rf"(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{{{_MIN_BASE64_CHARS},}}={{0,2}}")


def _normalise(name: str) -> str:
    return name.lower().replace("-", "").replace("_", "")


@lru_cache(maxsize=4096)  # header, parameter and JSON key names repeat call after call
def is_secret_name(name: str) -> bool:
    """Authorization, x-api-key, ApiKey, RefreshToken, token, refreshToken, password(s),
    client_secret ... in any case and with or without - and _."""
    key = _normalise(name)
    return key in _SECRET_NAMES or key.endswith(_SECRET_SUFFIXES)


def _is_base64_name(name: str) -> bool:
    key = _normalise(name)
    return key in _BASE64_NAMES or key.endswith("base64")


def _base64_note(value: str) -> str:
    return f"[base64 omitted: {len(value)} chars]"


def _looks_like_base64(value: str) -> bool:
    if len(value) < _MIN_BASE64_CHARS or not _BASE64_RUN.fullmatch(value):
        return False
    try:
        base64.b64decode(value[: len(value) // 4 * 4], validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


def redact_value(name: str, value):
    if is_secret_name(name):
        return REDACTED
    if isinstance(value, str) and (_is_base64_name(name) or _looks_like_base64(value)):
        return _base64_note(value) if value else value
    return redact_json(value)


def redact_json(value):
    """A parsed JSON document with every secret replaced and Base64 content left out (nested)."""
    if isinstance(value, dict):
        return {key: redact_value(str(key), item) for key, item in value.items()}
    if isinstance(value, list):
        return [redact_json(item) for item in value]
    if isinstance(value, str):
        return _base64_note(value) if _looks_like_base64(value) else redact_secret_values(value)
    return value


def redact_pairs(pairs) -> list[tuple[str, str]]:
    return [(name, redact_value(name, value)) for name, value in pairs]


def redact_query_string(query: str) -> str:
    if not query:
        return ""
    return urlencode(redact_pairs(parse_qsl(query, keep_blank_values=True)), safe="[]")


def redact_headers(pairs) -> dict:
    """Headers as stored, from (name, value) pairs: secrets redacted, long values cut."""
    limit = settings.API_LOG_MAX_HEADER_CHARS
    out = {}
    for name, value in pairs:
        value = REDACTED if is_secret_name(name) else redact_secret_values(str(value))
        out[name] = value if len(value) <= limit else value[:limit] + "…"
    return out


# Secrets recognised by their value, under any name or none (a JWT in ?jwt=, an API key inside
# a note): API keys and JWT-shaped tokens. Each run of token characters is tried once, from its
# start (the look-behinds), so the scan stays linear in the text.
_SECRET_VALUE = re.compile(
    r"(?<![A-Za-z0-9_])sk_(?:live|test)_[A-Za-z0-9_-]+"
    r"|(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*"
)


def redact_secret_values(text: str) -> str:
    if "sk_" not in text and "eyJ" not in text:  # most values: two substring checks
        return text
    return _SECRET_VALUE.sub(REDACTED, text)


# In text we cannot parse (cut short, too long to parse, or not JSON): "key": "value" and
# key=value pairs. A name starts only where a run of name characters starts (the look-behind):
# otherwise every position inside a long run would scan the rest of it again (quadratic).
_SECRET_IN_TEXT = re.compile(
    r"""(?P<key>["']?(?<![A-Za-z0-9_-])(?P<name>[A-Za-z0-9_-]*?(?:token|passwords?|secret|api[_-]?key|authorization))["']?\s*[:=]\s*)(?P<value>"(?:[^"\\]|\\.)*"?|'[^']*'?|[^&\s,;}]*)""",
    re.IGNORECASE,
)
# JSON may spell a key with escapes ("Api\u004bey"): printable ASCII escapes are read as the
# characters they stand for before names are matched (quote and backslash stay escaped).
_ASCII_ESCAPE = re.compile(r"\\u00([2-7][0-9A-Fa-f])")


def _unescape_ascii(match: re.Match) -> str:
    char = chr(int(match.group(1), 16))
    return match.group(0) if char in '"\\' else char


def redact_text(text: str) -> str:
    """Redact text that cannot be parsed. Linear in the text; callers cut it to what they keep
    first (body_for_log), so its cost is bounded whatever a client sends."""
    if "\\u" in text:
        text = _ASCII_ESCAPE.sub(_unescape_ascii, text)
    text = _SECRET_IN_TEXT.sub(lambda m: m.group("key") + f'"{REDACTED}"', text)
    text = redact_secret_values(text)
    return _BASE64_RUN.sub(lambda m: _base64_note(m.group(0)), text)


# A body without any of these has nothing to redact ("\\u": a JSON key may be spelt with escapes).
_SECRET_NAME_HINTS = ("token", "password", "secret", "apikey", "api_key", "api-key", "authorization")
_SECRET_HINTS = (*_SECRET_NAME_HINTS, "sk_", "eyj", "\\u")


def _may_hold_secrets(text: str) -> bool:
    """False only when a body certainly has nothing to redact (most responses): no secret name,
    no secret-shaped value and no long Base64 run. Cheaper than parsing and writing it again."""
    lowered = text.lower()
    for hint in _SECRET_HINTS:  # a plain loop: any() over a generator costs more than the scans
        if hint in lowered:
            return True
    return _BASE64_RUN.search(text) is not None


def _content_type(pairs) -> str:
    for name, value in pairs:
        if name.lower() == "content-type":
            return str(value).split(";")[0].strip().lower()
    return ""


def body_for_log(body: bytes, size: int, content_type: str) -> tuple[str, bool]:
    """(text to store, truncated?) for a request or response body. Only what can be kept is
    looked at: a whole body of at most API_LOG_MAX_BODY_BYTES is parsed (JSON, forms) and
    redacted; of anything longer, the first API_LOG_MAX_BODY_BYTES are redacted as text. So the
    work per entry is bounded whatever a client sends. Multipart and binary bodies are left out."""
    if not size:
        return "", False
    if content_type.startswith("multipart/"):
        return f"[multipart body of {size} bytes not stored]", False
    limit = settings.API_LOG_MAX_BODY_BYTES
    whole = len(body) >= size and size <= limit
    head = body if whole else body[:limit]
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as error:
        if whole or error.start < len(head) - 3:  # more than a character cut at the end
            return f"[binary body of {size} bytes not stored]", False
        text = head[: error.start].decode("utf-8")
    if not _may_hold_secrets(text):
        return text, not whole  # at most `limit` bytes already
    stored = None
    if whole and (content_type == "application/json" or content_type.endswith("+json")):
        try:
            stored = json.dumps(redact_json(json.loads(text)), ensure_ascii=False)
        except (ValueError, RecursionError):  # not JSON, or nested too deep to walk: read as text
            stored = None
    elif whole and content_type == "application/x-www-form-urlencoded":
        stored = redact_query_string(text)
    if stored is None:
        stored = redact_text(text)
    encoded = stored.encode("utf-8")
    if len(encoded) > limit:
        return encoded[:limit].decode("utf-8", errors="ignore"), True
    return stored, not whole


# ---- the buffer and its flusher ------------------------------------------------------------------


Headers = tuple[tuple[str, str], ...]  # (name, value) pairs, as the client or the view wrote them


def header_pairs(headers) -> Headers:
    """A snapshot of a Django request's or response's headers, as (name, value) pairs."""
    return tuple(headers.items())


@dataclass(slots=True)
class RawCall:
    """What the request path hands over: plain values, processed later by the flusher."""

    company_id: uuid.UUID
    requested_at: datetime
    duration_ms: float
    method: str
    path: str
    route: str
    query_string: str
    status_code: int
    user_id: int | None
    session_id: str | None
    client_ip: str | None
    request_id: str
    request_headers: Headers
    request_body: bytes
    request_body_size: int
    response_headers: Headers  # without X-Request-ID, set later by RequestIdMiddleware
    response_body: bytes
    response_body_size: int


# Columns written for each entry, in order (the COPY on PostgreSQL, bulk_create elsewhere).
COLUMNS = (
    "company_id",
    "requested_at",
    "duration_ms",
    "method",
    "path",
    "route",
    "query_string",
    "status_code",
    "user_id",
    "session_id",
    "client_ip",
    "request_id",
    "request_headers",
    "request_body",
    "request_body_size",
    "request_body_truncated",
    "response_headers",
    "response_body",
    "response_body_size",
    "response_body_truncated",
)
_json_text = json.JSONEncoder(ensure_ascii=False).encode  # one encoder for every row


@dataclass(frozen=True, slots=True)
class StoredHeaders:
    """One set of headers as an entry keeps it: redacted, as JSON text, and the content type
    of the body they came with."""

    json: str
    content_type: str


# Work shared by the calls of one batch, by their raw headers: the calls of one client carry the
# same headers call after call. Kept for a batch only, so raw credentials stay no longer in memory.
HeaderMemo = dict[Headers, StoredHeaders]


def stored_headers(pairs: Headers, memo: HeaderMemo) -> StoredHeaders:
    stored = memo.get(pairs)
    if stored is None:
        stored = memo[pairs] = StoredHeaders(_json_text(redact_headers(pairs)), _content_type(pairs))
    return stored


def with_request_id(headers_json: str, request_id: str) -> str:
    """Response headers (JSON text) with X-Request-ID added: RequestIdMiddleware sets it after
    the logging middleware has looked, and it changes call after call, so it is added here,
    outside the memo, redacted like any header value."""
    item = f'"X-Request-ID": {_json_text(redact_secret_values(request_id))}'
    return "{" + item + "}" if headers_json == "{}" else f"{headers_json[:-1]}, {item}}}"


@lru_cache(maxsize=1024)  # a client's calls come with the same session
def _session_uuid(session_id: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(session_id)
    except ValueError:
        return None


def entry_values(call: RawCall, memo: HeaderMemo) -> tuple:
    """One entry as values in COLUMNS order: secrets redacted, bodies cut, headers as JSON text."""
    request_headers = stored_headers(call.request_headers, memo)
    response_headers = stored_headers(call.response_headers, memo)
    request_body, request_truncated = body_for_log(
        call.request_body, call.request_body_size, request_headers.content_type
    )
    response_body, response_truncated = body_for_log(
        call.response_body, call.response_body_size, response_headers.content_type
    )
    return (
        call.company_id,
        call.requested_at,
        round(call.duration_ms, 2),
        call.method[:10],
        call.path[:2000],
        call.route[:200],
        redact_query_string(call.query_string),
        call.status_code,
        call.user_id,
        _session_uuid(call.session_id) if call.session_id else None,
        call.client_ip or None,
        call.request_id[:128],
        request_headers.json,
        request_body,
        call.request_body_size,
        request_truncated,
        with_request_id(response_headers.json, call.request_id),
        response_body,
        call.response_body_size,
        response_truncated,
    )


def write_entries(rows: list[tuple]) -> None:
    """Insert entries: one COPY on PostgreSQL (several times cheaper than an INSERT of the same
    rows, which matters because the web process pays for it), bulk_create elsewhere. The COPY is
    one statement, so outside a transaction it commits alone: no BEGIN, SET or COMMIT round trips
    (the flusher waits for the WAL flush, the request path never does)."""
    if connection.vendor != "postgresql":
        entries = []
        for row in rows:
            values = dict(zip(COLUMNS, row, strict=True))
            for name in ("request_headers", "response_headers"):  # the model field takes a dict
                values[name] = json.loads(values[name])
            entries.append(ApiLogEntry(**values))
        ApiLogEntry.unscoped.bulk_create(entries)
        return
    statement = f"COPY {ApiLogEntry._meta.db_table} ({', '.join(COLUMNS)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


_buffer: list[RawCall] = []
_buffer_lock = threading.Lock()
_flush_lock = threading.Lock()  # one flush at a time (the thread, flush() in tests, atexit)
_wake = threading.Event()
_flusher_pid: int | None = None
_dropped = 0
_buffered_bytes = 0


def append(call: RawCall) -> None:
    """The request path's whole share of the work: queue the call for the flusher."""
    global _dropped, _buffered_bytes
    size = len(call.request_body) + len(call.response_body)
    with _buffer_lock:
        if (
            len(_buffer) >= settings.API_LOG_BUFFER_MAX
            or _buffered_bytes + size > settings.API_LOG_BUFFER_MAX_BYTES
        ):
            _dropped += 1
            return
        _buffer.append(call)
        _buffered_bytes += size
        pending = len(_buffer)
    if settings.API_LOG_BACKGROUND_FLUSH:
        if _flusher_pid != os.getpid():
            _start_flusher()
        if pending >= settings.API_LOG_FLUSH_BATCH:
            _wake.set()


def pending() -> int:
    return len(_buffer)


def flush() -> int:
    """Write every buffered call now (in the caller's thread); returns how many were written."""
    global _dropped, _buffered_bytes
    written = 0
    with _flush_lock:
        while True:
            with _buffer_lock:
                batch = _buffer[: settings.API_LOG_FLUSH_BATCH]
                del _buffer[: len(batch)]
                _buffered_bytes -= sum(len(c.request_body) + len(c.response_body) for c in batch)
                dropped, _dropped = _dropped, 0
            if dropped:
                logger.warning("API log buffer full: %d calls not logged", dropped)
            if not batch:
                return written
            rows, memo = [], {}
            for call in batch:
                try:
                    rows.append(entry_values(call, memo))
                except Exception:
                    logger.exception("could not build an API log entry for %s %s", call.method, call.path)
            try:
                write_entries(rows)
                written += len(rows)
            except Exception:
                logger.exception("could not write %d API log entries; they are lost", len(rows))
                connection.close()  # start the next batch on a fresh connection


def discard() -> None:
    """Forget everything buffered (tests)."""
    global _buffered_bytes
    with _buffer_lock:
        _buffer.clear()
        _buffered_bytes = 0


def _flusher_loop() -> None:
    interval = settings.API_LOG_FLUSH_INTERVAL_MS / 1000
    while True:
        _wake.wait(interval)
        _wake.clear()
        if not _buffer:
            continue
        try:
            close_old_connections()
            flush()
        except Exception:
            logger.exception("API log flusher failed")


def _start_flusher() -> None:
    """One flusher thread per process, started on the first append (so a gunicorn worker, forked
    from a master that never served a request, starts its own)."""
    global _flusher_pid
    with _buffer_lock:
        if _flusher_pid == os.getpid():
            return
        _flusher_pid = os.getpid()
    threading.Thread(target=_flusher_loop, name="api-log-flusher", daemon=True).start()


@atexit.register
def _flush_at_exit() -> None:
    if _buffer and _flusher_pid == os.getpid():
        try:
            flush()
        except Exception:
            logger.exception("API log entries lost at exit")
