"""Which Telegram chat speaks for which netops user (the help-desk bot, ``netops.telegram``).

A row is either a pending one-time code (``code_hash`` set, ``chat_id`` empty, valid until
``code_expires_at``; only the SHA-256 of the code is kept) or a link (``chat_id`` set). A chat
belongs to at most one user; a user may have several chats (phone and desktop groups).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from inventory.models.base import Base


class TelegramLink(Base):
    __tablename__ = "telegram_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    chat_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    code_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    code_expires_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    linked_at: Mapped[datetime | None]
