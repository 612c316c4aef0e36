"""Credentials: SNMP and SSH secrets by reference (env, file) or encrypted at rest.

A secret column holds either a reference (``env:NAME``, ``file:/path``) or ``enc:<fernet token>``;
only ``netops`` resolves them, and nothing in ``inventory`` ever holds a clear-text secret.
"""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from inventory.models.base import Base

CREDENTIAL_TYPES = ("snmp", "ssh")


class Credential(Base):
    __tablename__ = "credentials"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    type: Mapped[str] = mapped_column(String(10))
    snmp_version: Mapped[str | None] = mapped_column(String(5))
    community: Mapped[str | None] = mapped_column(String(500))
    username: Mapped[str | None] = mapped_column(String(100))
    auth_protocol: Mapped[str | None] = mapped_column(String(10))
    auth_key: Mapped[str | None] = mapped_column(String(500))
    priv_protocol: Mapped[str | None] = mapped_column(String(10))
    priv_key: Mapped[str | None] = mapped_column(String(500))
    password: Mapped[str | None] = mapped_column(String(500))
    key_file: Mapped[str | None] = mapped_column(String(500))
    enable_secret: Mapped[str | None] = mapped_column(String(500))
