"""Sites: where devices stand (city hall, a district office, a school)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inventory.models.base import Base

if TYPE_CHECKING:
    from inventory.models.devices import Device

SITE_KINDS = ("core", "district", "agency", "school", "health", "other")
KIND_SOURCES = ("declared", "inferred")  # declared: an inventory file; inferred: discovery, from the name


class Site(Base):
    __tablename__ = "sites"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(20), default="other")
    # discovery may change an inferred kind, never a declared one
    kind_source: Mapped[str] = mapped_column(String(20), default="declared", server_default="declared")
    address: Mapped[str | None] = mapped_column(String(300))
    district: Mapped[str | None] = mapped_column(String(100))
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_phone: Mapped[str | None] = mapped_column(String(50))
    notes: Mapped[str | None] = mapped_column(Text)

    devices: Mapped[list[Device]] = relationship(back_populates="site")
