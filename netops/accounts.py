"""Users, roles and API tokens: hashing, checking, creating, changing, revoking.

Passwords are stored as werkzeug ``scrypt``/``pbkdf2`` hashes; API tokens are random
strings shown once, stored as their SHA-256 with a short prefix for listing and revoking.
Every change that must end a user's sessions (logout, new password, new role, disable,
delete) raises the user's ``session_generation``; a session remembers the generation it began
in and is void once they differ. A disabled user can neither log in nor use a token. The last
enabled admin can be neither demoted, disabled nor deleted, so nobody locks the admins out.
Plain functions on a session so the CLI (``netops user``/``netops token``), the pages and the
API share them; the caller commits. Each change is written to the audit log (``netops.audit``)
in the same transaction, without the password or the token.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from inventory.models import ApiToken, User
from netops.audit import record_change
from netops.scope import Scope, ScopeError, check

ROLES = ("helpdesk", "engineer", "admin")
TOKEN_PREFIX = "nto_"
MIN_PASSWORD = 8
LAST_USED_GRANULARITY = timedelta(minutes=1)
# Checked against when the user does not exist, so timing does not reveal valid names.
_DUMMY_HASH = generate_password_hash("netops-dummy-password")


class AccountError(ValueError):
    """A user mistake: unknown role, short password, duplicate user, unknown token."""


class UnknownUser(AccountError):
    """No user of that name (the API answers 404)."""


class UserExists(AccountError):
    """The name is taken (the API answers 409)."""


class LastAdmin(AccountError):
    """The change would leave no enabled admin (the API answers 409)."""


@dataclass(frozen=True, slots=True)
class CurrentUser:
    id: int
    name: str
    role: str
    language: str | None
    generation: int = 0
    enabled: bool = True
    created_at: datetime | None = None
    scope: Scope | None = None  # None: sees everything (netops.scope)

    def has_role(self, role: str) -> bool:
        return ROLES.index(self.role) >= ROLES.index(role)


def _current(user: User) -> CurrentUser:
    return CurrentUser(
        id=user.id,
        name=user.name,
        role=user.role,
        language=user.language,
        generation=user.session_generation or 0,
        enabled=user.disabled_at is None,
        created_at=user.created_at,
        scope=Scope.from_json(user.scope),
    )


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"password too short (at least {MIN_PASSWORD} characters)")


def add_user(
    session: Session, name: str, password: str, role: str, language: str | None = None,
    scope: Scope | None = None,
) -> CurrentUser:
    _check_role(role)
    _check_password(password)
    _check_scope(session, role, scope)
    if not name.strip():
        raise AccountError("user name must not be empty")
    if session.scalar(select(User).where(User.name == name)) is not None:
        raise UserExists(f"user {name!r} already exists")
    user = User(
        name=name,
        password_hash=generate_password_hash(password),
        role=role,
        language=language,
        created_at=datetime.now(UTC),
        session_generation=0,
        scope=scope.to_json() if scope else None,
    )
    session.add(user)
    session.flush()
    record_change(session, "user.add", name, None, {"role": role, "language": language, "password": password},
                  scrub=(password,))
    return _current(user)


def check_login(session: Session, name: str, password: str) -> CurrentUser | None:
    """The user if the password is right and the account enabled (a disabled one reads as wrong)."""
    user = session.scalar(select(User).where(User.name == name))
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password) or user.disabled_at is not None:
        return None
    return _current(user)


def get_user(session: Session, user_id: int) -> CurrentUser | None:
    user = session.get(User, user_id)
    return _current(user) if user else None


def set_language(session: Session, user_id: int, language: str) -> None:
    user = session.get(User, user_id)
    if user is not None and user.language != language:
        record_change(session, "user.language", user.name, {"language": user.language},
                      {"language": language})
        user.language = language


def list_users(session: Session) -> list[CurrentUser]:
    return [_current(u) for u in session.scalars(select(User).order_by(User.name))]


def find_user(session: Session, name: str) -> CurrentUser:
    return _current(_by_name(session, name))


def _by_name(session: Session, name: str) -> User:
    user = session.scalar(select(User).where(User.name == name))
    if user is None:
        raise UnknownUser(f"no user {name!r}")
    return user


def end_sessions(session: Session, user_id: int) -> None:
    """Void every session of the user (logout ends them all: other browsers too)."""
    user = session.get(User, user_id)
    if user is not None:
        user.session_generation = (user.session_generation or 0) + 1


def _guard_last_admin(session: Session, user: User) -> None:
    if user.role != "admin" or user.disabled_at is not None:
        return
    others = session.scalar(
        select(func.count())
        .select_from(User)
        .where(User.role == "admin", User.disabled_at.is_(None), User.id != user.id)
    )
    if not others:
        raise LastAdmin(
            f"{user.name!r} is the last enabled admin; add or enable another admin first"
        )


def set_password(session: Session, name: str, password: str) -> CurrentUser:
    _check_password(password)
    user = _by_name(session, name)
    user.password_hash = generate_password_hash(password)
    end_sessions(session, user.id)
    record_change(session, "user.password", name, None, {"password": password}, scrub=(password,))
    return _current(user)


def _check_scope(session: Session, role: str, scope: Scope | None) -> None:
    """An admin manages users and credentials, so sees everything; a scope must name known places."""
    if not scope:
        return
    if role == "admin":
        raise AccountError("an admin cannot be limited to a scope; give a helpdesk or engineer role")
    try:
        check(session, scope)
    except ScopeError as exc:
        raise AccountError(str(exc)) from None


def set_scope(session: Session, name: str, scope: Scope | None) -> CurrentUser:
    """Limit the user to ``scope`` (None or empty: sees everything again); takes effect on the
    user's next request, sessions and tokens included."""
    user = _by_name(session, name)
    _check_scope(session, user.role, scope)
    after = scope.to_json() if scope else None
    if after != user.scope:
        record_change(session, "user.scope", name, {"scope": user.scope}, {"scope": after})
    user.scope = after
    return _current(user)


