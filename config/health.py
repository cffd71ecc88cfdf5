"""/healthz: the process answers. /readyz: the process can reach what it needs to serve."""

import logging
import uuid

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.http import JsonResponse

logger = logging.getLogger("postroom.health")


def healthz(request):
    return JsonResponse({"status": "ok"})


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _cache() -> None:
    key = f"readyz:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=5)
    if cache.get(key) != "1":
        raise RuntimeError("cache did not return what was written")
    cache.delete(key)


def _storage() -> None:
    """Write a tiny object and delete it: the store is reachable and writable."""
    name = default_storage.save(f"_readyz/{uuid.uuid4().hex}.txt", ContentFile(b"ok"))
    try:
        if not default_storage.exists(name):
            raise RuntimeError("storage did not keep what was written")
    finally:
        default_storage.delete(name)


def _redis() -> None:
    """The Redis behind the Celery broker (and the cache), pinged directly."""
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2)
    try:
        client.ping()
    finally:
        client.close()


CHECKS = {"database": _database, "cache": _cache, "storage": _storage, "redis": _redis}


def checks() -> dict:
    """The checks that apply to this deployment (Redis only when REDIS_URL is set)."""
    return {name: check for name, check in CHECKS.items() if name != "redis" or settings.REDIS_URL}


def readyz(request):
    results = {}
    for name, check in checks().items():
        try:
            check()
            results[name] = "ok"
        except Exception:
            logger.exception("readiness check failed: %s", name)
            results[name] = "failed"
    ready = all(state == "ok" for state in results.values())
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", "checks": results}, status=200 if ready else 503
    )
