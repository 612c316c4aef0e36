"""Links: a physical connection between two interfaces, declared or discovered."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inventory.models.base import Base

if TYPE_CHECKING:
    from inventory.models.interfaces import Interface

LINK_MEDIA = ("fiber", "copper", "wireless")
LINK_SOURCES = ("declared", "lldp", "cdp")


class Link(Base):
    """One row per port pair; ``a_interface_id`` < ``b_interface_id`` keeps the pair unique."""

    __tablename__ = "links"
    __table_args__ = (UniqueConstraint("a_interface_id", "b_interface_id", name="uq_links_ends"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    a_interface_id: Mapped[int] = mapped_column(ForeignKey("interfaces.id", ondelete="CASCADE"))
    b_interface_id: Mapped[int] = mapped_column(ForeignKey("interfaces.id", ondelete="CASCADE"))
    medium: Mapped[str] = mapped_column(String(20), default="fiber")
    length_m: Mapped[float | None]
    source: Mapped[str] = mapped_column(String(20), default="declared")
    declared: Mapped[bool] = mapped_column(default=False)
    first_seen: Mapped[datetime | None]
    last_seen: Mapped[datetime | None]
    notes: Mapped[str | None] = mapped_column(Text)
    # where the cable runs, from the a end's site towards the b end's: [{lat, lon[, name][, kind]}]
    route: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)

    a_interface: Mapped[Interface] = relationship(foreign_keys=[a_interface_id])
    b_interface: Mapped[Interface] = relationship(foreign_keys=[b_interface_id])