def set_role(session: Session, name: str, role: str) -> CurrentUser:
    _check_role(role)
    user = _by_name(session, name)
    if role == "admin" and user.scope:
        raise AccountError(f"{name!r} is limited to a scope; clear it before making them an admin")
    if role != user.role:
        if role != "admin":
            _guard_last_admin(session, user)
        record_change(session, "user.role", name, {"role": user.role}, {"role": role})
        user.role = role
        end_sessions(session, user.id)
    return _current(user)


def set_enabled(session: Session, name: str, enabled: bool) -> CurrentUser:
    """Enable or disable; a disabled user's sessions end and their API tokens stop working."""
    user = _by_name(session, name)
    if enabled and user.disabled_at is not None:
        record_change(session, "user.enabled", name, {"enabled": False}, {"enabled": True})
        user.disabled_at = None
    elif not enabled and user.disabled_at is None:
        _guard_last_admin(session, user)
        record_change(session, "user.enabled", name, {"enabled": True}, {"enabled": False})
        user.disabled_at = datetime.now(UTC)
        end_sessions(session, user.id)
    return _current(user)


def delete_user(session: Session, name: str) -> None:
    """Delete the user and their API tokens (their sessions end with the row)."""
    user = _by_name(session, name)
    _guard_last_admin(session, user)
    live = session.scalar(select(func.count()).select_from(ApiToken)
                          .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None)))
    record_change(session, "user.delete", name,
                  {"role": user.role, "enabled": user.disabled_at is None, "active_tokens": live}, None)
    session.execute(delete(ApiToken).where(ApiToken.user_id == user.id))
    session.delete(user)
    session.flush()


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
    record_change(session, "token.create", f"token:{token[:12]}", None,
                  {"user": user_name, "prefix": token[:12]}, scrub=(token,))
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
        owner = session.get(User, row.user_id)
        record_change(session, "token.revoke", f"token:{row.prefix}",
                      {"user": owner.name if owner else None, "revoked": False}, {"revoked": True},
                      scrub=(value,) if len(value) > 12 else ())  # a prefix is public, a whole token not
        row.revoked_at = datetime.now(UTC)
    return len(live)


def user_for_token(session: Session, token: str) -> CurrentUser | None:
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _hash_token(token)))
    if row is None or row.revoked_at is not None:
        return None
    now = datetime.now(UTC)
    user = get_user(session, row.user_id)
    if user is None or not user.enabled:
        return None
    if row.last_used_at is None or now - row.last_used_at > LAST_USED_GRANULARITY:
        row.last_used_at = now  # at most one write a minute per token, not one per call
    return user
