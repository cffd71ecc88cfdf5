"""Leases on job rows. A worker holds a job (an import, a print run) while the time it last
renewed its lease plus the lease's length lies ahead; past that, its worker is presumed dead (a
SIGKILL, an out-of-memory kill, a machine gone) and someone else may take the job over."""

from datetime import datetime, timedelta

from django.utils import timezone


def lease_left(renewed_at: datetime | None, seconds: float) -> float:
    """Seconds until a lease renewed at `renewed_at` runs out (0 once it has, or if never held)."""
    if renewed_at is None:
        return 0.0
    return max((renewed_at + timedelta(seconds=seconds) - timezone.now()).total_seconds(), 0.0)


def expired_before(seconds: float) -> datetime:
    """Leases renewed before this moment have run out."""
    return timezone.now() - timedelta(seconds=seconds)
