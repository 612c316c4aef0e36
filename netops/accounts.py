"""Users, roles and API tokens: hashing, checking, creating, revoking.

Passwords are stored as werkzeug ``scrypt``/``pbkdf2`` hashes; API tokens are random
strings shown once, stored as their SHA-256 with a short prefix for listing and revoking.
Plain functions on a session so the CLI (``netops user``/``netops token``) and the web share
them; the caller commits.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from inventory.models import ApiToken, User

ROLES = ("helpdesk", "engineer", "admin")
TOKEN_PREFIX = "nto_"
MIN_PASSWORD = 8
LAST_USED_GRANULARITY = timedelta(minutes=1)
# Checked against when the user does not exist, so timing does not reveal valid names.
_DUMMY_HASH = generate_password_hash("netops-dummy-password")


class AccountError(ValueError):
    """A user mistake: unknown role, short password, duplicate user, unknown token."""


@dataclass(frozen=True, slots=True)
class CurrentUser:
    id: int
    name: str
    role: str
    language: str | None

    def has_role(self, role: str) -> bool:
        return ROLES.index(self.role) >= ROLES.index(role)


def _current(user: User) -> CurrentUser:
    return CurrentUser(id=user.id, name=user.name, role=user.role, language=user.language)


def add_user(
    session: Session, name: str, password: str, role: str, language: str | None = None
) -> CurrentUser:
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"password too short (at least {MIN_PASSWORD} characters)")
    if not name.strip():
        raise AccountError("user name must not be empty")
    if session.scalar(select(User).where(User.name == name)) is not None:
        raise AccountError(f"user {name!r} already exists")
    user = User(
        name=name,
        password_hash=generate_password_hash(password),
        role=role,
        language=language,
        created_at=datetime.now(UTC),
    )
    session.add(user)
    session.flush()
    return _current(user)


def check_login(session: Session, name: str, password: str) -> CurrentUser | None:
    user = session.scalar(select(User).where(User.name == name))
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    return _current(user) if check_password_hash(user.password_hash, password) else None


def get_user(session: Session, user_id: int) -> CurrentUser | None:
    user = session.get(User, user_id)
    return _current(user) if user else None


def set_language(session: Session, user_id: int, language: str) -> None:
    user = session.get(User, user_id)
    if user is not None:
        user.language = language


def list_users(session: Session) -> list[CurrentUser]:
    return [_current(u) for u in session.scalars(select(User).order_by(User.name))]


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, user_name: str) -> str:
    """A new API token for ``user_name``; the clear token is returned once and never stored."""
    user = session.scalar(select(User).where(User.name == user_name))
    if user is None:
        raise AccountError(f"no user {user_name!r}")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(
        ApiToken(
            user_id=user.id, token_hash=_hash_token(token), prefix=token[:12], created_at=datetime.now(UTC)
        )
    )
    session.flush()
    return token


def revoke_token(session: Session, token_or_prefix: str) -> int:
    """Revoke the token given in full or by its 12-character prefix; returns how many."""
    value = token_or_prefix.strip()
    if len(value) > 12:
        rows = session.scalars(select(ApiToken).where(ApiToken.token_hash == _hash_token(value))).all()
    else:
        rows = session.scalars(select(ApiToken).where(ApiToken.prefix == value)).all()
    live = [row for row in rows if row.revoked_at is None]
    if not live:
        raise AccountError("no such active token")
    for row in live:
        row.revoked_at = datetime.now(UTC)
    return len(live)


def user_for_token(session: Session, token: str) -> CurrentUser | None:
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _hash_token(token)))
    if row is None or row.revoked_at is not None:
        return None
    now = datetime.now(UTC)
    if row.last_used_at is None or now - row.last_used_at > LAST_USED_GRANULARITY:
        row.last_used_at = now  # at most one write a minute per token, not one per call
    return get_user(session, row.user_id)
