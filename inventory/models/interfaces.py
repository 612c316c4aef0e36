"""Interfaces: created by a declared link end or by a poll; states and counters are observed."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import BigInteger, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inventory.models.base import Base

if TYPE_CHECKING:
    from inventory.models.devices import Device


class Interface(Base):
    __tablename__ = "interfaces"
    __table_args__ = (UniqueConstraint("device_id", "name", name="uq_interfaces_device_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"), index=True)
    if_index: Mapped[int | None] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(String(255))
    alias: Mapped[str | None] = mapped_column(String(255))
    if_type: Mapped[str | None] = mapped_column(String(50))
    speed_bps: Mapped[int | None] = mapped_column(BigInteger)
    mtu: Mapped[int | None] = mapped_column(Integer)
    mac: Mapped[str | None] = mapped_column(String(32))
    admin_status: Mapped[str | None] = mapped_column(String(20))
    oper_status: Mapped[str | None] = mapped_column(String(20))
    last_change: Mapped[datetime | None]
    status_polled_at: Mapped[datetime | None]
    in_bps: Mapped[float | None]
    out_bps: Mapped[float | None]
    in_errors_per_s: Mapped[float | None]
    out_errors_per_s: Mapped[float | None]
    utilization_pct: Mapped[float | None]
    rx_dbm: Mapped[float | None]
    tx_dbm: Mapped[float | None]
    rx_low_alarm_dbm: Mapped[float | None]
    optics_polled_at: Mapped[datetime | None]

    device: Mapped[Device] = relationship(back_populates="interfaces")
