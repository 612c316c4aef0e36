"""Devices (declared by operators) and their facts (observed by polls), kept apart.

An inventory edit never changes ``ObservedFacts``; a poll never changes ``Device``.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inventory.models.base import Base

if TYPE_CHECKING:
    from inventory.models.credentials import Credential
    from inventory.models.interfaces import Interface
    from inventory.models.sites import Site

DEVICE_ROLES = ("core", "distribution", "access", "other")
ROLE_SOURCES = ("declared", "inferred")  # declared: an inventory file or an operator; inferred: discovery
PLATFORMS = (
    "cisco_ios", "cisco_xe", "cisco_nxos", "huawei", "huawei_vrp", "mikrotik_routeros",
    "juniper_junos", "arista_eos", "hp_procurve", "aruba_aoscx", "zte_zxros",
    "ubiquiti_edgeswitch", "ubiquiti_edgerouter", "linux", "generic",
)


class Device(Base):
    __tablename__ = "devices"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    address: Mapped[str] = mapped_column(String(100))
    snmp_port: Mapped[int] = mapped_column(Integer, default=161)
    ssh_port: Mapped[int] = mapped_column(Integer, default=22)
    role: Mapped[str] = mapped_column(String(20), default="access")
    # discovery may change an inferred role, never a declared one
    role_source: Mapped[str] = mapped_column(String(20), default="declared", server_default="declared")
    platform: Mapped[str | None] = mapped_column(String(40))
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id", ondelete="SET NULL"))
    snmp_credential_id: Mapped[int | None] = mapped_column(ForeignKey("credentials.id", ondelete="SET NULL"))
    ssh_credential_id: Mapped[int | None] = mapped_column(ForeignKey("credentials.id", ondelete="SET NULL"))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    status_interval_s: Mapped[int | None]
    counters_interval_s: Mapped[int | None]
    discovery_interval_s: Mapped[int | None]
    ssh_interval_s: Mapped[int | None]
    poll_group: Mapped[str | None] = mapped_column(String(50))
    source: Mapped[str] = mapped_column(String(20), default="declared")
    notes: Mapped[str | None] = mapped_column(Text)

    site: Mapped[Site | None] = relationship(back_populates="devices")
    snmp_credential: Mapped[Credential | None] = relationship(foreign_keys=[snmp_credential_id])
    ssh_credential: Mapped[Credential | None] = relationship(foreign_keys=[ssh_credential_id])
    facts: Mapped[ObservedFacts | None] = relationship(
        back_populates="device", cascade="all, delete-orphan", uselist=False
    )
    interfaces: Mapped[list[Interface]] = relationship(back_populates="device", cascade="all, delete-orphan")


class ObservedFacts(Base):
    """What polls learned about a device (system group, ENTITY-MIB, show version)."""

    __tablename__ = "device_facts"

    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"), primary_key=True)
    sys_name: Mapped[str | None] = mapped_column(String(255))
    sys_descr: Mapped[str | None] = mapped_column(Text)
    sys_object_id: Mapped[str | None] = mapped_column(String(255))
    sys_location: Mapped[str | None] = mapped_column(String(255))
    sys_contact: Mapped[str | None] = mapped_column(String(255))
    vendor: Mapped[str | None] = mapped_column(String(100))
    model: Mapped[str | None] = mapped_column(String(100))
    serial: Mapped[str | None] = mapped_column(String(100))
    os_version: Mapped[str | None] = mapped_column(String(255))
    profile: Mapped[str | None] = mapped_column(String(50))
    uptime_s: Mapped[float | None]
    learned_at: Mapped[datetime | None]
    empty_interface_reads: Mapped[int] = mapped_column(Integer, default=0)  # in a row, on a switch with ports

    device: Mapped[Device] = relationship(back_populates="facts")
