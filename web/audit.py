"""Who acts in this request, for the audit log; and the admin's read-only view of the log.

``init_app`` registers a hook after the login hook: each request runs as the logged-in user
(with the public prefix of the API token it came with) from the client's address, so the
service functions' ``netops.audit.record_change`` calls name them. Nothing here edits or
deletes an entry: the page and ``GET /api/v1/audit`` only read.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Flask, g, request

from netops import audit

SINCE_CHOICES = {"1d": 1, "7d": 7, "30d": 30, "90d": 90, "365d": 365}


def actor() -> audit.Actor | None:
    """The person behind this request (None before login)."""
    user = g.get("user")
    if user is None:
        return None
    token = None
    if g.get("via_token"):
        token = request.headers.get("Authorization", "")[7:].strip()[:12]  # the stored, listed prefix
    return audit.Actor(user=user.name, origin=request.remote_addr or "unknown", token=token)


def since_of(text: str | None, now: datetime | None = None) -> datetime | None:
    """``7d``, ``12h`` or ``30m`` ago (None for anything else: no lower bound)."""
    text = (text or "").strip().lower()
    if len(text) < 2 or not text[:-1].isdigit() or text[-1] not in "dhm" or int(text[:-1]) > 100_000:
        return None
    unit = {"d": "days", "h": "hours", "m": "minutes"}[text[-1]]
    return (now or datetime.now(UTC)) - timedelta(**{unit: int(text[:-1])})


def _begin() -> None:
    g.audit_token = audit.set_actor(actor())


def _end(_exc: BaseException | None) -> None:
    token = g.pop("audit_token", None)
    if token is not None:
        audit.reset_actor(token)


def init_app(app: Flask) -> None:
    app.before_request(_begin)
    app.teardown_request(_end)
