"""The audit log: one row per change a person or an API token made (who, when, from where, what).

``before``/``after`` hold the changed values as JSON, already redacted by ``netops.audit`` (a
secret is only ever a marker such as ``(set)`` or ``(changed)``). Rows are only added and, past
``[audit] retention_days``, pruned by the retention job; nothing edits them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from inventory.models.base import Base


class AuditEntry(Base):
    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_at", "at"),
        Index("ix_audit_log_user", "user_name", "at"),
        Index("ix_audit_log_action", "action", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    user_name: Mapped[str] = mapped_column(String(100))  # a login, a token's owner, the CLI's OS user
    token: Mapped[str | None] = mapped_column(String(20))  # the API token's public prefix, when one was used
    origin: Mapped[str] = mapped_column(String(200))  # client address, or "cli:<os user>"
    action: Mapped[str] = mapped_column(String(60))  # e.g. "user.role", "device.enabled"
    target: Mapped[str] = mapped_column(String(300))
    before: Mapped[Any | None] = mapped_column(JSON)
    after: Mapped[Any | None] = mapped_column(JSON)
