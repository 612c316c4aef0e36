"""The login throttle, kept in the database so every web process applies the same limits.

Failures are counted per (user name, client address) pair: ``pair_limit`` wrong passwords in
``pair_window_s`` block that pair only, so an attacker elsewhere cannot lock a real user out.
A wider, higher limit per address (``address_limit`` failures over any names in
``address_window_s``) stops one address from trying many names; behind a shared proxy it is
high enough that colleagues are not locked out by one typo-prone user. A successful login
forgets the pair's failures. Old rows are pruned as new failures arrive.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from inventory.models import LoginFailure

NAME_MAX = 100
ADDRESS_MAX = 64


@dataclass(frozen=True, slots=True)
class ThrottleRules:
    pair_limit: int = 5
    pair_window_s: float = 300.0
    address_limit: int = 50
    address_window_s: float = 900.0


def _key(name: str, address: str | None) -> tuple[str, str]:
    return name[:NAME_MAX], (address or "unknown")[:ADDRESS_MAX]


def blocked(session: Session, rules: ThrottleRules, name: str, address: str | None) -> bool:
    """True when the pair or the address has used up its failures."""
    user_name, addr = _key(name, address)
    now = datetime.now(UTC)
    pair = session.scalar(
        select(func.count())
        .select_from(LoginFailure)
        .where(
            LoginFailure.address == addr,
            LoginFailure.user_name == user_name,
            LoginFailure.at > now - timedelta(seconds=rules.pair_window_s),
        )
    )
    if (pair or 0) >= rules.pair_limit:
        return True
    by_address = session.scalar(
        select(func.count())
        .select_from(LoginFailure)
        .where(
            LoginFailure.address == addr,
            LoginFailure.at > now - timedelta(seconds=rules.address_window_s),
        )
    )
    return (by_address or 0) >= rules.address_limit


def failed(session: Session, rules: ThrottleRules, name: str, address: str | None) -> None:
    user_name, addr = _key(name, address)
    now = datetime.now(UTC)
    oldest = now - timedelta(seconds=max(rules.pair_window_s, rules.address_window_s))
    session.execute(delete(LoginFailure).where(LoginFailure.at < oldest))
    session.add(LoginFailure(user_name=user_name, address=addr, at=now))
    session.commit()


def succeeded(session: Session, name: str, address: str | None) -> None:
    user_name, addr = _key(name, address)
    session.execute(
        delete(LoginFailure).where(LoginFailure.address == addr, LoginFailure.user_name == user_name)
    )
    session.commit()
