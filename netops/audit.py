"""The audit log: who changed what, when and from where, with before/after values and never a secret.

Every change a person or an API token makes is written with ``record`` in the same transaction
as the change (a rolled-back change leaves no entry). Who is acting is held in a context
variable: the web sets it for each request from the logged-in user (and the token's public
prefix) with the client's address, the CLI once per command as ``cli:<os user>``; the service
functions the CLI, the pages and the API share (``netops.accounts``, planned works, outage
handling) call ``record_change``, which writes for ``current_actor()``. Values pass through
``redact`` first: a field whose name says secret (password, secret, community, auth/priv keys,
token, hash, passphrase, URLs that may carry credentials, netops setting variables) becomes a
marker (``(set)``, ``(changed)``, ``(unchanged)``, ``(removed)``), never the value nor a hash of
it; password hashes, API tokens, encrypted values and URL passwords are cut out of any text, and
so is every literal secret the caller names (``scrub``: the new password, the new token).
"""

from __future__ import annotations

import getpass
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar, Token
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, delete, func, or_, select
from sqlalchemy.orm import Session

from inventory.models import AuditEntry, iso_utc, utcnow
from inventory.spec import SECRET_FIELDS
from netops.secret_policy import is_setting_variable

SET, CHANGED, UNCHANGED, REMOVED = "(set)", "(changed)", "(unchanged)", "(removed)"
SECRET_TEXT = "(secret)"
MAX_DEPTH = 12
MIN_SCRUB = 4  # literal secrets shorter than this are not searched for in text (passwords are >= 8)

_KEY_WORDS = ("password", "passwd", "passphrase", "secret", "community", "authkey", "privkey", "privatekey",
              "token", "hash", "apikey", "url", "credentialvalue")
