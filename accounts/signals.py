"""Signals the accounts domain sends."""

from django.dispatch import Signal

# Sent when API sessions are revoked (rotation, reuse, access removed...): a process that
# remembers recently accepted tokens forgets them.
credentials_revoked = Signal()
