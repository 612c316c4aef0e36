"""Linking Telegram chats to netops users: a one-time code, or the chat id given by an admin.

``netops user link-telegram NAME`` makes a code (shown once, only its SHA-256 stored, valid for
``CODE_TTL``); the user sends ``/start CODE`` to the bot from the chat to link, which proves the
chat is theirs. ``netops user link-telegram NAME CHAT_ID`` links a known chat at once. A chat
speaks for at most one user; the user's role and enabled state are read at every message, so a
new role or a disabled account applies to the chat at once. Plain functions on a session; the
caller commits.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from inventory.models import TelegramLink, User
from netops.accounts import AccountError, CurrentUser, find_user, get_user

CODE_TTL = timedelta(minutes=15)
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read off a screen and typed
CODE_LENGTH = 10  # 50 bits; valid 15 minutes, failed tries are limited by the bot


@dataclass(frozen=True, slots=True)
class ChatLink:
    user: str
    chat_id: int
    linked_at: datetime | None


def _hash(code: str) -> str:
    return hashlib.sha256(code.strip().upper().encode()).hexdigest()


def new_code(session: Session, user_name: str, now: datetime) -> str:
    """A one-time code for ``user_name`` (earlier unused codes of the user are dropped)."""
    user = find_user(session, user_name)
    session.execute(delete(TelegramLink).where(TelegramLink.user_id == user.id,
                                               TelegramLink.chat_id.is_(None)))
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    session.add(TelegramLink(user_id=user.id, code_hash=_hash(code), code_expires_at=now + CODE_TTL,
                             created_at=now))
    session.flush()
    return code


def link_chat(session: Session, user_name: str, chat_id: int, now: datetime) -> CurrentUser:
    """Link ``chat_id`` to ``user_name`` (a chat linked to someone else moves to this user)."""
    if chat_id == 0:
        raise AccountError("chat id 0 is not a Telegram chat")
    user = find_user(session, user_name)
    _attach(session, user.id, chat_id, now)
    return user


def _attach(session: Session, user_id: int, chat_id: int, now: datetime) -> None:
    session.execute(delete(TelegramLink).where(TelegramLink.chat_id == chat_id))
    session.add(TelegramLink(user_id=user_id, chat_id=chat_id, created_at=now, linked_at=now))
    session.flush()


def redeem(session: Session, code: str, chat_id: int, now: datetime) -> CurrentUser | None:
    """Link the chat to the user whose unexpired code this is; None for a wrong or old code."""
    if not code.strip() or len(code) > 64:
        return None
    row = session.scalar(select(TelegramLink).where(TelegramLink.code_hash == _hash(code),
                                                    TelegramLink.chat_id.is_(None)))
    if row is None:
        return None
    expired = row.code_expires_at is None or row.code_expires_at <= now
    user_id = row.user_id
    session.delete(row)
    session.flush()
    if expired:
        return None
    _attach(session, user_id, chat_id, now)
    return get_user(session, user_id)


def unlink(session: Session, user_name: str, chat_id: int | None = None) -> int:
    """Remove the user's links (one chat, or all of them, and pending codes); how many chats."""
    user = find_user(session, user_name)
    rows = list(session.scalars(select(TelegramLink).where(TelegramLink.user_id == user.id)))
    gone = [r for r in rows if chat_id is None or r.chat_id == chat_id]
    for row in gone:
        session.delete(row)
    session.flush()
    return sum(1 for r in gone if r.chat_id is not None)


def linked_chats(session: Session, user_name: str | None = None) -> list[ChatLink]:
    query = (select(User.name, TelegramLink.chat_id, TelegramLink.linked_at)
             .join(User, User.id == TelegramLink.user_id)
             .where(TelegramLink.chat_id.is_not(None)).order_by(User.name, TelegramLink.chat_id))
    if user_name is not None:
        query = query.where(User.name == user_name)
    return [ChatLink(name, chat, at) for name, chat, at in session.execute(query) if chat is not None]


def user_of_chat(session: Session, chat_id: int) -> CurrentUser | None:
    """The enabled netops user this chat speaks for, or None."""
    user_id = session.scalar(select(TelegramLink.user_id).where(TelegramLink.chat_id == chat_id))
    user = get_user(session, user_id) if user_id is not None else None
    return user if user is not None and user.enabled else None