_KEY_EXACT = frozenset({"key", "pass", "pwd", "psk"} | {f.replace("_", "") for f in SECRET_FIELDS})
# Names that match a word above but never hold a secret.
_KEY_ALLOWED = frozenset({"publicurl", "tileurl", "tileattribution", "keyfile", "activetokens"})
_TEXT_PATTERNS = (
    (re.compile(r"(?:scrypt|pbkdf2)[^\s$]*\$\S+"), "(hash)"),  # werkzeug password hashes
    (re.compile(r"nto_[A-Za-z0-9_-]{16,}"), "(token)"),  # a whole API token (netops.accounts.TOKEN_PREFIX)
    (re.compile(r"enc:[A-Za-z0-9_=-]{16,}"), "(encrypted)"),  # a Fernet-sealed secret
    (re.compile(r"\b[0-9a-fA-F]{64}\b"), "(hash)"),  # a SHA-256 (the stored form of a token)
    (re.compile(r"(//[^/\s:@]*:)[^@\s/]*@"), r"\1" + SECRET_TEXT + "@"),  # scheme://user:PASSWORD@host
)


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts (``user``: a login, a token's owner or the OS user) and from where (``origin``)."""

    user: str
    origin: str
    token: str | None = None  # the public prefix of the API token used

    @property
    def who(self) -> str:
        return f"token:{self.token} ({self.user})" if self.token else self.user


def os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def cli_actor() -> Actor:
    """The person at a terminal: the OS user, from ``cli:<os user>``."""
    name = os_user()
    return Actor(user=name, origin=f"cli:{name}")


def _fallback() -> Actor:
    """Code that set no actor (a script calling the service directly) is named for what it is."""
    return Actor(user="system", origin=f"local:{os_user()}")


_actor: ContextVar[Actor | None] = ContextVar("netops_audit_actor", default=None)


def set_actor(actor: Actor | None) -> Token[Actor | None]:
    return _actor.set(actor)


def reset_actor(token: Token[Actor | None]) -> None:
    _actor.reset(token)


@contextmanager
def acting(actor: Actor) -> Iterator[Actor]:
    """Changes made inside are recorded as ``actor``'s."""
    token = _actor.set(actor)
    try:
        yield actor
    finally:
        _actor.reset(token)


def current_actor() -> Actor:
    return _actor.get() or _fallback()


# -- redaction --------------------------------------------------------------------------------------
def is_secret_key(key: object) -> bool:
    """True for a field name that may hold a secret (checked case- and separator-blind)."""
    text = str(key)
    if is_setting_variable(text.upper()):  # NETOPS_WEB__SECRET_KEY, NETOPS_DATABASE_URL ...
        return True
    norm = re.sub(r"[^a-z0-9]", "", text.casefold())
    if norm in _KEY_ALLOWED:
        return False
    return norm in _KEY_EXACT or any(word in norm for word in _KEY_WORDS)


def _scrub_text(text: str, scrub: Sequence[str]) -> str:
    for secret in sorted((s for s in scrub if len(s) >= MIN_SCRUB), key=len, reverse=True):
        text = text.replace(secret, SECRET_TEXT)
    for pattern, replacement in _TEXT_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def _empty(value: object) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _plain(value: Any, scrub: Sequence[str], depth: int) -> Any:
    """``value`` as JSON with secret fields marked and secret text cut out."""
    if depth > MAX_DEPTH:
        return "(too deep)"
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return _scrub_text(value, scrub)
    if isinstance(value, bytes | bytearray | memoryview):
        return "(binary)"
    if isinstance(value, datetime):
        return iso_utc(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {_scrub_text(str(k), scrub): (None if _empty(v) else SET) if is_secret_key(k)
                else _plain(v, scrub, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=str) if isinstance(value, set | frozenset) else value
        return [_plain(v, scrub, depth + 1) for v in items]
    return _scrub_text(str(value), scrub)


def _marker(before: object, after: object, had_before: bool) -> str | None:
    if _empty(after):
        return REMOVED if had_before and not _empty(before) else None
    if not had_before or _empty(before):
        return SET
    return UNCHANGED if before == after else CHANGED


def redact(before: Any, after: Any = None, scrub: Sequence[str] = ()) -> tuple[Any, Any]:
    """``before`` and ``after`` fit to store: a secret field of ``after`` says whether it was set,
    changed, kept or removed compared with ``before`` (compared here, in memory, never stored)."""
    scrub = tuple(s for s in scrub if isinstance(s, str))
    return _plain(before, scrub, 0), _paired(before, after, scrub, 0)


def _paired(before: Any, after: Any, scrub: Sequence[str], depth: int) -> Any:
    """``after`` as JSON; a secret field is compared with the same field of ``before`` at the same path."""
    if depth > MAX_DEPTH:
        return "(too deep)"
    if not isinstance(after, Mapping):
        return _plain(after, scrub, depth)
    old = before if isinstance(before, Mapping) else {}
    return {_scrub_text(str(k), scrub): _marker(old.get(k), v, k in old) if is_secret_key(k)
            else _paired(old.get(k), v, scrub, depth + 1) for k, v in after.items()}


# -- writing ----------------------------------------------------------------------------------------
def record(session: Session, actor: Actor, action: str, target: str, before: Any = None, after: Any = None,
           *, scrub: Sequence[str] = (), at: datetime | None = None) -> AuditEntry:
    """Add one entry in ``session`` (the caller's transaction: it is kept only if the change is)."""
    stored_before, stored_after = redact(before, after, scrub)
    entry = AuditEntry(
        at=at or utcnow(),
        user_name=_scrub_text(actor.user, scrub)[:100],
        token=actor.token[:20] if actor.token else None,
        origin=_scrub_text(actor.origin, scrub)[:200],
        action=action[:60],
        target=_scrub_text(str(target), scrub)[:300],
        before=stored_before,
        after=stored_after,
    )
    session.add(entry)
    return entry


def record_change(session: Session, action: str, target: str, before: Any = None, after: Any = None,
                  *, scrub: Sequence[str] = ()) -> AuditEntry:
    """``record`` for whoever is acting now (the web request's user, the CLI's OS user)."""
    return record(session, current_actor(), action, target, before, after, scrub=scrub)


# -- reading ----------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class AuditView:
    id: int
    at: datetime
    who: str
    user: str
    token: str | None
    origin: str
    action: str
    target: str
    before: Any
    after: Any

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "at": iso_utc(self.at), "who": self.who, "user": self.user,
                "token": self.token, "origin": self.origin, "action": self.action, "target": self.target,
                "before": self.before, "after": self.after}


@dataclass(frozen=True, slots=True)
class AuditFilter:
    since: datetime | None = None
    user: str | None = None  # the person: also their token's entries
    action: str | None = None  # "user" matches user.add, user.role ...; "user.role" only itself


def _filtered(query: Select[Any], wanted: AuditFilter) -> Select[Any]:
    if wanted.since is not None:
        query = query.where(AuditEntry.at >= wanted.since)
    if wanted.user:
        query = query.where(AuditEntry.user_name == wanted.user)
    if wanted.action:
        query = query.where(or_(AuditEntry.action == wanted.action,
                                AuditEntry.action.startswith(wanted.action + ".", autoescape=True)))
    return query


def _view(row: AuditEntry) -> AuditView:
    actor = Actor(row.user_name, row.origin, row.token)
    return AuditView(row.id, row.at, actor.who, row.user_name, row.token, row.origin, row.action, row.target,
                     row.before, row.after)


def count_entries(session: Session, wanted: AuditFilter) -> int:
    return int(session.scalar(_filtered(select(func.count()).select_from(AuditEntry), wanted)) or 0)


def list_entries(session: Session, wanted: AuditFilter, *, limit: int | None = None,
                 offset: int = 0) -> list[AuditView]:
    """Newest first."""
    query = _filtered(select(AuditEntry), wanted).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if limit is not None:
        query = query.limit(limit)
    return [_view(row) for row in session.scalars(query.offset(offset))]


def actions(session: Session) -> list[str]:
    """The actions recorded so far (the page's filter choices)."""
    return list(session.scalars(select(AuditEntry.action).distinct().order_by(AuditEntry.action)))


def prune(session: Session, now: datetime, retention_days: int) -> int:
    """Delete entries older than ``retention_days`` (the retention job's only way to remove them)."""
    result = session.execute(delete(AuditEntry).where(AuditEntry.at < now - timedelta(days=retention_days)))
    return int(getattr(result, "rowcount", 0) or 0)

