"""Idempotency keys: a request sent again with the same `Idempotency-Key` is answered from the
first one's stored response instead of running twice (the IETF httpapi idempotency-key draft).

Keys belong to a principal (company + credential kind): another company's same key is a new key.
The first request claims its key with one INSERT ... ON CONFLICT DO NOTHING, committed before the
view runs (no ATOMIC_REQUESTS: the statement runs in autocommit), so of two identical requests the
unique constraint lets exactly one run; the other finds the claim and is told to wait (409), or,
once the first has finished, gets its answer. No HTTP here: the API plumbing
(config/api/idempotency.py) reads the header, fingerprints the request and stores the response.

A request whose process dies after its work committed but before its answer was stored holds its
key until IDEMPOTENCY_LEASE_SECONDS pass; a repeat after that runs it again (the services' own
guards, such as one payment per campaign, still hold).
"""

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from accounts.errors import IdempotencyKeyInUse, IdempotencyKeyInvalid, IdempotencyKeyReused
from accounts.models import Company, IdempotencyKey
from config.db import delete_in_batches, fetch_one

# 1 to 255 visible ASCII characters (no space, no control character).
_VALID_KEY = re.compile(r"[\x21-\x7e]{1,255}")
# How long a repeat is asked to wait while the first request runs.
RETRY_AFTER_SECONDS = 1
# Claims the CAS below may lose to another request in a row before the repeat is told to wait.
_CLAIM_ATTEMPTS = 3


@dataclass(frozen=True, slots=True)
class StoredResponse:
    status: int
    headers: dict[str, str]
    body: bytes


def idempotency_key_check(key: str) -> None:
    if not _VALID_KEY.fullmatch(key):
        raise IdempotencyKeyInvalid(field="idempotency_key")


def request_fingerprint(method: str, path: str, body: bytes) -> str:
    """SHA-256 of what makes two requests the same request: method, path (with its query) and body."""
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode(), body):
        digest.update(len(part).to_bytes(8, "big"))  # lengths first: no two splits hash alike
        digest.update(part)
    return digest.hexdigest()


_CLAIM = """
INSERT INTO accounts_idempotencykey
    (company_id, credential_kind, "key", fingerprint, status, response_headers, response_body,
     created_at, locked_until, expires_at)
VALUES (%s, %s, %s, %s, 'running', '{}', %s, %s, %s, %s)
ON CONFLICT (company_id, credential_kind, "key") DO NOTHING
RETURNING id
"""
# The same on PostgreSQL in autocommit (every request), whose commit does not wait for its WAL to
# reach the disk (set_config(..., true) lasts for this one-statement transaction): the work the
# request then commits flushes the WAL up to its own commit, and so this claim with it; a crash
# can only lose a claim whose request has committed nothing. That saves a disk flush per request.
# (Inside a transaction the setting would last until that one commits: the plain claim is used.)
_CLAIM_UNFLUSHED = """
INSERT INTO accounts_idempotencykey
    (company_id, credential_kind, "key", fingerprint, status, response_headers, response_body,
     created_at, locked_until, expires_at)
SELECT %s, %s, %s, %s, 'running', '{}', %s, %s, %s, %s
FROM (SELECT set_config('synchronous_commit', 'off', true)) AS unflushed_commit
ON CONFLICT (company_id, credential_kind, "key") DO NOTHING
RETURNING id
"""


def idempotency_claim(
    *, company: Company, credential_kind: str, key: str, fingerprint: str, now: datetime | None = None
) -> int | StoredResponse:
    """The claim's id when this request is to run; the stored response when it ran before.
    Raises IdempotencyKeyReused when the key came with another request, IdempotencyKeyInUse while
    the first request with it is still running."""
    idempotency_key_check(key)
    now = now or timezone.now()
    for _ in range(_CLAIM_ATTEMPTS):
        claimed = _insert_claim(company, credential_kind, key, fingerprint, now)
        if claimed is not None:
            return claimed
        row = (
            IdempotencyKey.objects.for_company(company)
            .filter(credential_kind=credential_kind, key=key)
            .first()
        )
        if row is None:
            continue  # purged since the INSERT: claim it again
        if row.expires_at > now:
            if row.fingerprint != fingerprint:
                raise IdempotencyKeyReused(field="idempotency_key")
            if row.status == IdempotencyKey.Status.DONE:
                return StoredResponse(row.response_status, row.response_headers, bytes(row.response_body))
            if row.locked_until > now:
                raise IdempotencyKeyInUse(field="idempotency_key", retry_after=RETRY_AFTER_SECONDS)
        if _take_over(row, fingerprint, now):
            return row.pk
    raise IdempotencyKeyInUse(field="idempotency_key", retry_after=RETRY_AFTER_SECONDS)


def _insert_claim(company, credential_kind, key, fingerprint, now) -> int | None:
    lease, ttl = _lease_and_ttl(now)
    at = IdempotencyKey._meta.get_field("created_at").get_db_prep_value
    company_id = IdempotencyKey._meta.get_field("company").get_db_prep_value(company.pk, connection)
    times = [at(moment, connection) for moment in (now, lease, ttl)]
    unflushed = connection.vendor == "postgresql" and not connection.in_atomic_block
    row = fetch_one(
        _CLAIM_UNFLUSHED if unflushed else _CLAIM,
        [company_id, credential_kind, key, fingerprint, b"", *times],
    )
    return row[0] if row else None


def _take_over(row: IdempotencyKey, fingerprint: str, now: datetime) -> bool:
    """Claim an expired key, or one whose request's process is presumed gone, unless another
    request changed the row since it was read (compare and set)."""
    lease, ttl = _lease_and_ttl(now)
    return bool(
        IdempotencyKey.unscoped.filter(pk=row.pk, status=row.status, locked_until=row.locked_until).update(
            fingerprint=fingerprint,
            status=IdempotencyKey.Status.RUNNING,
            response_status=None,
            response_headers={},
            response_body=b"",
            created_at=now,
            locked_until=lease,
            expires_at=ttl,
        )
    )


def _lease_and_ttl(now: datetime) -> tuple[datetime, datetime]:
    return (
        now + timedelta(seconds=settings.IDEMPOTENCY_LEASE_SECONDS),
        now + timedelta(hours=settings.IDEMPOTENCY_TTL_HOURS),
    )


# Written out: the ORM's UPDATE cost as much CPU as the rest of the key's work together.
_COMPLETE = """
UPDATE accounts_idempotencykey
SET status = 'done', response_status = %s, response_headers = %s, response_body = %s
WHERE id = %s AND status = 'running'
"""


def idempotency_complete(*, claim_id: int, response: StoredResponse) -> None:
    """Store the answer of the request that holds the claim: its repeats get it from now on."""
    headers = IdempotencyKey._meta.get_field("response_headers").get_db_prep_save(
        response.headers, connection
    )
    with connection.cursor() as cursor:
        cursor.execute(_COMPLETE, [response.status, headers, response.body, claim_id])


def idempotency_release(*, claim_id: int) -> None:
    """Give the key up (the request failed on our side): a repeat runs the request again."""
    IdempotencyKey.unscoped.filter(pk=claim_id, status=IdempotencyKey.Status.RUNNING).delete()


def idempotency_keys_purge_expired(*, now: datetime | None = None, batch_size: int | None = None) -> int:
    expired = IdempotencyKey.unscoped.filter(expires_at__lte=now or timezone.now())
    return delete_in_batches(expired, batch_size or settings.IDEMPOTENCY_PURGE_BATCH)
